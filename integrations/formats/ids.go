package formats

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/attack"
	"github.com/automaldesc/automaldesc/analysis/ioc"
)

// namespace is the UUIDv5 namespace of every id this package derives.
var namespace = uuid.MustParse("5b0f6c3e-2a8d-5d7e-9c41-666f726d6174")

// stixSCONamespace is the namespace STIX 2.1 (section 2.9) prescribes for
// the deterministic ids of cyber-observable objects.
var stixSCONamespace = uuid.MustParse("00abedb4-aa42-466c-9c01-fed23315a9b7")

// derive returns a UUIDv5 over the parts (NUL-separated, so that parts
// cannot run into each other).
func derive(parts ...string) string {
	return uuid.NewSHA1(namespace, []byte(strings.Join(parts, "\x00"))).String()
}

// reportKey is what per-report ids derive from: the report id, or the
// sample's sha256 for a report built without one.
func reportKey(r *analysis.Report) string {
	if r.ID != "" {
		return r.ID
	}
	return "sha256:" + r.Sample.SHA256
}

// when is the report's timestamp in UTC (the Unix epoch for a report
// without one, so that every output stays a valid timestamp).
func when(r *analysis.Report) time.Time {
	if r.AnalyzedAt.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return r.AnalyzedAt.UTC()
}

// tactic resolves an ATT&CK tactic short name ("defense-evasion") to its
// id and display name; unknown names keep the short name and no id.
func tactic(short string) attack.Tactic {
	if t, ok := attack.TacticByShortName(short); ok {
		return t
	}
	return attack.Tactic{Name: short, ShortName: short}
}

// techniqueURL is the ATT&CK page of a technique id.
func techniqueURL(id string) string {
	return "https://attack.mitre.org/techniques/" + strings.ReplaceAll(id, ".", "/") + "/"
}

// languageName is the display name of the report's language.
func languageName(r *analysis.Report) string {
	switch n := r.Language.Language.String(); n {
	case "powershell":
		return "PowerShell"
	case "javascript":
		return "JavaScript"
	case "vbscript":
		return "VBScript"
	case "batch":
		return "Batch"
	case "bash":
		return "Bash"
	case "python":
		return "Python"
	default:
		return "unidentified"
	}
}

// title is the one-line human title of a report: verdict, language, file.
// The file name is already escaped by the engine; IOCs in it are defanged.
func title(r *analysis.Report) string {
	switch r.Status {
	case analysis.StatusSkipped:
		return "Skipped sample " + defangName(r.Sample.Name)
	case analysis.StatusError:
		return "Analysis error on " + defangName(r.Sample.Name)
	}
	label := r.Verdict.Label.String()
	return strings.ToUpper(label[:1]) + label[1:] + " " + languageName(r) + " script " + defangName(r.Sample.Name)
}

func defangName(s string) string {
	if s == "" {
		return "(unnamed)"
	}
	return defang(s)
}

// defang makes free text safe to show: IOCs as hxxp://, [.].
func defang(s string) string { return ioc.Defang(s) }

// description is the human summary of a report, defanged: the
// explanation, or the reason a sample was skipped or failed.
func description(r *analysis.Report) string {
	if s := r.Explanation.Summary; s != "" {
		return defang(s)
	}
	if r.Reason != "" {
		return defang(r.Reason)
	}
	return title(r) + "."
}

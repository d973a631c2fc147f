package formats

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

// STIXTimeLayout is the timestamp form of every STIX property this package
// writes: RFC 3339, UTC, millisecond precision.
const STIXTimeLayout = "2006-01-02T15:04:05.000Z"

// sharedCreated is the created/modified time of the objects every bundle
// shares (the producer identity, attack patterns): one fixed version of
// each, so that bundles of different reports never disagree about them.
var sharedCreated = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Format(STIXTimeLayout)

// STIXBundle is a STIX 2.1 bundle.
type STIXBundle struct {
	Type    string       `json:"type"` // "bundle"
	ID      string       `json:"id"`
	Objects []STIXObject `json:"objects"`
}

// STIXObject is one object of a bundle.
type STIXObject interface {
	// STIXID returns the object's id, "type--uuid".
	STIXID() string
}

// STIXCommon holds the common properties of domain and relationship objects.
type STIXCommon struct {
	Type         string `json:"type"`
	SpecVersion  string `json:"spec_version"`
	ID           string `json:"id"`
	CreatedByRef string `json:"created_by_ref,omitempty"`
	Created      string `json:"created"`
	Modified     string `json:"modified"`
	Confidence   *int   `json:"confidence,omitempty"`
}

// STIXID implements STIXObject.
func (c STIXCommon) STIXID() string { return c.ID }

// STIXIdentity is the producer.
type STIXIdentity struct {
	STIXCommon
	Name          string `json:"name"`
	Description   string `json:"description,omitempty"`
	IdentityClass string `json:"identity_class"`
}

// STIXFile is the file cyber-observable of the sample.
type STIXFile struct {
	Type        string            `json:"type"`
	SpecVersion string            `json:"spec_version"`
	ID          string            `json:"id"`
	Hashes      map[string]string `json:"hashes,omitempty"`
	Name        string            `json:"name,omitempty"`
	Size        int64             `json:"size"`
}

// STIXID implements STIXObject.
func (f STIXFile) STIXID() string { return f.ID }

// STIXValueSCO is a url, domain-name, ipv4-addr, ipv6-addr or email-addr
// cyber-observable.
type STIXValueSCO struct {
	Type        string `json:"type"`
	SpecVersion string `json:"spec_version"`
	ID          string `json:"id"`
	Value       string `json:"value"`
}

// STIXID implements STIXObject.
func (s STIXValueSCO) STIXID() string { return s.ID }

// STIXObservedData groups the observables seen in the sample.
type STIXObservedData struct {
	STIXCommon
	FirstObserved  string   `json:"first_observed"`
	LastObserved   string   `json:"last_observed"`
	NumberObserved int      `json:"number_observed"`
	ObjectRefs     []string `json:"object_refs"`
}

// STIXMalwareAnalysis is the analysis and its result.
type STIXMalwareAnalysis struct {
	STIXCommon
	Product                   string   `json:"product"`
	Version                   string   `json:"version,omitempty"`
	ConfigurationVersion      string   `json:"configuration_version,omitempty"`
	AnalysisEngineVersion     string   `json:"analysis_engine_version,omitempty"`
	AnalysisDefinitionVersion string   `json:"analysis_definition_version,omitempty"`
	AnalysisEnded             string   `json:"analysis_ended"`
	ResultName                string   `json:"result_name,omitempty"`
	Result                    string   `json:"result"`
	AnalysisSCORefs           []string `json:"analysis_sco_refs"`
	SampleRef                 string   `json:"sample_ref"`
}

// STIXNote carries the explanation (malware-analysis has no description).
type STIXNote struct {
	STIXCommon
	Abstract   string   `json:"abstract"`
	Content    string   `json:"content"`
	ObjectRefs []string `json:"object_refs"`
}

// STIXIndicator is a detection pattern for one network IOC.
type STIXIndicator struct {
	STIXCommon
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	IndicatorTypes []string `json:"indicator_types"`
	Pattern        string   `json:"pattern"`
	PatternType    string   `json:"pattern_type"`
	PatternVersion string   `json:"pattern_version"`
	ValidFrom      string   `json:"valid_from"`
}

// STIXAttackPattern is an ATT&CK technique.
type STIXAttackPattern struct {
	STIXCommon
	Name               string              `json:"name"`
	ExternalReferences []STIXExternalRef   `json:"external_references"`
	KillChainPhases    []STIXKillChainStep `json:"kill_chain_phases,omitempty"`
}

// STIXExternalRef is an external reference.
type STIXExternalRef struct {
	SourceName string `json:"source_name"`
	ExternalID string `json:"external_id,omitempty"`
	URL        string `json:"url,omitempty"`
}

// STIXKillChainStep is a kill-chain phase.
type STIXKillChainStep struct {
	KillChainName string `json:"kill_chain_name"`
	PhaseName     string `json:"phase_name"`
}

// STIXRelationship links two objects.
type STIXRelationship struct {
	STIXCommon
	RelationshipType string `json:"relationship_type"`
	SourceRef        string `json:"source_ref"`
	TargetRef        string `json:"target_ref"`
}

// stixSCOTypes maps IOC types to STIX cyber-observable types.
var stixSCOTypes = map[ioc.Type]string{
	ioc.URL:    "url",
	ioc.Domain: "domain-name",
	ioc.IPv4:   "ipv4-addr",
	ioc.IPv6:   "ipv6-addr",
	ioc.Email:  "email-addr",
}

// IdentityID is the STIX id of automaldesc as a producer.
var IdentityID = "identity--" + derive("stix", "identity", "automaldesc")

// STIX maps a report onto a STIX 2.1 bundle. It is a pure, deterministic
// function of r.
func STIX(r *analysis.Report) STIXBundle {
	key := reportKey(r)
	ts := when(r).Format(STIXTimeLayout)
	common := func(typ string, parts ...string) STIXCommon {
		return STIXCommon{Type: typ, SpecVersion: "2.1", ID: typ + "--" + derive(append([]string{"stix", typ, key}, parts...)...),
			CreatedByRef: IdentityID, Created: ts, Modified: ts}
	}
	label := r.Verdict.Label
	if r.Status != analysis.StatusOK {
		label = verdict.Unknown
	}
	b := STIXBundle{Type: "bundle", ID: "bundle--" + derive("stix", "bundle", key)}
	b.Objects = append(b.Objects, STIXIdentity{
		STIXCommon:    STIXCommon{Type: "identity", SpecVersion: "2.1", ID: IdentityID, Created: sharedCreated, Modified: sharedCreated},
		Name:          "automaldesc",
		Description:   "Static analyser of flagged scripts (automated producer).",
		IdentityClass: "system",
	})

	file := STIXFile{Type: "file", SpecVersion: "2.1", Hashes: map[string]string{}, Name: r.Sample.Name, Size: r.Sample.Size}
	for k, v := range map[string]string{"MD5": r.Sample.MD5, "SHA-1": r.Sample.SHA1, "SHA-256": r.Sample.SHA256} {
		if v != "" {
			file.Hashes[k] = v
		}
	}
	file.ID = fileSCOID(file.Hashes, file.Name, key)
	b.Objects = append(b.Objects, file)
	refs := []string{file.ID}

	iocs, _ := networkIOCs(r)
	scos := make([]STIXValueSCO, 0, len(iocs))
	for _, c := range iocs {
		typ := stixSCOTypes[c.Type]
		s := STIXValueSCO{Type: typ, SpecVersion: "2.1", ID: valueSCOID(typ, c.Value), Value: c.Value}
		scos = append(scos, s)
		b.Objects = append(b.Objects, s)
		refs = append(refs, s.ID)
	}

	observed := STIXObservedData{STIXCommon: common("observed-data"), FirstObserved: ts, LastObserved: ts, NumberObserved: 1, ObjectRefs: refs}
	b.Objects = append(b.Objects, observed)

	conf := stixConfidence(r, label)
	ma := STIXMalwareAnalysis{
		STIXCommon:                common("malware-analysis"),
		Product:                   "automaldesc",
		Version:                   r.Engine.Version,
		ConfigurationVersion:      r.Engine.ModelVersion,
		AnalysisEngineVersion:     r.Engine.Version,
		AnalysisDefinitionVersion: r.Engine.RulesVersion,
		AnalysisEnded:             ts,
		ResultName:                r.Sample.Signature,
		Result:                    stixResult(label),
		AnalysisSCORefs:           refs,
		SampleRef:                 file.ID,
	}
	ma.Confidence = conf
	b.Objects = append(b.Objects, ma)
	b.Objects = append(b.Objects, STIXNote{STIXCommon: common("note"), Abstract: title(r), Content: description(r),
		ObjectRefs: []string{ma.ID, file.ID}})

	var rels []STIXObject
	rel := func(typ, src, dst string) {
		c := common("relationship", typ, src, dst)
		rels = append(rels, STIXRelationship{STIXCommon: c, RelationshipType: typ, SourceRef: src, TargetRef: dst})
	}
	for _, tq := range r.Techniques {
		ap := STIXAttackPattern{
			STIXCommon: STIXCommon{Type: "attack-pattern", SpecVersion: "2.1", ID: "attack-pattern--" + derive("stix", "attack-pattern", tq.ID),
				CreatedByRef: IdentityID, Created: sharedCreated, Modified: sharedCreated},
			Name:               tq.Name,
			ExternalReferences: []STIXExternalRef{{SourceName: "mitre-attack", ExternalID: tq.ID, URL: techniqueURL(tq.ID)}},
		}
		if ap.Name == "" {
			ap.Name = tq.ID
		}
		for _, s := range tq.Tactics {
			ap.KillChainPhases = append(ap.KillChainPhases, STIXKillChainStep{KillChainName: "mitre-attack", PhaseName: s})
		}
		b.Objects = append(b.Objects, ap)
		rel("related-to", ma.ID, ap.ID)
	}

	if label == verdict.Malicious || label == verdict.Suspicious {
		kind := "malicious-activity"
		if label == verdict.Suspicious {
			kind = "anomalous-activity"
		}
		for _, s := range scos {
			ind := STIXIndicator{
				STIXCommon:     common("indicator", s.Type, s.Value),
				Name:           fmt.Sprintf("%s %s", s.Type, defangValue(s.Value)),
				Description:    fmt.Sprintf("Found in %s (sha256 %s), rated %s by automaldesc.", defangName(r.Sample.Name), r.Sample.SHA256, label),
				IndicatorTypes: []string{kind},
				Pattern:        Pattern(s.Type, s.Value),
				PatternType:    "stix",
				PatternVersion: "2.1",
				ValidFrom:      ts,
			}
			ind.Confidence = conf
			b.Objects = append(b.Objects, ind)
			rel("based-on", ind.ID, observed.ID)
			rel("derived-from", ind.ID, ma.ID)
		}
	}
	b.Objects = append(b.Objects, rels...)
	return b
}

// defangValue defangs one IOC value for a display name.
func defangValue(v string) string { return defang(v) }

func stixResult(l verdict.Label) string {
	switch l {
	case verdict.Malicious:
		return "malicious"
	case verdict.Suspicious:
		return "suspicious"
	case verdict.Benign:
		return "benign"
	}
	return "unknown"
}

func stixConfidence(r *analysis.Report, l verdict.Label) *int {
	s, id, _ := confidence(r, l)
	if id == 0 {
		return nil
	}
	s = int(math.Max(0, math.Min(100, float64(s))))
	return &s
}

// Pattern returns the STIX pattern matching an observable's value:
// [type:value = '...'] with quotes and backslashes escaped.
func Pattern(scoType, value string) string {
	return "[" + scoType + ":value = '" + EscapePatternString(value) + "']"
}

// EscapePatternString escapes a string for a single-quoted STIX pattern
// literal: backslash and quote get a backslash.
func EscapePatternString(s string) string {
	if !strings.ContainsAny(s, `\'`) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '\'' {
			sb.WriteByte('\\')
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

// valueSCOID is the STIX 2.1 deterministic id of an SCO whose only
// id-contributing property is value.
func valueSCOID(typ, value string) string {
	return typ + "--" + uuid.NewSHA1(stixSCONamespace, []byte(`{"value":`+jcsString(value)+`}`)).String()
}

// fileSCOID is the deterministic id of a file SCO: its contributing
// properties are hashes (one of them, MD5 first, then SHA-1, SHA-256, as
// the STIX reference implementation chooses) and name.
func fileSCOID(hashes map[string]string, name, key string) string {
	var parts []string
	for _, alg := range []string{"MD5", "SHA-1", "SHA-256"} {
		if v, ok := hashes[alg]; ok {
			parts = append(parts, `"hashes":{`+jcsString(alg)+`:`+jcsString(v)+`}`)
			break
		}
	}
	if name != "" {
		parts = append(parts, `"name":`+jcsString(name))
	}
	sort.Strings(parts) // "hashes" < "name": JCS orders members by key
	if len(parts) == 0 {
		// No contributing property (engine reports always carry hashes):
		// the spec asks for a random id; derive one from the report instead.
		return "file--" + derive("stix", "file", key)
	}
	return "file--" + uuid.NewSHA1(stixSCONamespace, []byte("{"+strings.Join(parts, ",")+"}")).String()
}

// jcsString serialises s as an RFC 8785 (JSON Canonicalization Scheme)
// string: only '"', '\\' and control characters are escaped, with the
// short forms where JSON has them.
func jcsString(s string) string {
	var sb strings.Builder
	sb.Grow(len(s) + 2)
	sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&sb, `\u%04x`, r)
			} else {
				sb.WriteRune(r)
			}
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

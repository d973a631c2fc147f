package sidecar

import (
	"math"
	"sort"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

// Document is one record in the Elastic Common Schema shape the NDJSON,
// stdout and webhook sinks deliver. Field names follow ECS 8.x; the full
// report rides along under "automaldesc".
type Document struct {
	Timestamp   time.Time      `json:"@timestamp"`
	Message     string         `json:"message"`
	Event       ECSEvent       `json:"event"`
	File        ECSFile        `json:"file"`
	Threat      ECSThreat      `json:"threat"`
	Rule        ECSRule        `json:"rule"`
	Automaldesc ReportDocument `json:"automaldesc"`
}

// ECSEvent is the ECS event.* field set.
type ECSEvent struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	Category  []string `json:"category"`
	Type      []string `json:"type"`
	Dataset   string   `json:"dataset"`
	Outcome   string   `json:"outcome"`
	Severity  int      `json:"severity"`
	RiskScore float64  `json:"risk_score"`
	Reason    string   `json:"reason,omitempty"`
	// Action is "update" for an update record (automaldesc.supersedes
	// names the record it updates), empty otherwise.
	Action string `json:"action,omitempty"`
}

// ECSFile is the ECS file.* field set.
type ECSFile struct {
	Name string  `json:"name"`
	Path string  `json:"path,omitempty"`
	Size int64   `json:"size"`
	Hash ECSHash `json:"hash"`
}

// ECSHash is the ECS hash.* field set.
type ECSHash struct {
	SHA256 string `json:"sha256,omitempty"`
	SHA1   string `json:"sha1,omitempty"`
	MD5    string `json:"md5,omitempty"`
}

// ECSThreat is the ECS threat.* field set.
type ECSThreat struct {
	Framework string       `json:"framework"`
	Technique ECSTechnique `json:"technique"`
	Tactic    ECSTactic    `json:"tactic"`
}

// ECSTechnique lists ATT&CK technique ids and names (parallel arrays).
type ECSTechnique struct {
	ID   []string `json:"id"`
	Name []string `json:"name"`
}

// ECSTactic lists ATT&CK tactic names.
type ECSTactic struct {
	Name []string `json:"name"`
}

// ECSRule lists the YARA rules and indicators that matched.
type ECSRule struct {
	Name []string `json:"name"`
}

// ReportDocument is the full report plus record-level fields.
type ReportDocument struct {
	*analysis.Report
	DuplicateOf string `json:"duplicate_of,omitempty"`
	Supersedes  string `json:"supersedes,omitempty"` // the record an update record updates
}

// Severities of event.severity by verdict label (Elastic's detection-rule
// scale: 21 low, 47 medium, 73 high).
var labelSeverity = map[verdict.Label]int{
	verdict.Unknown:    21,
	verdict.Benign:     0,
	verdict.Suspicious: 47,
	verdict.Malicious:  73,
}

// ECS maps a report onto its ECS document. It is a pure function of r.
// The message is the explanation summary with every IOC defanged.
func ECS(r *analysis.Report) Document {
	d := Document{
		Timestamp: r.AnalyzedAt.UTC(),
		Message:   ioc.Defang(r.Explanation.Summary),
		Event: ECSEvent{
			ID:        r.ID,
			Kind:      "alert",
			Category:  []string{"malware", "file"},
			Type:      []string{"info"},
			Dataset:   "automaldesc.alert",
			Outcome:   outcome(r.Status),
			Severity:  labelSeverity[r.Verdict.Label],
			RiskScore: math.Round(r.Verdict.Score*10000) / 100,
			Reason:    r.Reason,
		},
		File: ECSFile{
			Name: r.Sample.Name,
			Path: r.Sample.Path,
			Size: r.Sample.Size,
			Hash: ECSHash{SHA256: r.Sample.SHA256, SHA1: r.Sample.SHA1, MD5: r.Sample.MD5},
		},
		Threat: ECSThreat{
			Framework: "MITRE ATT&CK",
			Technique: ECSTechnique{ID: []string{}, Name: []string{}},
			Tactic:    ECSTactic{Name: []string{}},
		},
		Rule:        ECSRule{Name: []string{}},
		Automaldesc: ReportDocument{Report: r},
	}
	if d.Message == "" && r.Reason != "" {
		d.Message = r.Reason
	}
	tactics := map[string]bool{}
	for _, t := range r.Techniques {
		d.Threat.Technique.ID = append(d.Threat.Technique.ID, t.ID)
		d.Threat.Technique.Name = append(d.Threat.Technique.Name, t.Name)
		for _, ta := range t.Tactics {
			tactics[ta] = true
		}
	}
	for ta := range tactics {
		d.Threat.Tactic.Name = append(d.Threat.Tactic.Name, ta)
	}
	sort.Strings(d.Threat.Tactic.Name)
	rules := map[string]bool{}
	for _, m := range r.YARA {
		rules[m.Rule] = true
	}
	for _, h := range r.Indicators {
		rules[h.ID] = true
	}
	if r.Sample.Signature != "" {
		rules[r.Sample.Signature] = true // the flagging scanner's signature (ClamAV)
	}
	for n := range rules {
		d.Rule.Name = append(d.Rule.Name, n)
	}
	sort.Strings(d.Rule.Name)
	return d
}

func outcome(s analysis.Status) string {
	switch s {
	case analysis.StatusOK:
		return "success"
	case analysis.StatusError:
		return "failure"
	}
	return "unknown"
}

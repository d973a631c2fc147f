package formats

import (
	"strconv"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

// MISPEvent is a MISP event in the MISP core format ({"Event": {...}}).
type MISPEvent struct {
	Event MISPEventBody `json:"Event"`
}

// MISPEventBody is the event proper. MISP's numeric enumerations are
// strings in its JSON format.
type MISPEventBody struct {
	UUID          string          `json:"uuid"`
	Info          string          `json:"info"`
	Date          string          `json:"date"`      // YYYY-MM-DD
	Timestamp     string          `json:"timestamp"` // Unix seconds
	ThreatLevelID string          `json:"threat_level_id"`
	Analysis      string          `json:"analysis"`
	Distribution  string          `json:"distribution"`
	Published     bool            `json:"published"`
	Attribute     []MISPAttribute `json:"Attribute"`
	Tag           []MISPTag       `json:"Tag"`
}

// MISPAttribute is one attribute of an event.
type MISPAttribute struct {
	UUID         string `json:"uuid"`
	Type         string `json:"type"`
	Category     string `json:"category"`
	Value        string `json:"value"`
	ToIDS        bool   `json:"to_ids"`
	Distribution string `json:"distribution"`
	Comment      string `json:"comment,omitempty"`
	Timestamp    string `json:"timestamp"`
}

// MISPTag is one tag of an event.
type MISPTag struct {
	Name string `json:"name"`
}

// MISP threat levels and the other enumerations the events use.
const (
	mispThreatHigh      = "1"
	mispThreatMedium    = "2"
	mispThreatLow       = "3"
	mispThreatUndefined = "4"
	mispAnalysisDone    = "2" // Completed
	mispDistOrgOnly     = "0" // Your organisation only: sharing is the analyst's decision
	mispDistInherit     = "5" // Inherit from the event
)

// mispIOC maps IOC types to MISP attribute types and categories. Only
// network IOCs can be detection signatures (to_ids); the rest is context.
var mispIOC = map[ioc.Type]struct {
	typ, category string
	ids           bool
}{
	ioc.URL:         {"url", "Network activity", true},
	ioc.Domain:      {"domain", "Network activity", true},
	ioc.IPv4:        {"ip-dst", "Network activity", true},
	ioc.IPv6:        {"ip-dst", "Network activity", true},
	ioc.Email:       {"email-dst", "Network activity", true},
	ioc.FilePath:    {"filename", "Artifacts dropped", false},
	ioc.RegistryKey: {"regkey", "Persistence mechanism", false},
	ioc.MD5:         {"md5", "Artifacts dropped", false},
	ioc.SHA1:        {"sha1", "Artifacts dropped", false},
	ioc.SHA256:      {"sha256", "Artifacts dropped", false},
}

// maxMISPIOCs caps the IOC attributes of one event.
const maxMISPIOCs = 1000

// MISP maps a report onto a MISP event. It is a pure, deterministic
// function of r. Attributes are flagged to_ids only for malicious and
// suspicious verdicts.
func MISP(r *analysis.Report) MISPEvent {
	key := reportKey(r)
	t := when(r)
	ts := strconv.FormatInt(t.Unix(), 10)
	label := r.Verdict.Label
	if r.Status != analysis.StatusOK {
		label = verdict.Unknown
	}
	actionable := label == verdict.Malicious || label == verdict.Suspicious
	e := MISPEventBody{
		UUID:          derive("misp", "event", key),
		Info:          "automaldesc: " + title(r),
		Date:          t.Format("2006-01-02"),
		Timestamp:     ts,
		ThreatLevelID: mispThreat(label),
		Analysis:      mispAnalysisDone,
		Distribution:  mispDistOrgOnly,
		Attribute:     []MISPAttribute{},
		Tag:           []MISPTag{},
	}
	seen := map[string]bool{}
	add := func(typ, category, value string, ids bool, comment string) {
		if value == "" || seen[typ+"\x00"+value] {
			return
		}
		seen[typ+"\x00"+value] = true
		e.Attribute = append(e.Attribute, MISPAttribute{UUID: derive("misp", "attribute", key, typ, value), Type: typ,
			Category: category, Value: value, ToIDS: ids, Distribution: mispDistInherit, Comment: comment, Timestamp: ts})
	}
	add("filename", "Payload delivery", r.Sample.Name, false, "name of the analysed sample")
	add("md5", "Payload delivery", r.Sample.MD5, actionable, "analysed sample")
	add("sha1", "Payload delivery", r.Sample.SHA1, actionable, "analysed sample")
	add("sha256", "Payload delivery", r.Sample.SHA256, actionable, "analysed sample")
	n := 0
	for _, c := range r.IOCs {
		m, ok := mispIOC[c.Type]
		if !ok {
			continue
		}
		if n == maxMISPIOCs {
			break
		}
		n++
		comment := "found in decoded layer " + strconv.Itoa(c.Layer)
		if c.Layer == 0 {
			comment = "found in the sample text"
		}
		add(m.typ, m.category, c.Value, m.ids && actionable, comment)
	}
	if s := description(r); s != "" {
		add("text", "Other", s, false, "automaldesc explanation ("+r.Explanation.Source+")")
	}

	e.Tag = append(e.Tag, MISPTag{Name: `automaldesc:verdict="` + r.Verdict.Label.String() + `"`},
		MISPTag{Name: `automaldesc:language="` + r.Language.Language.String() + `"`})
	for _, tq := range r.Techniques {
		name := tq.Name
		if name == "" {
			name = tq.ID
		}
		e.Tag = append(e.Tag, MISPTag{Name: `misp-galaxy:mitre-attack-pattern="` + name + ` - ` + tq.ID + `"`})
	}
	return MISPEvent{Event: e}
}

func mispThreat(l verdict.Label) string {
	switch l {
	case verdict.Malicious:
		return mispThreatHigh
	case verdict.Suspicious:
		return mispThreatMedium
	case verdict.Benign:
		return mispThreatLow
	}
	return mispThreatUndefined
}

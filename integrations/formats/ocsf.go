package formats

import (
	"math"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

// OCSF constants of the Detection Finding class.
const (
	OCSFVersion      = "1.1.0"
	OCSFClassUID     = 2004
	OCSFCategoryUID  = 2
	OCSFActivityID   = 1 // Create
	ocsfProduct      = "automaldesc"
	ocsfVendor       = "automaldesc project"
	attackVersion    = "18" // ATT&CK Enterprise release of the catalog (2025-11 state)
	maxNetworkIOCs   = 500  // network IOCs rendered per document (the rest is counted, not listed)
	ocsfStatusNew    = 1
	ocsfFileRegular  = 1
	ocsfObsHostname  = 1
	ocsfObsIP        = 2
	ocsfObsEmail     = 5
	ocsfObsURL       = 6
	ocsfObsFileName  = 7
	ocsfObsHash      = 8
	ocsfAnalyticRule = 1
	ocsfAnalyticML   = 4
)

// OCSFFinding is an OCSF 1.1.0 Detection Finding (class_uid 2004).
type OCSFFinding struct {
	ActivityID      int              `json:"activity_id"`
	ActivityName    string           `json:"activity_name"`
	CategoryUID     int              `json:"category_uid"`
	CategoryName    string           `json:"category_name"`
	ClassUID        int              `json:"class_uid"`
	ClassName       string           `json:"class_name"`
	TypeUID         int              `json:"type_uid"`
	TypeName        string           `json:"type_name"`
	Time            int64            `json:"time"` // ms since the epoch
	SeverityID      int              `json:"severity_id"`
	Severity        string           `json:"severity"`
	StatusID        int              `json:"status_id"`
	Status          string           `json:"status"`
	Message         string           `json:"message"`
	ConfidenceID    int              `json:"confidence_id"`
	Confidence      string           `json:"confidence"`
	ConfidenceScore int              `json:"confidence_score"`
	RiskScore       int              `json:"risk_score"`
	Metadata        OCSFMetadata     `json:"metadata"`
	FindingInfo     OCSFFindingInfo  `json:"finding_info"`
	Evidences       []OCSFEvidence   `json:"evidences"`
	Observables     []OCSFObservable `json:"observables"`
	Attacks         []OCSFAttack     `json:"attacks"`
	Unmapped        OCSFUnmapped     `json:"unmapped"`
}

// OCSFMetadata is the metadata object.
type OCSFMetadata struct {
	UID            string      `json:"uid"`
	CorrelationUID string      `json:"correlation_uid,omitempty"` // the sample's sha256: findings on one content
	Version        string      `json:"version"`
	Product        OCSFProduct `json:"product"`
	Labels         []string    `json:"labels,omitempty"`
}

// OCSFProduct names the producer.
type OCSFProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version"`
}

// OCSFFindingInfo is the finding_info object.
type OCSFFindingInfo struct {
	UID              string         `json:"uid"`
	Title            string         `json:"title"`
	Desc             string         `json:"desc"`
	Types            []string       `json:"types"`
	CreatedTime      int64          `json:"created_time"`
	DataSources      []string       `json:"data_sources,omitempty"`
	Analytic         OCSFAnalytic   `json:"analytic"`
	RelatedAnalytics []OCSFAnalytic `json:"related_analytics,omitempty"`
}

// OCSFAnalytic is the analytic object: the verdict model or rule set, and
// the YARA rules and indicators that matched.
type OCSFAnalytic struct {
	UID     string `json:"uid,omitempty"`
	Name    string `json:"name"`
	Desc    string `json:"desc,omitempty"`
	Type    string `json:"type"`
	TypeID  int    `json:"type_id"`
	Version string `json:"version,omitempty"`
}

// OCSFEvidence is one evidences entry: the sample file, or one network
// IOC found in it.
type OCSFEvidence struct {
	File        *OCSFFile         `json:"file,omitempty"`
	DstEndpoint *OCSFEndpoint     `json:"dst_endpoint,omitempty"`
	Data        *OCSFEvidenceData `json:"data,omitempty"`
}

// OCSFFile is the file object of the sample.
type OCSFFile struct {
	Name   string            `json:"name"`
	Path   string            `json:"path,omitempty"`
	Size   int64             `json:"size"`
	TypeID int               `json:"type_id"`
	Type   string            `json:"type"`
	Hashes []OCSFFingerprint `json:"hashes"`
}

// OCSFFingerprint is one hash of a file.
type OCSFFingerprint struct {
	AlgorithmID int    `json:"algorithm_id"`
	Algorithm   string `json:"algorithm"`
	Value       string `json:"value"`
}

// OCSFEndpoint is a network endpoint named by an IP or a host name.
type OCSFEndpoint struct {
	IP       string `json:"ip,omitempty"`
	Hostname string `json:"hostname,omitempty"`
}

// OCSFEvidenceData carries the IOCs OCSF 1.1.0 has no evidence attribute
// for (URLs, e-mail addresses).
type OCSFEvidenceData struct {
	URL   string `json:"url,omitempty"`
	Email string `json:"email,omitempty"`
}

// OCSFObservable is one observables entry.
type OCSFObservable struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
	Value  string `json:"value"`
}

// OCSFAttack is one ATT&CK technique with its tactics.
type OCSFAttack struct {
	Technique OCSFTechnique `json:"technique"`
	Tactics   []OCSFTactic  `json:"tactics,omitempty"`
	Version   string        `json:"version"`
}

// OCSFTechnique is an ATT&CK technique or sub-technique.
type OCSFTechnique struct {
	UID  string `json:"uid"`
	Name string `json:"name,omitempty"`
	URL  string `json:"src_url,omitempty"`
}

// OCSFTactic is an ATT&CK tactic.
type OCSFTactic struct {
	UID  string `json:"uid,omitempty"`
	Name string `json:"name"`
}

// OCSFUnmapped holds automaldesc fields OCSF has no place for.
type OCSFUnmapped struct {
	Language      string   `json:"language"`
	Status        string   `json:"status"`
	Reason        string   `json:"reason,omitempty"`
	Verdict       string   `json:"verdict"`
	Score         float64  `json:"score"`
	VerdictSource string   `json:"verdict_source"`
	Reasons       []string `json:"reasons,omitempty"`
	RulesVersion  string   `json:"rules_version,omitempty"`
	ModelVersion  string   `json:"model_version,omitempty"`
	IOCsOmitted   int      `json:"iocs_omitted,omitempty"`
}

var ocsfSeverity = map[verdict.Label]struct {
	id   int
	name string
}{
	verdict.Unknown:    {0, "Unknown"},
	verdict.Benign:     {1, "Informational"},
	verdict.Suspicious: {3, "Medium"},
	verdict.Malicious:  {4, "High"},
}

// OCSF maps a report onto an OCSF Detection Finding. It is a pure,
// deterministic function of r.
func OCSF(r *analysis.Report) OCSFFinding {
	t := when(r).UnixMilli()
	label := r.Verdict.Label
	if r.Status != analysis.StatusOK {
		label = verdict.Unknown
	}
	sev := ocsfSeverity[label]
	confScore, confID, conf := confidence(r, label)
	f := OCSFFinding{
		ActivityID:      OCSFActivityID,
		ActivityName:    "Create",
		CategoryUID:     OCSFCategoryUID,
		CategoryName:    "Findings",
		ClassUID:        OCSFClassUID,
		ClassName:       "Detection Finding",
		TypeUID:         OCSFClassUID*100 + OCSFActivityID,
		TypeName:        "Detection Finding: Create",
		Time:            t,
		SeverityID:      sev.id,
		Severity:        sev.name,
		StatusID:        ocsfStatusNew,
		Status:          "New",
		Message:         description(r),
		ConfidenceID:    confID,
		Confidence:      conf,
		ConfidenceScore: confScore,
		RiskScore:       int(math.Round(clamp01(r.Verdict.Score) * 100)),
		Metadata: OCSFMetadata{
			UID:            derive("ocsf", reportKey(r)),
			CorrelationUID: r.Sample.SHA256,
			Version:        OCSFVersion,
			Product:        OCSFProduct{Name: ocsfProduct, VendorName: ocsfVendor, Version: r.Engine.Version},
			Labels:         []string{"automaldesc", r.Language.Language.String()},
		},
		FindingInfo: OCSFFindingInfo{
			UID:         reportKey(r),
			Title:       title(r),
			Desc:        description(r),
			Types:       []string{findingType(r)},
			CreatedTime: t,
			Analytic:    verdictAnalytic(r),
		},
		Evidences:   []OCSFEvidence{},
		Observables: []OCSFObservable{},
		Attacks:     []OCSFAttack{},
		Unmapped: OCSFUnmapped{
			Language:      r.Language.Language.String(),
			Status:        string(r.Status),
			Reason:        defang(r.Reason),
			Verdict:       r.Verdict.Label.String(),
			Score:         r.Verdict.Score,
			VerdictSource: r.Verdict.Source,
			Reasons:       defangAll(r.Verdict.Reasons),
			RulesVersion:  r.Engine.RulesVersion,
			ModelVersion:  r.Engine.ModelVersion,
		},
	}
	if r.Sample.Source != "" {
		f.FindingInfo.DataSources = []string{r.Sample.Source}
	}
	f.FindingInfo.RelatedAnalytics = relatedAnalytics(r)

	file := &OCSFFile{Name: r.Sample.Name, Path: r.Sample.Path, Size: r.Sample.Size, TypeID: ocsfFileRegular,
		Type: "Regular File", Hashes: []OCSFFingerprint{}}
	if file.Name == "" {
		file.Name = r.Sample.SHA256
	}
	f.Observables = append(f.Observables, OCSFObservable{Name: "evidences.file.name", Type: "File Name", TypeID: ocsfObsFileName, Value: file.Name})
	for _, h := range []struct {
		id   int
		alg  string
		hash string
	}{{1, "MD5", r.Sample.MD5}, {2, "SHA-1", r.Sample.SHA1}, {3, "SHA-256", r.Sample.SHA256}} {
		if h.hash == "" {
			continue
		}
		file.Hashes = append(file.Hashes, OCSFFingerprint{AlgorithmID: h.id, Algorithm: h.alg, Value: h.hash})
		f.Observables = append(f.Observables, OCSFObservable{Name: "evidences.file.hashes.value", Type: "Hash", TypeID: ocsfObsHash, Value: h.hash})
	}
	f.Evidences = append(f.Evidences, OCSFEvidence{File: file})

	iocs, omitted := networkIOCs(r)
	f.Unmapped.IOCsOmitted = omitted
	for _, c := range iocs {
		switch c.Type {
		case ioc.URL:
			f.Evidences = append(f.Evidences, OCSFEvidence{Data: &OCSFEvidenceData{URL: c.Value}})
			f.Observables = append(f.Observables, OCSFObservable{Name: "evidences.data.url", Type: "URL String", TypeID: ocsfObsURL, Value: c.Value})
		case ioc.IPv4, ioc.IPv6:
			f.Evidences = append(f.Evidences, OCSFEvidence{DstEndpoint: &OCSFEndpoint{IP: c.Value}})
			f.Observables = append(f.Observables, OCSFObservable{Name: "evidences.dst_endpoint.ip", Type: "IP Address", TypeID: ocsfObsIP, Value: c.Value})
		case ioc.Domain:
			f.Evidences = append(f.Evidences, OCSFEvidence{DstEndpoint: &OCSFEndpoint{Hostname: c.Value}})
			f.Observables = append(f.Observables, OCSFObservable{Name: "evidences.dst_endpoint.hostname", Type: "Hostname", TypeID: ocsfObsHostname, Value: c.Value})
		case ioc.Email:
			f.Evidences = append(f.Evidences, OCSFEvidence{Data: &OCSFEvidenceData{Email: c.Value}})
			f.Observables = append(f.Observables, OCSFObservable{Name: "evidences.data.email", Type: "Email Address", TypeID: ocsfObsEmail, Value: c.Value})
		}
	}

	for _, tq := range r.Techniques {
		a := OCSFAttack{Technique: OCSFTechnique{UID: tq.ID, Name: tq.Name, URL: techniqueURL(tq.ID)}, Version: attackVersion}
		for _, s := range tq.Tactics {
			ta := tactic(s)
			a.Tactics = append(a.Tactics, OCSFTactic{UID: ta.ID, Name: ta.Name})
		}
		f.Attacks = append(f.Attacks, a)
	}
	return f
}

// confidence is the probability of the reported label, as a 0..100 score
// and OCSF's confidence_id (1 Low, 2 Medium, 3 High; 0 when unknown).
func confidence(r *analysis.Report, label verdict.Label) (int, int, string) {
	var p float64
	switch label {
	case verdict.Malicious, verdict.Suspicious:
		p = clamp01(r.Verdict.Score)
	case verdict.Benign:
		p = 1 - clamp01(r.Verdict.Score)
	default:
		return 0, 0, "Unknown"
	}
	s := int(math.Round(p * 100))
	switch {
	case p >= 0.9:
		return s, 3, "High"
	case p >= 0.7:
		return s, 2, "Medium"
	}
	return s, 1, "Low"
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return min(x, 1)
}

func findingType(r *analysis.Report) string {
	switch {
	case r.Status == analysis.StatusSkipped:
		return "Skipped Sample"
	case r.Status == analysis.StatusError:
		return "Analysis Error"
	case r.Verdict.Label == verdict.Malicious:
		return "Malicious Script"
	case r.Verdict.Label == verdict.Suspicious:
		return "Suspicious Script"
	case r.Verdict.Label == verdict.Benign:
		return "Benign Script"
	}
	return "Unclassified Script"
}

// verdictAnalytic names what decided the verdict: the model (machine
// learning) or the rules.
func verdictAnalytic(r *analysis.Report) OCSFAnalytic {
	if r.Verdict.Source == "rules" {
		return OCSFAnalytic{UID: "rules:" + r.Engine.RulesVersion, Name: "automaldesc rules", Type: "Rule",
			TypeID: ocsfAnalyticRule, Version: r.Engine.RulesVersion}
	}
	return OCSFAnalytic{UID: "model:" + r.Engine.ModelVersion, Name: "automaldesc verdict model", Type: "Learning (ML/DL)",
		TypeID: ocsfAnalyticML, Version: r.Engine.ModelVersion, Desc: "verdict source: " + r.Verdict.Source}
}

// relatedAnalytics lists the YARA rules and indicators that matched, once
// each, in report order.
func relatedAnalytics(r *analysis.Report) []OCSFAnalytic {
	var out []OCSFAnalytic
	seen := map[string]bool{}
	for _, m := range r.YARA {
		uid := "yara:" + m.Rule
		if seen[uid] {
			continue
		}
		seen[uid] = true
		out = append(out, OCSFAnalytic{UID: uid, Name: m.Rule, Desc: defang(m.Meta["description"]), Type: "Rule",
			TypeID: ocsfAnalyticRule, Version: r.Engine.RulesVersion})
	}
	for _, h := range r.Indicators {
		if seen[h.ID] {
			continue
		}
		seen[h.ID] = true
		out = append(out, OCSFAnalytic{UID: h.ID, Name: h.Title, Desc: "severity " + h.Severity.String(), Type: "Rule",
			TypeID: ocsfAnalyticRule, Version: r.Engine.RulesVersion})
	}
	return out
}

// networkIOCs returns the report's URL, domain, IP and e-mail IOCs (at most
// maxNetworkIOCs, in report order) and how many were left out.
func networkIOCs(r *analysis.Report) ([]ioc.IOC, int) {
	var out []ioc.IOC
	omitted := 0
	for _, c := range r.IOCs {
		switch c.Type {
		case ioc.URL, ioc.Domain, ioc.IPv4, ioc.IPv6, ioc.Email:
			if len(out) < maxNetworkIOCs {
				out = append(out, c)
			} else {
				omitted++
			}
		}
	}
	return out, omitted
}

func defangAll(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = defang(s)
	}
	return out
}

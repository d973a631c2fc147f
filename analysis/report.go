package analysis

import (
	"time"

	"github.com/automaldesc/automaldesc/analysis/charset"
	"github.com/automaldesc/automaldesc/analysis/decode"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/analysis/yarascan"
	"github.com/automaldesc/automaldesc/internal/safetext"
)

// SchemaVersion is the version of the report's JSON shape, published as
// report.schema.json beside this file. Adding optional fields bumps the
// minor version; renaming or removing fields bumps the major version.
const SchemaVersion = "1.1.0"

// Status says whether a sample was analysed.
type Status string

// Report statuses.
const (
	// StatusOK: the sample was analysed (findings may still be partial when
	// a decoding limit was reached; see the layers' truncated flags).
	StatusOK Status = "ok"
	// StatusSkipped: the input is not something to analyse (empty, binary,
	// over the size limit); Reason says why.
	StatusSkipped Status = "skipped"
	// StatusError: analysis failed (unreadable file, deadline exceeded,
	// internal error); Reason says why and partial findings are kept.
	StatusError Status = "error"
)

// Report is the enriched alert record for one sample.
type Report struct {
	SchemaVersion string             `json:"schema_version"`
	ID            string             `json:"id"` // UUIDv5 over (sha256, source, signature)
	AnalyzedAt    time.Time          `json:"analyzed_at"`
	Sample        SampleInfo         `json:"sample"`
	Status        Status             `json:"status"`
	Reason        string             `json:"reason,omitempty"`
	Language      lang.Result        `json:"language"`
	Encoding      charset.Encoding   `json:"encoding,omitempty"`
	Layers        []Layer            `json:"layers"`
	YARA          []yarascan.Match   `json:"yara"`
	Indicators    []indicators.Hit   `json:"indicators"`
	IOCs          []ioc.IOC          `json:"iocs"`
	Techniques    []Technique        `json:"techniques"`
	Features      map[string]float64 `json:"features"`
	Verdict       Verdict            `json:"verdict"`
	Explanation   Explanation        `json:"explanation"`
	Engine        EngineInfo         `json:"engine"`
	Timings       Timings            `json:"timings"`
	// Email is set for samples extracted from an e-mail message (mail
	// gateway intakes); added in schema 1.1.0.
	Email *EmailInfo `json:"email,omitempty"`

	decoded []decode.Layer // the layers with their text, for contribution details
}

// SampleInfo identifies the analysed bytes and where they came from.
// Name and Path are escaped: control characters and invalid UTF-8 appear as
// Go-style escapes (\n, \x ff) so a hostile name cannot forge log lines or
// terminal output.
type SampleInfo struct {
	SHA256    string `json:"sha256"`
	SHA1      string `json:"sha1"`
	MD5       string `json:"md5"`
	Size      int64  `json:"size"`
	Name      string `json:"name"`
	Path      string `json:"path,omitempty"`
	Source    string `json:"source,omitempty"`
	Signature string `json:"signature,omitempty"` // the flagging scanner's signature name
}

// EmailInfo is the e-mail a sample was extracted from: message headers,
// envelope and quarantine identifiers, and where in the message the
// sample was (attachment name, MIME part, path inside archives). Every
// value is attacker-controlled; the engine escapes them like the sample's
// name.
type EmailInfo struct {
	MessageID    string   `json:"message_id,omitempty"`
	From         string   `json:"from,omitempty"` // header From ("Name <addr>")
	To           []string `json:"to,omitempty"`   // header To
	Subject      string   `json:"subject,omitempty"`
	Date         string   `json:"date,omitempty"` // RFC 3339 when the Date header parses, else as sent
	QueueID      string   `json:"queue_id,omitempty"`
	EnvelopeFrom string   `json:"envelope_from,omitempty"`
	EnvelopeTo   []string `json:"envelope_to,omitempty"`
	QuarantineID string   `json:"quarantine_id,omitempty"`
	Attachment   string   `json:"attachment,omitempty"`   // attachment file name as sent
	Part         string   `json:"part,omitempty"`         // MIME part path ("2.1")
	ArchivePath  string   `json:"archive_path,omitempty"` // path inside the attached archive(s), "inner.zip/x.vbs"
}

// Escaped returns a copy with every value escaped for display
// (safetext.Escape).
func (e *EmailInfo) Escaped() *EmailInfo {
	if e == nil {
		return nil
	}
	list := func(in []string) []string {
		if in == nil {
			return nil
		}
		out := make([]string, len(in))
		for i, v := range in {
			out[i] = safetext.Escape(v)
		}
		return out
	}
	return &EmailInfo{
		MessageID: safetext.Escape(e.MessageID), From: safetext.Escape(e.From), To: list(e.To),
		Subject: safetext.Escape(e.Subject), Date: safetext.Escape(e.Date), QueueID: safetext.Escape(e.QueueID),
		EnvelopeFrom: safetext.Escape(e.EnvelopeFrom), EnvelopeTo: list(e.EnvelopeTo),
		QuarantineID: safetext.Escape(e.QuarantineID), Attachment: safetext.Escape(e.Attachment),
		Part: safetext.Escape(e.Part), ArchivePath: safetext.Escape(e.ArchivePath),
	}
}

// Layer is one decoded layer as shown in the report. Layer 0 is the
// original text, carried up to OriginalTextLimit bytes (Note says when it
// was cut); decoded layers carry their text within the decoder limits.
type Layer struct {
	Index     int           `json:"index"`
	Parent    int           `json:"parent"`
	Method    string        `json:"method"`
	Span      decode.Span   `json:"span"`
	Language  lang.Language `json:"language"`
	Size      int           `json:"size"`
	Truncated bool          `json:"truncated,omitempty"`
	Note      string        `json:"note,omitempty"`
	Text      string        `json:"text,omitempty"`
}

// Technique is an ATT&CK technique the findings point at, with the ids of
// the findings that support it.
type Technique struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Tactics  []string `json:"tactics,omitempty"`
	Evidence []string `json:"evidence"`
}

// Verdict is the decision on the sample.
type Verdict struct {
	Label         verdict.Label  `json:"label"`
	Score         float64        `json:"score"`  // calibrated probability of malicious (model) or a severity score (rules)
	Source        string         `json:"source"` // "model", "rules", or "model+rules"
	Reasons       []string       `json:"reasons,omitempty"`
	Contributions []Contribution `json:"contributions,omitempty"`
}

// Contribution is one term of the model's decision: the feature, its value
// in this sample, its weight, their signed contribution to the log-odds,
// and the ids of the evidence the feature was computed from.
type Contribution struct {
	Feature      string   `json:"feature"`
	Value        float64  `json:"value"`
	Weight       float64  `json:"weight"`
	Contribution float64  `json:"contribution"`
	Evidence     []string `json:"evidence,omitempty"`
	Detail       string   `json:"detail,omitempty"` // e.g. the words a token feature stands for (escaped)
}

// Explanation is the natural-language summary and the claims it makes.
type Explanation struct {
	Summary string  `json:"summary"`
	Source  string  `json:"source"` // "offline" or "llm:<model>" or "rules"
	Claims  []Claim `json:"claims,omitempty"`
}

// Claim is one statement of the explanation with the ids of the evidence it
// rests on (indicator ids, "yara:<rule>", "ioc:<value>", "layer:<n>").
type Claim struct {
	Text     string   `json:"text"`
	Evidence []string `json:"evidence"`
}

// EngineInfo names the versions that produced the report, so a record can
// be re-analysed when rules or model change.
type EngineInfo struct {
	Version      string `json:"version"`
	RulesVersion string `json:"rules_version"`
	ModelVersion string `json:"model_version"`
}

// Timings are per-stage wall times in milliseconds.
type Timings struct {
	TotalMS      float64 `json:"total_ms"`
	IdentifyMS   float64 `json:"identify_ms"`
	DecodeMS     float64 `json:"decode_ms"`
	YARAMS       float64 `json:"yara_ms"`
	IndicatorsMS float64 `json:"indicators_ms"`
	IOCMS        float64 `json:"ioc_ms"`
	VerdictMS    float64 `json:"verdict_ms"`
	ExplainMS    float64 `json:"explain_ms"`
}

// Malicious reports whether the verdict calls for action (malicious or suspicious).
func (r *Report) Malicious() bool {
	return r.Verdict.Label == verdict.Malicious || r.Verdict.Label == verdict.Suspicious
}

package analysis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/automaldesc/automaldesc/analysis/features"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/analysis/yarascan"
	"github.com/automaldesc/automaldesc/internal/safetext"
)

// severityScore maps a finding's severity to the rules view's score.
var severityScore = map[indicators.Severity]float64{
	indicators.SeverityInfo:     0.05,
	indicators.SeverityLow:      0.25,
	indicators.SeverityMedium:   0.55,
	indicators.SeverityHigh:     0.85,
	indicators.SeverityCritical: 0.95,
}

func yaraSeverity(m yarascan.Match) indicators.Severity {
	s, err := indicators.ParseSeverity(m.Severity)
	if err != nil || s == indicators.SeverityUnknown {
		return indicators.SeverityMedium
	}
	return s
}

// maxSearchedFindings is the number of findings past which findings
// looks repeated ids up in a set rather than by searching.
const maxSearchedFindings = 16

// finding is one YARA match or indicator hit, for ranking.
type finding struct {
	id       string
	title    string
	severity indicators.Severity
}

func findings(r *Report) []finding {
	var out []finding
	// An id counts once, at its first finding: the few found so far are
	// searched, and a set is made only once there are many.
	var seen map[string]bool
	isNew := func(id string) bool {
		if seen == nil && len(out) < maxSearchedFindings {
			return !slices.ContainsFunc(out, func(f finding) bool { return f.id == id })
		}
		if seen == nil {
			seen = make(map[string]bool, 2*maxSearchedFindings)
			for _, f := range out {
				seen[f.id] = true
			}
		}
		if seen[id] {
			return false
		}
		seen[id] = true // out gets it next
		return true
	}
	for _, h := range r.Indicators {
		if isNew(h.ID) {
			out = append(out, finding{h.ID, h.Title, h.Severity})
		}
	}
	for _, m := range r.YARA {
		id := "yara:" + m.Rule
		if isNew(id) {
			title := m.Meta["description"]
			if title == "" {
				title = m.Rule
			}
			out = append(out, finding{id, title, yaraSeverity(m)})
		}
	}
	// Strongest first, in their order otherwise (a stable sort).
	slices.SortStableFunc(out, func(a, b finding) int { return cmp.Compare(b.severity, a.severity) })
	return out
}

// RulesView is the verdict that YARA matches and indicator severities alone
// support: the strongest finding sets the score, and each further high or
// critical finding adds a little. It is the verdict when no model is loaded
// and one of the independent views of the learning loop.
func RulesView(r *Report, th verdict.Thresholds) Verdict {
	fs := findings(r)
	v := Verdict{Source: "rules", Label: verdict.Benign}
	if len(fs) == 0 {
		if r.Language.Language == lang.Unknown {
			v.Label = verdict.Unknown
			v.Reasons = []string{"no findings and the language was not recognised"}
		} else {
			v.Reasons = []string{"no rule or indicator matched"}
		}
		return v
	}
	score := severityScore[fs[0].severity]
	for _, f := range fs[1:] {
		if f.severity >= indicators.SeverityHigh {
			score += (1 - score) * 0.3
		}
	}
	v.Score = score
	switch {
	case score >= th.Malicious:
		v.Label = verdict.Malicious
	case score >= th.Suspicious:
		v.Label = verdict.Suspicious
	}
	for i, f := range fs {
		if i == 5 {
			break
		}
		v.Reasons = append(v.Reasons, reason(f))
	}
	return v
}

func (e *Engine) rulesVerdict(r *Report) Verdict {
	return RulesView(r, e.opt.Threshold(r.Language.Language))
}

// decide combines the model's verdict with the rules view. The model is
// primary; a critical finding keeps the label at suspicious or above, since
// a model trained on a small seed set must not talk an analyst out of a
// credential dump or an AMSI bypass.
// sites are where input's tokens occur in r's layers.
func (e *Engine) decide(r *Report, input verdict.Vector, sites *features.TokenSites) Verdict {
	m := e.model.Load()
	if r.Engine.ModelVersion != modelVersion(m) {
		r.Engine.ModelVersion = modelVersion(m) // switched since the report was started
	}
	if m == nil {
		return e.rulesVerdict(r)
	}
	th := e.opt.Threshold(r.Language.Language)
	return e.modelVerdict(r, m.PredictVector(input, r.Language.Language, th, e.opt.TopK), sites)
}

// DecideWith is the verdict model m (nil: the rules view) gives a report
// whose model input is x, under the engine's thresholds. Evaluation uses it
// to score two models on one analysis.
func (e *Engine) DecideWith(m *verdict.Model, r *Report, x map[string]float64) Verdict {
	if m == nil || x == nil {
		return e.rulesVerdict(r)
	}
	th := e.opt.Threshold(r.Language.Language)
	return e.modelVerdict(r, m.Predict(x, r.Language.Language, th, e.opt.TopK), nil)
}

// modelVerdict is the verdict of a model's result res on r; sites, when
// not nil, are where the tokens of the model input occur in r's layers.
func (e *Engine) modelVerdict(r *Report, res verdict.Result, sites *features.TokenSites) Verdict {
	v := Verdict{Label: res.Label, Score: res.Score, Source: "model", Contributions: e.contributions(r, res.Contributions, sites)}
	fs := findings(r)
	if len(fs) > 0 && fs[0].severity == indicators.SeverityCritical &&
		(v.Label == verdict.Benign || v.Label == verdict.Unknown) {
		v.Label, v.Source = verdict.Suspicious, "model+rules"
		v.Reasons = append(v.Reasons, "raised to suspicious: critical finding "+fs[0].id)
	}
	for i, f := range fs {
		if i == 5 {
			break
		}
		v.Reasons = append(v.Reasons, reason(f))
	}
	return v
}

func (e *Engine) explain(ctx context.Context, r *Report) Explanation {
	if en, ok := e.opt.Explainer.(Enricher); ok {
		before := r.Verdict
		err := en.EnrichReport(ctx, r)
		if rank(r.Verdict.Label) < rank(before.Label) {
			e.log.Warn("explainer tried to lower the verdict; kept", "sha256", r.Sample.SHA256, "from", before.Label, "to", r.Verdict.Label)
			r.Verdict = before
		}
		if err == nil && r.Explanation.Summary != "" {
			return r.Explanation
		}
		if err != nil {
			e.log.Warn("explainer failed; using the rules summary", "sha256", r.Sample.SHA256, "err", err)
		}
		return rulesSummary(r)
	}
	if e.opt.Explainer != nil {
		x, err := e.opt.Explainer.Explain(ctx, r)
		if err == nil {
			return x
		}
		e.log.Warn("explainer failed; using the rules summary", "sha256", r.Sample.SHA256, "err", err)
	}
	return rulesSummary(r)
}

// rulesSummary is the fallback explanation: the language, the verdict and
// the strongest findings, each claim citing its finding.
func rulesSummary(r *Report) Explanation {
	fs := findings(r)
	lname := r.Language.Language.String()
	x := Explanation{Source: "rules"}
	var b strings.Builder
	name := r.Language.Language.Title()
	if name == "" {
		name = "Unrecognised"
	}
	fmt.Fprintf(&b, "%s script judged %s.", name, r.Verdict.Label)
	x.Claims = append(x.Claims, Claim{Text: b.String(), Evidence: []string{"language:" + lname}})
	for i, f := range fs {
		if i == 4 {
			break
		}
		s := fmt.Sprintf(" %s finding: %s.", f.severity, safetext.Escape(f.title))
		b.WriteString(s)
		x.Claims = append(x.Claims, Claim{Text: strings.TrimSpace(s), Evidence: []string{f.id}})
	}
	if len(fs) == 0 {
		b.WriteString(" No rule or indicator matched.")
	}
	x.Summary = b.String()
	return x
}

// contributions attaches to each model contribution the evidence its
// feature came from. The words behind token features come from sites when
// it is not nil, else from a walk over r's layers.
func (e *Engine) contributions(r *Report, cs []verdict.Contribution, sites *features.TokenSites) []Contribution {
	out := make([]Contribution, len(cs))
	// Most contributions cite one piece of evidence: slices of one array.
	cited := make([]string, len(cs))
	cite := func(i int, evidence string) []string {
		cited[i] = evidence
		return cited[i : i+1 : i+1]
	}
	var tokens []string // token features, looked up in one pass below
	for i, c := range cs {
		x := Contribution{Feature: c.Feature, Value: c.Value, Weight: c.Weight, Contribution: c.Contribution}
		kind, name, _ := strings.Cut(c.Feature, ":")
		switch kind {
		case "ind":
			x.Evidence = cite(i, name)
		case "yara":
			x.Evidence = cite(i, c.Feature)
		case "decode":
			for _, l := range r.Layers[1:] {
				if strings.Contains("+"+l.Method+"+", "+"+name+"+") {
					x.Evidence = append(x.Evidence, "layer:"+strconv.Itoa(l.Index))
				}
			}
		case "feat":
			ev, ok := featureEvidence[name]
			if !ok {
				ev = "feature:" + name
			}
			x.Evidence = cite(i, ev)
		case "lang":
			x.Evidence = cite(i, "language:"+name)
		case "tok":
			if tokens == nil {
				tokens = make([]string, len(cs))
			}
			tokens[i] = c.Feature
		}
		out[i] = x
	}
	if tokens != nil {
		var texts []string
		if sites != nil {
			texts = sites.Texts(r.decoded, tokens)
		} else {
			texts = features.TokenTexts(r.decoded, tokens)
		}
		for i, text := range texts {
			if text != "" {
				out[i].Detail = safetext.Escape(text)
				out[i].Evidence = cite(i, "token:"+out[i].Detail)
			}
		}
	}
	return out
}

// featureEvidence is the evidence a schema feature's contribution cites.
var featureEvidence = func() map[string]string {
	m := map[string]string{}
	for _, f := range features.Schema() {
		m[f.Name] = "feature:" + f.Name
	}
	return m
}()

// rank orders labels by how much attention they call for: unknown (look
// at it) ranks above benign (nothing to do).
func rank(l verdict.Label) int {
	switch l {
	case verdict.Malicious:
		return 3
	case verdict.Suspicious:
		return 2
	case verdict.Unknown:
		return 1
	}
	return 0
}

// reason is a finding as a verdict reason: "id (severity): title".
func reason(f finding) string {
	return f.id + " (" + f.severity.String() + "): " + f.title
}

package loop

import (
	"context"
	"fmt"
	"sort"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// Filter names, in the order they run (see the package doc).
const (
	FilterOverlap    = "overlap" // the sample is a seed, feedback or validation sample
	FilterMalformed  = "malformed"
	FilterGrounding  = "grounding"
	FilterConfidence = "confidence"
	FilterViews      = "views"
	FilterCoherence  = "coherence"
	FilterLLM        = "llm"
	FilterDuplicate  = "duplicate"
	FilterBalance    = "balance"
)

// Filters lists every filter name in order.
var Filters = []string{FilterOverlap, FilterMalformed, FilterGrounding, FilterConfidence, FilterViews,
	FilterCoherence, FilterLLM, FilterDuplicate, FilterBalance}

// Decider gives model m's verdict on an analysed report (m nil: the rules
// view). *analysis.Engine implements it; it may be called concurrently.
type Decider interface {
	DecideWith(m *verdict.Model, r *analysis.Report, x map[string]float64) analysis.Verdict
}

var _ Decider = (*analysis.Engine)(nil)

// Binary maps a verdict label to a dataset label: malicious and suspicious
// are malicious, benign is benign, unknown is "" (no label).
func Binary(l verdict.Label) dataset.Label {
	switch l {
	case verdict.Malicious, verdict.Suspicious:
		return dataset.Malicious
	case verdict.Benign:
		return dataset.Benign
	}
	return ""
}

// Confidence is how sure a verdict is of its binary label: the calibrated
// score for malicious, one minus it for benign, 0 without a label.
func Confidence(v analysis.Verdict) float64 {
	switch Binary(v.Label) {
	case dataset.Malicious:
		return v.Score
	case dataset.Benign:
		return 1 - v.Score
	}
	return 0
}

// Candidate is one pool sample annotated by the model of a round.
type Candidate struct {
	Sample     *Sample
	Report     *analysis.Report // a copy of the sample's report with the round's verdict and explanation
	Label      dataset.Label
	Confidence float64
	Rejected   string // the first filter that failed; "" when kept
	Why        string // detail of the rejection
}

// Checker runs the per-sample filters. Its fields are read-only; Check may
// be called concurrently.
type Checker struct {
	Decider      Decider
	Explainer    analysis.Explainer
	Thresholds   func(lang.Language) verdict.Thresholds // for the rules view
	Judge        Judge                                  // coherence; nil: OfflineJudge
	LLM          LLMView                                // nil: no LLM view
	Temperatures []float64                              // LLM sampling temperatures
}

// Check annotates s with model m and runs the per-sample filters at the
// confidence threshold th.
func (c *Checker) Check(ctx context.Context, m *verdict.Model, s *Sample, th float64) Candidate {
	cand := Candidate{Sample: s}
	reject := func(f, format string, args ...any) Candidate {
		cand.Rejected, cand.Why = f, fmt.Sprintf(format, args...)
		return cand
	}
	if s.Err != nil || s.Report == nil {
		return reject(FilterMalformed, "analysis failed: %v", s.Err)
	}
	if s.Report.Status != analysis.StatusOK || s.Input == nil {
		return reject(FilterMalformed, "status %s: %s", s.Report.Status, s.Report.Reason)
	}
	if s.Report.Language.Language == lang.Unknown {
		return reject(FilterMalformed, "language not recognised")
	}
	rep := *s.Report // shallow copy: only Verdict and Explanation change
	rep.Verdict = c.Decider.DecideWith(m, &rep, s.Input)
	cand.Report = &rep
	cand.Label, cand.Confidence = Binary(rep.Verdict.Label), Confidence(rep.Verdict)
	if cand.Label == "" {
		return reject(FilterMalformed, "verdict %s", rep.Verdict.Label)
	}
	x, err := c.Explainer.Explain(ctx, &rep)
	if err != nil {
		return reject(FilterMalformed, "explain: %v", err)
	}
	rep.Explanation = x
	if x.Summary == "" || len(x.Claims) == 0 {
		return reject(FilterMalformed, "empty explanation")
	}
	if err := explain.Validate(&rep, x); err != nil {
		return reject(FilterGrounding, "%v", err)
	}
	if cand.Confidence < th {
		return reject(FilterConfidence, "confidence %.3f < %.3f", cand.Confidence, th)
	}
	rules := analysis.RulesView(&rep, c.Thresholds(rep.Language.Language))
	if got := Binary(rules.Label); got != cand.Label {
		return reject(FilterViews, "rules view %s, model %s", rules.Label, cand.Label)
	}
	judge := c.Judge
	if judge == nil {
		judge = OfflineJudge{}
	}
	jl, err := judge.JudgeSummary(ctx, MaskVerdict(x.Summary))
	if err != nil {
		return reject(FilterCoherence, "judge: %v", err)
	}
	if Binary(jl) != cand.Label {
		return reject(FilterCoherence, "summary reads %s, model %s", jl, cand.Label)
	}
	if c.LLM != nil {
		for _, temp := range c.Temperatures {
			l, _, err := c.LLM.Label(ctx, &rep, temp)
			if err != nil {
				return reject(FilterLLM, "llm at %.1f: %v", temp, err)
			}
			if Binary(l) != cand.Label {
				return reject(FilterLLM, "llm at %.1f says %s, model %s", temp, l, cand.Label)
			}
		}
	}
	return cand
}

// family groups near-duplicate pseudo-labels of one (language, label).
type families struct {
	maxDist int
	exact   map[uint64]int   // normalised hash -> family
	bands   map[uint64][]int // (band index, band value) -> families
	sims    []uint64         // family -> representative simhash
	count   []int
}

func newFamilies(maxDist int) *families {
	return &families{maxDist: maxDist, exact: map[uint64]int{}, bands: map[uint64][]int{}}
}

// add assigns p to a family (an existing one when it is the same
// normalised content or within maxDist of its representative) and returns
// the family's new size. Four 16-bit bands find every representative within
// Hamming distance 3 (pigeonhole), without comparing all pairs.
func (f *families) add(p Fingerprint) int {
	if id, ok := f.exact[p.Exact]; ok {
		f.count[id]++
		return f.count[id]
	}
	id := -1
	for b := range 4 {
		key := uint64(b)<<16 | (p.Sim>>(16*b))&0xffff
		for _, cand := range f.bands[key] {
			if SimDistance(f.sims[cand], p.Sim) <= f.maxDist {
				id = cand
				break
			}
		}
		if id >= 0 {
			break
		}
	}
	if id < 0 {
		id = len(f.sims)
		f.sims = append(f.sims, p.Sim)
		f.count = append(f.count, 0)
		for b := range 4 {
			key := uint64(b)<<16 | (p.Sim>>(16*b))&0xffff
			f.bands[key] = append(f.bands[key], id)
		}
	}
	f.exact[p.Exact] = id
	f.count[id]++
	return f.count[id]
}

// CapDuplicates rejects (FilterDuplicate) the candidates beyond maxPer per
// (language, label, template family), keeping the most confident. cands
// that were already rejected are left alone. maxPer <= 0 disables the cap.
func CapDuplicates(cands []*Candidate, maxPer, maxDist int) {
	if maxPer <= 0 {
		return
	}
	order := kept(cands)
	groups := map[string]*families{}
	for _, c := range order {
		key := c.Sample.Language() + "/" + string(c.Label)
		g := groups[key]
		if g == nil {
			g = newFamilies(maxDist)
			groups[key] = g
		}
		if n := g.add(c.Sample.Print); n > maxPer {
			c.Rejected, c.Why = FilterDuplicate, fmt.Sprintf("family already has %d pseudo-labels", maxPer)
		}
	}
}

// Balance rejects (FilterBalance) candidates so that, per language and
// counting the labelled base (seeds and feedback: base[language][label]),
// neither class outnumbers the other by more than ratio. The most confident
// candidates of each class are kept first. ratio <= 0 disables it.
func Balance(cands []*Candidate, base map[string]map[dataset.Label]int, ratio float64) {
	if ratio <= 0 {
		return
	}
	byLang := map[string]map[dataset.Label][]*Candidate{}
	for _, c := range kept(cands) {
		l := c.Sample.Language()
		if byLang[l] == nil {
			byLang[l] = map[dataset.Label][]*Candidate{}
		}
		byLang[l][c.Label] = append(byLang[l][c.Label], c)
	}
	for l, q := range byLang {
		n := map[dataset.Label]int{dataset.Malicious: base[l][dataset.Malicious], dataset.Benign: base[l][dataset.Benign]}
		other := func(x dataset.Label) dataset.Label {
			if x == dataset.Malicious {
				return dataset.Benign
			}
			return dataset.Malicious
		}
		for len(q[dataset.Malicious])+len(q[dataset.Benign]) > 0 {
			// Offer to the class with fewer examples first.
			c := dataset.Malicious
			if len(q[c]) == 0 || len(q[dataset.Benign]) > 0 && n[dataset.Benign] < n[dataset.Malicious] {
				c = dataset.Benign
			}
			next := q[c][0]
			q[c] = q[c][1:]
			if float64(n[c]+1) <= ratio*float64(max(n[other(c)], 1)) {
				n[c]++
				continue
			}
			next.Rejected, next.Why = FilterBalance, fmt.Sprintf("%s would outnumber %s by more than %.2g:1", c, other(c), ratio)
			// The minority class has nothing left to offer: the rest of
			// this class cannot pass either.
			for _, rest := range q[c] {
				rest.Rejected, rest.Why = FilterBalance, next.Why
			}
			q[c] = nil
		}
	}
}

// kept returns the candidates not rejected yet, most confident first (ties
// by sha256, so runs are reproducible).
func kept(cands []*Candidate) []*Candidate {
	var out []*Candidate
	for _, c := range cands {
		if c.Rejected == "" {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Confidence != out[j].Confidence {
			return out[i].Confidence > out[j].Confidence
		}
		return out[i].Sample.SHA256() < out[j].Sample.SHA256()
	})
	return out
}

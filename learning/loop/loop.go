package loop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/learning"
	"github.com/automaldesc/automaldesc/learning/dataset"
	"github.com/automaldesc/automaldesc/learning/evaluate"
	"github.com/automaldesc/automaldesc/learning/metrics"
	"github.com/automaldesc/automaldesc/store"
)

// Gate decides whether a candidate model may replace the model in force,
// judged on the validation set.
type Gate struct {
	// MaxAccuracyDrop (epsilon) is how much lower the pooled accuracy may
	// be; 0 means "not lower".
	MaxAccuracyDrop float64 `json:"max_accuracy_drop"`
	// MaxLanguageDrop bounds the accuracy drop of any one language; < 0
	// disables the per-language check.
	MaxLanguageDrop float64 `json:"max_language_drop"`
	// Alpha is the McNemar significance level: the candidate is refused
	// when it is significantly worse (p < Alpha and more samples lost than
	// won) on the pooled validation set.
	Alpha float64 `json:"alpha"`
}

// DefaultGate: pooled accuracy not lower, no language more than 5 points
// lower, McNemar not significantly worse at 5%.
func DefaultGate() Gate { return Gate{MaxAccuracyDrop: 0, MaxLanguageDrop: 0.05, Alpha: 0.05} }

// Check returns whether after may replace before, and why not.
func (g Gate) Check(before, after Eval) (bool, string) {
	b, a := before.Pooled(), after.Pooled()
	if a.Accuracy < b.Accuracy-g.MaxAccuracyDrop-1e-12 {
		return false, fmt.Sprintf("pooled accuracy %.4f is below %.4f - %.4f", a.Accuracy, b.Accuracy, g.MaxAccuracyDrop)
	}
	mc := mcnemar(before, after, "")
	if mc.PValue < g.Alpha && mc.B > mc.C {
		return false, fmt.Sprintf("significantly worse (McNemar p=%.4g, %d lost, %d won)", mc.PValue, mc.B, mc.C)
	}
	if g.MaxLanguageDrop >= 0 {
		for _, l := range after.Languages() {
			bl, al := before.Group(l), after.Group(l)
			if al.Accuracy < bl.Accuracy-g.MaxLanguageDrop-1e-12 {
				return false, fmt.Sprintf("%s accuracy %.4f is below %.4f - %.4f", l, al.Accuracy, bl.Accuracy, g.MaxLanguageDrop)
			}
		}
	}
	return true, ""
}

// Config configures a run. Zero fields take DefaultConfig's values where
// noted.
type Config struct {
	Rounds       int                  `json:"rounds"` // round limit (> 0)
	Schedule     Schedule             `json:"schedule"`
	Weights      learning.Weights     `json:"weights"`
	Train        verdict.TrainOptions `json:"train"`
	Gate         Gate                 `json:"gate"`
	MinGain      float64              `json:"min_gain"`       // pooled accuracy gain that counts as progress
	Patience     int                  `json:"patience"`       // rounds without gain before stopping (>= 1)
	Temperatures []float64            `json:"temperatures"`   // LLM view temperatures
	MaxPerFamily int                  `json:"max_per_family"` // near-duplicate cap; <= 0 disables
	FamilyDist   int                  `json:"family_distance"`
	BalanceRatio float64              `json:"balance_ratio"` // <= 0 disables
	Workers      int                  `json:"workers"`       // annotation workers (0: CPUs)
	Bootstrap    int                  `json:"bootstrap"`     // bootstrap iterations for the CIs
	// CreatedAt stamps the models (round t adds t seconds): fix it for
	// reproducible versions.
	CreatedAt time.Time `json:"-"`
}

// DefaultConfig: 5 rounds, DefaultSchedule, learning.DefaultWeights,
// verdict.DefaultTrainOptions, DefaultGate, temperatures 0.4/0.6/0.8, at
// most 5 pseudo-labels per template family (simhash distance 3), classes
// within 2:1 per language.
func DefaultConfig() Config {
	return Config{
		Rounds: 5, Schedule: DefaultSchedule(), Weights: learning.DefaultWeights(), Train: verdict.DefaultTrainOptions(),
		Gate: DefaultGate(), MinGain: 0, Patience: 1, Temperatures: []float64{0.4, 0.6, 0.8},
		MaxPerFamily: 5, FamilyDist: 3, BalanceRatio: 2, Bootstrap: 200,
	}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	var errs []error
	if c.Rounds <= 0 {
		errs = append(errs, fmt.Errorf("rounds %d: must be positive", c.Rounds))
	}
	if err := c.Schedule.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.FamilyDist < 0 || c.FamilyDist > 3 {
		errs = append(errs, fmt.Errorf("family distance %d: must be 0..3", c.FamilyDist))
	}
	if c.BalanceRatio > 0 && c.BalanceRatio < 1 {
		errs = append(errs, fmt.Errorf("balance ratio %g: must be >= 1 (or 0 to disable)", c.BalanceRatio))
	}
	if c.Gate.Alpha < 0 || c.Gate.Alpha > 1 || c.Gate.MaxAccuracyDrop < 0 {
		errs = append(errs, fmt.Errorf("gate: alpha must be in 0..1 and the accuracy drop >= 0"))
	}
	if c.Patience < 1 {
		errs = append(errs, fmt.Errorf("patience %d: must be >= 1", c.Patience))
	}
	return errors.Join(errs...)
}

// Inputs are the analysed datasets of a run. Seeds and Feedback must carry
// labels; Pool labels are ignored; Validation is used only for gating.
type Inputs struct {
	Seeds, Feedback, Pool, Validation []Sample
}

// Env is what a run uses besides its data.
type Env struct {
	Checker  Checker
	Registry store.ModelRegistry // nil: models are not stored
	By       string              // who or what promotes ("learn" by default)
	Log      *slog.Logger
}

// Eval is one model's labels on the validation set.
type Eval struct {
	Model  string
	Truth  []bool
	Flag   []bool
	Lang   []string
	Result evaluate.Result
}

// Pooled returns the scores over every validation sample.
func (e Eval) Pooled() evaluate.Stats { return e.Group("all") }

// Group returns the scores of one language ("all": pooled).
func (e Eval) Group(name string) evaluate.Stats {
	for _, g := range e.Result.Languages {
		if g.Name == name && len(g.Models) > 0 {
			return g.Models[0]
		}
	}
	return evaluate.Stats{}
}

// Languages lists the languages of the validation set.
func (e Eval) Languages() []string {
	var out []string
	for _, g := range e.Result.Languages {
		if g.Name != "all" {
			out = append(out, g.Name)
		}
	}
	return out
}

// evaluateModel scores m on the validation samples.
func evaluateModel(d Decider, m *verdict.Model, name string, val []Sample, iterations int) Eval {
	preds := make([]evaluate.Prediction, len(val))
	e := Eval{Model: name, Truth: make([]bool, len(val)), Flag: make([]bool, len(val)), Lang: make([]string, len(val))}
	for i := range val {
		s := &val[i]
		p := evaluate.Prediction{TruthLanguage: s.Language(), PredLanguage: "unknown", Malicious: s.Item.Label == dataset.Malicious,
			Provenance: s.Item.Provenance, Labels: []verdict.Label{verdict.Unknown}}
		if s.Report != nil {
			p.PredLanguage = s.Report.Language.Language.String()
			if s.Report.Status == analysis.StatusOK {
				p.Labels[0] = d.DecideWith(m, s.Report, s.Input).Label
			}
		}
		preds[i] = p
		e.Truth[i], e.Flag[i], e.Lang[i] = p.Malicious, Binary(p.Labels[0]) == dataset.Malicious, p.TruthLanguage
	}
	e.Result = evaluate.Compute(preds, []string{name}, iterations, 1)
	return e
}

// mcnemar compares two evaluations on one language ("" = all samples).
func mcnemar(a, b Eval, language string) metrics.McNemarResult {
	var truth, fa, fb []bool
	for i := range a.Truth {
		if language == "" || a.Lang[i] == language {
			truth, fa, fb = append(truth, a.Truth[i]), append(fa, a.Flag[i]), append(fb, b.Flag[i])
		}
	}
	r, err := metrics.McNemar(truth, fa, fb)
	if err != nil {
		return metrics.McNemarCounts(0, 0)
	}
	return r
}

// LangRound is one language's line of a round.
type LangRound struct {
	Language       string         `json:"language"`
	Pool           int            `json:"pool"`
	Kept           int            `json:"kept"`
	KeptMalicious  int            `json:"kept_malicious"`
	KeptBenign     int            `json:"kept_benign"`
	Rejected       map[string]int `json:"rejected"` // by filter
	Validation     int            `json:"validation"`
	AccuracyBefore float64        `json:"accuracy_before"`
	AccuracyAfter  float64        `json:"accuracy_after"`
	FPRBefore      float64        `json:"fpr_before"`
	FPRAfter       float64        `json:"fpr_after"`
	Lost           int            `json:"lost"` // validation samples V_t got right and V_t+1 wrong
	Won            int            `json:"won"`
	PValue         float64        `json:"p_value"` // McNemar V_t vs V_t+1
}

// Round is one round of the loop.
type Round struct {
	Round      int            `json:"round"`
	Threshold  float64        `json:"threshold"`
	Parent     string         `json:"parent"`    // V_t
	Candidate  string         `json:"candidate"` // V_t+1
	Examples   map[string]int `json:"examples"`  // training examples by provenance
	Languages  []LangRound    `json:"languages"` // per language, then "all"
	Promoted   bool           `json:"promoted"`
	GateReason string         `json:"gate_reason,omitempty"`
	Gain       float64        `json:"gain"` // pooled accuracy V_t+1 - V_t
	Seconds    float64        `json:"seconds"`
}

// Kept is one pseudo-label kept in a round.
type Kept struct {
	Round      int           `json:"round"`
	SHA256     string        `json:"sha256"`
	Where      string        `json:"where"`
	Language   string        `json:"language"`
	Label      dataset.Label `json:"label"`
	Confidence float64       `json:"confidence"`
	Summary    string        `json:"summary"`
}

// Result is a whole run.
type Result struct {
	Config     Config                   `json:"config"`
	Initial    string                   `json:"initial"` // V1 (seeds and feedback only)
	Final      string                   `json:"final"`   // the version in force at the end
	Baseline   map[string]float64       `json:"baseline_accuracy"`
	Rounds     []Round                  `json:"rounds"`
	StopReason string                   `json:"stop_reason"`
	Kept       []Kept                   `json:"-"`      // pseudo-labels behind Final
	Model      *verdict.Model           `json:"-"`      // Final
	Inputs     map[string]int           `json:"inputs"` // sample counts
	Supervised map[string]SupervisedRow `json:"supervised,omitempty"`
}

// SupervisedRow is an upper bound measured beside the run (filled by the
// caller): a model trained on the pool with its true labels.
type SupervisedRow struct {
	Accuracy float64 `json:"accuracy"`
	FPR      float64 `json:"fpr"`
}

// Run executes the loop. It never changes the samples it is given.
func Run(ctx context.Context, cfg Config, env Env, in Inputs) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("learn: config: %w", err)
	}
	if len(in.Validation) == 0 {
		return nil, errors.New("learn: empty validation set")
	}
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	by := env.By
	if by == "" {
		by = "learn"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.CreatedAt.IsZero() {
		cfg.CreatedAt = time.Now().UTC().Truncate(time.Second)
	}
	res := &Result{Config: cfg, Inputs: map[string]int{"seeds": len(in.Seeds), "feedback": len(in.Feedback),
		"pool": len(in.Pool), "validation": len(in.Validation)}}

	base, baseCounts := labelled(in.Seeds, "seed", cfg.Weights)
	fb, fbCounts := labelled(in.Feedback, "feedback", cfg.Weights)
	base = append(base, fb...)
	for l, c := range fbCounts {
		if baseCounts[l] == nil {
			baseCounts[l] = map[dataset.Label]int{}
		}
		for k, v := range c {
			baseCounts[l][k] += v
		}
	}
	cur, err := train(base, cfg.Train, cfg.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("learn: initial model: %w", err)
	}
	curEval := evaluateModel(env.Checker.Decider, cur, cur.Version(), in.Validation, cfg.Bootstrap)
	res.Initial, res.Final, res.Model = cur.Version(), cur.Version(), cur
	res.Baseline = map[string]float64{}
	for _, g := range curEval.Result.Languages {
		res.Baseline[g.Name] = g.Models[0].Accuracy
	}
	if env.Registry != nil {
		if err := register(ctx, env.Registry, cur, "", summary(base, 0, cfg), curEval); err != nil {
			return nil, err
		}
		if _, err := env.Registry.Current(ctx); errors.Is(err, store.ErrNotFound) {
			if err := env.Registry.Promote(ctx, cur.Version(), by+": initial model"); err != nil {
				return nil, fmt.Errorf("learn: promote %s: %w", cur.Version(), err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("learn: registry: %w", err)
		}
	}
	log.Info("initial model", "version", cur.Version(), "examples", len(base), "validation_accuracy", curEval.Pooled().Accuracy)

	// Pool samples that are seeds, feedback or validation samples never
	// become pseudo-labels.
	taken := map[string]bool{}
	for _, set := range [][]Sample{in.Seeds, in.Feedback, in.Validation} {
		for i := range set {
			if h := set[i].SHA256(); h != "" {
				taken[h] = true
			}
		}
	}

	stale := 0
	for t := 1; t <= cfg.Rounds; t++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		start := time.Now()
		th := cfg.Schedule.Threshold(t)
		cands, err := annotate(ctx, &env.Checker, cur, in.Pool, th, taken, cfg.Workers)
		if err != nil {
			return res, fmt.Errorf("learn: round %d: %w", t, err)
		}
		CapDuplicates(cands, cfg.MaxPerFamily, cfg.FamilyDist)
		Balance(cands, baseCounts, cfg.BalanceRatio)
		var pseudo []verdict.Example
		var keptNow []Kept
		for _, c := range cands {
			if c.Rejected != "" {
				continue
			}
			o := c.Sample.Observation
			o.Item.Label, o.Item.Provenance = c.Label, "pseudo"
			ex, err := learning.Example(o, cfg.Weights)
			if err != nil {
				continue
			}
			pseudo = append(pseudo, ex)
			keptNow = append(keptNow, Kept{Round: t, SHA256: c.Sample.SHA256(), Where: c.Sample.Item.Where, Language: c.Sample.Language(),
				Label: c.Label, Confidence: c.Confidence, Summary: c.Report.Explanation.Summary})
		}
		all := append(append([]verdict.Example{}, base...), pseudo...)
		next, err := train(all, cfg.Train, cfg.CreatedAt.Add(time.Duration(t)*time.Second))
		if err != nil {
			return res, fmt.Errorf("learn: round %d: train: %w", t, err)
		}
		nextEval := evaluateModel(env.Checker.Decider, next, next.Version(), in.Validation, cfg.Bootstrap)
		ok, why := cfg.Gate.Check(curEval, nextEval)
		r := Round{Round: t, Threshold: th, Parent: cur.Version(), Candidate: next.Version(), Promoted: ok, GateReason: why,
			Examples: map[string]int{"seed": len(in.Seeds), "feedback": len(fb), "pseudo": len(pseudo)},
			Gain:     nextEval.Pooled().Accuracy - curEval.Pooled().Accuracy}
		r.Languages = roundLanguages(cands, curEval, nextEval)
		if env.Registry != nil {
			if err := register(ctx, env.Registry, next, cur.Version(), summary(all, len(pseudo), cfg), nextEval); err != nil {
				return res, err
			}
			if ok {
				if err := env.Registry.Promote(ctx, next.Version(), fmt.Sprintf("%s: round %d (gain %+.4f)", by, t, r.Gain)); err != nil {
					return res, fmt.Errorf("learn: promote %s: %w", next.Version(), err)
				}
			}
		}
		r.Seconds = time.Since(start).Seconds()
		res.Rounds = append(res.Rounds, r)
		log.Info("round", "round", t, "threshold", th, "pseudo", len(pseudo), "accuracy_before", curEval.Pooled().Accuracy,
			"accuracy_after", nextEval.Pooled().Accuracy, "promoted", ok, "reason", why)
		if ok {
			cur, curEval = next, nextEval
			res.Final, res.Model, res.Kept = cur.Version(), cur, keptNow
		}
		if !ok || r.Gain <= cfg.MinGain {
			stale++
			if stale >= cfg.Patience {
				if ok {
					res.StopReason = fmt.Sprintf("round %d brought no gain (%+.4f <= %g)", t, r.Gain, cfg.MinGain)
				} else {
					res.StopReason = fmt.Sprintf("round %d refused by the gate: %s", t, why)
				}
				break
			}
		} else {
			stale = 0
		}
	}
	if res.StopReason == "" {
		res.StopReason = fmt.Sprintf("round limit %d reached", cfg.Rounds)
	}
	return res, nil
}

// labelled turns labelled samples into training examples of a provenance,
// and counts them per language and label.
func labelled(ss []Sample, prov string, w learning.Weights) ([]verdict.Example, map[string]map[dataset.Label]int) {
	var out []verdict.Example
	counts := map[string]map[dataset.Label]int{}
	for i := range ss {
		o := ss[i].Observation
		o.Item.Provenance = prov
		ex, err := learning.Example(o, w)
		if err != nil {
			continue
		}
		out = append(out, ex)
		l := ss[i].Language()
		if counts[l] == nil {
			counts[l] = map[dataset.Label]int{}
		}
		counts[l][o.Item.Label]++
	}
	return out, counts
}

func train(exs []verdict.Example, opt verdict.TrainOptions, at time.Time) (*verdict.Model, error) {
	opt.CreatedAt = at
	return verdict.Train(exs, opt)
}

// annotate runs the per-sample filters over the pool with workers.
func annotate(ctx context.Context, c *Checker, m *verdict.Model, pool []Sample, th float64, taken map[string]bool, workers int) ([]*Candidate, error) {
	out := make([]*Candidate, len(pool))
	g, ctx := errgroup.WithContext(ctx)
	next := make(chan int)
	g.Go(func() error {
		defer close(next)
		for i := range pool {
			select {
			case next <- i:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	for range workers {
		g.Go(func() error {
			for i := range next {
				s := &pool[i]
				if h := s.SHA256(); h != "" && taken[h] {
					out[i] = &Candidate{Sample: s, Rejected: FilterOverlap, Why: "seed, feedback or validation sample"}
					continue
				}
				cand := c.Check(ctx, m, s, th)
				out[i] = &cand
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func roundLanguages(cands []*Candidate, before, after Eval) []LangRound {
	rows := map[string]*LangRound{}
	row := func(l string) *LangRound {
		if rows[l] == nil {
			rows[l] = &LangRound{Language: l, Rejected: map[string]int{}, PValue: 1}
		}
		return rows[l]
	}
	for _, c := range cands {
		for _, r := range []*LangRound{row(c.Sample.Language()), row("all")} {
			r.Pool++
			switch {
			case c.Rejected != "":
				r.Rejected[c.Rejected]++
			case c.Label == dataset.Malicious:
				r.Kept++
				r.KeptMalicious++
			default:
				r.Kept++
				r.KeptBenign++
			}
		}
	}
	for _, l := range append(after.Languages(), "all") {
		r := row(l)
		b, a := before.Group(l), after.Group(l)
		r.AccuracyBefore, r.AccuracyAfter, r.FPRBefore, r.FPRAfter = b.Accuracy, a.Accuracy, b.FPR, a.FPR
		lang := l
		if l == "all" {
			lang = ""
		}
		mc := mcnemar(before, after, lang)
		r.Lost, r.Won, r.PValue = mc.B, mc.C, mc.PValue
		for _, g := range after.Result.Languages {
			if g.Name == l {
				r.Validation = g.N
			}
		}
	}
	names := make([]string, 0, len(rows))
	for l := range rows {
		if l != "all" {
			names = append(names, l)
		}
	}
	sort.Strings(names)
	out := make([]LangRound, 0, len(rows))
	for _, l := range append(names, "all") {
		out = append(out, *row(l))
	}
	return out
}

// summary is the training-set summary stored with a model.
func summary(exs []verdict.Example, pseudo int, cfg Config) json.RawMessage {
	per := map[string]map[string]int{}
	for _, e := range exs {
		l := e.Language.String()
		if per[l] == nil {
			per[l] = map[string]int{}
		}
		if e.Malicious {
			per[l]["malicious"]++
		} else {
			per[l]["benign"]++
		}
	}
	b, _ := json.Marshal(map[string]any{"examples": len(exs), "pseudo": pseudo, "per_language": per, "weights": cfg.Weights})
	return b
}

// register stores m with its parent, summary and validation metrics.
func register(ctx context.Context, reg store.ModelRegistry, m *verdict.Model, parent string, sum json.RawMessage, ev Eval) error {
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return fmt.Errorf("learn: save %s: %w", m.Version(), err)
	}
	per := map[string]map[string]float64{}
	for _, g := range ev.Result.Languages {
		st := g.Models[0]
		per[g.Name] = map[string]float64{"n": float64(g.N), "accuracy": round4(st.Accuracy), "f1": round4(st.F1), "fpr": round4(st.FPR), "recall": round4(st.Recall)}
	}
	mb, err := json.Marshal(per)
	if err != nil {
		return err
	}
	if _, err := reg.PutModel(ctx, store.ModelEntry{Version: m.Version(), Parent: parent, CreatedAt: m.Meta().CreatedAt,
		Summary: sum, Metrics: mb, Blob: buf.Bytes()}); err != nil {
		return fmt.Errorf("learn: register %s: %w", m.Version(), err)
	}
	return nil
}

func round4(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v*1e4) / 1e4
}

// Score returns model m's accuracy and false-positive rate on labelled
// samples, per language and "all".
func Score(d Decider, m *verdict.Model, val []Sample) map[string]SupervisedRow {
	ev := evaluateModel(d, m, "", val, 0)
	out := map[string]SupervisedRow{}
	for _, g := range ev.Result.Languages {
		out[g.Name] = SupervisedRow{Accuracy: g.Models[0].Accuracy, FPR: g.Models[0].FPR}
	}
	return out
}

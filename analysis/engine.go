package analysis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis/attack"
	"github.com/automaldesc/automaldesc/analysis/charset"
	"github.com/automaldesc/automaldesc/analysis/decode"
	"github.com/automaldesc/automaldesc/analysis/features"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/analysis/yarascan"
	"github.com/automaldesc/automaldesc/internal/safetext"
)

// Sentinel errors returned (wrapped) by Analyze. Skipped inputs are not
// errors: they get a report with StatusSkipped.
var (
	// ErrDeadline: the per-sample deadline passed; the report keeps what
	// was found before it.
	ErrDeadline = errors.New("analysis deadline exceeded")
	// ErrInternal: a stage panicked or failed unexpectedly.
	ErrInternal = errors.New("internal analysis error")
)

// RuleSource yields the YARA rule set in force. rules.Live implements it;
// Get may be called concurrently and may return a new set after a reload.
type RuleSource interface {
	Get() *yarascan.Rules
}

// Explainer writes the explanation of a finished report. Explain may be
// called concurrently. It must not change anything but what it returns.
type Explainer interface {
	Explain(ctx context.Context, r *Report) (Explanation, error)
}

// Enricher is an optional capability of an Explainer, found by type
// assertion: EnrichReport writes r.Explanation itself and may raise r's
// verdict (an LLM's advisory label). The engine never lets it lower the
// verdict: a lowered label is put back.
type Enricher interface {
	EnrichReport(ctx context.Context, r *Report) error
}

// OriginalTextLimit is how much of the original (layer 0) text a report
// carries, for the triage page's script view and for explainers; the
// sample itself stays in quarantine or the caller's hands.
const OriginalTextLimit = 64 << 10

// Limits bound the work per sample.
type Limits struct {
	MaxFileSize   int64
	SampleTimeout time.Duration
	DecodeDepth   int
	DecodeRatio   int
	DecodeBytes   int64
	MaxLayers     int
}

// Options configure an Engine. Rules and Catalog are required.
type Options struct {
	Version   string // engine (binary) version
	Limits    Limits
	Rules     RuleSource
	Catalog   *indicators.Catalog
	Model     *verdict.Model                         // nil: verdict from rules only
	Threshold func(lang.Language) verdict.Thresholds // nil: built-in defaults
	TopK      int                                    // contributions listed in the report
	Explainer Explainer                              // nil: a short rules-based summary
	Logger    *slog.Logger
}

// Engine turns samples into reports. Analyze may be called concurrently; the
// engine keeps one YARA scanner per concurrent caller.
type Engine struct {
	opt      Options
	log      *slog.Logger
	model    atomic.Pointer[verdict.Model] // nil: rules view; swapped by SetModel
	scanners sync.Pool                     // of *pooledScanner
}

type pooledScanner struct {
	rules *yarascan.Rules
	s     *yarascan.Scanner
}

// New validates opt and returns an engine.
func New(opt Options) (*Engine, error) {
	if opt.Rules == nil || opt.Rules.Get() == nil {
		return nil, errors.New("engine: no YARA rules")
	}
	if opt.Catalog == nil {
		return nil, errors.New("engine: no indicator catalog")
	}
	if opt.Limits.MaxFileSize <= 0 {
		return nil, errors.New("engine: limits.max_file_size must be positive")
	}
	if opt.Limits.SampleTimeout <= 0 {
		return nil, errors.New("engine: limits.sample_timeout must be positive")
	}
	if opt.Threshold == nil {
		opt.Threshold = func(lang.Language) verdict.Thresholds { return DefaultThresholds }
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{opt: opt, log: opt.Logger.With("component", "engine")}
	e.model.Store(opt.Model)
	return e, nil
}

// SetModel switches the verdict model (nil: the rules view) for every
// analysis that starts afterwards; analyses in flight finish with the model
// they started with. It may be called concurrently with Analyze, so a
// sidecar can take a newly promoted model without restarting or dropping
// work.
func (e *Engine) SetModel(m *verdict.Model) {
	old := e.model.Swap(m)
	if old != m {
		e.log.Info("verdict model switched", "from", modelVersion(old), "to", modelVersion(m))
	}
}

func modelVersion(m *verdict.Model) string {
	if m == nil {
		return "rules"
	}
	return m.Version()
}

// DefaultThresholds apply when no configuration gives any.
var DefaultThresholds = verdict.Thresholds{Malicious: 0.80, Suspicious: 0.50, MinEvidence: 0.5}

// Info returns the versions that stamp every report.
func (e *Engine) Info() EngineInfo {
	return EngineInfo{Version: e.opt.Version, RulesVersion: e.opt.Rules.Get().Version(), ModelVersion: modelVersion(e.model.Load())}
}

// Catalog returns the indicator catalog the engine uses.
func (e *Engine) Catalog() *indicators.Catalog { return e.opt.Catalog }

// Reject builds the report of a sample the intake could not hand over (an
// unreadable file, a symlink leaving the scanned root): status and reason
// are given, everything else is empty.
func (e *Engine) Reject(s Sample, st Status, reason string) *Report {
	r := e.newReport(s, time.Now())
	r.Status, r.Reason = st, reason
	return r
}

// Analyze runs the whole static pipeline on one sample. It always returns a
// report. The error is nil for analysed and skipped samples; it wraps
// ErrDeadline, ErrInternal or the context's error when analysis failed, and
// the report then has StatusError, its reason, and any partial findings.
func (e *Engine) Analyze(ctx context.Context, s Sample) (*Report, error) {
	r, _, err := e.analyze(ctx, s, false)
	return r, err
}

// Examine is Analyze that also returns the verdict model's input vector,
// for training and evaluation. The vector is nil for skipped samples.
func (e *Engine) Examine(ctx context.Context, s Sample) (*Report, map[string]float64, error) {
	return e.analyze(ctx, s, true)
}

// newReport starts the report of s, analysed at now.
func (e *Engine) newReport(s Sample, now time.Time) *Report {
	h := s.Hashes
	if h == nil && s.Data != nil {
		v := HashBytes(s.Data)
		h = &v
	}
	r := &Report{
		SchemaVersion: SchemaVersion,
		AnalyzedAt:    now.UTC(),
		Sample: SampleInfo{
			Size:      s.size(),
			Name:      safetext.Escape(s.Name),
			Path:      safetext.Escape(s.Path),
			Source:    safetext.Escape(s.Source),
			Signature: safetext.Escape(s.Signature),
		},
		Layers:     []Layer{},
		YARA:       []yarascan.Match{},
		Indicators: []indicators.Hit{},
		IOCs:       []ioc.IOC{},
		Techniques: []Technique{},
		Features:   map[string]float64{},
		Engine:     e.Info(),
	}
	if h != nil {
		r.Sample.SHA256, r.Sample.SHA1, r.Sample.MD5 = h.SHA256, h.SHA1, h.MD5
	}
	r.ID = RecordID(r.Sample.SHA256, s.Source, s.Signature, s.Path)
	r.Email = s.Email.Escaped()
	r.Verdict = Verdict{Label: verdict.Unknown, Source: "none"}
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// lap adds the time since t to *total (in milliseconds) and returns now.
func lap(total *float64, t time.Time) time.Time {
	now := time.Now()
	*total += ms(now.Sub(t))
	return now
}

func (e *Engine) analyze(parent context.Context, s Sample, wantInput bool) (r *Report, input map[string]float64, err error) {
	// Stages that follow each other directly are timed back to back (lap):
	// each starts its clock where the one before stopped it, one clock
	// reading per stage and layer instead of two.
	start := time.Now()
	r = e.newReport(s, start)
	stage := "start"
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("panic in analysis", "stage", stage, "sample", s, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %s: panic: %v", ErrInternal, stage, p)
			r.Status, r.Reason = StatusError, err.Error()
			input = nil
		}
		r.Timings.TotalMS = ms(time.Since(start))
	}()

	if size := s.size(); size > e.opt.Limits.MaxFileSize {
		r.Status = StatusSkipped
		r.Reason = fmt.Sprintf("file is %d bytes, over limits.max_file_size (%d bytes)", size, e.opt.Limits.MaxFileSize)
		return r, nil, nil
	}
	if s.Data == nil && s.size() > 0 {
		r.Status, r.Reason = StatusError, "sample has a size but no data"
		return r, nil, fmt.Errorf("%w: %s", ErrInternal, r.Reason)
	}
	ctx, cancel := context.WithTimeout(parent, e.opt.Limits.SampleTimeout)
	defer cancel()

	// Identify.
	stage = "identify"
	t := time.Now()
	// The text shares the memory of UTF-8 data, which the caller leaves
	// unchanged (see Sample.Data): every stage only reads the text.
	text, enc, derr := charset.DecodeShared(s.Data)
	if derr != nil {
		r.Status, r.Reason = StatusSkipped, derr.Error()
		r.Timings.IdentifyMS = ms(time.Since(t))
		return r, nil, nil
	}
	r.Encoding = enc
	r.Language = lang.Identify(text, s.Name)
	t = lap(&r.Timings.IdentifyMS, t)

	// Decode.
	stage = "decode"
	lim := decode.DefaultLimits(len(text))
	if e.opt.Limits.DecodeDepth >= 0 {
		lim.MaxDepth = e.opt.Limits.DecodeDepth
	}
	if e.opt.Limits.DecodeRatio > 0 {
		total := int64(len(text)) * int64(e.opt.Limits.DecodeRatio)
		if total > e.opt.Limits.DecodeBytes && e.opt.Limits.DecodeBytes > 0 {
			total = e.opt.Limits.DecodeBytes
		}
		lim.MaxTotalBytes = int(total)
	}
	if e.opt.Limits.MaxLayers > 0 {
		lim.MaxLayers = e.opt.Limits.MaxLayers
	}
	layers, derr := decode.Decode(ctx, text, r.Language.Language, decode.Options{
		Limits:   lim,
		Identify: lang.LanguageOf,
	})
	lap(&r.Timings.DecodeMS, t)
	if len(layers) == 0 {
		layers = []decode.Layer{{Index: 0, Parent: -1, Method: "original", Language: r.Language.Language, Text: text, Size: len(text)}}
	}
	r.Layers = make([]Layer, len(layers))
	for i, l := range layers {
		r.Layers[i] = Layer{Index: l.Index, Parent: l.Parent, Method: l.Method, Span: l.Span, Language: l.Language,
			Size: l.Size, Truncated: l.Truncated, Note: l.Note, Text: l.Text}
		if i == 0 && len(l.Text) > OriginalTextLimit {
			cut := OriginalTextLimit
			for cut > 0 && !utf8.RuneStart(l.Text[cut]) {
				cut--
			}
			r.Layers[i].Text = l.Text[:cut]
			r.Layers[i].Note = fmt.Sprintf("original text cut to its first %d bytes in the report", cut)
		}
	}
	if derr != nil {
		return e.fail(ctx, r, "decode", derr)
	}

	// Per-layer scanners.
	stage = "scan"
	sc, serr := e.scanner()
	if serr != nil {
		return e.fail(ctx, r, "yara", serr)
	}
	defer e.scanners.Put(sc)
	r.Engine.RulesVersion = sc.rules.Version() // the set that scans, even if a reload landed since newReport
	iocSets := make([][]ioc.IOC, 0, len(layers))
	// A rewrite layer repeats most of its parent; each rule and indicator is
	// reported once, at the shallowest layer where it fired.
	seenRule, seenInd := map[string]bool{}, map[string]bool{}
	t = time.Now()
	for _, l := range layers {
		if err := ctx.Err(); err != nil {
			return e.fail(ctx, r, "scan", err)
		}
		m, yerr := sc.s.ScanString(ctx, l.Text, l.Index)
		t = lap(&r.Timings.YARAMS, t)
		if yerr != nil {
			return e.fail(ctx, r, "yara", yerr)
		}
		for _, x := range m {
			if key := x.Namespace + ":" + x.Rule; !seenRule[key] {
				seenRule[key] = true
				r.YARA = append(r.YARA, x)
			}
		}

		for _, h := range e.opt.Catalog.Scan(l.Text, l.Language, l.Index) {
			if !seenInd[h.ID] {
				seenInd[h.ID] = true
				r.Indicators = append(r.Indicators, h)
			}
		}
		t = lap(&r.Timings.IndicatorsMS, t)

		iocSets = append(iocSets, ioc.Extract(l.Text, l.Index))
		t = lap(&r.Timings.IOCMS, t)
	}
	if merged := ioc.Merge(iocSets...); merged != nil {
		r.IOCs = merged
	}
	r.Techniques = techniques(r)

	// Features and verdict.
	stage = "verdict"
	t = time.Now()
	input = e.assess(r, layers, wantInput)
	t = lap(&r.Timings.VerdictMS, t)

	// Explanation: the explainer sees the finished report, status included.
	stage = "explain"
	r.Status = StatusOK
	r.Explanation = e.explain(ctx, r)
	lap(&r.Timings.ExplainMS, t)

	if err := ctx.Err(); err != nil {
		return e.fail(ctx, r, "explain", err)
	}
	return r, input, nil
}

// assess computes r's features from its findings and the decoded layers and
// sets its verdict. It returns the model input vector when wantInput.
func (e *Engine) assess(r *Report, layers []decode.Layer, wantInput bool) map[string]float64 {
	fin := features.Input{Layers: layers, Hits: r.Indicators, YARA: r.YARA, IOCs: r.IOCs, Language: r.Language.Language}
	r.decoded = layers
	r.Features = features.Extract(fin)
	mi := modelInputs.Get().(*modelInput)
	vec := &mi.vec
	features.AppendModelVectorSites(vec, &mi.sites, fin, r.Features)
	r.Verdict = e.decide(r, *vec, &mi.sites) // keeps nothing of vec or the sites
	var input map[string]float64
	if wantInput {
		input = vec.Map()
	}
	// Recycle the arrays, unless a huge sample made them big enough to be
	// worth giving back (the sites are as many as the tokens).
	if cap(vec.Named) <= maxPooledFeatures && cap(vec.Tokens) <= maxPooledFeatures {
		clear(vec.Named) // drop the names
		vec.Named, vec.Tokens = vec.Named[:0], vec.Tokens[:0]
		modelInputs.Put(mi)
	}
	return input
}

// modelInput is assess' model input: the vector, and where its tokens are
// in the layers, which names the words behind token contributions.
type modelInput struct {
	vec   verdict.Vector
	sites features.TokenSites
}

// modelInputs recycles the model inputs of assess.
var modelInputs = sync.Pool{New: func() any { return new(modelInput) }}

// maxPooledFeatures bounds the arrays modelVectors keeps (a typical sample
// has a few hundred tokens; a big one may have 10^5).
const maxPooledFeatures = 16 << 10

// fail marks r as failed in stage, keeping its partial findings.
func (e *Engine) fail(ctx context.Context, r *Report, stage string, cause error) (*Report, map[string]float64, error) {
	var err error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(cause, context.DeadlineExceeded):
		err = fmt.Errorf("%w (%s) during %s", ErrDeadline, e.opt.Limits.SampleTimeout, stage)
	case errors.Is(cause, context.Canceled):
		err = fmt.Errorf("%s: %w", stage, cause)
	default:
		err = fmt.Errorf("%w: %s: %v", ErrInternal, stage, cause)
	}
	r.Status, r.Reason = StatusError, err.Error()
	if len(r.Indicators)+len(r.YARA) > 0 {
		r.Verdict = e.rulesVerdict(r)
	}
	return r, nil, err
}

func (e *Engine) scanner() (*pooledScanner, error) {
	rules := e.opt.Rules.Get()
	for {
		v, _ := e.scanners.Get().(*pooledScanner)
		if v == nil {
			break
		}
		if v.rules == rules {
			return v, nil
		}
		v.s.Close() // built for rules that were reloaded since
	}
	s, err := rules.NewScanner()
	if err != nil {
		return nil, err
	}
	return &pooledScanner{rules: rules, s: s}, nil
}

// techniques lists the ATT&CK techniques named by indicator hits and YARA
// matches, each with the ids of the findings behind it.
func techniques(r *Report) []Technique {
	ev := map[string][]string{}
	add := func(id, finding string) {
		for _, e := range ev[id] {
			if e == finding {
				return
			}
		}
		ev[id] = append(ev[id], finding)
	}
	for _, h := range r.Indicators {
		for _, id := range h.Techniques {
			add(id, h.ID)
		}
	}
	for _, m := range r.YARA {
		for _, id := range m.Techniques {
			add(id, "yara:"+m.Rule)
		}
	}
	out := make([]Technique, 0, len(ev))
	for id, evidence := range ev {
		t := Technique{ID: id, Evidence: evidence}
		if at, ok := attack.Lookup(id); ok {
			t.Name, t.Tactics = at.Name, at.Tactics
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

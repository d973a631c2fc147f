package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/singleflight"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

// SourcePrefix starts the Explanation.Source of LLM explanations
// ("llm:<model>"). A fallback keeps the offline source and adds the reason:
// "offline (llm: <reason>)".
const SourcePrefix = "llm:"

// Explainer explains reports with an LLM, validates the answers, and falls
// back to the offline explainer. It is safe for concurrent use; the
// concurrency limit, breaker and cache are shared by all callers.
type Explainer struct {
	opt     Options
	log     *slog.Logger
	client  *openai.Client
	offline analysis.Explainer
	cache   Cache
	breaker *breaker
	sem     chan struct{}
	flight  singleflight.Group
	format  atomic.Int32 // response format in use (formatSchema...)

	calls       atomic.Int64 // HTTP attempts made
	inflight    atomic.Int64
	maxInflight atomic.Int64
}

var _ analysis.Explainer = (*Explainer)(nil)

// New validates opt and returns an explainer.
func New(opt Options) (*Explainer, error) {
	opt.setDefaults()
	if err := opt.validate(); err != nil {
		return nil, fmt.Errorf("llm explainer: %w", err)
	}
	hc := opt.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	cc := openai.DefaultConfig(opt.APIKey)
	cc.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	cc.HTTPClient = doer{hc}
	e := &Explainer{
		opt:     opt,
		log:     opt.Logger.With("component", "llm", "model", opt.Model),
		client:  openai.NewClientWithConfig(cc),
		offline: opt.Offline,
		cache:   opt.Cache,
		breaker: newBreaker(opt.BreakerFailures, opt.BreakerCooldown, time.Now),
		sem:     make(chan struct{}, opt.Concurrency),
	}
	if e.offline == nil {
		e.offline = explain.NewOffline(nil)
	}
	if e.cache == nil {
		e.cache = NewLRU(opt.CacheEntries, 0)
	}
	return e, nil
}

// Result is everything an LLM explanation yields, checked.
type Result struct {
	// Explanation is the LLM's validated explanation, or the offline one
	// when Fallback is set.
	Explanation analysis.Explanation
	// Verdict is the report's verdict, raised by Raise when the advisory
	// label calls for it (Raised).
	Verdict analysis.Verdict
	Raised  bool
	// Advisory is the LLM's own label (Unknown without an answer).
	Advisory verdict.Label
	// Language is the LLM's reading of the language (advisory only).
	Language string
	// IOCs the answer listed that occur in the sample or a decoded layer
	// (raw values); DroppedIOCs counts the listed or mentioned ones that
	// did not and were removed.
	IOCs        []string
	DroppedIOCs int
	// Techniques the answer named that the report's evidence supports;
	// Unverified the ones it does not (never stated in the text).
	Techniques []string
	Unverified []string
	// DroppedClaims counts behaviours removed for lack of evidence.
	DroppedClaims int
	// Injection lists the report's prompt-injection findings, restated in
	// the explanation.
	Injection []string
	// Chunks is the number of parts a long script was read in (0: one prompt).
	Chunks int
	// Cached: the answer came from the cache.
	Cached bool
	// Fallback says why the offline explanation stands ("" when the LLM's does).
	Fallback string
}

// Stats are counters for monitoring and tests.
type Stats struct {
	Calls       int64 // HTTP attempts made
	MaxInflight int64 // most attempts seen in flight at once
	BreakerOpen bool
}

// Stats returns the explainer's counters.
func (e *Explainer) Stats() Stats {
	return Stats{Calls: e.calls.Load(), MaxInflight: e.maxInflight.Load(), BreakerOpen: e.breaker.open()}
}

// Name names the explainer as a sidecar slow stage.
func (e *Explainer) Name() string { return "llm" }

// Explain implements analysis.Explainer: the LLM's validated explanation,
// or the offline one with the reason in its Source. It leaves r unchanged
// (the verdict is raised only by Enrich). When ctx has a deadline, the LLM
// gets all but a small margin of it, so the offline explanation can still
// be written in time.
func (e *Explainer) Explain(ctx context.Context, r *analysis.Report) (analysis.Explanation, error) {
	if r == nil {
		return analysis.Explanation{}, errors.New("llm explain: nil report")
	}
	res, err := e.Run(ctx, r)
	return res.Explanation, err
}

// Enrich is Run, applied to r: r.Explanation becomes the result's
// explanation and r.Verdict its (possibly raised) verdict. Indicators, IOCs
// and everything else are left as they are.
func (e *Explainer) Enrich(ctx context.Context, r *analysis.Report) (Result, error) {
	if r == nil {
		return Result{}, errors.New("llm enrich: nil report")
	}
	res, err := e.Run(ctx, r)
	if err != nil {
		return res, err
	}
	r.Explanation = res.Explanation
	r.Verdict = res.Verdict
	return res, nil
}

// EnrichReport is Enrich for the engine (analysis.Enricher): the engine
// calls it in place of Explain, so the LLM's advisory label can raise the
// verdict. Every LLM failure leaves the offline explanation in r.
func (e *Explainer) EnrichReport(ctx context.Context, r *analysis.Report) error {
	_, err := e.Enrich(ctx, r)
	return err
}

var _ analysis.Enricher = (*Explainer)(nil)

// Process is Enrich for the sidecar's slow pool. The record is enriched in
// every case; the error reports a fallback so that it is counted.
func (e *Explainer) Process(ctx context.Context, r *analysis.Report) error {
	res, err := e.Enrich(ctx, r)
	if err != nil {
		return err
	}
	if res.Fallback != "" {
		return fmt.Errorf("llm: offline explanation kept: %s", res.Fallback)
	}
	return nil
}

// Run explains r without changing it. The error is non-nil only when r is
// nil or the offline explainer fails; every LLM failure yields the offline
// explanation with Fallback set.
func (e *Explainer) Run(ctx context.Context, r *analysis.Report) (Result, error) {
	if r == nil {
		return Result{}, errors.New("llm: nil report")
	}
	off, err := e.offline.Explain(ctx, r)
	if err != nil {
		return Result{}, err
	}
	fallback := func(reason string) Result {
		x := off
		x.Source = off.Source + " (llm: " + reason + ")"
		return Result{Explanation: x, Verdict: r.Verdict, Fallback: reason}
	}
	if r.Status != analysis.StatusOK {
		return fallback("not analysed"), nil
	}
	lctx, cancel := reserve(ctx)
	defer cancel()

	script := ""
	if e.opt.Script != nil {
		if s, err := e.opt.Script.Script(lctx, r); err == nil {
			script = s
		} else {
			e.log.Debug("no script text for the prompt", "sha256", r.Sample.SHA256, "err", err)
		}
	}
	a, chunks, cached, err := e.answer(lctx, r, script)
	if err != nil {
		reason := Reason(err)
		e.log.Warn("llm explanation failed; offline explanation kept", "sha256", r.Sample.SHA256, "reason", reason, "err", err)
		return fallback(reason), nil
	}
	res, err := e.bind(r, a, script)
	if err != nil {
		e.log.Warn("llm answer rejected; offline explanation kept", "sha256", r.Sample.SHA256, "err", err)
		return fallback(Reason(err)), nil
	}
	res.Chunks, res.Cached = chunks, cached
	if res.DroppedIOCs > 0 || len(res.Unverified) > 0 || res.DroppedClaims > 0 {
		e.log.Info("llm answer trimmed", "sha256", r.Sample.SHA256, "dropped_iocs", res.DroppedIOCs,
			"unverified_techniques", len(res.Unverified), "dropped_claims", res.DroppedClaims)
	}
	if !cached && r.Sample.SHA256 != "" {
		e.cache.Put(ctx, CacheKey(r.Sample.SHA256, e.opt.Model, "explain"), a.marshal())
	}
	return res, nil
}

// reserve returns a context that ends a little before ctx's deadline, so
// that a fallback can still be written in time.
func reserve(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	margin := min(max(time.Until(dl)/10, 20*time.Millisecond), 500*time.Millisecond)
	return context.WithDeadline(ctx, dl.Add(-margin))
}

// Reason maps an error to the short, fixed reason shown in a fallback's
// Source (no server or sample text).
func Reason(err error) string {
	var se *StatusError
	switch {
	case errors.Is(err, ErrCircuitOpen):
		return "circuit open"
	case errors.Is(err, ErrTruncated):
		return "truncated answer"
	case errors.Is(err, ErrInvalidAnswer):
		return "invalid answer"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, errAttemptTimeout):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &se):
		if se.Code == http.StatusTooManyRequests {
			return "rate limited"
		}
		return fmt.Sprintf("http %d", se.Code)
	}
	return "unavailable"
}

// answer returns the schema-valid answer for r: from the cache, or from
// one request when the script fits the context, or by map-reduce.
func (e *Explainer) answer(ctx context.Context, r *analysis.Report, script string) (a answer, chunks int, cached bool, err error) {
	key := ""
	if r.Sample.SHA256 != "" {
		key = CacheKey(r.Sample.SHA256, e.opt.Model, "explain")
		if b, ok := e.cache.Get(ctx, key); ok {
			if a, err := parseAnswer(string(b)); err == nil {
				return a, 0, true, nil
			}
		}
	}
	type out struct {
		a      answer
		chunks int
	}
	do := func() (any, error) {
		a, n, err := e.fresh(ctx, r, script)
		return out{a, n}, err
	}
	var v any
	if key == "" {
		v, err = do()
	} else {
		v, err, _ = e.flight.Do(key, do)
	}
	if err != nil {
		return answer{}, 0, false, err
	}
	o := v.(out)
	return o.a, o.chunks, false, nil
}

// budget is how the context window is shared for one kind of request.
type budget struct {
	evidence int // bytes of untrusted evidence (excerpts, IOCs, layers)
	data     int // bytes of script (or notes) per request
}

// budgetFor shares the context between the system prompt, the findings,
// the evidence, the data and the answer.
func (e *Explainer) budgetFor(system string, findings, maxTokens int) budget {
	free := e.opt.ContextTokens - maxTokens - tokens(len(system)) - tokens(findings) - slackTokens
	freeBytes := max(0, free*bytesPerToken)
	ev := min(freeBytes/4, maxLayersBytes+8<<10)
	return budget{evidence: ev, data: max(minScriptBytes, freeBytes-ev)}
}

// mapTokens is the answer budget of one map or merge request.
func (e *Explainer) mapTokens() int { return max(256, e.opt.MaxTokens/2) }

// fresh asks the LLM for an answer.
func (e *Explainer) fresh(ctx context.Context, r *analysis.Report, script string) (answer, int, error) {
	p := newPrompt(r, 0) // findings only, to size the budget
	bud := e.budgetFor(systemExplain, len(p.findings), e.opt.MaxTokens)
	p = newPrompt(r, bud.evidence)
	text := neutralize(script)
	if len(text) <= bud.data {
		data := ""
		if text != "" {
			data = fmt.Sprintf("[script, %d bytes]\n%s", len(script), text)
		} else {
			data = "[the original script text is not available; use the excerpts and decoded layers]\n"
		}
		a, err := e.ask(ctx, request{kind: "explain", system: p.system(systemExplain),
			user: p.user(data, "Answer with the JSON object only."), maxTokens: e.opt.MaxTokens})
		return a, 0, err
	}
	notes, n, err := e.notes(ctx, r, p, text)
	if err != nil {
		return answer{}, n, err
	}
	a, err := e.reduce(ctx, p, notes, n, bud)
	return a, n, err
}

// notes runs the map step over the chunks of the (neutralized) script text.
// The notes are cached by sample, so Label reuses them.
func (e *Explainer) notes(ctx context.Context, r *analysis.Report, p prompt, text string) ([]answer, int, error) {
	key := ""
	if r.Sample.SHA256 != "" {
		key = CacheKey(r.Sample.SHA256, e.opt.Model, "notes")
		if b, ok := e.cache.Get(ctx, key); ok {
			var ns []answer
			if json.Unmarshal(b, &ns) == nil && len(ns) > 0 {
				return ns, len(ns), nil
			}
		}
	}
	mp := prompt{token: p.token, findings: p.findings} // excerpts and layers go to the reduce step
	bud := e.budgetFor(systemNotes, len(mp.findings), e.mapTokens())
	parts := chunk(text, bud.data-128)
	idx := pick(parts, e.opt.MaxChunks)
	omitted := ""
	if len(idx) < len(parts) {
		omitted = fmt.Sprintf(" (%d of the %d parts are read; the others are left out)", len(idx), len(parts))
	}
	out := make([]answer, len(idx))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.opt.Concurrency)
	for k, i := range idx {
		g.Go(func() error {
			data := fmt.Sprintf("[script part %d of %d%s]\n%s", i+1, len(parts), omitted, parts[i])
			a, err := e.ask(gctx, request{kind: "map", system: mp.system(systemNotes),
				user: mp.user(data, "Answer with the JSON object only."), maxTokens: e.mapTokens()})
			if err != nil {
				return fmt.Errorf("part %d of %d: %w", i+1, len(parts), err)
			}
			out[k] = a
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, len(idx), err
	}
	if key != "" {
		if b, err := json.Marshal(out); err == nil {
			e.cache.Put(ctx, key, b)
		}
	}
	return out, len(idx), nil
}

// reduce merges notes until they fit one request, then asks for the final
// answer. Each merge round at least halves the notes.
func (e *Explainer) reduce(ctx context.Context, p prompt, notes []answer, total int, bud budget) (answer, error) {
	for round := 0; ; round++ {
		each := max(256, bud.data/max(2, min(len(notes), 8)))
		all := notesText(notes, 0, len(notes), each)
		if len(all) <= bud.data || len(notes) == 1 {
			data := fmt.Sprintf("[the script was too long for one reading: notes on its %d parts follow]\n%s", total, clip(all, bud.data))
			return e.ask(ctx, request{kind: "reduce", system: p.system(systemExplain),
				user: p.user(data, "Write the answer for the whole script. Answer with the JSON object only."), maxTokens: e.opt.MaxTokens})
		}
		// Group notes so that each group fits one merge request.
		mp := prompt{token: p.token, findings: p.findings}
		mb := e.budgetFor(systemNotes, len(mp.findings), e.mapTokens())
		per := max(2, mb.data/max(1, each))
		var groups [][]answer
		for i := 0; i < len(notes); i += per {
			groups = append(groups, notes[i:min(len(notes), i+per)])
		}
		merged := make([]answer, len(groups))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(e.opt.Concurrency)
		for k, grp := range groups {
			g.Go(func() error {
				data := fmt.Sprintf("[notes on parts %d to %d of %d; merge them into notes on these parts]\n%s",
					k*per+1, k*per+len(grp), len(notes), clip(notesText(grp, k*per, len(notes), mb.data/len(grp)), mb.data))
				a, err := e.ask(gctx, request{kind: "merge", system: mp.system(systemNotes),
					user: mp.user(data, "Answer with the JSON object only."), maxTokens: e.mapTokens()})
				merged[k] = a
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return answer{}, err
		}
		notes = merged
	}
}

// ask makes one request for an answer: the strict schema, one retry with a
// larger token budget when the answer was cut at the limit, and parsing.
func (e *Explainer) ask(ctx context.Context, q request) (answer, error) {
	q.schemaName, q.schema, q.temperature = "script_explanation", json.RawMessage(answerSchema), e.opt.Temperature
	rep, err := e.completeWhole(ctx, q)
	if err != nil {
		return answer{}, err
	}
	return parseAnswer(rep.content)
}

// completeWhole is complete with one retry at twice the token budget when
// the answer was truncated.
func (e *Explainer) completeWhole(ctx context.Context, q request) (reply, error) {
	rep, err := e.complete(ctx, q)
	if err != nil {
		return reply{}, err
	}
	if rep.finish == string(openai.FinishReasonLength) {
		q.maxTokens = min(q.maxTokens*2, max(q.maxTokens, e.opt.ContextTokens/2))
		e.log.Debug("llm answer truncated; asking again with more tokens", "kind", q.kind, "max_tokens", q.maxTokens)
		if rep, err = e.complete(ctx, q); err != nil {
			return reply{}, err
		}
		if rep.finish == string(openai.FinishReasonLength) {
			return reply{}, fmt.Errorf("llm %s: %w at %d tokens", q.kind, ErrTruncated, q.maxTokens)
		}
	}
	return rep, nil
}

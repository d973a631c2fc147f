package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/intake"
	"github.com/automaldesc/automaldesc/internal/safetext"
	"github.com/automaldesc/automaldesc/sidecar/watch"
	"github.com/automaldesc/automaldesc/store"
)

// Engine is what the sidecar needs of analysis.Engine. Analyze and Reject
// may be called concurrently.
type Engine interface {
	Analyze(ctx context.Context, s analysis.Sample) (*analysis.Report, error)
	Reject(s analysis.Sample, st analysis.Status, reason string) *analysis.Report
	Info() analysis.EngineInfo
}

var _ Engine = (*analysis.Engine)(nil)

// SlowStage is a stage that may take long or wait on the network (the LLM
// explainer). It never runs before a record is stored: the updater
// (update.go) runs it on stored reports and stores its work as an update
// record. Process may be called concurrently; it may enrich the report
// (explanation, a raised verdict) but must not change its identity (id,
// sample). An error means "try again" (a few times, then the original
// record stands): no alert is held hostage to a slow stage.
type SlowStage interface {
	Name() string
	Process(ctx context.Context, r *analysis.Report) error
}

// job is one analysed item on its way to the store.
type job struct {
	item   store.Item
	report *analysis.Report
	dupOf  string
	staged string // staged file to remove once the record is stored
	fresh  bool   // analysed now (not a duplicate or reject): timings count
}

// pool leases items from the store and turns them into records with a CPU
// pool of analysis workers (slow stages run later, on stored records:
// update.go).
type pool struct {
	st          store.Store
	eng         Engine
	log         *slog.Logger
	m           *sidecarMetrics
	maxSize     int64
	lease       time.Duration
	batch       int
	workers     int
	maxAttempts int
	staging     string
	wake        <-chan struct{}
	recorded    func()                   // a record was stored
	hints       Hints                    // nil = no scanner hints
	hintWait    map[string]time.Duration // folder -> hint wait
	mailFolders map[string]bool          // folders of e-mail messages (format amavis; see mail.go)
}

// run leases and processes items until ctx ends; analyses in progress
// then finish unless hard ends too (their items are left leased and are
// redone after a restart). Items leased but not started are dropped (their
// lease expires).
func (p *pool) run(ctx, hard context.Context) error {
	items := make(chan store.Item, p.workers)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.leaser(ctx, items)
	}()
	var workers sync.WaitGroup
	for range p.workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case it := <-items:
					p.process(hard, it)
				}
			}
		}()
	}
	workers.Wait()
	wg.Wait()
	return nil
}

// leaser leases small batches and blocks on handing them to the workers:
// at most batch + workers items are held in memory however long the
// queue is.
func (p *pool) leaser(ctx context.Context, out chan<- store.Item) {
	poll := time.NewTicker(500 * time.Millisecond)
	defer poll.Stop()
	for {
		items, err := p.st.Lease(ctx, p.batch, p.lease)
		if err != nil && ctx.Err() == nil {
			p.m.errors.Inc("lease")
			p.log.Error("lease", "err", err)
		}
		for _, it := range items {
			select {
			case out <- it:
			case <-ctx.Done():
				return
			}
		}
		if len(items) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-poll.C:
		}
	}
}

// process analyses one item and completes it. A panic is fenced into an
// error record.
func (p *pool) process(ctx context.Context, it store.Item) {
	j := job{item: it}
	func() {
		defer func() {
			if r := recover(); r != nil {
				p.log.Error("panic while processing item", "item", it.ID, "panic", r, "stack", string(debug.Stack()))
				p.m.errors.Inc("panic")
				j.report = p.eng.Reject(p.sample(it), analysis.StatusError, fmt.Sprintf("internal error: %v", r))
				j.dupOf = ""
			}
		}()
		p.analyze(ctx, &j)
	}()
	if j.report == nil {
		return // shutting down: the item stays leased and is redone
	}
	p.complete(ctx, j)
}

func (p *pool) sample(it store.Item) analysis.Sample {
	orig := it.Meta[watch.MetaOrigPath]
	if orig == "" {
		orig = it.Path
	}
	return analysis.Sample{Name: it.Name, Path: orig, Source: it.Source, Signature: it.Signature}
}

func (p *pool) analyze(ctx context.Context, j *job) {
	it := j.item
	s := p.sample(it)
	mode := it.Meta[watch.MetaMode]
	if it.Attempts > p.maxAttempts {
		p.m.errors.Inc("attempts")
		j.report = p.eng.Reject(s, analysis.StatusError, fmt.Sprintf("gave up after %d attempts (analysis kept failing or the process kept stopping)", it.Attempts-1))
		j.staged = p.stagedPath(it, mode)
		return
	}
	if mode == watch.ModeReject {
		st := analysis.Status(it.Meta[watch.MetaRejectStatus])
		if st != analysis.StatusSkipped {
			st = analysis.StatusError
		}
		j.report = p.eng.Reject(s, st, it.Meta[watch.MetaRejectReason])
		return
	}
	target := it.Path
	if staged := p.stagedPath(it, mode); staged != "" {
		j.staged = staged
		var reason string
		target, reason = p.locate(it, staged, s.Path)
		if reason != "" {
			j.report = p.eng.Reject(s, analysis.StatusSkipped, reason)
			return
		}
	}
	fi, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		j.report = p.eng.Reject(s, analysis.StatusSkipped, "file removed before it could be analysed")
		return
	case err != nil:
		j.report = p.eng.Reject(s, analysis.StatusError, fmt.Sprintf("stat: %v", unwrapPath(err)))
		return
	case !fi.Mode().IsRegular():
		j.report = p.eng.Reject(s, analysis.StatusSkipped, fmt.Sprintf("%v (%s); never opened", intake.ErrNotRegular, fi.Mode().Type()))
		return
	}
	if p.mailFolders[it.Meta[watch.MetaFolder]] {
		p.expandMail(ctx, j, target, s)
		return
	}
	data, err := intake.ReadFile(target, p.maxSize)
	data.Name, data.Path, data.Source, data.Signature = s.Name, s.Path, s.Source, s.Signature
	var rej *intake.Rejection
	if errors.As(err, &rej) {
		j.report = p.eng.Reject(data, rej.Status, rej.Reason)
		return
	}
	if data.Hashes == nil {
		h := analysis.HashBytes(data.Data)
		data.Hashes = &h
	}
	p.applyHint(ctx, j, &data)
	if rep, dupOf, ok := p.dedupe(ctx, data); ok {
		j.report, j.dupOf = rep, dupOf
		p.m.dedupes.Inc()
		return
	}
	rep, err := p.eng.Analyze(ctx, data)
	if err != nil && ctx.Err() != nil {
		return // shutdown cut the analysis short: redo it after restart
	}
	if err != nil {
		p.m.errors.Inc("analysis")
	}
	j.report, j.fresh = rep, true
}

// stagedPath returns the staging path of a claimed item, or "".
func (p *pool) stagedPath(it store.Item, mode string) string {
	if mode == watch.ModeClaim || (mode == "" && it.Path == watch.StagingPath(p.staging, it.ID)) {
		return it.Path
	}
	return ""
}

// locate finds the bytes of a claimed item: normally the staged file. When
// it is missing (a crash between enqueue and rename), the original is
// claimed now if it is still the same file; when that fails the original
// is read in place. reason is set when neither exists.
func (p *pool) locate(it store.Item, staged, orig string) (target, reason string) {
	if _, err := os.Lstat(staged); err == nil {
		return staged, ""
	}
	fi, err := os.Lstat(orig)
	if err != nil || !watch.SameFile(fi, it.Meta, it.Size) {
		if _, serr := os.Lstat(staged); serr == nil {
			return staged, "" // the watcher's rename landed between the two checks
		}
		return "", "file removed before it could be claimed"
	}
	if err := os.Rename(orig, staged); err != nil {
		if _, serr := os.Lstat(staged); serr == nil {
			return staged, "" // the watcher finished the claim meanwhile
		}
		if errors.Is(err, fs.ErrNotExist) {
			return "", "file removed before it could be claimed"
		}
		p.log.Warn("cannot move file into staging; analysing it in place", "path", orig, "err", err)
		return orig, ""
	}
	return staged, ""
}

// dedupe reuses the newest record of the same content when it was made by
// the same rules and model: a new report with the item's identity and the
// earlier findings.
func (p *pool) dedupe(ctx context.Context, s analysis.Sample) (*analysis.Report, string, bool) {
	prev, err := p.st.LatestBySHA256(ctx, s.Hashes.SHA256)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
			p.log.Warn("dedupe lookup", "err", err)
		}
		return nil, "", false
	}
	info := p.eng.Info()
	if prev.Status == string(analysis.StatusError) || prev.RulesVersion != info.RulesVersion || prev.ModelVersion != info.ModelVersion {
		return nil, "", false
	}
	var r analysis.Report
	if err := json.Unmarshal(prev.Report, &r); err != nil {
		return nil, "", false
	}
	r.AnalyzedAt = time.Now().UTC()
	r.Sample.Name = safetext.Escape(s.Name)
	r.Sample.Path = safetext.Escape(s.Path)
	r.Sample.Source = safetext.Escape(s.Source)
	r.Sample.Signature = safetext.Escape(s.Signature)
	r.Timings = analysis.Timings{}
	dupOf := prev.ID
	if prev.DuplicateOf != "" {
		dupOf = prev.DuplicateOf
	}
	return &r, dupOf, true
}

// complete stores the record and marks the item done in one transaction,
// then removes the staged file.
func (p *pool) complete(ctx context.Context, j job) {
	it := j.item
	j.report.ID = ItemRecordID(it.ID)
	rec, err := NewRecord(j.report, it.ID, it.Source, it.Signature)
	if err != nil {
		p.m.errors.Inc("encode")
		p.log.Error("encode record", "item", it.ID, "err", err)
		return
	}
	rec.DuplicateOf = j.dupOf
	stored, err := p.st.Complete(ctx, it.ID, rec)
	if err != nil {
		if ctx.Err() == nil {
			p.m.errors.Inc("store")
			p.log.Error("store record; the item is retried when its lease expires", "item", it.ID, "err", err)
		}
		return
	}
	if j.staged != "" {
		if err := os.Remove(j.staged); err != nil && !errors.Is(err, fs.ErrNotExist) {
			p.log.Warn("remove staged file", "path", j.staged, "err", err)
		}
	}
	p.m.processed.Inc(stored.Status)
	if j.fresh {
		p.m.observeTimings(j.report.Timings)
	}
	if ns, err := strconv.ParseInt(it.Meta[watch.MetaSeen], 10, 64); err == nil && ns > 0 {
		p.m.dropToRecord.Observe(time.Since(time.Unix(0, ns)).Seconds())
	}
	p.log.Debug("record stored", "item", it.ID, "record", stored.ID, "status", stored.Status, "label", stored.Label, "duplicate_of", stored.DuplicateOf)
	p.recorded()
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

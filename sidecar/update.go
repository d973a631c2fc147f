package sidecar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/store"
)

// Versioned is an optional capability of a SlowStage, found by type
// assertion: the version of what the stage produces (the LLM explainer's
// prompt version). It is part of the ids of the update records the stage
// makes, so a new version may update records again while a restart with
// the same version never does.
type Versioned interface {
	Version() string
}

// WithVersion gives a slow stage a Version (for stages that cannot carry
// the method themselves).
func WithVersion(s SlowStage, version string) SlowStage { return versioned{s, version} }

type versioned struct {
	SlowStage
	version string
}

func (v versioned) Version() string { return v.version }

// updateNamespace is the UUIDv5 namespace of update ids whose original
// record id is not a UUID.
var updateNamespace = uuid.MustParse("5b0e8f3a-61c2-5d47-9a1e-757064617465")

// UpdateID is the id of the update record that the slow stages tagged tag
// (see StagesTag; "llm:<prompt version>") make of the record recordID:
// UUIDv5(recordID, tag). It is a function of both alone, so a record
// updated twice (a crash after the update was stored but before the
// cursor moved) still has one update.
func UpdateID(recordID, tag string) string {
	ns, err := uuid.Parse(recordID)
	if err != nil {
		ns = uuid.NewSHA1(updateNamespace, []byte(recordID))
	}
	return uuid.NewSHA1(ns, []byte(tag)).String()
}

// StagesTag names a list of slow stages in update ids: "name:version" per
// stage (just the name when it has no Version), joined by "+".
func StagesTag(stages []SlowStage) string {
	parts := make([]string, len(stages))
	for i, s := range stages {
		parts[i] = s.Name()
		if v, ok := s.(Versioned); ok {
			parts[i] += ":" + v.Version()
		}
	}
	return strings.Join(parts, "+")
}

// Defaults of the updater.
const (
	// UpdateAttempts bounds the attempts on one record; then the
	// original record stands and the updater moves on.
	UpdateAttempts = 3
	// UpdateBackoff is the wait before the second attempt, doubled for
	// each further one.
	UpdateBackoff = time.Second
	// UpdateTimeout bounds the slow stages' work on one record (one attempt).
	UpdateTimeout = 10 * time.Minute
	// UpdateWindow: records older than this when the updater reaches them
	// are left as they are (a first start with the LLM on a full store
	// does not explain its whole history again).
	UpdateWindow = 24 * time.Hour
)

// Update outcomes (automaldesc_updates_total{outcome}).
const (
	updStored    = "stored"    // an update record was stored
	updUnchanged = "unchanged" // the stages left the report as it was
	updExists    = "exists"    // the update was stored before (restart)
	updFailed    = "failed"    // every attempt failed: the original stands
	updSkipped   = "skipped"   // not for the stages: an update, not analysed, already theirs, too old
)

// updater runs the slow stages on stored records, after the fact: it reads
// records in Seq order with its own cursor (like a sink) and stores an
// update record (Supersedes = the original's id, id = UpdateID) when the
// stages changed the explanation or raised the verdict. The original
// record is never held back or changed. Delivery is at least once and the
// update id is deterministic, so a restart never duplicates an update.
type updater struct {
	st       store.Store
	stages   []SlowStage
	tag      string // StagesTag(stages)
	cursor   string // cursor name: the stages' names joined by "+" ("llm")
	workers  int
	attempts int
	backoff  time.Duration
	timeout  time.Duration
	window   time.Duration
	batch    int
	poll     time.Duration
	now      func() time.Time
	wake     <-chan struct{} // new records may exist
	recorded func()          // an update was stored
	log      *slog.Logger
	m        *sidecarMetrics
	outcomes *metrics.Counter
}

func newUpdater(st store.Store, stages []SlowStage, workers int, wake <-chan struct{}, recorded func(),
	reg *metrics.Registry, m *sidecarMetrics, log *slog.Logger) *updater {
	names := make([]string, len(stages))
	for i, s := range stages {
		names[i] = s.Name()
	}
	u := &updater{
		st: st, stages: stages, tag: StagesTag(stages), cursor: strings.Join(names, "+"),
		workers: max(workers, 1), attempts: UpdateAttempts, backoff: UpdateBackoff, timeout: UpdateTimeout,
		window: UpdateWindow, poll: time.Second, now: time.Now, wake: wake, recorded: recorded, log: log, m: m,
		outcomes: reg.NewCounter("automaldesc_updates_total",
			"Stored records the slow stages (LLM) worked on, by outcome (stored|unchanged|exists|failed|skipped).", "outcome"),
	}
	u.batch = 4 * u.workers
	reg.NewGaugeFunc("automaldesc_update_lag_records", "Records stored but not yet seen by the slow stages (Seq distance).", "",
		func(ctx context.Context) map[string]float64 {
			head, err := st.ListRecords(ctx, store.Filter{Desc: true, Limit: 1})
			if err != nil || len(head) == 0 {
				return nil
			}
			cur, err := st.Cursor(ctx, u.cursor)
			if err != nil {
				return nil
			}
			return map[string]float64{"": float64(max(head[0].Seq-cur, 0))}
		})
	return u
}

// run updates records until ctx ends. Work in progress then gets until
// hard ends; records not finished keep the cursor where it was and are
// done again after a restart. It returns nil: store errors are logged and
// retried.
func (u *updater) run(ctx, hard context.Context) error {
	cur, ok := u.start(ctx)
	if !ok {
		return nil
	}
	for {
		recs, err := u.st.RecordsAfter(ctx, cur, u.batch)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			u.m.errors.Inc("update_read")
			u.log.Error("read records", "err", err)
			if !sleepCtx(ctx, u.poll) {
				return nil
			}
			continue
		}
		if len(recs) == 0 {
			t := time.NewTimer(u.poll)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-u.wake:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		if !u.batchDone(ctx, hard, recs) {
			return nil // shut down midway: the batch is redone after a restart
		}
		cur = recs[len(recs)-1].Seq
		if err := u.st.SetCursor(hard, u.cursor, cur); err != nil {
			// The updates are stored; a restart redoes the batch and finds them.
			u.m.errors.Inc("update_cursor")
			u.log.Warn("store cursor", "cursor", u.cursor, "seq", cur, "err", err)
		}
	}
}

// start returns the cursor to read after. A cursor never stored starts at
// the first record of the update window, so a first start on a full store
// skips its history without reading it.
func (u *updater) start(ctx context.Context) (int64, bool) {
	for {
		cur, err := u.st.Cursor(ctx, u.cursor)
		if err == nil && cur == 0 {
			var first []store.Record
			first, err = u.st.ListRecords(ctx, store.Filter{Since: u.now().Add(-u.window), Limit: 1})
			if err == nil && len(first) > 0 {
				cur = first[0].Seq - 1
			}
		}
		if err == nil {
			u.log.Info("slow stages follow the records", "stages", u.tag, "after_seq", cur)
			return cur, true
		}
		if ctx.Err() != nil {
			return 0, false
		}
		u.log.Error("read cursor", "cursor", u.cursor, "err", err)
		if !sleepCtx(ctx, u.poll) {
			return 0, false
		}
	}
}

// batchDone updates the records of one batch, workers at a time, and
// reports whether all of them were finished (not cut short by shutdown).
func (u *updater) batchDone(ctx, hard context.Context, recs []store.Record) bool {
	sem := make(chan struct{}, u.workers)
	var (
		wg          sync.WaitGroup
		mu          sync.Mutex
		interrupted bool
	)
	for _, rec := range recs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			mu.Lock()
			interrupted = true
			mu.Unlock()
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if !u.update(hard, rec) {
				mu.Lock()
				interrupted = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return !interrupted
}

// update runs the stages on one record and stores the update. It reports
// false when shutdown cut it short.
func (u *updater) update(ctx context.Context, rec store.Record) bool {
	outcome, done := u.updateOutcome(ctx, rec)
	if done {
		u.outcomes.Inc(outcome)
	}
	return done
}

func (u *updater) updateOutcome(ctx context.Context, rec store.Record) (string, bool) {
	if rec.Supersedes != "" || rec.Status != string(analysis.StatusOK) || u.now().Sub(rec.CreatedAt) > u.window {
		return updSkipped, true
	}
	id := UpdateID(rec.ID, u.tag)
	if _, err := u.st.GetRecord(ctx, id); err == nil {
		return updExists, true
	} else if ctx.Err() != nil {
		return "", false
	}
	for attempt := 1; ; attempt++ {
		orig, err := DecodeReport(rec)
		if err != nil {
			u.m.errors.Inc("update_decode")
			u.log.Error("record cannot be decoded; not updated", "record", rec.ID, "err", err)
			return updFailed, true
		}
		if u.theirs(orig) {
			return updSkipped, true
		}
		rep, err := DecodeReport(rec)
		if err != nil {
			return updFailed, true
		}
		stageErr := u.apply(ctx, rep)
		if ctx.Err() != nil {
			return "", false
		}
		last := attempt >= u.attempts
		changed := keepIdentity(orig, rep)
		if changed && (stageErr == nil || last) {
			rep.ID = id
			upd, err := NewRecord(rep, rec.ItemID, rec.Source, rec.Signature)
			if err == nil {
				upd.DuplicateOf, upd.Supersedes = rec.DuplicateOf, rec.ID
				var stored store.Record
				if stored, err = u.st.PutRecord(ctx, upd); err == nil {
					u.log.Debug("update stored", "record", rec.ID, "update", stored.ID, "seq", stored.Seq,
						"label", stored.Label, "source", rep.Explanation.Source)
					u.recorded()
					return updStored, true
				}
			}
			if ctx.Err() != nil {
				return "", false
			}
			u.m.errors.Inc("update_store")
			stageErr = fmt.Errorf("store update: %w", err)
		}
		if stageErr == nil {
			return updUnchanged, true
		}
		if last {
			u.m.errors.Inc("slow_stage")
			u.log.Warn("slow stages failed; the original record stands", "record", rec.ID, "attempts", attempt, "err", stageErr)
			return updFailed, true
		}
		u.log.Debug("slow stages failed; retrying", "record", rec.ID, "attempt", attempt, "err", stageErr)
		if !sleepCtx(ctx, u.backoff<<(attempt-1)) {
			return "", false
		}
	}
}

// theirs reports whether the report's explanation already comes from the
// stages ("llm:<model>" for the stage "llm").
func (u *updater) theirs(r *analysis.Report) bool {
	for _, s := range u.stages {
		if !strings.HasPrefix(r.Explanation.Source, s.Name()+":") {
			return false
		}
	}
	return true
}

// apply runs every stage on r, each under UpdateTimeout and a panic fence,
// and returns their errors joined. A stage that fails leaves r as it found
// it: an LLM that fell back to the offline explanation changes nothing.
func (u *updater) apply(ctx context.Context, r *analysis.Report) error {
	var errs []error
	for _, st := range u.stages {
		t := time.Now()
		before := *r // stages replace fields (explanation, verdict); they do not edit them in place
		err := func() (err error) {
			sctx, cancel := context.WithTimeout(ctx, u.timeout)
			defer cancel()
			defer func() {
				if p := recover(); p != nil {
					u.m.errors.Inc("panic")
					u.log.Error("panic in slow stage", "stage", st.Name(), "panic", p, "stack", string(debug.Stack()))
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			return st.Process(sctx, r)
		}()
		u.m.stage.Observe(time.Since(t).Seconds(), st.Name())
		if err != nil {
			*r = before
			errs = append(errs, fmt.Errorf("stage %s: %w", st.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// keepIdentity undoes what a stage must not change (the sample, a lowered
// verdict, the findings) and reports whether the explanation changed or
// the verdict was raised.
func keepIdentity(orig, r *analysis.Report) bool {
	r.ID, r.Sample, r.Status, r.Language = orig.ID, orig.Sample, orig.Status, orig.Language
	r.Indicators, r.YARA, r.IOCs, r.Techniques = orig.Indicators, orig.YARA, orig.IOCs, orig.Techniques
	if labelRank(r.Verdict.Label) < labelRank(orig.Verdict.Label) {
		r.Verdict = orig.Verdict
	}
	raised := labelRank(r.Verdict.Label) > labelRank(orig.Verdict.Label)
	return raised || (r.Explanation.Summary != "" && r.Explanation.Summary != orig.Explanation.Summary)
}

// labelRank orders labels by severity (Unknown above Benign), as the
// engine does when an explainer tries to change the verdict.
func labelRank(l verdict.Label) int {
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

// sleepCtx waits d or until ctx ends; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/intake"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/sidecar/queue"
	"github.com/automaldesc/automaldesc/sidecar/watch"
	"github.com/automaldesc/automaldesc/store"
)

// Scale-out (Options.Queue set): the store's queue is not used. Intake
// keeps the claim protocol of the package doc with the staging directory
// as its durable log: Enqueue writes staging/<id>.claim (the item's
// metadata, written to a temporary file and renamed), the watcher renames
// the file to staging/<id>, and the publisher reads it, publishes the
// envelope, waits for the server's acknowledgement, then removes
// staging/<id> and its claim. A crash anywhere before the removal leaves
// the claim behind and it is published again at startup (the server drops
// the republication as a duplicate, or the worker stores the same record
// id); a staged file without a claim (power loss before the claim reached
// the disk) is published as "recovered". Workers consume envelopes, store
// the record with PutRecord under ItemRecordID(claim id) - deterministic,
// so a redelivery after a crash yields the same single record - publish
// its alert, and only then acknowledge.

// claimSuffix marks a claim file in the staging directory.
const claimSuffix = ".claim"

// claimYoung is how long the publisher leaves a claim whose staged file
// is missing to the watcher that is about to rename it.
const claimYoung = 2 * time.Second

// roles says what this process runs: without a queue both halves, as one
// host always did.
func roles(cfg config.Config, q queue.Queue) (intake, worker bool) {
	if q == nil {
		return true, true
	}
	switch cfg.Watch.Role {
	case config.RoleIntake:
		return true, false
	case config.RoleWorker:
		return false, true
	}
	return true, true
}

// publisher is the intake half of scale-out: the watcher's Queue, and the
// loop that publishes claims.
type publisher struct {
	q         queue.Queue
	staging   string // absolute
	shared    string // "" = samples above inlineMax are skipped
	inlineMax int64
	maxSize   int64
	host      string
	log       *slog.Logger
	errs      *metrics.Counter
	published *metrics.Counter
	wake      chan struct{}
	workers   int
	hintWait  map[string]time.Duration // folder -> hint wait, for the workers
}

var _ watch.Queue = (*publisher)(nil)

func newPublisher(cfg config.Config, q queue.Queue, reg *metrics.Registry, m *sidecarMetrics, log *slog.Logger) (*publisher, error) {
	staging, err := filepath.Abs(cfg.Watch.Staging)
	if err != nil {
		return nil, fmt.Errorf("staging %s: %w", cfg.Watch.Staging, err)
	}
	host, _ := os.Hostname()
	p := &publisher{q: q, staging: staging, shared: cfg.Queue.SharedDir, inlineMax: int64(cfg.Queue.InlineMax),
		maxSize: int64(cfg.Limits.MaxFileSize), host: host, log: log, errs: m.errors,
		published: reg.NewCounter("automaldesc_queue_published_total", "Claims published to the work queue, by how the bytes travel.", "via"),
		wake:      make(chan struct{}, 1), workers: 4, hintWait: hintWaits(cfg.Watch.Folders)}
	if p.shared != "" {
		if err := os.MkdirAll(p.shared, 0o750); err != nil {
			return nil, fmt.Errorf("queue.shared_dir %s: %w", p.shared, err)
		}
	}
	return p, nil
}

// Enqueue records a claim durably; idempotent by item id.
func (p *publisher) Enqueue(_ context.Context, it store.Item) (bool, error) {
	if err := it.Validate(); err != nil {
		return false, err
	}
	if _, err := uuid.Parse(it.ID); err != nil {
		return false, fmt.Errorf("claim %s: not a UUID: %w", it.ID, store.ErrInvalid)
	}
	path := filepath.Join(p.staging, it.ID+claimSuffix)
	if _, err := os.Lstat(path); err == nil {
		return false, nil
	}
	if it.ClaimedAt.IsZero() {
		it.ClaimedAt = time.Now().UTC()
	}
	b, err := json.Marshal(it)
	if err != nil {
		return false, fmt.Errorf("claim %s: encode: %w", it.ID, err)
	}
	if err := writeAtomic(p.staging, path, b, false); err != nil {
		return false, fmt.Errorf("claim %s: %w", it.ID, err)
	}
	return true, nil
}

// notify wakes the publish loop; it never blocks.
func (p *publisher) notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// writeAtomic writes b to path through a temporary file in dir.
func writeAtomic(dir, path string, b []byte, sync bool) error {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// run publishes claims until ctx ends: everything left by an earlier run
// first, then whatever the watcher claims.
func (p *publisher) run(ctx context.Context) error {
	if err := p.recover(); err != nil {
		return err
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for all := true; ; all = false {
		p.scan(ctx, all)
		select {
		case <-ctx.Done():
			return nil
		case <-p.wake:
		case <-tick.C:
		}
	}
}

// recover removes temporary files of an interrupted write and gives every
// staged file without a claim one ("recovered", like recoverState).
func (p *publisher) recover() error {
	entries, err := os.ReadDir(p.staging)
	if err != nil {
		return fmt.Errorf("staging %s: %w", p.staging, err)
	}
	claims := map[string]bool{}
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), claimSuffix); ok {
			claims[id] = true
		}
	}
	adopted := 0
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, ".tmp-"):
			os.Remove(filepath.Join(p.staging, name))
			continue
		case strings.HasSuffix(name, claimSuffix) || claims[name]:
			continue
		}
		if _, err := uuid.Parse(name); err != nil || e.IsDir() {
			p.log.Warn("unexpected entry in staging; left alone", "name", name)
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		path := filepath.Join(p.staging, name)
		if _, err := p.Enqueue(context.Background(), store.Item{ID: name, Path: path, Name: name, Source: "recovered",
			Size: fi.Size(), Meta: map[string]string{watch.MetaMode: watch.ModeClaim, watch.MetaOrigPath: path}}); err != nil {
			return fmt.Errorf("recover staged %s: %w", name, err)
		}
		adopted++
	}
	if adopted > 0 {
		p.log.Info("staged files without a claim are published as recovered", "files", adopted)
	}
	return nil
}

// scan publishes every claim in staging on a few goroutines; all includes
// claims whose staged file is still missing however young.
func (p *publisher) scan(ctx context.Context, all bool) {
	entries, err := os.ReadDir(p.staging)
	if err != nil {
		p.errs.Inc("staging")
		p.log.Error("read staging", "err", err)
		return
	}
	ids := make(chan string)
	var wg sync.WaitGroup
	for range p.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				p.publish(ctx, id, all)
			}
		}()
	}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), claimSuffix)
		if !ok {
			continue
		}
		select {
		case ids <- id:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(ids)
	wg.Wait()
}

// publish sends one claim and removes it once the server has it.
func (p *publisher) publish(ctx context.Context, id string, all bool) {
	cpath := filepath.Join(p.staging, id+claimSuffix)
	b, err := os.ReadFile(cpath)
	if err != nil {
		return // published meanwhile
	}
	var it store.Item
	if err := json.Unmarshal(b, &it); err != nil || it.ID != id {
		p.log.Warn("unreadable claim; publishing the staged file as recovered", "claim", id, "err", err)
		it = store.Item{ID: id, Path: watch.StagingPath(p.staging, id), Name: id, Source: "recovered",
			Meta: map[string]string{watch.MetaMode: watch.ModeClaim}}
	}
	orig := it.Meta[watch.MetaOrigPath]
	if orig == "" {
		orig = it.Path
	}
	env := queue.Envelope{ClaimID: it.ID, Name: it.Name, Path: orig, Source: it.Source, Signature: it.Signature,
		Host: p.host, Meta: it.Meta, Size: it.Size, ClaimedAt: it.ClaimedAt,
		HintWaitMS: min(p.hintWait[it.Meta[watch.MetaFolder]], queue.MaxHintWait).Milliseconds()}
	staged := ""
	switch mode := it.Meta[watch.MetaMode]; mode {
	case watch.ModeReject:
		st := it.Meta[watch.MetaRejectStatus]
		if st != string(analysis.StatusSkipped) {
			st = string(analysis.StatusError)
		}
		env.Reject = &queue.Reject{Status: st, Reason: it.Meta[watch.MetaRejectReason]}
	case watch.ModeReadOnly:
		err = p.fill(&env, it.Path)
	default:
		staged = watch.StagingPath(p.staging, id)
		if _, err := os.Lstat(staged); err != nil && !all {
			if fi, err := os.Lstat(cpath); err == nil && time.Since(fi.ModTime()) < claimYoung {
				return // the watcher is renaming it right now
			}
		}
		target, reason := (&pool{log: p.log}).locate(it, staged, orig)
		if reason != "" {
			env.Reject = &queue.Reject{Status: string(analysis.StatusSkipped), Reason: reason}
			break
		}
		err = p.fill(&env, target)
	}
	if err != nil {
		p.errs.Inc("shared")
		p.log.Warn("cannot copy the sample to queue.shared_dir; the claim waits in staging and is retried", "claim", id, "err", err)
		return
	}
	via := "inline"
	switch {
	case env.Reject != nil:
		via = "reject"
	case env.Shared != "":
		via = "shared"
	case env.Oversize:
		via = "oversize"
	}
	for backoff := 250 * time.Millisecond; ; backoff = min(backoff*2, 5*time.Second) {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := p.q.Publish(pctx, env)
		cancel()
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return // the claim stays; published after the restart
		}
		if errors.Is(err, queue.ErrInvalid) {
			p.errs.Inc("publish")
			p.log.Error("claim cannot be published; left in staging", "claim", id, "err", err)
			return
		}
		p.errs.Inc("publish")
		p.log.Warn("publish failed; the claim waits in staging and is retried", "claim", id, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
	}
	p.published.Inc(via)
	if staged != "" {
		if err := os.Remove(staged); err != nil && !errors.Is(err, fs.ErrNotExist) {
			p.log.Warn("remove staged file", "path", staged, "err", err)
		}
	}
	if err := os.Remove(cpath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		p.log.Warn("remove claim", "path", cpath, "err", err)
	}
	p.log.Debug("published", "claim", id, "via", via)
}

// fill reads the bytes of target into the envelope: inline, by reference
// through the shared directory, or as a reject. An error (the shared
// directory cannot be written) is transient: the claim is retried.
func (p *publisher) fill(env *queue.Envelope, target string) error {
	s, err := intake.ReadFile(target, p.maxSize)
	var rej *intake.Rejection
	if errors.As(err, &rej) {
		env.Reject = &queue.Reject{Status: string(rej.Status), Reason: rej.Reason}
		return nil
	}
	if s.Data == nil && s.Hashes != nil {
		env.Oversize, env.Size = true, s.Size
		env.SHA256, env.SHA1, env.MD5 = s.Hashes.SHA256, s.Hashes.SHA1, s.Hashes.MD5
		return nil
	}
	h := analysis.HashBytes(s.Data)
	env.Size, env.SHA256, env.SHA1, env.MD5 = int64(len(s.Data)), h.SHA256, h.SHA1, h.MD5
	switch {
	case int64(len(s.Data)) <= p.inlineMax:
		env.Data = s.Data
	case p.shared != "":
		if err := writeAtomic(p.shared, filepath.Join(p.shared, env.ClaimID), s.Data, true); err != nil {
			return err
		}
		env.Shared = env.ClaimID
	default:
		env.Reject = &queue.Reject{Status: string(analysis.StatusSkipped),
			Reason: fmt.Sprintf("%d bytes: larger than queue.inline_max (%d) and queue.shared_dir is not set", len(s.Data), p.inlineMax)}
	}
	return nil
}

// consumer is the worker half of scale-out.
type consumer struct {
	*pool
	q          queue.Queue
	alerts     queue.Alerts // nil = no alert stream
	shared     string
	maxDeliver int
	ackWait    time.Duration
}

func newConsumer(cfg config.Config, p *pool, q queue.Queue) *consumer {
	c := &consumer{pool: p, q: q, shared: cfg.Queue.SharedDir, maxDeliver: cfg.Queue.MaxDeliver, ackWait: cfg.Queue.AckWait}
	if a, ok := q.(queue.Alerts); ok && cfg.Queue.AlertsSubject != "" {
		c.alerts = a
	}
	return c
}

// run consumes until ctx ends; messages in progress finish unless hard
// ends too (they are then redelivered).
func (c *consumer) run(ctx, hard context.Context) error {
	return c.q.Consume(ctx, c.workers, func(_ context.Context, d queue.Delivery) { c.handle(hard, d) })
}

// heartbeat keeps the message while the worker holds it.
func (c *consumer) heartbeat(d queue.Delivery) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(max(c.ackWait/3, 100*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = d.InProgress()
			}
		}
	}()
	return func() { close(done) }
}

func (c *consumer) handle(ctx context.Context, d queue.Delivery) {
	e := d.Envelope()
	recID := ItemRecordID(e.ClaimID)
	defer c.heartbeat(d)()
	if d.Attempt() > 1 {
		// A redelivery: the worker that had it may have stored the record
		// and died before the acknowledgement.
		if rec, err := c.st.GetRecord(ctx, recID); err == nil {
			c.finish(ctx, d, e, rec)
			return
		}
	}
	var (
		rep   *analysis.Report
		dupOf string
		fresh bool
		retry bool
	)
	s := analysis.Sample{Name: e.Name, Path: e.Path, Source: e.Source, Signature: e.Signature, Size: e.Size}
	if e.SHA256 != "" {
		s.Hashes = &analysis.Hashes{SHA256: e.SHA256, SHA1: e.SHA1, MD5: e.MD5}
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				c.log.Error("panic while processing claim", "claim", e.ClaimID, "panic", r, "stack", string(debug.Stack()))
				c.m.errors.Inc("panic")
				rep, dupOf, fresh = c.eng.Reject(s, analysis.StatusError, fmt.Sprintf("internal error: %v", r)), "", false
			}
		}()
		switch {
		case d.Attempt() > c.maxDeliver:
			reason := fmt.Sprintf("gave up after %d deliveries (analysis kept failing or its worker kept stopping)", d.Attempt()-1)
			c.m.errors.Inc("attempts")
			if err := d.DeadLetter(ctx, reason); err != nil {
				c.log.Error("dead letter", "claim", e.ClaimID, "err", err)
			}
			rep = c.eng.Reject(s, analysis.StatusError, reason)
		case e.Reject != nil:
			rep = c.eng.Reject(s, analysis.Status(e.Reject.Status), e.Reject.Reason)
		default:
			var reason string
			if s, reason = c.load(e, s); reason != "" {
				if e.Shared != "" && d.Attempt() < c.maxDeliver {
					// The shared directory may be unmounted on this host
					// or lag behind: let another delivery try.
					c.m.errors.Inc("shared")
					c.log.Warn("shared sample unreadable; redelivered later", "claim", e.ClaimID, "reason", reason)
					retry = true
					return
				}
				rep = c.eng.Reject(s, analysis.StatusError, reason)
				return
			}
			c.applyHint(ctx, e, &s)
			if r, dup, ok := c.dedupe(ctx, s); ok {
				rep, dupOf = r, dup
				c.m.dedupes.Inc()
				return
			}
			r, err := c.eng.Analyze(ctx, s)
			if err != nil && ctx.Err() != nil {
				return // shutdown cut it short
			}
			if err != nil {
				c.m.errors.Inc("analysis")
			}
			rep, fresh = r, true
		}
	}()
	if retry {
		_ = d.Retry(c.ackWait)
		return
	}
	if rep == nil {
		_ = d.Retry(0) // shut down midway: another worker takes it now
		return
	}
	rep.ID = recID
	rec, err := NewRecord(rep, e.ClaimID, e.Source, s.Signature)
	if err != nil {
		c.m.errors.Inc("encode")
		c.log.Error("encode record", "claim", e.ClaimID, "err", err)
		_ = d.Retry(c.ackWait)
		return
	}
	rec.DuplicateOf = dupOf
	stored, ok := c.put(ctx, d, rec)
	if !ok {
		return
	}
	if fresh {
		c.m.observeTimings(rep.Timings)
	}
	c.finish(ctx, d, e, stored)
}

// applyHint gives the sample the signature of a matching scanner hint
// (received here or by any other sidecar: hintRelay), waiting for one
// until the intake's hint wait has passed since the file was first seen.
// The heartbeat keeps the message meanwhile.
func (c *consumer) applyHint(ctx context.Context, e queue.Envelope, s *analysis.Sample) {
	if c.hints == nil || s.Hashes == nil {
		return
	}
	sig, ok := lookupHint(ctx, c.hints, e.Name, s, e.Meta, e.HintWait())
	if !ok {
		if e.HintWaitMS > 0 {
			c.log.Debug("no scanner hint for the file; analysed without a signature", "claim", e.ClaimID)
		}
		return
	}
	c.log.Debug("scanner hint matched", "claim", e.ClaimID, "signature", sig)
	s.Signature = sig
}

// load fills the sample's bytes from the envelope; reason is set when
// they cannot be had.
func (c *consumer) load(e queue.Envelope, s analysis.Sample) (analysis.Sample, string) {
	switch {
	case e.Oversize:
		return s, ""
	case e.Shared != "":
		if c.shared == "" {
			return s, "the sample travels by reference (queue.shared_dir) but this worker has no queue.shared_dir"
		}
		r, err := intake.ReadFile(filepath.Join(c.shared, e.Shared), c.maxSize)
		var rej *intake.Rejection
		if errors.As(err, &rej) {
			return s, "shared sample file: " + rej.Reason
		}
		if r.Data == nil {
			s.Size, s.Hashes = r.Size, r.Hashes
			return s, ""
		}
		s.Data = r.Data
	default:
		s.Data = e.Data
		if s.Data == nil {
			s.Data = []byte{}
		}
	}
	h := analysis.HashBytes(s.Data)
	if e.SHA256 != "" && h.SHA256 != e.SHA256 {
		return s, fmt.Sprintf("sha256 mismatch: the envelope says %s, the bytes are %s", e.SHA256, h.SHA256)
	}
	s.Hashes, s.Size = &h, int64(len(s.Data))
	return s, ""
}

// put stores the record, retrying while the store is down: the heartbeat
// keeps the message meanwhile, so an outage burns no delivery attempts.
func (c *consumer) put(ctx context.Context, d queue.Delivery, rec store.Record) (store.Record, bool) {
	for backoff := 250 * time.Millisecond; ; backoff = min(backoff*2, 5*time.Second) {
		stored, err := c.st.PutRecord(ctx, rec)
		if err == nil {
			return stored, true
		}
		if ctx.Err() != nil {
			return store.Record{}, false // redelivered after the ack wait
		}
		c.m.errors.Inc("store")
		if errors.Is(err, store.ErrInvalid) {
			c.log.Error("record refused by the store; redelivered later", "claim", d.Envelope().ClaimID, "err", err)
			_ = d.Retry(c.ackWait)
			return store.Record{}, false
		}
		c.log.Error("store record; retrying, the message is held", "claim", d.Envelope().ClaimID, "err", err)
		select {
		case <-ctx.Done():
			return store.Record{}, false
		case <-time.After(backoff):
		}
	}
}

// finish publishes the stored record's alert, acknowledges the message
// and removes the shared copy. An alert that cannot be published sends
// the message back: its redelivery finds the record and tries again.
func (c *consumer) finish(ctx context.Context, d queue.Delivery, e queue.Envelope, rec store.Record) {
	if c.alerts != nil {
		doc, err := EncodeECS(rec)
		if err == nil {
			err = c.alerts.PublishAlert(ctx, rec.ID, doc)
		}
		if err != nil {
			c.m.errors.Inc("alert")
			c.log.Warn("publish alert; the message is redelivered", "record", rec.ID, "err", err)
			_ = d.Retry(time.Second)
			return
		}
	}
	if err := d.Ack(ctx); err != nil {
		c.log.Warn("ack; the message is redelivered and finds its record", "claim", e.ClaimID, "err", err)
		return
	}
	if e.Shared != "" && c.shared != "" {
		if err := os.Remove(filepath.Join(c.shared, e.Shared)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			c.log.Warn("remove shared sample", "name", e.Shared, "err", err)
		}
	}
	c.m.processed.Inc(rec.Status)
	if ns, err := strconv.ParseInt(e.Meta[watch.MetaSeen], 10, 64); err == nil && ns > 0 {
		c.m.dropToRecord.Observe(time.Since(time.Unix(0, ns)).Seconds())
	}
	c.log.Debug("record stored", "claim", e.ClaimID, "record", rec.ID, "status", rec.Status, "attempt", d.Attempt())
	c.recorded()
}

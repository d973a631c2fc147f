package sidecar

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/integrations/clamav"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/sidecar/queue"
	"github.com/automaldesc/automaldesc/sidecar/watch"
)

// Hints supplies signatures a scanner reported out of band (the ClamAV
// VirusEvent hook, package integrations/clamav). Lookup may be called
// concurrently; it returns the signature of the hint matching the file
// (base name in the folder, size, SHA-256, first sighting), waiting for
// one until `until` passes or ctx ends.
type Hints interface {
	Lookup(ctx context.Context, name string, size int64, sha256 string, seen, until time.Time) (signature string, ok bool)
}

var _ Hints = (*clamav.Hints)(nil)

// HintSpoolDir is the directory the sidecar reads hint files from when
// the hook cannot reach the API: "hints" next to the database file.
func HintSpoolDir(cfg config.Config) string {
	if strings.Contains(cfg.Store.Path, "://") {
		// A shared database (postgres://...) has no local folder: the
		// spool goes beside the staging area, which is local to the host.
		return filepath.Join(filepath.Dir(cfg.Watch.Staging), "hints")
	}
	return filepath.Join(filepath.Dir(cfg.Store.Path), "hints")
}

// hintSpoolPoll is how often the spool directory is read.
const hintSpoolPoll = 200 * time.Millisecond

// pollHintSpool moves spooled hint files into hints until ctx ends.
func pollHintSpool(ctx context.Context, dir string, hints clamav.Adder, log *slog.Logger) {
	t := time.NewTicker(hintSpoolPoll)
	defer t.Stop()
	for {
		n, err := clamav.LoadSpool(dir, hints)
		if err != nil {
			log.Warn("hint spool: files dropped", "dir", dir, "err", err)
		}
		if n > 0 {
			log.Debug("hint spool: hints loaded", "dir", dir, "hints", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// applyHint gives the item the signature of a matching scanner hint,
// waiting for one until the folder's hint_wait has passed since the file
// was first seen (so a burst of files waits once, not once per file).
func (p *pool) applyHint(ctx context.Context, j *job, s *analysis.Sample) {
	if p.hints == nil || s.Hashes == nil {
		return
	}
	it := j.item
	wait := p.hintWait[it.Meta[watch.MetaFolder]]
	sig, ok := lookupHint(ctx, p.hints, it.Name, s, it.Meta, wait)
	if !ok {
		if wait > 0 {
			p.log.Debug("no scanner hint for the file; analysed without a signature", "item", it.ID)
		}
		return
	}
	p.log.Debug("scanner hint matched", "item", it.ID, "signature", sig)
	j.item.Signature = sig
	s.Signature = sig
}

// lookupHint asks hints for the signature of the file name (base name in
// its folder) with the sample's size and SHA-256, waiting until `wait`
// has passed since the file's first sighting (meta's watch.MetaSeen; now
// when missing), and never longer than `wait` from now: in scale-out the
// sighting comes with the message, and a bogus one must not hold a worker.
func lookupHint(ctx context.Context, hints Hints, name string, s *analysis.Sample, meta map[string]string, wait time.Duration) (string, bool) {
	now := time.Now()
	seen := now
	if ns, err := strconv.ParseInt(meta[watch.MetaSeen], 10, 64); err == nil && ns > 0 {
		seen = time.Unix(0, ns)
	}
	until := seen.Add(wait)
	if limit := now.Add(wait); until.After(limit) {
		until = limit
	}
	size := s.Size
	if size == 0 {
		size = int64(len(s.Data))
	}
	return hints.Lookup(ctx, name, size, s.Hashes.SHA256, seen, until)
}

// hintRelayBacklog caps the hints waiting for publication.
const hintRelayBacklog = 1024

// hintRelay is where a process takes hints in (POST /v1/hints, the spool)
// and, in a scale-out deployment, how they reach every worker: Add keeps
// a hint in the local set, as without a queue, and hands it to run, which
// publishes it on the queue's hints stream; follow reads that stream into
// the local set of a worker. The process gets its own hints back there:
// clamav.Hints ignores a hint it already took in (same ID), even one
// used up since, so the echo is harmless.
type hintRelay struct {
	local     *clamav.Hints
	bus       queue.Hints      // nil: single process, nothing to publish
	out       chan clamav.Hint // waiting for publication by run
	log       *slog.Logger
	published *metrics.Counter // outcome: published|dropped (given up)
	received  *metrics.Counter // outcome: added|duplicate|expired|invalid
	errs      *metrics.Counter // automaldesc_errors_total: kind hint_publish, per failed attempt
	now       func() time.Time
}

var _ clamav.Adder = (*hintRelay)(nil)

func newHintRelay(local *clamav.Hints, bus queue.Hints, reg *metrics.Registry, errs *metrics.Counter, log *slog.Logger) *hintRelay {
	r := &hintRelay{local: local, bus: bus, log: log, errs: errs, now: time.Now}
	if bus != nil {
		r.out = make(chan clamav.Hint, hintRelayBacklog)
		r.published = reg.NewCounter("automaldesc_hints_published_total",
			"Scanner hints this process took in and published to the other sidecars, by outcome (dropped: given up).", "outcome")
		r.received = reg.NewCounter("automaldesc_hints_received_total",
			"Scanner hints read from the hints stream, by outcome.", "outcome")
	}
	return r
}

// Add keeps h here and queues it for publication; the error is the local
// set's (invalid, expired). A hint this process already took in is not
// published again.
func (r *hintRelay) Add(h clamav.Hint) error {
	added, err := r.local.Put(h)
	if err != nil || !added || r.bus == nil {
		return err
	}
	select {
	case r.out <- h:
	default:
		r.published.Inc("dropped")
		r.log.Warn("hint publication backlog full; the hint stays on this process only",
			"signature", h.Signature, "name", h.Base(), "sha256", h.SHA256)
	}
	return nil
}

// run publishes queued hints until ctx ends.
func (r *hintRelay) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			if n := len(r.out); n > 0 {
				r.log.Info("hints not published at shutdown; they stay on this process only", "hints", n)
			}
			return
		case h := <-r.out:
			r.publish(ctx, h)
		}
	}
}

// publish sends one hint, retrying with backoff while it is still young
// enough to match a file; the local copy is there whatever happens.
func (r *hintRelay) publish(ctx context.Context, h clamav.Hint) {
	body, err := clamav.EncodeHint(h)
	if err != nil {
		r.published.Inc("dropped")
		r.log.Warn("hint cannot be published; it stays on this process only", "signature", h.Signature, "err", err)
		return
	}
	id := h.ID()
	for backoff := 250 * time.Millisecond; ; backoff = min(backoff*2, 5*time.Second) {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := r.bus.PublishHint(pctx, id, body)
		cancel()
		if err == nil {
			r.published.Inc("published")
			r.log.Debug("hint published", "signature", h.Signature, "name", h.Base(), "sha256", h.SHA256)
			return
		}
		if ctx.Err() != nil {
			return
		}
		r.errs.Inc("hint_publish")
		if r.now().Sub(h.Time) > r.local.Window() {
			r.published.Inc("dropped")
			r.log.Warn("hint publication failed until the hint expired; it stayed on this process only", "signature", h.Signature, "err", err)
			return
		}
		r.log.Warn("hint publication failed; retrying (the hint is kept on this process meanwhile)", "signature", h.Signature, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
	}
}

// follow reads the hints stream into the local set until ctx ends.
func (r *hintRelay) follow(ctx context.Context) error {
	return r.bus.ConsumeHints(ctx, r.receive)
}

// receive takes one message of the hints stream: untrusted, so checked
// exactly like a POST /v1/hints body (clamav.ParseHint: size, fields,
// Validate), then kept like one.
func (r *hintRelay) receive(body []byte) {
	h, err := clamav.ParseHint(body)
	added := false
	if err == nil {
		added, err = r.local.Put(h)
	}
	switch {
	case err == nil && added:
		r.received.Inc("added")
		r.log.Debug("hint received", "signature", h.Signature, "name", h.Base(), "sha256", h.SHA256)
	case err == nil:
		r.received.Inc("duplicate")
	case errors.Is(err, clamav.ErrExpired):
		r.received.Inc("expired")
		r.log.Debug("hint from the hints stream is too old; dropped", "signature", h.Signature)
	default:
		r.received.Inc("invalid")
		r.log.Warn("invalid hint on the hints stream; dropped", "bytes", len(body), "err", err)
	}
}

// hintWaits maps each folder (as configured, watch.MetaFolder) to its
// effective hint wait.
func hintWaits(fs []config.WatchFolder) map[string]time.Duration {
	m := make(map[string]time.Duration, len(fs))
	for _, f := range fs {
		m[f.Path] = f.EffectiveHintWait()
	}
	return m
}

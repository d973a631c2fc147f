package sink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/store"
)

// Encoded is one record ready for delivery.
type Encoded struct {
	Seq  int64
	ID   string
	Body []byte // one JSON document, no trailing newline
}

// Sink delivers records. Deliver is called by one goroutine at a time. It
// returns how many records of the batch, from the start, were delivered
// (or dropped for good with a logged reason); the rest are retried.
type Sink interface {
	Name() string
	Deliver(ctx context.Context, batch []Encoded) (int, error)
	Close() error
}

// Source is the part of the store a runner reads (store.Store satisfies it).
type Source interface {
	RecordsAfter(ctx context.Context, seq int64, limit int) ([]store.Record, error)
	Cursor(ctx context.Context, sink string) (int64, error)
	SetCursor(ctx context.Context, sink string, seq int64) error
}

var _ Source = store.Store(nil)

// Runner moves records from the store to one sink.
type Runner struct {
	Sink    Sink
	Source  Source
	Encode  func(store.Record) ([]byte, error)
	Wake    <-chan struct{} // a signal that new records may exist
	Poll    time.Duration   // fallback poll interval; 0 = 1s
	Batch   int             // records per read; 0 = 256
	Log     *slog.Logger
	Metrics *Metrics
}

// Metrics are the counters runners update; build them once with
// NewMetrics.
type Metrics struct {
	Delivered *metrics.Counter
	Failures  *metrics.Counter
}

// NewMetrics registers the sink counters.
func NewMetrics(r *metrics.Registry) *Metrics {
	return &Metrics{
		Delivered: r.NewCounter("automaldesc_sink_delivered_total", "Records delivered, by sink.", "sink"),
		Failures:  r.NewCounter("automaldesc_sink_failures_total", "Failed delivery attempts and undeliverable records, by sink and kind.", "sink", "kind"),
	}
}

// Run delivers records until stop is closed, then delivers what is left
// and returns nil. ctx is the hard deadline: when it ends Run returns at
// once (the cursor keeps what was confirmed).
func (r *Runner) Run(ctx context.Context, stop <-chan struct{}) error {
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	if r.Metrics == nil {
		r.Metrics = NewMetrics(metrics.New())
	}
	poll, batch := r.Poll, r.Batch
	if poll <= 0 {
		poll = time.Second
	}
	if batch <= 0 {
		batch = 256
	}
	name := r.Sink.Name()
	cur, err := r.Source.Cursor(ctx, name)
	if err != nil {
		return fmt.Errorf("sink %s: cursor: %w", name, err)
	}
	backoff := 100 * time.Millisecond
	stopping := false
	for {
		if !stopping {
			select {
			case <-stop:
				stopping = true
			default:
			}
		}
		recs, err := r.Source.RecordsAfter(ctx, cur, batch)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			r.Log.Error("read records", "err", err)
			if !sleep(ctx, backoff) {
				return nil
			}
			continue
		}
		if len(recs) == 0 {
			if stopping {
				return nil
			}
			t := time.NewTimer(poll)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-stop:
				stopping = true
			case <-r.Wake:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		enc := make([]Encoded, 0, len(recs))
		for _, rec := range recs {
			b, err := r.Encode(rec)
			if err != nil {
				// Unencodable: report it and move on, never stall the sink.
				r.Metrics.Failures.Inc(name, "encode")
				r.Log.Error("record cannot be encoded; not delivered", "record", rec.ID, "err", err)
				continue
			}
			enc = append(enc, Encoded{Seq: rec.Seq, ID: rec.ID, Body: b})
		}
		n, derr := 0, error(nil)
		if len(enc) > 0 {
			n, derr = r.Sink.Deliver(ctx, enc)
		}
		next := cur
		switch {
		case n == len(enc):
			next = recs[len(recs)-1].Seq
		case n > 0:
			next = enc[n-1].Seq
		}
		r.Metrics.Delivered.Add(uint64(n), name)
		if next != cur {
			if err := r.Source.SetCursor(ctx, name, next); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				r.Log.Error("save cursor", "err", err)
			} else {
				cur = next
			}
		}
		if derr != nil {
			if ctx.Err() != nil || errors.Is(derr, context.Canceled) {
				return nil
			}
			r.Metrics.Failures.Inc(name, "deliver")
			r.Log.Warn("delivery failed; retrying", "err", derr)
			if !sleep(ctx, backoff) {
				return nil
			}
			backoff = min(backoff*2, 10*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

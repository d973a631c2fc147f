package sink

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// MetricsSetter is implemented by sinks that count their own retries and
// refused records; the sidecar hands them the shared counters.
type MetricsSetter interface {
	SetMetrics(*Metrics)
}

// retrier is the backoff policy the Splunk, Elasticsearch and syslog sinks
// share with the webhook: exponential with full jitter between MinBackoff
// and MaxBackoff, a Retry-After answer honoured (capped at 6*MaxBackoff).
type retrier struct {
	name       string
	minB, maxB time.Duration
	log        *slog.Logger
	metrics    *Metrics
	onRetry    func(wait time.Duration, status int)
}

func newRetrier(name string, minB, maxB time.Duration, log *slog.Logger, m *Metrics, onRetry func(time.Duration, int)) *retrier {
	if minB <= 0 {
		minB = 200 * time.Millisecond
	}
	if maxB <= 0 {
		maxB = 30 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &retrier{name: name, minB: minB, maxB: maxB, log: log, metrics: m, onRetry: onRetry}
}

// wait sleeps before retry number attempt (0-based); it logs the first
// failure and every tenth, and returns false when ctx ended.
func (r *retrier) wait(ctx context.Context, attempt, status int, after time.Duration, hasAfter bool, msg string, args ...any) bool {
	d := backoff(r.minB, r.maxB, attempt)
	if hasAfter {
		d = min(after, 6*r.maxB)
	}
	if r.metrics != nil {
		r.metrics.Failures.Inc(r.name, "retry")
	}
	if attempt == 0 || attempt%10 == 0 {
		r.log.Warn(msg, append(args, "status", status, "wait", d, "attempt", attempt+1)...)
	}
	if r.onRetry != nil {
		r.onRetry(d, status)
	}
	return sleep(ctx, d)
}

// rejected counts and logs a record the destination refused for good.
func (r *retrier) rejected(id string, status int, reason string) {
	if r.metrics != nil {
		r.metrics.Failures.Inc(r.name, "rejected")
	}
	r.log.Error(r.name+" refused the record; skipped", "record", id, "status", status, "reason", reason)
}

// retryable reports whether an HTTP status is worth retrying as is:
// timeouts, throttling and server errors.
func retryable(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooEarly || status == http.StatusTooManyRequests || status >= 500
}

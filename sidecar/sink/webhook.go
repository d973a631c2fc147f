package sink

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Webhook POSTs every record as JSON to a URL, one request per record.
//
// Headers: Content-Type application/json; X-Automaldesc-Record-Id, the
// record id for receiver-side dedupe; X-Automaldesc-Signature,
// "sha256=" + hex HMAC-SHA256 of the body under the shared secret (only
// when a secret is set). Transport errors, 408, 425, 429, 5xx and the
// configuration-shaped 401/403/404 are retried for ever with exponential
// backoff and full jitter (a Retry-After header is honoured, capped at
// MaxBackoff*6): while the endpoint is down the cursor does not move, so
// everything arrives once it returns. Other 4xx answers mean the receiver
// refuses this record for good: it is logged, counted and skipped so one
// poison record cannot stall the stream.
type Webhook struct {
	URL        string
	Secret     []byte
	Client     *http.Client
	MinBackoff time.Duration // 0 = 200ms
	MaxBackoff time.Duration // 0 = 30s
	Log        *slog.Logger
	Metrics    *Metrics
	// OnRetry, when set, is called with each retry's wait (tests).
	OnRetry func(wait time.Duration, status int)
}

var _ Sink = (*Webhook)(nil)

// Name implements Sink.
func (w *Webhook) Name() string { return "webhook" }

// Close implements Sink.
func (w *Webhook) Close() error {
	if w.Client != nil {
		w.Client.CloseIdleConnections()
	}
	return nil
}

// Sign returns the X-Automaldesc-Signature value of body.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Deliver implements Sink.
func (w *Webhook) Deliver(ctx context.Context, batch []Encoded) (int, error) {
	for i, e := range batch {
		if err := w.post(ctx, e); err != nil {
			return i, err
		}
	}
	return len(batch), nil
}

type permanentError struct{ status int }

func (e *permanentError) Error() string { return fmt.Sprintf("HTTP %d", e.status) }

func (w *Webhook) post(ctx context.Context, e Encoded) error {
	minB, maxB := w.MinBackoff, w.MaxBackoff
	if minB <= 0 {
		minB = 200 * time.Millisecond
	}
	if maxB <= 0 {
		maxB = 30 * time.Second
	}
	log := w.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for attempt := 0; ; attempt++ {
		status, after, hasAfter, err := w.once(ctx, e)
		if err == nil {
			return nil
		}
		var pe *permanentError
		if errors.As(err, &pe) {
			if w.Metrics != nil {
				w.Metrics.Failures.Inc(w.Name(), "rejected")
			}
			log.Error("webhook refused the record; skipped", "record", e.ID, "status", pe.status)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := backoff(minB, maxB, attempt)
		if hasAfter {
			wait = min(after, 6*maxB)
		}
		if w.Metrics != nil {
			w.Metrics.Failures.Inc(w.Name(), "retry")
		}
		if attempt == 0 || attempt%10 == 0 {
			log.Warn("webhook delivery failed; retrying", "record", e.ID, "status", status, "err", err, "wait", wait, "attempt", attempt+1)
		}
		if w.OnRetry != nil {
			w.OnRetry(wait, status)
		}
		if !sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

// backoff is exponential with full jitter: a random wait in
// [d/2, d] with d = min(max, min*2^attempt).
func backoff(minB, maxB time.Duration, attempt int) time.Duration {
	d := minB
	for i := 0; i < attempt && d < maxB; i++ {
		d *= 2
	}
	d = min(d, maxB)
	return d/2 + rand.N(d/2+1)
}

// once makes one request; it returns the status (0 when there was no
// answer), the Retry-After wait if one was given, and an error unless the
// answer was 2xx.
func (w *Webhook) once(ctx context.Context, e Encoded) (int, time.Duration, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(e.Body))
	if err != nil {
		return 0, 0, false, &permanentError{}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "automaldesc-webhook/1")
	req.Header.Set("X-Automaldesc-Record-Id", e.ID)
	if len(w.Secret) > 0 {
		req.Header.Set("X-Automaldesc-Signature", Sign(w.Secret, e.Body))
	}
	resp, err := w.Client.Do(req)
	if err != nil {
		return 0, 0, false, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return s, 0, false, nil
	case s == 408 || s == 425 || s == 429 || s >= 500 || s == 401 || s == 403 || s == 404:
		d, ok := retryAfter(resp.Header.Get("Retry-After"))
		return s, d, ok, fmt.Errorf("HTTP %d", s)
	default:
		return s, 0, false, &permanentError{status: s}
	}
}

// retryAfter parses a Retry-After header (seconds or an HTTP date); ok is
// false when there is none or it cannot be read.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

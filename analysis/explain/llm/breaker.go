package llm

import (
	"sync"
	"time"
)

// breaker is a consecutive-failure circuit breaker. Closed, it lets every
// attempt through; after threshold consecutive failures it opens and
// refuses attempts for cooldown; then one probe is let through (half-open):
// its success closes the breaker, its failure opens it again.
type breaker struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time

	mu        sync.Mutex
	failures  int
	openUntil time.Time
	probing   bool
}

func newBreaker(threshold int, cooldown time.Duration, now func() time.Time) *breaker {
	return &breaker{threshold: max(1, threshold), cooldown: cooldown, now: now}
}

// allow reports whether an attempt may start. In the half-open state only
// one attempt is let through until it reports.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.threshold {
		return true
	}
	if b.now().Before(b.openUntil) || b.probing {
		return false
	}
	b.probing = true
	return true
}

// done records the outcome of an allowed attempt.
func (b *breaker) done(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
	if ok {
		b.failures = 0
		return
	}
	b.failures++
	if b.failures >= b.threshold {
		b.openUntil = b.now().Add(b.cooldown)
	}
}

// open reports whether the breaker refuses attempts now.
func (b *breaker) open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failures >= b.threshold && (b.now().Before(b.openUntil) || b.probing)
}

// release ends an allowed attempt that the caller abandoned (its context
// ended): neither a success nor a failure of the server.
func (b *breaker) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
}

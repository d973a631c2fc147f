package yarascan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"time"
	"unsafe"

	yara "github.com/hillu/go-yara/v4"
)

// Limits of one scan.
const (
	// DefaultTimeout bounds a scan whose context has no deadline.
	DefaultTimeout = 10 * time.Second
	// MaxStringsPerRule caps the matched strings kept for one rule.
	MaxStringsPerRule = 16
	// MaxMatchData caps the bytes of one matched string kept (before escaping).
	MaxMatchData = 64
	// MaxMatches caps the rules reported for one scanned buffer.
	MaxMatches = 256
)

// yara error codes (yara/error.h) that the adapter tells apart.
const (
	yrErrScanTimeout = 26
)

// scanFlagsNoTryCatch is SCAN_FLAGS_NO_TRYCATCH (yara/scan.h), which go-yara
// does not name. Without it libyara wraps every scan in handlers for SIGBUS
// and SIGSEGV, meant for memory-mapped files that shrink while scanned: a
// dozen sigaction and sigprocmask system calls per scan, and, while a scan
// runs, a process-wide SIGSEGV handler that is not the Go runtime's (libyara
// 4.2 installs it without SA_ONSTACK and, from two threads at once, can
// leave it installed). Scan only reads Go-owned memory, which cannot fault
// that way.
const scanFlagsNoTryCatch yara.ScanFlags = 4

// ErrTimeout is returned (wrapped) when libyara stopped a scan at its
// timeout. The matches found before the stop are returned with it.
var ErrTimeout = errors.New("yara scan timed out")

// Match is one rule that matched a layer.
type Match struct {
	Rule      string            `json:"rule"`
	Namespace string            `json:"namespace"`
	Tags      []string          `json:"tags,omitempty"`
	Meta      map[string]string `json:"meta,omitempty"`
	// Severity is the rule's "severity" meta when it is one of
	// info|low|medium|high|critical, else empty.
	Severity string `json:"severity,omitempty"`
	// Techniques are the well-formed ATT&CK ids of the "attack" meta.
	Techniques []string      `json:"techniques,omitempty"`
	Layer      int           `json:"layer"`
	Strings    []MatchString `json:"strings,omitempty"`
}

// MatchString is one matched string of a rule.
type MatchString struct {
	ID     string `json:"id"`
	Offset int64  `json:"offset"`
	// Data is at most MaxMatchData bytes of the match, printable ASCII kept,
	// everything else escaped as \xNN (and the backslash as \\).
	Data string `json:"data"`
}

// Scanner scans buffers with one rule set. It is not safe for concurrent use:
// create one per worker goroutine with Rules.NewScanner.
type Scanner struct {
	rules   *Rules
	ys      *yara.Scanner
	cb      collector
	timeout time.Duration // last timeout given to ys
}

// NewScanner returns a scanner over r.
func (r *Rules) NewScanner() (*Scanner, error) {
	ys, err := yara.NewScanner(r.y)
	if err != nil {
		return nil, fmt.Errorf("yara: new scanner: %w", err)
	}
	s := &Scanner{rules: r, ys: ys}
	s.cb.rules = r
	// Fast mode stops looking for a string once it matched when the
	// conditions do not count it; rule results are the same.
	ys.SetFlags(yara.ScanFlagsFastMode | scanFlagsNoTryCatch)
	ys.SetCallback(&s.cb)
	return s, nil
}

// Rules returns the rule set the scanner was made for.
func (s *Scanner) Rules() *Rules { return s.rules }

// Close releases the libyara scanner. The Scanner must not be used after.
func (s *Scanner) Close() {
	if s.ys != nil {
		s.ys.Destroy()
		s.ys = nil
	}
}

// Scan runs the rules over data and returns the matches in rule order, each
// stamped with layer. The context's deadline becomes libyara's timeout
// (whole seconds, rounded up; DefaultTimeout without a deadline); libyara
// cannot be interrupted otherwise, so a cancellation without deadline is only
// seen before the scan starts. On timeout the matches found so far are
// returned with an error wrapping ErrTimeout (and the context's error when it
// has expired).
func (s *Scanner) Scan(ctx context.Context, data []byte, layer int) (ms []Match, err error) {
	return s.scan(ctx, data, layer)
}

// ScanString is Scan over a string's bytes without copying them: libyara
// only reads the memory it scans (yr_scanner_scan_mem takes a const
// buffer) and keeps no reference to it after the call, and a match's data
// is copied out before ScanString returns. The engine scans every decoded
// layer, 26% more bytes than the files themselves on the dev corpus.
func (s *Scanner) ScanString(ctx context.Context, text string, layer int) ([]Match, error) {
	return s.scan(ctx, unsafe.Slice(unsafe.StringData(text), len(text)), layer)
}

func (s *Scanner) scan(ctx context.Context, data []byte, layer int) (ms []Match, err error) {
	if s.ys == nil {
		return nil, errors.New("yara: scan on closed scanner")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	timeout := DefaultTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
		if timeout <= 0 {
			return nil, context.DeadlineExceeded
		}
	}
	secs := (timeout + time.Second - 1) / time.Second
	if s.timeout != secs*time.Second {
		s.timeout = secs * time.Second
		s.ys.SetTimeout(s.timeout)
	}

	s.cb.reset(layer)
	defer func() {
		if p := recover(); p != nil {
			ms, err = nil, fmt.Errorf("yara: scan panic: %v\n%s", p, debug.Stack())
		}
	}()
	scanErr := s.ys.ScanMem(data)
	if s.cb.err != nil {
		return nil, s.cb.err
	}
	ms = s.cb.take()
	if scanErr != nil {
		var ye yara.Error
		if errors.As(scanErr, &ye) && int(ye) == yrErrScanTimeout {
			if cerr := ctx.Err(); cerr != nil {
				return ms, fmt.Errorf("yara: %w: %w", ErrTimeout, cerr)
			}
			return ms, fmt.Errorf("yara: %w after %s", ErrTimeout, secs*time.Second)
		}
		return ms, fmt.Errorf("yara: scan: %w", scanErr)
	}
	return ms, nil
}

// collector receives libyara's callbacks for one scan at a time.
type collector struct {
	rules   *Rules
	layer   int
	matches []Match
	err     error
}

func (c *collector) reset(layer int) {
	c.layer = layer
	c.matches = nil
	c.err = nil
}

func (c *collector) take() []Match {
	m := c.matches
	c.matches = nil
	return m
}

// RuleMatching implements yara.ScanCallback.
func (c *collector) RuleMatching(sc *yara.ScanContext, r *yara.Rule) (abort bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			c.err = fmt.Errorf("yara: match callback panic: %v", p)
			abort, err = true, nil
		}
	}()
	if len(c.matches) >= MaxMatches {
		return true, nil
	}
	ns, name := r.Namespace(), r.Identifier()
	d, ok := c.rules.byKey[ruleID{ns, name}]
	if ok {
		ns = d.ns
	}
	m := Match{
		Rule:       name,
		Namespace:  ns,
		Tags:       slices.Clone(d.tags),
		Meta:       maps.Clone(d.meta),
		Severity:   d.severity,
		Techniques: slices.Clone(d.techniques),
		Layer:      c.layer,
	}
	strs := r.Strings()
outer:
	for i := range strs {
		st := &strs[i]
		found := st.Matches(sc)
		if len(found) == 0 {
			continue
		}
		id := st.Identifier()
		for j := range found {
			if len(m.Strings) >= MaxStringsPerRule {
				break outer
			}
			m.Strings = append(m.Strings, MatchString{
				ID:     id,
				Offset: found[j].Base() + found[j].Offset(),
				Data:   escapeData(found[j].Data()),
			})
		}
	}
	c.matches = append(c.matches, m)
	return false, nil
}

var _ yara.ScanCallback = (*collector)(nil)

const hexDigits = "0123456789abcdef"

// escapeData keeps at most MaxMatchData bytes of b, escaping non-printables.
func escapeData(b []byte) string {
	if len(b) > MaxMatchData {
		b = b[:MaxMatchData]
	}
	out := make([]byte, 0, len(b)+8)
	for _, c := range b {
		switch {
		case c == '\\':
			out = append(out, '\\', '\\')
		case c >= 0x20 && c < 0x7f:
			out = append(out, c)
		default:
			out = append(out, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	return string(out)
}

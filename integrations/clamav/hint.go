package clamav

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Defaults and limits.
const (
	// DefaultWindow is how long a hint is kept and how far apart a hint
	// and a file may be in time to match.
	DefaultWindow = 10 * time.Minute
	// DefaultMaxHints caps the hints held at once; the oldest go first.
	DefaultMaxHints = 4096
	// MaxHintSize caps an encoded hint (API body, spool file).
	MaxHintSize = 16 << 10
	// MaxSignatureLen caps a signature name.
	MaxSignatureLen = 512
	// MaxPathLen caps the path of a hint.
	MaxPathLen = 4096
)

// Errors of Hint.Validate, ParseHint and Hints.Add.
var (
	// ErrInvalid: the hint is malformed.
	ErrInvalid = errors.New("invalid hint")
	// ErrNoKey: the hint has neither a SHA-256 nor an absolute path, so
	// no file can ever match it (clamdscan --stream reports
	// "instream(local)" and no file: use --fdpass or path mode).
	ErrNoKey = errors.New("hint has neither a sha256 nor an absolute path to correlate")
	// ErrExpired: the hint is older than the window.
	ErrExpired = errors.New("hint is older than the correlation window")
)

// Hint is what a scanner reported about one detection. Path is the path
// the scanner saw (before any --move); Size 0 and SHA256 "" mean unknown.
type Hint struct {
	Path      string    `json:"path,omitempty"`
	Signature string    `json:"signature"`
	Size      int64     `json:"size,omitempty"`
	SHA256    string    `json:"sha256,omitempty"`
	Time      time.Time `json:"time"`
}

// Validate checks a hint and normalizes it (lower-case hash). It does not
// check its age (Hints.Add does).
func (h *Hint) Validate() error {
	switch {
	case h.Signature == "":
		return fmt.Errorf("%w: empty signature", ErrInvalid)
	case len(h.Signature) > MaxSignatureLen:
		return fmt.Errorf("%w: signature longer than %d bytes", ErrInvalid, MaxSignatureLen)
	case !printable(h.Signature):
		return fmt.Errorf("%w: signature is not printable UTF-8", ErrInvalid)
	case len(h.Path) > MaxPathLen:
		return fmt.Errorf("%w: path longer than %d bytes", ErrInvalid, MaxPathLen)
	case !utf8.ValidString(h.Path) || strings.IndexByte(h.Path, 0) >= 0:
		return fmt.Errorf("%w: path is not valid UTF-8", ErrInvalid)
	case h.Size < 0:
		return fmt.Errorf("%w: negative size %d", ErrInvalid, h.Size)
	case h.Time.IsZero():
		return fmt.Errorf("%w: no time", ErrInvalid)
	}
	if h.SHA256 != "" {
		h.SHA256 = strings.ToLower(h.SHA256)
		if !isHex64(h.SHA256) {
			return fmt.Errorf("%w: sha256 %.80q is not 64 hex digits", ErrInvalid, h.SHA256)
		}
	}
	if h.SHA256 == "" && h.Base() == "" {
		return ErrNoKey
	}
	return nil
}

// Base is the base name of the hint's path, or "" when the path is not an
// absolute path (clamd's "instream(local)", "fd[5]").
func (h Hint) Base() string {
	if !strings.HasPrefix(h.Path, "/") || strings.HasSuffix(h.Path, "/") {
		return ""
	}
	return path.Base(h.Path)
}

// ParseHint decodes and validates one JSON hint (an API body or a spool
// file): at most MaxHintSize bytes, unknown fields rejected.
func ParseHint(b []byte) (Hint, error) {
	var h Hint
	if len(b) > MaxHintSize {
		return h, fmt.Errorf("%w: larger than %d bytes", ErrInvalid, MaxHintSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return Hint{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if dec.More() {
		return Hint{}, fmt.Errorf("%w: trailing data", ErrInvalid)
	}
	if err := h.Validate(); err != nil {
		return Hint{}, err
	}
	return h, nil
}

// ID identifies the hint by its content: the hex SHA-256 of its fields
// (hash in lower case, time to the nanosecond, time zone ignored). Two
// deliveries of one detection (a client that retried, a hint that came
// back from the message bus) have the same ID; two detections practically
// never do, since the hook stamps each with the current time.
func (h Hint) ID() string {
	d := sha256.New()
	var n [8]byte
	for _, f := range []string{h.Path, h.Signature, strings.ToLower(h.SHA256)} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		d.Write(n[:])
		d.Write([]byte(f))
	}
	binary.BigEndian.PutUint64(n[:], uint64(h.Size))
	d.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(h.Time.UnixNano()))
	d.Write(n[:])
	return hex.EncodeToString(d.Sum(nil))
}

// EncodeHint validates h and encodes it as ParseHint reads it (the body
// of POST /v1/hints), without HTML escaping. A hint whose encoding is
// larger than MaxHintSize (a path full of control characters, each
// escaped to six bytes) is refused with ErrInvalid: ParseHint would refuse
// it on the other side.
func EncodeHint(h Hint) ([]byte, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(h); err != nil {
		return nil, fmt.Errorf("%w: encode: %v", ErrInvalid, err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(b) > MaxHintSize {
		return nil, fmt.Errorf("%w: %d bytes encoded, more than %d", ErrInvalid, len(b), MaxHintSize)
	}
	return b, nil
}

// StripSuffix removes the ".NNN" suffix (three or more digits) that
// clamscan/clamdscan --move appends on a name clash: "a.ps1.001" becomes
// "a.ps1". Other names come back unchanged.
func StripSuffix(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name)-i-1 < 3 {
		return name
	}
	for _, c := range name[i+1:] {
		if c < '0' || c > '9' {
			return name
		}
	}
	return name[:i]
}

// File is a quarantined file to match: its base name in the quarantine
// folder (clash suffix included), size, SHA-256 and when it was first
// seen there.
type File struct {
	Name   string
	Size   int64
	SHA256 string
	Seen   time.Time
}

// Match strengths, best last.
const (
	noMatch = iota
	matchName
	matchNameSize
	matchHash
)

// strength says how well h matches f (noMatch when it does not).
func strength(h Hint, f File, window time.Duration) int {
	if d := f.Seen.Sub(h.Time); d > window || d < -window {
		return noMatch
	}
	if h.SHA256 != "" && f.SHA256 != "" {
		if strings.EqualFold(h.SHA256, f.SHA256) {
			return matchHash
		}
		return noMatch // different content, whatever the name says
	}
	b := h.Base()
	if b == "" || (b != f.Name && b != StripSuffix(f.Name)) {
		return noMatch
	}
	if h.Size > 0 {
		if h.Size != f.Size {
			return noMatch
		}
		return matchNameSize
	}
	return matchName
}

type entry struct {
	Hint
	seq  uint64
	gone bool
}

// Hints is the set of recent hints. All methods may be called
// concurrently.
type Hints struct {
	window time.Duration
	max    int
	now    func() time.Time

	mu      sync.Mutex
	seq     uint64
	order   []*entry            // arrival order
	byHash  map[string][]*entry // sha256 -> hints
	byName  map[string][]*entry // base name -> hints
	live    int
	changed chan struct{} // closed and replaced by every Add

	// seen remembers the ID of every hint taken in (kept, used up or
	// evicted) until its window is over, so a second delivery of it is
	// not a second detection; seenOrder is arrival order, for pruning.
	seen      map[string]time.Time // ID -> until
	seenOrder []string
}

// NewHints returns an empty set. window <= 0 means DefaultWindow, max <= 0
// DefaultMaxHints; now nil means time.Now.
func NewHints(window time.Duration, max int, now func() time.Time) *Hints {
	if window <= 0 {
		window = DefaultWindow
	}
	if max <= 0 {
		max = DefaultMaxHints
	}
	if now == nil {
		now = time.Now
	}
	return &Hints{window: window, max: max, now: now, byHash: map[string][]*entry{},
		byName: map[string][]*entry{}, changed: make(chan struct{}), seen: map[string]time.Time{}}
}

// Window returns the correlation window.
func (s *Hints) Window() time.Duration { return s.window }

// Add validates h and keeps it for the window. A hint time in the future
// is clamped to now. A hint identical to one taken in within the window
// (same ID) is accepted and ignored, even when the first was used up: it
// is the same detection delivered twice, not a second one.
func (s *Hints) Add(h Hint) error {
	_, err := s.Put(h)
	return err
}

// Put is Add that also says whether h was new (false: a duplicate,
// ignored).
func (s *Hints) Put(h Hint) (added bool, err error) {
	if err := h.Validate(); err != nil {
		return false, err
	}
	id := h.ID() // before clamping: every receiver computes the same
	now := s.now()
	if h.Time.After(now) {
		h.Time = now
	}
	if now.Sub(h.Time) > s.window {
		return false, ErrExpired
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prune(now)
	if _, dup := s.seen[id]; dup {
		return false, nil
	}
	// A duplicate after the hint expired is expired too (unless it is
	// stamped in the future: then it counts again, which is harmless).
	s.remember(id, h.Time.Add(s.window))
	for s.live >= s.max {
		s.drop(s.order[0])
		s.order = s.order[1:]
	}
	s.seq++
	e := &entry{Hint: h, seq: s.seq}
	s.order = append(s.order, e)
	s.live++
	if h.SHA256 != "" {
		s.byHash[h.SHA256] = append(s.byHash[h.SHA256], e)
	}
	if b := h.Base(); b != "" {
		s.byName[b] = append(s.byName[b], e)
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return true, nil
}

// remember records a hint ID until `until`; at most 4 x max IDs are held
// (the oldest go first), so memory stays bounded under a flood.
func (s *Hints) remember(id string, until time.Time) {
	for len(s.seenOrder) >= 4*s.max {
		delete(s.seen, s.seenOrder[0])
		s.seenOrder = s.seenOrder[1:]
	}
	s.seen[id] = until
	s.seenOrder = append(s.seenOrder, id)
}

// Len returns the number of hints held.
func (s *Hints) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prune(s.now())
	return s.live
}

// Match returns the best hint for f: a SHA-256 match first, then name and
// size, then name; among equals the one closest in time to f.Seen. A hint
// matched by name is consumed (one detection, one file); a hint matched by
// SHA-256 stays until it expires, so a retried analysis or a second copy
// of the same content gets the same signature.
func (s *Hints) Match(f File) (Hint, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prune(s.now())
	if s.live == 0 {
		return Hint{}, false
	}
	var best *entry
	bestStrength := noMatch
	var bestGap time.Duration
	consider := func(es []*entry) {
		for _, e := range es {
			if e.gone {
				continue
			}
			st := strength(e.Hint, f, s.window)
			if st == noMatch {
				continue
			}
			gap := f.Seen.Sub(e.Time).Abs()
			if st > bestStrength || (st == bestStrength && gap < bestGap) {
				best, bestStrength, bestGap = e, st, gap
			}
		}
	}
	if f.SHA256 != "" {
		consider(s.byHash[strings.ToLower(f.SHA256)])
	}
	if bestStrength < matchHash {
		consider(s.byName[f.Name])
		if n := StripSuffix(f.Name); n != f.Name {
			consider(s.byName[n])
		}
	}
	if best == nil {
		return Hint{}, false
	}
	if bestStrength < matchHash {
		s.drop(best)
	}
	return best.Hint, true
}

// Changed returns a channel that is closed by the next Add.
func (s *Hints) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Lookup returns the signature of the hint matching the file, waiting for
// one to arrive until `until` passes or ctx ends (until in the past: no
// wait). It is what the sidecar's workers call before analysing a file.
func (s *Hints) Lookup(ctx context.Context, name string, size int64, sha256 string, seen, until time.Time) (string, bool) {
	f := File{Name: name, Size: size, SHA256: sha256, Seen: seen}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		ch := s.Changed()
		if h, ok := s.Match(f); ok {
			return h.Signature, true
		}
		left := until.Sub(s.now())
		if left <= 0 {
			return "", false
		}
		if timer == nil {
			timer = time.NewTimer(left)
		} else {
			timer.Reset(left)
		}
		select {
		case <-ch:
		case <-timer.C:
			return "", false
		case <-ctx.Done():
			return "", false
		}
	}
}

// prune drops expired hints from the front of the arrival order (hint
// times are close to arrival order; a stray older hint in the middle is
// skipped by strength's window check and goes when it reaches the front).
func (s *Hints) prune(now time.Time) {
	i := 0
	for ; i < len(s.order); i++ {
		e := s.order[i]
		if !e.gone && now.Sub(e.Time) <= s.window {
			break
		}
		s.drop(e)
	}
	if i > 0 {
		s.order = s.order[i:]
	}
	// IDs leave in arrival order; one held a little longer behind a
	// younger one (a hint stamped in the future) is harmless.
	j := 0
	for ; j < len(s.seenOrder) && now.After(s.seen[s.seenOrder[j]]); j++ {
		delete(s.seen, s.seenOrder[j])
	}
	if j > 0 {
		s.seenOrder = s.seenOrder[j:]
	}
}

// drop removes e from the indexes (it stays in order until pruned).
func (s *Hints) drop(e *entry) {
	if e.gone {
		return
	}
	e.gone = true
	s.live--
	if e.SHA256 != "" {
		s.byHash[e.SHA256] = without(s.byHash[e.SHA256], e)
		if len(s.byHash[e.SHA256]) == 0 {
			delete(s.byHash, e.SHA256)
		}
	}
	if b := e.Base(); b != "" {
		s.byName[b] = without(s.byName[b], e)
		if len(s.byName[b]) == 0 {
			delete(s.byName, b)
		}
	}
}

func without(es []*entry, e *entry) []*entry {
	for i, x := range es {
		if x == e {
			return append(es[:i:i], es[i+1:]...)
		}
	}
	return es
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

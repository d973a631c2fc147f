package indicators

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/internal/race"
)

// The differential tests hold Scan to the frozen reference evaluation in
// reference_test.go: every optimisation of the scan must leave the hits
// (ids, positions, excerpts, counts and order) exactly as they were.

var refCatalogOnce = sync.OnceValue(func() *refCatalog {
	c, err := refNewCatalog(registry())
	if err != nil {
		panic(err)
	}
	return c
})

// scanLangs are the scopes every differential text is scanned in.
var scanLangs = append(lang.All(), lang.Unknown, lang.Language(200))

// checkSame fails t when Scan and the reference disagree on text in l.
func checkSame(t testing.TB, c *Catalog, ref *refCatalog, name, text string, l lang.Language) bool {
	t.Helper()
	got := c.Scan(text, l, 1)
	want := ref.Scan(text, l, 1)
	if reflect.DeepEqual(got, want) {
		return true
	}
	t.Errorf("%s (%v, %d bytes): Scan differs from the reference\n got: %s\nwant: %s", name, l, len(text), hitsSummary(got), hitsSummary(want))
	return false
}

func hitsSummary(hits []Hit) string {
	var b strings.Builder
	for _, h := range hits {
		b.WriteString("\n  ")
		b.WriteString(h.ID)
		b.WriteString(" ")
		b.WriteString(strconv.Itoa(h.Line) + ":" + strconv.Itoa(h.Column) + " x" + strconv.Itoa(h.Count))
		b.WriteString(" ")
		b.WriteString(h.Excerpt)
	}
	return b.String()
}

// fixtureTexts returns the catalog's fixtures and variants of them that
// stress the line windows: fixtures padded on one long line past the window
// bounds, all fixtures joined in one text and joined on one line.
func fixtureTexts() []string {
	var texts []string
	var all []string
	for _, ind := range registry() {
		for _, tp := range ind.TruePositives {
			text, _, _ := fixture(tp)
			all = append(all, text)
		}
		all = append(all, ind.FalsePositives...)
	}
	pad := func(n int) string { return strings.Repeat("ab+cd ", n/6+1)[:n] }
	for _, x := range all {
		texts = append(texts, x,
			pad(500)+x+pad(1000),
			pad(520)+x,
			x+pad(1030),
			strings.ToUpper(x),
			x+"\n"+x+"\r\n"+x,
			strings.Repeat(x+"; ", 12),
		)
	}
	texts = append(texts, strings.Join(all, "\n"), strings.Join(all, " "), strings.Join(all, "\r\n"),
		benchScript(5<<10), "", "\n", "\xff\xfe", strings.Repeat("'a'+", 40)+"'b'",
		strings.Repeat("[]+!", 200), strings.Repeat("\\x41", 30))
	return texts
}

func TestScanMatchesReferenceFixtures(t *testing.T) {
	c, ref := Default(), refCatalogOnce()
	for i, text := range fixtureTexts() {
		for _, l := range scanLangs {
			if !checkSame(t, c, ref, "fixture text "+strconv.Itoa(i), text, l) {
				break
			}
		}
	}
}

// TestScanMatchesReferenceDevCorpus compares every layer the engine scans
// for the dev corpus, in its own language and as an unknown language (every
// indicator in scope).
func TestScanMatchesReferenceDevCorpus(t *testing.T) {
	layers := loadDevLayers(t)
	c, ref := Default(), refCatalogOnce()
	fails := 0
	for i, ly := range layers {
		if !race.Sample(i) {
			continue // the reference's regexps under the race detector would take minutes
		}
		for _, l := range []lang.Language{ly.l, lang.Unknown} {
			if !checkSame(t, c, ref, ly.name, ly.text, l) {
				fails++
			}
		}
		if fails > 10 {
			t.Fatal("too many differences")
		}
	}
}

func FuzzScanMatchesReference(f *testing.F) {
	for _, ind := range registry() {
		for _, tp := range ind.TruePositives {
			text, _, _ := fixture(tp)
			f.Add(text, uint8(lang.Unknown))
		}
	}
	f.Add(strings.Repeat("'a'+", 40)+"'b'", uint8(lang.JavaScript))
	f.Add(strings.Repeat("[]+!", 200), uint8(lang.JavaScript))
	c, ref := Default(), refCatalogOnce()
	f.Fuzz(func(t *testing.T, text string, l uint8) {
		if len(text) > 1<<16 {
			return
		}
		checkSame(t, c, ref, "fuzz", text, lang.Language(l%9))
	})
}

// matchFns pairs each statistical match function with its frozen copy.
func matchFns() map[string][2]func(text, lower string) int {
	out := map[string][2]func(text, lower string) int{}
	for _, ind := range registry() {
		if ind.m.fn != nil {
			out[ind.ID] = [2]func(text, lower string) int{ind.m.fn, refFn(ind)}
		}
	}
	return out
}

func checkSameFns(t testing.TB, name, text string) {
	t.Helper()
	lower := asciiLower(text)
	for id, fns := range matchFns() {
		if got, want := fns[0](text, lower), fns[1](text, lower); got != want {
			t.Errorf("%s on %s (%d bytes): got %d, want %d", id, name, len(text), got, want)
		}
	}
}

func TestMatchFnsMatchReference(t *testing.T) {
	for i, text := range fixtureTexts() {
		checkSameFns(t, "fixture text "+strconv.Itoa(i), text)
	}
	edge := []string{
		strings.Repeat("A", 399) + "a1", strings.Repeat("Aa1", 134), "x" + strings.Repeat("Ab1+", 100) + "=",
		strings.Repeat("Ab1", 200) + "\n" + strings.Repeat("ab", 300),
		"[" + strings.Repeat("65, ", 39) + "65]", "(" + strings.Repeat("0x41 ,\t\r\n", 39) + "0x41)",
		"[" + strings.Repeat("65,", 38) + "65]",
		strings.Repeat("XmtKaYoDq QwPzRtKxv ", 20), strings.Repeat("a1g2h3k4m5n6 9abcdefgh _XmtKaYoDq ", 10),
	}
	for i, text := range edge {
		checkSameFns(t, "edge text "+strconv.Itoa(i), text)
	}
	for _, ly := range loadDevLayers(t) {
		checkSameFns(t, ly.name, ly.text)
	}
}

func FuzzMatchFnsMatchReference(f *testing.F) {
	f.Add(strings.Repeat("Ab1", 140))
	f.Add("[" + strings.Repeat("65, ", 39) + "65]")
	f.Add(randomIdentifierFixture)
	f.Add(sampleBase64)
	f.Add("x(1,2,3) [" + strings.Repeat("104, ", 45) + "300]\n{" + strings.Repeat("0x41,", 40) + "0x41}")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<16 {
			return
		}
		checkSameFns(t, "fuzz", text)
	})
}

func TestASCIILower(t *testing.T) {
	var all strings.Builder
	for b := 0; b < 256; b++ {
		all.WriteByte(byte(b))
	}
	texts := []string{"", "a", "A", "abcdefgh", "ABCDEFGH", "abcdefgH", "Habcdefg", "@[`{AZaz\xc1\xda\xff",
		all.String(), strings.Repeat(all.String(), 5) + "XYZ", strings.Repeat("x", 1000) + "Q"}
	for _, text := range texts {
		if got, want := asciiLower(text), refAsciiLower(text); got != want {
			t.Errorf("asciiLower(%q): got %q, want %q", text, got, want)
		}
	}
}

func FuzzASCIILower(f *testing.F) {
	f.Add("Hello, World! \xc1\xdaZ")
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := asciiLower(text), refAsciiLower(text); got != want {
			t.Errorf("asciiLower(%q): got %q, want %q", text, got, want)
		}
	})
}

func TestNonIdentMask(t *testing.T) {
	for b := 0; b < 256; b++ {
		for pos := 0; pos < 8; pos++ {
			w := []byte("abcdefgh")
			w[pos] = byte(b)
			got := nonIdentMask(load64(string(w), 0))
			var want uint64
			if byteClass[b]&(clUpper|clLower|clDigit|clUnder) == 0 {
				want = 0x80 << (8 * pos)
			}
			if got != want {
				t.Fatalf("byte %#x at %d: got %#x, want %#x", b, pos, got, want)
			}
		}
	}
}

// TestIsRandomIdentMatchesReference holds the bitmask judgement of identifiers to the
// byte-by-byte reference: on random identifiers of every length it takes
// (with biased alphabets so that each property occurs), and on every
// identifier of the dev-corpus layers.
func TestIsRandomIdentMatchesReference(t *testing.T) {
	check := func(s string) {
		t.Helper()
		if got, want := isRandomIdent(s), refIsRandomIdent(s); got != want {
			t.Fatalf("isRandomIdent(%q): got %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"XmtKaYoDq", "qzxvbnrt", "a1b2c3d4e5", "deadbeefcafe1234", "HTTPServer",
		"a_1b_2c_3d_4e", "aBcDeFgH", "ABCDEFGHIJ", "bcdfgh_x", "x1y2z3_4a5b6", "getElementById"} {
		check(s)
	}
	alphabets := []string{
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
		"aA1_", "bcdfgzZ", "ab1", "aBcD", "abcdefABCDEF0123456789", "xY_9", "a_B",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 80; n++ {
		for range 2000 {
			abc := alphabets[rng.IntN(len(alphabets))]
			b := make([]byte, n)
			for i := range b {
				b[i] = abc[rng.IntN(len(abc))]
			}
			check(string(b))
		}
	}
	for _, ly := range loadDevLayers(t) {
		for _, tok := range strings.FieldsFunc(ly.text, func(r rune) bool { return r >= utf8.RuneSelf || !isIdent(byte(r)) }) {
			check(tok)
		}
	}
}

func FuzzIsRandomIdent(f *testing.F) {
	f.Add("XmtKaYoDq")
	f.Add("a1b2c3d4e5")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isRandomIdent(s), refIsRandomIdent(s); got != want {
			t.Fatalf("isRandomIdent(%q): got %v, want %v", s, got, want)
		}
	})
}

// TestCharCodeArrayMatchesReference holds charCodeArray, which jumps from
// chain to chain, to the frozen byte-by-byte walk on texts built from the
// pieces of integer lists: brackets, integers (decimal, hex, too long,
// glued to letters), separators and noise, in random order and amounts.
func TestCharCodeArrayMatchesReference(t *testing.T) {
	pieces := []string{"[", "(", "{", "]", ")", ",", ", ", " ,", "\n", "\t", " ", "\r\n",
		"65", "104", "7", "300", "0x41", "0X7f", "0xZZ", "12345678901", "1.5", "65a", "x", "ab", "q", "\"", ";"}
	rng := rand.New(rand.NewPCG(3, 4))
	hits := 0
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(6) {
			if rng.IntN(2) == 0 {
				b.WriteString(pieces[rng.IntN(len(pieces))])
				continue
			}
			// A list of random length, mostly well formed.
			b.WriteString(pieces[rng.IntN(3)])
			n := 34 + rng.IntN(20)
			for k := range n {
				if k > 0 {
					b.WriteString([]string{",", ", ", " ,\n", ",\t"}[rng.IntN(4)])
				}
				if rng.IntN(40) == 0 {
					b.WriteString(pieces[rng.IntN(len(pieces))])
				}
				b.WriteString([]string{"65", "104", "7", "300", "0x41", "32", "126", "13"}[rng.IntN(8)])
			}
		}
		text := b.String()
		got, want := charCodeArray(text, ""), refCharCodeArray(text, "")
		if got != want {
			t.Fatalf("charCodeArray(%q): got %d, want %d", text, got, want)
		}
		if got >= 0 {
			hits++
		}
	}
	if hits < 200 || hits > 2800 {
		t.Errorf("%d of 3000 texts hold a list: the generator needs retuning", hits)
	}
}

func TestLastNewline(t *testing.T) {
	for n := 0; n <= 40; n++ {
		for _, fill := range []byte{'a', '\n' ^ 0x80, 0x0b, 0x8a, 0} {
			b := bytes.Repeat([]byte{fill}, n)
			check := func() {
				t.Helper()
				if got, want := lastNewline(string(b)), strings.LastIndexByte(string(b), '\n'); got != want {
					t.Fatalf("lastNewline(%q): got %d, want %d", b, got, want)
				}
			}
			check()
			for i := range b {
				b[i] = '\n'
				check()
				for j := i + 1; j < n; j += 3 {
					b[j] = '\n'
					check()
					b[j] = fill
				}
				b[i] = fill
			}
		}
	}
}

func FuzzLastNewline(f *testing.F) {
	f.Add("a\nb\n\x8a\x0bcdefghij")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := lastNewline(s), strings.LastIndexByte(s, '\n'); got != want {
			t.Fatalf("lastNewline(%q): got %d, want %d", s, got, want)
		}
	})
}

func FuzzExcerpt(f *testing.F) {
	f.Add("  plain line\twith a tab  ", 3)
	f.Add("a\x1b[31mb\r\xff\xfe é \x7f", 2)
	f.Fuzz(func(t *testing.T, line string, pos int) {
		if len(line) > 4096 {
			return
		}
		pos = max(0, min(len(line), pos))
		if got, want := excerpt(line, 0, len(line), pos), refExcerpt(line, 0, len(line), pos); got != want {
			t.Fatalf("excerpt(%q, %d): got %q, want %q", line, pos, got, want)
		}
	})
}

// naiveStretch is stretch over chainBytes by its definition.
func naiveStretch(text string, from, n int) int {
	for p := from; p+n <= len(text); p++ {
		ok := true
		for k := p; k < p+n; k++ {
			ok = ok && chainBytes[text[k]]
		}
		if ok {
			return p
		}
	}
	return -1
}

func TestStretch(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const abc = ", 0x9aF\nq;(" // chain bytes and others
	for range 20000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = abc[rng.IntN(len(abc)-rng.IntN(4))]
		}
		from, n := rng.IntN(len(b)+2), 1+rng.IntN(8)
		if got, want := stretch(string(b), from, n, &chainBytes), naiveStretch(string(b), from, n); got != want {
			t.Fatalf("stretch(%q, %d, %d): got %d, want %d", b, from, n, got, want)
		}
	}
}

func FuzzStretch(f *testing.F) {
	f.Add("ab, 1,2,3 x", 1, 4)
	f.Fuzz(func(t *testing.T, s string, from, n int) {
		from, n = max(0, from%(len(s)+2)), 1+max(0, n%100)
		if got, want := stretch(s, from, n, &chainBytes), naiveStretch(s, from, n); got != want {
			t.Fatalf("stretch(%q, %d, %d): got %d, want %d", s, from, n, got, want)
		}
	})
}

// TestRawIPURLMatchesReference holds the one-pass rawIPURL to the frozen
// search per scheme on texts built from URL pieces, with more than 256
// URLs of a scheme in some of them.
func TestRawIPURLMatchesReference(t *testing.T) {
	pieces := []string{"http://", "https://", "ftp://", "hxxp://", "://", "http:/", "10.0.0.1/", "8.8.8.8/", "203.0.113.9:80",
		"1.2.3.4a", "example.com/", " ", "\n", "h", "ttp://", "f", "tp://", "s://"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 3000 {
		var b strings.Builder
		if rng.IntN(4) == 0 {
			for range 250 + rng.IntN(20) {
				b.WriteString([]string{"http://10.0.0.1/ ", "https://192.168.0.1/ ", "ftp://127.0.0.1/ "}[rng.IntN(3)])
			}
		}
		for range rng.IntN(30) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := b.String()
		if got, want := rawIPURL(text, text), refRawIPURL(text, text); got != want {
			t.Fatalf("rawIPURL(%q): got %d, want %d", text, got, want)
		}
	}
}

package decode

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/google/go-cmp/cmp"
)

// Differential tests of rewritten code against the frozen copies in
// reference_test.go.

// checkJSLiterals compares jsLiterals with its frozen reference on s.
func checkJSLiterals(t *testing.T, s string) {
	t.Helper()
	got, want := jsLiterals(s), refJSLiterals(s)
	if len(got) != len(want) {
		t.Fatalf("jsLiterals(%q): %d literals, want %d", trim(s), len(got), len(want))
	}
	for k, g := range got {
		w := want[k]
		if g.start != w.start || g.end != w.end || g.val != w.val || g.pure != w.pure || int(g.escapes) != w.escapes {
			t.Fatalf("jsLiterals(%q)[%d] = %+v, want %+v", trim(s), k, g, w)
		}
	}
}

var jsLexSeeds = []string{
	"", `'`, `"a\`, "`a${b}\\x41`", `"\x41\u0042\u{43}\101\0\8\r\n"`, "'a\\\r\nb' \"c\\\nd\" 'e\\\rf'",
	`"\uD83D\uDE00 \uD800x \u{110000} \u{1F600}"`, "`x\\`${y}` 'it\\'s' \"q\\\"\"", "'\\é' \"\\\xff\" '\\",
	"x = /a'b/g; y = a / 'c' / d; // 'no'\n/* \"no\" */ 'yes'", "\"a\nb\" `c\nd` 'e\\",
	"'\\x4' '\\u12' '\\u{' '\\777' '\\400' '\\08'",
}

func TestJSLiteralsReference(t *testing.T) {
	for _, s := range append(append([]string{}, jsLexSeeds...), matchSeeds...) {
		checkJSLiterals(t, s)
		for n := 0; n < len(s); n++ {
			checkJSLiterals(t, s[:n])
		}
	}
	checkJSLiterals(t, strings.Repeat(`"\x41bc\u0044" + 'e\'f' + `+"`g${h}\\n`", 500))
}

// TestJSLiteralsCorpus compares jsLiterals with its reference on every dev
// sample.
func TestJSLiteralsCorpus(t *testing.T) {
	corpus.Sweep(t, corpus.Dev, func(_, text string) { checkJSLiterals(t, text) })
}

func FuzzJSLiterals(f *testing.F) {
	for _, s := range append(append([]string{}, jsLexSeeds...), matchSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkJSLiterals(t, s) })
}

func checkUTF16LE(t *testing.T, b []byte) {
	t.Helper()
	if got, want := utf16le(b), refUTF16LE(b); got != want {
		t.Fatalf("utf16le(%x) = %q, want %q", b, got, want)
	}
}

func TestUTF16LEReference(t *testing.T) {
	units := []uint16{0, 'A', 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfeff, 0xfffd, 0xffff}
	for _, a := range units {
		for _, c := range units {
			for _, tail := range [][]byte{nil, {0x41}, {0xff, 0xfe}} {
				b := append([]byte{byte(a), byte(a >> 8), byte(c), byte(c >> 8)}, tail...)
				checkUTF16LE(t, b)
				checkUTF16LE(t, append([]byte{0xff, 0xfe}, b...))
				checkUTF16LE(t, b[:3])
			}
		}
	}
	checkUTF16LE(t, nil)
	checkUTF16LE(t, []byte{0xff})
}

func FuzzUTF16LE(f *testing.F) {
	f.Add([]byte("\xff\xfeA\x00=\xd8\x00\xde\x00\xdc"))
	f.Fuzz(func(t *testing.T, b []byte) { checkUTF16LE(t, b) })
}

// checkLatin1Share compares latin1Share with what it stands for.
func checkLatin1Share(t *testing.T, b []byte) {
	t.Helper()
	want := 1.0
	if !looksUTF16LE(b) && !utf8.Valid(bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})) {
		want = asciiShare(bytesText(b))
	}
	if got := latin1Share(b); got != want {
		t.Fatalf("latin1Share(%x) = %v, want %v", b, got, want)
	}
}

func TestLatin1Share(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 100, 4095, 4096, 4097, 8191, 8192, 8193, 9000, 20000} {
		for _, fill := range []string{"a", "\xe9", "a\xe9", "\xe9\x01a\n", "\xef\xbb\xbf\xe9"} {
			b := []byte(strings.Repeat(fill, n/len(fill)+1))[:n]
			checkLatin1Share(t, b)
			checkLatin1Share(t, append(b, 0xff))
			checkLatin1Share(t, append([]byte{0xff}, b...))
		}
	}
}

func FuzzLatin1Share(f *testing.F) {
	f.Add([]byte("\xe9\x01a\n\xff"))
	f.Fuzz(func(t *testing.T, b []byte) { checkLatin1Share(t, b) })
}

// checkArrayRefs compares findArrayRefs with the regexp it replaces.
func checkArrayRefs(t *testing.T, text, name string) {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(name) + `\[\s*(0x[0-9a-fA-F]+|\d+)\s*\]`)
	if got, want := findArrayRefs(text, name), re.FindAllStringSubmatchIndex(text, -1); !cmp.Equal(got, want) {
		t.Fatalf("findArrayRefs(%q, %q) = %v, want %v", trim(text), name, got, want)
	}
}

var arrayRefSeeds = []string{
	"a[0] a[ 12 ] a[0x1F] a[0X1] a[0x] a[0x1g] a[01] a[\t0x0a\n] a [1] aa[2] a[[3]] a[4",
	"_0x1[0x0]+_0x1[1]+_0x1['2']+x_0x1[3]+$_0x1[4]+_0x1[ 0x5 ]", "a[]a[a[1]]a[-1]a[1.5]a[1e3]",
}

func TestArrayRefs(t *testing.T) {
	for _, s := range arrayRefSeeds {
		for _, name := range []string{"a", "_0x1", "$a", "a$"} {
			checkArrayRefs(t, s, name)
			for n := 0; n < len(s); n++ {
				checkArrayRefs(t, s[n:], name)
			}
		}
	}
	corpus.Sweep(t, corpus.Dev, func(_, text string) {
		for _, d := range findJSArrayDecls(text, 64) {
			checkArrayRefs(t, text[d[1]:], text[d[2]:d[3]])
		}
	})
}

func FuzzArrayRefs(f *testing.F) {
	for _, s := range arrayRefSeeds {
		f.Add(s, "a")
	}
	ident := regexp.MustCompile(`^[A-Za-z_$][\w$]*$`)
	f.Fuzz(func(t *testing.T, text, name string) {
		if !ident.MatchString(name) {
			return // names come from findJSArrayDecls
		}
		checkArrayRefs(t, text, name)
	})
}

// plusGapSeeds are gaps between literals for isPlusGap.
var plusGapSeeds = []string{
	"", "+", " + ", "\t+\n", "++", " + x", "x", "\v\f+\r", "\u00a0+", "+\u2028", "\u3000 + \u0085",
	"+\xff", "\xff+", " +\u00a0x", ",", " ", "\u00a0", "+ \u205f\u202f",
}

// TestIsPlusGap compares isPlusGap with the strings.TrimSpace it replaced.
func TestIsPlusGap(t *testing.T) {
	for _, g := range plusGapSeeds {
		if got, want := isPlusGap(g), strings.TrimSpace(g) == "+"; got != want {
			t.Errorf("isPlusGap(%q) = %v, want %v", g, got, want)
		}
	}
}

func FuzzIsPlusGap(f *testing.F) {
	for _, g := range plusGapSeeds {
		f.Add(g)
	}
	f.Fuzz(func(t *testing.T, g string) {
		if got, want := isPlusGap(g), strings.TrimSpace(g) == "+"; got != want {
			t.Errorf("isPlusGap(%q) = %v, want %v", g, got, want)
		}
	})
}

var foldSeeds = []string{"", "a", "PowerShell -c x", "xPWSHy", "[CHAR]65 [char]", "[string][Char]", "\rmd", "CmD /c", "fromCharCode", "pow\u212aershell"}

// checkASCIIFold compares indexASCIIFold with strings.Index on the
// ASCII-lower-cased text, which it replaced, from every offset.
func checkASCIIFold(t *testing.T, s string) {
	t.Helper()
	lower := asciiLower(s)
	for _, w := range []string{"powershell", "pwsh", "cmd", "[char]", "[string]", "fromcharcode", "-e", "\r"} {
		for i := 0; i <= len(s); i++ {
			want := strings.Index(lower[i:], w)
			if want >= 0 {
				want += i
			}
			if got := indexASCIIFold(s, i, w); got != want {
				t.Fatalf("indexASCIIFold(%q, %d, %q) = %d, want %d", trim(s), i, w, got, want)
			}
		}
	}
}

func TestIndexASCIIFold(t *testing.T) {
	for _, s := range append(append([]string{}, foldSeeds...), matchSeeds...) {
		checkASCIIFold(t, s)
	}
}

func FuzzIndexASCIIFold(f *testing.F) {
	for _, s := range foldSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkASCIIFold(t, s) })
}

var setLineSeeds = []string{"set a=b", "  @ SET \"x=1\"", "@set/a x=1", "ſet a=b", "echo set a=b", "\tSeT  a = b ", "@", "", "s", "set", "\f@\tset x=y\nz"}

func checkMatchSet(t *testing.T, line string) {
	t.Helper()
	if got, want := matchSet(line), reSet().FindStringSubmatch(line); !slices.Equal(got, want) {
		t.Fatalf("matchSet(%q) = %q, want %q", line, got, want)
	}
}

// TestMatchSet compares matchSet with the regexp it filters for, on every
// line of the dev samples.
func TestMatchSet(t *testing.T) {
	for _, s := range setLineSeeds {
		checkMatchSet(t, s)
	}
	corpus.Sweep(t, corpus.Dev, func(_, text string) {
		for line := range strings.SplitSeq(text, "\n") {
			checkMatchSet(t, strings.TrimRight(line, "\r"))
		}
	})
}

func FuzzMatchSet(f *testing.F) {
	for _, s := range setLineSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkMatchSet(t, s) })
}

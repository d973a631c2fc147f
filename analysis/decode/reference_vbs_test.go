package decode

import (
	"slices"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

// refVBSLiterals is vbsLiterals as of 6cf4f88, which built every value
// byte by byte. Frozen for the differential tests below.
func refVBSLiterals(s string) []vbsLit {
	var out []vbsLit
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\'' || (c == 'r' || c == 'R') && hasPrefixFold(s, i, "rem ") && (i == 0 || s[i-1] == '\n' || s[i-1] == ':' || isSpace(s[i-1])) && lineStart(s, i):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return out
			}
			i += j + 1
		case c == '"':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(s) && s[j] != '\n' {
				if s[j] == '"' {
					if j+1 < len(s) && s[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteByte(s[j])
				j++
			}
			if closed {
				out = append(out, vbsLit{start: i, end: j, val: b.String()})
			}
			i = j
		default:
			i++
		}
	}
	return out
}

func checkVBSLiterals(t *testing.T, s string) {
	t.Helper()
	if got, want := vbsLiterals(s), refVBSLiterals(s); !slices.Equal(got, want) {
		t.Fatalf("vbsLiterals(%q) = %+v, want %+v", trim(s), got, want)
	}
}

var vbsLexSeeds = []string{
	"", `"`, `""`, `"""`, `""""`, `"a""b"`, `"a"""`, `""""""`, `"a""`, "\"a\nb\"", `x = "a" & "b""c" ' "no"`,
	"Rem \"no\"\n\"yes\"", "x: rem \"no\"\n\"yes\"", "arem \"yes\"", `"é""\xff"`, "\"a\r\n\"", `"""a"""`,
}

func TestVBSLiteralsReference(t *testing.T) {
	for _, s := range append(append([]string{}, vbsLexSeeds...), matchSeeds...) {
		for n := 0; n <= len(s); n++ {
			checkVBSLiterals(t, s[:n])
			checkVBSLiterals(t, s[n:])
		}
	}
	checkVBSLiterals(t, strings.Repeat(`s = "a""b" & Chr(65) & "" ' c "d"`+"\n", 500))
}

// TestVBSLiteralsCorpus compares vbsLiterals with its reference on every
// dev sample.
func TestVBSLiteralsCorpus(t *testing.T) {
	corpus.Sweep(t, corpus.Dev, func(_, text string) { checkVBSLiterals(t, text) })
}

func FuzzVBSLiterals(f *testing.F) {
	for _, s := range append(append([]string{}, vbsLexSeeds...), matchSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkVBSLiterals(t, s) })
}

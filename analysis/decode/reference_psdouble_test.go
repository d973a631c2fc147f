package decode

import (
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

// Frozen copies (as of 57f7c08) of the PowerShell double-quoted literal
// lexer, before psDoubleEscaped copied runs and looked escapes up in a
// table: refPSDouble, refPSDoubleEscaped and refPSSubexpr call each other
// only.

func refPSDouble(s string, i, nest int) psLit {
	// Without escapes, doubled quotes or $ inside, the value is a
	// substring: no copy.
	for j := i + 1; j < len(s); j++ {
		if c := s[j]; c == '"' {
			if j+1 < len(s) && s[j+1] == '"' {
				break
			}
			return psLit{start: i, end: j + 1, val: s[i+1 : j], pure: true}
		} else if c == '`' || c == '$' {
			break
		}
	}
	return refPSDoubleEscaped(s, i, nest)
}

// refPSDoubleEscaped is refPSDouble for a literal that holds an escape, a
// doubled quote or a $.
func refPSDoubleEscaped(s string, i, nest int) psLit {
	var b strings.Builder
	pure := true
	j := i + 1
	for j < len(s) {
		c := s[j]
		switch {
		case c == '`' && j+1 < len(s):
			if e, ok := refPSEscapes[s[j+1]]; ok {
				b.WriteByte(e)
			} else {
				b.WriteByte(s[j+1])
			}
			j += 2
		case c == '"':
			if j+1 < len(s) && s[j+1] == '"' {
				b.WriteByte('"')
				j += 2
				continue
			}
			return psLit{start: i, end: j + 1, val: b.String(), pure: pure}
		case c == '$' && j+1 < len(s) && s[j+1] == '(':
			pure = false
			end := refPSSubexpr(s, j+1, nest+1)
			b.WriteString(s[j:end])
			j = end
		case c == '$' && j+1 < len(s) && (isWord(s[j+1]) || s[j+1] == '{' || s[j+1] == ':'):
			pure = false
			b.WriteByte(c)
			j++
		default:
			b.WriteByte(c)
			j++
		}
	}
	return psLit{start: i, end: len(s), val: b.String(), pure: false}
}

// refPSSubexpr skips the balanced parentheses that start at s[i] == '(' and
// returns the index after the closing one.
func refPSSubexpr(s string, i, nest int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1
			}
		case '\'':
			j = psSingle(s, j).end - 1
		case '"':
			if nest < maxNest {
				j = refPSDouble(s, j, nest).end - 1
			}
		}
	}
	return len(s)
}

var refPSEscapes = map[byte]byte{'0': 0, 'a': 7, 'b': 8, 'e': 0x1b, 'f': 12, 'n': '\n', 'r': '\r', 't': '\t', 'v': 11}

// checkPSDouble compares psDouble with its frozen reference at every
// double quote of s.
func checkPSDouble(t *testing.T, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		if got, want := psDouble(s, i, 0), refPSDouble(s, i, 0); got != want {
			t.Fatalf("psDouble(%q, %d) = %+v, want %+v", trim(s), i, got, want)
		}
	}
}

var psDoubleSeeds = []string{
	"\"a`nb\"", `"x""y"`, `"$a $(b "c" 'd') e"`, `"$(("`, "\"`", `"${x}:$env:y"`, `"a$"`, `"$("`,
	"\"`0`a`b`e`f`n`r`t`v`q`\"\"", `"$((("a")))"`, `"""`, `"a`, `"$(')')"`,
}

func TestPSDoubleDifferential(t *testing.T) {
	for _, s := range psDoubleSeeds {
		for n := 0; n <= len(s); n++ {
			checkPSDouble(t, s[:n])
		}
	}
	checkPSDouble(t, strings.Repeat(`"a`+"`"+`t$x""$(1+"2")"`, 400))
	corpus.Sweep(t, corpus.Dev, func(_, text string) { checkPSDouble(t, text) })
}

func FuzzPSDouble(f *testing.F) {
	for _, s := range psDoubleSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkPSDouble(t, s) })
}

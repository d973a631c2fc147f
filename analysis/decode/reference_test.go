package decode

import (
	"strings"
	"unicode/utf16"
)

// Frozen copies of replaced code, for the differential tests.

// refJSLit is jsLit as of e456ca6.
type refJSLit struct {
	start, end int
	val        string
	pure       bool
	escapes    int
}

// refJSLiterals is jsLiterals as of e456ca6, before jsLit shrank and
// escaped literals were copied by runs; it lexes s for string literals, skipping comments and (roughly)
// regular-expression literals.
func refJSLiterals(s string) []refJSLit {
	// Every literal starts at a quote and most end at one: half the quotes
	// is a capacity that rarely grows. Long scripts hold thousands of
	// literals and regrowing the slice was most of what lexing allocated.
	quotes := strings.Count(s, "'") + strings.Count(s, `"`) + strings.Count(s, "`")
	if quotes == 0 {
		return nil
	}
	out := make([]refJSLit, 0, quotes/2+1)
	for i := 0; i < len(s); {
		for i < len(s) && !jsLexStart[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return out
			}
			i += j + 1
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return out
			}
			i += j + 4
		case c == '/':
			p := prevNonSpace(s, i)
			if p < 0 || strings.IndexByte("(,=:[!&|?{};+-*%<>~^", s[p]) >= 0 {
				i = skipRegex(s, i)
				continue
			}
			i++
		case c == '\'' || c == '"' || c == '`':
			l := refJSString(s, i)
			out = append(out, l)
			i = l.end
		default:
			i++
		}
	}
	return out
}

// refJSString decodes the literal whose quote is at s[i].
func refJSString(s string, i int) refJSLit {
	q := s[i]
	// Most literals hold no escape: their value is a substring of s, and
	// building it byte by byte was most of what decoding JavaScript
	// allocated.
	plain := true
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == q:
			return refJSLit{start: i, end: j + 1, val: s[i+1 : j], pure: plain}
		case c == '\n' && q != '`':
			return refJSLit{start: i, end: j, val: s[i+1 : j], pure: false}
		case c == '$' && q == '`' && j+1 < len(s) && s[j+1] == '{':
			plain = false
		case c == '\\':
			return refJSStringEscaped(s, i)
		}
	}
	return refJSLit{start: i, end: len(s), val: s[i+1:], pure: false}
}

// refJSStringEscaped is refJSString for a literal that holds an escape.
func refJSStringEscaped(s string, i int) refJSLit {
	q := s[i]
	var b strings.Builder
	pure := true
	esc := 0
	j := i + 1
	for j < len(s) {
		c := s[j]
		switch {
		case c == q:
			return refJSLit{start: i, end: j + 1, val: b.String(), pure: pure, escapes: esc}
		case c == '\n' && q != '`':
			return refJSLit{start: i, end: j, val: b.String(), pure: false}
		case c == '$' && q == '`' && j+1 < len(s) && s[j+1] == '{':
			pure = false
			b.WriteByte(c)
			j++
		case c == '\\' && j+1 < len(s):
			n, adv, counted := jsEscape(s, j)
			b.WriteString(n)
			if counted {
				esc++
			}
			j += adv
		default:
			b.WriteByte(c)
			j++
		}
	}
	return refJSLit{start: i, end: len(s), val: b.String(), pure: false}
}

// refUTF16LE is utf16le as of e456ca6.
func refUTF16LE(b []byte) string {
	if len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE {
		b = b[2:]
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

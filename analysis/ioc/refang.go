package ioc

import (
	"slices"
	"sort"
	"strings"
)

// Refang turns defanged indicators in s back into their raw form: hxxp://,
// hxxps://, hxtp://, fxp:// and their bracketed separators ([://], [:]//)
// become http://, https://, ftp://; [.], (.), {.}, [dot], (dot) become ".";
// [@], (@), [at], (at) become "@"; [:] becomes ":" and [/] becomes "/".
// Dot and at forms are only rewritten between name characters (evil[.]com,
// user[at]example), so regular expressions such as \d+[.]\d+ stay intact.
// Refang is a single linear pass.
func Refang(s string) string {
	r, _ := refang(s)
	return r
}

// Defang rewrites every URL, domain, IP address and e-mail address found in
// s into a form that neither clicks nor resolves: hxxp://, hxxps://, fxp://,
// dots of hosts as [.], "@" of e-mail addresses as [@] and the colons of
// IPv6 addresses as [:]. Text around the indicators is kept byte for byte.
// Already defanged indicators stay as they are, so Defang is idempotent, and
// Refang(Defang(s)) == s for any s that holds no defanged forms.
func Defang(s string) string {
	sc := newScanner(s, true)
	sc.scan()
	if len(sc.edits) == 0 {
		return s
	}
	edits := sc.edits
	slices.SortStableFunc(edits, func(a, b edit) int { return a.rs - b.rs })
	var b strings.Builder
	b.Grow(len(s) + 2*len(edits))
	last, lastR := 0, -1
	for _, e := range edits {
		if e.rs < lastR {
			continue // overlapping edit (the same dot from a URL and its host)
		}
		os, oe := sc.pm.start(e.rs), sc.pm.end(e.re)
		if os < last {
			continue
		}
		b.WriteString(s[last:os])
		b.WriteString(e.repl)
		last, lastR = oe, e.re
	}
	b.WriteString(s[last:])
	return b.String()
}

// chunk records one rewrite made by refang: refanged bytes [r, r+rl) came
// from original bytes [o, o+ol).
type chunk struct{ r, rl, o, ol int }

// posMap maps positions in refanged text back to the original text.
type posMap struct{ chunks []chunk }

// find returns the index of the last chunk that starts at or before r, or -1.
func (m posMap) find(r int) int {
	return sort.Search(len(m.chunks), func(i int) bool { return m.chunks[i].r > r }) - 1
}

// start maps the refanged position r to the original position of the byte
// it came from.
func (m posMap) start(r int) int {
	i := m.find(r)
	if i < 0 {
		return r
	}
	c := m.chunks[i]
	if r < c.r+c.rl {
		return c.o
	}
	return c.o + c.ol + r - (c.r + c.rl)
}

// end maps an exclusive end position in refanged text to the exclusive end
// of the original bytes it covers.
func (m posMap) end(r int) int {
	if r <= 0 {
		return 0
	}
	i := m.find(r - 1)
	if i < 0 {
		return r
	}
	c := m.chunks[i]
	if r-1 < c.r+c.rl {
		return c.o + c.ol
	}
	return c.o + c.ol + r - (c.r + c.rl)
}

// refang returns the refanged text and the map back to s. When s holds no
// defanged form it returns s itself and an empty map, without allocating.
func refang(s string) (string, posMap) {
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

// refangAt reports whether a defanged form starts at s[i]: the number of
// bytes it spans and its raw replacement, or 0.
func refangAt(s string, i int) (int, string) {
	switch c := s[i]; c {
	case '[', '(', '{':
		return refangBracket(s, i)
	case ' ':
		// " [dot] ", " (at) ": the spaced word forms.
		if i+1 < len(s) && (s[i+1] == '[' || s[i+1] == '(') && i > 0 && isAlnum(s[i-1]) {
			n, repl, nameSep := bracketForm(s, i+1)
			if nameSep && n > 3 && i+1+n+1 < len(s) && s[i+1+n] == ' ' && isAlnum(s[i+1+n+1]) {
				return n + 2, repl
			}
		}
	case 'h', 'H', 'f', 'F':
		return refangScheme(s, i)
	}
	return 0, ""
}

// refangBracket matches [.], (.), {.}, [dot], [@], [at], [:], [://], [/].
func refangBracket(s string, i int) (int, string) {
	n, repl, nameSep := bracketForm(s, i)
	if n == 0 {
		return 0, ""
	}
	if nameSep {
		// Only between name characters: evil[.]com, user[@]example.
		if i == 0 || !isNameEnd(s[i-1]) || i+n >= len(s) || !isAlnum(s[i+n]) {
			return 0, ""
		}
	}
	return n, repl
}

// bracketForm parses a bracketed defang form at s[i]: its length, its raw
// replacement and whether it separates names (dot and at forms).
func bracketForm(s string, i int) (int, string, bool) {
	var closer byte
	switch s[i] {
	case '[':
		closer = ']'
	case '(':
		closer = ')'
	case '{':
		closer = '}'
	}
	rest := s[i+1:]
	inner := ""
	switch {
	case len(rest) >= 2 && rest[1] == closer:
		inner = rest[:1]
	case len(rest) >= 3 && rest[2] == closer:
		inner = rest[:2]
	case len(rest) >= 4 && rest[3] == closer:
		inner = rest[:3]
	case len(rest) >= 5 && rest[4] == closer:
		inner = rest[:4]
	default:
		return 0, "", false
	}
	n := len(inner) + 2
	var repl string
	nameSep := false
	switch {
	case inner == ".":
		repl, nameSep = ".", true
	case strings.EqualFold(inner, "dot"):
		repl, nameSep = ".", true
	case inner == "@":
		repl, nameSep = "@", true
	case strings.EqualFold(inner, "at"):
		repl, nameSep = "@", true
	case inner == ":" && closer == ']':
		repl = ":"
	case inner == "://":
		repl = "://"
	case inner == "/" && closer == ']':
		repl = "/"
	default:
		return 0, "", false
	}
	return n, repl, nameSep
}

// isNameEnd reports whether c may end a host label or an e-mail local part.
func isNameEnd(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '%' || c == '+' }

// refangScheme matches hxxp, hxxps, hxtp, htxp, fxp, fxps (any case) when
// a scheme separator follows: ://, [://] or [:]//.
func refangScheme(s string, i int) (int, string) {
	rest := s[i:]
	var n int
	var repl string
	switch {
	case hasPrefixFold(rest, "hxxps"), hasPrefixFold(rest, "hxtps"), hasPrefixFold(rest, "htxps"):
		n, repl = 5, "https"
	case hasPrefixFold(rest, "hxxp"), hasPrefixFold(rest, "hxtp"), hasPrefixFold(rest, "htxp"):
		n, repl = 4, "http"
	case hasPrefixFold(rest, "fxps"):
		n, repl = 4, "ftps"
	case hasPrefixFold(rest, "fxp"):
		n, repl = 3, "ftp"
	default:
		return 0, ""
	}
	after := rest[n:]
	if strings.HasPrefix(after, "://") || strings.HasPrefix(after, "[://]") || strings.HasPrefix(after, "[:]//") {
		return n, matchCase(repl, rest[:n])
	}
	return 0, ""
}

// matchCase returns the lower-case repl with the letter case of orig, which
// has the same length (HXXP -> HTTP, Http -> Hxxp).
func matchCase(repl, orig string) string {
	up := false
	for i := 0; i < len(orig); i++ {
		up = up || isUpper(orig[i])
	}
	if !up {
		return repl
	}
	b := []byte(repl)
	for i := range b {
		if isUpper(orig[i]) && isLower(b[i]) {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

// hasPrefixFold is strings.HasPrefix with ASCII case folding; prefix must
// be lower case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// hasSuffixFold is strings.HasSuffix with ASCII case folding; suffix must
// be lower case.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && hasPrefixFold(s[len(s)-len(suffix):], suffix)
}

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
// It rewrites the forms refangAt reports from left to right, each search
// resuming after the previous form.
func refang(s string) (string, posMap) {
	r, pm, _ := refangURLs(s)
	return r, pm
}

// refangURLs is refang that also reports whether the refanged text may
// hold "://". When s holds no defanged form, the search for defanged
// schemes has looked for "//" from offset 4 on: if it found none, "://"
// can only start in the first five bytes. The scanner then skips its own
// search for URLs, which read most of a text that has none.
func refangURLs(s string) (string, posMap, bool) {
	f := newFangFinder(s)
	i, n, repl := f.next(0)
	if n == 0 {
		return s, posMap{}, f.sawSlashes || strings.Contains(s[:min(len(s), 5)], "://")
	}
	var b strings.Builder
	b.Grow(len(s))
	var chunks []chunk
	last := 0
	for n > 0 {
		b.WriteString(s[last:i])
		chunks = append(chunks, chunk{r: b.Len(), rl: len(repl), o: i, ol: n})
		b.WriteString(repl)
		last = i + n
		i, n, repl = f.next(last)
	}
	b.WriteString(s[last:])
	return b.String(), posMap{chunks: chunks}, true
}

// fangFinder finds the positions where refangAt reports a defanged form
// without trying every byte. Every form has one of two anchors that
// memchr-like searches find fast:
//
//   - an opening bracket ([, ( or {) followed by the first byte of a
//     bracketed form ([.], [dot], [@], [at], [:], [://], [/]); the spaced
//     forms (" [dot] ") start one space before it;
//   - the "//" of the separator after a defanged scheme (hxxp://,
//     hxxp[://], hxxp[:]//), four to eight bytes after the scheme starts.
//
// The finder keeps the next form found from each anchor. Since refangAt
// only reads s, a form found ahead stays the first one until the search
// moves past it; next must be called with non-decreasing positions.
type fangFinder struct {
	s string
	// open[k] is the position of the next bracketOpeners[k] at or after
	// the last bracket search, len(s) for none, or -1 before the first.
	open            [3]int
	bracket, scheme fangHit
	// slashes is where the search for the next "//" resumes; tried is the
	// last position tried as the start of a scheme.
	slashes, tried int
	// sawSlashes is set once the search finds a "//".
	sawSlashes bool
}

// fangHit is a defanged form: its position (len(s) for none, -1 before
// the first search), length and replacement.
type fangHit struct {
	pos, n int
	repl   string
}

// fangInner marks the bytes that may follow the opening bracket of a
// bracketed form; non-ASCII bytes are left to refangAt.
var fangInner = func() (t [256]bool) {
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	for _, c := range []byte(".dD@aA:/") {
		t[c] = true
	}
	return t
}()

func newFangFinder(s string) fangFinder {
	return fangFinder{
		s:       s,
		open:    [3]int{-1, -1, -1},
		bracket: fangHit{pos: -1},
		scheme:  fangHit{pos: -1},
		tried:   -1,
	}
}

// next returns the first defanged form at or after from: its position,
// length and replacement, or n == 0 when there is none.
func (f *fangFinder) next(from int) (i, n int, repl string) {
	if f.bracket.pos < from {
		f.bracket = f.nextBracket(from)
	}
	if f.scheme.pos < from {
		f.scheme = f.nextScheme(from)
	}
	h := f.bracket
	if f.scheme.pos < h.pos {
		h = f.scheme
	}
	if h.pos >= len(f.s) {
		return len(f.s), 0, ""
	}
	return h.pos, h.n, h.repl
}

// nextBracket returns the first bracketed or spaced form at or after from.
func (f *fangFinder) nextBracket(from int) fangHit {
	s := f.s
	// The next opener of each kind, in registers; only the kind just
	// passed needs a new search.
	sq, rd, cu := f.open[0], f.open[1], f.open[2]
	if sq < from {
		sq = indexByteFrom(s, '[', from)
	}
	if rd < from {
		rd = indexByteFrom(s, '(', from)
	}
	if cu < from {
		cu = indexByteFrom(s, '{', from)
	}
	for {
		o := min(sq, rd, cu)
		if o+1 >= len(s) {
			f.open = [3]int{sq, rd, cu}
			return fangHit{pos: len(s)}
		}
		if fangInner[s[o+1]] {
			h := fangHit{pos: -1}
			if o > from && s[o-1] == ' ' {
				if n, repl := refangAt(s, o-1); n > 0 {
					h = fangHit{o - 1, n, repl}
				}
			}
			if h.pos < 0 {
				if n, repl := refangAt(s, o); n > 0 {
					h = fangHit{o, n, repl}
				}
			}
			if h.pos >= 0 {
				f.open = [3]int{sq, rd, cu}
				return h
			}
		}
		switch o {
		case sq:
			sq = indexByteFrom(s, '[', o+1)
		case rd:
			rd = indexByteFrom(s, '(', o+1)
		default:
			cu = indexByteFrom(s, '{', o+1)
		}
	}
}

// indexByteFrom returns the position of the first c at or after p in s, or
// len(s) for none.
func indexByteFrom(s string, c byte, p int) int {
	if j := strings.IndexByte(s[p:], c); j >= 0 {
		return p + j
	}
	return len(s)
}

// nextScheme returns the first defanged scheme at or after from.
func (f *fangFinder) nextScheme(from int) fangHit {
	s := f.s
	for {
		start := max(f.slashes, from+4) // a scheme at from or later has its "//" there
		if start >= len(s) {
			return fangHit{pos: len(s)}
		}
		j := strings.Index(s[start:], "//")
		if j < 0 {
			f.slashes = len(s)
			return fangHit{pos: len(s)}
		}
		f.sawSlashes = true
		q := start + j
		for i := max(q-8, from, f.tried+1); i <= q-4; i++ {
			f.tried = i
			switch s[i] {
			case 'h', 'H', 'f', 'F':
				if n, repl := refangAt(s, i); n > 0 {
					f.slashes = q // the rest of this window is still to try
					return fangHit{i, n, repl}
				}
			}
		}
		f.slashes = q + 1
	}
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

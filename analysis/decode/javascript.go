package decode

import (
	"encoding/hex"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// jsLit is a JavaScript string literal, as the decoders see it.
type jsLit struct {
	start, end int
	val        string
	escapes    int32 // \x, \u and octal escapes decoded
	pure       bool  // not a template with ${...}
}

// jsLits is the string literals of one text, in order. Scripts hold
// hundreds of thousands of literals, so they are stored as records without
// pointers (the collector does not scan them) in lists a sync.Pool
// recycles: scan.release hands them back once the text is done.
type jsLits struct {
	text string
	recs []jsRec
	vals []string // the values of the literals that hold an escape
}

// jsRec is one literal of a jsLits.
type jsRec struct {
	start, end int
	// val is the index in vals of the value when the literal holds an
	// escape; -1 when the value is the text between the quotes.
	val     int
	escapes int32
	flags   uint8
}

const (
	jsPure   = 1 << iota // not a template with ${...}
	jsClosed             // ends with its closing quote (end is past it)
)

func (r *jsRec) pure() bool { return r.flags&jsPure != 0 }

// len returns the number of literals.
func (ls *jsLits) len() int { return len(ls.recs) }

// at returns literal k.
func (ls *jsLits) at(k int) jsLit {
	r := &ls.recs[k]
	l := jsLit{start: r.start, end: r.end, escapes: r.escapes, pure: r.pure()}
	if r.val >= 0 {
		l.val = ls.vals[r.val]
	} else {
		end := r.end
		if r.flags&jsClosed != 0 {
			end--
		}
		l.val = ls.text[r.start+1 : end]
	}
	return l
}

// value returns the value of literal k.
func (ls *jsLits) value(k int) string {
	r := &ls.recs[k]
	if r.val >= 0 {
		return ls.vals[r.val]
	}
	end := r.end
	if r.flags&jsClosed != 0 {
		end--
	}
	return ls.text[r.start+1 : end]
}

// jsLitsPool recycles jsLits (see scan.release).
var jsLitsPool = sync.Pool{New: func() any { return new(jsLits) }}

// maxPooledLits bounds the entries of a literal list kept for reuse: a rare
// huge script should not pin its list.
const maxPooledLits = 1 << 16

// lexJSLiterals lexes s for string literals into a list from the pool.
func lexJSLiterals(s string) *jsLits {
	ls := jsLitsPool.Get().(*jsLits)
	ls.text = s
	if cap(ls.recs) == 0 {
		// A new list (the pool empties at collections): every literal
		// starts at a quote and most end at one, so half the quotes is a
		// capacity that rarely grows, where growing from nothing copied
		// long lists over and over.
		quotes := strings.Count(s, "'") + strings.Count(s, `"`) + strings.Count(s, "`")
		ls.recs = make([]jsRec, 0, quotes/2+1)
	}
	ls.recs, ls.vals = lexJS(s, ls.recs[:0], ls.vals[:0])
	return ls
}

// putJSLits hands ls back to the pool; nothing may use it afterwards.
func putJSLits(ls *jsLits) {
	if cap(ls.recs) > maxPooledLits {
		return
	}
	if releasePoison {
		// A use after release would read garbage and fail the tests.
		for i := range ls.recs {
			ls.recs[i] = jsRec{start: -1, end: -1, val: -1}
		}
	}
	clear(ls.vals) // drop the values for the collector
	ls.text, ls.recs, ls.vals = "", ls.recs[:0], ls.vals[:0]
	jsLitsPool.Put(ls)
}

// lexJS appends the string literals of s to recs (and the values of those
// with an escape to vals), skipping comments and (roughly)
// regular-expression literals.
func lexJS(s string, recs []jsRec, vals []string) ([]jsRec, []string) {
	for i := 0; i < len(s); {
		i = jsLexNext(s, i)
		if i == len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return recs, vals
			}
			i += j + 1
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return recs, vals
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
			var r jsRec
			r, vals = jsString(s, i, vals)
			recs = append(recs, r)
			i = r.end
		default:
			i++
		}
	}
	return recs, vals
}

// jsLexStart marks the bytes the lexer acts on; it skips the others.
var jsLexStart = byteSet("/'\"`")

// jsLexNext returns the index of the first byte at or after i that
// jsLexStart marks, len(s) when there is none. It reads eight bytes a
// step: code holds a quote or a slash every few dozen bytes.
func jsLexNext(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		w := le64(s, i)
		if m := eqBits(w, '/') | eqBits(w, '\'') | eqBits(w, '"') | eqBits(w, '`'); m != 0 {
			return i + firstMarked(m)
		}
	}
	for i < len(s) && !jsLexStart[s[i]] {
		i++
	}
	return i
}

func skipRegex(s string, i int) int {
	inClass := false
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			inClass = true
		case ']':
			inClass = false
		case '/':
			if !inClass {
				return j + 1
			}
		case '\n':
			return i + 1
		}
	}
	return i + 1
}

// jsString decodes the literal whose quote is at s[i]; the value of one
// with an escape is appended to vals.
func jsString(s string, i int, vals []string) (jsRec, []string) {
	q := s[i]
	// Most literals hold no escape: their value is a substring of s, and
	// building it byte by byte was most of what decoding JavaScript
	// allocated.
	var plain uint8 = jsPure
	for j := jsStringStop(s, i+1, q); j < len(s); j = jsStringStop(s, j+1, q) {
		switch c := s[j]; {
		case c == q:
			return jsRec{start: i, end: j + 1, val: -1, flags: plain | jsClosed}, vals
		case c == '\n': // not in a template
			return jsRec{start: i, end: j, val: -1}, vals
		case c == '\\':
			return jsStringEscaped(s, i, j, plain != 0, vals)
		default: // '$' in a template
			if j+1 < len(s) && s[j+1] == '{' {
				plain = 0
			}
		}
	}
	return jsRec{start: i, end: len(s), val: -1}, vals
}

// jsStringStop returns the index of the first byte at or after j that ends
// or marks the literal quoted by q: q, a backslash, and a line feed or, in
// a template, a '$'. It is len(s) when there is none.
func jsStringStop(s string, j int, q byte) int {
	other := byte('\n')
	if q == '`' {
		other = '$'
	}
	for ; j+8 <= len(s); j += 8 {
		w := le64(s, j)
		if m := eqBits(w, q) | eqBits(w, '\\') | eqBits(w, other); m != 0 {
			return j + firstMarked(m)
		}
	}
	for ; j < len(s); j++ {
		if c := s[j]; c == q || c == '\\' || c == other {
			return j
		}
	}
	return len(s)
}

// jsStringEscaped is jsString for a literal that holds an escape, the
// first at s[j]; pure tells whether the bytes before it keep the literal
// pure. The bytes between escapes are copied a run at a time.
func jsStringEscaped(s string, i, j int, pure bool, vals []string) (jsRec, []string) {
	q := s[i]
	var b strings.Builder
	b.Grow(jsRawEnd(s, j, q) - (i + 1))
	var esc int32
	run := i + 1 // the first byte not copied yet
	for j = jsStringStop(s, j, q); j < len(s); j = jsStringStop(s, j, q) {
		c := s[j]
		switch {
		case c == q:
			b.WriteString(s[run:j])
			return escapedRec(i, j+1, pure, esc, b.String(), vals)
		case c == '\n': // not in a template
			b.WriteString(s[run:j])
			return escapedRec(i, j, false, 0, b.String(), vals)
		case c == '\\' && j+1 < len(s):
			b.WriteString(s[run:j])
			adv, counted := writeJSEscape(&b, s, j)
			if counted && esc < math.MaxInt32 {
				esc++
			}
			j += adv
			run = j
		default: // '$' in a template, or a backslash that ends s
			if c == '$' && j+1 < len(s) && s[j+1] == '{' {
				pure = false
			}
			j++
		}
	}
	b.WriteString(s[min(run, len(s)):])
	return escapedRec(i, len(s), false, 0, b.String(), vals)
}

// jsRawEnd returns where the literal quoted by q that goes on at s[j]
// ends, near enough to size its value: no escape decodes to more bytes
// than it spans, so the value fits in the bytes between its quote and its
// end. It takes every escape for two bytes, which at worst ends the
// literal early (a line continuation) and leaves the value to grow.
func jsRawEnd(s string, j int, q byte) int {
	for j < len(s) {
		j = jsStringStop(s, j, q)
		if j >= len(s) || s[j] == q || s[j] == '\n' {
			break
		}
		if s[j] == '\\' {
			j++
		}
		j++
	}
	return min(j, len(s))
}

// escapedRec is the record of the literal with an escape s[start:end]
// whose value is v, appended to vals.
func escapedRec(start, end int, pure bool, esc int32, v string, vals []string) (jsRec, []string) {
	r := jsRec{start: start, end: end, val: len(vals), escapes: esc}
	if pure {
		r.flags = jsPure
	}
	return r, append(vals, v)
}

// jsEscape decodes the escape at s[j] == '\\'. counted reports hex, unicode
// and octal escapes (the obfuscating kinds).
func jsEscape(s string, j int) (string, int, bool) {
	r, adv, counted := jsEscapeRune(s, j)
	switch r {
	case escNone:
		return "", adv, counted
	case escRaw:
		return s[j+1 : j+adv], adv, counted
	}
	return string(r), adv, counted
}

// Special values of jsEscapeRune's rune: the escape stands for nothing (a
// line continuation), or for the bytes that follow the backslash as they
// are.
const (
	escNone rune = -1
	escRaw  rune = -2
)

// writeJSEscape writes the value of the escape at s[j] == '\\' to b, as
// jsEscape returns it, without making a string of it.
func writeJSEscape(b *strings.Builder, s string, j int) (int, bool) {
	r, adv, counted := jsEscapeRune(s, j)
	switch r {
	case escNone:
	case escRaw:
		b.WriteString(s[j+1 : j+adv])
	default:
		b.WriteRune(r)
	}
	return adv, counted
}

// jsEscapeRune decodes the escape at s[j] == '\\' to a rune (or escNone,
// escRaw), the bytes it spans and whether it is of an obfuscating kind.
func jsEscapeRune(s string, j int) (rune, int, bool) {
	c := s[j+1]
	switch c {
	case 'n':
		return '\n', 2, false
	case 't':
		return '\t', 2, false
	case 'r':
		return '\r', 2, false
	case 'b':
		return '\b', 2, false
	case 'f':
		return '\f', 2, false
	case 'v':
		return '\v', 2, false
	case '\r':
		if j+2 < len(s) && s[j+2] == '\n' {
			return escNone, 3, false
		}
		return escNone, 2, false
	case '\n':
		return escNone, 2, false
	case 'x':
		if j+3 < len(s) && isHex(s[j+2]) && isHex(s[j+3]) {
			v, _ := strconv.ParseUint(s[j+2:j+4], 16, 8)
			return rune(v), 4, true
		}
	case 'u':
		if j+2 < len(s) && s[j+2] == '{' {
			k := strings.IndexByte(s[j+3:min(len(s), j+12)], '}')
			if k > 0 {
				if v, err := strconv.ParseUint(s[j+3:j+3+k], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
					return rune(v), k + 4, true
				}
			}
		} else if j+5 < len(s) && isHex(s[j+2]) && isHex(s[j+3]) && isHex(s[j+4]) && isHex(s[j+5]) {
			v, _ := strconv.ParseUint(s[j+2:j+6], 16, 16)
			// surrogate pair
			if v >= 0xD800 && v < 0xDC00 && j+11 < len(s) && s[j+6] == '\\' && s[j+7] == 'u' {
				if lo, err := strconv.ParseUint(s[j+8:j+12], 16, 16); err == nil && lo >= 0xDC00 && lo < 0xE000 {
					return rune((v-0xD800)<<10 + (lo - 0xDC00) + 0x10000), 12, true
				}
			}
			if v >= 0xD800 && v < 0xE000 {
				return utf8.RuneError, 6, true
			}
			return rune(v), 6, true
		}
	}
	if c >= '0' && c <= '7' {
		k := j + 1
		for k < len(s) && k < j+4 && s[k] >= '0' && s[k] <= '7' {
			k++
		}
		v, _ := strconv.ParseUint(s[j+1:k], 8, 16)
		if v > 255 {
			k--
			v, _ = strconv.ParseUint(s[j+1:k], 8, 16)
		}
		if v == 0 && k == j+2 {
			return 0, 2, false
		}
		return rune(v), k - j, true
	}
	_, size := utf8.DecodeRuneInString(s[j+1:])
	return escRaw, 1 + size, false
}

// writeJSQuote writes v to b as a double-quoted JavaScript literal. The
// rewriters hand their values to applyJSEdits, which quotes them straight
// into the new text.
func writeJSQuote(b *strings.Builder, v string) {
	b.WriteByte('"')
	for _, r := range v {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\u2028', '\u2029':
			b.WriteString(`\u` + strconv.FormatInt(int64(r), 16))
		default:
			if r < 0x20 {
				b.WriteString(`\x` + hex.EncodeToString([]byte{byte(r)}))
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// find returns the literal that starts at p.
func (ls *jsLits) find(p int) (jsLit, bool) {
	lo, hi := 0, len(ls.recs)
	for lo < hi {
		m := (lo + hi) / 2
		if ls.recs[m].start < p {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ls.recs) && ls.recs[lo].start == p {
		return ls.at(lo), true
	}
	return jsLit{}, false
}

// jsCallArg parses `( literal )` at p and returns the literal and the end
// after ')'.
func jsCallArg(text string, lits *jsLits, p int) (jsLit, int, bool) {
	p = skipSpace(text, p)
	if p >= len(text) || text[p] != '(' {
		return jsLit{}, 0, false
	}
	l, ok := lits.find(skipSpace(text, p+1))
	if !ok || !l.pure {
		return jsLit{}, 0, false
	}
	e := skipSpace(text, l.end)
	if e >= len(text) || text[e] != ')' {
		return jsLit{}, 0, false
	}
	return l, e + 1, true
}

// ---------------------------------------------------------------- extractor

// extractJSSinks emits literal arguments of code-running sinks.
func extractJSSinks(s *scan) []finding {
	ms := findJSSinks(s.text)
	if len(ms) == 0 {
		return nil
	}
	lits := s.jsLits()
	var out []finding
	for _, m := range ms {
		name := ""
		if m[2] >= 0 {
			name = asciiLower(s.text[m[2]:m[3]])
		} else {
			name = asciiLower(s.text[m[4]:m[5]])
		}
		p := skipSpace(s.text, m[1])
		var l jsLit
		ok := false
		isFunc := strings.HasSuffix(name, "function")
		if isFunc {
			// Function('a','b','body'): the body is the last literal argument.
			if name == "function" {
				if q := prevNonSpace(s.text, m[0]); q >= 0 && (isWord(s.text[q]) || s.text[q] == '.') && !strings.HasSuffix(s.text[:q+1], "new") {
					continue
				}
			}
			for {
				a, found := lits.find(p)
				if !found || !a.pure {
					break
				}
				l, ok = a, true
				p = skipSpace(s.text, a.end)
				if p < len(s.text) && s.text[p] == ',' {
					p = skipSpace(s.text, p+1)
					continue
				}
				if p >= len(s.text) || s.text[p] != ')' {
					ok = false
				}
				break
			}
		} else {
			l, ok = lits.find(p)
			if ok {
				e := skipSpace(s.text, l.end)
				ok = l.pure && e < len(s.text) && (s.text[e] == ')' || s.text[e] == ',')
			}
		}
		if !ok || len(strings.TrimSpace(l.val)) < 4 {
			continue
		}
		f := finding{span: Span{l.start, l.end}, text: l.val, size: len(l.val)}
		switch {
		case strings.Contains(name, "activexobject"):
			f.lang = lang.Unknown
			f.note = "ActiveX ProgID"
		case name == "run" || name == "exec" || name == "shellexecute":
			f.note = "command line"
		default:
			f.lang = lang.JavaScript
		}
		out = append(out, f)
	}
	return out
}

// ---------------------------------------------------------------- rewriters

// rewriteJSEscapes re-renders literals that use \x, \u or octal escapes.
func rewriteJSEscapes(s *scan) (string, bool) {
	text := s.text
	lits := s.jsLits()
	var edits []edit
	total := 0
	for k := range lits.recs {
		r := &lits.recs[k]
		if r.escapes == 0 || !r.pure() {
			continue
		}
		total += int(r.escapes)
		edits = append(edits, edit{r.start, r.end, lits.value(k)})
	}
	return applyJSEdits(text, edits), total >= 4
}

// findFromCharCodes returns what
//
//	string\s*\.\s*fromcharcode\s*\(\s*((?:0x[0-9a-f]+|\d+)(?:\s*,\s*(?:0x[0-9a-f]+|\d+))*)\s*\)
//
// .FindAllStringSubmatchIndex returns on the ASCII-lower-cased text,
// without making that copy: ASCII letters fold, nothing else. Every match
// holds "fromcharcode" once, right after string\s*\.\s*, which fixes where
// it starts; the list needs no backtracking (see findNumLists).
func findFromCharCodes(text string) [][]int {
	const name = "fromcharcode"
	var out [][]int
	next := 0 // FindAll resumes at the end of the previous match
	for i := 0; ; {
		f := indexASCIIFold(text, i, name)
		if f < 0 {
			return out
		}
		i = f + 1
		k := f
		for k > next && isRESpace(text[k-1]) {
			k--
		}
		if k <= next || text[k-1] != '.' {
			continue
		}
		for k--; k > next && isRESpace(text[k-1]); k-- {
		}
		st := k - len("string")
		if st < next || !hasPrefixFold(text, st, "string") {
			continue
		}
		j := skipRESpace(text, f+len(name))
		if j >= len(text) || text[j] != '(' {
			continue
		}
		g := skipRESpace(text, j+1)
		e := numEnd(text, g)
		if e < 0 {
			continue
		}
		for {
			k := skipRESpace(text, e)
			if k >= len(text) || text[k] != ',' {
				break
			}
			n := numEnd(text, skipRESpace(text, k+1))
			if n < 0 {
				break
			}
			e = n
		}
		end := skipRESpace(text, e)
		if end >= len(text) || text[end] != ')' {
			continue
		}
		out = append(out, []int{st, end + 1, g, e})
		next, i = end+1, end+1
	}
}

// rewriteJSFromCharCode turns String.fromCharCode(72,105) into "Hi".
func rewriteJSFromCharCode(s *scan) (string, bool) {
	text, max := s.text, s.max
	var edits []edit
	for _, m := range findFromCharCodes(text) {
		parts := strings.Split(text[m[2]:m[3]], ",")
		codes := make([]int64, 0, len(parts))
		for _, p := range parts {
			v, err := parseIntLit(strings.TrimSpace(p))
			if err != nil {
				codes = nil
				break
			}
			codes = append(codes, v&0xFFFF)
		}
		if codes == nil {
			continue
		}
		v, ok := runesFromCodes(codes)
		if !ok || len(v) > max {
			continue
		}
		edits = append(edits, edit{m[0], m[1], v})
	}
	return applyJSEdits(text, edits), len(edits) > 0
}

// rewriteJSUnescape evaluates unescape/decodeURI(Component) of literals.
func rewriteJSUnescape(s *scan) (string, bool) {
	text, max := s.text, s.max
	ms := findCallsFold(s, jsUnescapeFuncs, true)
	if len(ms) == 0 {
		return text, false
	}
	lits := s.jsLits()
	var edits []edit
	for _, m := range ms {
		l, end, ok := jsCallArg(text, lits, m[1]-1)
		if !ok {
			continue
		}
		var v string
		if strings.EqualFold(text[m[2]:m[3]], "unescape") {
			v = jsUnescape(l.val)
		} else {
			d, err := url.PathUnescape(l.val)
			if err != nil {
				continue
			}
			v = d
		}
		if v == l.val || len(v) > max {
			continue
		}
		edits = append(edits, edit{m[0], end, v})
	}
	return applyJSEdits(text, edits), len(edits) > 0
}

// jsUnescape implements the legacy unescape(): %XX and %uXXXX.
func jsUnescape(s string) string {
	var u []uint16
	for i := 0; i < len(s); {
		if s[i] == '%' {
			if i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') && isHex(s[i+2]) && isHex(s[i+3]) && isHex(s[i+4]) && isHex(s[i+5]) {
				v, _ := strconv.ParseUint(s[i+2:i+6], 16, 16)
				u = append(u, uint16(v))
				i += 6
				continue
			}
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
				u = append(u, uint16(v))
				i += 3
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x10000 {
			r1, r2 := (r-0x10000)>>10+0xD800, (r-0x10000)&0x3FF+0xDC00
			u = append(u, uint16(r1), uint16(r2))
		} else {
			u = append(u, uint16(r))
		}
		i += size
	}
	b := make([]byte, 2*len(u))
	for i, x := range u {
		b[2*i], b[2*i+1] = byte(x), byte(x>>8)
	}
	return utf16le(b)
}

// rewriteJSAtob evaluates atob('...') of literals.
func rewriteJSAtob(s *scan) (string, bool) {
	text, max := s.text, s.max
	ms := findCallsFold(s, jsAtobFuncs, false)
	if len(ms) == 0 {
		return text, false
	}
	lits := s.jsLits()
	var edits []edit
	for _, m := range ms {
		l, end, ok := jsCallArg(text, lits, m[1]-1)
		if !ok {
			continue
		}
		b, ok := decodeB64(l.val, max)
		if !ok {
			continue
		}
		// atob yields a binary string: one char per byte.
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		v := string(r)
		if utf8.Valid(b) {
			v = string(b)
		}
		edits = append(edits, edit{m[0], end, v})
	}
	return applyJSEdits(text, edits), len(edits) > 0
}

// rewriteJSStringArray inlines lookups into literal string tables.
func rewriteJSStringArray(s *scan) (string, bool) {
	text := s.text
	decls := findJSArrayDecls(text, 64)
	if len(decls) == 0 {
		return text, false
	}
	lits := s.jsLits()
	var edits []edit
	for _, d := range decls {
		name := text[d[2]:d[3]]
		var vals []string
		p := skipSpace(text, d[1])
		ok := true
		for p < len(text) && text[p] != ']' {
			l, found := lits.find(p)
			if !found || !l.pure {
				ok = false
				break
			}
			vals = append(vals, l.val)
			p = skipSpace(text, l.end)
			if p < len(text) && text[p] == ',' {
				p = skipSpace(text, p+1)
			}
		}
		if !ok || len(vals) < 2 || p >= len(text) {
			continue
		}
		// A rotated table (push/shift IIFE) would give wrong indices.
		if strings.Contains(text, name+"['push']") || strings.Contains(text, name+".push(") {
			continue
		}
		for _, m := range findArrayRefs(text[p:], name) {
			if m[0] > 0 && (isWord(text[p+m[0]-1]) || text[p+m[0]-1] == '$') {
				continue
			}
			k, err := parseIntLit(text[p+m[2] : p+m[3]])
			if err != nil || k < 0 || int(k) >= len(vals) {
				continue
			}
			edits = append(edits, edit{p + m[0], p + m[1], vals[k]})
		}
	}
	sortEdits(edits)
	return applyJSEdits(text, edits), len(edits) > 0
}

var reJSReverse = lazyRegexp(`^\s*\.\s*split\s*\(\s*(?:''|"")\s*\)\s*\.\s*reverse\s*\(\s*\)\s*\.\s*join\s*\(\s*(?:''|"")\s*\)`)

// rewriteJSReverse evaluates 'abc'.split(”).reverse().join(”).
func rewriteJSReverse(s *scan) (string, bool) {
	text := s.text
	lits := s.jsLits()
	var edits []edit
	for k := range lits.recs {
		r := &lits.recs[k]
		if !r.pure() {
			continue
		}
		rest := text[r.end:min(len(text), r.end+256)]
		// Only a literal followed by a method call or a comment can start
		// a chain: this skips the search for comments after the others.
		if k := skipRESpace(rest, 0); k >= len(rest) || rest[k] != '.' && rest[k] != '/' {
			continue
		}
		l := lits.at(k)
		// Comments inside the chain are common in JScript droppers.
		if strings.Contains(rest, "/*") {
			rest = stripBlockComments(rest)
			if m := jsReverseChain(rest); m != nil {
				// map back: find the end of ".join(...)" in the original
				if e := strings.Index(asciiLower(text[l.end:min(len(text), l.end+256)]), "join"); e >= 0 {
					if c := strings.IndexByte(text[l.end+e:], ')'); c >= 0 {
						edits = append(edits, edit{l.start, l.end + e + c + 1, reverse(l.val)})
					}
				}
			}
			continue
		}
		if m := jsReverseChain(rest); m != nil {
			edits = append(edits, edit{l.start, l.end + m[1], reverse(l.val)})
		}
	}
	return applyJSEdits(text, edits), len(edits) > 0
}

// jsReverseChain is reJSReverse().FindStringIndex(rest), which can match
// only where rest starts with \s*\. (most literals are not followed by a
// method call).
func jsReverseChain(rest string) []int {
	if k := skipRESpace(rest, 0); k >= len(rest) || rest[k] != '.' {
		return nil
	}
	return reJSReverse().FindStringIndex(rest)
}

func stripBlockComments(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			return b.String()
		}
		s = s[i+2+j+2:]
	}
}

// A chain of literals is not folded after an operator that binds tighter
// than + (or a member access), and loses its last literal before one.
var (
	jsConcatBefore = byteSet(".*/%-]")
	jsConcatAfter  = byteSet(".[*/%")
)

// rewriteJSConcat folds "a"+'b' chains.
func rewriteJSConcat(s *scan) (string, bool) {
	text, max := s.text, s.max
	if !strings.Contains(text, "+") {
		return text, false
	}
	lits := s.jsLits()
	var edits []edit
	sig := false
	recs := lits.recs
	for i := 0; i < len(recs); i++ {
		if !recs[i].pure() {
			continue
		}
		// Most literals start no chain: that is settled first.
		j := i
		for j+1 < len(recs) && recs[j+1].pure() && isPlusGap(text[recs[j].end:recs[j+1].start]) {
			j++
		}
		if j == i {
			continue
		}
		if p := prevNonSpace(text, recs[i].start); p >= 0 && jsConcatBefore[text[p]] {
			continue
		}
		if n := skipSpace(text, recs[j].end); n < len(text) && jsConcatAfter[text[n]] {
			j--
		}
		if j <= i {
			continue
		}
		var b strings.Builder
		prev := ""
		for k := i; k <= j; k++ {
			v := lits.value(k)
			if k > i && splitJunction(prev, v) {
				sig = true
			}
			b.WriteString(v)
			prev = v
		}
		if b.Len() <= max {
			edits = append(edits, edit{recs[i].start, recs[j].end, b.String()})
		}
		i = j
	}
	return applyJSEdits(text, edits), sig
}

func sortEdits(e []edit) {
	sort.SliceStable(e, func(i, j int) bool { return e[i].start < e[j].start })
}

// applyJSEdits is applyEdits for edits whose with is a value, not yet a
// literal: each is written as a double-quoted JavaScript literal straight
// into the new text (no string per edit).
func applyJSEdits(s string, edits []edit) string { return spliceEdits(s, edits, true) }

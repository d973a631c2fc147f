package decode

import (
	"strconv"
	"strings"
)

// vbsLit is a VBScript string literal.
type vbsLit struct {
	start, end int
	val        string
}

// vbsLiterals lexes s for "..." literals, skipping ' and Rem comments.
func vbsLiterals(s string) []vbsLit {
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
			j := i + 1
			closed, doubled := false, false
			for j < len(s) && s[j] != '\n' {
				if s[j] == '"' {
					if j+1 < len(s) && s[j+1] == '"' {
						doubled = true
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				j++
			}
			if closed {
				// The value is the text between the quotes, where every
				// quote is half of a doubled one: a substring of s unless
				// it has one (building each value byte by byte made most
				// of what lexing VBScript allocated).
				v := s[i+1 : j-1]
				if doubled {
					v = strings.ReplaceAll(v, `""`, `"`)
				}
				out = append(out, vbsLit{start: i, end: j, val: v})
			}
			i = j
		default:
			i++
		}
	}
	return out
}

// lineStart reports whether only blanks or ':' precede s[i] on its line.
func lineStart(s string, i int) bool {
	for j := i - 1; j >= 0 && s[j] != '\n'; j-- {
		if s[j] != ' ' && s[j] != '\t' && s[j] != ':' {
			return s[j] == ':'
		}
	}
	return true
}

func vbsQuote(v string) string { return `"` + strings.ReplaceAll(v, `"`, `""`) + `"` }

func vbsLitAt(lits []vbsLit, p int) (vbsLit, bool) {
	lo, hi := 0, len(lits)
	for lo < hi {
		m := (lo + hi) / 2
		if lits[m].start < p {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(lits) && lits[lo].start == p {
		return lits[lo], true
	}
	return vbsLit{}, false
}

// vbsArgs parses `( lit, lit, ... )` at p (exactly n literals).
func vbsArgs(text string, lits []vbsLit, p, n int) ([]string, int, bool) {
	p = skipSpace(text, p)
	if p >= len(text) || text[p] != '(' {
		return nil, 0, false
	}
	p++
	var vals []string
	for k := 0; k < n; k++ {
		l, ok := vbsLitAt(lits, skipSpace(text, p))
		if !ok {
			return nil, 0, false
		}
		vals = append(vals, l.val)
		p = skipSpace(text, l.end)
		want := byte(',')
		if k == n-1 {
			want = ')'
		}
		if p >= len(text) || text[p] != want {
			return nil, 0, false
		}
		p++
	}
	return vals, p, true
}

var reVBSExecute = lazyRegexp(`(?i)\b(?:executeglobal|execute|eval)\b[ \t]*\(?[ \t]*`)

// findVBSExecutes returns what reVBSExecute().FindAllStringIndex(text, -1)
// returns. The pattern has no literal prefix, so the regexp stepped over
// every byte of the text; here each ASCII-case-insensitive "execute" and
// "eval" is tried, its alternatives in the pattern's order. (?i) folds no
// other rune into their letters (only U+017F and U+212A fold into ASCII,
// into s and k), and \b is ASCII.
func findVBSExecutes(text string) [][]int {
	var out [][]int
	o := newOccurrences(text, true, "execute", "eval")
	for pos := 0; ; {
		p := o.at(pos)
		if p < 0 {
			return out
		}
		pos = p + 1
		if !wordBefore(text, p) {
			continue
		}
		e := -1
		for _, w := range [...]string{"executeglobal", "execute", "eval"} {
			if hasPrefixFold(text, p, w) && (p+len(w) == len(text) || !isWord(text[p+len(w)])) {
				e = p + len(w)
				break
			}
		}
		if e < 0 {
			continue
		}
		e = skipBlanks(text, e)
		if e < len(text) && text[e] == '(' {
			e = skipBlanks(text, e+1)
		}
		out = append(out, []int{p, e})
		pos = e // FindAll resumes at the end of a (non-empty) match
	}
}

// skipBlanks returns the first index >= i that is not [ \t].
func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// extractVBSExecute emits literal arguments of Execute/ExecuteGlobal/Eval.
func extractVBSExecute(s *scan) []finding {
	ms := findVBSExecutes(s.text)
	if len(ms) == 0 {
		return nil
	}
	lits := s.vbsLits()
	var out []finding
	for _, m := range ms {
		l, ok := vbsLitAt(lits, m[1])
		if !ok || len(strings.TrimSpace(l.val)) < 4 {
			continue
		}
		out = append(out, finding{span: Span{l.start, l.end}, text: l.val, size: len(l.val)})
	}
	return out
}

var reVBSChr = lazyRegexp(`(?i)\bchr[wb]?\s*\(([0-9a-fA-F&hH \t+\-*\\/]{1,60})\)`)

// findVBSChrs returns what reVBSChr().FindAllStringSubmatchIndex(text, -1)
// returns. The (?i) pattern has no literal prefix, so the regexp stepped
// over every byte; here every '(' is checked: the name is the whole run of
// word bytes before it (and its \s*), the argument the run of class bytes
// after it, which must be followed by ')' (the class holds neither
// parenthesis, so a longer run cannot give back bytes to match). (?i)
// folds no other rune into c, h, r, w, b or the class.
func findVBSChrs(text string) [][]int {
	var out [][]int
	for p := range indexesOf(text, "(") {
		ws, j := nameBefore(text, p)
		if w := text[ws:j]; !isFold(w, "chr") && !isFold(w, "chrw") && !isFold(w, "chrb") {
			continue
		}
		e := p + 1
		for e < len(text) && e-p <= 61 && vbsChrArg[text[e]] {
			e++
		}
		if e == p+1 || e-p > 61 || e == len(text) || text[e] != ')' {
			continue
		}
		out = append(out, []int{ws, e + 1, p + 1, e})
	}
	return out
}

// vbsChrArg is the class of reVBSChr's argument, [0-9a-fA-F&hH \t+\-*\\/].
var vbsChrArg = byteSet("0123456789abcdefABCDEF&hH \t+-*\\/")

// rewriteVBSChr turns Chr(72) (constant arithmetic allowed) into "H".
func rewriteVBSChr(s *scan) (string, bool) {
	text := s.text
	var edits []edit
	for _, m := range findVBSChrs(text) {
		v, ok := evalArith(text[m[2]:m[3]])
		if !ok || v < 0 || v > 0xFFFF || (v >= 0xD800 && v <= 0xDFFF) {
			continue
		}
		edits = append(edits, edit{m[0], m[1], vbsQuote(string(rune(v)))})
	}
	return applyEdits(text, edits), len(edits) >= 3
}

// evalArith evaluates integer arithmetic with + - * \ / over decimal and
// &Hxx numbers, with the usual precedence.
func evalArith(e string) (int64, bool) {
	toks := arithTokens(e)
	if toks == nil {
		return 0, false
	}
	pos := 0
	var term func() (int64, bool)
	num := func() (int64, bool) {
		neg := false
		for pos < len(toks) && (toks[pos] == "-" || toks[pos] == "+") {
			neg = neg != (toks[pos] == "-")
			pos++
		}
		if pos >= len(toks) {
			return 0, false
		}
		t := toks[pos]
		pos++
		var v int64
		var err error
		if len(t) > 2 && (t[:2] == "&h" || t[:2] == "&H") {
			v, err = strconv.ParseInt(t[2:], 16, 64)
		} else {
			v, err = strconv.ParseInt(t, 10, 64)
		}
		if err != nil || v > 1<<31 {
			return 0, false
		}
		if neg {
			v = -v
		}
		return v, true
	}
	term = func() (int64, bool) {
		v, ok := num()
		for ok && pos < len(toks) && (toks[pos] == "*" || toks[pos] == "/" || toks[pos] == "\\") {
			op := toks[pos]
			pos++
			w, ok2 := num()
			if !ok2 || (op != "*" && w == 0) {
				return 0, false
			}
			switch op {
			case "*":
				v *= w
			case "\\":
				v /= w
			default:
				if v%w != 0 {
					return 0, false
				}
				v /= w
			}
			if v > 1<<31 || v < -(1<<31) {
				return 0, false
			}
		}
		return v, ok
	}
	v, ok := term()
	for ok && pos < len(toks) && (toks[pos] == "+" || toks[pos] == "-") {
		op := toks[pos]
		pos++
		w, ok2 := term()
		if !ok2 {
			return 0, false
		}
		if op == "+" {
			v += w
		} else {
			v -= w
		}
	}
	return v, ok && pos == len(toks)
}

func arithTokens(e string) []string {
	var out []string
	for i := 0; i < len(e); {
		c := e[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case strings.IndexByte("+-*/\\", c) >= 0:
			out = append(out, string(c))
			i++
		case c == '&' && i+1 < len(e) && (e[i+1] == 'h' || e[i+1] == 'H'):
			j := i + 2
			for j < len(e) && isHex(e[j]) {
				j++
			}
			out = append(out, e[i:j])
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(e) && e[j] >= '0' && e[j] <= '9' {
				j++
			}
			out = append(out, e[i:j])
			i = j
		default:
			return nil
		}
	}
	return out
}

var (
	reVBSStrReverse = lazyRegexp(`(?i)\bstrreverse\s*\(`)
	reVBSReplace    = lazyRegexp(`(?i)\breplace\s*\(`)
)

// rewriteVBSStrReverse evaluates StrReverse("...").
func rewriteVBSStrReverse(s *scan) (string, bool) {
	text := s.text
	lits := s.vbsLits()
	var edits []edit
	for _, m := range findCallFold(s, "strreverse", reVBSStrReverse) {
		args, end, ok := vbsArgs(text, lits, m[1]-1, 1)
		if !ok {
			continue
		}
		edits = append(edits, edit{m[0], end, vbsQuote(reverse(args[0]))})
	}
	return applyEdits(text, edits), len(edits) > 0
}

// rewriteVBSReplace evaluates Replace("...","x","y").
func rewriteVBSReplace(s *scan) (string, bool) {
	text, max := s.text, s.max
	lits := s.vbsLits()
	var edits []edit
	for _, m := range findCallFold(s, "replace", reVBSReplace) {
		if m[0] > 0 && text[m[0]-1] == '.' {
			continue
		}
		args, end, ok := vbsArgs(text, lits, m[1]-1, 3)
		if !ok || args[1] == "" {
			continue
		}
		if strings.Count(args[0], args[1])*(len(args[2])-len(args[1]))+len(args[0]) > max {
			continue
		}
		edits = append(edits, edit{m[0], end, vbsQuote(strings.ReplaceAll(args[0], args[1], args[2]))})
	}
	return applyEdits(text, edits), len(edits) > 0
}

// rewriteVBSConcat folds "a" & "b" chains (line continuations allowed).
func rewriteVBSConcat(s *scan) (string, bool) {
	text, max := s.text, s.max
	lits := s.vbsLits()
	var edits []edit
	sig := false
	for i := 0; i < len(lits); i++ {
		j := i
		for j+1 < len(lits) && isVBSGap(text[lits[j].end:lits[j+1].start]) {
			j++
		}
		if j == i {
			continue
		}
		var b strings.Builder
		for k := i; k <= j; k++ {
			if k > i && splitJunction(lits[k-1].val, lits[k].val) {
				sig = true
			}
			b.WriteString(lits[k].val)
		}
		if b.Len() <= max {
			edits = append(edits, edit{lits[i].start, lits[j].end, vbsQuote(b.String())})
		}
		i = j
	}
	return applyEdits(text, edits), sig
}

func isVBSGap(g string) bool {
	ops := 0
	for i := 0; i < len(g); i++ {
		switch g[i] {
		case ' ', '\t', '\r', '\n':
		case '_':
			if strings.TrimLeft(g[i+1:], " \t\r")[:min(1, len(strings.TrimLeft(g[i+1:], " \t\r")))] != "\n" {
				return false
			}
		case '&', '+':
			ops++
		default:
			return false
		}
	}
	if ops != 1 {
		return false
	}
	// a newline without a continuation ends the statement
	for k := strings.IndexByte(g, '\n'); k >= 0; {
		before := strings.TrimRight(g[:k], " \t\r")
		if !strings.HasSuffix(before, "_") {
			return false
		}
		n := strings.IndexByte(g[k+1:], '\n')
		if n < 0 {
			break
		}
		k += n + 1
	}
	return true
}

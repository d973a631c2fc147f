package decode

import (
	"iter"
	"regexp"
	"strings"
	"sync"
)

// Hand-written matchers for the hottest patterns. Go's regexp has no DFA:
// a pattern without a literal prefix walks the whole layer through its NFA,
// which cost ~0.5 ms per 5 KB JavaScript layer for the sink pattern alone.
// Each matcher below returns exactly the submatch indexes FindAll of the
// pattern it replaces would (match_test.go checks them against the
// original regexps), found by looking backwards from the one byte every
// match ends with, or by anchoring the regexp at candidate offsets.

// isRESpace is RE2's \s: [\t\n\f\r ].
func isRESpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// runStart returns the start of the run of bytes satisfying in that ends at
// end (exclusive).
func runStart(s string, end int, in func(byte) bool) int {
	for end > 0 && in(s[end-1]) {
		end--
	}
	return end
}

// spaceStart returns the start of the run of \s bytes that ends at end.
func spaceStart(s string, end int) int { return runStart(s, end, isRESpace) }

// indexesOf yields the offset of every occurrence of sub in text, in
// order, overlapping ones included. The hand matchers check each place
// where the literal that anchors their pattern stands (the '(' that ends a
// call, name\s*\(, say); a match never holds a second anchor that could
// start a match of its own, so looking at every one finds what the regexp
// finds.
func indexesOf(text, sub string) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; ; {
			k := strings.Index(text[i:], sub)
			if k < 0 || !yield(i+k) {
				return
			}
			i += k + 1
		}
	}
}

// nameBefore returns the run of word bytes text[ws:j] that ends where the
// white space before offset p starts: the name of a call name\s*( whose
// '(' is at p (ws == j when there is none).
func nameBefore(text string, p int) (ws, j int) {
	j = spaceStart(text, p)
	return runStart(text, j, isWord), j
}

// findJSSinks returns what
//
//	(?i)\b(eval|settimeout|setinterval|execscript|new\s+function|function|new\s+activexobject|activexobject)\s*\(|\.\s*(run|exec|shellexecute)\s*\(
//
// .FindAllStringSubmatchIndex(text, -1) returns, except that only ASCII
// letters fold (the regexp's (?i) also lets U+017F stand for 's', which
// JavaScript does not). Every match ends at a '(' and holds no other '(',
// so matches are found per '(' and never overlap.
func findJSSinks(text string) [][]int {
	var out [][]int
	var flat []int // the matches' indexes, one array for many of them
	add := func(m ...int) {
		flat = append(flat, m...)
		out = append(out, flat[len(flat)-len(m):len(flat):len(flat)])
	}
	for p := range indexesOf(text, "(") {
		ws, j := nameBefore(text, p)
		switch w := text[ws:j]; {
		case isFold(w, "eval"), isFold(w, "settimeout"), isFold(w, "setinterval"), isFold(w, "execscript"):
			add(ws, p+1, ws, j, -1, -1)
		case isFold(w, "function"), isFold(w, "activexobject"):
			start := ws
			if sp := spaceStart(text, ws); sp < ws {
				if ns := runStart(text, sp, isWord); isFold(text[ns:sp], "new") {
					start = ns
				}
			}
			add(start, p+1, start, j, -1, -1)
		case isFold(w, "run"), isFold(w, "exec"), isFold(w, "shellexecute"):
			if d := spaceStart(text, ws); d > 0 && text[d-1] == '.' {
				add(d-1, p+1, -1, -1, ws, j)
			}
		}
	}
	return out
}

// isFold reports whether s is the lower-case word w, ASCII
// case-insensitively.
func isFold(s, w string) bool { return len(s) == len(w) && hasPrefixFold(s, 0, w) }

func isJSIdent(c byte) bool { return isWord(c) || c == '$' }

// findJSArrayDecls returns what
//
//	\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*\[
//
// .FindAllStringSubmatchIndex(text, n) returns. Every match ends at a '['
// and holds no other.
func findJSArrayDecls(text string, n int) [][]int {
	var out [][]int
	for p := range indexesOf(text, "[") {
		if n >= 0 && len(out) >= n {
			break
		}
		eq := spaceStart(text, p)
		if eq == 0 || text[eq-1] != '=' {
			continue
		}
		ie := spaceStart(text, eq-1)
		is := runStart(text, ie, isJSIdent)
		if is == ie || text[is] >= '0' && text[is] <= '9' {
			continue
		}
		ke := spaceStart(text, is)
		if ke == is {
			continue
		}
		ks := runStart(text, ke, isWord)
		switch text[ks:ke] {
		case "var", "let", "const":
			out = append(out, []int{ks, p + 1, is, ie})
		}
	}
	return out
}

// findArrayRefs returns what
//
//	regexp.MustCompile(regexp.QuoteMeta(name) + `\[\s*(0x[0-9a-fA-F]+|\d+)\s*\]`)
//
// .FindAllStringSubmatchIndex(text, -1) returns, without compiling a
// regexp per array name. Neither alternative can give back bytes to let
// \s*\] match (a shorter run is followed by another digit), so each is
// tried once, longest.
func findArrayRefs(text, name string) [][]int {
	var out [][]int
	for i := 0; i < len(text); {
		k := strings.Index(text[i:], name)
		if k < 0 {
			break
		}
		st := i + k
		if m := arrayRefAt(text, st, st+len(name)); m != nil {
			out = append(out, m)
			i = m[1]
			continue
		}
		i = st + 1
	}
	return out
}

// arrayRefAt matches \[\s*(0x[0-9a-fA-F]+|\d+)\s*\] at text[j:], for a
// name at text[st:j]; it returns the match and its group, or nil.
func arrayRefAt(text string, st, j int) []int {
	if j >= len(text) || text[j] != '[' {
		return nil
	}
	ds := skipRESpace(text, j+1)
	closed := func(e int) []int {
		if c := skipRESpace(text, e); c < len(text) && text[c] == ']' {
			return []int{st, c + 1, ds, e}
		}
		return nil
	}
	if ds+2 < len(text) && text[ds] == '0' && text[ds+1] == 'x' && isHex(text[ds+2]) {
		e := ds + 3
		for e < len(text) && isHex(text[e]) {
			e++
		}
		if m := closed(e); m != nil {
			return m
		}
	}
	e := ds
	for e < len(text) && text[e] >= '0' && text[e] <= '9' {
		e++
	}
	if e == ds {
		return nil
	}
	return closed(e)
}

// reEncodedCommandAt is reEncodedCommand anchored at the dash's preceding
// byte (or at the dash, at the start of the text).
var reEncodedCommandAt = lazyRegexp(`(?i)^[\s"'^]?[-/\x{2013}\x{2014}](e[a-z]{0,13})(?:\s+|:)["']?([A-Za-z0-9+/]{16,}={0,2})`)

// findEncodedCommands returns what
//
//	(?i)(?:^|[\s"'^])[-/\x{2013}\x{2014}](e[a-z]{0,13})(?:\s+|:)["']?([A-Za-z0-9+/]{16,}={0,2})
//
// .FindAllStringSubmatchIndex(text, -1) returns, running the anchored
// pattern only where a dash is followed by an e.
func findEncodedCommands(text string) [][]int {
	var out [][]int
	next := 0      // FindAll resumes at the end of the previous match
	fold := 0      // 1: text has no fold runes, 2: it has; 0: not looked yet
	var flat []int // the matches' indexes, one array for many of them
	for i := 0; i < len(text); i++ {
		// Eight bytes at a time to the next byte that can start a dash.
		if i+8 <= len(text) {
			w := le64(text, i)
			m := eqBits(w, '-') | eqBits(w, '/') | eqBits(w, 0xE2)
			if m == 0 {
				i += 7
				continue
			}
			i += firstMarked(m)
		}
		c := text[i]
		dash := 0
		switch {
		case c == '-' || c == '/':
			dash = 1
		case c == 0xE2 && i+2 < len(text) && text[i+1] == 0x80 && (text[i+2] == 0x93 || text[i+2] == 0x94):
			dash = 3
		default:
			continue
		}
		if i+dash >= len(text) || text[i+dash]|0x20 != 'e' {
			continue
		}
		start := i
		if i > 0 {
			switch text[i-1] {
			case ' ', '\t', '\n', '\r', '\f', '"', '\'', '^':
				start = i - 1
			default:
				continue
			}
		}
		if start < next || !encodedArgAfter(text, i+dash+1) {
			continue
		}
		if fold == 0 {
			fold = 1
			if hasFoldRunes(text) {
				fold = 2
			}
		}
		var m []int
		if fold == 2 {
			// (?i) lets U+017F and U+212A match [a-z] and the base64
			// class: the regexp decides.
			if m = reEncodedCommandAt().FindStringSubmatchIndex(text[start:]); m == nil {
				continue
			}
			for k := range m {
				m[k] += start
			}
		} else {
			g1, g2, ok := encodedCommandAt(text, i+dash)
			if !ok {
				continue
			}
			flat = append(flat, start, g2.End, g1.Start, g1.End, g2.Start, g2.End)
			m = flat[len(flat)-6 : len(flat) : len(flat)]
		}
		out = append(out, m)
		next = m[1]
		i = next - 1
	}
	return out
}

// encodedCommandAt matches (e[a-z]{0,13})(?:\s+|:)["']?([A-Za-z0-9+/]{16,}={0,2})
// at text[k:], the rest of reEncodedCommandAt after its dash, for a text
// without fold runes (where (?i) folds only ASCII letters): its two
// groups, the second ending where the match does. Each part is taken whole: what follows it can
// never take one of its bytes, so the regexp's backtracking never finds a
// shorter choice that matches. The base64 run is read once here, where
// the regexp read a long payload through its NFA.
func encodedCommandAt(text string, k int) (Span, Span, bool) {
	if k >= len(text) || text[k]|0x20 != 'e' {
		return Span{}, Span{}, false
	}
	g1 := Span{Start: k}
	k++
	for k < len(text) && isASCIILetter(text[k]) {
		if k-g1.Start > 13 {
			return Span{}, Span{}, false // a 14th letter after the e
		}
		k++
	}
	g1.End = k
	switch {
	case k < len(text) && isRESpace(text[k]):
		k = skipRESpace(text, k)
	case k < len(text) && text[k] == ':':
		k++
	default:
		return Span{}, Span{}, false
	}
	if k < len(text) && (text[k] == '"' || text[k] == '\'') {
		k++
	}
	g2 := Span{Start: k}
	for k < len(text) && isB64Std(text[k]) {
		k++
	}
	if k-g2.Start < 16 {
		return Span{}, Span{}, false
	}
	for n := 0; n < 2 && k < len(text) && text[k] == '='; n++ {
		k++
	}
	g2.End = k
	return g1, g2, true
}

// encodedArgAfter reports whether (e[a-z]{0,13})(?:\s+|:)["']?([A-Za-z0-9+/]{16,}
// can match where k follows the e: false only when it cannot. Most
// dash-e's are -eq, -ErrorAction and the like, and running the anchored
// regexp on each cost more than the rest of the search. Bytes above 0x7F
// are left to the regexp: (?i) lets [a-z] match U+017F and U+212A.
func encodedArgAfter(text string, k int) bool {
	for n := 0; k < len(text) && isASCIILetter(text[k]); n++ {
		if n == 13 {
			return false // a 14th letter: the flag cannot end here
		}
		k++
	}
	if k >= len(text) {
		return false
	}
	switch c := text[k]; {
	case c >= 0x80:
		return true
	case c == ':':
		k++
	case isRESpace(c):
		k = skipRESpace(text, k)
	default:
		return false
	}
	if k < len(text) && (text[k] == '"' || text[k] == '\'') {
		k++
	}
	n := 0
	for k+n < len(text) && n < 16 && isB64Std(text[k+n]) {
		n++
	}
	return n == 16 || k+n < len(text) && text[k+n] >= 0x80
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// isB64Std is [A-Za-z0-9+/].
func isB64Std(c byte) bool { return isAlnum(c) || c == '+' || c == '/' }

// findShAssigns returns, for every match of
//
//	(?m)(?:^|[;&|]|\bthen\b|\bdo\b)\s*(?:export\s+|local\s+)?([A-Za-z_]\w*)=
//
// in text, {-1, end, nameStart, nameEnd}: FindAllStringSubmatchIndex's
// indexes except the match start, which rewriteBashVars does not use.
// Every match ends at a '=' and holds no other, and its name is the whole
// run of word bytes before that '=', so each '=' is checked backwards.
func findShAssigns(text string) [][]int {
	var out [][]int
	var flat []int // the matches' indexes, one array for many of them
	for q := range indexesOf(text, "=") {
		ns := runStart(text, q, isWord)
		if ns == q || text[ns] >= '0' && text[ns] <= '9' {
			continue
		}
		if shAssignPrefix(text, ns, true) {
			flat = append(flat, -1, q+1, ns, q)
			out = append(out, flat[len(flat)-4:len(flat):len(flat)])
		}
	}
	return out
}

// shAssignPrefix reports whether (?m)(?:^|[;&|]|\bthen\b|\bdo\b)\s* can end
// at end, optionally followed by export\s+ or local\s+ when keyword is set.
func shAssignPrefix(text string, end int, keyword bool) bool {
	j := spaceStart(text, end)
	if j == 0 || strings.IndexByte(text[j-1:end], '\n') >= 0 {
		return true // ^ at the start of the text or of a line
	}
	if c := text[j-1]; c == ';' || c == '&' || c == '|' {
		return true
	}
	ws := runStart(text, j, isWord)
	switch text[ws:j] {
	case "then", "do":
		return true
	case "export", "local":
		return keyword && j < end && shAssignPrefix(text, ws, false)
	}
	return false
}

// findIEXWords returns what (?i)\b(?:iex|invoke-expression)\b
// .FindAllStringIndex(text, -1) returns; lower is text ASCII-lower-cased.
// Occurrences never overlap, so each is checked for its word boundaries.
// A text holding U+017F or U+212A, which (?i) folds into 's' and 'k' (as
// PowerShell's case-insensitive command lookup may), goes to the regexp.
func findIEXWords(text, lower string) [][]int {
	if strings.Contains(text, "\u017f") || strings.Contains(text, "\u212a") {
		return reIEXWord().FindAllStringIndex(text, -1)
	}
	var out [][]int
	for p := range indexesOf(lower, "i") {
		n := 0
		switch {
		case strings.HasPrefix(lower[p:], "iex"):
			n = 3
		case strings.HasPrefix(lower[p:], "invoke-expression"):
			n = len("invoke-expression")
		default:
			continue
		}
		if (p == 0 || !isWord(lower[p-1])) && (p+n == len(lower) || !isWord(lower[p+n])) {
			out = append(out, []int{p, p + n})
		}
	}
	return out
}

// findInvokeOps returns what [.&]\s*\( .FindAllStringIndex(text, -1)
// returns: every match ends at a '(' and holds no other.
func findInvokeOps(text string) [][]int {
	var out [][]int
	for p := range indexesOf(text, "(") {
		if q := spaceStart(text, p) - 1; q >= 0 && (text[q] == '.' || text[q] == '&') {
			out = append(out, []int{q, p + 1})
		}
	}
	return out
}

// findBashEvals returns what \b(?:eval|(?:ba|da|z|k)?sh\s+-c)\s+
// .FindAllStringIndex(text, -1) returns. Every match starts with a whole
// word that whitespace follows, so each such word is looked at once.
func findBashEvals(text string) [][]int {
	var out [][]int
	for j := 1; j < len(text); j++ {
		if !isRESpace(text[j]) || !isWord(text[j-1]) {
			continue
		}
		ws := runStart(text, j, isWord)
		end := j
		for end < len(text) && isRESpace(text[end]) {
			end++
		}
		switch text[ws:j] {
		case "eval":
		case "sh", "bash", "dash", "zsh", "ksh":
			if !strings.HasPrefix(text[end:], "-c") || end+2 >= len(text) || !isRESpace(text[end+2]) {
				continue
			}
			end += 2
			for end < len(text) && isRESpace(text[end]) {
				end++
			}
		default:
			continue
		}
		out = append(out, []int{ws, end})
		j = end - 1
	}
	return out
}

// hasFoldRunes reports whether text holds U+017F or U+212A, which (?i)
// folds into ASCII 's' and 'k'. Matchers that look for a (?i) pattern's
// literals in the ASCII-lower-cased text hand such texts to the regexp.
func hasFoldRunes(text string) bool {
	return strings.Contains(text, "\u017f") || strings.Contains(text, "\u212a")
}

// wordBefore reports whether a \b can precede s[p] when s[p] is a word byte.
func wordBefore(s string, p int) bool { return p == 0 || !isWord(s[p-1]) }

// occurrences walks the occurrences of several literals in a text in
// increasing order; each literal's text is searched once in all. With fold
// set the literals are lower-case and found ASCII case-insensitively.
type occurrences struct {
	text string
	lits []string
	next []int // next occurrence of lits[k] not yet passed; len(text) when none remain
	fold bool
}

func newOccurrences(text string, fold bool, lits ...string) *occurrences {
	o := &occurrences{text: text, lits: lits, next: make([]int, len(lits)), fold: fold}
	for k := range o.next {
		o.next[k] = -1 // not searched yet
	}
	return o
}

// at returns the first occurrence of any literal at or after pos, or -1.
func (o *occurrences) at(pos int) int {
	best := -1
	for k, lit := range o.lits {
		if o.next[k] < pos {
			if o.fold {
				o.next[k] = indexASCIIFold(o.text, pos, lit)
			} else if n := strings.Index(o.text[pos:], lit); n >= 0 {
				o.next[k] = pos + n
			} else {
				o.next[k] = -1
			}
			if o.next[k] < 0 {
				o.next[k] = len(o.text)
			}
		}
		if n := o.next[k]; n < len(o.text) && (best < 0 || n < best) {
			best = n
		}
	}
	return best
}

// findAnchored returns what FindAllStringSubmatchIndex(text, -1) of a
// pattern returns, given at, the pattern anchored with ^ (its leading \b,
// if any, dropped), and the literals every match starts with, searched in
// text as they are or, with fold set, lower-case and ASCII
// case-insensitively (where an ASCII-lower-cased copy of the text was
// searched before). With boundary set a match must also start at a \b, as
// the dropped one demanded. The pattern must not match the empty string
// and must not look behind its start otherwise.
func findAnchored(at *regexp.Regexp, text string, fold, boundary bool, lits ...string) [][]int {
	var out [][]int
	o := newOccurrences(text, fold, lits...)
	for pos := 0; ; {
		p := o.at(pos)
		if p < 0 {
			return out
		}
		pos = p + 1
		if boundary && !wordBefore(text, p) {
			continue
		}
		m := at.FindStringSubmatchIndex(text[p:])
		if m == nil {
			continue
		}
		for k := range m {
			if m[k] >= 0 {
				m[k] += p
			}
		}
		out = append(out, m)
		pos = m[1] // FindAll resumes at the end of a (non-empty) match
	}
}

// findCalls returns what \b(?:n1|n2|...)\s*\( .FindAllStringIndex(text, -1)
// returns for literal names (words joined by '.', as regexp.QuoteMeta
// quotes them; each starts and ends with a word byte). Every match ends at
// a '(' and holds no other, and a name ends exactly where the spaces before
// that '(' start, so each '(' is checked backwards.
func findCalls(text string, names []string) [][]int {
	var out [][]int
	for p := range indexesOf(text, "(") {
		ws, j := nameBefore(text, p)
		if ws == j {
			continue
		}
		start := -1
		for _, n := range names {
			// A name that starts inside the word run has no \b before it.
			if st := j - len(n); st >= 0 && st <= ws && text[st:j] == n && wordBefore(text, st) && (start < 0 || st < start) {
				start = st
			}
		}
		if start >= 0 {
			out = append(out, []int{start, p + 1})
		}
	}
	return out
}

// findPyMarshal returns what \bmarshal\s*\.\s*loads\s*\(
// .FindAllStringIndex(text, -1) returns: every match ends at a '(' and
// holds no other.
func findPyMarshal(text string) [][]int {
	var out [][]int
	for p := range indexesOf(text, "(") {
		ws, j := nameBefore(text, p)
		if text[ws:j] != "loads" {
			continue
		}
		d := spaceStart(text, ws)
		if d == 0 || text[d-1] != '.' {
			continue
		}
		e := spaceStart(text, d-1)
		if ms := runStart(text, e, isWord); text[ms:e] == "marshal" {
			out = append(out, []int{ms, p + 1})
		}
	}
	return out
}

// findRevPipes returns what \|\s*rev\b .FindAllStringIndex(text, -1)
// returns: each rev is checked for the '|' before it.
func findRevPipes(text string) [][]int {
	var out [][]int
	for p := range indexesOf(text, "rev") {
		if p+3 < len(text) && isWord(text[p+3]) {
			continue
		}
		if q := spaceStart(text, p) - 1; q >= 0 && text[q] == '|' {
			out = append(out, []int{q, p + 3})
		}
	}
	return out
}

// findRevHeres returns what \brev\s*<<<\s* .FindAllStringIndex(text, -1)
// returns.
func findRevHeres(text string) [][]int {
	var out [][]int
	for p := range indexesOf(text, "rev") {
		if !wordBefore(text, p) {
			continue
		}
		j := p + 3
		for j < len(text) && isRESpace(text[j]) {
			j++
		}
		if !strings.HasPrefix(text[j:], "<<<") {
			continue
		}
		j += 3
		for j < len(text) && isRESpace(text[j]) {
			j++
		}
		out = append(out, []int{p, j})
	}
	return out
}

// findNumLists returns what
//
//	\(\s*(?:0[xX][0-9a-fA-F]+|\d+)(?:\s*,\s*(?:0[xX][0-9a-fA-F]+|\d+)){3,}\s*\)
//
// .FindAllStringIndex(text, -1) returns. A match holds no '(' but its
// first byte. The pattern needs no backtracking: a number is followed by
// \s, ',' or ')', none of which a shorter reading of it (or the decimal
// reading of a hex number) would leave next.
func findNumLists(text string) [][]int {
	var out [][]int
	for p := range indexesOf(text, "(") {
		n, j := 0, p+1
		for {
			// j is after '(' or after the last number; e after the next.
			k := skipRESpace(text, j)
			if n > 0 {
				if k >= len(text) || text[k] != ',' {
					break
				}
				k = skipRESpace(text, k+1)
			}
			e := numEnd(text, k)
			if e < 0 {
				break
			}
			n++
			j = e
		}
		j = skipRESpace(text, j)
		if n >= 4 && j < len(text) && text[j] == ')' {
			out = append(out, []int{p, j + 1})
		}
	}
	return out
}

// indexASCIIFold returns the first index >= i at which s holds the
// lower-case literal w ASCII case-insensitively (where strings.Index finds
// it in the ASCII-lower-cased s), -1 when there is none. A first byte that
// is a letter is looked for eight bytes a step: x|0x20 is w[0] for its two
// cases only.
func indexASCIIFold(s string, i int, w string) int {
	c := w[0]
	if c < 'a' || c > 'z' {
		for i+len(w) <= len(s) {
			k := strings.IndexByte(s[i:len(s)-len(w)+1], c)
			if k < 0 {
				return -1
			}
			if i += k; hasPrefixFold(s, i, w) {
				return i
			}
			i++
		}
		return -1
	}
	for i+len(w) <= len(s) {
		if i+8 <= len(s) {
			m := eqBits(le64(s, i)|0x2020202020202020, c)
			if m == 0 {
				i += 8
				continue
			}
			i += firstMarked(m)
		} else if s[i]|0x20 != c {
			i++
			continue
		}
		if hasPrefixFold(s, i, w) {
			return i
		}
		i++
	}
	return -1
}

// skipRESpace returns the first index >= i that is not \s.
func skipRESpace(s string, i int) int {
	for i < len(s) && isRESpace(s[i]) {
		i++
	}
	return i
}

// numEnd returns the end of 0[xX][0-9a-fA-F]+ or else \d+ at s[i], or -1.
func numEnd(s string, i int) int {
	if i+2 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' && isHex(s[i+2]) {
		j := i + 3
		for j < len(s) && isHex(s[j]) {
			j++
		}
		return j
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// findStringJoins returns what reStringJoin.findAllIndex(s) returns,
// (?i)\[string\]\s*::\s*join\s*\( : in a text without fold runes, each
// "[string]" of the lower-cased text is followed through the spaces, which
// no other part of the pattern can take, so a match is found or ruled out
// at its start without the regexp.
func findStringJoins(s *scan) [][]int {
	if s.foldRunes() {
		return reStringJoin.fold().FindAllStringIndex(s.text, -1)
	}
	lower := s.lowered()
	var out [][]int
	for p := range indexesOf(lower, "[string]") {
		j := skipRESpace(lower, p+len("[string]"))
		if !strings.HasPrefix(lower[j:], "::") {
			continue
		}
		j = skipRESpace(lower, j+2)
		if !strings.HasPrefix(lower[j:], "join") {
			continue
		}
		if j = skipRESpace(lower, j+4); j < len(lower) && lower[j] == '(' {
			out = append(out, []int{p, j + 1})
		}
	}
	return out
}

// findJoinOps returns what reJoinOp.findAllIndex(s) returns, (?i)-join\b:
// in a text without fold runes, each "-join" of the lower-cased text not
// followed by a word byte (\b is ASCII).
func findJoinOps(s *scan) [][]int {
	if s.foldRunes() {
		return reJoinOp.fold().FindAllStringIndex(s.text, -1)
	}
	lower := s.lowered()
	var out [][]int
	for p := range indexesOf(lower, "-join") {
		if e := p + len("-join"); e == len(lower) || !isWord(lower[e]) {
			out = append(out, []int{p, e})
		}
	}
	return out
}

// lowerRegexp is a (?i) pattern and its twin: the same pattern without
// (?i) and with lower-case literals, run on the ASCII-lower-cased text.
// The twin has a literal prefix, which lets the regexp skip ahead by
// substring search where the (?i) pattern stepped its NFA over every
// byte. Both find the same matches in a text without U+017F and U+212A
// (see hasFoldRunes); a text with them goes to the (?i) pattern.
type lowerRegexp struct{ fold, twin func() *regexp.Regexp }

func newLowerRegexp(pattern string) lowerRegexp {
	if !strings.HasPrefix(pattern, "(?i)") {
		panic("decode: lowerRegexp needs a (?i) pattern: " + pattern)
	}
	return lowerRegexp{lazyRegexp(pattern), lazyRegexp(pattern[len("(?i)"):])}
}

// lazyRegexp returns a function that compiles pattern on its first call
// and returns that regexp from then on: a process that decodes a few files
// compiles only the patterns they reach (compiling them all was most of
// the package's start-up). The patterns are constants, which the tests
// compile (TestLazyRegexps).
func lazyRegexp(pattern string) func() *regexp.Regexp {
	f := sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
	lazyRegexps = append(lazyRegexps, f)
	return f
}

// lazyRegexps lists every lazyRegexp, for the tests.
var lazyRegexps []func() *regexp.Regexp

func (r lowerRegexp) findAllSubmatchIndex(s *scan) [][]int {
	if s.foldRunes() {
		return r.fold().FindAllStringSubmatchIndex(s.text, -1)
	}
	return r.twin().FindAllStringSubmatchIndex(s.lowered(), -1)
}

func (r lowerRegexp) findAllIndex(s *scan) [][]int {
	if s.foldRunes() {
		return r.fold().FindAllStringIndex(s.text, -1)
	}
	return r.twin().FindAllStringIndex(s.lowered(), -1)
}

// findCallsFold is findCalls for (?i)\b(?:n1|n2|...)\s*\( with lower-case
// names, run on the lower-cased text; with the name as submatch 1 when
// group is set.
func findCallsFold(s *scan, names []string, group bool) [][]int {
	if s.foldRunes() {
		re := callRegexps[names[0]]()
		if group {
			return re.FindAllStringSubmatchIndex(s.text, -1)
		}
		return re.FindAllStringIndex(s.text, -1)
	}
	ms := findCalls(s.lowered(), names)
	if group {
		for k, m := range ms {
			ms[k] = append(m, m[0], spaceStart(s.lowered(), m[1]-1))
		}
	}
	return ms
}

// findCallFold returns what re().FindAllStringIndex(s.text, -1) returns
// for re, (?i)\bname\s*\( with name a lower-case word: findCalls on the
// text with the name compared ASCII case-insensitively, which needs no
// lower-cased copy. A text with fold runes goes to the regexp.
func findCallFold(s *scan, name string, re func() *regexp.Regexp) [][]int {
	if s.foldRunes() {
		return re().FindAllStringIndex(s.text, -1)
	}
	text := s.text
	var out [][]int
	for p := range indexesOf(text, "(") {
		if ws, j := nameBefore(text, p); isFold(text[ws:j], name) {
			out = append(out, []int{ws, p + 1})
		}
	}
	return out
}

// Case-insensitive call lists, keyed by their first name; callRegexps
// holds the pattern each stands for, used for texts with fold runes.
var (
	jsUnescapeFuncs = []string{"unescape", "decodeuricomponent", "decodeuri"}
	jsAtobFuncs     = []string{"atob"}
	callRegexps     = map[string]func() *regexp.Regexp{
		"unescape": lazyRegexp(`(?i)\b(unescape|decodeuricomponent|decodeuri)\s*\(`),
		"atob":     lazyRegexp(`(?i)\batob\s*\(`),
	}
)

// findShRefs returns what \$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))
// .FindAllStringSubmatchIndex(text, -1) returns. A match holds no '$' but
// its first byte.
func findShRefs(text string) [][]int {
	var out [][]int
	var flat []int // the matches' indexes, one array for many of them
	for p := range indexesOf(text, "$") {
		if p+1 >= len(text) {
			break
		}
		if text[p+1] == '{' {
			if e := identEnd(text, p+2); e > p+2 && e < len(text) && text[e] == '}' {
				flat = append(flat, p, e+1, p+2, e, -1, -1)
				out = append(out, flat[len(flat)-6:len(flat):len(flat)])
			}
			continue
		}
		if e := identEnd(text, p+1); e > p+1 {
			flat = append(flat, p, e, -1, -1, p+1, e)
			out = append(out, flat[len(flat)-6:len(flat):len(flat)])
		}
	}
	return out
}

// identEnd returns the end of [A-Za-z_]\w* at s[i], or i when none starts
// there.
func identEnd(s string, i int) int {
	if i >= len(s) || !isWord(s[i]) || s[i] >= '0' && s[i] <= '9' {
		return i
	}
	for i < len(s) && isWord(s[i]) {
		i++
	}
	return i
}

// findReverseHints returns what
//
//	\[array\]\s*::\s*reverse|righttoleft|\[\s*-1\s*\.\.\s*-
//
// .FindAllStringIndex(lower, n) returns (n > 0). Every match starts at a
// '[' or at righttoleft and holds no other.
func findReverseHints(lower string, n int) [][]int {
	var out [][]int
	o := newOccurrences(lower, false, "[", "righttoleft")
	for pos := 0; len(out) < n; {
		p := o.at(pos)
		if p < 0 {
			break
		}
		pos = p + 1
		if lower[p] == 'r' {
			out = append(out, []int{p, p + len("righttoleft")})
			pos = p + len("righttoleft")
			continue
		}
		end := -1
		if strings.HasPrefix(lower[p:], "[array]") {
			j := skipRESpace(lower, p+len("[array]"))
			if strings.HasPrefix(lower[j:], "::") {
				if j = skipRESpace(lower, j+2); strings.HasPrefix(lower[j:], "reverse") {
					end = j + len("reverse")
				}
			}
		} else if j := skipRESpace(lower, p+1); strings.HasPrefix(lower[j:], "-1") {
			if j = skipRESpace(lower, j+2); strings.HasPrefix(lower[j:], "..") {
				if j = skipRESpace(lower, j+2); j < len(lower) && lower[j] == '-' {
					end = j + 1
				}
			}
		}
		if end >= 0 {
			out = append(out, []int{p, end})
			pos = end
		}
	}
	return out
}

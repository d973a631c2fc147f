package indicators

// This file is a frozen copy of the catalog's evaluation as it was before
// the scan was optimised (commit a5bbb49), every identifier prefixed with
// "ref". The differential tests hold the optimised Scan to it: same hits,
// same evidence, same order. Do not change it when the catalog changes;
// rebase it only on a deliberate change of matching semantics.

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// refCatalog is a refCompiled, immutable set of indicators. It is safe for
// concurrent use.
type refCatalog struct {
	inds   []refCompiled
	byID   map[string]int
	lits   []string
	ac     *refAutomaton
	byLang [8][]int32 // indicator indexes by lang.Language; Unknown gets all
	// anchorless is set when some indicator runs without a literal
	// prefilter, so a layer with no literal still has to be looked at.
	anchorless bool
}

type refCompiled struct {
	ind     Indicator
	primary refCcond
	with    []refCcond
	without []refCcond
	fn      func(text, lower string) int
}

type refCcond struct {
	anchors []int32
	re      *regexp.Regexp
	at      int  // index of the (?<at>...) group that marks the hit, or -1
	folded  bool // re is case-folded: run it on the ASCII-lower-cased text
	// need lists literal sets that every match contains one member of
	// (derived from re); a window lacking one is skipped without running re.
	need [][]string
	// alts, when set, are re's top-level alternatives refCompiled one by one,
	// each with a literal prefix. The earliest of their first matches is
	// where re first matches, and a prefix lets the regexp engine skip to
	// candidates with a substring search instead of running its NFA over
	// every byte of the window, as it must for the whole alternation.
	alts []*regexp.Regexp
}

func refNewCatalog(inds []Indicator) (*refCatalog, error) {
	c := &refCatalog{byID: make(map[string]int, len(inds))}
	litID := map[string]int32{}
	lit := func(s string) (int32, error) {
		if s == "" || s != refAsciiLower(s) {
			return 0, fmt.Errorf("anchor %q: want a non-empty lower-case literal", s)
		}
		if id, ok := litID[s]; ok {
			return id, nil
		}
		id := int32(len(c.lits))
		c.lits = append(c.lits, s)
		litID[s] = id
		return id, nil
	}
	compileCond := func(k cond) (refCcond, error) {
		var cc refCcond
		for _, a := range k.anchors {
			id, err := lit(a)
			if err != nil {
				return cc, err
			}
			cc.anchors = append(cc.anchors, id)
		}
		if k.re != "" {
			src := k.re
			if !k.cs {
				var err error
				if src, err = refFoldPattern(src); err != nil {
					return cc, fmt.Errorf("compile: %w", err)
				}
				cc.folded = true
			}
			re, err := regexp.Compile(src)
			if err != nil {
				return cc, fmt.Errorf("compile: %w", err)
			}
			cc.re = re
			cc.need = refRequiredLiterals(src)
		}
		cc.at = -1
		if cc.re != nil {
			cc.at = cc.re.SubexpIndex("at")
			if cc.at < 0 {
				cc.alts = refPrefixedAlternatives(cc.re.String())
			}
		}
		return cc, nil
	}
	for i, ind := range inds {
		if _, dup := c.byID[ind.ID]; dup {
			return nil, fmt.Errorf("indicator %s: duplicate id", ind.ID)
		}
		c.byID[ind.ID] = i
		ci := refCompiled{ind: ind, fn: refFn(ind)}
		var err error
		if ci.primary, err = compileCond(ind.m.cond); err != nil {
			return nil, fmt.Errorf("indicator %s: %w", ind.ID, err)
		}
		if len(ci.primary.anchors) == 0 {
			c.anchorless = true
		}
		if len(ci.primary.anchors) == 0 && ci.fn == nil {
			return nil, fmt.Errorf("indicator %s: no anchors and no match function", ind.ID)
		}
		for _, w := range ind.m.with {
			cc, err := compileCond(w)
			if err != nil {
				return nil, fmt.Errorf("indicator %s: with: %w", ind.ID, err)
			}
			if len(cc.anchors) == 0 {
				return nil, fmt.Errorf("indicator %s: with: no anchors", ind.ID)
			}
			ci.with = append(ci.with, cc)
		}
		for _, w := range ind.m.without {
			cc, err := compileCond(w)
			if err != nil {
				return nil, fmt.Errorf("indicator %s: without: %w", ind.ID, err)
			}
			if len(cc.anchors) == 0 {
				return nil, fmt.Errorf("indicator %s: without: no anchors", ind.ID)
			}
			ci.without = append(ci.without, cc)
		}
		c.inds = append(c.inds, ci)
		for l := range c.byLang {
			if ind.appliesTo(lang.Language(l)) {
				c.byLang[l] = append(c.byLang[l], int32(i))
			}
		}
	}
	c.ac = refNewAutomaton(c.lits)
	return c, nil
}

// refFoldPattern rewrites a case-insensitive pattern into a case-sensitive one
// for the ASCII-lower-cased text: every ASCII letter that is not part of an
// escape (\S, \W, \b, ...) is lower-cased. Case-sensitive matching on the
// lowered copy is faster than (?i) and lets the regexp engine use literal
// prefixes. Patterns must not use escapes whose arguments are case-sensitive
// names (\p{Greek}); the registry tests compile every pattern.
func refFoldPattern(p string) (string, error) {
	if _, err := syntax.Parse(p, syntax.Perl); err != nil {
		return "", err
	}
	b := []byte(p)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\\':
			i++ // keep the escaped character as written
		case 'A' <= c && c <= 'Z':
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b), nil
}

// refPrefixedAlternatives splits a pattern that is an alternation at its top
// level into its branches, refCompiled, when every branch has a literal
// prefix; else it returns nil. It splits the text (syntax.Regexp.String
// would cost more than compiling the whole catalog) and refuses patterns
// with flag groups, whose flags would carry over into later branches.
func refPrefixedAlternatives(pattern string) []*regexp.Regexp {
	if refReFlagGroup.MatchString(pattern) || strings.Contains(pattern, `\Q`) || strings.Contains(pattern, "[:") {
		return nil
	}
	var parts []string
	depth, last := 0, 0
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			i++
		case '[':
			// Skip the class; a ']' first (or after '^') is literal.
			j := i + 1
			if j < len(pattern) && pattern[j] == '^' {
				j++
			}
			if j < len(pattern) && pattern[j] == ']' {
				j++
			}
			for j < len(pattern) && pattern[j] != ']' {
				if pattern[j] == '\\' {
					j++
				}
				j++
			}
			i = j
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return nil
			}
		case '|':
			if depth == 0 {
				parts = append(parts, pattern[last:i])
				last = i + 1
			}
		}
	}
	if len(parts) == 0 || depth != 0 {
		return nil
	}
	parts = append(parts, pattern[last:])
	out := make([]*regexp.Regexp, 0, len(parts))
	for _, p := range parts {
		r, err := regexp.Compile(p)
		if err != nil {
			return nil
		}
		if pre, _ := r.LiteralPrefix(); pre == "" {
			return nil
		}
		out = append(out, r)
	}
	return out
}

// refReFlagGroup finds (?i), (?m-s) and the like: flags set until the end of
// the enclosing group.
var refReFlagGroup = regexp.MustCompile(`\(\?[a-zA-Z-]+\)`)

// firstIndex is c.re.FindStringIndex(s)[0], or -1.
func (c *refCcond) firstIndex(s string) int {
	if c.alts == nil {
		if loc := c.re.FindStringIndex(s); loc != nil {
			return loc[0]
		}
		return -1
	}
	best := -1
	for _, r := range c.alts {
		if loc := r.FindStringIndex(s); loc != nil && (best < 0 || loc[0] < best) {
			best = loc[0]
		}
	}
	return best
}

// refScan is the per-layer working state.
type refScan struct {
	c     *refCatalog
	text  string
	lower string
	first []int32
	nl    []int // offsets of '\n', built on first need
	nlOK  bool
}

func (s *refScan) lowered() string {
	if s.lower == "" && s.text != "" {
		s.lower = refAsciiLower(s.text)
	}
	return s.lower
}

func refAsciiLower(t string) string {
	i := 0
	for ; i < len(t); i++ {
		if 'A' <= t[i] && t[i] <= 'Z' {
			break
		}
	}
	if i == len(t) {
		return t
	}
	b := make([]byte, len(t))
	copy(b, t[:i])
	for ; i < len(t); i++ {
		c := t[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return string(b)
}

// window returns the line around offset p, clipped to windowBack bytes
// before p and windowFwd bytes after it.
func (s *refScan) window(p, n int) (int, int) {
	lo := max(0, p-windowBack)
	ws := lo
	if k := strings.LastIndexByte(s.text[lo:p], '\n'); k >= 0 {
		ws = lo + k + 1
	}
	hi := min(len(s.text), p+n+windowFwd)
	we := hi
	if k := strings.IndexByte(s.text[p:hi], '\n'); k >= 0 {
		we = p + k
	}
	return ws, we
}

func (s *refScan) present(c *refCcond) bool {
	for _, a := range c.anchors {
		if s.first[a] >= 0 {
			return true
		}
	}
	return false
}

// eval returns the earliest offset where the condition holds, or -1, and
// how many distinct lines hold it (capped) when count is set.
func (s *refScan) eval(c *refCcond, count bool) (int, int) {
	best := -1
	var seen []int // window starts that matched, to count lines once
	for _, a := range c.anchors {
		p := int(s.first[a])
		if p < 0 {
			continue
		}
		lit := s.c.lits[a]
		subject := s.text
		if c.folded {
			subject = s.lowered()
		}
		for w := 0; w < maxWindows; w++ {
			ws, we := s.window(p, len(lit))
			m := -1
			if c.re != nil && !refHasNeeds(subject[ws:we], c.need) {
				// cannot match here
			} else if c.re == nil {
				m = p
			} else if c.at >= 0 {
				if loc := c.re.FindStringSubmatchIndex(subject[ws:we]); loc != nil {
					m = ws + loc[0]
					if loc[2*c.at] >= 0 {
						m = ws + loc[2*c.at]
					}
				}
			} else if k := c.firstIndex(subject[ws:we]); k >= 0 {
				m = ws + k
			}
			if m < 0 && best >= 0 && count {
				break // counting only continues through matching lines
			}
			if m >= 0 {
				if best < 0 || m < best {
					best = m
				}
				if !count {
					break
				}
				if !slices.Contains(seen, ws) {
					seen = append(seen, ws)
				}
				if len(seen) >= MaxCount {
					break
				}
			}
			if we >= len(s.text) {
				break
			}
			q := strings.Index(s.lowered()[we:], lit)
			if q < 0 {
				break
			}
			p = we + q
		}
		if count && len(seen) >= MaxCount {
			break
		}
	}
	return best, len(seen)
}

// Scan runs every indicator scoped to l (all of them for lang.Unknown) over
// one layer's text and returns one hit per matching indicator at its first
// occurrence, ordered by position. layer is copied into the hits.
func (c *refCatalog) Scan(text string, l lang.Language, layer int) []Hit {
	if len(text) > MaxScanBytes {
		text = text[:MaxScanBytes]
	}
	if text == "" {
		return nil
	}
	s := &refScan{c: c, text: text, first: make([]int32, len(c.lits))}
	for i := range s.first {
		s.first[i] = -1
	}
	if c.ac.firsts(text, s.first) == 0 && !c.anchorless {
		return nil
	}
	idx := c.byLang[0]
	if int(l) < len(c.byLang) {
		idx = c.byLang[l]
	}
	var hits []Hit
	for _, i := range idx {
		ci := &c.inds[i]
		if len(ci.primary.anchors) > 0 && !s.present(&ci.primary) {
			continue
		}
		ok := true
		for k := range ci.with {
			if !s.present(&ci.with[k]) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		pos, n := -1, 1
		if ci.fn != nil {
			pos = ci.fn(text, s.lowered())
		} else {
			pos, n = s.eval(&ci.primary, true)
		}
		if pos < 0 {
			continue
		}
		for k := range ci.with {
			if p, _ := s.eval(&ci.with[k], false); p < 0 {
				ok = false
				break
			}
		}
		for k := 0; ok && k < len(ci.without); k++ {
			if s.present(&ci.without[k]) {
				if p, _ := s.eval(&ci.without[k], false); p >= 0 {
					ok = false
				}
			}
		}
		if !ok {
			continue
		}
		hits = append(hits, s.hit(ci, pos, n, layer))
	}
	if len(hits) > MaxHits {
		sort.SliceStable(hits, func(a, b int) bool { return hits[a].Severity > hits[b].Severity })
		hits = hits[:MaxHits]
	}
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].Line != hits[b].Line {
			return hits[a].Line < hits[b].Line
		}
		if hits[a].Column != hits[b].Column {
			return hits[a].Column < hits[b].Column
		}
		return hits[a].ID < hits[b].ID
	})
	return hits
}

func (s *refScan) hit(ci *refCompiled, pos, count, layer int) Hit {
	if !s.nlOK {
		for i := 0; ; {
			k := strings.IndexByte(s.text[i:], '\n')
			if k < 0 {
				break
			}
			s.nl = append(s.nl, i+k)
			i += k + 1
		}
		s.nlOK = true
	}
	line := sort.SearchInts(s.nl, pos) // newlines before pos
	ls := 0
	if line > 0 {
		ls = s.nl[line-1] + 1
	}
	le := len(s.text)
	if line < len(s.nl) {
		le = s.nl[line]
	}
	return Hit{
		ID:         ci.ind.ID,
		Title:      ci.ind.Title,
		Severity:   ci.ind.Severity,
		Techniques: ci.ind.Techniques,
		Tactic:     ci.ind.Tactic,
		Layer:      layer,
		Line:       line + 1,
		Column:     utf8.RuneCountInString(s.text[ls:pos]) + 1,
		Excerpt:    refExcerpt(s.text, ls, le, pos),
		Count:      min(max(count, 1), MaxCount),
	}
}

// refExcerpt returns the line [ls, le) trimmed to excerptMax bytes around pos,
// cut on rune boundaries, with control characters blanked.
func refExcerpt(text string, ls, le, pos int) string {
	if le > ls && text[le-1] == '\r' {
		le--
	}
	if le-ls > excerptMax {
		st := max(ls, pos-excerptMax/3)
		en := min(le, st+excerptMax)
		st = max(ls, en-excerptMax)
		for st < en && !utf8.RuneStart(text[st]) {
			st++
		}
		for en < le && en > st && !utf8.RuneStart(text[en]) {
			en--
		}
		ls, le = st, en
	}
	ex := strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(text[ls:le], "\uFFFD"))
	ex = strings.TrimSpace(ex)
	for len(ex) > excerptMax { // replacement runes can grow the text
		_, sz := utf8.DecodeLastRuneInString(ex)
		ex = ex[:len(ex)-sz]
	}
	return ex
}

// refAutomaton is an Aho-Corasick DFA over ASCII case-folded bytes that finds
// the first occurrence of every literal in one pass. Bytes that occur in no
// literal share class 0, which keeps the transition table small.
type refAutomaton struct {
	class  [256]uint8
	nclass int
	delta  []uint16  // state*nclass + class -> state (uint16 halves the table: ~1 MB, fewer cache misses)
	out    [][]int32 // literal ids that end in a state (suffix outputs folded in)
	term   []bool    // len(out[state]) > 0, the one check done per byte
	lens   []int32   // literal id -> length in bytes
}

func refFoldByte(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

// refNewAutomaton builds the DFA for lits, which must be lower-case (ASCII) and
// non-empty.
func refNewAutomaton(lits []string) *refAutomaton {
	a := &refAutomaton{lens: make([]int32, len(lits))}
	// Byte classes.
	n := 1
	for _, l := range lits {
		for i := 0; i < len(l); i++ {
			c := refFoldByte(l[i])
			if a.class[c] == 0 {
				if n == 255 {
					panic("indicators: too many byte classes")
				}
				a.class[c] = uint8(n)
				n++
			}
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		a.class[b] = a.class[b+('a'-'A')]
	}
	a.nclass = n

	// Trie.
	type node struct {
		next map[uint8]int32
		out  []int32
	}
	nodes := []node{{next: map[uint8]int32{}}}
	for id, l := range lits {
		a.lens[id] = int32(len(l))
		s := int32(0)
		for i := 0; i < len(l); i++ {
			c := a.class[refFoldByte(l[i])]
			nx, ok := nodes[s].next[c]
			if !ok {
				nodes = append(nodes, node{next: map[uint8]int32{}})
				nx = int32(len(nodes) - 1)
				nodes[s].next[c] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}

	// BFS over the trie to fill the DFA and the failure outputs.
	if len(nodes) > 1<<16 {
		panic("indicators: too many refAutomaton states")
	}
	a.delta = make([]uint16, len(nodes)*n)
	a.out = make([][]int32, len(nodes))
	fail := make([]int32, len(nodes))
	queue := make([]int32, 0, len(nodes))
	for c := 0; c < n; c++ {
		if nx, ok := nodes[0].next[uint8(c)]; ok {
			a.delta[c] = uint16(nx)
			fail[nx] = 0
			queue = append(queue, nx)
		}
	}
	a.out[0] = nodes[0].out
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		a.out[s] = append(append([]int32(nil), nodes[s].out...), a.out[fail[s]]...)
		for c := 0; c < n; c++ {
			if nx, ok := nodes[s].next[uint8(c)]; ok {
				fail[nx] = int32(a.delta[int(fail[s])*n+c])
				a.delta[int(s)*n+c] = uint16(nx)
				queue = append(queue, nx)
			} else {
				a.delta[int(s)*n+c] = a.delta[int(fail[s])*n+c]
			}
		}
	}
	a.term = make([]bool, len(a.out))
	for i, o := range a.out {
		a.term[i] = len(o) > 0
	}
	return a
}

// firsts sets first[id] to the byte offset of the first occurrence of every
// literal found in text (case-folded); first must be filled with -1. It
// returns how many distinct literals were found.
func (a *refAutomaton) firsts(text string, first []int32) int {
	s := int32(0)
	found := 0
	n := int32(a.nclass)
	for i := 0; i < len(text); i++ {
		s = int32(a.delta[s*n+int32(a.class[text[i]])])
		if a.term[s] {
			for _, id := range a.out[s] {
				if first[id] < 0 {
					first[id] = int32(i+1) - a.lens[id]
					found++
				}
			}
		}
	}
	return found
}

// Limits for the literal sets derived from a regexp.
const (
	refMaxNeedSets = 6
	refMaxNeedSize = 16
)

// refRequiredLiterals derives, from a regexp, sets of literals such that every
// match contains at least one member of each set. Checking them with
// strings.Contains is far cheaper than running the regexp on a line that
// cannot match. It returns nil when nothing useful is known.
func refRequiredLiterals(pattern string) [][]string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	sets := refNeed(re.Simplify())
	if len(sets) > refMaxNeedSets {
		// keep the most selective: longest shortest member first
		for i := 0; i < len(sets); i++ {
			for j := i + 1; j < len(sets); j++ {
				if refMinLen(sets[j]) > refMinLen(sets[i]) {
					sets[i], sets[j] = sets[j], sets[i]
				}
			}
		}
		sets = sets[:refMaxNeedSets]
	}
	return sets
}

func refMinLen(set []string) int {
	m := 1 << 30
	for _, s := range set {
		m = min(m, len(s))
	}
	return m
}

// refNeed returns a conjunction of any-of literal sets for re.
func refNeed(re *syntax.Regexp) [][]string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return [][]string{{string(re.Rune)}}
	case syntax.OpCharClass:
		var set []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(set) == 4 {
					return nil
				}
				set = append(set, string(r))
			}
		}
		if len(set) == 0 {
			return nil
		}
		return [][]string{set}
	case syntax.OpCapture:
		return refNeed(re.Sub[0])
	case syntax.OpPlus:
		return refNeed(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return refNeed(re.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		var out [][]string
		// Merge runs of plain literals so "ab" "cd" become "abcd".
		var run strings.Builder
		flush := func() {
			if run.Len() > 0 {
				out = append(out, []string{run.String()})
				run.Reset()
			}
		}
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 {
				run.WriteString(string(sub.Rune))
				continue
			}
			flush()
			out = append(out, refNeed(sub)...)
		}
		flush()
		return out
	case syntax.OpAlternate:
		var union []string
		for _, sub := range re.Sub {
			best := refBestSet(refNeed(sub))
			if best == nil {
				return nil
			}
			union = append(union, best...)
			if len(union) > refMaxNeedSize {
				return nil
			}
		}
		return [][]string{union}
	}
	return nil
}

// refBestSet picks the set whose shortest member is longest.
func refBestSet(sets [][]string) []string {
	var best []string
	for _, s := range sets {
		if best == nil || refMinLen(s) > refMinLen(best) {
			best = s
		}
	}
	return best
}

// refHasNeeds reports whether window contains a member of every set.
func refHasNeeds(window string, sets [][]string) bool {
	for _, set := range sets {
		ok := false
		for _, lit := range set {
			if strings.Contains(window, lit) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Match functions for indicators that are statistical rather than textual.
// Each is a single linear pass (or a bounded number of substring searches)
// and returns the byte offset of the hit or -1.

func refIsAlnum(b byte) bool { return refByteClass[b]&(refClUpper|refClLower|refClDigit) != 0 }

func refIsIdent(b byte) bool {
	return refByteClass[b]&(refClUpper|refClLower|refClDigit|refClUnder) != 0
}

// Byte classes for the statistical scans: one table load instead of a
// chain of range comparisons per byte.
const (
	refClUpper = 1 << iota
	refClLower
	refClDigit
	refClUnder
	refClB64Sym // + and /
)

var refByteClass = func() (t [256]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = refClUpper
		t[c+'a'-'A'] = refClLower
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = refClDigit
	}
	t['_'] = refClUnder
	t['+'], t['/'] = refClB64Sym, refClB64Sym
	return t
}()

// refRawIPURL finds an http/https/ftp URL whose host is a literal IPv4 address
// outside loopback, private, link-local and multicast ranges.
func refRawIPURL(text, lower string) int {
	for _, scheme := range [...]string{"http://", "https://", "ftp://"} {
		from := 0
		for n := 0; n < 256; n++ {
			k := strings.Index(lower[from:], scheme)
			if k < 0 {
				break
			}
			p := from + k
			from = p + len(scheme)
			if refPublicIPv4Prefix(lower[from:]) {
				return p
			}
		}
	}
	return -1
}

// refPublicIPv4Prefix reports whether s starts with a dotted-quad public IPv4
// address followed by a URL delimiter.
func refPublicIPv4Prefix(s string) bool {
	var oct [4]int
	i := 0
	for o := 0; o < 4; o++ {
		j := i
		for j < len(s) && j-i < 3 && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		if j == i {
			return false
		}
		v, _ := strconv.Atoi(s[i:j])
		if v > 255 {
			return false
		}
		oct[o] = v
		i = j
		if o < 3 {
			if i >= len(s) || s[i] != '.' {
				return false
			}
			i++
		}
	}
	if i < len(s) && (refIsAlnum(s[i]) || s[i] == '.' || s[i] == '-') {
		return false // a host name that starts with digits
	}
	a, b := oct[0], oct[1]
	switch {
	case a == 0, a == 10, a == 127, a >= 224:
		return false
	case a == 169 && b == 254, a == 172 && b >= 16 && b <= 31, a == 192 && b == 168, a == 100 && b >= 64 && b <= 127:
		return false
	}
	return true
}

// refVmArtefactLits are hypervisor and sandbox artefacts; two or more distinct
// ones in a layer make a VM/sandbox check.
var refVmArtefactLits = []string{
	"vboxservice", "vboxtray", "vboxmouse", "vboxguest", "vboxsf", "vmtoolsd", "vmwaretray", "vmwareuser",
	"vmhgfs", "vmci.sys", "sbiedll", "wdagutilityaccount", "qemu-ga", "prl_tools", "xenservice",
	"joeboxcontrol", "joeboxserver", "cuckoomon", "sandboxiedcomlaunch", "vmsrvc", "vmusrvc",
}

func refVmArtefacts(_, lower string) int {
	distinct, first := 0, -1
	for _, a := range refVmArtefactLits {
		if k := strings.Index(lower, a); k >= 0 {
			distinct++
			if first < 0 || k < first {
				first = k
			}
		}
	}
	if distinct < 2 {
		return -1
	}
	return first
}

// refBacktickNoise finds PowerShell tokens with backticks before letters that
// are not escape sequences (`0 `a `b `e `f `n `r `t `u `v), three or more
// times in the layer; it returns the start of the first such token.
func refBacktickNoise(text, _ string) int {
	count, first := 0, -1
	for i := 1; i+1 < len(text); i++ {
		if text[i] != '`' || !refIsAlnum(text[i-1]) {
			continue
		}
		c := text[i+1] | 0x20
		if c < 'a' || c > 'z' || strings.IndexByte("0abefnrtuv", c) >= 0 {
			continue
		}
		if count == 0 {
			s := i
			for s > 0 && (refIsAlnum(text[s-1]) || text[s-1] == '`' || text[s-1] == '-') {
				s--
			}
			first = s
		}
		count++
		if count >= 3 {
			return first
		}
	}
	return -1
}

// refCharCodeArray finds an array/argument list of at least 40 integers of
// which 80% or more are printable character codes.
func refCharCodeArray(text, _ string) int {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '[' && c != '(' && c != '{' {
			continue
		}
		j := i + 1
		n, printable := 0, 0
		for j < len(text) {
			for j < len(text) && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r') {
				j++
			}
			v, k := refParseSmallInt(text, j)
			if k == j {
				break
			}
			n++
			if v == 9 || v == 10 || v == 13 || (v >= 32 && v <= 126) {
				printable++
			}
			j = k
			for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
				j++
			}
			if j >= len(text) || text[j] != ',' {
				break
			}
			j++
		}
		if n >= 40 && printable*5 >= n*4 {
			return i
		}
		if j > i+1 {
			i = j - 1
		}
	}
	return -1
}

// refParseSmallInt parses a decimal or 0x-hex integer at s[i:], returning its
// value (capped) and the offset after it; the offset is i when none.
func refParseSmallInt(s string, i int) (int, int) {
	j := i
	v := 0
	if j+1 < len(s) && s[j] == '0' && (s[j+1] == 'x' || s[j+1] == 'X') {
		j += 2
		st := j
		for j < len(s) && j-st < 8 {
			d := s[j] | 0x20
			switch {
			case '0' <= s[j] && s[j] <= '9':
				v = v*16 + int(s[j]-'0')
			case 'a' <= d && d <= 'f':
				v = v*16 + int(d-'a'+10)
			default:
				goto done
			}
			j++
		}
	done:
		if j == st {
			return 0, i
		}
	} else {
		for j < len(s) && '0' <= s[j] && s[j] <= '9' && j-i < 10 {
			v = v*10 + int(s[j]-'0')
			j++
		}
	}
	if j < len(s) && (refIsIdent(s[j]) || s[j] == '.') {
		return 0, i // part of an identifier or a float
	}
	return v, j
}

// refHexIdentifiers finds javascript-obfuscator style _0xABCD identifiers: at
// least 12 occurrences with at least 4 different names.
func refHexIdentifiers(_, lower string) int {
	count, first := 0, -1
	var names [4]string
	distinct := 0
	for from, n := 0, 0; n < 4096; n++ {
		k := strings.Index(lower[from:], "_0x")
		if k < 0 {
			break
		}
		p := from + k
		j := p + 3
		for j < len(lower) && j-p < 12 && ('0' <= lower[j] && lower[j] <= '9' || 'a' <= lower[j] && lower[j] <= 'f') {
			j++
		}
		from = j
		if j-p-3 < 4 || (j < len(lower) && refIsIdent(lower[j])) || (p > 0 && refIsIdent(lower[p-1])) {
			continue
		}
		if first < 0 {
			first = p
		}
		count++
		if distinct < len(names) {
			name := lower[p:j]
			seen := false
			for _, x := range names[:distinct] {
				if x == name {
					seen = true
				}
			}
			if !seen {
				names[distinct] = name
				distinct++
			}
		}
		if count >= 12 && distinct >= 4 {
			return first
		}
	}
	return -1
}

// refBase64Blob finds a run of at least 400 Base64 characters (not wrapped)
// with upper case, lower case and digits.
func refBase64Blob(text, _ string) int {
	const min = 400
	const b64 = refClUpper | refClLower | refClDigit | refClB64Sym
	const mixed = refClUpper | refClLower | refClDigit
	for i := 0; i < len(text); {
		if refByteClass[text[i]]&b64 == 0 {
			i++
			continue
		}
		start := i
		var seen uint8
		for i < len(text) && refByteClass[text[i]]&b64 != 0 {
			seen |= refByteClass[text[i]]
			i++
		}
		if i-start >= min && seen&mixed == mixed {
			return start
		}
	}
	return -1
}

// refIsRandomIdent reports whether an identifier of 8+ characters looks
// machine-generated: mixed-case fragments of one or two letters
// (XmtKaYoD), long consonant runs (qzxvbnrt), or frequent letter/digit
// alternation (a1b2c3d4). Long pure-hex tokens (hashes) are not counted.
func refIsRandomIdent(s string) bool {
	hex := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			hex = false
			break
		}
	}
	if hex {
		return false
	}
	short, segLen, consRun, maxCons, alt := 0, 0, 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		isUpper := 'A' <= c && c <= 'Z'
		isLower := 'a' <= c && c <= 'z'
		isDigit := '0' <= c && c <= '9'
		if i > 0 {
			p := s[i-1]
			pl := 'a' <= p && p <= 'z'
			pd := '0' <= p && p <= '9'
			if isUpper && pl { // a new camel segment
				if segLen <= 2 {
					short++
				}
				segLen = 0
			}
			if (isDigit && !pd && p != '_') || (!isDigit && c != '_' && pd) {
				alt++
			}
		}
		segLen++
		if c == '_' {
			segLen = 0
		}
		switch {
		case isUpper:
			consRun = 0 // acronyms (HTTP, XML) are not gibberish
		case isLower:
			switch c {
			case 'a', 'e', 'i', 'o', 'u', 'y':
				consRun = 0
			default:
				consRun++
				if consRun > maxCons {
					maxCons = consRun
				}
			}
		default:
			consRun = 0
		}
	}
	return short >= 2 || maxCons >= 6 || alt >= 5
}

// refRandomIdentifiers flags a layer where random-looking identifiers (8+
// characters) occur at least 12 times, with at least 4 different ones, and
// make up 35% or more of all long identifier occurrences.
func refRandomIdentifiers(text, _ string) int {
	long, random, first := 0, 0, -1
	var names [4]string
	distinct := 0
	for i := 0; i < len(text); {
		c := text[i]
		if !(refIsIdent(c)) || ('0' <= c && c <= '9') {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && refIsIdent(text[j]) {
			j++
		}
		if i > 0 && ('0' <= text[i-1] && text[i-1] <= '9') {
			i = j
			continue
		}
		if n := j - i; n >= 8 && n <= 64 {
			long++
			tok := text[i:j]
			if refIsRandomIdent(tok) {
				random++
				if first < 0 {
					first = i
				}
				if distinct < len(names) {
					seen := false
					for _, x := range names[:distinct] {
						if x == tok {
							seen = true
						}
					}
					if !seen {
						names[distinct] = tok
						distinct++
					}
				}
			}
		}
		i = j
	}
	if random >= 12 && distinct >= 4 && random*100 >= long*35 {
		return first
	}
	return -1
}

// refZeroWidth finds a layer with eight or more zero-width characters (a
// byte-order mark at offset 0 does not count) and returns the first.
func refZeroWidth(text, _ string) int {
	count, first := 0, -1
	for i := 0; i+2 < len(text); i++ {
		c0, c1, c2 := text[i], text[i+1], text[i+2]
		zw := c0 == 0xE2 && c1 == 0x80 && (c2 == 0x8B || c2 == 0x8C) || // U+200B, U+200C
			c0 == 0xE2 && c1 == 0x81 && (c2 == 0xA0 || c2 == 0xA2 || c2 == 0xA3 || c2 == 0xA4) || // U+2060, U+2062-2064
			c0 == 0xEF && c1 == 0xBB && c2 == 0xBF && i > 0 // U+FEFF not as BOM
		if !zw {
			continue
		}
		if first < 0 {
			first = i
		}
		count++
		if count >= 8 {
			return first
		}
		i += 2
	}
	return -1
}

// refFns are the frozen match functions of the statistical indicators.
var refFns = map[string]func(text, lower string) int{
	"download.raw_ip_url":      refRawIPURL,
	"evasion.vm_sandbox_check": refVmArtefacts,
	"obf.ps_backtick_noise":    refBacktickNoise,
	"obf.js_charcode_array":    refCharCodeArray,
	"obf.js_obfuscator_io":     refHexIdentifiers,
	"obf.base64_blob":          refBase64Blob,
	"obf.random_identifiers":   refRandomIdentifiers,
	"prompt.zero_width":        refZeroWidth,
}

// refFn returns the frozen match function of ind, or nil when it has none.
// A new statistical indicator must be added to refFns.
func refFn(ind Indicator) func(text, lower string) int {
	if ind.m.fn == nil {
		return nil
	}
	fn, ok := refFns[ind.ID]
	if !ok {
		panic("reference: no frozen match function for " + ind.ID)
	}
	return fn
}

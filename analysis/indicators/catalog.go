package indicators

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math/bits"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// Limits that bound the work Scan does on one layer.
const (
	// MaxHits is the most hits Scan returns for one layer; past it the
	// weakest are dropped.
	MaxHits = 128
	// MaxCount caps Hit.Count.
	MaxCount = 8
	// MaxScanBytes is how much of a layer Scan looks at; the rest of a
	// larger layer is ignored.
	MaxScanBytes = 8 << 20

	maxWindows = 32   // lines examined per anchor literal per condition
	windowBack = 512  // bytes of a long line looked at before an anchor
	windowFwd  = 1024 // bytes of a long line looked at after an anchor
	excerptMax = 160
)

// Catalog is a compiled, immutable set of indicators. It is safe for
// concurrent use.
type Catalog struct {
	inds   []compiled
	byID   map[string]int
	lits   []string
	ac     *automaton
	byLang [8][]int32 // indicator indexes by lang.Language; Unknown gets all
	// inLang[l][i] is whether byLang[l] holds indicator i, and
	// anchorlessIn[l] lists the indicators of byLang[l] without primary
	// anchors: Scan evaluates those and the ones whose anchors occur.
	inLang       [8][]bool
	anchorlessIn [8][]int32
	// anchorless is set when some indicator runs without a literal
	// prefilter, so a layer with no literal still has to be looked at.
	anchorless bool
	// byLit lists, for each literal, the indicators with it among their
	// primary anchors: the found literals name the indicators to evaluate.
	byLit [][]int32
	// scans recycles the per-layer working state; its position tables
	// are as large as the literal list.
	scans sync.Pool
}

type compiled struct {
	ind     Indicator
	primary ccond
	with    []ccond
	without []ccond
	fn      func(text, lower string) int
}

type ccond struct {
	anchors []int32
	folded  bool // the regexp is case-folded: run it on the ASCII-lower-cased text
	// m is the condition's regexp matcher, built on first use (many
	// conditions never run in a process, or run only on a few layers); nil
	// when the anchors alone are the condition.
	m func() *matcher
}

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := newCatalog(registry())
	if err != nil {
		panic(fmt.Sprintf("indicators: default catalog: %v", err))
	}
	return c
})

// Default returns the catalog built from the registry files. It is built
// once and shared.
func Default() *Catalog { return defaultCatalog() }

func newCatalog(inds []Indicator) (*Catalog, error) {
	c := &Catalog{byID: make(map[string]int, len(inds))}
	litID := map[string]int32{}
	lit := func(s string) (int32, error) {
		if s == "" || s != asciiLower(s) {
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
	compileCond := func(k cond) (ccond, error) {
		var cc ccond
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
				src = foldPattern(src)
				cc.folded = true
			}
			tree, err := syntax.Parse(src, syntax.Perl)
			if err != nil {
				return cc, fmt.Errorf("compile: %w", err)
			}
			cc.m = sync.OnceValue(func() *matcher {
				m := newMatcher(src, tree)
				for i := range m.branches {
					b := &m.branches[i]
					b.lit, b.litOff = c.ac.longestIn(asciiLower(b.prefix))
				}
				return m
			})
		}
		return cc, nil
	}
	for i, ind := range inds {
		if _, dup := c.byID[ind.ID]; dup {
			return nil, fmt.Errorf("indicator %s: duplicate id", ind.ID)
		}
		c.byID[ind.ID] = i
		ci := compiled{ind: ind, fn: ind.m.fn}
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
				c.inLang[l] = append(c.inLang[l], true)
				if len(ci.primary.anchors) == 0 {
					c.anchorlessIn[l] = append(c.anchorlessIn[l], int32(i))
				}
			} else {
				c.inLang[l] = append(c.inLang[l], false)
			}
		}
	}
	c.ac = newAutomaton(c.lits)
	c.byLit = make([][]int32, len(c.lits))
	for i := range c.inds {
		for _, a := range c.inds[i].primary.anchors {
			if !slices.Contains(c.byLit[a], int32(i)) {
				c.byLit[a] = append(c.byLit[a], int32(i))
			}
		}
	}
	c.scans.New = func() any {
		return &scan{c: c, occ: newOccurrences(len(c.lits)), cand: make([]bool, len(c.inds)),
			wins: make([][]win, len(c.lits)), winsDone: make([]bool, len(c.lits))}
	}
	return c, nil
}

// foldPattern rewrites a case-insensitive pattern into a case-sensitive one
// for the ASCII-lower-cased text: every ASCII letter that is not part of an
// escape (\S, \W, \b, ...) is lower-cased. Case-sensitive matching on the
// lowered copy is faster than (?i) and lets the regexp engine use literal
// prefixes. Patterns must not use escapes whose arguments are case-sensitive
// names (\p{Greek}); newCatalog parses the folded pattern, which rejects
// them.
func foldPattern(p string) string {
	b := []byte(p)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\\':
			i++ // keep the escaped character as written
		case 'A' <= c && c <= 'Z':
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// Indicators returns a copy of every indicator in registry order.
func (c *Catalog) Indicators() []Indicator {
	out := make([]Indicator, len(c.inds))
	for i := range c.inds {
		out[i] = c.inds[i].ind
	}
	return out
}

// Lookup returns the indicator with the given id.
func (c *Catalog) Lookup(id string) (Indicator, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Indicator{}, false
	}
	return c.inds[i].ind, true
}

// Len returns the number of indicators.
func (c *Catalog) Len() int { return len(c.inds) }

// scan is the per-layer working state.
type scan struct {
	c    *Catalog
	text string
	// lower is text with ASCII upper-case letters lowered, made on first
	// need (lowerOK): text itself when it has none, otherwise a view of
	// lowBuf, which the scan keeps for the next layer. So no string made
	// from lower may outlive the Scan call: matchers and match functions
	// return offsets, and hits take their text from text.
	lower   string
	lowerOK bool
	lowBuf  []byte
	occ     occurrences // where the literals occur
	cand    []bool      // indicators with a primary anchor that occurs
	order   []int32     // the indicators Scan evaluates, in catalog order
	// wins are, per literal, the windows found so far (see anchorWindow);
	// winsDone marks a literal with no further window.
	wins     [][]win
	winsDone []bool
	// nl holds the offsets of the '\n' in text[:nlEnd], found as far as
	// the hits need (see hit).
	nl    []int
	nlEnd int
}

// reset readies a recycled scan for text: every literal absent, nothing
// computed.
func (s *scan) reset(text string) {
	for _, id := range s.occ.found {
		s.wins[id], s.winsDone[id] = s.wins[id][:0], false
		for _, i := range s.c.byLit[id] {
			s.cand[i] = false
		}
	}
	s.occ.reset(len(text))
	s.text, s.lower, s.lowerOK = text, "", false
	s.nl, s.nlEnd = s.nl[:0], 0
}

// maxPooledLower is the largest lower-case buffer a recycled scan keeps:
// the few larger layers allocate their own, as they did before pooling.
const maxPooledLower = 1 << 20

// lowered returns the layer's text with ASCII upper-case letters lowered
// (see scan.lower for how long it may be used).
//
// Most layers hold upper-case letters, and a fresh copy of each was the
// largest allocation of a scan (about twice the corpus per pass), so the
// copy goes into a buffer recycled with the scan. A string view of the
// buffer (unsafe.String) saves copying it once more; the buffer is not
// written again until the scan is recycled, and Scan returns nothing
// that refers to it (TestScanLowerBufferDoesNotEscape).
func (s *scan) lowered() string {
	if s.lowerOK {
		return s.lower
	}
	t := s.text
	s.lower, s.lowerOK = t, true
	i := firstUpper(t)
	if i == len(t) {
		return t
	}
	if cap(s.lowBuf) < len(t) {
		s.lowBuf = make([]byte, len(t))
	}
	b := s.lowBuf[:len(t)]
	copy(b, t[:i])
	lowerASCII(b[i:], t[i:])
	s.lower = unsafe.String(&b[0], len(b))
	return s.lower
}

// asciiLower returns t with ASCII upper-case letters lowered (t itself when
// it has none).
func asciiLower(t string) string {
	i := firstUpper(t)
	if i == len(t) {
		return t
	}
	b := make([]byte, len(t))
	copy(b, t[:i])
	lowerASCII(b[i:], t[i:])
	return string(b)
}

// firstUpper returns the offset of the first ASCII upper-case letter in t,
// or len(t). It works on eight bytes at a time: this runs over every
// layer.
func firstUpper(t string) int {
	i := 0
	for ; i+8 <= len(t); i += 8 {
		if upperMask(load64(t, i)) != 0 {
			break
		}
	}
	for ; i < len(t); i++ {
		if 'A' <= t[i] && t[i] <= 'Z' {
			break
		}
	}
	return i
}

// lowerASCII writes t into dst, which is as long, with ASCII upper-case
// letters lowered, 32 bytes at a time.
func lowerASCII(dst []byte, t string) {
	n := min(len(dst), len(t))
	i := 0
	for ; i+32 <= n; i += 32 {
		// One bounds check per slice and iteration; the compiler
		// merges the byte loads and stores into words.
		s, d := t[i:i+32], dst[i:i+32:i+32]
		x0, x1, x2, x3 := load64(s, 0), load64(s, 8), load64(s, 16), load64(s, 24)
		binary.LittleEndian.PutUint64(d, x0|upperMask(x0)>>2)
		binary.LittleEndian.PutUint64(d[8:], x1|upperMask(x1)>>2)
		binary.LittleEndian.PutUint64(d[16:], x2|upperMask(x2)>>2)
		binary.LittleEndian.PutUint64(d[24:], x3|upperMask(x3)>>2)
	}
	for ; i < n; i++ {
		dst[i] = foldByte(t[i])
	}
}

// load64 reads the eight bytes of s at i as a little-endian word.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// upperMask returns 0x80 in each byte of x that is an ASCII upper-case
// letter, 0 in the others. Adding to the low seven bits of a byte cannot
// carry into the next one, and the sum's top bit tells the comparison.
func upperMask(x uint64) uint64 {
	const ones = 0x0101010101010101
	low := x & (0x7f * ones)
	geA := low + (0x80-'A')*ones           // top bit set: low >= 'A'
	gtZ := low + (0x80-'Z'-1)*ones         // top bit set: low > 'Z'
	return geA &^ gtZ &^ x & (0x80 * ones) // and the byte itself is ASCII
}

// win is a window of an anchor: the line around an occurrence at p,
// clipped to [ws, we) (offsets fit: a layer is at most MaxScanBytes).
type win struct{ p, ws, we int32 }

// window returns the line around offset p, clipped to windowBack bytes
// before p and windowFwd bytes after it.
func (s *scan) window(p, n int) (int, int) {
	lo := max(0, p-windowBack)
	ws := lo
	if k := lastNewline(s.text[lo:p]); k >= 0 {
		ws = lo + k + 1
	}
	hi := min(len(s.text), p+n+windowFwd)
	we := hi
	if k := strings.IndexByte(s.text[p:hi], '\n'); k >= 0 {
		we = p + k
	}
	return ws, we
}

// lastNewline is strings.LastIndexByte(t, '\n'), eight bytes at a time:
// LastIndexByte has no vectorised version and goes byte by byte, and
// window looks back up to windowBack bytes for every window of every
// layer.
func lastNewline(t string) int {
	const ones = 0x0101010101010101
	i := len(t)
	for ; i >= 8; i -= 8 {
		x := load64(t, i-8) ^ '\n'*ones // zero where t holds '\n'
		// Bit 7 of each byte of m is clear exactly when the byte of x
		// is zero; see upperMask for why the sum cannot carry.
		m := (x&(0x7f*ones) + 0x7f*ones) | x
		if nl := ^m & (0x80 * ones); nl != 0 {
			return i - 8 + (63-bits.LeadingZeros64(nl))/8
		}
	}
	for i > 0 {
		if i--; t[i] == '\n' {
			return i
		}
	}
	return -1
}

func (s *scan) present(c *ccond) bool {
	for _, a := range c.anchors {
		if s.occ.first[a] >= 0 {
			return true
		}
	}
	return false
}

// eval returns the earliest offset where the condition holds, or -1, and
// how many distinct lines hold it (capped) when count is set.
func (s *scan) eval(c *ccond, count bool) (int, int) {
	best := -1
	var seenBuf [MaxCount]int
	seen := seenBuf[:0] // window starts that matched, to count lines once
	for _, a := range c.anchors {
		if s.occ.first[a] < 0 {
			continue
		}
		subject := s.text
		if c.folded {
			subject = s.lowered()
		}
		for w := 0; w < maxWindows; w++ {
			win, ok := s.anchorWindow(a, w)
			if !ok {
				break // no occurrence of the anchor after the last window
			}
			ws, we := int(win.ws), int(win.we)
			m := -1
			if c.m == nil {
				m = int(win.p)
			} else {
				mt := c.m()
				if k := mt.firstSkipping(subject[ws:we], !count, s.skipBranches(mt, ws, we)); k >= 0 {
					m = ws + k
				}
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
		}
		if count && len(seen) >= MaxCount {
			break
		}
	}
	return best, len(seen)
}

// skipBranches returns the branches of m that cannot match in the window
// [ws, we) of the layer, as firstSkipping takes them: those whose prefix
// holds a catalog literal with no occurrence where it would sit in a
// prefix inside the window. The automaton located every occurrence, so
// this costs two loads per branch instead of a search of the window.
func (s *scan) skipBranches(m *matcher, ws, we int) uint32 {
	var skip uint32
	for i := range m.branches {
		b := &m.branches[i]
		if b.lit < 0 || i >= 32 {
			continue
		}
		// A match at p in [ws, we-len(prefix)] puts the literal at
		// p+litOff.
		lo, hi := ws+b.litOff, we-len(b.prefix)+b.litOff
		if f := int(s.occ.first[b.lit]); f < 0 || f > hi || int(s.occ.last[b.lit]) < lo {
			skip |= 1 << i
		}
	}
	return skip
}

// anchorWindow returns the w-th window of literal a: the line around its
// first occurrence, then around its first occurrence after that window,
// and so on. The windows depend on the literal alone, so the conditions
// that share an anchor share them; they are found once per layer, on
// demand. It reports false when there is no w-th window.
func (s *scan) anchorWindow(a int32, w int) (win, bool) {
	for len(s.wins[a]) <= w {
		if s.winsDone[a] {
			return win{}, false
		}
		lit := s.c.lits[a]
		p := int(s.occ.first[a])
		if n := len(s.wins[a]); n > 0 {
			if p = s.occ.next(a, lit, s.lowered(), int(s.wins[a][n-1].we)); p < 0 {
				s.winsDone[a] = true
				continue
			}
		}
		ws, we := s.window(p, len(lit))
		s.wins[a] = append(s.wins[a], win{int32(p), int32(ws), int32(we)})
	}
	return s.wins[a][w], true
}

// Scan runs every indicator scoped to l (all of them for lang.Unknown) over
// one layer's text and returns one hit per matching indicator at its first
// occurrence, ordered by position. layer is copied into the hits.
func (c *Catalog) Scan(text string, l lang.Language, layer int) []Hit {
	if len(text) > MaxScanBytes {
		text = text[:MaxScanBytes]
	}
	if text == "" {
		return nil
	}
	s := c.getScan(text)
	defer c.putScan(s)
	c.ac.scan(text, &s.occ)
	if len(s.occ.found) == 0 && !c.anchorless {
		return nil
	}
	li := 0
	if int(l) < len(c.byLang) {
		li = int(l)
	}
	// The indicators to evaluate, in catalog order (the order hits are
	// collected in decides which survive the MaxHits cut): those of the
	// language without primary anchors, and those whose anchors occur.
	// Collecting them beats walking the language's whole list, most of
	// which is absent from a layer.
	order := append(s.order[:0], c.anchorlessIn[li]...)
	for _, id := range s.occ.found {
		for _, i := range c.byLit[id] {
			if !s.cand[i] {
				s.cand[i] = true
				if c.inLang[li][i] {
					order = append(order, i)
				}
			}
		}
	}
	slices.Sort(order)
	s.order = order
	var hits []Hit
	for _, i := range order {
		ci := &c.inds[i]
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
	// slices.SortStableFunc, unlike sort.SliceStable, allocates nothing.
	if len(hits) > MaxHits {
		slices.SortStableFunc(hits, func(a, b Hit) int { return cmp.Compare(b.Severity, a.Severity) })
		hits = hits[:MaxHits]
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column), strings.Compare(a.ID, b.ID))
	})
	return hits
}

// getScan returns a working state for text, recycled when possible.
func (c *Catalog) getScan(text string) *scan {
	s := c.scans.Get().(*scan)
	s.reset(text)
	return s
}

// putScan recycles s; it must not keep the layer's text alive.
func (c *Catalog) putScan(s *scan) {
	s.reset("")
	if cap(s.lowBuf) > maxPooledLower {
		s.lowBuf = nil
	}
	c.scans.Put(s)
}

func (s *scan) hit(ci *compiled, pos, count, layer int) Hit {
	// Index the newlines as far as the first one at or after pos, which
	// ends pos's line: the rest of a large layer after its last hit is
	// never looked at.
	for (len(s.nl) == 0 || s.nl[len(s.nl)-1] < pos) && s.nlEnd < len(s.text) {
		k := strings.IndexByte(s.text[s.nlEnd:], '\n')
		if k < 0 {
			s.nlEnd = len(s.text)
			break
		}
		s.nl = append(s.nl, s.nlEnd+k)
		s.nlEnd += k + 1
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
		Excerpt:    excerpt(s.text, ls, le, pos),
		Count:      min(max(count, 1), MaxCount),
	}
}

// printableASCII reports whether t holds only printable ASCII and tabs,
// which excerpt keeps as they are.
func printableASCII(t string) bool {
	for i := 0; i < len(t); i++ {
		if c := t[i]; (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}

// excerpt returns the line [ls, le) trimmed to excerptMax bytes around pos,
// cut on rune boundaries, with control characters blanked.
func excerpt(text string, ls, le, pos int) string {
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
	ex := text[ls:le]
	if !printableASCII(ex) { // the usual line needs neither pass
		ex = strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\t' || r == 0x7f {
				return ' '
			}
			return r
		}, strings.ToValidUTF8(ex, "\uFFFD"))
	}
	ex = strings.TrimSpace(ex)
	for len(ex) > excerptMax { // replacement runes can grow the text
		_, sz := utf8.DecodeLastRuneInString(ex)
		ex = ex[:len(ex)-sz]
	}
	return ex
}

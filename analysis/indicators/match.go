package indicators

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Limits for splitting a condition's regexp into branches.
const (
	maxBranches   = 24 // more and the split is not worth its set-up cost
	maxClassSplit = 6  // a leading character class of up to this many characters is split
	maxRetries    = 8  // regexp runs in one window beyond one per branch before the whole pattern takes over
)

// A matcher finds where a condition's regexp first matches in a window.
//
// Go's regexp engine skips to candidate positions with a substring search
// only when every match starts with one literal prefix. Most catalog
// patterns do not: they start with \b, with an alternation or with a small
// character class, so the engine would run its backtracker or NFA from
// every byte of every window. A matcher splits such a pattern into branches
// (\bdd\s+if=...|\brm\s+-[rf]... becomes "dd\s+if=..." and "rm\s+-[rf]..."
// plus a word-boundary test at the start), each with a literal prefix. The
// earliest start of any branch is where the whole pattern first matches,
// because a regexp match starts at the leftmost position where any of its
// alternatives matches. Branches that cannot match a window are skipped
// without running the engine: their prefix or a literal every match
// contains (need) is missing. Patterns with an (?<at>...) group, whose
// submatch is the hit, are not split, and a few patterns have hand-written
// equivalents (nativeMatchers).
type matcher struct {
	re   func() *regexp.Regexp // the whole pattern, compiled on first use
	at   int                   // index of the (?<at>...) group, or -1
	need []needSet             // what every match holds, when there are no branches
	// branches, when set, replace re for finding the first match; re still
	// serves when one branch needs too many runs in a window.
	branches []branch
	// native, when set, replaces re altogether (see nativeMatchers).
	native func(w string) int
}

// branch is one alternative of a pattern with a literal prefix: a match of
// the alternative is a position where assert holds followed by a match of
// re. Assertions after the prefix stay in re, and only look at bytes from
// the match start on, so re may run on a window cut just before a
// candidate.
type branch struct {
	re     *regexp.Regexp
	prefix string         // re's literal prefix, never empty
	assert syntax.EmptyOp // zero-width assertions at the start (\b, ^)
	need   []needSet      // what every match holds, beyond its prefix
	// lit is a catalog literal that the ASCII-lower-cased prefix holds at
	// offset litOff, or -1. The automaton has located every occurrence of
	// it in the layer, so a window where none can sit inside a prefix
	// holds no match of the branch (see Catalog.skipBranches).
	lit    int32
	litOff int
}

// newMatcher builds the matcher of a condition's pattern src, parsed as
// tree (with syntax.Perl, as regexp.Compile parses); tree is not modified.
func newMatcher(src string, tree *syntax.Regexp) *matcher {
	m := &matcher{at: -1}
	m.re = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(src) })
	for i, name := range tree.CapNames() {
		if name == "at" {
			m.at = i
		}
	}
	if m.native = nativeMatchers[src]; m.native != nil {
		return m
	}
	if m.at < 0 {
		m.branches = splitBranches(tree)
	}
	if m.branches == nil {
		m.need = requiredLiterals(tree, "")
	}
	return m
}

// first returns the offset in w where the pattern first matches (where its
// at group starts, when it has one), or -1. With exists set it may return
// any match offset: only whether there is one matters.
func (m *matcher) first(w string, exists bool) int {
	return m.firstSkipping(w, exists, 0)
}

// firstSkipping is first for a window where the branches with their bit
// set in skip are known not to match.
func (m *matcher) firstSkipping(w string, exists bool, skip uint32) int {
	if m.native != nil {
		return m.native(w)
	}
	if m.branches == nil {
		if !hasNeeds(w, m.need) {
			return -1
		}
		re := m.re()
		if m.at >= 0 {
			loc := re.FindStringSubmatchIndex(w)
			if loc == nil {
				return -1
			}
			if loc[2*m.at] >= 0 {
				return loc[2*m.at]
			}
			return loc[0]
		}
		if loc := re.FindStringIndex(w); loc != nil {
			return loc[0]
		}
		return -1
	}
	best := -1
	// Each branch may run its regexp once; a branch whose match starts
	// where its assertions fail runs it again, and on hostile text that
	// could go on. Past the budget the whole pattern decides, in one run.
	budget := len(m.branches) + maxRetries
	for i := range m.branches {
		if skip&(1<<i) != 0 {
			continue
		}
		b := &m.branches[i]
		end := len(w)
		if best >= 0 {
			// Only a match starting before best matters, and it starts
			// with the prefix.
			end = min(end, best-1+len(b.prefix))
		}
		q, ok := b.first(w, end, &budget)
		if !ok {
			if loc := m.re().FindStringIndex(w); loc != nil {
				return loc[0]
			}
			return -1
		}
		if q >= 0 && (best < 0 || q < best) {
			best = q
			if exists {
				break
			}
		}
	}
	return best
}

// first returns the first offset of w where the branch matches, considering
// only starts whose prefix ends by end, or -1. Each regexp run takes one
// from budget; it reports false when the budget ran out, and the caller
// then runs the whole pattern.
func (b *branch) first(w string, end int, budget *int) (int, bool) {
	for from := 0; ; {
		if from >= end {
			return -1, true
		}
		k := strings.Index(w[from:end], b.prefix)
		if k < 0 {
			return -1, true
		}
		q := from + k
		if !assertAt(w, q, b.assert) {
			from = q + 1
			continue
		}
		if !hasNeeds(w[q:], b.need) {
			return -1, true // no match can start at q or later
		}
		if *budget--; *budget < 0 {
			return -1, false
		}
		loc := b.re.FindStringIndex(w[q:])
		if loc == nil {
			return -1, true
		}
		if q += loc[0]; assertAt(w, q, b.assert) {
			return q, true
		}
		from = q + 1
	}
}

// assertAt reports whether the zero-width assertions in op hold at offset
// p of w, judged as the regexp engine judges them.
func assertAt(w string, p int, op syntax.EmptyOp) bool {
	if op == 0 {
		return true
	}
	r1, r2 := rune(-1), rune(-1)
	if p > 0 {
		r1, _ = utf8.DecodeLastRuneInString(w[:p])
	}
	if p < len(w) {
		r2, _ = utf8.DecodeRuneInString(w[p:])
	}
	return op&^syntax.EmptyOpContext(r1, r2) == 0
}

// splitBranches splits a parsed pattern into branches with literal
// prefixes, or returns nil when some alternative has none or there would
// be too many.
func splitBranches(re *syntax.Regexp) []branch {
	var heads []branchHead
	if !expand([]*syntax.Regexp{re}, 0, &heads) || len(heads) < 1 {
		return nil
	}
	out := make([]branch, 0, len(heads))
	for _, h := range heads {
		cat := &syntax.Regexp{Op: syntax.OpConcat, Sub: h.seq}
		r, err := regexp.Compile(regexpSource(cat, true))
		if err != nil {
			return nil
		}
		prefix, _ := r.LiteralPrefix()
		if prefix == "" {
			return nil
		}
		out = append(out, branch{re: r, prefix: prefix, assert: h.assert, need: requiredLiterals(cat, prefix), lit: -1})
	}
	return out
}

// branchHead is an alternative of a pattern: assertions, then a sequence
// that starts with a literal.
type branchHead struct {
	assert syntax.EmptyOp
	seq    []*syntax.Regexp
}

// expand distributes the leading alternations, optional parts, repetitions
// and small character classes of the sequence seq until every alternative
// starts with a literal, collecting zero-width assertions on the way. It
// reports false when some alternative cannot be brought to start with a
// literal (or could match the empty string).
func expand(seq []*syntax.Regexp, assert syntax.EmptyOp, out *[]branchHead) bool {
	if len(*out) > maxBranches || len(seq) == 0 {
		return false
	}
	x, rest := seq[0], seq[1:]
	with := func(head ...*syntax.Regexp) []*syntax.Regexp {
		return append(append(make([]*syntax.Regexp, 0, len(head)+len(rest)), head...), rest...)
	}
	switch x.Op {
	case syntax.OpLiteral:
		if x.Flags&syntax.FoldCase != 0 {
			return false
		}
		*out = append(*out, branchHead{assert, seq})
		return len(*out) <= maxBranches
	case syntax.OpEmptyMatch:
		return expand(rest, assert, out)
	case syntax.OpCapture:
		return expand(with(x.Sub[0]), assert, out)
	case syntax.OpConcat:
		return expand(with(x.Sub...), assert, out)
	case syntax.OpAlternate:
		for _, s := range x.Sub {
			if !expand(with(s), assert, out) {
				return false
			}
		}
		return true
	case syntax.OpQuest:
		return expand(with(x.Sub[0]), assert, out) && expand(rest, assert, out)
	case syntax.OpPlus:
		star := &syntax.Regexp{Op: syntax.OpStar, Flags: x.Flags, Sub: x.Sub}
		return expand(with(x.Sub[0], star), assert, out)
	case syntax.OpRepeat:
		if x.Min < 1 {
			return false
		}
		if x.Max == 1 {
			return expand(with(x.Sub[0]), assert, out)
		}
		more := &syntax.Regexp{Op: syntax.OpRepeat, Flags: x.Flags, Sub: x.Sub, Min: x.Min - 1, Max: x.Max}
		if x.Max > 0 {
			more.Max--
		}
		return expand(with(x.Sub[0], more), assert, out)
	case syntax.OpCharClass:
		var lits []rune
		for i := 0; i+1 < len(x.Rune); i += 2 {
			for r := x.Rune[i]; r <= x.Rune[i+1]; r++ {
				if len(lits) == maxClassSplit {
					return false
				}
				lits = append(lits, r)
			}
		}
		for _, r := range lits {
			lit := &syntax.Regexp{Op: syntax.OpLiteral, Flags: x.Flags &^ syntax.FoldCase, Rune: []rune{r}}
			if !expand(with(lit), assert, out) {
				return false
			}
		}
		return len(lits) > 0
	case syntax.OpBeginLine:
		return expand(rest, assert|syntax.EmptyBeginLine, out)
	case syntax.OpBeginText:
		return expand(rest, assert|syntax.EmptyBeginText, out)
	case syntax.OpWordBoundary:
		return expand(rest, assert|syntax.EmptyWordBoundary, out)
	case syntax.OpNoWordBoundary:
		return expand(rest, assert|syntax.EmptyNoWordBoundary, out)
	}
	return false
}

// regexpSource writes re back as a pattern that compiles to the same
// matcher. syntax.Regexp.String would do, but it checks every rune of every
// character class for case folding: milliseconds per [^\n]. This writer
// spells out each class as ranges and each sub-expression in its own group,
// and sets the flags that the syntax.Perl parse gave each node explicitly.
//
// With lazy set every repetition is written non-greedy. That changes where
// a match ends, never where the leftmost match starts (the set of possible
// matches is the same), and it is all a branch reports. The engine then
// stops at the shortest match instead of first running x[^\n]*y's
// [^\n]* to the end of the line and backing up.
func regexpSource(re *syntax.Regexp, lazy bool) string {
	var b strings.Builder
	writeSource(&b, re, lazy)
	return b.String()
}

func writeSource(b *strings.Builder, re *syntax.Regexp, lazy bool) {
	switch re.Op {
	case syntax.OpNoMatch:
		b.WriteString(`[^\x00-\x{10FFFF}]`)
	case syntax.OpEmptyMatch:
		b.WriteString(`(?:)`)
	case syntax.OpLiteral:
		// The pattern starts case-sensitive and every (?i: is closed.
		if re.Flags&syntax.FoldCase != 0 {
			b.WriteString(`(?i:`)
		}
		for _, r := range re.Rune {
			writeRune(b, r)
		}
		if re.Flags&syntax.FoldCase != 0 {
			b.WriteString(`)`)
		}
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			b.WriteString(`[^\x00-\x{10FFFF}]`)
			return
		}
		b.WriteString(`[`)
		for i := 0; i+1 < len(re.Rune); i += 2 {
			writeRune(b, re.Rune[i])
			if re.Rune[i+1] != re.Rune[i] {
				b.WriteString(`-`)
				writeRune(b, re.Rune[i+1])
			}
		}
		b.WriteString(`]`)
	case syntax.OpAnyCharNotNL:
		b.WriteString(`(?-s:.)`)
	case syntax.OpAnyChar:
		b.WriteString(`(?s:.)`)
	case syntax.OpBeginLine:
		b.WriteString(`(?m:^)`)
	case syntax.OpEndLine:
		b.WriteString(`(?m:$)`)
	case syntax.OpBeginText:
		b.WriteString(`\A`)
	case syntax.OpEndText:
		b.WriteString(`\z`)
	case syntax.OpWordBoundary:
		b.WriteString(`\b`)
	case syntax.OpNoWordBoundary:
		b.WriteString(`\B`)
	case syntax.OpCapture:
		// Branches report where a match starts, never a group.
		b.WriteString(`(?:`)
		writeSource(b, re.Sub[0], lazy)
		b.WriteString(`)`)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		b.WriteString(`(?:`)
		writeSource(b, re.Sub[0], lazy)
		b.WriteString(`)`)
		switch re.Op {
		case syntax.OpStar:
			b.WriteString(`*`)
		case syntax.OpPlus:
			b.WriteString(`+`)
		case syntax.OpQuest:
			b.WriteString(`?`)
		default:
			b.WriteString(`{` + strconv.Itoa(re.Min))
			if re.Max != re.Min {
				b.WriteString(`,`)
				if re.Max >= 0 {
					b.WriteString(strconv.Itoa(re.Max))
				}
			}
			b.WriteString(`}`)
		}
		if lazy || re.Flags&syntax.NonGreedy != 0 {
			b.WriteString(`?`)
		}
	case syntax.OpConcat, syntax.OpAlternate:
		b.WriteString(`(?:`)
		for i, sub := range re.Sub {
			if i > 0 && re.Op == syntax.OpAlternate {
				b.WriteString(`|`)
			}
			writeSource(b, sub, lazy)
		}
		b.WriteString(`)`)
	default:
		// Every Op is handled above; an unknown one must not compile.
		b.WriteString(`(?P<invalid`)
	}
}

// writeRune writes r so that it means r alone, in or out of a class:
// letters, digits and '_' as they are, anything else escaped.
func writeRune(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf && byteClass[r]&(clUpper|clLower|clDigit|clUnder) != 0 {
		b.WriteByte(byte(r))
		return
	}
	b.WriteString(`\x{`)
	b.WriteString(strconv.FormatInt(int64(r), 16))
	b.WriteString(`}`)
}

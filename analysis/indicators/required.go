package indicators

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits for the literal sets derived from a regexp.
const (
	maxNeedSets  = 6
	maxNeedSize  = 16
	maxNeedCount = 1 << 16
)

// needSet says that every match of a regexp holds at least n
// non-overlapping occurrences of members of lits. Checking the sets with
// strings.Contains and strings.Count is far cheaper than running the regexp
// on a window that cannot match.
type needSet struct {
	lits []string
	n    int
}

// requiredLiterals derives the need sets of a parsed regexp: sets that
// every match satisfies, the most selective maxNeedSets of them, leaving
// out those that a match starting with prefix satisfies by its prefix
// alone. It returns nil when nothing useful is known.
func requiredLiterals(re *syntax.Regexp, prefix string) []needSet {
	var out []needSet
	for _, s := range need(re.Simplify()) {
		if s.n == 1 && slices.ContainsFunc(s.lits, func(l string) bool { return strings.Contains(prefix, l) }) {
			continue
		}
		out = append(out, s)
	}
	if len(out) > maxNeedSets {
		// Keep the most selective: longest shortest member, then most
		// occurrences.
		slices.SortStableFunc(out, func(a, b needSet) int {
			if d := minLen(b.lits) - minLen(a.lits); d != 0 {
				return d
			}
			return b.n - a.n
		})
		out = out[:maxNeedSets]
	}
	return out
}

func minLen(set []string) int {
	m := 1 << 30
	for _, s := range set {
		m = min(m, len(s))
	}
	return m
}

// need returns a conjunction of need sets for re.
//
// A set from a sub-expression repeated at least k times needs k times its
// count, and equal sets of different parts of a concatenation add up:
// those parts match disjoint stretches of text. Literals that hold the
// replacement character are left out: the regexp engine matches U+FFFD
// on an invalid byte, which the text does not spell as U+FFFD.
func need(re *syntax.Regexp) []needSet {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || slices.Contains(re.Rune, utf8.RuneError) {
			return nil
		}
		return []needSet{{[]string{string(re.Rune)}, 1}}
	case syntax.OpCharClass:
		var set []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(set) == 4 || r == utf8.RuneError {
					return nil
				}
				set = append(set, string(r))
			}
		}
		if len(set) == 0 {
			return nil
		}
		return []needSet{{set, 1}}
	case syntax.OpCapture, syntax.OpPlus:
		return need(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil
		}
		sets := need(re.Sub[0])
		for i := range sets {
			sets[i].n = min(sets[i].n*re.Min, maxNeedCount)
		}
		return sets
	case syntax.OpConcat:
		var out []needSet
		add := func(s needSet) {
			for i := range out {
				if slices.Equal(out[i].lits, s.lits) {
					out[i].n = min(out[i].n+s.n, maxNeedCount)
					return
				}
			}
			out = append(out, s)
		}
		// Merge runs of plain literals so "ab" "cd" become "abcd".
		var run strings.Builder
		flush := func() {
			if run.Len() > 0 {
				add(needSet{[]string{run.String()}, 1})
				run.Reset()
			}
		}
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 && !slices.Contains(sub.Rune, utf8.RuneError) {
				run.WriteString(string(sub.Rune))
				continue
			}
			flush()
			for _, s := range need(sub) {
				add(s)
			}
		}
		flush()
		return out
	case syntax.OpAlternate:
		var union needSet
		for i, sub := range re.Sub {
			best := bestSet(need(sub))
			if best.lits == nil {
				return nil
			}
			union.lits = append(union.lits, best.lits...)
			if i == 0 || best.n < union.n {
				union.n = best.n
			}
			if len(union.lits) > maxNeedSize {
				return nil
			}
		}
		return []needSet{union}
	}
	return nil
}

// bestSet picks the set whose shortest member is longest.
func bestSet(sets []needSet) needSet {
	var best needSet
	for _, s := range sets {
		if best.lits == nil || minLen(s.lits) > minLen(best.lits) {
			best = s
		}
	}
	return best
}

// hasNeeds reports whether window satisfies every set.
func hasNeeds(window string, sets []needSet) bool {
	for _, set := range sets {
		if set.n == 1 {
			if !slices.ContainsFunc(set.lits, func(l string) bool { return strings.Contains(window, l) }) {
				return false
			}
			continue
		}
		found := 0
		for _, lit := range set.lits {
			if found += strings.Count(window, lit); found >= set.n {
				break
			}
		}
		if found < set.n {
			return false
		}
	}
	return true
}

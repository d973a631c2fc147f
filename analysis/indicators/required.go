package indicators

import (
	"regexp/syntax"
	"strings"
)

// Limits for the literal sets derived from a regexp.
const (
	maxNeedSets = 6
	maxNeedSize = 16
)

// requiredLiterals derives, from a regexp, sets of literals such that every
// match contains at least one member of each set. Checking them with
// strings.Contains is far cheaper than running the regexp on a line that
// cannot match. It returns nil when nothing useful is known.
func requiredLiterals(pattern string) [][]string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	sets := need(re.Simplify())
	if len(sets) > maxNeedSets {
		// keep the most selective: longest shortest member first
		for i := 0; i < len(sets); i++ {
			for j := i + 1; j < len(sets); j++ {
				if minLen(sets[j]) > minLen(sets[i]) {
					sets[i], sets[j] = sets[j], sets[i]
				}
			}
		}
		sets = sets[:maxNeedSets]
	}
	return sets
}

func minLen(set []string) int {
	m := 1 << 30
	for _, s := range set {
		m = min(m, len(s))
	}
	return m
}

// need returns a conjunction of any-of literal sets for re.
func need(re *syntax.Regexp) [][]string {
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
		return need(re.Sub[0])
	case syntax.OpPlus:
		return need(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return need(re.Sub[0])
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
			out = append(out, need(sub)...)
		}
		flush()
		return out
	case syntax.OpAlternate:
		var union []string
		for _, sub := range re.Sub {
			best := bestSet(need(sub))
			if best == nil {
				return nil
			}
			union = append(union, best...)
			if len(union) > maxNeedSize {
				return nil
			}
		}
		return [][]string{union}
	}
	return nil
}

// bestSet picks the set whose shortest member is longest.
func bestSet(sets [][]string) []string {
	var best []string
	for _, s := range sets {
		if best == nil || minLen(s) > minLen(best) {
			best = s
		}
	}
	return best
}

// hasNeeds reports whether window contains a member of every set.
func hasNeeds(window string, sets [][]string) bool {
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

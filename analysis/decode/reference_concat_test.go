package decode

import (
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

// refRewriteJSConcat is rewriteJSConcat as of 57f7c08 (before isPlusGap
// and the operator checks were table-driven and the chain was found
// first), over the literal views.
func refRewriteJSConcat(s *scan) (string, bool) {
	text, max := s.text, s.max
	if !strings.Contains(text, "+") {
		return text, false
	}
	lits := jsLiterals(text)
	var edits []edit
	sig := false
	for i := 0; i < len(lits); i++ {
		if !lits[i].pure {
			continue
		}
		if p := prevNonSpace(text, lits[i].start); p >= 0 && strings.IndexByte(".*/%-]", text[p]) >= 0 {
			continue
		}
		j := i
		for j+1 < len(lits) && lits[j+1].pure && strings.TrimSpace(text[lits[j].end:lits[j+1].start]) == "+" {
			j++
		}
		if n := skipSpace(text, lits[j].end); j > i && n < len(text) && strings.IndexByte(".[*/%", text[n]) >= 0 {
			j--
		}
		if j <= i {
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
			edits = append(edits, edit{lits[i].start, lits[j].end, jsQuote(b.String())})
		}
		i = j
	}
	return applyEdits(text, edits), sig
}

// checkJSConcat compares rewriteJSConcat with its frozen reference on s.
func checkJSConcat(t *testing.T, text string) {
	t.Helper()
	for _, max := range []int{1 << 20, 8} {
		s := &scan{text: text, max: max}
		got, gotSig := rewriteJSConcat(s)
		s.release()
		want, wantSig := refRewriteJSConcat(&scan{text: text, max: max})
		if got != want || gotSig != wantSig {
			t.Fatalf("rewriteJSConcat(%q, %d) = %q, %v, want %q, %v", trim(text), max, trim(got), gotSig, trim(want), wantSig)
		}
	}
}

var jsConcatSeeds = []string{
	`'a' + 'b'`, `x = "Down" + 'load' + "File"; y = 'a' +` + "`b${c}`", `f('a'+'b').x`, `o['a' + 'b']`,
	`x = 2 * 'a' + 'b' + 'c' * 3`, `a.b + 'c' + 'd'`, "'a'\n+\t'b' + \u00a0'c'", `'a' + 'b' + 'c'.length`,
	`"a" + /* c */ "b"`, `'a'+'b'+'c'+'d'+'e'+'f'`,
}

func TestJSConcatDifferential(t *testing.T) {
	for _, s := range append(append([]string{}, jsConcatSeeds...), jsLexSeeds...) {
		checkJSConcat(t, s)
	}
	corpus.Sweep(t, corpus.Dev, func(_, text string) { checkJSConcat(t, text) })
}

func FuzzJSConcat(f *testing.F) {
	for _, s := range jsConcatSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkJSConcat(t, s) })
}

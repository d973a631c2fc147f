package indicators

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/internal/race"
)

func TestSplitBranches(t *testing.T) {
	type br struct {
		prefix string
		assert syntax.EmptyOp
	}
	const wb, bt = syntax.EmptyWordBoundary, syntax.EmptyBeginText
	tests := []struct {
		name    string
		pattern string
		want    []br // nil: not split
	}{
		{"plain literal", `abc\s+d`, []br{{"abc", 0}}},
		{"alternation", `abc|def`, []br{{"abc", 0}, {"def", 0}}},
		{"word boundaries", `\bdd\s+if=|\brm\s+-`, []br{{"dd", wb}, {"rm", wb}}},
		{"leading group distributed", `(?:\biex\b|invoke-expression)[^\n]*x`, []br{{"iex", wb}, {"invoke-expression", 0}}},
		{"small class split", `\b[wc]script\s`, []br{{"cscript", wb}, {"wscript", wb}}},
		{"start or space", `(?:^|\s)-w`, []br{{"-w", bt}, {"\t-w", 0}, {"\n-w", 0}, {"\f-w", 0}, {"\r-w", 0}, {" -w", 0}}},
		{"optional head", `(?:io\.)?gzip`, []br{{"io.gzip", 0}, {"gzip", 0}}},
		{"repetition head", `(?:\\x[0-9a-f]{2}){24,}`, []br{{`\x`, 0}}},
		{"plus head", `(?:ab)+c`, []br{{"ab", 0}}},
		{"capture head", `(ab|cd)e`, []br{{"abe", 0}, {"cde", 0}}},
		{"branch without literal", `abc|\w+`, nil},
		{"large class", `[a-z]bc`, nil},
		{"negated class", `[^a]bc`, nil},
		{"star head", `a*bc`, nil},
		{"can match empty", `(?:ab)?`, nil},
		{"case-folded literal", `(?i)abc`, nil},
		{"at group is not split", `(?:^|\W)(?<at>eval)\(`, nil},
		{"too many branches", `[a-f]x|[g-l]x|[m-r]x|[s-x]x|[0-5]x`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree, err := syntax.Parse(tc.pattern, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			m := newMatcher(tc.pattern, tree)
			var got []br
			for _, b := range m.branches {
				got = append(got, br{b.prefix, b.assert})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("branches of %q: got %q, want %q", tc.pattern, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("branch %d of %q: got %q, want %q", i, tc.pattern, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestRegexpSource checks that patterns written back by regexpSource match
// exactly where the originals do.
func TestRegexpSource(t *testing.T) {
	patterns := []string{
		`(?i:Ab)c`, `a{2,5}?b`, `x{3}`, `x{2,}`, `[^\n]+`, `^a$`, `\bx\B`, `(?s:.)a.`, `(?m)^a$`,
		`(?:)a`, `[\x{10FFFF}\x00-\x{1F}]`, `\Qa.b\E`, `(a)|(?P<n>b)`, `a*?b+?c??`, `[[:alpha:]]\d\W`,
		`é|\x{FFFD}`, `(?U)a+`, `\pL\p{Greek}`, `(?i)k`, `[^\x00-\x{10FFFF}]`, `a[^\n]*b|b+c`, `(?:ab)*?(?:a|b){2,3}b`,
	}
	inputs := []string{"", "a", "Abc abc aBc", "xxx xx x\nx", "a\nb\nb\n", "é\xff\xfe\x00 \x1f",
		"aab aaab b c", "k K \u212a", "alpha1_ beta", "ΑΒΓ abc", "a.b a?b", "\u00e9\uFFFD"}
	for _, p := range patterns {
		tree, err := syntax.Parse(p, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		want := regexp.MustCompile(p)
		src := regexpSource(tree, false)
		re, err := regexp.Compile(src)
		if err != nil {
			t.Errorf("%q: written as %q, which does not compile: %v", p, src, err)
			continue
		}
		lazySrc := regexpSource(tree, true)
		lazy, err := regexp.Compile(lazySrc)
		if err != nil {
			t.Errorf("%q: written lazily as %q, which does not compile: %v", p, lazySrc, err)
			continue
		}
		for _, in := range inputs {
			if g, w := re.FindAllStringIndex(in, -1), want.FindAllStringIndex(in, -1); !equalLocs(g, w) {
				t.Errorf("%q written as %q on %q: got %v, want %v", p, src, in, g, w)
			}
			// Lazily written, only where the first match starts is kept.
			for from := 0; from <= len(in); from++ {
				g, w := lazy.FindStringIndex(in[from:]), want.FindStringIndex(in[from:])
				if (g == nil) != (w == nil) || g != nil && g[0] != w[0] {
					t.Errorf("%q written lazily as %q on %q: got %v, want %v", p, lazySrc, in[from:], g, w)
				}
			}
		}
	}
}

// TestMatcherRetryBudget covers branches whose regexp keeps matching where
// the branch's leading \b fails, until the whole pattern takes over.
func TestMatcherRetryBudget(t *testing.T) {
	const pattern = `\brm\s+-rf|\bzz\d`
	tree, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	m := newMatcher(pattern, tree)
	if len(m.branches) != 2 {
		t.Fatalf("branches: got %d, want 2", len(m.branches))
	}
	cr := condRef{"retry", m, m.re(), false}
	unit := "rm q xrm -rf "
	for _, w := range []string{
		strings.Repeat(unit, maxRetries-1),            // within the budget
		strings.Repeat(unit, 3*maxRetries),            // past it, no match
		strings.Repeat(unit, 3*maxRetries) + "rm -rf", // past it, a match at the end
		strings.Repeat(unit, 3*maxRetries) + " zz1",
	} {
		checkMatcher(t, cr, w)
	}
}

func equalLocs(a, b [][]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i][0] != b[i][0] || a[i][1] != b[i][1] {
			return false
		}
	}
	return true
}

// condRef pairs a condition's matcher with its whole compiled pattern.
type condRef struct {
	id     string
	m      *matcher
	re     *regexp.Regexp
	folded bool
}

func catalogConds(c *Catalog) []condRef {
	var out []condRef
	for _, ci := range c.inds {
		for _, cc := range append(append([]ccond{ci.primary}, ci.with...), ci.without...) {
			if cc.m != nil {
				m := cc.m()
				out = append(out, condRef{ci.ind.ID, m, m.re(), cc.folded})
			}
		}
	}
	return out
}

// wantFirst is what the whole regexp says first() must return.
func (cr condRef) wantFirst(w string) int {
	if cr.m.at >= 0 {
		loc := cr.re.FindStringSubmatchIndex(w)
		if loc == nil {
			return -1
		}
		if loc[2*cr.m.at] >= 0 {
			return loc[2*cr.m.at]
		}
		return loc[0]
	}
	if loc := cr.re.FindStringIndex(w); loc != nil {
		return loc[0]
	}
	return -1
}

func checkMatcher(t testing.TB, cr condRef, w string) bool {
	t.Helper()
	if cr.folded {
		w = asciiLower(w)
	}
	want := cr.wantFirst(w)
	if got := cr.m.first(w, false); got != want {
		t.Errorf("%s: %q on %.80q: got %d, want %d", cr.id, cr.re, w, got, want)
		return false
	}
	if got := cr.m.first(w, true); (got >= 0) != (want >= 0) || got >= len(w)+1 {
		t.Errorf("%s: %q on %.80q, existence only: got %d, want a match: %v", cr.id, cr.re, w, got, want >= 0)
		return false
	}
	return true
}

// TestMatcherAgreesWithRegexp holds every condition's matcher to its whole
// regexp on the fixtures, their lines, and the lines of the dev corpus that
// hold one of the condition's anchors.
func TestMatcherAgreesWithRegexp(t *testing.T) {
	c := Default()
	conds := catalogConds(c)
	var texts []string
	for _, ind := range registry() {
		for _, tp := range ind.TruePositives {
			text, _, _ := fixture(tp)
			texts = append(texts, text, strings.ToUpper(text))
		}
		texts = append(texts, ind.FalsePositives...)
	}
	for _, cr := range conds {
		for _, w := range texts {
			if !checkMatcher(t, cr, w) {
				break
			}
		}
	}
	// Corpus lines, cut to a window's size, that hold an anchor literal of
	// some condition: the windows Scan runs matchers on.
	seen := map[string]bool{}
	var lines []string
	for i, ly := range loadDevLayers(t) {
		if i%3 != 0 || !race.Sample(i/3) { // a third keeps the test quick (a 24th under -race)
			continue
		}
		for _, line := range strings.Split(ly.text, "\n") {
			if len(line) > windowBack+windowFwd {
				line = line[:windowBack+windowFwd]
			}
			if len(line) < 4 || seen[line] {
				continue
			}
			seen[line] = true
			lines = append(lines, line)
		}
	}
	occ := newOccurrences(len(c.lits))
	for _, line := range lines {
		occ.reset(len(line))
		if c.ac.scan(line, &occ); len(occ.found) == 0 {
			continue
		}
		first := occ.first
		for _, ci := range c.inds {
			for _, cc := range append(append([]ccond{ci.primary}, ci.with...), ci.without...) {
				if cc.m == nil || !anyAnchor(first, cc.anchors) {
					continue
				}
				m := cc.m()
				checkMatcher(t, condRef{ci.ind.ID, m, m.re(), cc.folded}, line)
			}
		}
	}
}

func anyAnchor(first []int32, anchors []int32) bool {
	for _, a := range anchors {
		if first[a] >= 0 {
			return true
		}
	}
	return false
}

func FuzzMatcherAgreesWithRegexp(f *testing.F) {
	for _, ind := range registry() {
		for _, tp := range ind.TruePositives {
			text, _, _ := fixture(tp)
			f.Add(text, uint16(0))
		}
	}
	f.Add("attrib +h +s x; setattribute", uint16(0))
	f.Add("https://x ps aux", uint16(0))
	conds := catalogConds(Default())
	f.Fuzz(func(t *testing.T, text string, k uint16) {
		if len(text) > 4<<10 {
			return
		}
		// Every condition on short texts, one on longer ones.
		if len(text) <= 256 {
			for _, cr := range conds {
				checkMatcher(t, cr, text)
			}
			return
		}
		checkMatcher(t, conds[int(k)%len(conds)], text)
	})
}

// TestBranchLiterals checks the catalog literal recorded for each branch:
// it must lie in the lower-cased prefix where recorded, and be the longest
// there, since skipBranches trusts the automaton's occurrences of it.
func TestBranchLiterals(t *testing.T) {
	c := Default()
	with := 0
	for i := range c.inds {
		ci := &c.inds[i]
		conds := append(append([]ccond{ci.primary}, ci.with...), ci.without...)
		for _, cc := range conds {
			if cc.m == nil {
				continue
			}
			for _, b := range cc.m().branches {
				lower := asciiLower(b.prefix)
				longest := 0
				for _, l := range c.lits {
					if strings.Contains(lower, l) {
						longest = max(longest, len(l))
					}
				}
				if b.lit < 0 {
					if longest > 0 {
						t.Errorf("%s: branch %q: no literal recorded, but one of %d bytes occurs", ci.ind.ID, b.prefix, longest)
					}
					continue
				}
				with++
				l := c.lits[b.lit]
				if !strings.HasPrefix(lower[b.litOff:], l) || len(l) != longest {
					t.Errorf("%s: branch %q: literal %q at %d (longest %d)", ci.ind.ID, b.prefix, l, b.litOff, longest)
				}
			}
		}
	}
	if with == 0 {
		t.Error("no branch has a literal")
	}
}

package indicators

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

func TestPrefixedAlternatives(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		want    []string // branch sources; nil: not split
	}{
		{"plain", `abc|def`, []string{`abc`, `def`}},
		{"groups and classes", `a(b|c)d|e[|)]f|g\|h`, []string{`a(b|c)d`, `e[|)]f`, `g\|h`}},
		{"class with leading bracket", `x[]|]y|zz`, []string{`x[]|]y`, `zz`}},
		{"no alternation", `a(b|c)`, nil},
		{"branch without prefix", `abc|\bdef`, nil},
		{"branch starting with a class", `abc|[de]f`, nil},
		{"flag group carries over", `abc|(?i)def|ghi`, nil},
		{"scoped flags are fine", `abc|(?i:d)ef`, nil}, // (?i:d) has no literal prefix
		{"unbalanced", `ab)|cd`, nil},
		{"posix class", `a[[:alpha:]|]|bc`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := prefixedAlternatives(tc.pattern)
			var src []string
			for _, r := range got {
				src = append(src, r.String())
			}
			if len(src) != len(tc.want) {
				t.Fatalf("prefixedAlternatives(%q): got %q, want %q", tc.pattern, src, tc.want)
			}
			for i := range src {
				if src[i] != tc.want[i] {
					t.Errorf("prefixedAlternatives(%q) branch %d: got %q, want %q", tc.pattern, i, src[i], tc.want[i])
				}
			}
		})
	}
}

// TestAlternativesAgree checks that every split condition finds the same
// first match as its whole pattern, on the catalog's fixtures and, when
// present, on the dev corpus.
func TestAlternativesAgree(t *testing.T) {
	c := Default()
	texts := []string{""}
	for _, ci := range c.inds {
		texts = append(texts, ci.ind.TruePositives...)
		texts = append(texts, ci.ind.FalsePositives...)
	}
	if !testing.Short() {
		if dir, err := corpus.Open(corpus.Dev); err == nil {
			ents, err := os.ReadDir(filepath.Join(dir, "samples"))
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range ents {
				if i%16 != 0 { // a sixteenth keeps the test quick
					continue
				}
				b, err := os.ReadFile(filepath.Join(dir, "samples", e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				texts = append(texts, string(b[:min(len(b), 16<<10)]))
			}
		}
	}
	split := 0
	for _, ci := range c.inds {
		for _, cc := range append(append([]ccond{ci.primary}, ci.with...), ci.without...) {
			if cc.alts == nil {
				continue
			}
			split++
			for _, text := range texts {
				subject := text
				if cc.folded {
					subject = asciiLower(text)
				}
				want := -1
				if loc := cc.re.FindStringIndex(subject); loc != nil {
					want = loc[0]
				}
				if got := cc.firstIndex(subject); got != want {
					t.Errorf("%s: %q on %.60q: got %d, want %d", ci.ind.ID, cc.re, text, got, want)
				}
			}
		}
	}
	if split == 0 {
		t.Error("no condition was split into prefixed alternatives")
	}
}

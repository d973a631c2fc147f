package indicators

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis/attack"
	"github.com/automaldesc/automaldesc/analysis/lang"
)

var idPattern = regexp.MustCompile(`^[a-z]+(\.[a-z0-9_-]+)+$`)

func TestRegistryInvariants(t *testing.T) {
	inds := Default().Indicators()
	if got, want := len(inds), 170; got < want {
		t.Errorf("indicators: got %d, want at least %d", got, want)
	}
	seen := map[string]bool{}
	perLang := map[lang.Language]int{}
	for _, ind := range inds {
		t.Run(ind.ID, func(t *testing.T) {
			if !idPattern.MatchString(ind.ID) {
				t.Errorf("id %q: does not match %s", ind.ID, idPattern)
			}
			if seen[ind.ID] {
				t.Errorf("id %q: duplicate", ind.ID)
			}
			seen[ind.ID] = true
			if strings.TrimSpace(ind.Title) == "" || strings.TrimSpace(ind.Description) == "" {
				t.Error("title and description: got empty, want both set")
			}
			if len(ind.Title) > 80 {
				t.Errorf("title: got %d bytes, want at most 80", len(ind.Title))
			}
			if !ind.Severity.Valid() {
				t.Errorf("severity: got %v, want info..critical", ind.Severity)
			}
			if len(ind.Techniques) == 0 {
				t.Error("techniques: got none, want at least one")
			}
			tacticOK := false
			for _, id := range ind.Techniques {
				if !attack.Valid(id) {
					t.Errorf("technique %q: not an active ATT&CK id", id)
				}
				if attack.HasTactic(id, ind.Tactic) {
					tacticOK = true
				}
			}
			if _, ok := attack.TacticByShortName(ind.Tactic); !ok {
				t.Errorf("tactic %q: not an ATT&CK tactic short name", ind.Tactic)
			} else if !tacticOK {
				t.Errorf("tactic %q: none of %v belongs to it", ind.Tactic, ind.Techniques)
			}
			langs := map[lang.Language]bool{}
			for _, l := range ind.Languages {
				if l == lang.Unknown || l.String() == "" || strings.HasPrefix(l.String(), "language(") {
					t.Errorf("languages: got %v, want only supported languages", l)
				}
				if langs[l] {
					t.Errorf("languages: %v listed twice", l)
				}
				langs[l] = true
			}
			if len(ind.TruePositives) == 0 || len(ind.FalsePositives) == 0 {
				t.Errorf("fixtures: got %d true and %d false positives, want at least one of each", len(ind.TruePositives), len(ind.FalsePositives))
			}
			for _, fx := range append(append([]string(nil), ind.TruePositives...), ind.FalsePositives...) {
				if strings.Count(fx, "§") > 1 {
					t.Errorf("fixture %q: more than one § marker", fx)
				}
				if !utf8.ValidString(fx) {
					t.Errorf("fixture %q: not valid UTF-8", fx)
				}
			}
			for _, l := range scopeOf(ind) {
				perLang[l]++
			}
		})
	}
	for _, l := range lang.All() {
		if perLang[l] < 20 {
			t.Errorf("language %v: got %d indicators in scope, want at least 20", l, perLang[l])
		}
	}
}

func TestRegistryAnchorsAreLowerCase(t *testing.T) {
	for _, ind := range registry() {
		conds := append([]cond{ind.m.cond}, ind.m.with...)
		conds = append(conds, ind.m.without...)
		for _, c := range conds {
			for _, a := range c.anchors {
				if a == "" || a != asciiLower(a) {
					t.Errorf("%s: anchor %q: want a non-empty lower-case literal", ind.ID, a)
				}
			}
		}
	}
}

func TestNewCatalogErrors(t *testing.T) {
	ok := Indicator{ID: "a.b", m: rx(`x`, "x")}
	tests := []struct {
		name string
		inds []Indicator
	}{
		{"duplicate id", []Indicator{ok, ok}},
		{"bad regexp", []Indicator{{ID: "a.c", m: rx(`(`, "x")}}},
		{"upper-case anchor", []Indicator{{ID: "a.d", m: rx(`x`, "X")}}},
		{"no anchors and no function", []Indicator{{ID: "a.e", m: rx(`x`)}}},
		{"with without anchors", []Indicator{{ID: "a.f", m: rx(`x`, "x").and(`y`)}}},
		{"without without anchors", []Indicator{{ID: "a.g", m: rx(`x`, "x").not(`y`)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := newCatalog(tt.inds); err == nil {
				t.Error("newCatalog: got nil error, want an error")
			}
		})
	}
}

// scopeOf returns the languages an indicator's fixtures are run in.
func scopeOf(ind Indicator) []lang.Language {
	if len(ind.Languages) == 0 {
		return lang.All()
	}
	return ind.Languages
}

// fixture strips the § marker and returns the text and the expected
// 1-based line and column (in code points) of the hit.
func fixture(s string) (string, int, int) {
	k := strings.Index(s, "§")
	if k < 0 {
		return s, 1, 1
	}
	text := s[:k] + s[k+len("§"):]
	before := text[:k]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return text, line, col
}

func findHit(hits []Hit, id string) (Hit, bool) {
	for _, h := range hits {
		if h.ID == id {
			return h, true
		}
	}
	return Hit{}, false
}

func TestFixtures(t *testing.T) {
	c := Default()
	for _, ind := range c.Indicators() {
		t.Run(ind.ID, func(t *testing.T) {
			for _, l := range scopeOf(ind) {
				for i, tp := range ind.TruePositives {
					text, line, col := fixture(tp)
					h, ok := findHit(c.Scan(text, l, 2), ind.ID)
					if !ok {
						t.Errorf("%v true positive %d %q: got no hit", l, i, text)
						continue
					}
					if h.Line != line || h.Column != col {
						t.Errorf("%v true positive %d %q: got %d:%d, want %d:%d", l, i, text, h.Line, h.Column, line, col)
					}
					if h.Layer != 2 || h.Excerpt == "" || len(h.Excerpt) > excerptMax {
						t.Errorf("%v true positive %d: got layer %d excerpt %q, want layer 2 and a 1..%d byte excerpt", l, i, h.Layer, h.Excerpt, excerptMax)
					}
				}
				for i, fp := range ind.FalsePositives {
					if h, ok := findHit(c.Scan(fp, l, 0), ind.ID); ok {
						t.Errorf("%v false positive %d %q: got hit at %d:%d (%q)", l, i, fp, h.Line, h.Column, h.Excerpt)
					}
				}
			}
		})
	}
}

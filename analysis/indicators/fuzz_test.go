package indicators

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

func FuzzScan(f *testing.F) {
	for _, ind := range registry() {
		for _, tp := range ind.TruePositives {
			text, _, _ := fixture(tp)
			f.Add(text, uint8(lang.PowerShell))
		}
	}
	f.Add("\xff\xfe\x00w\x00h\x00o\x00", uint8(lang.Batch))
	f.Add(strings.Repeat("`", 100)+"\n"+strings.Repeat("%a:~1,1%", 50), uint8(lang.Unknown))
	c := Default()
	f.Fuzz(func(t *testing.T, text string, l uint8) {
		if len(text) > 1<<16 {
			return
		}
		hits := c.Scan(text, lang.Language(l%8), int(l))
		if len(hits) > MaxHits {
			t.Fatalf("hits: got %d, want <= %d", len(hits), MaxHits)
		}
		seen := map[string]bool{}
		for _, h := range hits {
			if seen[h.ID] {
				t.Fatalf("%s: reported twice", h.ID)
			}
			seen[h.ID] = true
			ind, ok := c.Lookup(h.ID)
			if !ok {
				t.Fatalf("%s: not in the catalog", h.ID)
			}
			if !ind.appliesTo(lang.Language(l % 8)) {
				t.Fatalf("%s: out of scope for %v", h.ID, lang.Language(l%8))
			}
			if h.Line < 1 || h.Column < 1 || h.Line > strings.Count(text, "\n")+1 {
				t.Fatalf("%s: bad position %d:%d", h.ID, h.Line, h.Column)
			}
			if len(h.Excerpt) > excerptMax || !utf8.ValidString(h.Excerpt) {
				t.Fatalf("%s: bad excerpt %q", h.ID, h.Excerpt)
			}
			if h.Count < 1 || h.Count > MaxCount || h.Layer != int(l) {
				t.Fatalf("%s: bad count %d or layer %d", h.ID, h.Count, h.Layer)
			}
		}
	})
}

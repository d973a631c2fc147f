package indicators

import (
	"os"
	"sort"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// TestDevCorpusRates measures, per language, the share of malicious and of
// benign dev-corpus samples with at least one high/critical hit on the raw
// text (layer 0, no decoding). It logs the figures (go test -v) and holds
// the catalog to loose precision and recall floors so regressions show.
func TestDevCorpusRates(t *testing.T) {
	dir := corpus.Require(t, corpus.Dev)
	entries, _, err := dataset.LoadManifest(dir + "/manifest.tsv")
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ mal, malHit, ben, benHit int }
	per := map[string]*tally{}
	benignIDs := map[string]int{}
	c := Default()
	for _, e := range entries {
		b, err := os.ReadFile(e.Path(dir))
		if err != nil {
			t.Fatal(err)
		}
		l, _ := lang.Parse(e.Language)
		hit := false
		for _, h := range c.Scan(string(b), l, 0) {
			if h.Severity >= SeverityHigh {
				hit = true
				if e.Label == dataset.Benign {
					benignIDs[h.ID]++
				}
			}
		}
		tl := per[e.Language]
		if tl == nil {
			tl = &tally{}
			per[e.Language] = tl
		}
		if e.Label == dataset.Malicious {
			tl.mal++
			if hit {
				tl.malHit++
			}
		} else {
			tl.ben++
			if hit {
				tl.benHit++
			}
		}
	}
	var all tally
	for _, l := range lang.All() {
		tl := per[l.String()]
		if tl == nil {
			continue
		}
		all.mal += tl.mal
		all.malHit += tl.malHit
		all.ben += tl.ben
		all.benHit += tl.benHit
		t.Logf("%-10s malicious %4d/%4d = %5.1f%%   benign %3d/%4d = %4.1f%%", l, tl.malHit, tl.mal, pct(tl.malHit, tl.mal), tl.benHit, tl.ben, pct(tl.benHit, tl.ben))
	}
	t.Logf("%-10s malicious %4d/%4d = %5.1f%%   benign %3d/%4d = %4.1f%%", "all", all.malHit, all.mal, pct(all.malHit, all.mal), all.benHit, all.ben, pct(all.benHit, all.ben))
	ids := make([]string, 0, len(benignIDs))
	for id := range benignIDs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return benignIDs[ids[i]] > benignIDs[ids[j]] })
	for _, id := range ids {
		t.Logf("benign high/critical: %-36s %d", id, benignIDs[id])
	}
	if got := pct(all.benHit, all.ben); got > 8 {
		t.Errorf("benign samples with a high/critical hit: got %.1f%%, want at most 8%%", got)
	}
	if got := pct(all.malHit, all.mal); got < 35 {
		t.Errorf("malicious samples with a high/critical hit: got %.1f%%, want at least 35%%", got)
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

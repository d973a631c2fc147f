package analysis

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/yarascan"
)

// refFindings is findings as it was before it searched the few ids found
// so far instead of always keeping a set (frozen copy; do not edit).
func refFindings(r *Report) []finding {
	var out []finding
	seen := map[string]bool{}
	for _, h := range r.Indicators {
		if !seen[h.ID] {
			seen[h.ID] = true
			out = append(out, finding{h.ID, h.Title, h.Severity})
		}
	}
	for _, m := range r.YARA {
		id := "yara:" + m.Rule
		if !seen[id] {
			seen[id] = true
			title := m.Meta["description"]
			if title == "" {
				title = m.Rule
			}
			out = append(out, finding{id, title, yaraSeverity(m)})
		}
	}
	slices.SortStableFunc(out, func(a, b finding) int { return cmp.Compare(b.severity, a.severity) })
	return out
}

// TestFindingsMatchReference: findings keeps the first finding of each id,
// in the order and with the titles of the reference, for few findings
// (searched) and many (a set past maxSearchedFindings), with repeated ids
// among the hits, among the YARA matches and between both.
func TestFindingsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for n := range 3 * maxSearchedFindings {
		for range 20 {
			var rep Report
			for k := range n {
				id := fmt.Sprintf("ind.%d", r.IntN(n/2+1))
				rep.Indicators = append(rep.Indicators, indicators.Hit{ID: id, Title: fmt.Sprint("hit ", k), Severity: indicators.Severity(r.IntN(6))})
				if r.IntN(3) == 0 {
					rule := fmt.Sprintf("R%d", r.IntN(n/3+1))
					meta := map[string]string{}
					if r.IntN(2) == 0 {
						meta["description"] = fmt.Sprint("match ", k)
					}
					rep.YARA = append(rep.YARA, yarascan.Match{Rule: rule, Severity: []string{"", "low", "high", "critical"}[r.IntN(4)], Meta: meta})
				}
			}
			if got, want := findings(&rep), refFindings(&rep); !reflect.DeepEqual(got, want) {
				t.Fatalf("%d hits, %d matches:\n got %v\nwant %v", len(rep.Indicators), len(rep.YARA), got, want)
			}
		}
	}
}

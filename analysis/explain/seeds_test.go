package explain_test

import (
	"context"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/seeds"
)

// TestSeeds explains every seed script through the real engine and checks
// the grounding rules on each.
func TestSeeds(t *testing.T) {
	all, err := seeds.Load()
	if err != nil {
		t.Fatalf("seeds: %v", err)
	}
	if len(all) == 0 {
		t.Fatal("no seeds")
	}
	e, x := newEngine(t)
	for _, s := range all {
		t.Run(s.Path, func(t *testing.T) {
			data, err := seeds.Read(s)
			if err != nil {
				t.Fatalf("seed %s: %v", s.Path, err)
			}
			r := analyze(t, e, s.Path, data)
			got, err := x.Explain(context.Background(), r)
			if err != nil {
				t.Fatalf("explain: %v", err)
			}
			if got.Summary != r.Explanation.Summary {
				t.Errorf("engine's explanation differs from a second Explain:\n got %s\nwant %s", r.Explanation.Summary, got.Summary)
			}
			if r.Status == analysis.StatusOK {
				if n := len(sentences(got.Summary)); n < 3 || n > 5 {
					t.Errorf("got %d sentences, want 3-5: %s", n, got.Summary)
				}
				if n := len(got.Claims); n < 3 || n > 5 {
					t.Errorf("got %d claims, want 3-5", n)
				}
			}
			checkGrounded(t, r, got)
			if testing.Verbose() {
				t.Logf("%s [%s %s %.2f]\n%s", s.Path, r.Language.Language, r.Verdict.Label, r.Verdict.Score, got.Summary)
			}
		})
	}
}

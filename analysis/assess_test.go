package analysis

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/verdict/builtin"
	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/rules"
)

// devReports analyses every dev corpus sample once with `automaldesc scan`'s
// defaults (bundled rules, the embedded model, 8 contributions) and returns
// the engine and the finished reports.
func devReports(tb testing.TB) (*Engine, []*Report) {
	tb.Helper()
	dir := corpus.Require(tb, corpus.Dev)
	entries, err := os.ReadDir(filepath.Join(dir, "samples"))
	if err != nil {
		tb.Fatal(err)
	}
	live, err := rules.NewLive()
	if err != nil {
		tb.Fatal(err)
	}
	model, err := builtin.Model()
	if err != nil {
		tb.Fatal(err)
	}
	e, err := New(Options{
		Limits: Limits{MaxFileSize: 8 << 20, SampleTimeout: time.Minute,
			DecodeDepth: 8, DecodeRatio: 16, DecodeBytes: 64 << 20, MaxLayers: 64},
		Rules: live, Catalog: indicators.Default(), Model: model, TopK: 8,
	})
	if err != nil {
		tb.Fatal(err)
	}
	var reports []*Report
	for _, ent := range entries {
		data, err := os.ReadFile(filepath.Join(dir, "samples", ent.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		r, err := e.Analyze(context.Background(), Sample{Data: data, Name: ent.Name()})
		if err != nil {
			tb.Fatalf("%s: %v", ent.Name(), err)
		}
		if r.Status == StatusOK {
			reports = append(reports, r)
		}
	}
	return e, reports
}

// TestAssessMatchesDecideWithDev: the verdict the engine reaches from the
// compact model input is the one DecideWith gives for the map input (what
// evaluation and learning use), on every dev sample.
func TestAssessMatchesDecideWithDev(t *testing.T) {
	e, reports := devReports(t)
	m := e.model.Load()
	for _, r := range reports {
		input := e.assess(r, r.decoded, true)
		if want := e.DecideWith(m, r, input); !reflect.DeepEqual(r.Verdict, want) {
			t.Fatalf("%s: assess gave %+v, DecideWith %+v", r.Sample.Name, r.Verdict, want)
		}
	}
}

// BenchmarkAssessDev measures the features-and-verdict stage alone (feature
// extraction, model input, prediction and contribution evidence) over the
// dev corpus: each sample is analysed once up front, and every iteration
// re-assesses all the finished reports.
func BenchmarkAssessDev(b *testing.B) {
	e, reports := devReports(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range reports {
			e.assess(r, r.decoded, false)
		}
	}
	b.ReportMetric(float64(len(reports))*float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}

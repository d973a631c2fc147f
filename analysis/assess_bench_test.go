package analysis

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/verdict/builtin"
	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/rules"
)

// BenchmarkAssessDev measures the features-and-verdict stage alone (feature
// extraction, model input, prediction and contribution evidence) over the
// dev corpus: each sample is analysed once up front, and every iteration
// re-assesses all the finished reports with `automaldesc scan`'s defaults.
func BenchmarkAssessDev(b *testing.B) {
	dir := corpus.Require(b, corpus.Dev)
	entries, err := os.ReadDir(filepath.Join(dir, "samples"))
	if err != nil {
		b.Fatal(err)
	}
	live, err := rules.NewLive()
	if err != nil {
		b.Fatal(err)
	}
	model, err := builtin.Model()
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(Options{
		Limits: Limits{MaxFileSize: 8 << 20, SampleTimeout: time.Minute,
			DecodeDepth: 8, DecodeRatio: 16, DecodeBytes: 64 << 20, MaxLayers: 64},
		Rules: live, Catalog: indicators.Default(), Model: model, TopK: 8,
	})
	if err != nil {
		b.Fatal(err)
	}
	var reports []*Report
	for _, ent := range entries {
		data, err := os.ReadFile(filepath.Join(dir, "samples", ent.Name()))
		if err != nil {
			b.Fatal(err)
		}
		r, err := e.Analyze(context.Background(), Sample{Data: data, Name: ent.Name()})
		if err != nil {
			b.Fatalf("%s: %v", ent.Name(), err)
		}
		if r.Status == StatusOK {
			reports = append(reports, r)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range reports {
			e.assess(r, r.decoded, false)
		}
	}
	b.ReportMetric(float64(len(reports))*float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}

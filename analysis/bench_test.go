package analysis_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/verdict/builtin"
	"github.com/automaldesc/automaldesc/internal/corpus"
)

// benchEngine wires the engine the way `automaldesc scan` does on its
// defaults: bundled rules, the embedded model and the offline explainer.
func benchEngine(b *testing.B) *analysis.Engine {
	b.Helper()
	model, err := builtin.Model()
	if err != nil {
		b.Fatalf("model: %v", err)
	}
	cat := indicators.Default()
	return newEngine(b, func(o *analysis.Options) {
		o.Limits.MaxFileSize = 8 << 20
		o.Model = model
		o.Catalog = cat
		o.Explainer = explain.NewOffline(cat)
	})
}

// BenchmarkAnalyzeDev runs the whole pipeline over every dev corpus sample
// once per iteration (one goroutine: ns/op is CPU time per corpus pass, so
// files/s on N idle cores is about N * files / (ns/op / 1e9)). Profile it
// with -cpuprofile to find the pipeline's hot spots.
func BenchmarkAnalyzeDev(b *testing.B) {
	dir := corpus.Require(b, corpus.Dev)
	entries, err := os.ReadDir(filepath.Join(dir, "samples"))
	if err != nil {
		b.Fatal(err)
	}
	samples := make([]analysis.Sample, 0, len(entries))
	var size int64
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, "samples", e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		samples = append(samples, analysis.Sample{Data: data, Name: e.Name(), Source: "bench"})
		size += int64(len(data))
	}
	eng := benchEngine(b)
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, s := range samples {
			if _, err := eng.Analyze(ctx, s); err != nil {
				b.Fatalf("%s: %v", s.Name, err)
			}
		}
	}
	b.ReportMetric(float64(len(samples))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

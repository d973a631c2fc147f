package explain_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/seeds"
)

// BenchmarkExplain explains the reports of every seed script, one report
// per iteration.
func BenchmarkExplain(b *testing.B) {
	all, err := seeds.Load()
	if err != nil {
		b.Fatal(err)
	}
	e, x := newEngine(b)
	var reports []*analysis.Report
	for _, s := range all {
		data, err := seeds.Read(s)
		if err != nil {
			continue
		}
		reports = append(reports, analyze(b, e, s.Path, data))
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := x.Explain(ctx, reports[i%len(reports)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExplainMany is the worst case: hundreds of findings and IOCs.
func BenchmarkExplainMany(b *testing.B) {
	x := explain.NewOffline(catalog)
	r := cradle(b, "many")
	for i := 0; i < 300; i++ {
		r.Indicators = append(r.Indicators, indicators.Hit{ID: fmt.Sprintf("exec.synthetic_%03d", i), Title: "Synthetic finding",
			Severity: indicators.SeverityHigh, Techniques: []string{"T1059.001"}, Tactic: "execution", Line: i + 10,
			Excerpt: "Invoke-Expression (New-Object Net.WebClient).DownloadString($u); Start-Process $p -WindowStyle Hidden"})
	}
	for i := 0; i < 500; i++ {
		r.IOCs = append(r.IOCs, url(fmt.Sprintf("http://192.0.2.%d/p%d", i%250, i), 0))
	}
	r.Language.Language = lang.PowerShell
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := x.Explain(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewOffline is the explainer's share of every process start.
func BenchmarkNewOffline(b *testing.B) {
	cat := indicators.Default()
	b.ReportAllocs()
	for b.Loop() {
		explain.NewOffline(cat)
	}
}

// BenchmarkExplainDev explains the report of every dev corpus sample once
// per iteration: the engine's explain stage.
func BenchmarkExplainDev(b *testing.B) {
	dir := corpus.Require(b, corpus.Dev)
	ents, err := os.ReadDir(filepath.Join(dir, "samples"))
	if err != nil {
		b.Fatal(err)
	}
	e, x := newEngine(b)
	var reports []*analysis.Report
	for _, ent := range ents {
		data, err := os.ReadFile(filepath.Join(dir, "samples", ent.Name()))
		if err != nil {
			b.Fatal(err)
		}
		reports = append(reports, analyze(b, e, ent.Name(), data))
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range reports {
			if _, err := x.Explain(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkNewOfflineFirstExplain is what a one-file scan pays for the
// explainer: building it and explaining one report.
func BenchmarkNewOfflineFirstExplain(b *testing.B) {
	cat := indicators.Default()
	r := cradle(b, "first")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := explain.NewOffline(cat).Explain(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

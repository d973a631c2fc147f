package analysis_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/verdict/builtin"
	"github.com/automaldesc/automaldesc/internal/corpus"
)

// benchEngine wires the engine the way `automaldesc scan` does on its
// defaults: bundled rules, the embedded model and the offline explainer.
func benchEngine(b testing.TB) *analysis.Engine {
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

// largeScript is an inert PowerShell-looking script of about n bytes.
func largeScript(n int) string {
	const block = "# maintenance helper (inert benchmark text)\n" +
		"$items = Get-ChildItem -Path $env:TEMP -Filter '*.log' | Where-Object { $_.Length -gt 1MB }\n" +
		"foreach ($i in $items) { Write-Host (\"{0} is {1} bytes\" -f $i.Name, $i.Length) }\n" +
		"$u = 'https://updates.example.invalid/agent.msi'; $p = Join-Path $env:TEMP 'agent.msi'\n"
	return strings.Repeat(block, n/len(block)+1)[:n]
}

// chain wraps an inert command in depth layers of gzip + base64 (PowerShell
// GzipStream over FromBase64String), which keeps each layer about the size
// of the one inside it.
func chain(tb testing.TB, depth int) string {
	text := "Write-Host 'hello from the innermost layer of an inert benchmark chain'"
	for range depth {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write([]byte(text)); err != nil {
			tb.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			tb.Fatal(err)
		}
		text = "$s = New-Object IO.Compression.GzipStream([IO.MemoryStream][Convert]::FromBase64String('" +
			base64.StdEncoding.EncodeToString(buf.Bytes()) + "'), [IO.Compression.CompressionMode]::Decompress)\n"
	}
	return text
}

// BenchmarkAnalyzeBounded measures the two bounded-time budgets: a 1 MB
// script and a 50-layer encoding chain (cut at the engine's decode depth).
func BenchmarkAnalyzeBounded(b *testing.B) {
	eng := benchEngine(b)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		text   string
		layers int // at least, layer 0 included
	}{
		{"script_1MB", largeScript(1 << 20), 1},
		{"chain_50_layers", chain(b, 50), 9}, // cut at decode depth 8
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := analysis.Sample{Data: []byte(tc.text), Name: "bench.ps1", Source: "bench"}
			b.SetBytes(int64(len(tc.text)))
			for b.Loop() {
				r, err := eng.Analyze(ctx, s)
				if err != nil {
					b.Fatal(err)
				}
				if r.Status != analysis.StatusOK || len(r.Layers) < tc.layers {
					b.Fatalf("status %s (%s), %d layers, want %d", r.Status, r.Reason, len(r.Layers), tc.layers)
				}
			}
		})
	}
}

// BenchmarkAnalyzeTiny is the fixed cost of one sample: a one-line script
// goes through every stage with next to nothing to find. Half of the dev
// corpus is under 1.6 KB, so this cost is a large part of a corpus pass.
func BenchmarkAnalyzeTiny(b *testing.B) {
	eng := benchEngine(b)
	ctx := context.Background()
	s := analysis.Sample{Data: []byte("echo hello\n"), Name: "tiny.sh", Source: "bench"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eng.Analyze(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}

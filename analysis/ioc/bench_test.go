package ioc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

func loadScript(b *testing.B) string {
	b.Helper()
	s, err := os.ReadFile("testdata/script.txt")
	if err != nil {
		b.Fatal(err)
	}
	return string(s)
}

// BenchmarkExtract measures one ~5 KB script (budget: well under 100 µs).
func BenchmarkExtract(b *testing.B) {
	s := loadScript(b)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Extract(s, 0)
	}
}

// BenchmarkExtractDefanged measures the same script with defanged IOCs,
// which adds the refang pass and the position map.
func BenchmarkExtractDefanged(b *testing.B) {
	s := Defang(loadScript(b))
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Extract(s, 0)
	}
}

func BenchmarkDefang(b *testing.B) {
	s := loadScript(b)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Defang(s)
	}
}

// BenchmarkExtractDev extracts the IOCs of every dev corpus sample once
// per iteration.
func BenchmarkExtractDev(b *testing.B) {
	dir := corpus.Require(b, corpus.Dev)
	entries, base, err := dataset.LoadManifest(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		b.Fatal(err)
	}
	var texts []string
	var size int64
	for _, e := range entries {
		data, err := os.ReadFile(e.Path(base))
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, string(data))
		size += int64(len(data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			Extract(s, 0)
		}
	}
}

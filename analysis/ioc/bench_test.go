package ioc

import (
	"os"
	"testing"
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

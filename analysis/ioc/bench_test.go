package ioc

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/charset"
	"github.com/automaldesc/automaldesc/analysis/decode"
	"github.com/automaldesc/automaldesc/analysis/lang"
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

// devLayerTexts returns the text of every layer the engine hands to Extract
// for the dev corpus: each sample charset-decoded, identified and run
// through the decoders with the default limits, as analysis.Engine does.
func devLayerTexts(b *testing.B) ([]string, int64) {
	b.Helper()
	dir := corpus.Require(b, corpus.Dev)
	ents, err := os.ReadDir(filepath.Join(dir, "samples"))
	if err != nil {
		b.Fatal(err)
	}
	identify := func(t string) lang.Language { return lang.Identify(t, "").Language }
	var texts []string
	var size int64
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, "samples", e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		text, _, err := charset.Decode(data)
		if err != nil {
			continue // the engine skips it too
		}
		l := lang.Identify(text, e.Name()).Language
		layers, _ := decode.Decode(context.Background(), text, l, decode.Options{
			Limits:   decode.DefaultLimits(len(text)),
			Identify: identify,
		})
		if len(layers) == 0 {
			layers = []decode.Layer{{Text: text}}
		}
		for _, ly := range layers {
			texts = append(texts, ly.Text)
			size += int64(len(ly.Text))
		}
	}
	return texts, size
}

// BenchmarkExtractDevLayers extracts and merges the IOCs of every layer of
// every dev corpus sample once per iteration: the engine's IOC stage.
func BenchmarkExtractDevLayers(b *testing.B) {
	texts, size := devLayerTexts(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			Merge(Extract(s, 0))
		}
	}
}

// BenchmarkRefangDevLayers is the refang pass of BenchmarkExtractDevLayers.
func BenchmarkRefangDevLayers(b *testing.B) {
	texts, size := devLayerTexts(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			refang(s)
		}
	}
}

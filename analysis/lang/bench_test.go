package lang

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/charset"
	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// devTexts returns the decoded text of every dev corpus sample.
func devTexts(b *testing.B) ([]string, int64) {
	b.Helper()
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
		if text, _, err := charset.Decode(data); err == nil {
			texts = append(texts, text)
			size += int64(min(len(text), maxScan))
		}
	}
	return texts, size
}

// BenchmarkIdentifyDev identifies every dev corpus sample once per
// iteration.
func BenchmarkIdentifyDev(b *testing.B) {
	texts, size := devTexts(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			Identify(s, "")
		}
	}
}

// BenchmarkLanguageOfDev names the language of every dev corpus sample
// once per iteration, as the decoder does for each decoded layer.
func BenchmarkLanguageOfDev(b *testing.B) {
	texts, size := devTexts(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			LanguageOf(s)
		}
	}
}

// BenchmarkIdentifyDevCold is BenchmarkIdentifyDev with the caches
// overwritten before each sample, as the other stages of a scan do: the
// model's tables then come from memory. The evict sub-benchmark measures
// the overwriting alone, to subtract.
func BenchmarkIdentifyDevCold(b *testing.B) {
	texts, size := devTexts(b)
	junk := make([]byte, 4<<20)
	evict := func() {
		for i := 0; i < len(junk); i += 64 {
			junk[i]++
		}
	}
	b.Run("identify", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range texts {
				evict()
				Identify(s, "")
			}
		}
	})
	b.Run("evict", func(b *testing.B) {
		for b.Loop() {
			for range texts {
				evict()
			}
		}
	})
}

// BenchmarkExtractDev measures the feature extractor alone over the dev
// corpus.
func BenchmarkExtractDev(b *testing.B) {
	texts, size := devTexts(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			f := getFeatureSet(builtin.bits)
			extract(s, f)
			f.put()
		}
	}
}

// BenchmarkLogitsDev sums the model's weights for the features of every
// dev corpus sample, with the packed rows and with the reference sum of
// the int8 weights.
func BenchmarkLogitsDev(b *testing.B) {
	texts, _ := devTexts(b)
	docs := make([][]uint32, len(texts))
	for i, s := range texts {
		f := getFeatureSet(builtin.bits)
		extract(s, f)
		docs[i] = append([]uint32(nil), f.buckets...)
		f.put()
	}
	for _, bc := range []struct {
		name   string
		logits func(*model, []uint32) [nClasses]float64
	}{{"packed", (*model).logits}, {"reference", refLogits}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, d := range docs {
					bc.logits(builtin, d)
				}
			}
		})
	}
}

// BenchmarkShellMarkersDev counts the shell markers of every dev corpus
// sample, which Identify does for the texts the model finds between two
// shells.
func BenchmarkShellMarkersDev(b *testing.B) {
	texts, size := devTexts(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			shellMarkers(s)
		}
	}
}

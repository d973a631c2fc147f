package builtin

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

// TestPredictVectorMatchesPredict checks the compact input path against
// the map path on the embedded model, bit for bit.
func TestPredictVectorMatchesPredict(t *testing.T) {
	m, err := Model()
	if err != nil {
		t.Fatal(err)
	}
	var named []string // the model's non-token features
	for _, name := range modelFeatures(t) {
		if !strings.HasPrefix(name, verdict.TokenPrefix) {
			named = append(named, name)
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 300 {
		var v verdict.Vector
		seen := map[string]bool{}
		for range rng.IntN(60) {
			if name := named[rng.IntN(len(named))]; !seen[name] {
				seen[name] = true
				v.Named = append(v.Named, verdict.Feature{Name: name, Value: rng.Float64() * 10})
			}
		}
		buckets := map[uint32]bool{}
		for range rng.IntN(3000) {
			buckets[rng.Uint32N(1<<18)] = true
		}
		for b := range buckets {
			v.Tokens = append(v.Tokens, b)
		}
		l := lang.Language(i % 8)
		want := m.Predict(v.Map(), l, verdict.Thresholds{}, 8)
		got := m.PredictVector(v, l, verdict.Thresholds{}, 8)
		if !reflect.DeepEqual(got, want) || math.Float64bits(got.Score) != math.Float64bits(want.Score) ||
			math.Float64bits(got.Evidence) != math.Float64bits(want.Evidence) {
			t.Fatalf("vector %d (%d named, %d tokens):\nPredictVector %+v\nPredict       %+v", i, len(v.Named), len(v.Tokens), got, want)
		}
	}
}

// modelFeatures returns the feature names of the model file.
func modelFeatures(t *testing.T) []string {
	t.Helper()
	var f struct {
		Features []string `json:"features"`
	}
	if err := json.Unmarshal(modelFile(t), &f); err != nil {
		t.Fatal(err)
	}
	return f.Features
}

// BenchmarkPredictVector scores random inputs of a sample's size (about 470
// token buckets, 60% of them known to the model, and 50 named features)
// with the embedded model, rotating over many inputs as a stream of
// scripts does.
func BenchmarkPredictVector(b *testing.B) {
	m, err := Model()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var known []uint32
	for b := range uint32(1 << 18) {
		if _, _, _, ok := m.Weight(verdict.TokenName(b)); ok {
			known = append(known, b)
		}
	}
	inputs := make([]verdict.Vector, 512)
	for i := range inputs {
		v := &inputs[i]
		for range 50 {
			v.Named = append(v.Named, verdict.Feature{Name: "feat:x", Value: 1})
		}
		for range 280 {
			v.Tokens = append(v.Tokens, known[rng.IntN(len(known))])
		}
		for range 190 {
			v.Tokens = append(v.Tokens, rng.Uint32N(1<<18))
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.PredictVector(inputs[i%len(inputs)], lang.PowerShell, verdict.Thresholds{}, 8)
		i++
	}
}

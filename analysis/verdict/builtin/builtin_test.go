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

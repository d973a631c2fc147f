package verdict

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// wide builds n examples with about active features each, drawn from a
// vocabulary of vocab hashed tokens plus a few indicators and statistics.
func wide(seed uint64, n, vocab, active int) []Example {
	r := rand.New(rand.NewPCG(seed, 1))
	exs := make([]Example, n)
	for i := range exs {
		mal := r.IntN(2) == 0
		f := make(map[string]float64, active+8)
		for range active {
			tok := r.IntN(vocab)
			if mal && r.IntN(4) == 0 {
				tok = r.IntN(vocab / 10) // malicious samples favour a token subset
			}
			f[fmt.Sprintf("tok:%05x", tok)]++
		}
		f["feat:entropy"] = 4 + r.Float64()*2
		f["feat:lines"] = float64(r.IntN(400))
		if mal && r.IntN(3) > 0 {
			f["ind:ps.download.webclient"] = 1
		}
		exs[i] = Example{Features: f, Malicious: mal, Language: synthLangs[r.IntN(len(synthLangs))]}
	}
	return exs
}

func BenchmarkPredict(b *testing.B) {
	m, err := Train(wide(1, 800, 4000, 300), DefaultTrainOptions())
	if err != nil {
		b.Fatal(err)
	}
	in := wide(2, 1, 4000, 300)[0]
	b.Logf("model features %d, input features %d", m.NumFeatures(), len(in.Features))
	b.ReportAllocs()
	for b.Loop() {
		m.Predict(in.Features, lang.PowerShell, DefaultThresholds(), 10)
	}
}

func BenchmarkTrain(b *testing.B) {
	exs := wide(3, 2000, 4000, 300)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Train(exs, DefaultTrainOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredictLargeModel uses a 100,000-feature model (the default
// MaxFeatures) and rotates over many inputs so that the model's tables are
// not all in cache, closer to a stream of different scripts.
func BenchmarkPredictLargeModel(b *testing.B) {
	const n = 100_000
	r := rand.New(rand.NewPCG(7, 7))
	p := modelParams{platt: Platt{A: 1}}
	for j := range n {
		p.features = append(p.features, fmt.Sprintf("tok:%05x", j))
		p.weights = append(p.weights, r.NormFloat64()*0.1)
		p.means = append(p.means, 0.01)
		p.scales = append(p.scales, 0.1)
		p.lo = append(p.lo, 0)
		p.hi = append(p.hi, 5)
	}
	m, err := newModel(p)
	if err != nil {
		b.Fatal(err)
	}
	inputs := make([]map[string]float64, 256)
	for i := range inputs {
		in := make(map[string]float64, 300)
		for range 300 {
			in[fmt.Sprintf("tok:%05x", r.IntN(n))] = 1
		}
		inputs[i] = in
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Predict(inputs[i%len(inputs)], lang.PowerShell, DefaultThresholds(), 10)
		i++
	}
}

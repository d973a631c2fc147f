package verdict

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// synth generates examples from a known logistic model so that the true
// P(malicious | features) is available for calibration checks.
type synth struct {
	rng *rand.Rand
	// scale multiplies the true log-odds: > 1 makes the classes more
	// separable.
	scale float64
}

func newSynth(seed uint64, scale float64) *synth {
	return &synth{rng: rand.New(rand.NewPCG(seed, 0x5eed)), scale: scale}
}

var synthLangs = []lang.Language{lang.PowerShell, lang.JavaScript, lang.Bash}

// example draws one example and returns it with its true probability.
func (s *synth) example() (Example, float64) {
	r := s.rng
	f := map[string]float64{}
	logit := -0.5
	// Informative binary indicators with their true effects.
	effects := []struct {
		name string
		p    float64
		beta float64
	}{
		{"ind:download", 0.3, 1.6},
		{"ind:exec", 0.25, 1.2},
		{"yara:Cradle", 0.1, 2.0},
		{"ind:comment_header", 0.4, -1.0},
		{"ind:param_block", 0.35, -0.8},
	}
	for _, e := range effects {
		if r.Float64() < e.p {
			f[e.name] = 1
			logit += e.beta
		}
	}
	ent := 4.5 + r.NormFloat64()*0.6
	f["feat:entropy"] = ent
	logit += 0.9 * (ent - 4.5)
	// Uninformative hashed tokens.
	for range 3 + r.IntN(5) {
		f[fmt.Sprintf("tok:%04x", r.IntN(64))] = 1
	}
	l := synthLangs[r.IntN(len(synthLangs))]
	logit *= s.scale
	p := sigmoid(logit)
	return Example{Features: f, Malicious: r.Float64() < p, Language: l}, p
}

func (s *synth) examples(n int) ([]Example, []float64) {
	exs := make([]Example, n)
	ps := make([]float64, n)
	for i := range exs {
		exs[i], ps[i] = s.example()
	}
	return exs, ps
}

// separable returns examples where "ind:evil" is present exactly in the
// malicious ones, with noise tokens on both sides.
func separable(seed uint64, n int) []Example {
	r := rand.New(rand.NewPCG(seed, 7))
	exs := make([]Example, n)
	for i := range exs {
		mal := i%2 == 0
		f := map[string]float64{"feat:lines": float64(10 + r.IntN(200))}
		if mal {
			f["ind:evil"] = 1
		} else {
			f["ind:docstring"] = 1
		}
		for range 4 {
			f[fmt.Sprintf("tok:%03x", r.IntN(40))] = 1
		}
		exs[i] = Example{Features: f, Malicious: mal, Language: synthLangs[r.IntN(len(synthLangs))]}
	}
	return exs
}

func brier(ps []float64, ys []bool) float64 {
	var s float64
	for i, p := range ps {
		y := 0.0
		if ys[i] {
			y = 1
		}
		s += (p - y) * (p - y)
	}
	return s / float64(len(ps))
}

func almostEqual(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

package verdict

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// rareTokenData is 600 examples separated by a numeric feature, plus a
// token present in only three of them: malicious examples whose numeric
// value says benign. A model that memorises the token gives it a large
// contribution.
func rareTokenData() []Example {
	r := rand.New(rand.NewPCG(7, 7))
	exs := make([]Example, 0, 600)
	for i := range 600 {
		mal := i%2 == 0
		x := r.NormFloat64()
		if mal {
			x += 2
		}
		f := map[string]float64{"feat:score": x, "ind:common": float64(r.IntN(2))}
		if i < 6 && mal {
			f["tok:rare"] = 1
			f["feat:score"] = -1.5
		}
		exs = append(exs, Example{Features: f, Malicious: mal, Language: lang.Bash})
	}
	return exs
}

func TestTrainBinaryUnscaled(t *testing.T) {
	exs := rareTokenData()
	rareContribution := map[bool]float64{}
	for _, tc := range []struct {
		name           string
		binaryUnscaled bool
	}{
		{"standardised", false},
		{"binary unscaled", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := DefaultTrainOptions()
			opt.BinaryUnscaled = tc.binaryUnscaled
			opt.MinFeatureCount = 1
			m := mustTrain(t, exs, opt)
			for _, name := range []string{"tok:rare", "ind:common"} {
				_, _, scale, ok := m.Weight(name)
				if !ok {
					t.Fatalf("feature %s: missing from the model", name)
				}
				if got := scale == 1; got != tc.binaryUnscaled {
					t.Errorf("%s scale: got %v, want scale==1 to be %v", name, scale, tc.binaryUnscaled)
				}
			}
			if _, _, scale, _ := m.Weight("feat:score"); scale == 1 || !(scale > 0) {
				t.Errorf("numeric feature scale: got %v, want its standard deviation", scale)
			}
			w, mean, scale, _ := m.Weight("tok:rare")
			rareContribution[tc.binaryUnscaled] = math.Abs(w * (1 - mean) / scale)
		})
	}
	if got, ref := rareContribution[true], rareContribution[false]; !(got < ref/2) {
		t.Errorf("rare token contribution: got %.3f unscaled, want under half of %.3f standardised", got, ref)
	}
}

package verdict

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

func mustTrain(t testing.TB, exs []Example, opt TrainOptions) *Model {
	t.Helper()
	m, err := Train(exs, opt)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	return m
}

func saved(t testing.TB, m *Model) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := m.Save(&b); err != nil {
		t.Fatalf("Save: %v", err)
	}
	return b.Bytes()
}

func TestTrainDeterministic(t *testing.T) {
	exs, _ := newSynth(1, 1).examples(1500)
	opt := DefaultTrainOptions()
	opt.CreatedAt = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	a := saved(t, mustTrain(t, exs, opt))
	b := saved(t, mustTrain(t, exs, opt))
	if !bytes.Equal(a, b) {
		t.Fatalf("two trainings on the same data and seed differ: %d vs %d bytes", len(a), len(b))
	}
	m := mustTrain(t, exs, opt)
	if got, want := m.Version()[:12], "lr-20250304-"; got != want {
		t.Errorf("version prefix: got %q, want %q", got, want)
	}
	if m.Meta().Calibration.Method != "platt" {
		t.Errorf("calibration method: got %q (%s), want platt", m.Meta().Calibration.Method, m.Meta().Calibration.Reason)
	}

	opt.Seed = 2
	other := mustTrain(t, exs, opt)
	if other.Version() == m.Version() {
		t.Errorf("seeds 1 and 2 give the same version %s, want a different calibration split", m.Version())
	}
}

func TestTrainSeparable(t *testing.T) {
	m := mustTrain(t, separable(1, 400), DefaultTrainOptions())
	test := separable(2, 200)
	for i, e := range test {
		r := m.Predict(e.Features, e.Language, DefaultThresholds(), 3)
		if (r.Score >= 0.5) != e.Malicious {
			t.Fatalf("example %d (malicious=%v): got score %.3f, want the right side of 0.5", i, e.Malicious, r.Score)
		}
		want := "ind:docstring"
		if e.Malicious {
			want = "ind:evil"
		}
		if len(r.Contributions) == 0 || r.Contributions[0].Feature != want {
			t.Fatalf("example %d: got top contribution %+v, want %s", i, r.Contributions, want)
		}
		if c := r.Contributions[0].Contribution; (c > 0) != e.Malicious {
			t.Fatalf("example %d: top contribution %v has the wrong sign", i, c)
		}
		if e.Malicious && r.Label != Malicious {
			t.Fatalf("example %d: got label %v, want malicious", i, r.Label)
		}
		if !e.Malicious && r.Label != Benign {
			t.Fatalf("example %d: got label %v, want benign", i, r.Label)
		}
	}
}

// TestCalibration trains a strongly regularised model, whose raw scores are
// underconfident, and checks on fresh data that the calibrated scores are
// better (Brier) and reliable (per-bin mean predicted ~ observed frequency).
func TestCalibration(t *testing.T) {
	train, _ := newSynth(11, 1.5).examples(4000)
	test, _ := newSynth(12, 1.5).examples(6000)
	opt := DefaultTrainOptions()
	opt.L2 = 400 // heavy shrinkage: raw probabilities pulled towards the prior
	opt.CalibrationFraction = 0.3
	m := mustTrain(t, train, opt)

	cal := m.Meta().Calibration
	if cal.Method != "platt" {
		t.Fatalf("calibration method: got %q (%s), want platt", cal.Method, cal.Reason)
	}
	if cal.BrierCalibrated >= cal.BrierRaw {
		t.Errorf("held-out Brier: got calibrated %.4f, want below raw %.4f", cal.BrierCalibrated, cal.BrierRaw)
	}
	if m.Calibration().A <= 1 {
		t.Errorf("Platt A: got %.3f, want > 1 to undo the shrinkage", m.Calibration().A)
	}

	var raw, calibrated []float64
	var ys []bool
	for _, e := range test {
		raw = append(raw, sigmoid(m.logit(e.Features, e.Language)))
		calibrated = append(calibrated, m.Predict(e.Features, e.Language, DefaultThresholds(), 0).Score)
		ys = append(ys, e.Malicious)
	}
	br, bc := brier(raw, ys), brier(calibrated, ys)
	if bc >= br {
		t.Errorf("test Brier: got calibrated %.4f, want below raw %.4f", bc, br)
	}

	const bins = 10
	var n [bins]int
	var sp, sy [bins]float64
	for i, p := range calibrated {
		b := min(int(p*bins), bins-1)
		n[b]++
		sp[b] += p
		if ys[i] {
			sy[b]++
		}
	}
	for b := range bins {
		if n[b] < 150 {
			continue
		}
		pred, obs := sp[b]/float64(n[b]), sy[b]/float64(n[b])
		// ~3.5 standard errors of a proportion over n[b] samples.
		tol := 3.5*math.Sqrt(obs*(1-obs)/float64(n[b])) + 0.02
		if !almostEqual(pred, obs, tol) {
			t.Errorf("bin %d (%d samples): got mean predicted %.3f, observed %.3f, want within %.3f", b, n[b], pred, obs, tol)
		}
	}
}

func TestTrainErrors(t *testing.T) {
	good := separable(3, 20)
	nan := slices.Clone(good)
	nan[0] = Example{Features: map[string]float64{"feat:x": math.NaN()}, Malicious: true}
	neg := slices.Clone(good)
	neg[1].Weight = -1
	oneClass := []Example{{Features: map[string]float64{"a": 1}, Malicious: true}, {Features: map[string]float64{"b": 1}, Malicious: true}}
	tests := []struct {
		name string
		exs  []Example
		opt  TrainOptions
		data bool // want ErrTrainingData
	}{
		{"no examples", nil, DefaultTrainOptions(), true},
		{"one class", oneClass, DefaultTrainOptions(), true},
		{"nan feature", nan, DefaultTrainOptions(), true},
		{"negative weight", neg, DefaultTrainOptions(), true},
		{"negative l2", good, TrainOptions{L2: -1}, false},
		{"nan l2", good, TrainOptions{L2: math.NaN()}, false},
		{"calibration fraction too high", good, TrainOptions{CalibrationFraction: 0.95}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Train(tt.exs, tt.opt)
			if err == nil {
				t.Fatal("got nil error, want an error")
			}
			if got := errors.Is(err, ErrTrainingData); got != tt.data {
				t.Errorf("errors.Is(%v, ErrTrainingData): got %v, want %v", err, got, tt.data)
			}
		})
	}
}

func TestTrainSmallDataSkipsCalibration(t *testing.T) {
	m := mustTrain(t, separable(4, 16), DefaultTrainOptions())
	cal := m.Meta().Calibration
	if cal.Method != "none" || cal.Reason == "" {
		t.Errorf("calibration: got method %q reason %q, want none with a reason", cal.Method, cal.Reason)
	}
	if got := m.Calibration(); got != (Platt{A: 1}) {
		t.Errorf("Platt: got %+v, want identity", got)
	}
}

func TestWeights(t *testing.T) {
	base := separable(5, 60)
	opt := DefaultTrainOptions()
	opt.CalibrationFraction = 0
	opt.MinFeatureCount = 1

	t.Run("zero means one", func(t *testing.T) {
		ones := slices.Clone(base)
		for i := range ones {
			ones[i].Weight = 1
		}
		a, b := mustTrain(t, base, opt), mustTrain(t, ones, opt)
		if a.Version() != b.Version() {
			t.Errorf("weight 0 vs 1: got versions %s and %s, want equal", a.Version(), b.Version())
		}
	})

	// A contradicting example: benign label on the malicious indicator.
	odd := Example{Features: map[string]float64{"ind:evil": 1, "tok:001": 1}, Malicious: false, Language: lang.PowerShell}
	probe := map[string]float64{"ind:evil": 1, "tok:001": 1}
	score := func(m *Model) float64 { return m.Predict(probe, lang.PowerShell, DefaultThresholds(), 0).Score }

	t.Run("weight two equals a duplicate", func(t *testing.T) {
		dup := append(slices.Clone(base), odd, odd)
		w2 := odd
		w2.Weight = 2
		weighted := append(slices.Clone(base), w2)
		a, b := mustTrain(t, dup, opt), mustTrain(t, weighted, opt)
		if sa, sb := score(a), score(b); !almostEqual(sa, sb, 1e-4) {
			t.Errorf("duplicate vs weight 2: got scores %.6f and %.6f, want equal", sa, sb)
		}
		for _, f := range []string{"ind:evil", "ind:docstring", "tok:001"} {
			wa, _, _, _ := a.Weight(f)
			wb, _, _, _ := b.Weight(f)
			if !almostEqual(wa, wb, 1e-3) {
				t.Errorf("weight of %s: got %.5f (duplicate) and %.5f (weight 2), want equal", f, wa, wb)
			}
		}
	})

	t.Run("negligible weight has no effect", func(t *testing.T) {
		tiny := odd
		tiny.Weight = 1e-12
		a, b := mustTrain(t, base, opt), mustTrain(t, append(slices.Clone(base), tiny), opt)
		if sa, sb := score(a), score(b); !almostEqual(sa, sb, 1e-6) {
			t.Errorf("without vs with a 1e-12 weight example: got %.8f and %.8f, want equal", sa, sb)
		}
	})

	t.Run("heavy weight moves the score", func(t *testing.T) {
		heavy := odd
		heavy.Weight = 200
		a, b := mustTrain(t, base, opt), mustTrain(t, append(slices.Clone(base), heavy), opt)
		if sa, sb := score(a), score(b); !(sb < sa-0.2) {
			t.Errorf("a heavy benign example on the probe: got scores %.3f -> %.3f, want a drop > 0.2", sa, sb)
		}
	})
}

func TestMinFeatureCountAndConstantFeatures(t *testing.T) {
	exs := separable(6, 100)
	exs[0].Features["tok:rare"] = 1 // seen once
	for i := range exs {
		exs[i].Features["feat:always"] = 3 // never varies
	}
	opt := DefaultTrainOptions()
	opt.MinFeatureCount = 2
	m := mustTrain(t, exs, opt)
	for _, f := range []string{"tok:rare", "feat:always"} {
		if _, _, _, ok := m.Weight(f); ok {
			t.Errorf("feature %s: got kept, want dropped", f)
		}
	}
	if _, _, _, ok := m.Weight("ind:evil"); !ok {
		t.Error("feature ind:evil: got dropped, want kept")
	}
	meta := m.Meta()
	if meta.Features != m.NumFeatures() || meta.CandidateFeatures <= meta.Features {
		t.Errorf("meta features: got %d kept of %d candidates (model %d)", meta.Features, meta.CandidateFeatures, m.NumFeatures())
	}
	var n int
	for _, c := range meta.PerLanguage {
		n += c.Malicious + c.Benign
	}
	if n != len(exs) || meta.Examples != len(exs) {
		t.Errorf("meta counts: got %d per language, %d examples, want %d", n, meta.Examples, len(exs))
	}
}

func TestSplitCalibration(t *testing.T) {
	// 30 distinct examples, each repeated 3 times.
	var exs []Example
	for i := range 30 {
		e := Example{Features: map[string]float64{"tok:" + string(rune('a'+i%26)): float64(i)}, Malicious: i%2 == 0, Language: synthLangs[i%3]}
		exs = append(exs, e, e, e)
	}
	get := func(e Example) (map[string]float64, string, lang.Language, bool) {
		return e.Features, "", e.Language, e.Malicious
	}
	opt := TrainOptions{CalibrationFraction: 0.25, Seed: 9}
	cal, fit := splitCalibration(exs, opt, get)
	if len(cal)+len(fit) != len(exs) || len(cal) == 0 || len(fit) == 0 {
		t.Fatalf("split sizes: got %d + %d of %d", len(cal), len(fit), len(exs))
	}
	side := map[int]bool{}
	for _, i := range cal {
		side[i] = true
	}
	for i := 0; i < len(exs); i += 3 {
		if side[i] != side[i+1] || side[i] != side[i+2] {
			t.Errorf("duplicates %d..%d straddle the split", i, i+2)
		}
	}
	// Stable: the same seed gives the same split.
	cal2, _ := splitCalibration(exs, opt, get)
	if !slices.Equal(cal, cal2) {
		t.Errorf("same seed: got %v and %v", cal, cal2)
	}
}

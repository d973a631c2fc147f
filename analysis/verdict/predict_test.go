package verdict

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

func separableModel(t testing.TB) *Model {
	t.Helper()
	return mustTrain(t, separable(1, 400), DefaultTrainOptions())
}

func TestUnknownBand(t *testing.T) {
	m := separableModel(t)
	_, meanLines, _, ok := m.Weight("feat:lines")
	if !ok {
		t.Fatal("feat:lines not in the model")
	}
	def := DefaultThresholds()
	tests := []struct {
		name     string
		features map[string]float64
		th       Thresholds
		want     Label
	}{
		{"empty", map[string]float64{}, def, Unknown},
		{"nil", nil, def, Unknown},
		{"language only", map[string]float64{"lang:powershell": 1}, def, Unknown},
		{"unknown names only", map[string]float64{"ind:never_seen": 1, "tok:ffff": 3}, def, Unknown},
		{"zero values only", map[string]float64{"ind:evil": 0, "ind:docstring": 0}, def, Unknown},
		{"non-finite values only", map[string]float64{"ind:evil": math.NaN(), "feat:lines": math.Inf(1)}, def, Unknown},
		{"typical statistic only", map[string]float64{"feat:lines": meanLines}, def, Unknown},
		{"strong indicator", map[string]float64{"ind:evil": 1}, def, Malicious},
		{"strong benign indicator", map[string]float64{"ind:docstring": 1}, def, Benign},
		{"strong indicator, evidence bar too high", map[string]float64{"ind:evil": 1}, Thresholds{Malicious: 0.8, Suspicious: 0.5, MinEvidence: 1e6}, Unknown},
		{"strong indicator, too few features", map[string]float64{"ind:evil": 1}, Thresholds{Malicious: 0.8, Suspicious: 0.5, MinFeatures: 2}, Unknown},
		{"zero thresholds mean defaults", map[string]float64{"ind:evil": 1}, Thresholds{}, Malicious},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := m.Predict(tt.features, lang.PowerShell, tt.th, 5)
			if r.Label != tt.want {
				t.Errorf("got %v (score %.3f, evidence %.3f, %d features), want %v", r.Label, r.Score, r.Evidence, r.ActiveFeatures, tt.want)
			}
			if math.IsNaN(r.Score) || r.Score < 0 || r.Score > 1 {
				t.Errorf("score: got %v, want a probability", r.Score)
			}
		})
	}
}

func TestThresholdMapping(t *testing.T) {
	m := separableModel(t)
	in := map[string]float64{"ind:evil": 1, "ind:docstring": 1, "tok:001": 1}
	s := m.Predict(in, lang.Bash, DefaultThresholds(), 0).Score
	if s <= 0.01 || s >= 0.99 {
		t.Fatalf("probe score %v too extreme for the test", s)
	}
	tests := []struct {
		name string
		th   Thresholds
		want Label
	}{
		{"at malicious", Thresholds{Malicious: s, Suspicious: s / 2}, Malicious},
		{"just below malicious, at suspicious", Thresholds{Malicious: math.Nextafter(s, 1), Suspicious: s}, Suspicious},
		{"below suspicious", Thresholds{Malicious: 1, Suspicious: math.Nextafter(s, 1)}, Benign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Predict(in, lang.Bash, tt.th, 0).Label; got != tt.want {
				t.Errorf("score %v with %+v: got %v, want %v", s, tt.th, got, tt.want)
			}
		})
	}
}

func TestContributions(t *testing.T) {
	exs, _ := newSynth(21, 1).examples(2000)
	m := mustTrain(t, exs, DefaultTrainOptions())
	in := map[string]float64{
		"ind:download": 1, "yara:Cradle": 1, "ind:param_block": 1, "feat:entropy": 6.1,
		"tok:0003": 1, "tok:0010": 1, "ind:unseen": 1, "ind:exec": 0,
	}
	all := m.Predict(in, lang.PowerShell, DefaultThresholds(), 100)
	if got, want := len(all.Contributions), 6; got != want {
		t.Fatalf("contributions: got %d (%+v), want %d (present, known, non-context features)", got, all.Contributions, want)
	}
	var sum float64
	for i, c := range all.Contributions {
		if _, ok := in[c.Feature]; !ok || in[c.Feature] == 0 {
			t.Errorf("contribution %d: feature %s not present in the input", i, c.Feature)
		}
		w, mean, scale, _ := m.Weight(c.Feature)
		if !almostEqual(c.Contribution, c.Weight*c.Standardized, 1e-12) || c.Weight != w {
			t.Errorf("%s: got contribution %v, weight %v, standardized %v; want weight %v and contribution = weight*standardized", c.Feature, c.Contribution, c.Weight, c.Standardized, w)
		}
		if !almostEqual(c.Standardized, (c.Value-mean)/scale, 1e-12) {
			t.Errorf("%s: got standardized %v, want %v", c.Feature, c.Standardized, (c.Value-mean)/scale)
		}
		if i > 0 && math.Abs(all.Contributions[i-1].Contribution) < math.Abs(c.Contribution) {
			t.Errorf("contributions not sorted by |contribution| at %d", i)
		}
		sum += math.Abs(c.Contribution)
	}
	if !almostEqual(sum, all.Evidence, 1e-9) || all.ActiveFeatures != 6 {
		t.Errorf("evidence: got %v over %d features, want %v over 6", all.Evidence, all.ActiveFeatures, sum)
	}

	// Removing a feature moves the raw log-odds by weight*(z - z_absent).
	for _, c := range all.Contributions {
		without := map[string]float64{}
		for k, v := range in {
			if k != c.Feature {
				without[k] = v
			}
		}
		_, mean, scale, _ := m.Weight(c.Feature)
		want := c.Contribution + c.Weight*mean/scale
		got := m.logit(in, lang.PowerShell) - m.logit(without, lang.PowerShell)
		if !almostEqual(got, want, 1e-9) {
			t.Errorf("removing %s: got log-odds change %v, want %v", c.Feature, got, want)
		}
	}

	top := m.Predict(in, lang.PowerShell, DefaultThresholds(), 2)
	if !reflect.DeepEqual(top.Contributions, all.Contributions[:2]) {
		t.Errorf("top-2: got %+v, want %+v", top.Contributions, all.Contributions[:2])
	}
	if none := m.Predict(in, lang.PowerShell, DefaultThresholds(), 0); none.Contributions != nil || none.Score != all.Score {
		t.Errorf("topK 0: got %+v, want no contributions and the same score", none)
	}
}

func TestPredictClampsOutliers(t *testing.T) {
	exs, _ := newSynth(22, 1).examples(1000)
	m := mustTrain(t, exs, DefaultTrainOptions())
	huge := m.Predict(map[string]float64{"feat:entropy": 1e300}, lang.Bash, DefaultThresholds(), 1)
	atMax := m.Predict(map[string]float64{"feat:entropy": m.hi[must(m.lookup("feat:entropy"))]}, lang.Bash, DefaultThresholds(), 1)
	if huge.Score != atMax.Score || huge.Contributions[0].Contribution != atMax.Contributions[0].Contribution {
		t.Errorf("outlier: got score %v contribution %v, want those at the training maximum (%v, %v)",
			huge.Score, huge.Contributions[0].Contribution, atMax.Score, atMax.Contributions[0].Contribution)
	}
	if huge.Contributions[0].Value != 1e300 {
		t.Errorf("reported value: got %v, want the given 1e300", huge.Contributions[0].Value)
	}
}

func TestPredictLanguageContext(t *testing.T) {
	exs, _ := newSynth(23, 1).examples(1500)
	m := mustTrain(t, exs, DefaultTrainOptions())
	in := map[string]float64{"ind:download": 1}
	implicit := m.Predict(in, lang.JavaScript, DefaultThresholds(), 5)
	explicit := m.Predict(map[string]float64{"ind:download": 1, "lang:javascript": 1}, lang.Unknown, DefaultThresholds(), 5)
	if implicit.Score != explicit.Score {
		t.Errorf("implicit vs explicit language: got %v and %v, want equal", implicit.Score, explicit.Score)
	}
	for _, c := range implicit.Contributions {
		if c.Feature == "lang:javascript" {
			t.Errorf("language context listed as evidence: %+v", c)
		}
	}
	if implicit.ActiveFeatures != 1 {
		t.Errorf("active features: got %d, want 1 (language is context)", implicit.ActiveFeatures)
	}
	// A language the model never saw: no context term, still a valid score.
	if r := m.Predict(in, lang.VBScript, DefaultThresholds(), 0); math.IsNaN(r.Score) {
		t.Errorf("unseen language: got score %v", r.Score)
	}
}

func TestPredictDeterministic(t *testing.T) {
	exs, _ := newSynth(24, 1).examples(1500)
	m := mustTrain(t, exs, DefaultTrainOptions())
	want := m.Predict(exs[0].Features, exs[0].Language, DefaultThresholds(), 4)
	for i := range 50 {
		// A fresh map each time: Go randomises iteration order per map.
		in := make(map[string]float64, len(exs[0].Features))
		for k, v := range exs[0].Features {
			in[k] = v
		}
		if got := m.Predict(in, exs[0].Language, DefaultThresholds(), 4); !reflect.DeepEqual(got, want) {
			t.Fatalf("run %d: got %+v, want %+v", i, got, want)
		}
	}
}

func TestPredictConcurrent(t *testing.T) {
	exs, _ := newSynth(25, 1).examples(800)
	m := mustTrain(t, exs, DefaultTrainOptions())
	want := make([]Result, 50)
	for i := range want {
		want[i] = m.Predict(exs[i].Features, exs[i].Language, DefaultThresholds(), 3)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range want {
				if got := m.Predict(exs[i].Features, exs[i].Language, DefaultThresholds(), 3); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("goroutine %d example %d: got %+v, want %+v", g, i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestThresholdsValidate(t *testing.T) {
	tests := []struct {
		name string
		th   Thresholds
		ok   bool
	}{
		{"default", DefaultThresholds(), true},
		{"equal bands", Thresholds{Malicious: 0.7, Suspicious: 0.7}, true},
		{"suspicious above malicious", Thresholds{Malicious: 0.5, Suspicious: 0.7}, false},
		{"above one", Thresholds{Malicious: 1.5, Suspicious: 0.5}, false},
		{"nan", Thresholds{Malicious: math.NaN(), Suspicious: 0.5}, false},
		{"negative evidence", Thresholds{Malicious: 0.9, Suspicious: 0.5, MinEvidence: -1}, false},
		{"negative features", Thresholds{Malicious: 0.9, Suspicious: 0.5, MinFeatures: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.th.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate(%+v): got %v, want ok=%v", tt.th, err, tt.ok)
			}
		})
	}
	set := ThresholdSet{Default: DefaultThresholds(), PerLanguage: map[lang.Language]Thresholds{lang.Batch: {Malicious: 0.9, Suspicious: 0.6}}}
	if got := set.For(lang.Batch).Malicious; got != 0.9 {
		t.Errorf("For(batch): got malicious %v, want 0.9", got)
	}
	if got := set.For(lang.Python); got != DefaultThresholds() {
		t.Errorf("For(python): got %+v, want the default", got)
	}
	set.PerLanguage[lang.Bash] = Thresholds{Malicious: 0.1, Suspicious: 0.2}
	if err := set.Validate(); err == nil {
		t.Error("ThresholdSet.Validate with a bad bash entry: got nil, want an error")
	}
}

func TestLabelText(t *testing.T) {
	for _, l := range []Label{Unknown, Benign, Suspicious, Malicious} {
		t.Run(l.String(), func(t *testing.T) {
			b, err := l.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			var got Label
			if err := got.UnmarshalText(b); err != nil || got != l {
				t.Errorf("round trip: got %v (%v), want %v", got, err, l)
			}
		})
	}
	if got, _ := ParseLabel(" Malicious "); got != Malicious {
		t.Errorf("ParseLabel(\" Malicious \"): got %v, want malicious", got)
	}
	var l Label
	if err := l.UnmarshalText([]byte("evil")); err == nil {
		t.Error("UnmarshalText(evil): got nil error, want an error")
	}
	if _, err := Label(9).MarshalText(); err == nil {
		t.Error("MarshalText(9): got nil error, want an error")
	}
	if Label(0) != Unknown {
		t.Error("zero Label is not Unknown")
	}
}

// TestLogitMatchesDefinition checks the fast path (both the bitmap walk and
// the sort, chosen by input size) against log-odds = bias + sum_j w_j*z_j
// over every feature, absent ones at z = -mean/scale.
func TestLogitMatchesDefinition(t *testing.T) {
	m := mustTrain(t, wide(4, 600, 2000, 120), DefaultTrainOptions())
	probe := wide(5, 1, 2000, 400)[0].Features
	names := make([]string, 0, len(probe))
	for k := range probe {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, n := range []int{0, 1, 3, 8, 40, len(names)} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			in := map[string]float64{}
			for _, k := range names[:n] {
				in[k] = probe[k]
			}
			want := m.bias
			for j, f := range m.features {
				x := 0.0
				if v, ok := in[f]; ok {
					x = min(max(v, m.lo[j]), m.hi[j])
				} else if f == "lang:bash" {
					x = 1
				}
				want += m.weights[j] * (x - m.means[j]) / m.scales[j]
			}
			if got := m.logit(in, lang.Bash); !almostEqual(got, want, 1e-9*(1+math.Abs(want))) {
				t.Errorf("got log-odds %v, want %v", got, want)
			}
		})
	}
}

func must(j int32, ok bool) int32 {
	if !ok {
		panic("feature not found")
	}
	return j
}

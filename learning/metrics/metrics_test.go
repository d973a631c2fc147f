package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// fixture: 12 samples, 5 malicious and 7 benign.
//
//	truth: M M M M M B B B B B B B
//	pred:  M M M B B M B B B B B B
//
// TP=3 (first three), FN=2, FP=1 (sixth), TN=6.
//
//	accuracy    = (3+6)/12     = 0.75
//	precision   = 3/(3+1)      = 0.75
//	recall      = 3/(3+2)      = 0.6
//	F1          = 2*3/(6+1+2)  = 0.666667
//	FPR         = 1/(1+6)      = 0.142857
//	specificity = 6/7          = 0.857143
//	MCC = (3*6-1*2)/sqrt(4*5*7*8) = 16/sqrt(1120) = 0.478091
var (
	fixtureTruth = []bool{true, true, true, true, true, false, false, false, false, false, false, false}
	fixturePred  = []bool{true, true, true, false, false, true, false, false, false, false, false, false}
)

func TestConfusionFixture(t *testing.T) {
	c, err := NewConfusion(fixtureTruth, fixturePred)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Confusion{TP: 3, FP: 1, TN: 6, FN: 2}); c != want {
		t.Fatalf("confusion: got %+v, want %+v", c, want)
	}
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"accuracy", c.Accuracy(), 0.75},
		{"precision", c.Precision(), 0.75},
		{"recall", c.Recall(), 0.6},
		{"f1", c.F1(), 2.0 / 3},
		{"fpr", c.FPR(), 1.0 / 7},
		{"specificity", c.Specificity(), 6.0 / 7},
		{"mcc", c.MCC(), 0.478091},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !near(tt.got, tt.want, 1e-6) {
				t.Errorf("got %.6f, want %.6f", tt.got, tt.want)
			}
		})
	}
	if c.Total() != 12 || c.Positives() != 5 || c.Negatives() != 7 {
		t.Errorf("totals: got %d/%d/%d, want 12/5/7", c.Total(), c.Positives(), c.Negatives())
	}
	if s := c.String(); !strings.Contains(s, "TP=3") || !strings.Contains(s, "f1=0.6667") {
		t.Errorf("String: got %q", s)
	}
}

func TestConfusionEmptyDenominators(t *testing.T) {
	tests := []struct {
		name string
		c    Confusion
	}{
		{"empty", Confusion{}},
		{"only benign, all right", Confusion{TN: 4}},    // precision, recall, F1 denominators 0
		{"only malicious, all right", Confusion{TP: 4}}, // FPR denominator 0
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, v := range map[string]float64{
				"accuracy": tt.c.Accuracy(), "precision": tt.c.Precision(), "recall": tt.c.Recall(),
				"f1": tt.c.F1(), "fpr": tt.c.FPR(), "specificity": tt.c.Specificity(), "mcc": tt.c.MCC(),
			} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s: got %v, want a finite value", name, v)
				}
			}
		})
	}
	if got := (Confusion{TN: 4}).Precision(); got != 0 {
		t.Errorf("precision with nothing predicted: got %v, want 0", got)
	}
	if got := (Confusion{TP: 4}).FPR(); got != 0 {
		t.Errorf("FPR with no benign samples: got %v, want 0", got)
	}
	if got := (Confusion{}).Accuracy(); got != 0 {
		t.Errorf("accuracy of nothing: got %v, want 0", got)
	}
	if _, err := NewConfusion([]bool{true}, nil); !errors.Is(err, ErrLength) {
		t.Errorf("mismatched lengths: got %v, want ErrLength", err)
	}
}

func TestMcNemarCounts(t *testing.T) {
	tests := []struct {
		name       string
		b, c       int
		statistic  float64
		chiSquareP float64
		pValue     float64
		exact      bool
	}{
		// chi2_cc = (|10-2|-1)^2/12 = 49/12 = 4.0833, chi-square p = 0.0433;
		// 12 < 25 discordant pairs, so the reported p is the exact one:
		// 2*P(X<=2), X~Bin(12,1/2) = 2*(1+12+66)/4096 = 0.0386.
		{"b10 c2", 10, 2, 4.0833, 0.0433, 0.0386, true},
		// Exact: 2*0.5^5 = 0.0625; chi2_cc = (5-1)^2/5 = 3.2.
		{"b5 c0", 5, 0, 3.2, 0.0736, 0.0625, true},
		{"b0 c5 symmetric", 0, 5, 3.2, 0.0736, 0.0625, true},
		// 40 discordant pairs: chi-square, (|30-10|-1)^2/40 = 9.025, p = 0.00266.
		{"b30 c10", 30, 10, 9.025, 0.00266, 0.00266, false},
		// Balanced: the corrected difference is clamped at 0, p = 1.
		{"b3 c3", 3, 3, 0, 1, 1, true},
		{"none", 0, 0, 0, 1, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := McNemarCounts(tt.b, tt.c)
			if r.B != tt.b || r.C != tt.c {
				t.Errorf("counts: got B=%d C=%d, want %d %d", r.B, r.C, tt.b, tt.c)
			}
			if !near(r.Statistic, tt.statistic, 1e-3) {
				t.Errorf("statistic: got %.5f, want %.5f", r.Statistic, tt.statistic)
			}
			if !near(r.ChiSquareP, tt.chiSquareP, 1e-3) {
				t.Errorf("chi-square p: got %.5f, want %.5f", r.ChiSquareP, tt.chiSquareP)
			}
			if !near(r.PValue, tt.pValue, 1e-3) {
				t.Errorf("p: got %.5f, want %.5f", r.PValue, tt.pValue)
			}
			if r.Exact != tt.exact {
				t.Errorf("exact: got %v, want %v", r.Exact, tt.exact)
			}
		})
	}
	if r := McNemarCounts(5, 0); !near(r.PValue, 0.0625, 1e-12) {
		t.Errorf("exact p for b=5 c=0: got %.15f, want 0.0625", r.PValue)
	}
}

func TestMcNemarFromPredictions(t *testing.T) {
	// 10 samples where only a is right, 2 where only b is right, 5 where
	// both are right and 3 where both are wrong.
	var truth, a, b []bool
	add := func(n int, okA, okB bool) {
		for i := range n {
			tr := i%2 == 0
			truth = append(truth, tr)
			a = append(a, tr == okA)
			b = append(b, tr == okB)
		}
	}
	add(10, true, false)
	add(2, false, true)
	add(5, true, true)
	add(3, false, false)
	r, err := McNemar(truth, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if r.B != 10 || r.C != 2 || !near(r.Statistic, 4.0833, 1e-3) || !near(r.ChiSquareP, 0.0433, 1e-3) {
		t.Errorf("got %+v, want B=10 C=2 statistic 4.0833 chi-square p 0.0433", r)
	}
	if _, err := McNemar(truth, a, b[:3]); !errors.Is(err, ErrLength) {
		t.Errorf("mismatched lengths: got %v, want ErrLength", err)
	}
}

func TestBootstrapCI(t *testing.T) {
	pairs, err := Pairs(fixtureTruth, fixturePred)
	if err != nil {
		t.Fatal(err)
	}
	// Make the sample bigger so the intervals are not degenerate.
	for range 4 {
		pairs = append(pairs, pairs...)
	}
	c := ConfusionOf(pairs)
	metrics := []struct {
		name string
		f    func(Confusion) float64
	}{
		{"accuracy", Confusion.Accuracy},
		{"precision", Confusion.Precision},
		{"recall", Confusion.Recall},
		{"f1", Confusion.F1},
		{"fpr", Confusion.FPR},
	}
	for _, m := range metrics {
		t.Run(m.name, func(t *testing.T) {
			lo, hi := BootstrapCI(pairs, m.f, 1000, 42, 0.05)
			lo2, hi2 := BootstrapCI(pairs, m.f, 1000, 42, 0.05)
			if lo != lo2 || hi != hi2 {
				t.Errorf("same seed: got [%v, %v] and [%v, %v], want equal", lo, hi, lo2, hi2)
			}
			point := m.f(c)
			if !(lo <= point && point <= hi) || !(lo < hi) {
				t.Errorf("got [%.4f, %.4f], want a proper interval containing %.4f", lo, hi, point)
			}
			lo90, hi90 := BootstrapCI(pairs, m.f, 1000, 42, 0.10)
			if lo90 < lo || hi90 > hi {
				t.Errorf("90%% interval [%.4f, %.4f] not inside the 95%% one [%.4f, %.4f]", lo90, hi90, lo, hi)
			}
		})
	}
	lo, hi := BootstrapCI(pairs, Confusion.Accuracy, 1000, 43, 0.05)
	lo42, hi42 := BootstrapCI(pairs, Confusion.Accuracy, 1000, 42, 0.05)
	if lo == lo42 && hi == hi42 {
		t.Logf("seeds 42 and 43 gave the same interval [%v, %v] (possible but unlikely)", lo, hi)
	}
	if lo, hi := BootstrapCI(nil, Confusion.F1, 100, 1, 0.05); lo != 0 || hi != 0 {
		t.Errorf("no pairs: got [%v, %v], want [0, 0]", lo, hi)
	}
}

// TestBootstrapMatchesPairResampling checks the multinomial shortcut against
// the textbook procedure (resampling pairs) on the same data.
func TestBootstrapMatchesPairResampling(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	pairs := make([]Pair, 300)
	for i := range pairs {
		truth := r.IntN(3) == 0
		pred := truth
		if r.IntN(6) == 0 {
			pred = !pred
		}
		pairs[i] = Pair{truth, pred}
	}
	const iters = 4000
	vals := make([]float64, iters)
	for k := range vals {
		var c Confusion
		for range pairs {
			p := pairs[r.IntN(len(pairs))]
			c.Add(p.Truth, p.Pred)
		}
		vals[k] = c.F1()
	}
	slices.Sort(vals)
	wantLo, wantHi := vals[int(0.025*iters)], vals[int(0.975*iters)]
	lo, hi := BootstrapCI(pairs, Confusion.F1, iters, 5, 0.05)
	if !near(lo, wantLo, 0.015) || !near(hi, wantHi, 0.015) {
		t.Errorf("got [%.4f, %.4f], want about the pair-resampling interval [%.4f, %.4f]", lo, hi, wantLo, wantHi)
	}
}

func TestBootstrapDiffCI(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	n := 400
	truth := make([]bool, n)
	weak := make([]bool, n)
	strong := make([]bool, n)
	for i := range truth {
		truth[i] = r.IntN(2) == 0
		weak[i], strong[i] = truth[i], truth[i]
		if r.IntN(4) == 0 {
			weak[i] = !weak[i]
		}
		if r.IntN(20) == 0 {
			strong[i] = !strong[i]
		}
	}
	lo, hi, err := BootstrapDiffCI(truth, weak, strong, Confusion.Accuracy, 1000, 7, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if !(lo > 0 && hi > lo) {
		t.Errorf("strong - weak accuracy: got [%.4f, %.4f], want an interval above 0", lo, hi)
	}
	lo, hi, _ = BootstrapDiffCI(truth, weak, weak, Confusion.Accuracy, 500, 7, 0.05)
	if lo != 0 || hi != 0 {
		t.Errorf("a classifier against itself: got [%v, %v], want [0, 0]", lo, hi)
	}
	if _, _, err := BootstrapDiffCI(truth, weak, strong[:1], Confusion.F1, 10, 1, 0.05); !errors.Is(err, ErrLength) {
		t.Errorf("mismatched lengths: got %v, want ErrLength", err)
	}
}

// multiclass fixture (truth -> predicted: count):
//
//	powershell -> powershell 5, powershell -> javascript 1
//	javascript -> javascript 3, javascript -> batch 1
//	batch      -> batch 2
//
// total 12, correct 10, accuracy 0.833333
// powershell: support 6, predicted 5, correct 5: P 1,    R 5/6,  F1 10/11
// javascript: support 4, predicted 4, correct 3: P 0.75, R 0.75, F1 0.75
// batch:      support 2, predicted 3, correct 2: P 2/3,  R 1,    F1 0.8
// macro-F1 = (10/11 + 0.75 + 0.8)/3 = 0.819697
func TestMulticlassFixture(t *testing.T) {
	var m Multiclass[lang.Language]
	m.AddN(lang.PowerShell, lang.PowerShell, 5)
	m.Add(lang.PowerShell, lang.JavaScript)
	m.AddN(lang.JavaScript, lang.JavaScript, 3)
	m.Add(lang.JavaScript, lang.Batch)
	m.AddN(lang.Batch, lang.Batch, 2)
	m.AddN(lang.Batch, lang.Bash, 0) // ignored

	if m.Total() != 12 || m.Correct() != 10 || !near(m.Accuracy(), 10.0/12, 1e-9) {
		t.Errorf("totals: got %d/%d accuracy %v, want 10/12", m.Correct(), m.Total(), m.Accuracy())
	}
	want := []ClassStats[lang.Language]{
		{Class: lang.PowerShell, Support: 6, Predicted: 5, Correct: 5, Precision: 1, Recall: 5.0 / 6, F1: 10.0 / 11},
		{Class: lang.JavaScript, Support: 4, Predicted: 4, Correct: 3, Precision: 0.75, Recall: 0.75, F1: 0.75},
		{Class: lang.Batch, Support: 2, Predicted: 3, Correct: 2, Precision: 2.0 / 3, Recall: 1, F1: 0.8},
	}
	got := m.PerClass()
	if len(got) != len(want) {
		t.Fatalf("classes: got %v, want %d", got, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Class != w.Class || g.Support != w.Support || g.Predicted != w.Predicted || g.Correct != w.Correct ||
			!near(g.Precision, w.Precision, 1e-9) || !near(g.Recall, w.Recall, 1e-9) || !near(g.F1, w.F1, 1e-9) {
			t.Errorf("class %v: got %+v, want %+v", w.Class, g, w)
		}
	}
	if !near(m.MacroF1(), 0.819697, 1e-6) {
		t.Errorf("macro-F1: got %.6f, want 0.819697", m.MacroF1())
	}
	if m.Count(lang.JavaScript, lang.Batch) != 1 || m.Count(lang.Bash, lang.Bash) != 0 {
		t.Error("Count: wrong cell values")
	}
	counts := m.Counts()
	counts[lang.Batch][lang.Batch] = 99
	if m.Count(lang.Batch, lang.Batch) != 2 {
		t.Error("Counts: returned map aliases the table")
	}

	var b strings.Builder
	if err := m.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"| powershell | 6 | 5 | 1.0000 | 0.8333 | 0.9091 |", "| truth \\ predicted | powershell | javascript | batch |", "| javascript | 0 | 3 | 1 |"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("markdown: missing %q in\n%s", s, b.String())
		}
	}

	var empty Multiclass[string]
	if empty.Accuracy() != 0 || empty.MacroF1() != 0 || len(empty.Classes()) != 0 {
		t.Error("empty table: want zero figures")
	}
}

func TestAUCAndBrier(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		truth  []bool
		want   float64
	}{
		// Pairs (pos, neg): (0.35 vs 0.1) win, (0.35 vs 0.4) loss,
		// (0.8 vs both) win: 3/4.
		{"textbook", []float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
		{"tie", []float64{0.5, 0.5}, []bool{true, false}, 0.5},
		{"perfect", []float64{0.9, 0.8, 0.2}, []bool{true, true, false}, 1},
		{"one class", []float64{0.9, 0.8}, []bool{true, true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AUC(tt.scores, tt.truth)
			if err != nil || !near(got, tt.want, 1e-12) {
				t.Errorf("got %v (%v), want %v", got, err, tt.want)
			}
		})
	}
	if _, err := AUC([]float64{math.NaN()}, []bool{true}); err == nil {
		t.Error("NaN score: got nil error")
	}
	// (0.9-1)^2 + (0.2-0)^2 = 0.01 + 0.04 = 0.05, mean 0.025.
	if got, err := Brier([]float64{0.9, 0.2}, []bool{true, false}); err != nil || !near(got, 0.025, 1e-12) {
		t.Errorf("Brier: got %v (%v), want 0.025", got, err)
	}
}

func BenchmarkBootstrapCI(b *testing.B) {
	pairs, _ := Pairs(fixtureTruth, fixturePred)
	for range 10 {
		pairs = append(pairs, pairs...)
	}
	b.ReportAllocs()
	for b.Loop() {
		BootstrapCI(pairs, Confusion.F1, 2000, 1, 0.05)
	}
}

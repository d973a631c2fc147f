package evaluate

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/verdict"
)

// fixture: 10 samples, hand-scored below.
//
//	model A: TP=4 FN=1 (one malicious called unknown) TN=4 FP=1
//	model B: TP=5 FN=0 TN=3 FP=2
//	language: 9 of 10 identified correctly (one bash sample called batch)
func fixture() []Prediction {
	M, S, B, U := verdict.Malicious, verdict.Suspicious, verdict.Benign, verdict.Unknown
	return []Prediction{
		{"powershell", "powershell", true, []verdict.Label{M, M}, "in-the-wild"},
		{"powershell", "powershell", true, []verdict.Label{S, M}, "in-the-wild"},
		{"powershell", "powershell", true, []verdict.Label{U, M}, "in-the-wild"},
		{"bash", "bash", true, []verdict.Label{M, S}, "in-the-wild"},
		{"bash", "batch", true, []verdict.Label{M, M}, "attack-emulation"},
		{"powershell", "powershell", false, []verdict.Label{B, B}, "benign-oss"},
		{"powershell", "powershell", false, []verdict.Label{S, B}, "benign-oss"},
		{"bash", "bash", false, []verdict.Label{B, M}, "benign-os"},
		{"bash", "bash", false, []verdict.Label{B, S}, "benign-os"},
		{"bash", "bash", false, []verdict.Label{B, B}, "benign-os"},
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestComputeByHand(t *testing.T) {
	r := Compute(fixture(), []string{"A", "B"}, 500, 7)
	all := r.Languages[len(r.Languages)-1]
	if all.Name != "all" || all.N != 10 || all.Malicious != 5 || all.Benign != 5 {
		t.Fatalf("pooled row: got %+v", all)
	}
	a, b := all.Models[0], all.Models[1]
	checks := []struct {
		name      string
		got, want float64
	}{
		{"A accuracy 8/10", a.Accuracy, 0.8},
		{"A precision 4/5", a.Precision, 0.8},
		{"A recall 4/5", a.Recall, 0.8},
		{"A F1 8/10", a.F1, 0.8},
		{"A FPR 1/5", a.FPR, 0.2},
		{"B accuracy 8/10", b.Accuracy, 0.8},
		{"B precision 5/7", b.Precision, 5.0 / 7},
		{"B recall 5/5", b.Recall, 1},
		{"B FPR 2/5", b.FPR, 0.4},
		{"language accuracy 9/10", all.LanguageAccuracy, 0.9},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if a.Unknown != 1 {
		t.Errorf("A unknown: got %d, want 1", a.Unknown)
	}
	if a.AccuracyCI[0] > a.Accuracy || a.AccuracyCI[1] < a.Accuracy {
		t.Errorf("A accuracy CI %v does not contain %v", a.AccuracyCI, a.Accuracy)
	}
	// McNemar: A right & B wrong on samples 8, 9 (b=2); B right & A wrong on 3, 7 (c=2).
	if r.McNemar == nil || r.McNemar.B != 2 || r.McNemar.C != 2 || !near(r.McNemar.PValue, 1) {
		t.Errorf("McNemar: got %+v, want b=2 c=2 p=1", r.McNemar)
	}
	if got := r.LanguageID["bash"]["batch"]; got != 1 {
		t.Errorf("language confusion bash->batch: got %d, want 1", got)
	}
	if len(r.Provenance) != 4 {
		t.Errorf("provenance groups: got %d, want 4", len(r.Provenance))
	}
}

func TestWriteTable(t *testing.T) {
	var buf bytes.Buffer
	if err := Compute(fixture(), []string{"A", "B"}, 200, 1).WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"lang acc", "malware acc", "powershell", "all", "80.00%", "McNemar A vs B"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

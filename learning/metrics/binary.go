package metrics

import (
	"errors"
	"fmt"
	"math"
)

// ErrLength reports input slices of different lengths.
var ErrLength = errors.New("metrics: slices of different lengths")

// Confusion is a binary confusion matrix; positive means malicious.
type Confusion struct {
	TP, FP, TN, FN int
}

// NewConfusion counts truth against pred.
func NewConfusion(truth, pred []bool) (Confusion, error) {
	if len(truth) != len(pred) {
		return Confusion{}, fmt.Errorf("%w: truth %d, pred %d", ErrLength, len(truth), len(pred))
	}
	var c Confusion
	for i, t := range truth {
		c.Add(t, pred[i])
	}
	return c, nil
}

// Add counts one (truth, prediction) outcome.
func (c *Confusion) Add(truth, pred bool) {
	switch {
	case truth && pred:
		c.TP++
	case truth:
		c.FN++
	case pred:
		c.FP++
	default:
		c.TN++
	}
}

// Total returns the number of outcomes counted.
func (c Confusion) Total() int { return c.TP + c.FP + c.TN + c.FN }

// Positives returns TP+FN, the number of truly malicious samples.
func (c Confusion) Positives() int { return c.TP + c.FN }

// Negatives returns TN+FP, the number of truly benign samples.
func (c Confusion) Negatives() int { return c.TN + c.FP }

func ratio(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// Accuracy is (TP+TN)/total; 0 when nothing was counted.
func (c Confusion) Accuracy() float64 { return ratio(c.TP+c.TN, c.Total()) }

// Precision is TP/(TP+FP); 0 when nothing was predicted malicious.
func (c Confusion) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall (true-positive rate) is TP/(TP+FN); 0 when there are no malicious
// samples.
func (c Confusion) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 is the harmonic mean of precision and recall, 2TP/(2TP+FP+FN); 0 when
// TP+FP+FN is 0.
func (c Confusion) F1() float64 { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

// FPR (false-positive rate) is FP/(FP+TN); 0 when there are no benign
// samples.
func (c Confusion) FPR() float64 { return ratio(c.FP, c.FP+c.TN) }

// Specificity (true-negative rate) is TN/(TN+FP); 0 when there are no
// benign samples.
func (c Confusion) Specificity() float64 { return ratio(c.TN, c.TN+c.FP) }

// MCC is the Matthews correlation coefficient in [-1, 1]; 0 when any
// marginal is empty.
func (c Confusion) MCC() float64 {
	tp, fp, tn, fn := float64(c.TP), float64(c.FP), float64(c.TN), float64(c.FN)
	den := (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)
	if den == 0 {
		return 0
	}
	return (tp*tn - fp*fn) / math.Sqrt(den)
}

// String renders the matrix and its main ratios.
func (c Confusion) String() string {
	return fmt.Sprintf("TP=%d FP=%d TN=%d FN=%d acc=%.4f prec=%.4f rec=%.4f f1=%.4f fpr=%.4f",
		c.TP, c.FP, c.TN, c.FN, c.Accuracy(), c.Precision(), c.Recall(), c.F1(), c.FPR())
}

// Pair is one outcome: the true class and the predicted one.
type Pair struct {
	Truth, Pred bool
}

// Pairs zips truth and pred.
func Pairs(truth, pred []bool) ([]Pair, error) {
	if len(truth) != len(pred) {
		return nil, fmt.Errorf("%w: truth %d, pred %d", ErrLength, len(truth), len(pred))
	}
	ps := make([]Pair, len(truth))
	for i := range truth {
		ps[i] = Pair{truth[i], pred[i]}
	}
	return ps, nil
}

// ConfusionOf counts pairs.
func ConfusionOf(pairs []Pair) Confusion {
	var c Confusion
	for _, p := range pairs {
		c.Add(p.Truth, p.Pred)
	}
	return c
}

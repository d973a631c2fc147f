package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ExactMcNemarBelow is the number of discordant pairs under which McNemar
// uses the exact binomial test.
const ExactMcNemarBelow = 25

// McNemarResult is the outcome of McNemar's test on two classifiers a and b
// scored against the same truth.
type McNemarResult struct {
	// B counts samples a got right and b got wrong; C the reverse.
	B, C int
	// Statistic is the continuity-corrected chi-square statistic
	// (max(|B-C|-1, 0))^2 / (B+C), 0 when B+C = 0.
	Statistic float64
	// ChiSquareP is the p-value of Statistic under chi-square with 1 degree
	// of freedom.
	ChiSquareP float64
	// PValue is the two-sided p-value reported: the exact binomial one,
	// min(1, 2*P(X <= min(B,C))) with X ~ Binomial(B+C, 1/2), when
	// B+C < ExactMcNemarBelow (Exact is then true), else ChiSquareP.
	PValue float64
	Exact  bool
}

// McNemar compares classifiers a and b on the same samples. It errors when
// the slices differ in length.
func McNemar(truth, a, b []bool) (McNemarResult, error) {
	if len(truth) != len(a) || len(truth) != len(b) {
		return McNemarResult{}, fmt.Errorf("%w: truth %d, a %d, b %d", ErrLength, len(truth), len(a), len(b))
	}
	var nb, nc int
	for i, t := range truth {
		okA, okB := a[i] == t, b[i] == t
		switch {
		case okA && !okB:
			nb++
		case !okA && okB:
			nc++
		}
	}
	return McNemarCounts(nb, nc), nil
}

// McNemarCounts runs the test on discordant counts directly: b = a right
// and b wrong, c = a wrong and b right. Negative counts are treated as 0.
func McNemarCounts(b, c int) McNemarResult {
	b, c = max(b, 0), max(c, 0)
	r := McNemarResult{B: b, C: c, ChiSquareP: 1, PValue: 1}
	n := b + c
	if n == 0 {
		r.Exact = true
		return r
	}
	d := math.Max(math.Abs(float64(b-c))-1, 0)
	r.Statistic = d * d / float64(n)
	r.ChiSquareP = distuv.ChiSquared{K: 1}.Survival(r.Statistic)
	r.PValue = r.ChiSquareP
	if n < ExactMcNemarBelow {
		r.Exact = true
		r.PValue = math.Min(1, 2*distuv.Binomial{N: float64(n), P: 0.5}.CDF(float64(min(b, c))))
	}
	return r
}

package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Defaults used when BootstrapCI gets out-of-range arguments.
const (
	DefaultBootstrapIterations = 2000
	DefaultAlpha               = 0.05
)

// BootstrapCI returns the percentile bootstrap (1-alpha) confidence interval
// of metric over pairs: the pairs are resampled with replacement iterations
// times, metric is computed on each resample's confusion matrix, and the
// alpha/2 and 1-alpha/2 empirical quantiles are returned.
//
// Because metric only sees the confusion matrix, a resample is drawn as a
// multinomial over the four cells with the observed frequencies, which has
// exactly the distribution of resampling the pairs and costs O(1) per
// iteration instead of O(len(pairs)).
//
// The result is deterministic for a seed. iterations <= 0 means
// DefaultBootstrapIterations; alpha outside (0, 1) means DefaultAlpha. With no
// pairs both bounds are metric(Confusion{}). Resamples where metric returns
// NaN are ignored (both bounds are NaN if all are).
func BootstrapCI(pairs []Pair, metric func(Confusion) float64, iterations int, seed int64, alpha float64) (lo, hi float64) {
	c := ConfusionOf(pairs)
	counts := []int{c.TP, c.FP, c.TN, c.FN}
	return bootstrap(counts, func(k []int) float64 {
		return metric(Confusion{TP: k[0], FP: k[1], TN: k[2], FN: k[3]})
	}, iterations, seed, alpha)
}

// BootstrapDiffCI returns the paired percentile bootstrap (1-alpha)
// confidence interval of metric(b) - metric(a), where a and b are two
// classifiers' predictions for the same samples. Samples are resampled
// jointly, so the interval accounts for the correlation between the two
// classifiers. An interval above 0 means b is better on that metric (for
// metrics where higher is better). Arguments as for BootstrapCI.
func BootstrapDiffCI(truth, a, b []bool, metric func(Confusion) float64, iterations int, seed int64, alpha float64) (lo, hi float64, err error) {
	if len(truth) != len(a) || len(truth) != len(b) {
		return 0, 0, fmt.Errorf("%w: truth %d, a %d, b %d", ErrLength, len(truth), len(a), len(b))
	}
	// Cell index: truth<<2 | a<<1 | b.
	counts := make([]int, 8)
	for i := range truth {
		counts[bit(truth[i])<<2|bit(a[i])<<1|bit(b[i])]++
	}
	lo, hi = bootstrap(counts, func(k []int) float64 {
		var ca, cb Confusion
		for cell, n := range k {
			t, pa, pb := cell&4 != 0, cell&2 != 0, cell&1 != 0
			ca.addN(t, pa, n)
			cb.addN(t, pb, n)
		}
		return metric(cb) - metric(ca)
	}, iterations, seed, alpha)
	return lo, hi, nil
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c *Confusion) addN(truth, pred bool, n int) {
	switch {
	case truth && pred:
		c.TP += n
	case truth:
		c.FN += n
	case pred:
		c.FP += n
	default:
		c.TN += n
	}
}

// bootstrap resamples the category counts as multinomial draws and returns
// the percentile interval of stat over the draws.
func bootstrap(counts []int, statistic func([]int) float64, iterations int, seed int64, alpha float64) (lo, hi float64) {
	if iterations <= 0 {
		iterations = DefaultBootstrapIterations
	}
	if !(alpha > 0 && alpha < 1) {
		alpha = DefaultAlpha
	}
	n := 0
	for _, k := range counts {
		n += k
	}
	if n == 0 {
		v := statistic(counts)
		return v, v
	}
	src := rand.NewPCG(uint64(seed), 0xb007_57a9)
	draw := make([]int, len(counts))
	vals := make([]float64, 0, iterations)
	for range iterations {
		multinomial(src, n, counts, draw)
		if v := statistic(draw); !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return math.NaN(), math.NaN()
	}
	slices.Sort(vals)
	return stat.Quantile(alpha/2, stat.Empirical, vals, nil), stat.Quantile(1-alpha/2, stat.Empirical, vals, nil)
}

// multinomial draws n trials over categories with probabilities counts/n
// into out, as a chain of conditional binomials.
func multinomial(src rand.Source, n int, counts, out []int) {
	left, rest := n, n // trials left to place, observed mass not yet used
	for i, k := range counts {
		switch {
		case left == 0 || k == 0:
			out[i] = 0
		case k >= rest:
			out[i] = left
		default:
			b := distuv.Binomial{N: float64(left), P: float64(k) / float64(rest), Src: src}
			out[i] = int(b.Rand())
		}
		left -= out[i]
		rest -= k
	}
}

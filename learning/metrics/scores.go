package metrics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// AUC returns the area under the ROC curve of scores (higher = more
// malicious) against truth: the probability that a random malicious sample
// scores above a random benign one, ties counting one half (Mann-Whitney U
// with average ranks). It is 0 when either class is missing and errors on
// mismatched lengths or NaN scores.
func AUC(scores []float64, truth []bool) (float64, error) {
	if len(scores) != len(truth) {
		return 0, fmt.Errorf("%w: scores %d, truth %d", ErrLength, len(scores), len(truth))
	}
	idx := make([]int, len(scores))
	for i, s := range scores {
		if math.IsNaN(s) {
			return 0, fmt.Errorf("metrics: score %d is NaN", i)
		}
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(scores[a], scores[b]) })
	var rankSumPos float64
	var nPos, nNeg int
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j
		for _, k := range idx[i:j] {
			if truth[k] {
				rankSumPos += avg
				nPos++
			} else {
				nNeg++
			}
		}
		i = j
	}
	if nPos == 0 || nNeg == 0 {
		return 0, nil
	}
	u := rankSumPos - float64(nPos)*float64(nPos+1)/2
	return u / (float64(nPos) * float64(nNeg)), nil
}

// Brier returns the mean squared difference between predicted probabilities
// and outcomes (1 malicious, 0 benign); 0 when empty.
func Brier(probs []float64, truth []bool) (float64, error) {
	if len(probs) != len(truth) {
		return 0, fmt.Errorf("%w: probs %d, truth %d", ErrLength, len(probs), len(truth))
	}
	if len(probs) == 0 {
		return 0, nil
	}
	var s float64
	for i, p := range probs {
		d := p
		if truth[i] {
			d = p - 1
		}
		s += d * d
	}
	return s / float64(len(probs)), nil
}

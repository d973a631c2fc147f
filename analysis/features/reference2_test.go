package features

import "math"

// Frozen copies of replaced code, for the differential tests (see
// reference_test.go).

// entropy is the Shannon entropy of a histogram of n bytes, bits per byte.
func entropy(hist []int, n int) float64 {
	if n == 0 {
		return 0
	}
	h := 0.0
	for _, c := range hist {
		if c > 0 {
			p := float64(c) / float64(n)
			h -= p * math.Log2(p)
		}
	}
	return h
}

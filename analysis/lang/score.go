package lang

import (
	"math"
	"strconv"
	"strings"
)

// maxBits bounds the hash space a model may use, so that the dedupe bitset
// of a featureSet has a fixed size.
const maxBits = 16

// logits returns the model's class scores for a document with the given
// distinct feature buckets. The weights are summed as integers, so the
// result does not depend on the order of the buckets.
func (m *model) logits(buckets []uint32) [nClasses]float64 {
	var sum [nClasses]int32
	for _, b := range buckets {
		w := m.weights[b*nClasses : b*nClasses+nClasses : b*nClasses+nClasses]
		for c := range sum {
			sum[c] += int32(w[c])
		}
	}
	var out [nClasses]float64
	norm := 0.0
	if n := len(buckets); n > 0 {
		norm = float64(m.scale) / math.Sqrt(float64(n))
	}
	for c := range out {
		out[c] = float64(m.bias[c]) + float64(sum[c])*norm
	}
	return out
}

// softmax turns logits into probabilities.
func softmax(l [nClasses]float64) [nClasses]float64 {
	mx := l[0]
	for _, v := range l[1:] {
		mx = max(mx, v)
	}
	var p [nClasses]float64
	z := 0.0
	for c, v := range l {
		p[c] = math.Exp(v - mx)
		z += p[c]
	}
	for c := range p {
		p[c] /= z
	}
	return p
}

// appendEvidence explains a decision of m for class with the candidates
// of f that favour it the most over the other classes, strongest first,
// and appends the explanations to ev.
func (m *model) appendEvidence(ev []string, f *featureSet, text string, class Language) []string {
	type scored struct {
		c      cand
		margin float64
	}
	var top [maxEvidence]scored
	n := 0
	for _, c := range f.cands[:f.ncands] {
		w := m.weights[c.bucket*nClasses : c.bucket*nClasses+nClasses]
		others := 0.0
		for i := range w {
			if Language(i) != class {
				others += float64(w[i])
			}
		}
		margin := float64(w[class]) - others/(nClasses-1)
		if margin <= 0 {
			continue
		}
		// Insert into the top list, kept sorted by margin.
		i := n
		if n < maxEvidence {
			n++
		} else if margin <= top[n-1].margin {
			continue
		} else {
			i = n - 1
		}
		for i > 0 && top[i-1].margin < margin {
			top[i] = top[i-1]
			i--
		}
		top[i] = scored{c, margin}
	}
	// Each line is built in buf and copied out once: a quoted token of at
	// most 32 bytes, escapes included, fits.
	var buf [192]byte
	for _, t := range top[:n] {
		tok := t.c.tok
		if len(tok) > 32 {
			tok = tok[:32]
		}
		e := buf[:0]
		if t.c.k == kLineStart {
			e = append(e, "line start "...)
		} else {
			e = append(e, "keyword "...)
		}
		e = strconv.AppendQuote(e, tok)
		if t.c.k == kWord {
			if cnt := strings.Count(text, t.c.tok); cnt > 1 {
				e = append(e, " x"...)
				e = strconv.AppendInt(e, int64(cnt), 10)
			}
		}
		ev = append(ev, string(e))
	}
	return ev
}

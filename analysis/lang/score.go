package lang

import (
	"math"
	"strconv"
)

// maxBits bounds the hash space a model may use, so that the dedupe bitset
// of a featureSet has a fixed size.
const maxBits = 16

// logits returns the model's class scores for a document with the given
// distinct feature buckets. The weights are summed as integers, so the
// result does not depend on the order of the buckets.
//
// The sum reads one packed row per bucket (see packRows) and adds the
// seven biased weights as lanes of two uint64 accumulators: the even
// classes in the 16-bit lanes of one, the odd classes in the other. A
// lane holds at most 255 per bucket, so the accumulators are flushed into
// the exact totals every laneFlush buckets, before a lane can overflow.
// The totals, less the bias of 128 per bucket, are exactly the sums of
// the int8 weights.
func (m *model) logits(buckets []uint32) [nClasses]float64 {
	rows := m.rows
	var total [nClasses + 1]int64
	for rest := buckets; len(rest) > 0; {
		chunk := rest[:min(len(rest), laneFlush)]
		rest = rest[len(chunk):]
		var even, odd uint64
		for _, b := range chunk {
			r := rows[b]
			even += r & lanes
			odd += r >> 8 & lanes
		}
		for c := 0; c < nClasses+1; c += 2 {
			total[c] += int64(even >> (8 * c) & 0xFFFF)
			total[c+1] += int64(odd >> (8 * c) & 0xFFFF)
		}
	}
	var out [nClasses]float64
	norm := 0.0
	if n := len(buckets); n > 0 {
		norm = float64(m.scale) / math.Sqrt(float64(n))
	}
	for c := range out {
		sum := int32(total[c] - 128*int64(len(buckets)))
		out[c] = float64(m.bias[c]) + float64(sum)*norm
	}
	return out
}

// lanes selects the even bytes of a packed row (see packRows).
const lanes = 0x00FF00FF00FF00FF

// laneFlush is how many packed rows a 16-bit lane can sum without
// overflowing: 257 * 255 = 65535.
const laneFlush = 256

// packRows returns the weights of m as one uint64 per bucket, the weight
// of class c, plus 128, in byte c; the eighth byte is zero. A row is one
// aligned load, never split across cache lines, which matters when the
// table competes for the cache with the rest of a scan.
func (m *model) packRows() []uint64 {
	rows := make([]uint64, len(m.weights)/nClasses)
	for b := range rows {
		var r uint64
		for c, w := range m.weights[b*nClasses : b*nClasses+nClasses] {
			r |= uint64(uint8(w)^0x80) << (8 * c)
		}
		rows[b] = r
	}
	return rows
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
		// The packed row rather than m.weights: logits has just read it,
		// so it is in the cache, where the row of m.weights often is not
		// (the other stages of a scan evict the tables between samples).
		// The weights are small integers, so their sum is the same in
		// integers as in floating point, in any order.
		r := m.rows[c.bucket]
		pairs := r&lanes + r>>8&lanes // four 16-bit lanes, 510 at most
		all := int(pairs*0x0001000100010001>>48) - 128*nClasses
		w := int(uint8(r>>(8*class))) - 128
		margin := float64(w) - float64(all-w)/(nClasses-1)
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
	// The lines are built in buf and copied out as one string, which they
	// share: a line, with a quoted token of at most 32 bytes, escapes
	// included, takes less than 160 bytes.
	var buf [maxEvidence * 160]byte
	var ends [maxEvidence]int
	e := buf[:0]
	for i, t := range top[:n] {
		tok := t.c.tok
		if len(tok) > 32 {
			tok = tok[:32]
		}
		if t.c.k == kLineStart {
			e = append(e, "line start "...)
		} else {
			e = append(e, "keyword "...)
		}
		e = strconv.AppendQuote(e, tok)
		if t.c.k == kWord {
			if cnt := countRare(text, t.c.tok); cnt > 1 {
				e = append(e, " x"...)
				e = strconv.AppendInt(e, int64(cnt), 10)
			}
		}
		ends[i] = len(e)
	}
	lines, start := string(e), 0
	for _, end := range ends[:n] {
		ev = append(ev, lines[start:end])
		start = end
	}
	return ev
}

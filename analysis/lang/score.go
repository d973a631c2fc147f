package lang

import (
	"math"
	"strconv"
	"strings"
)

// maxBits bounds the hash space a model may use, so that the dedupe bitset
// of a scorer has a fixed size.
const maxBits = 16

// scorer accumulates the model's logits over the distinct features of a
// document.
type scorer struct {
	m    *model
	seen [1 << maxBits / 64]uint64
	sum  [nClasses]int32
	n    int
	// cands keeps the first distinct word and line-start features, the
	// candidates for the evidence of the decision.
	cands  [maxCands]cand
	ncands int
}

// maxCands bounds the evidence candidates a scorer keeps.
const maxCands = 96

type cand struct {
	tok    string
	k      kind
	bucket uint32
}

var _ visitor = (*scorer)(nil)

func (s *scorer) feature(h uint32, k kind, tok string) {
	b := s.m.bucket(h)
	if s.seen[b>>6]&(1<<(b&63)) != 0 {
		return
	}
	s.seen[b>>6] |= 1 << (b & 63)
	s.n++
	if (k == kWord || k == kLineStart) && s.ncands < maxCands {
		s.cands[s.ncands] = cand{tok: tok, k: k, bucket: b}
		s.ncands++
	}
	w := s.m.weights[b*nClasses : b*nClasses+nClasses : b*nClasses+nClasses]
	for c := range s.sum {
		s.sum[c] += int32(w[c])
	}
}

// logits returns the model's class scores for the document.
func (s *scorer) logits() [nClasses]float64 {
	var out [nClasses]float64
	norm := 0.0
	if s.n > 0 {
		norm = float64(s.m.scale) / math.Sqrt(float64(s.n))
	}
	for c := range out {
		out[c] = float64(s.m.bias[c]) + float64(s.sum[c])*norm
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

// evidence explains a decision for class with the candidates that favour
// it the most over the other classes, strongest first.
func (s *scorer) evidence(text string, class Language) []string {
	type scored struct {
		c      cand
		margin float64
	}
	var top [maxEvidence]scored
	n := 0
	for _, c := range s.cands[:s.ncands] {
		w := s.m.weights[c.bucket*nClasses : c.bucket*nClasses+nClasses]
		others := 0.0
		for i := range w {
			if Language(i) != class {
				others += float64(w[i])
			}
		}
		m := float64(w[class]) - others/(nClasses-1)
		if m <= 0 {
			continue
		}
		// Insert into the top list, kept sorted by margin.
		i := n
		if n < maxEvidence {
			n++
		} else if m <= top[n-1].margin {
			continue
		} else {
			i = n - 1
		}
		for i > 0 && top[i-1].margin < m {
			top[i] = top[i-1]
			i--
		}
		top[i] = scored{c, m}
	}
	out := make([]string, 0, n)
	for _, t := range top[:n] {
		tok := t.c.tok
		if len(tok) > 32 {
			tok = tok[:32]
		}
		what := "keyword"
		if t.c.k == kLineStart {
			what = "line start"
		}
		e := what + " " + strconv.Quote(tok)
		if t.c.k == kWord {
			if cnt := strings.Count(text, t.c.tok); cnt > 1 {
				e += " x" + strconv.Itoa(cnt)
			}
		}
		out = append(out, e)
	}
	return out
}

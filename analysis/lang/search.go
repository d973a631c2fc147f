package lang

import "strings"

// Substring search by the rarest byte of the pattern. strings.Index looks
// for the first byte of the pattern and checks each hit; for the words of
// scripts the first byte is often among the most frequent ones ('-', 'e',
// 's'), and the search stops every few bytes. Looking for the byte of the
// pattern that scripts use the least skips further between checks. The
// results are those of strings.Index and strings.Count.

// commonBytes lists the ASCII bytes from the most to the least frequent
// in scripts (measured over a corpus of them); the bytes it leaves out
// count as rarer than all of these.
const commonBytes = " e',traosin\"\n0l1cup;=dx][Amh2.-f)3(4g5#b6vy78\tST9PI$E\\NDwk+_RCOMF:BjGL}{HWU/zQ|qKVYX\rJZ*%&`>?@<!^~"

// byteRank ranks each byte by frequency, 0 for the most frequent.
var byteRank = func() (r [256]uint8) {
	for i := range r {
		r[i] = 255
	}
	for i := 0; i < len(commonBytes); i++ {
		r[commonBytes[i]] = uint8(i)
	}
	return r
}()

// rarestByte returns the offset in sub of its least frequent byte (the
// first of them on a tie).
func rarestByte(sub string) int {
	k := 0
	for i := 1; i < len(sub); i++ {
		if byteRank[sub[i]] > byteRank[sub[k]] {
			k = i
		}
	}
	return k
}

// indexAt is strings.Index(s, sub) for a non-empty sub, looking for its
// byte sub[k] first.
func indexAt(s, sub string, k int) int {
	c := sub[k]
	// The hits of c that can start an instance lie in s[k:last+1].
	last := len(s) - len(sub) + k
	for i := k; i <= last; {
		j := strings.IndexByte(s[i:last+1], c)
		if j < 0 {
			return -1
		}
		// The first and last bytes, compared inline, turn most of the
		// hits that are not an instance away before the full comparison.
		if p := i + j - k; s[p] == sub[0] && s[p+len(sub)-1] == sub[len(sub)-1] && s[p:p+len(sub)] == sub {
			return p
		}
		i += j + 1
	}
	return -1
}

// indexRare is strings.Index(s, sub).
func indexRare(s, sub string) int {
	if len(sub) <= 1 {
		return strings.Index(s, sub)
	}
	return indexAt(s, sub, rarestByte(sub))
}

// countRare is strings.Count(s, sub).
func countRare(s, sub string) int {
	if len(sub) <= 1 {
		return strings.Count(s, sub)
	}
	k := rarestByte(sub)
	n := 0
	for {
		i := indexAt(s, sub, k)
		if i < 0 {
			return n
		}
		n++
		s = s[i+len(sub):]
	}
}

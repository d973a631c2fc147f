package verdict

import (
	"strconv"
	"strings"
)

// TokenPrefix starts the names of hashed-token features: TokenName(b) is
// the feature of token bucket b.
const TokenPrefix = "tok:"

// TokenName returns the feature name of token bucket b: TokenPrefix and b in
// lower-case hex without leading zeros ("tok:1a2b").
func TokenName(b uint32) string {
	return TokenPrefix + strconv.FormatUint(uint64(b), 16)
}

// Vector is an input in compact form, for callers that hash tokens: Named
// holds named features and Tokens the buckets of hashed-token features, each
// standing for TokenName(bucket) = 1. Named should not repeat a name, nor
// name a token that Tokens holds, and Tokens should not repeat a bucket; a
// repeated feature counts once in PredictVector, with the value of its last
// non-zero occurrence.
type Vector struct {
	Named  []Feature
	Tokens []uint32
}

// Feature is one named feature of a Vector.
type Feature struct {
	Name  string
	Value float64
}

// Map returns the vector as the map Predict and Train take: Named in order
// (a repeated name keeps its last value) and then TokenName(b) = 1 for each
// bucket of Tokens.
func (v Vector) Map() map[string]float64 {
	x := make(map[string]float64, len(v.Named)+len(v.Tokens))
	for _, f := range v.Named {
		x[f.Name] = f.Value
	}
	for _, b := range v.Tokens {
		x[TokenName(b)] = 1
	}
	return x
}

// maxTokenTable bounds the bucket table of a model (4 MiB of int32): a
// model file naming "tok:ffffffff" must not make Load allocate 16 GiB.
// Token features with buckets past it are looked up by name instead.
const maxTokenTable = 1 << 20

// newTokenIndex maps token buckets to the indices of their features in
// names, -1 where the model has none. Only names TokenName gives count (a
// "tok:00ff" is not the name of bucket 0xff); the table ends at the largest
// bucket below maxTokenTable, nil when there is none.
func newTokenIndex(names []string) []int32 {
	size := 0
	for _, n := range names {
		if b, ok := parseTokenName(n); ok && b < maxTokenTable {
			size = max(size, int(b)+1)
		}
	}
	if size == 0 {
		return nil
	}
	t := make([]int32, size)
	for i := range t {
		t[i] = -1
	}
	for j, n := range names {
		if b, ok := parseTokenName(n); ok && b < maxTokenTable {
			t[b] = int32(j)
		}
	}
	return t
}

// parseTokenName returns the bucket whose TokenName is name.
func parseTokenName(name string) (uint32, bool) {
	h, ok := strings.CutPrefix(name, TokenPrefix)
	if !ok || h == "" || len(h) > 8 || (h[0] == '0' && len(h) > 1) {
		return 0, false
	}
	var b uint32
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case '0' <= c && c <= '9':
			b = b<<4 | uint32(c-'0')
		case 'a' <= c && c <= 'f':
			b = b<<4 | uint32(c-'a'+10)
		default:
			return 0, false
		}
	}
	return b, true
}

// noToken marks a bucket without a feature in a table of newTokenIndex16.
const noToken = 0xffff

// newTokenIndex16 returns the index of newTokenIndex as offsets from base
// in 16 bits, when its features span fewer than noToken indices (the
// token features of a model are contiguous, as their names sort together):
// half the size, and half the cache misses of looking tokens up. It
// returns nil when they do not fit.
func newTokenIndex16(index []int32) (t []uint16, base int32) {
	lo, hi := int32(-1), int32(-1)
	for _, j := range index {
		if j >= 0 {
			if lo < 0 || j < lo {
				lo = j
			}
			hi = max(hi, j)
		}
	}
	if lo < 0 || hi-lo >= noToken {
		return nil, 0
	}
	t = make([]uint16, len(index))
	for b, j := range index {
		t[b] = noToken
		if j >= 0 {
			t[b] = uint16(j - lo)
		}
	}
	return t, lo
}

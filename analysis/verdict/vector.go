package verdict

import (
	"math"
	"slices"
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

// tokenIndex maps token buckets to the indices of their features, in one
// of two tables: t16, offsets from base in 16 bits, when the model's token
// features span fewer than noToken indices (they are contiguous, as their
// names sort together), which halves the table and the cache misses of
// looking tokens up; else t32. Only names TokenName gives count (a
// "tok:00ff" is not the name of bucket 0xff), and only buckets below
// maxTokenTable; the table ends at the largest of them.
type tokenIndex struct {
	t16  []uint16 // noToken where a bucket has no feature
	base int32
	t32  []int32 // -1 where a bucket has no feature; nil when t16 is used
}

// size is the number of buckets in the table.
func (x *tokenIndex) size() int { return max(len(x.t16), len(x.t32)) }

// lookup returns the index of the feature of bucket b, -1 if none.
func (x *tokenIndex) lookup(b uint32) int32 {
	switch {
	case int(b) < len(x.t16):
		if k := x.t16[b]; k != noToken {
			return x.base + int32(k)
		}
	case int(b) < len(x.t32):
		return x.t32[b]
	}
	return -1
}

// newTokenIndex builds the token index of the sorted feature names. It
// also reports which names are in it (inTable(j)), so that the name index
// can leave them out. Only the table of the case is built: the 16-bit one
// of a model of up to 64K tokens never pays for the 32-bit one as well.
func newTokenIndex(names []string) (x tokenIndex, inTable func(j int) bool) {
	// The token names are those from first to last, as names are sorted
	// (';' follows ':').
	first, _ := slices.BinarySearch(names, TokenPrefix)
	last, _ := slices.BinarySearch(names, "tok;")
	buckets := make([]uint32, last-first) // of names[first:last]; noBucket if none
	size, lo, hi := 0, -1, -1
	for k, name := range names[first:last] {
		b, ok := parseTokenName(name)
		if !ok || b >= maxTokenTable {
			buckets[k] = noBucket
			continue
		}
		buckets[k] = b
		size = max(size, int(b)+1)
		if lo < 0 {
			lo = first + k
		}
		hi = first + k
	}
	inTable = func(j int) bool { return j >= first && j < last && buckets[j-first] != noBucket }
	switch {
	case size == 0:
		return x, inTable
	case hi-lo < noToken:
		x.t16, x.base = make([]uint16, size), int32(lo)
		for b := range x.t16 {
			x.t16[b] = noToken
		}
		for k, b := range buckets {
			if b != noBucket {
				x.t16[b] = uint16(first + k - lo)
			}
		}
	default:
		x.t32 = make([]int32, size)
		for b := range x.t32 {
			x.t32[b] = -1
		}
		for k, b := range buckets {
			if b != noBucket {
				x.t32[b] = int32(first + k)
			}
		}
	}
	return x, inTable
}

// noBucket marks a name of newTokenIndex that is in no table.
const noBucket = math.MaxUint32

// parseTokenName returns the bucket whose TokenName is name.
func parseTokenName(name string) (uint32, bool) {
	h, ok := strings.CutPrefix(name, TokenPrefix)
	if !ok || h == "" || len(h) > 8 || (h[0] == '0' && len(h) > 1) {
		return 0, false
	}
	// Without a branch per digit (a model has ~10^5 names to parse at
	// every load): a byte that is no lower-case hex digit makes bad
	// negative.
	var b uint32
	var bad int8
	for i := 0; i < len(h); i++ {
		v := hexDigit[h[i]]
		bad |= v
		b = b<<4 | uint32(v)&0xf
	}
	return b, bad >= 0
}

// hexDigit is the value of each lower-case hex digit, -1 for other bytes.
var hexDigit = func() (t [256]int8) {
	for c := range t {
		switch {
		case '0' <= c && c <= '9':
			t[c] = int8(c - '0')
		case 'a' <= c && c <= 'f':
			t[c] = int8(c - 'a' + 10)
		default:
			t[c] = -1
		}
	}
	return t
}()

// noToken marks a bucket without a feature in a 16-bit table.
const noToken = 0xffff

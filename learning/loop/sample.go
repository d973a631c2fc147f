package loop

import (
	"context"
	"hash/fnv"
	"math/bits"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/learning"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// Sample is one analysed dataset item with the fingerprint of its content.
type Sample struct {
	learning.Observation
	Print Fingerprint
}

// SHA256 is the sample's content hash ("" when it could not be read).
func (s *Sample) SHA256() string {
	if s.Report != nil && s.Report.Sample.SHA256 != "" {
		return s.Report.Sample.SHA256
	}
	return s.Item.SHA256
}

// Language is the sample's language name: the dataset's when given, else
// the identified one.
func (s *Sample) Language() string {
	if s.Item.Language != "" {
		return s.Item.Language
	}
	if s.Report != nil {
		return s.Report.Language.Language.String()
	}
	return "unknown"
}

// Fingerprint identifies near-duplicates: Exact is a hash of the
// normalised content (ASCII lower case, whitespace runs collapsed, digit
// runs folded to one 0), Sim a 64-bit simhash of its token 3-shingles.
type Fingerprint struct {
	Exact uint64
	Sim   uint64
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fingerprintBytes bounds the content a fingerprint reads.
const fingerprintBytes = 256 << 10

// FingerprintOf computes the fingerprint of a script's bytes (at most the
// first 256 KiB are read). It runs in linear time.
func FingerprintOf(data []byte) Fingerprint {
	if len(data) > fingerprintBytes {
		data = data[:fingerprintBytes]
	}
	exact := fnv.New64a()
	var (
		norm  = make([]byte, 0, 512)
		v     [64]int
		tok   [3]uint64
		ntok  int
		cur   uint64
		inTok bool
		space bool
		digit bool
	)
	flushTok := func() {
		if !inTok {
			return
		}
		tok[0], tok[1], tok[2] = tok[1], tok[2], cur
		inTok = false
		ntok++
		if ntok < 3 {
			return
		}
		x := mix(tok[0]*0x9e3779b97f4a7c15 ^ mix(tok[1]) ^ bits.RotateLeft64(tok[2], 17))
		for i := range v {
			if x&(1<<uint(i)) != 0 {
				v[i]++
			} else {
				v[i]--
			}
		}
	}
	for _, c := range data {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			if !space {
				norm = append(norm, ' ')
			}
			space, digit = true, false
			flushTok()
			continue
		case '0' <= c && c <= '9':
			if !digit {
				norm = append(norm, '0')
			}
			space, digit = false, true
		default:
			norm = append(norm, c)
			space, digit = false, false
		}
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c >= 0x80 {
			if !inTok {
				cur = fnvOffset
			}
			cur = (cur ^ uint64(foldDigit(c))) * fnvPrime
			inTok = true
		} else {
			flushTok()
		}
		if len(norm) >= 4096 {
			exact.Write(norm)
			norm = norm[:0]
		}
	}
	flushTok()
	exact.Write(norm)
	var sim uint64
	for i := range v {
		if v[i] > 0 {
			sim |= 1 << uint(i)
		}
	}
	return Fingerprint{Exact: exact.Sum64(), Sim: sim}
}

func foldDigit(c byte) byte {
	if '0' <= c && c <= '9' {
		return '0'
	}
	return c
}

// mix is the splitmix64 finaliser: it spreads FNV's weak low bits.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// SimDistance is the Hamming distance between two simhashes.
func SimDistance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// Observe runs the engine over items (see learning.Observe) and returns one
// Sample per item, in the items' order. A sample that failed carries its
// Err and is never used for training.
func Observe(ctx context.Context, eng *analysis.Engine, items []dataset.Item, workers int, maxSize int64) ([]Sample, error) {
	out := make([]Sample, len(items))
	err := learning.Observe(ctx, eng, items, workers, maxSize, func(o learning.Observation) error {
		s := Sample{Observation: o}
		if o.Err == nil {
			if data, _, err := o.Item.Read(maxSize); err == nil {
				s.Print = FingerprintOf(data)
			}
		}
		out[o.Index] = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

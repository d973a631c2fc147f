package decode

import (
	"strings"
	"testing"
)

// lowerOracle is the byte-at-a-time lowering asciiLower must equal.
func lowerOracle(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// TestUpperBits checks the word test on every byte value at every position
// of a word, next to the bytes around the letter range's edges.
func TestUpperBits(t *testing.T) {
	for _, fill := range []byte{0, '@', 'A', 'Z', '[', 'a', 'z', 0x7f, 0x80, 0xc1, 0xda, 0xff} {
		for pos := 0; pos < 8; pos++ {
			for c := 0; c < 256; c++ {
				var w, want uint64
				for k := 0; k < 8; k++ {
					b := fill
					if k == pos {
						b = byte(c)
					}
					w |= uint64(b) << (8 * k)
					if b >= 'A' && b <= 'Z' {
						want |= 0x80 << (8 * k)
					}
				}
				if got := upperBits(w); got != want {
					t.Fatalf("upperBits(%#016x) = %#016x, want %#016x", w, got, want)
				}
			}
		}
	}
}

func TestASCIILowerLengths(t *testing.T) {
	base := "aZ\xffQ@[`{zA" + strings.Repeat("x", 600) + "M"
	for n := 0; n <= len(base); n++ {
		for _, s := range []string{base[:n], base[len(base)-n:], strings.ToLower(base[:n])} {
			if got, want := asciiLower(s), lowerOracle(s); got != want {
				t.Fatalf("asciiLower(%q) = %q, want %q", trim(s), trim(got), trim(want))
			}
			if got, want := firstUpper(s), strings.IndexFunc(s+"A", func(r rune) bool { return r >= 'A' && r <= 'Z' }); got != want {
				t.Fatalf("firstUpper(%q) = %d, want %d", trim(s), got, want)
			}
		}
	}
}

func FuzzASCIILower(f *testing.F) {
	for _, s := range matchSeeds {
		f.Add(s)
	}
	f.Add(strings.Repeat("AbC\u017f\xff", 200))
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := asciiLower(s), lowerOracle(s); got != want {
			t.Fatalf("asciiLower(%q) = %q, want %q", trim(s), trim(got), trim(want))
		}
	})
}

// TestEqBits checks the word search on every byte value at every position,
// next to fillers that equal the target or sit around it.
func TestEqBits(t *testing.T) {
	for _, target := range []byte{0, 1, '-', '/', '\'', 0x7f, 0x80, 0xE2, 0xff} {
		for _, fill := range []byte{0, 1, target - 1, target, target + 1, 0x80, 0xff} {
			for pos := 0; pos < 8; pos++ {
				for c := 0; c < 256; c++ {
					var w uint64
					first := -1
					for k := 0; k < 8; k++ {
						b := fill
						if k == pos {
							b = byte(c)
						}
						w |= uint64(b) << (8 * k)
						if b == target && first < 0 {
							first = k
						}
					}
					m := eqBits(w, target)
					if (m == 0) != (first < 0) || m != 0 && firstMarked(m) != first {
						t.Fatalf("eqBits(%#016x, %#x) = %#016x, first match at %d", w, target, m, first)
					}
				}
			}
		}
	}
}

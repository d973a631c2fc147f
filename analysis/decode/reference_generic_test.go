package decode

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

// refMixedB64 is the byte-by-byte class check genericBlob made before
// mixedB64 (as of 6cf4f88): its verdict, true when the blob goes on.
func refMixedB64(run string) bool {
	upper, lower, digit := false, false, false
	hexOnly := true
	for i := 0; i < len(run) && (hexOnly || !(upper && lower && digit)); i++ {
		c := run[i]
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
			hexOnly = hexOnly && c <= 'F'
		case c >= 'a' && c <= 'z':
			lower = true
			hexOnly = hexOnly && c <= 'f'
		case c >= '0' && c <= '9':
			digit = true
		default:
			hexOnly = false
		}
	}
	return !(hexOnly || !(upper && lower && digit))
}

func checkMixedB64(t *testing.T, run string) {
	t.Helper()
	if got, want := mixedB64(run), refMixedB64(run); got != want {
		t.Fatalf("mixedB64(%q) = %v, want %v", trim(run), got, want)
	}
}

// TestMixedB64Reference puts every class and class boundary ('@' 'A' 'F'
// 'G' 'Z' '[', '`' 'a' 'f' 'g' 'z' '{', '/' '0' '9' ':') at every offset of
// runs of every length up to 40, in runs otherwise of one class.
func TestMixedB64Reference(t *testing.T) {
	bytes := "@AFGZ[`afgz{/09:+=-_\x80\xff"
	for _, fill := range []string{"a", "A", "0", "f", "F", "+", "aB", "a0", "A0", "aA0", "fF0", "abcdef0123456789ABCDEF"} {
		for n := 0; n <= 40; n++ {
			base := strings.Repeat(fill, n)[:n]
			checkMixedB64(t, base)
			for p := 0; p < n; p++ {
				for k := 0; k < len(bytes); k++ {
					for q := p; q < n; q += 7 {
						b := []byte(base)
						b[p] = bytes[k]
						b[q] = bytes[(k+p)%len(bytes)]
						checkMixedB64(t, string(b))
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		b := make([]byte, r.IntN(70))
		for i := range b {
			b[i] = bytes[r.IntN(len(bytes))]
		}
		checkMixedB64(t, string(b))
	}
}

// TestMixedB64Corpus checks mixedB64 on every base64 run of 40 bytes or
// more in the dev samples, as extractGenericBase64 finds them.
func TestMixedB64Corpus(t *testing.T) {
	corpus.Sweep(t, corpus.Dev, func(_, text string) {
		for _, r := range b64Runs(text, minGenericB64) {
			checkMixedB64(t, text[r.Start:r.End])
		}
	})
}

func FuzzMixedB64(f *testing.F) {
	for _, s := range []string{"", "aB0", "abcdef0123456789", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAG1a", "/usr/local/lib/python3/site-packages/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkMixedB64(t, s) })
}

// BenchmarkMixedB64Dev runs the class check over every base64 run of the
// dev samples that genericBlob sees, against its reference.
func BenchmarkMixedB64Dev(b *testing.B) {
	var runs []string
	corpus.Sweep(b, corpus.Dev, func(_, text string) {
		for _, r := range b64Runs(text, minGenericB64) {
			runs = append(runs, text[r.Start:r.End])
		}
	})
	for _, bc := range []struct {
		name string
		f    func(string) bool
	}{{"new", mixedB64}, {"ref", refMixedB64}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range runs {
					bc.f(r)
				}
			}
		})
	}
}

package features

import (
	"slices"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/decode"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

func tokens(s string) []string {
	var out []string
	forEachToken(s, func(_ uint32, start, end int) bool {
		out = append(out, s[start:end])
		return true
	})
	return out
}

func TestForEachTokenSwitches(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"batch switches", "shutdown /r /t 1", []string{"shutdown", "/r", "/t"}},
		{"switch at start", "/h defrag", []string{"/h", "defrag"}},
		{"switch after newline", "copy\n/b a.jpg", []string{"copy", "/b", "a.jpg"}},
		{"path is not a switch", `C:\tools/bin/run`, []string{"tools", "bin", "run"}},
		{"division is not a switch", "a = b/cd", []string{"cd"}},
		{"url path", "http://x.example/ab", []string{"http", "x.example", "ab"}},
		{"dash options", "Get-Item -Force", []string{"get-item", "-force"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tokens(tc.in)
			for i := range got {
				got[i] = strings.ToLower(got[i])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("tokens of %q: got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTokenTextRoundTrip(t *testing.T) {
	layers := []decode.Layer{
		{Method: decode.MethodOriginal, Parent: -1, Text: "sc config svc start= disabled\nshutdown /r /t 1\n"},
		{Method: "generic.base64", Parent: 0, Text: "whoami /all"},
	}
	for _, tc := range []struct {
		name, token string
	}{
		{"switch unigram", "/r"},
		{"switch bigram", "shutdown /r"},
		{"decoded layer switch", "/all"},
		{"word", "config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want uint32
			found := false
			hashes := TokenHashes(layers)
			for _, l := range layers {
				var prev uint32
				prevText := ""
				forEachToken(l.Text, func(h uint32, start, end int) bool {
					word := l.Text[start:end]
					switch {
					case strings.EqualFold(word, tc.token):
						want, found = h%TokenBuckets, true
					case prevText != "" && strings.EqualFold(prevText+" "+word, tc.token):
						want, found = bigram(prev, h), true
					}
					prev, prevText = h, word
					return true
				})
			}
			if !found {
				t.Fatalf("token %q not in the layers", tc.token)
			}
			if _, ok := slices.BinarySearch(hashes, want); !ok {
				t.Errorf("TokenHashes: got no bucket %x for %q, want it present", want, tc.token)
			}
			if got, ok := TokenText(layers, verdict.TokenName(want)); !ok || !strings.EqualFold(got, tc.token) {
				t.Errorf("TokenText(%s): got %q (%v), want %q", verdict.TokenName(want), got, ok, tc.token)
			}
		})
	}
}

func BenchmarkTokenHashes(b *testing.B) {
	line := "for /F \"tokens=1,2\" %%i in ('query user /SERVER:localhost') do shutdown /r /t 1 && echo %%i\n"
	layers := []decode.Layer{{Method: decode.MethodOriginal, Parent: -1, Text: strings.Repeat(line, 5000/len(line)+1)}}
	b.SetBytes(int64(len(layers[0].Text)))
	b.ReportAllocs()
	for b.Loop() {
		TokenHashes(layers)
	}
}

// devTexts returns the original (layer 0) text of every dev sample, cut at
// scanLimit as Extract does, and their total size.
func devTexts(b *testing.B) ([]string, int64) {
	var texts []string
	var size int64
	for _, layers := range requireDev(b) {
		text := layers[0].Text
		if len(text) > scanLimit {
			text = text[:scanLimit]
		}
		texts = append(texts, text)
		size += int64(len(text))
	}
	return texts, size
}

// BenchmarkTextStatsDev runs textStats over the dev corpus originals.
func BenchmarkTextStatsDev(b *testing.B) {
	texts, size := devTexts(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			textStats(t, lang.PowerShell)
		}
	}
}

// hashedBytes is how many bytes of the layers token hashing reads.
func hashedBytes(all [][]decode.Layer) int64 {
	var n int64
	for _, layers := range all {
		for _, l := range layers {
			n += int64(min(len(l.Text), scanLimit))
		}
	}
	return n
}

// BenchmarkTokenHashesDev runs TokenHashes over the dev corpus layers.
func BenchmarkTokenHashesDev(b *testing.B) {
	all := requireDev(b)
	b.SetBytes(hashedBytes(all))
	b.ReportAllocs()
	for b.Loop() {
		for _, layers := range all {
			TokenHashes(layers)
		}
	}
}

// BenchmarkTokenSitesDev is BenchmarkTokenHashesDev the way the engine
// hashes the tokens: recording their sites, in pooled arrays.
func BenchmarkTokenSitesDev(b *testing.B) {
	all := requireDev(b)
	b.SetBytes(hashedBytes(all))
	b.ReportAllocs()
	var sites TokenSites
	var dst []uint32
	for b.Loop() {
		for _, layers := range all {
			sites.Reset()
			dst = appendTokenHashes(dst[:0], layers, &sites)
		}
	}
}

// BenchmarkTokenTextsDev looks up, per dev sample, the texts of eight of
// its token buckets (spread over its sorted buckets, so some are found
// late) and one absent bucket, as a report's contributions do.
func BenchmarkTokenTextsDev(b *testing.B) {
	all := requireDev(b)
	wants := make([][]string, len(all))
	for i, layers := range all {
		hs := TokenHashes(layers)
		for k := range 8 {
			if len(hs) > 0 {
				wants[i] = append(wants[i], verdict.TokenName(hs[k*len(hs)/8]))
			}
		}
		wants[i] = append(wants[i], "tok:3ffff", "feat:size")
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, layers := range all {
			TokenTexts(layers, wants[i])
		}
	}
}

// BenchmarkLiteralEntropyDev computes the entropy of every quoted literal
// of 32 bytes or more of the dev corpus originals, with literalEntropy
// ("marks") and from the histogram alone ("hist", the earlier way).
func BenchmarkLiteralEntropyDev(b *testing.B) {
	texts, _ := devTexts(b)
	var lits []string
	for _, text := range texts {
		for line := range strings.Lines(text) {
			for _, q := range []string{`"`, `'`} {
				parts := strings.Split(line, q)
				for i := 1; i+1 < len(parts); i += 2 {
					if len(parts[i]) >= 32 {
						lits = append(lits, parts[i])
					}
				}
			}
		}
	}
	b.Run("marks", func(b *testing.B) {
		for b.Loop() {
			for _, lit := range lits {
				literalEntropy(lit)
			}
		}
	})
	b.Run("hist", func(b *testing.B) {
		for b.Loop() {
			for _, lit := range lits {
				var hist [256]int32
				for k := 0; k < len(lit); k++ {
					hist[lit[k]]++
				}
				histEntropy(&hist, len(lit))
			}
		}
	})
}

package charset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// refScan is the byte-by-byte version of scan.
func refScan(b []byte) stats {
	s := stats{n: len(b)}
	for i, c := range b {
		switch {
		case c == 0:
			s.nul++
			if i&1 == 0 {
				s.nulEven++
			}
		case c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.asciiTxt++
		case c == 0x1B || c == 0x1A:
		case c < 0x20 || c == 0x7F:
			s.ctrl++
		case c < 0x80:
			s.asciiTxt++
		default:
			s.high++
		}
	}
	return s
}

func checkScan(t *testing.T, b []byte) {
	t.Helper()
	// Every alignment of the eight-byte steps.
	for off := range min(len(b), 9) {
		if got, want := scan(b[off:]), refScan(b[off:]); got != want {
			t.Fatalf("scan(%.60q): %+v, want %+v", b[off:], got, want)
		}
	}
}

func TestScanMatchesReference(t *testing.T) {
	every := make([]byte, 0, 512)
	for c := range 256 {
		every = append(every, byte(c), 'a')
	}
	for _, s := range []string{
		"", "a", "abcdefgh", "abcdefghi", script, "\x00a\x00b\x00c\x00d\x00", "\x1b[31mred\x1b[0m\x1a",
		"caf\xe9 \x93x\x94", "\x7f\x01\x02\t\n\r\f\v", string(every), strings.Repeat("x\x00", 20),
	} {
		checkScan(t, []byte(s))
		checkScan(t, utf16Bytes(s, false))
	}
}

func TestScanMatchesReferenceDev(t *testing.T) {
	corpus.Sweep(t, corpus.Dev, func(_, text string) { checkScan(t, []byte(text)) })
}

func FuzzScanMatchesReference(f *testing.F) {
	f.Add([]byte(script))
	f.Add([]byte("\x00\x01\x1b\x1a\x7f\x80\xff\t\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkScan(t, b)
	})
}

// BenchmarkDecodeDev decodes every dev corpus sample once per iteration.
func BenchmarkDecodeDev(b *testing.B) {
	dir := corpus.Require(b, corpus.Dev)
	entries, base, err := dataset.LoadManifest(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		b.Fatal(err)
	}
	var data [][]byte
	var size int64
	for _, e := range entries {
		d, err := os.ReadFile(e.Path(base))
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
		size += int64(len(d))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range data {
			Decode(d)
		}
	}
}

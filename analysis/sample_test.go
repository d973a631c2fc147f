package analysis

import (
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

// recordIDCases are (sha256, source, signature, path) inputs: with and
// without a digest, empty and long fields, NULs and invalid UTF-8, and keys
// on both sides of RecordID's stack buffer.
var recordIDCases = [][4]string{
	{"", "", "", ""},
	{strings.Repeat("ab", 32), "cli", "", "/tmp/x.ps1"},
	{strings.Repeat("0f", 32), "edr", "Test.Cradle", ""},
	{"", "watch:/srv/in", "Sig", "/srv/in/a\x00b\xff.js"},
	{"", "plugin", strings.Repeat("s", 300), strings.Repeat("p", 5000)},
	{strings.Repeat("9", 64), strings.Repeat("x", 150), strings.Repeat("y", 18), "ignored"},
	{strings.Repeat("9", 64), strings.Repeat("x", 150), strings.Repeat("y", 19), "ignored"},
	{strings.Repeat("9", 64), strings.Repeat("x", 150), strings.Repeat("y", 20), "ignored"},
}

func TestRecordIDMatchesUUID(t *testing.T) {
	for _, c := range recordIDCases {
		if got, want := RecordID(c[0], c[1], c[2], c[3]), recordIDOld(c[0], c[1], c[2], c[3]); got != want {
			t.Errorf("RecordID%q = %s, want %s", c, got, want)
		}
	}
}

func TestHashBytesMatchesOld(t *testing.T) {
	check := func(t *testing.T, in []byte) {
		t.Helper()
		if got, want := HashBytes(in), hashBytesOld(in); got != want {
			t.Fatalf("HashBytes(%d bytes) = %+v, want %+v", len(in), got, want)
		}
	}
	for _, in := range [][]byte{nil, {}, []byte("x"), []byte(strings.Repeat("0123456789", 1000))} {
		check(t, in)
	}
	t.Run("dev corpus", func(t *testing.T) {
		corpus.Sweep(t, corpus.Dev, func(_, text string) { check(t, []byte(text)) })
	})
}

func FuzzRecordID(f *testing.F) {
	for _, c := range recordIDCases {
		f.Add(c[0], c[1], c[2], c[3])
	}
	f.Fuzz(func(t *testing.T, sha256, source, signature, path string) {
		if got, want := RecordID(sha256, source, signature, path), recordIDOld(sha256, source, signature, path); got != want {
			t.Errorf("RecordID%q = %s, want %s", []string{sha256, source, signature, path}, got, want)
		}
	})
}

func FuzzHashBytes(f *testing.F) {
	f.Add([]byte("echo hello\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := HashBytes(b), hashBytesOld(b); got != want {
			t.Errorf("HashBytes(%q) = %+v, want %+v", b, got, want)
		}
	})
}

func BenchmarkRecordID(b *testing.B) {
	sha := strings.Repeat("ab", 32)
	b.ReportAllocs()
	for b.Loop() {
		_ = RecordID(sha, "cli", "", "/tmp/corpus/dev/samples/x")
	}
}

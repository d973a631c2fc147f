package charset

import (
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

// checkShared compares DecodeShared with Decode on b, and checks that the
// text of valid UTF-8 is b's memory.
func checkShared(t *testing.T, b []byte) {
	t.Helper()
	want, wantEnc, wantErr := Decode(b)
	got, enc, err := DecodeShared(b)
	if got != want || enc != wantEnc || (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("DecodeShared(%.40q) = %.40q, %q, %v; Decode gives %.40q, %q, %v", b, got, enc, err, want, wantEnc, wantErr)
	}
	if err == nil && (enc == UTF8 && utf8.Valid(b) || enc == UTF8BOM && utf8.Valid(b[3:])) && len(got) > 0 {
		if end := unsafe.Pointer(unsafe.StringData(got)); uintptr(end)+uintptr(len(got)) != uintptr(unsafe.Pointer(&b[len(b)-1]))+1 {
			t.Fatalf("DecodeShared(%.40q): the text is a copy", b)
		}
	}
}

func TestDecodeShared(t *testing.T) {
	for _, s := range []string{"", "x", "Write-Host hi\n", "\xef\xbb\xbfecho", "\xef\xbb\xbf", "caf\xe9", "caf\xc3\xa9",
		"\xff\xfeh\x00i\x00", "\x7fELF\x02\x01\x01\x00\x00", "#!/bin/sh\n\x1f\x8b\x00", script} {
		checkShared(t, []byte(s))
	}
	checkShared(t, utf16Bytes(script, false))
}

func TestDecodeSharedDev(t *testing.T) {
	corpus.Sweep(t, corpus.Dev, func(_, raw string) { checkShared(t, []byte(raw)) })
}

func FuzzDecodeShared(f *testing.F) {
	f.Add([]byte(script))
	f.Add([]byte("\xef\xbb\xbfcaf\xc3\xa9"))
	f.Add([]byte("caf\xe9"))
	f.Add([]byte("0\xa9\u2013")) // UTF-8 with a stray byte: repaired, so a copy
	f.Fuzz(checkShared)
}

// BenchmarkDecodeSharedDev is BenchmarkDecodeDev with DecodeShared, as the
// engine decodes.
func BenchmarkDecodeSharedDev(b *testing.B) {
	var data [][]byte
	var size int64
	corpus.Sweep(b, corpus.Dev, func(_, raw string) {
		data = append(data, []byte(raw))
		size += int64(len(raw))
	})
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range data {
			DecodeShared(d)
		}
	}
}

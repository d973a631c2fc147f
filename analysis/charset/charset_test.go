package charset

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
)

func utf16Bytes(s string, bigEndian bool) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

const script = "Write-Host \"héllo – wörld\"\r\n$x = 1\r\n"

func TestDecode(t *testing.T) {
	le := utf16Bytes(script, false)
	be := utf16Bytes(script, true)
	tests := []struct {
		name     string
		in       []byte
		wantText string
		wantEnc  Encoding
	}{
		{"utf-8", []byte(script), script, UTF8},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, script...), script, UTF8BOM},
		{"utf-16le bom", append([]byte{0xFF, 0xFE}, le...), script, UTF16LE},
		{"utf-16be bom", append([]byte{0xFE, 0xFF}, be...), script, UTF16BE},
		{"utf-16le no bom", le, script, UTF16LE},
		{"utf-16be no bom", be, script, UTF16BE},
		{"utf-16le odd length", append([]byte{0xFF, 0xFE}, append(utf16Bytes("echo hi", false), 'x')...), "echo hi\uFFFD", UTF16LE},
		{"utf-16be odd length no bom", append(utf16Bytes("echo hello world", true), 0), "echo hello world\uFFFD", UTF16BE},
		{"utf-16le lf damaged to crlf", []byte("e\x00c\x00h\x00o\x00\r\n\x00x\x00"), "echo\r\nx", UTF16LE},
		{"utf-16be lf damaged to crlf", []byte("\x00e\x00c\x00h\x00o\x00\r\n\x00x"), "echo\r\nx", UTF16BE},
		{"utf-16le lone surrogate", append([]byte{0xFF, 0xFE}, 'a', 0, 0x00, 0xD8, 'b', 0), "a\uFFFDb", UTF16LE},
		{"windows-1252", []byte("cmd /c \x93echo off\x94 \x80 caf\xe9"), "cmd /c \u201cecho off\u201d \u20ac café", Latin1},
		{"utf-8 with a stray byte", []byte("naïve \x93quote\x94"), "naïve \u201cquote\u201d", UTF8},
		{"invalid utf-8 sequence", []byte("echo \xc3\x28 done"), "echo Ã( done", Latin1},
		{"shebang with binary payload", append([]byte("#!/bin/sh\nskip=44\ntail -n +$skip \"$0\" | gzip -d\nexit\n"), 0x1f, 0x8b, 0, 0, 1, 2), "", Latin1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, enc, err := Decode(tc.in)
			if err != nil {
				t.Fatalf("Decode: got error %v, want none", err)
			}
			if enc != tc.wantEnc {
				t.Errorf("encoding: got %q, want %q", enc, tc.wantEnc)
			}
			if tc.wantText != "" && text != tc.wantText {
				t.Errorf("text: got %q, want %q", text, tc.wantText)
			}
			if strings.HasPrefix(text, "\uFEFF") {
				t.Errorf("text keeps the byte-order mark")
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    error
		wantMsg string
	}{
		{"empty", nil, ErrEmpty, ""},
		{"bom only", []byte{0xEF, 0xBB, 0xBF}, ErrEmpty, ""},
		{"utf-16 bom only", []byte{0xFF, 0xFE}, ErrEmpty, ""},
		{"pe", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 64)...), ErrBinary, "binary content: MZ/PE header"},
		{"elf", []byte("\x7fELF\x02\x01\x01\x00"), ErrBinary, "binary content: ELF header"},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00"), ErrBinary, "binary content: PK zip header"},
		{"gzip", []byte{0x1f, 0x8b, 0x08, 0x00}, ErrBinary, "binary content: gzip header"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), ErrBinary, "binary content: PDF header"},
		{"ole", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), ErrBinary, "binary content: OLE compound document header"},
		{"mach-o", []byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01"), ErrBinary, "binary content: Mach-O header"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrBinary, "binary content: PNG image"},
		{"nul bytes", []byte("abc\x00\x00\x00\x01\x02\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), ErrBinary, ""},
		{"control bytes", []byte(strings.Repeat("\x01\x02\x03\x04ab", 30)), ErrBinary, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Decode(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode: got error %v, want %v", err, tc.want)
			}
			if tc.wantMsg != "" && err.Error() != tc.wantMsg {
				t.Errorf("message: got %q, want %q", err.Error(), tc.wantMsg)
			}
		})
	}
}

func TestDecodeTextStartingLikeMagic(t *testing.T) {
	for _, s := range []string{"MZ is a postcode area\n", "BMW owners club\n", "RIFF raff\n"} {
		if _, _, err := Decode([]byte(s)); err != nil {
			t.Errorf("Decode(%q): got %v, want text", s, err)
		}
	}
}

func TestDecodeLinear(t *testing.T) {
	// A large input of each kind decodes without error in one pass.
	big := []byte(strings.Repeat("echo line\r\n", 200000))
	if _, _, err := Decode(big); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Decode(utf16Bytes(string(big[:400000]), false)); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkDecode(b *testing.B) {
	in := []byte(strings.Repeat("Write-Host 'hello'; $x = 1\r\n", 180))
	le := append([]byte{0xFF, 0xFE}, utf16Bytes(string(in), false)...)
	b.Run("utf-8", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			Decode(in)
		}
	})
	b.Run("utf-16le", func(b *testing.B) {
		b.SetBytes(int64(len(le)))
		for b.Loop() {
			Decode(le)
		}
	})
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(script))
	f.Add(utf16Bytes(script, false))
	f.Add(utf16Bytes(script, true))
	f.Add([]byte("\xff\xfe\x00"))
	f.Add([]byte("#!/bin/sh\n\x1f\x8b\x00"))
	f.Add([]byte("caf\xe9 \x93x\x94"))
	f.Fuzz(func(t *testing.T, b []byte) {
		text, _, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrBinary) && !errors.Is(err, ErrEmpty) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !strings.HasPrefix(string(b), "\xef\xbb\xbf") && len(text) > 4*len(b)+8 {
			t.Fatalf("output %d bytes for %d input bytes", len(text), len(b))
		}
	})
}

package safetext

import (
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "invoice.ps1", "invoice.ps1"},
		{"newline", "a\nb", `a\nb`},
		{"escape sequence", "x\x1b[31mred", `x\x1b[31mred`},
		{"invalid utf8", "a\xffb", `a\xffb`},
		{"bidi override", "invoice\u202egpj.exe", `invoice\u202egpj.exe`},
		{"zero width", "pay\u200bload", `pay\u200bload`},
		{"tag char", "a\U000E0041", `a\ue0041`},
		{"backslash kept", `C:\Temp`, `C:\Temp`},
		{"non-latin kept", "отчёт.js", "отчёт.js"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Escape(tc.in)
			if got != tc.want {
				t.Errorf("Escape(%q): got %q, want %q", tc.in, got, tc.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Escape(%q) is not valid UTF-8", tc.in)
			}
		})
	}
}

func TestEscapeMultiline(t *testing.T) {
	got := EscapeMultiline("line1\r\n\tline2\x07")
	want := "line1\n\tline2\\x07"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzEscape(f *testing.F) {
	f.Add("a\nb\xff\u202e")
	f.Fuzz(func(t *testing.T, s string) {
		got := Escape(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Escape(%q) = %q is not valid UTF-8", s, got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || Invisible(r) {
				t.Fatalf("Escape(%q) = %q keeps control rune %U", s, got, r)
			}
		}
	})
}

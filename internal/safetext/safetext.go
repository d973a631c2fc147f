// Package safetext makes attacker-controlled strings (file names, script
// excerpts, decoded layers) safe to show on a terminal or in a log line:
// control characters, invalid UTF-8 and the invisible or direction-changing
// Unicode characters used in "trojan source" tricks become visible escapes.
package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every byte or rune that could alter how surrounding
// text is displayed replaced by a Go-style escape (\n, \t, \x1b, \u202e).
// Printable text, including non-Latin scripts, is kept as is. Backslashes are
// kept too, so Windows paths stay readable; the escapes are for display, not
// a reversible encoding. The result is valid UTF-8.
func Escape(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case Invisible(r) || !unicode.IsPrint(r) && r != ' ':
			if r < 0x80 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// EscapeMultiline is Escape that keeps newlines and tabs, for showing
// multi-line script text.
func EscapeMultiline(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(Escape(strings.TrimSuffix(l, "\r")), `\t`, "\t")
	}
	return strings.Join(lines, "\n")
}

// Invisible reports runes that render as nothing or reorder text: zero-width
// characters, bidirectional controls, Unicode tag characters, BOMs.
func Invisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, // zero width space..RLM
		r >= 0x202A && r <= 0x202E, // bidi embeddings and overrides
		r >= 0x2060 && r <= 0x2064, // word joiner, invisible operators
		r >= 0x2066 && r <= 0x2069, // bidi isolates
		r == 0xFEFF, r == 0x00AD, r == 0x180E,
		r >= 0xE0000 && r <= 0xE007F: // tag characters
		return true
	}
	return false
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

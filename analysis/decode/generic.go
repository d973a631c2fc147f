package decode

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// minGenericB64 is the shortest blob generic.base64 considers.
const minGenericB64 = 40

// extractGenericBase64 decodes long standalone base64 runs that turn into
// mostly printable text or into a compressed stream.
func extractGenericBase64(s *scan) []finding {
	var out []finding
	t := s.text
	for i := 0; i < len(t); {
		r, ok := nextB64Run(t, i, minGenericB64)
		if !ok {
			break
		}
		if r.Start == 0 || !isWord(t[r.Start-1]) {
			if f, ok := genericBlob(t[r.Start:r.End], r, s.max); ok {
				out = append(out, f)
			}
		}
		i = r.End
	}
	return out
}

// nextB64Run returns the first maximal run of base64 bytes at least n long
// (n >= 1) that starts at or after i, where i is 0 or follows a byte
// outside the alphabet (or ends such a run). A run that long holds every
// n-th byte, so only those are probed, and a byte outside the alphabet
// rules out the n-1 positions before it too: most of a script is never
// read.
func nextB64Run(t string, i, n int) (Span, bool) {
	for k := i + n - 1; k < len(t); k = i + n - 1 {
		if !isB64(t[k]) {
			i = k + 1
			continue
		}
		st := k
		for st > i && isB64(t[st-1]) {
			st--
		}
		end := k + 1
		for end < len(t) && isB64(t[end]) {
			end++
		}
		if end-st >= n {
			return Span{st, end}, true
		}
		i = end + 1
	}
	return Span{}, false
}

func genericBlob(run string, span Span, max int) (finding, bool) {
	// Trailing padding is part of the blob; '=' in the middle is not.
	if k := strings.IndexByte(strings.TrimRight(run, "="), '='); k >= 0 {
		return finding{}, false
	}
	if !mixedB64(run) {
		return finding{}, false
	}
	b, ok := decodeB64(run, max)
	if !ok || len(b) < 16 {
		return finding{}, false
	}
	if magic(b) != fmtNone {
		f, ok := unpackBytes(span, b, "", ratioGeneric, max)
		if ok && (f.text != "" || f.truncated || strings.Contains(f.note, "not decompressed") || strings.Contains(f.note, "payload of")) {
			return f, true
		}
		return finding{}, false
	}
	if latin1Share(b) < ratioGeneric {
		return finding{}, false
	}
	txt, ok := asText(b, ratioGeneric)
	if !ok || asciiShare(txt) < ratioGeneric {
		return finding{}, false
	}
	// Real text has some spaces or line breaks or punctuation; random
	// letters that decode by chance rarely pass this.
	if !strings.ContainsAny(txt, " \n\t;(){}=") && len(txt) > 24 && !allB64(txt) {
		return finding{}, false
	}
	return finding{span: span, text: txt, size: len(txt)}, true
}

// mixedB64 reports whether run holds an upper-case letter, a lower-case
// letter, a digit and a byte that is no hex digit, as base64 of anything
// but hex text does. It reads eight bytes a step: the runs that fail (hex
// strings, long lower-case paths and names) are read to their end.
func mixedB64(run string) bool {
	var upper, lower, digit uint64 // a top bit per byte of each class seen
	allHex := true
	i := 0
	// The verdict is settled once all three classes and a non-hex byte
	// are seen, mostly within the first few dozen bytes of a long blob.
	for ; i+8 <= len(run); i += 8 {
		w := le64(run, i)
		u, l, d := rangeBits(w, 'A', 'Z'), rangeBits(w, 'a', 'z'), rangeBits(w, '0', '9')
		upper, lower, digit = upper|u, lower|l, digit|d
		hexes := d | rangeBits(w, 'A', 'F') | rangeBits(w, 'a', 'f')
		allHex = allHex && hexes == highWord
		if !allHex && upper != 0 && lower != 0 && digit != 0 {
			return true
		}
	}
	for ; i < len(run); i++ {
		c := run[i]
		switch {
		case c >= 'A' && c <= 'Z':
			upper = 1
			allHex = allHex && c <= 'F'
		case c >= 'a' && c <= 'z':
			lower = 1
			allHex = allHex && c <= 'f'
		case c >= '0' && c <= '9':
			digit = 1
		default:
			allHex = false
		}
	}
	return !allHex && upper != 0 && lower != 0 && digit != 0
}

// rangeBits has the top bit set in each byte of w in [lo, hi] (both
// below 0x80), and no other bit: upperBits for any range.
func rangeBits(w uint64, lo, hi byte) uint64 {
	h := w &^ highWord
	return ((h + (0x80-uint64(lo))*onesWord) ^ (h + (0x80-uint64(hi)-1)*onesWord)) &^ w & highWord
}

// latin1Share is asciiShare(bytesText(b)) when bytesText reads b as
// Latin-1 (neither UTF-16LE nor valid UTF-8), 1 otherwise: random bytes
// that decoded from base64 by chance are rejected without building their
// text.
func latin1Share(b []byte) float64 {
	if looksUTF16LE(b) {
		return 1
	}
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	if utf8.Valid(b) {
		return 1
	}
	// Bytes from 0x80 take two bytes in the text; asciiShare reads its
	// first 8 KiB.
	size, total, good := 0, 0, 0
	for _, c := range b {
		if size += 1 + int(c>>7); size > 8192 {
			break
		}
		total++
		if c >= 0x20 && c < 0x7f || c == '\t' || c == '\n' || c == '\r' {
			good++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(good) / float64(total)
}

// allB64 reports a text that is itself a base64 run (nested encoding).
func allB64(s string) bool {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if !isB64(s[i]) {
			return false
		}
	}
	return len(s) >= minGenericB64
}

// asciiShare is the share of printable ASCII runes (and whitespace) in the
// first 8 KiB of s: text hidden in base64 is overwhelmingly ASCII, random
// bytes read as Latin-1 are not.
func asciiShare(s string) float64 {
	if len(s) > 8192 {
		s = cutUTF8(s, 8192)
	}
	total, good := 0, 0
	for _, r := range s {
		total++
		if r >= 0x20 && r < 0x7f || r == '\t' || r == '\n' || r == '\r' {
			good++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(good) / float64(total)
}

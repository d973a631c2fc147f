package decode

import (
	"bytes"
	"compress/bzip2"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Printable-ratio thresholds: an explicit decoding context (GetString,
// -EncodedCommand, exec(...)) is trusted more than a bare blob.
const (
	ratioExplicit = 0.75
	ratioGeneric  = 0.92
)

// isB64 reports whether c belongs to the standard or URL-safe base64 alphabet.
func isB64(c byte) bool { return b64Alphabet[c] }

// b64Alphabet is the set isB64 tests: one load per byte in the blob scans.
var b64Alphabet = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		t[c] = b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=' || b == '-' || b == '_'
	}
	return t
}()

// decodeB64 decodes standard or URL-safe base64, padded or not, ignoring
// whitespace. It caps the output at max bytes.
func decodeB64(s string, max int) ([]byte, bool) {
	// IndexByte per byte value: ContainsAny steps through long blobs a
	// byte at a time.
	if containsByte(s, ' ', '\t', '\r', '\n') {
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, s)
	}
	if max > 0 && len(s)/4*3 > max {
		s = s[:(max/3)*4]
	}
	raw := strings.TrimRight(s, "=")
	if len(raw) == 0 || len(raw)%4 == 1 {
		return nil, false
	}
	enc := base64.RawStdEncoding
	if containsByte(raw, '-', '_') {
		if containsByte(raw, '+', '/') {
			return nil, false
		}
		enc = base64.RawURLEncoding
	}
	b, err := enc.DecodeString(raw)
	if err != nil {
		return nil, false
	}
	return b, true
}

// containsByte reports whether s holds one of the bytes cs.
func containsByte(s string, cs ...byte) bool {
	for _, c := range cs {
		if strings.IndexByte(s, c) >= 0 {
			return true
		}
	}
	return false
}

// looksUTF16LE reports whether b is probably UTF-16LE text: a BOM, or mostly
// zero high bytes.
func looksUTF16LE(b []byte) bool {
	if len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE {
		return true
	}
	if len(b) < 4 {
		return len(b) == 2 && b[1] == 0 && b[0] != 0
	}
	n := len(b) / 2
	if n > 512 {
		n = 512
	}
	zeros := 0
	for i := 0; i < n; i++ {
		if b[2*i+1] == 0 && b[2*i] != 0 {
			zeros++
		}
	}
	return zeros*10 >= n*7
}

// utf16le decodes UTF-16LE (a leading BOM is dropped) as utf16.Decode
// would, unpaired surrogates turned into U+FFFD, straight into the string
// (through []uint16 and []rune it allocated seven times the input).
func utf16le(b []byte) string {
	if len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE {
		b = b[2:]
	}
	n := len(b) / 2
	unit := func(i int) rune { return rune(b[2*i]) | rune(b[2*i+1])<<8 }
	var sb strings.Builder
	sb.Grow(n)
	for i := 0; i < n; i++ {
		r := unit(i)
		switch {
		case r < 0xD800 || r >= 0xE000:
		case r < 0xDC00 && i+1 < n && unit(i+1) >= 0xDC00 && unit(i+1) < 0xE000:
			r = utf16.DecodeRune(r, unit(i+1))
			i++
		default:
			r = utf8.RuneError
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// bytesText turns decoded bytes into a string: UTF-16LE when it looks like
// it, UTF-8 when valid, Latin-1 otherwise.
func bytesText(b []byte) string {
	if looksUTF16LE(b) {
		return utf16le(b)
	}
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// asText returns b as text when at least ratio of its runes are printable.
func asText(b []byte, ratio float64) (string, bool) {
	if len(b) == 0 {
		return "", false
	}
	s := bytesText(b)
	return s, printable(s) >= ratio
}

// printable returns the share of printable runes (tab, CR, LF included) in
// the first 8 KiB of s.
func printable(s string) float64 {
	if len(s) > 8192 {
		s = cutUTF8(s, 8192)
	}
	total, good := 0, 0
	for _, r := range s {
		total++
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			good++
		case r == utf8.RuneError || r < 0x20 || r == 0x7f:
		case r < 0x7f || unicode.IsPrint(r):
			good++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(good) / float64(total)
}

// Compression formats recognised by their magic bytes.
const (
	fmtNone  = ""
	fmtGzip  = "gzip"
	fmtZlib  = "zlib"
	fmtBzip2 = "bzip2"
	fmtXZ    = "xz"
	fmtLZMA  = "lzma"
)

// magic names the compression format of b from its first bytes.
func magic(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8:
		return fmtGzip
	case len(b) >= 2 && b[0] == 0x78 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0 && b[1]&0x20 == 0:
		return fmtZlib
	case len(b) >= 4 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h' && b[3] >= '1' && b[3] <= '9':
		return fmtBzip2
	case len(b) >= 6 && bytes.Equal(b[:6], []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return fmtXZ
	case len(b) >= 3 && b[0] == 0x5d && b[1] == 0 && b[2] == 0:
		return fmtLZMA
	}
	return fmtNone
}

// inflate decompresses b in the given format ("deflate" for a raw stream)
// reading at most max bytes. truncated reports a capped output.
func inflate(b []byte, format string, max int) (out []byte, truncated bool, err error) {
	var r io.Reader
	src := bytes.NewReader(b)
	switch format {
	case fmtGzip:
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, false, fmt.Errorf("gzip: %w", err)
		}
		r = zr
	case fmtZlib:
		zr, err := zlib.NewReader(src)
		if err != nil {
			return nil, false, fmt.Errorf("zlib: %w", err)
		}
		r = zr
	case "deflate":
		r = flate.NewReader(src)
	case fmtBzip2:
		r = bzip2.NewReader(src)
	default:
		return nil, false, fmt.Errorf("%s: unsupported compression", format)
	}
	var buf bytes.Buffer
	_, err = io.Copy(&buf, io.LimitReader(r, int64(max)+1))
	out = buf.Bytes()
	if len(out) > max {
		return out[:max], true, nil
	}
	if err != nil && len(out) == 0 {
		return nil, false, fmt.Errorf("%s: %w", format, err)
	}
	return out, false, nil
}

// payload turns decoded bytes into a finding: text when printable enough,
// else a note-only marker that records the binary size.
func payload(span Span, b []byte, ratio float64, truncated bool, note string) (finding, bool) {
	if len(b) == 0 {
		return finding{}, false
	}
	if s, ok := asText(b, ratio); ok {
		return finding{span: span, text: s, size: len(s), truncated: truncated, note: note}, true
	}
	kind := "binary"
	switch {
	case len(b) >= 2 && b[0] == 'M' && b[1] == 'Z':
		kind = "PE executable"
	case len(b) >= 4 && bytes.Equal(b[:4], []byte{0x7f, 'E', 'L', 'F'}):
		kind = "ELF executable"
	case allZero(b):
		kind = "all-zero"
	}
	return finding{span: span, size: len(b), truncated: truncated,
		note: joinNote(note, fmt.Sprintf("%s payload of %d bytes not shown", kind, len(b)))}, true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// capNote is the note of an output cut at max bytes.
func capNote(max int) string { return fmt.Sprintf("output capped at %d bytes", max) }

// unpack decodes base64 then, when the bytes carry a compression magic (or
// format is forced), decompresses them. It returns the payload finding.
func unpack(span Span, b64 string, format string, ratio float64, max int) (finding, bool) {
	b, ok := decodeB64(b64, max)
	if !ok {
		return finding{}, false
	}
	return unpackBytes(span, b, format, ratio, max)
}

func unpackBytes(span Span, b []byte, format string, ratio float64, max int) (finding, bool) {
	if format == "" {
		format = magic(b)
	}
	if format == fmtNone {
		return payload(span, b, ratio, false, "")
	}
	if format == fmtXZ || format == fmtLZMA {
		return finding{span: span, size: len(b), note: format + " stream not decompressed (no decoder available)"}, true
	}
	out, trunc, err := inflate(b, format, max)
	if err != nil {
		if format == "deflate" || format == fmtGzip {
			// GzipStream callers sometimes hand over raw deflate and vice versa.
			alt := fmtGzip
			if format == fmtGzip {
				alt = "deflate"
			}
			if o2, t2, e2 := inflate(b, alt, max); e2 == nil && len(o2) > 0 {
				out, trunc, err = o2, t2, nil
			}
		}
		if err != nil {
			return finding{}, false
		}
	}
	note := ""
	if trunc {
		note = capNote(max)
	}
	return payload(span, out, ratio, trunc, note)
}

// capString cuts s to max bytes and reports whether it did.
func capString(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	return cutUTF8(s, max), true
}

// byteSet returns the membership table of the bytes of set.
func byteSet(set string) (t [256]bool) {
	for i := 0; i < len(set); i++ {
		t[set[i]] = true
	}
	return t
}

// isWord reports an ASCII letter, digit or underscore.
func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipSpace returns the first index >= i that is not whitespace.
func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// prevNonSpace returns the index of the last non-space byte before i, or -1.
func prevNonSpace(s string, i int) int {
	i--
	for i >= 0 && isSpace(s[i]) {
		i--
	}
	return i
}

// splitJunction reports whether joining a and b splits a word, the mark of
// obfuscating concatenation ('Down'+'load').
func splitJunction(a, b string) bool {
	return a != "" && b != "" && isAlnum(a[len(a)-1]) && isAlnum(b[0])
}

// hasPrefixFold reports whether s[i:] starts with the lower-case word w,
// ASCII case-insensitively.
func hasPrefixFold(s string, i int, w string) bool {
	if i < 0 || i+len(w) > len(s) {
		return false
	}
	for k := 0; k < len(w); k++ {
		c := s[i+k]
		if c >= 'A' && c <= 'Z' {
			c += 32
		}
		if c != w[k] {
			return false
		}
	}
	return true
}

// runesFromCodes turns numeric char codes into text, rejecting invalid ones.
func runesFromCodes(codes []int64) (string, bool) {
	var b strings.Builder
	for _, c := range codes {
		if c < 0 || c > unicode.MaxRune || (c >= 0xD800 && c <= 0xDFFF) {
			return "", false
		}
		b.WriteRune(rune(c))
	}
	return b.String(), true
}

// reverse reverses s rune by rune.
func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

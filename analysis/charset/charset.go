package charset

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Encoding names the text encoding Decode found.
type Encoding string

// The encodings Decode reports.
const (
	UTF8    Encoding = "utf-8"
	UTF8BOM Encoding = "utf-8-bom"
	UTF16LE Encoding = "utf-16le"
	UTF16BE Encoding = "utf-16be"
	Latin1  Encoding = "latin-1" // Windows-1252, the usual "ANSI" code page of Windows scripts
)

// Errors returned by Decode, wrapped with the reason; test with errors.Is.
var (
	ErrBinary = errors.New("binary content")
	ErrEmpty  = errors.New("empty content")
)

// sniffWindow bounds the prefix inspected by the statistical checks.
const sniffWindow = 64 << 10

// Decode detects the encoding of b and returns its text. The text never
// carries a byte-order mark. Bytes that are invalid in the detected encoding
// become Windows-1252 characters (UTF-8) or U+FFFD (UTF-16). Decode returns
// an error wrapping ErrEmpty for input without content and one wrapping
// ErrBinary for binary data; enc is still set when it was known.
func Decode(b []byte) (text string, enc Encoding, err error) { return decode(b, false) }

// DecodeShared is Decode, except that when b is UTF-8 that needs no change
// (the usual case for scripts), text shares the memory of b rather than
// being a copy of it: b must not be modified for as long as text, or any
// string cut from it, is in use.
func DecodeShared(b []byte) (text string, enc Encoding, err error) { return decode(b, true) }

// decode is Decode, sharing the memory of valid UTF-8 with text when
// share is set.
func decode(b []byte, share bool) (text string, enc Encoding, err error) {
	if len(b) == 0 {
		return "", UTF8, ErrEmpty
	}
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		return decodeUTF8(b[len(bomUTF8):], UTF8BOM, share)
	case bytes.HasPrefix(b, bomUTF16LE):
		return decodeUTF16(b[2:], false, UTF16LE)
	case bytes.HasPrefix(b, bomUTF16BE):
		return decodeUTF16(b[2:], true, UTF16BE)
	}
	if reason := magic(b); reason != "" {
		return "", "", fmt.Errorf("%w: %s", ErrBinary, reason)
	}
	win := b
	if len(win) > sniffWindow {
		win = win[:sniffWindow]
	}
	st := scan(win)
	if st.nul > 0 {
		if be, ok := looksUTF16(win, st); ok {
			if be {
				return decodeUTF16(b, true, UTF16BE)
			}
			return decodeUTF16(b, false, UTF16LE)
		}
	}
	// A script with a shebang line stays a script even when a compressed
	// payload follows it (gzexe, makeself and similar self-extractors).
	if !bytes.HasPrefix(b, []byte("#!")) {
		if reason := st.binary(); reason != "" {
			return "", "", fmt.Errorf("%w: %s", ErrBinary, reason)
		}
	}
	return decodeUTF8(b, UTF8, share)
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// stats counts byte classes in the sniff window.
type stats struct {
	n        int
	nul      int
	nulEven  int // NUL bytes at even offsets
	ctrl     int // C0 controls other than whitespace, ESC and SUB, plus DEL
	high     int // bytes >= 0x80
	asciiTxt int // printable ASCII and whitespace
}

func scan(b []byte) stats {
	s := stats{n: len(b)}
	quiet := 0 // ESC and SUB
	count := func(i int, c byte) {
		switch byteClass[c] {
		case bNUL:
			s.nul++
			if i&1 == 0 {
				s.nulEven++
			}
		case bQuiet:
			quiet++
		case bCtrl:
			s.ctrl++
		case bHigh:
			s.high++
		}
	}
	// Text is mostly printable ASCII and white space: test eight bytes at a
	// time for anything else.
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := b[i : i+8 : i+8]
		if byteClass[w[0]]|byteClass[w[1]]|byteClass[w[2]]|byteClass[w[3]]|
			byteClass[w[4]]|byteClass[w[5]]|byteClass[w[6]]|byteClass[w[7]] == bText {
			continue
		}
		for j, c := range w {
			count(i+j, c)
		}
	}
	for ; i < len(b); i++ {
		count(i, b[i])
	}
	s.asciiTxt = s.n - s.nul - quiet - s.ctrl - s.high
	return s
}

// Byte classes of scan.
const (
	bText  = 0 // printable ASCII, \t, \n, \r, \f, \v
	bNUL   = 1
	bQuiet = 2 // ESC (terminal colours) and SUB (DOS end-of-file) occur in scripts
	bCtrl  = 3 // other C0 controls and DEL
	bHigh  = 4 // >= 0x80
)

var byteClass = func() (t [256]uint8) {
	for i := range t {
		switch c := byte(i); {
		case c == 0:
			t[i] = bNUL
		case c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			t[i] = bText
		case c == 0x1B || c == 0x1A:
			t[i] = bQuiet
		case c < 0x20 || c == 0x7F:
			t[i] = bCtrl
		case c < 0x80:
			t[i] = bText
		default:
			t[i] = bHigh
		}
	}
	return t
}()

// binary reports why the window looks binary, or "" when it looks like text.
func (s stats) binary() string {
	bad := s.nul + s.ctrl
	switch {
	case s.nul > 0 && (s.nul*100 > s.n || s.nul >= 16):
		return fmt.Sprintf("%d NUL bytes in %d", s.nul, s.n)
	case bad*10 > s.n || (bad >= 4 && bad*50 > s.n):
		return fmt.Sprintf("%d control bytes in %d", bad, s.n)
	}
	return ""
}

// looksUTF16 decides whether a BOM-less window is UTF-16 and in which byte
// order. Most UTF-16 script text is ASCII, so one byte of each pair is NUL:
// the parity of the NULs at the start gives the byte order. The decision
// that the data is text at all rests on how plausible the decoded code units
// are, since binary formats are full of NULs too.
func looksUTF16(b []byte, st stats) (bigEndian, ok bool) {
	if st.n < 2 || st.nul*5 < st.n { // under 20% NUL: not UTF-16 of Latin script
		return false, false
	}
	even, odd := 0, 0
	for i, c := range b[:min(len(b), 512)] {
		if c == 0 {
			if i&1 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	bigEndian = even > odd
	return bigEndian, plausibility(b, bigEndian) >= 0.85
}

// plausibility is the share of decoded UTF-16 code units that are ordinary
// text characters.
func plausibility(b []byte, bigEndian bool) float64 {
	good, total := 0, 0
	prev := uint16('\n')
	for i := 0; i+1 < len(b); {
		u, step, k := unit(b, i, bigEndian, prev)
		i += step
		if k == skipByte {
			continue
		}
		total++
		if k == newline || u == '\t' || u == '\n' || u == '\r' ||
			(u >= 0x20 && u != 0x7F && (u < 0x80 || u >= 0xA0) && (u < 0xD800 || u >= 0xE000) && u < 0xFFF0) {
			good++
		}
		prev = u
	}
	if total == 0 {
		return 0
	}
	return float64(good) / float64(total)
}

// minASCIIRun is the length of a run of printable 8-bit ASCII, holding a
// space or line break, that marks a stretch of 8-bit text inside a UTF-16
// stream. No UTF-16 text of Latin script looks like that, and CJK text
// rarely does for that long.
const minASCIIRun = 24

// asciiRun returns the length of the 8-bit ASCII text at the start of b, up
// to the next NUL byte, when it starts with at least minASCIIRun printable
// ASCII bytes one of which is a space or line break; otherwise 0.
func asciiRun(b []byte) int {
	if len(b) < minASCIIRun {
		return 0
	}
	space := false
	for _, c := range b[:minASCIIRun] {
		if c == ' ' || c == '\n' {
			space = true
		} else if (c < 0x20 && c != '\t' && c != '\r') || c >= 0x7F {
			return 0
		}
	}
	if !space {
		return 0
	}
	n := minASCIIRun
	for n < len(b) && b[n] != 0 {
		n++
	}
	return n
}

// textByte reports whether c is printable ASCII or a tab or line break.
func textByte(c byte) bool {
	return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r'
}

// unitKind tells decodeUTF16 what unit found.
type unitKind uint8

const (
	codeUnit unitKind = iota // an ordinary code unit
	newline                  // a line break repaired from text-mode damage: emit CRLF
	skipByte                 // a stray byte that broke the alignment: emit nothing
)

// unit reads the code unit at b[i:] (i+1 < len(b)) and returns it with the
// number of bytes consumed. It repairs two kinds of damage that BOM-less
// UTF-16 scripts often carry:
//
//   - a text-mode LF->CRLF conversion inserts a 0x0D byte before every
//     0x0A byte (LE "0A 00" becomes "0D 0A 00", BE "00 0A" becomes
//     "00 0D 0A"), which also flips the alignment on every line;
//   - a lost or inserted byte leaves ASCII characters in the wrong half of
//     the pair. When the previous unit was ASCII and the bytes ahead read
//     as ASCII one byte later, the stray byte is skipped.
//
// NUL code units are dropped.
func unit(b []byte, i int, bigEndian bool, prev uint16) (uint16, int, unitKind) {
	x, y := b[i], b[i+1]
	var next byte = 0xFF
	if i+2 < len(b) {
		next = b[i+2]
	}
	if x == 0 && y == 0 { // NUL is never text; drop it whole
		return 0, 2, skipByte
	}
	if x == '\r' && y == '\n' { // an 8-bit CRLF inside the UTF-16 stream
		if !bigEndian && next == 0 {
			return '\n', 3, newline
		}
		return '\n', 2, newline
	}
	if bigEndian {
		if x == 0 && y == '\r' && next == '\n' {
			return '\n', 3, newline
		}
		if y == 0 && textByte(x) && prev < 0x80 && textByte(next) {
			return 0, 1, skipByte
		}
		return uint16(x)<<8 | uint16(y), 2, codeUnit
	}
	if x == 0 && textByte(y) && prev < 0x80 && next == 0 {
		return 0, 1, skipByte
	}
	return uint16(x) | uint16(y)<<8, 2, codeUnit
}

// decodeUTF16 decodes b as UTF-16. Unpaired surrogates and a trailing odd
// byte become U+FFFD.
func decodeUTF16(b []byte, bigEndian bool, enc Encoding) (string, Encoding, error) {
	out := make([]byte, 0, len(b)/2+8)
	var pending rune = -1 // high surrogate waiting for its pair
	flush := func() {
		if pending >= 0 {
			out = utf8.AppendRune(out, utf8.RuneError)
			pending = -1
		}
	}
	prev := uint16('\n')
	i := 0
	for i+1 < len(b) {
		if n := asciiRun(b[i:]); n > 0 {
			// 8-bit ASCII spliced into the UTF-16 stream: copy it up to
			// the next NUL, where UTF-16 resumes.
			flush()
			out = append(out, b[i:i+n]...)
			i += n
			if !bigEndian && i < len(b) && b[i] == 0 {
				i++
			}
			prev = '\n'
			continue
		}
		u, step, k := unit(b, i, bigEndian, prev)
		i += step
		switch k {
		case skipByte:
			continue
		case newline:
			flush()
			// A CRLF file damaged the same way reads CR, CRLF: keep one CR.
			if n := len(out); n > 0 && out[n-1] == '\r' {
				out = out[:n-1]
			}
			out = append(out, '\r', '\n')
			prev = '\n'
			continue
		}
		prev = u
		r := rune(u)
		switch {
		case utf16.IsSurrogate(r) && r < 0xDC00:
			flush()
			pending = r
			continue
		case utf16.IsSurrogate(r):
			if pending >= 0 {
				out = utf8.AppendRune(out, utf16.DecodeRune(pending, r))
				pending = -1
			} else {
				out = utf8.AppendRune(out, utf8.RuneError)
			}
			continue
		}
		flush()
		out = utf8.AppendRune(out, r)
	}
	flush()
	if i < len(b) { // odd length: a truncated final unit
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	if len(out) == 0 {
		return "", enc, ErrEmpty
	}
	return string(out), enc, nil
}

// decodeUTF8 returns b as text. Valid UTF-8 is returned as is (in b's
// memory when share is set); otherwise every byte that is not part of a
// valid UTF-8 sequence is read as Windows-1252, and the encoding is Latin1
// unless valid multi-byte UTF-8 sequences show the file is UTF-8 with a
// few stray bytes.
func decodeUTF8(b []byte, enc Encoding, share bool) (string, Encoding, error) {
	if len(b) == 0 {
		return "", enc, ErrEmpty
	}
	if utf8.Valid(b) {
		if share {
			// The caller guarantees that b stays unchanged (see
			// DecodeShared); b is not empty.
			return unsafe.String(&b[0], len(b)), enc, nil
		}
		return string(b), enc, nil
	}
	out := make([]byte, 0, len(b)+len(b)/4)
	multi := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			out = utf8.AppendRune(out, cp1252(c))
			i++
			continue
		}
		multi++
		out = append(out, b[i:i+size]...)
		i += size
	}
	if multi == 0 && enc == UTF8 {
		enc = Latin1
	}
	return string(out), enc, nil
}

// cp1252 maps a byte >= 0x80 to its Windows-1252 character. The five bytes
// Windows-1252 leaves undefined map to the C1 controls of Latin-1.
func cp1252(c byte) rune {
	if c >= 0x80 && c < 0xA0 {
		return win1252[c-0x80]
	}
	return rune(c)
}

var win1252 = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}

package features

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strings"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

type stats struct {
	n                                                 int
	alpha, digit, upper, space, symbol, nonASCII      int
	lines, maxLine                                    int
	meanLine                                          float64
	entropy, maxLiteralEntropy                        float64
	longestToken, base64Blobs, hexBlobs, charCodeRuns int
	commentRatio                                      float64
}

func (s stats) ratio(n int) float64 {
	if s.n == 0 {
		return 0
	}
	return float64(n) / float64(s.n)
}

// textStats computes the character-level statistics in a few linear passes.
func textStats(text string, l lang.Language) stats {
	st := stats{n: len(text)}
	if len(text) == 0 {
		return st
	}
	var hists [4][256]uint32
	scanBytes(text, &hists, &st)
	var hist [256]int
	for c := range hist {
		hist[c] = int(hists[0][c]) + int(hists[1][c]) + int(hists[2][c]) + int(hists[3][c])
	}
	for c := 0x80; c < 0x100; c++ {
		st.nonASCII += hist[c]
	}
	for c := 'a'; c <= 'z'; c++ {
		st.alpha += hist[c]
	}
	for c := 'A'; c <= 'Z'; c++ {
		st.upper += hist[c]
	}
	st.alpha += st.upper
	for c := '0'; c <= '9'; c++ {
		st.digit += hist[c]
	}
	st.space = hist[' '] + hist['\t'] + hist['\n'] + hist['\r']
	st.symbol = len(text) - st.nonASCII - st.alpha - st.digit - st.space

	// One walk over the lines gives the longest line, the comment ratio
	// (see commentLine) and, where there are quotes, the literals (which
	// need two quotes of one kind).
	newlines := hist['\n']
	st.lines = newlines
	comments, nonBlank := 0, 0
	lits := literals{text: text, nextDQ: -1, nextSQ: -1}
	quoted := hist['"'] >= 2 || hist['\''] >= 2
	for start := 0; start < len(text); {
		end := indexFrom(text, start, '\n')
		if end == len(text) {
			st.lines++ // a last line without a newline
		}
		st.maxLine = max(st.maxLine, end-start)
		c, nb := commentLine(text[start:end], l)
		comments, nonBlank = comments+c, nonBlank+nb
		if quoted {
			lits.line(start, end)
		}
		start = end + 1
	}
	if nonBlank > 0 {
		st.commentRatio = float64(comments) / float64(nonBlank)
	}
	st.meanLine = float64(len(text)-newlines) / float64(max(st.lines, 1))
	st.entropy = histEntropy(&hist, len(text))
	st.maxLiteralEntropy = lits.best
	// A character-code run needs eight numbers, seven of them followed by
	// a comma: without those the walk would find nothing.
	if hist[','] >= 7 && st.digit >= 8 {
		st.charCodeRuns = charCodeRuns(text)
	}
	return st
}

// scanBytes is textStats' pass over the bytes: it builds the byte
// histogram, which gives the character classes and the entropy, and follows
// the base64 and hex runs for st's longest token and blob counts.
//
// Four histograms, summed after, let consecutive equal bytes (indentation,
// runs of letters) increment different counters. The two run lengths share
// one register, base64 in the low half and hex in the high half, and are
// followed without branches: in code, where a run ends every few bytes, a
// mispredicted branch per run would cost more than the arithmetic. Each
// byte adds one to both halves and ANDs them with its runMask, which keeps
// the runs it continues and zeroes those it ends. A blob is counted when
// its run reaches 64 bytes, once per run of 64 or more, and the longest
// token is the longest base64 run (a base64 run is also a run of token
// characters, and it is at least as long as any token inside it).
func scanBytes(text string, hists *[4][256]uint32, st *stats) {
	// Runs are at most len(text) < 4 GiB long (textStats reads at most
	// scanLimit bytes), so the low half never carries into the high one.
	const one = 1<<32 | 1 // one byte more in both runs
	var run uint64
	var longest uint32
	b64Blobs, hexBlobs := 0, 0
	step := func(h *[256]uint32, c byte) {
		h[c]++
		run = (run + one) & runMask[c]
		// One test for both halves, whether either is 64 or more: rarely
		// true outside blobs, so a branch costs less than counting.
		if run&^(63*one) != 0 {
			if uint32(run) == 64 {
				b64Blobs++
			}
			if run>>32 == 64 {
				hexBlobs++
			}
		}
		longest = max(longest, uint32(run))
	}
	rest := text
	for ; len(rest) >= 4; rest = rest[4:] {
		step(&hists[0], rest[0])
		step(&hists[1], rest[1])
		step(&hists[2], rest[2])
		step(&hists[3], rest[3])
	}
	for i := range len(rest) {
		step(&hists[0], rest[i])
	}
	st.longestToken = int(longest)
	st.base64Blobs, st.hexBlobs = b64Blobs, hexBlobs
}

// runMask[c] keeps, in scanBytes' packed run lengths, the base64 run (low
// half) when c is a base64 byte and the hex run (high half) when c is a hex
// run byte, and zeroes each run c ends.
var runMask = func() (t [256]uint64) {
	for c := range 256 {
		if byteClass[c]&classBase64 != 0 {
			t[c] |= 0xffffffff
		}
		if byteClass[c]&classHex != 0 {
			t[c] |= 0xffffffff << 32
		}
	}
	return t
}()

// Byte classes of textStats' runs.
const (
	classBase64 = 1 << iota // A-Z a-z 0-9 + / =
	classHex                // hex digits, x X \ and , (0x41, \x41 and 65,66 lists)
)

var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		if isBase64(byte(c)) {
			t[c] |= classBase64
		}
		if b := byte(c); isHex(b) || b == 'x' || b == 'X' || b == '\\' || b == ',' {
			t[c] |= classHex
		}
	}
	return t
}()

func isBase64(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// maxLiteralEntropy returns the entropy of the highest-entropy quoted
// literal of at least 32 bytes (single or double quotes, one line).
// textStats finds it in its own walk over the lines.
func maxLiteralEntropy(text string) float64 {
	lits := literals{text: text, nextDQ: -1, nextSQ: -1}
	for start := 0; start < len(text); {
		end := indexFrom(text, start, '\n')
		lits.line(start, end)
		start = end + 1
	}
	return lits.best
}

// literals finds the quoted literals of a text line by line, and keeps the
// highest entropy of those of at least 32 bytes. A literal starts at a
// quote and ends at the next quote of its kind on its line; without one,
// the rest of the line holds none. The search resumes after the closing
// quote, and nothing carries from one line to the next.
type literals struct {
	text string
	// The next double and single quote at or after the position they
	// were looked up from, or len(text); -1 before the first look-up.
	// Each is looked up with IndexByte, and again only once passed, so
	// every quote is found once, at memory speed.
	nextDQ, nextSQ int
	best           float64
}

// line takes the literals of the line text[start:end], where end is the
// index of its newline or len(text).
func (s *literals) line(start, end int) {
	if end-start < 32+2 {
		return // too short for a literal of 32 bytes and its quotes
	}
	for i := start; ; {
		if s.nextDQ < i {
			s.nextDQ = indexFrom(s.text, i, '"')
		}
		if s.nextSQ < i {
			s.nextSQ = indexFrom(s.text, i, '\'')
		}
		open := min(s.nextDQ, s.nextSQ)
		if open >= end {
			return
		}
		// The closing quote is the next quote of the kind, which is
		// also the next one to look from after the literal.
		var closing int
		if s.text[open] == '"' {
			s.nextDQ = indexFrom(s.text, open+1, '"')
			closing = s.nextDQ
		} else {
			s.nextSQ = indexFrom(s.text, open+1, '\'')
			closing = s.nextSQ
		}
		if closing >= end {
			return // unclosed
		}
		// A literal of n bytes has an entropy of log2(n) at most: it
		// cannot beat a best that high (entropyBound has a margin far
		// above rounding errors), and its histogram is skipped.
		if lit := s.text[open+1 : closing]; len(lit) >= 32 && s.best < entropyBound[min(len(lit), 256)] {
			s.best = math.Max(s.best, literalEntropy(lit))
		}
		i = closing + 1
	}
}

// entropyBound[n] is above the entropy of any n bytes, log2(n), with a
// margin of 1e-9.
var entropyBound = func() (t [257]float64) {
	for n := 1; n <= 256; n++ {
		t[n] = math.Log2(float64(n)) + 1e-9
	}
	return t
}()

// literalEntropy is the entropy of the bytes of lit. A literal has far
// fewer bytes than values: marking the values it has, with a store per
// byte that depends on no other, and packing the marks eight at a time
// costs less than testing the 256 counts (histEntropy).
func literalEntropy(lit string) float64 {
	var hist [256]int32
	var marks [256]byte // 1 for a value present
	for k := 0; k < len(lit); k++ {
		c := lit[k]
		hist[c]++
		marks[c] = 1
	}
	var present [4]uint64
	for w := range present {
		var m uint64
		for k := range 8 {
			// The eight marks of one word, one bit each: the product
			// moves mark i to bit 56+i, and no two of its terms carry.
			x := binary.LittleEndian.Uint64(marks[w*64+k*8:])
			m |= (x * 0x0102040810204080 >> 56) << (k * 8)
		}
		present[w] = m
	}
	return presentEntropy(&hist, &present, len(lit))
}

// histEntropy is the entropy of a histogram of n bytes: the sum over the
// byte values, in order, of -p*log2(p) for p = count/n > 0 (the reference,
// entropy in reference2_test.go). It adds the same terms in the same order,
// faster: the values present are listed from a bitmap, made without a
// branch, where a test of each of the 256 counts would often be
// mispredicted; and Log2, most of the cost, is computed once per distinct
// count below 64 (a literal has many bytes but few distinct counts, and a
// text many rare bytes).
func histEntropy[T int | int32](hist *[256]T, n int) float64 {
	var present [4]uint64
	for w := range present {
		var m uint64
		for k, c := range hist[w*64 : w*64+64] {
			m |= uint64(-int64(c)) >> 63 << k // counts are not negative
		}
		present[w] = m
	}
	return presentEntropy(hist, &present, n)
}

// presentEntropy is histEntropy given the bitmap of the values present in
// hist (bit v%64 of word v/64 for value v).
func presentEntropy[T int | int32](hist *[256]T, present *[4]uint64, n int) float64 {
	var logs [64]float64 // log2(count/n) for the counts in known
	var known uint64
	total := float64(n)
	h := 0.0
	for w, m := range present {
		for ; m != 0; m &= m - 1 {
			c := hist[w*64+bits.TrailingZeros64(m)]
			p := float64(c) / total
			var lg float64
			if c < 64 && known&(1<<c) != 0 {
				lg = logs[c]
			} else {
				lg = math.Log2(p)
				if c < 64 {
					logs[c], known = lg, known|1<<c
				}
			}
			h -= p * lg
		}
	}
	return h
}

// indexFrom returns the index of the first c in s at or after from, or
// len(s) when there is none.
func indexFrom(s string, from int, c byte) int {
	if i := strings.IndexByte(s[from:], c); i >= 0 {
		return from + i
	}
	return len(s)
}

// charCodeRuns counts runs of at least 8 comma-separated numbers below
// 0x110000 (character-code arrays).
func charCodeRuns(text string) int {
	runs, count := 0, 0
	i := 0
	for i < len(text) {
		if count == 0 {
			// Outside a run, a run can only start at the digits right
			// before a comma (blanks between): digits not followed by one
			// end their run of one at once. Skip to the next comma, which
			// IndexByte finds fast where digits are frequent, and back up
			// over its blanks and digits. Those digits start at i or
			// later: here text[i-1] is not a digit, or text[i] is not one.
			p := indexFrom(text, i, ',')
			if p == len(text) {
				break
			}
			q := p
			for q > i && (text[q-1] == ' ' || text[q-1] == '\t') {
				q--
			}
			d := q
			for d > i && '0' <= text[d-1] && text[d-1] <= '9' {
				d--
			}
			if d == q {
				i = p + 1
				continue
			}
			i = d
		}
		c := text[i]
		if '0' <= c && c <= '9' {
			j := i
			for j < len(text) && ('0' <= text[j] && text[j] <= '9') {
				j++
			}
			if j-i <= 7 {
				count++
			}
			k := j
			for k < len(text) && (text[k] == ' ' || text[k] == '\t') {
				k++
			}
			if k < len(text) && text[k] == ',' {
				i = k + 1
				continue
			}
			if count >= 8 {
				runs++
			}
			count = 0
			i = j
			continue
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			if count >= 8 {
				runs++
			}
			count = 0
		}
		i++
	}
	if count >= 8 {
		runs++
	}
	return runs
}

// commentLine classifies one line for the comment ratio, the share of
// non-blank lines that are whole-line comments in l's syntax: nonBlank is 1 when it
// is not blank, comment 1 when it is also a whole-line comment.
func commentLine(line string, l lang.Language) (comment, nonBlank int) {
	// Most lines start, after their blanks, with an ASCII byte that no
	// comment of l starts with: that byte alone tells that the line is
	// not blank and no comment, without trimming it.
	i := 0
	for i < len(line) && asciiSpace[line[i]] {
		i++
	}
	if i < len(line) && line[i] < utf8.RuneSelf && !mayStartComment(line[i], l) {
		return 0, 1
	}
	t := strings.TrimSpace(line)
	if t == "" {
		return 0, 0
	}
	if isComment(t, l) {
		return 1, 1
	}
	return 0, 1
}

// asciiSpace holds the ASCII bytes strings.TrimSpace trims.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// mayStartComment reports whether a whole-line comment of l (see isComment)
// may start with c.
func mayStartComment(c byte, l lang.Language) bool {
	switch l {
	case lang.PowerShell, lang.Bash, lang.Python:
		return c == '#' || c == '<'
	case lang.JavaScript:
		return c == '/' || c == '*'
	case lang.VBScript:
		return c == '\'' || c == 'r' || c == 'R'
	case lang.Batch:
		return c == ':' || c == 'r' || c == 'R' || c == '@'
	}
	return c == '#' || c == '/'
}

func isComment(t string, l lang.Language) bool {
	switch l {
	case lang.PowerShell, lang.Bash, lang.Python:
		return t[0] == '#' || strings.HasPrefix(t, "<#")
	case lang.JavaScript:
		return strings.HasPrefix(t, "//") || strings.HasPrefix(t, "/*") || strings.HasPrefix(t, "*")
	case lang.VBScript:
		return t[0] == '\'' || hasPrefixFold(t, "rem ")
	case lang.Batch:
		return strings.HasPrefix(t, "::") || hasPrefixFold(t, "rem ") || hasPrefixFold(t, "@rem ")
	}
	return t[0] == '#' || strings.HasPrefix(t, "//")
}

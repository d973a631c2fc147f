package features

import (
	"math"
	"math/bits"
	"strings"

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
	// One pass builds the byte histogram, which gives the character
	// classes and the entropy, and follows the base64 and hex runs. Four
	// histograms, summed after, let consecutive equal bytes (indentation,
	// runs of letters) increment different counters. The runs are counted
	// without branches: in code, where a run ends every few bytes, a
	// mispredicted branch per run would cost more than the arithmetic.
	var hists [4][256]uint32
	longest, b64Blobs, hexBlobs, b64Run, hexRun := 0, 0, 0, 0, 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		hists[i&3][c]++
		class := int(byteClass[c])
		inB64, inHex := class&classBase64, class>>1&1 // 1 inside a run, 0 at a byte that ends it
		// A base64 run is also a run of token characters; the longest
		// one is at least as long as any prefix of it.
		longest = max(longest, b64Run)
		b64Blobs += (inB64 ^ 1) & atLeast64(b64Run)
		hexBlobs += (inHex ^ 1) & atLeast64(hexRun)
		b64Run = (b64Run + 1) * inB64
		hexRun = (hexRun + 1) * inHex
	}
	st.longestToken = max(longest, b64Run)
	st.base64Blobs = b64Blobs + atLeast64(b64Run)
	st.hexBlobs = hexBlobs + atLeast64(hexRun)
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

	// One walk over the lines gives the longest line and the comment
	// ratio (see commentLine).
	newlines := hist['\n']
	st.lines = newlines
	comments, nonBlank := 0, 0
	for rest := text; ; {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			if len(rest) > 0 {
				st.lines++ // a last line without a newline
				st.maxLine = max(st.maxLine, len(rest))
				c, nb := commentLine(rest, l)
				comments, nonBlank = comments+c, nonBlank+nb
			}
			break
		}
		st.maxLine = max(st.maxLine, i)
		c, nb := commentLine(rest[:i], l)
		comments, nonBlank = comments+c, nonBlank+nb
		rest = rest[i+1:]
	}
	if nonBlank > 0 {
		st.commentRatio = float64(comments) / float64(nonBlank)
	}
	st.meanLine = float64(len(text)-newlines) / float64(max(st.lines, 1))
	st.entropy = entropy(hist[:], len(text))
	st.maxLiteralEntropy = maxLiteralEntropy(text)
	st.charCodeRuns = charCodeRuns(text)
	return st
}

// atLeast64 is 1 when n >= 64, else 0 (n is a run length, at most the
// length of a text).
func atLeast64(n int) int { return int(uint(63-n) >> (bits.UintSize - 1)) }

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

func entropy(hist []int, n int) float64 {
	if n == 0 {
		return 0
	}
	h := 0.0
	for _, c := range hist {
		if c > 0 {
			p := float64(c) / float64(n)
			h -= p * math.Log2(p)
		}
	}
	return h
}

// maxLiteralEntropy returns the entropy of the highest-entropy quoted
// literal of at least 32 bytes (single or double quotes, one line).
func maxLiteralEntropy(text string) float64 {
	best := 0.0
	// The next double quote, single quote and newline at or after the
	// position they were looked up from, or len(text). Each is looked up
	// with IndexByte, and again only once passed, so the search reads the
	// text about three times at memory speed instead of once byte by byte.
	nextDQ, nextSQ, nextNL := -1, -1, -1
	for i := 0; i < len(text); {
		if nextDQ < i {
			nextDQ = indexFrom(text, i, '"')
		}
		if nextSQ < i {
			nextSQ = indexFrom(text, i, '\'')
		}
		if i = min(nextDQ, nextSQ); i >= len(text) {
			break
		}
		if nextNL <= i {
			nextNL = indexFrom(text, i+1, '\n')
		}
		// The literal ends at its closing quote; an unclosed one at the
		// end of the line, after which the search for quotes resumes.
		lit := text[i+1 : nextNL]
		end := strings.IndexByte(lit, text[i])
		if end < 0 {
			i = nextNL + 1
			continue
		}
		if lit = lit[:end]; len(lit) >= 32 {
			best = math.Max(best, literalEntropy(lit))
		}
		i += 1 + end + 1
	}
	return best
}

// literalEntropy is entropy(histogram of lit, len(lit)), the same sum of
// the same terms in the same order, with Log2 (most of the cost) computed
// once per distinct count: a literal has many bytes but few distinct
// counts.
func literalEntropy(lit string) float64 {
	var hist [256]int32
	for k := 0; k < len(lit); k++ {
		hist[lit[k]]++
	}
	var logs [64]float64 // log2(count/n) for the counts in known
	var known uint64
	n := float64(len(lit))
	h := 0.0
	for _, c := range hist {
		if c <= 0 {
			continue
		}
		p := float64(c) / n
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
			// Outside a run only a digit changes anything: skip to one.
			if i = nextDigit(text, i); i == len(text) {
				break
			}
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

// nextDigit returns the index of the first ASCII digit in s at or after i,
// or len(s). It tests eight bytes at a time: XOR with '0' maps the digits,
// and only them, to bytes below 10, and (x - 0x0a..) &^ x & 0x80.. is
// non-zero exactly when some byte of x is below 10 (a borrow can only start
// at such a byte).
func nextDigit(s string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if x := w ^ '0'*ones; (x-10*ones)&^x&highs != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			return i
		}
	}
	return i
}

// commentLine classifies one line for the comment ratio, the share of
// non-blank lines that are whole-line comments in l's syntax: nonBlank is 1 when it
// is not blank, comment 1 when it is also a whole-line comment.
func commentLine(line string, l lang.Language) (comment, nonBlank int) {
	t := strings.TrimSpace(line)
	if t == "" {
		return 0, 0
	}
	if isComment(t, l) {
		return 1, 1
	}
	return 0, 1
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

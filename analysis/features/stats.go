package features

import (
	"math"
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
	var hist [256]int
	lineLen, tokenLen, b64Run, hexRun := 0, 0, 0, 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		hist[c]++
		switch {
		case c >= 0x80:
			st.nonASCII++
		case 'a' <= c && c <= 'z':
			st.alpha++
		case 'A' <= c && c <= 'Z':
			st.alpha++
			st.upper++
		case '0' <= c && c <= '9':
			st.digit++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			st.space++
		default:
			st.symbol++
		}
		if c == '\n' {
			st.lines++
			st.maxLine = max(st.maxLine, lineLen)
			lineLen = 0
		} else {
			lineLen++
		}
		if isBase64(c) {
			tokenLen++
			b64Run++
		} else {
			st.longestToken = max(st.longestToken, tokenLen)
			tokenLen = 0
			if b64Run >= 64 {
				st.base64Blobs++
			}
			b64Run = 0
		}
		if isHex(c) || c == 'x' || c == 'X' || c == '\\' || c == ',' {
			hexRun++
		} else {
			if hexRun >= 64 {
				st.hexBlobs++
			}
			hexRun = 0
		}
	}
	st.longestToken = max(st.longestToken, tokenLen)
	if b64Run >= 64 {
		st.base64Blobs++
	}
	if hexRun >= 64 {
		st.hexBlobs++
	}
	if lineLen > 0 {
		st.lines++
		st.maxLine = max(st.maxLine, lineLen)
	}
	st.meanLine = float64(len(text)-strings.Count(text, "\n")) / float64(max(st.lines, 1))
	st.entropy = entropy(hist[:], len(text))
	st.maxLiteralEntropy = maxLiteralEntropy(text)
	st.charCodeRuns = charCodeRuns(text)
	st.commentRatio = commentRatio(text, l)
	return st
}

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
	for i := 0; i < len(text); i++ {
		q := text[i]
		if q != '"' && q != '\'' {
			continue
		}
		j := i + 1
		for j < len(text) && text[j] != q && text[j] != '\n' {
			j++
		}
		if j < len(text) && text[j] == q && j-i-1 >= 32 {
			var hist [256]int
			lit := text[i+1 : j]
			for k := 0; k < len(lit); k++ {
				hist[lit[k]]++
			}
			best = math.Max(best, entropy(hist[:], len(lit)))
		}
		i = j
	}
	return best
}

// charCodeRuns counts runs of at least 8 comma-separated numbers below
// 0x110000 (character-code arrays).
func charCodeRuns(text string) int {
	runs, count := 0, 0
	i := 0
	for i < len(text) {
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

// commentRatio is the share of non-blank lines that are whole-line comments
// in l's syntax.
func commentRatio(text string, l lang.Language) float64 {
	comments, total := 0, 0
	for line := range strings.SplitSeq(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		total++
		if isComment(t, l) {
			comments++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(comments) / float64(total)
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

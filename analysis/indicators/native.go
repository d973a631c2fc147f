package indicators

import (
	"strings"
	"unicode/utf8"
)

// nativeMatchers are hand-written equivalents of a few catalog patterns that
// the regexp engine handles slowly: long counted repetitions, which compile
// to large programs that the backtracker runs from every candidate, and
// patterns with an (?<at>...) group, which cannot be split into branches.
// Each returns what (*matcher).first returns for its pattern with the
// regexp alone (FindStringIndex(w)[0], or where the at group starts), or
// -1; the matcher tests and fuzz targets hold them to the regexp. They are
// keyed by the exact pattern (as compiled, after case folding), so editing
// a pattern in the registry silently falls back to the regexp; a test
// fails when a key matches no condition.
var nativeMatchers = map[string]func(w string) int{
	`(?:["'][^"'\n]{1,4}["']\s*[+&]\s*){9,}["'][^"'\n]{1,4}["']`:                                   concatChain,
	`(?:[\[\]()!+]{2,}){40,}`:                                                                      jsfuckRun,
	`(?:\\x[0-9a-f]{2}){24,}|(?:\\u[0-9a-f]{4}){16,}|(?:%u[0-9a-f]{4}){12,}|(?:%[0-9a-f]{2}){40,}`: escapedRun,
	`(?:^|[^\w$.])(?<at>eval)\s*\(\s*[\w$(\[]`:                                                     jsEvalCall,
}

// jsEvalCall finds where eval starts in the first match of
// (?:^|[^\w$.])(?<at>eval)\s*\(\s*[\w$(\[]
//
// An occurrence of eval at q is the at group of a match exactly when q is
// 0 or the byte before it is not one of [\w$.], and the call follows. A
// byte of 0x80 or more before q ends a rune outside the class (a
// multi-byte rune, or an invalid byte, which the engine reads as U+FFFD),
// and no valid rune holds an ASCII byte, so the rune before q always ends
// at q. Matches of later occurrences start later, so the first occurrence
// that qualifies is the answer.
func jsEvalCall(w string) int {
	for from := 0; ; {
		k := strings.Index(w[from:], "eval")
		if k < 0 {
			return -1
		}
		q := from + k
		from = q + 1
		if q > 0 {
			if c := w[q-1]; c == '$' || c == '.' || isIdent(c) {
				continue
			}
		}
		p := skipSpace(w, q+len("eval"))
		if p >= len(w) || w[p] != '(' {
			continue
		}
		if p = skipSpace(w, p+1); p < len(w) {
			if c := w[p]; c == '$' || c == '(' || c == '[' || isIdent(c) {
				return q
			}
		}
	}
}

// concatChain finds ten or more short quoted strings joined by + or &:
// (?:["'][^"'\n]{1,4}["']\s*[+&]\s*){9,}["'][^"'\n]{1,4}["']
//
// From a given start the match is forced: a string ends at the first quote
// after its opening one, and white space, [+&] and quotes are disjoint. So
// a match starts at p exactly when the chain of strings parsed from p is
// at least ten long.
func concatChain(w string) int {
	const need = 10
	for p := 0; p < len(w); p++ {
		// The next quote; strings.IndexAny would build its byte set on
		// every call, and quotes are close together in scripts.
		for p < len(w) && w[p] != '"' && w[p] != '\'' {
			p++
		}
		if p == len(w) {
			return -1
		}
		n, at := 0, p
		for n < need {
			end := quotedShort(w, at)
			if end < 0 {
				break
			}
			n++
			at = concatSep(w, end)
			if at < 0 {
				break
			}
		}
		if n >= need {
			return p
		}
	}
	return -1
}

// quotedShort parses ["'][^"'\n]{1,4}["'] at w[p:] and returns the offset
// after it, or -1. It counts runes as the regexp engine does: an invalid
// byte is one rune.
func quotedShort(w string, p int) int {
	if p >= len(w) || (w[p] != '"' && w[p] != '\'') {
		return -1
	}
	i := p + 1
	for runes := 0; ; runes++ {
		if i >= len(w) {
			return -1
		}
		switch w[i] {
		case '"', '\'':
			if runes == 0 {
				return -1
			}
			return i + 1
		case '\n':
			return -1
		}
		if runes == 4 {
			return -1
		}
		_, size := utf8.DecodeRuneInString(w[i:])
		i += size
	}
}

// concatSep parses \s*[+&]\s* at w[p:] and returns the offset after it, or
// -1.
func concatSep(w string, p int) int {
	p = skipSpace(w, p)
	if p >= len(w) || (w[p] != '+' && w[p] != '&') {
		return -1
	}
	return skipSpace(w, p+1)
}

// skipSpace skips the regexp's \s, [\t\n\f\r ].
func skipSpace(w string, p int) int {
	for p < len(w) {
		switch w[p] {
		case '\t', '\n', '\f', '\r', ' ':
			p++
		default:
			return p
		}
	}
	return p
}

// jsfuckRun finds a run of 80 or more of []()!+, which is what
// (?:[\[\]()!+]{2,}){40,} matches; it starts where the first such run
// does. The search skips as base64Blob's does.
func jsfuckRun(w string) int {
	const need = 80
	in := func(c byte) bool {
		switch c {
		case '[', ']', '(', ')', '!', '+':
			return true
		}
		return false
	}
	for i := 0; i+need <= len(w); {
		k := i + need - 1
		for k >= i && in(w[k]) {
			k--
		}
		if k >= i {
			i = k + 1
			continue
		}
		return i // w[i-1] is not in the set (or i is 0): the run starts here
	}
	return -1
}

// escapedRun finds the first of 24 \xHH, 16 \uHHHH, 12 %uHHHH or 40 %HH
// escapes in a row (lower-case hex), the earliest start of any of
// (?:\\x[0-9a-f]{2}){24,}|(?:\\u[0-9a-f]{4}){16,}|(?:%u[0-9a-f]{4}){12,}|(?:%[0-9a-f]{2}){40,}
func escapedRun(w string) int {
	best := -1
	for _, e := range [...]struct {
		prefix string
		hex    int
		need   int
	}{{`\x`, 2, 24}, {`\u`, 4, 16}, {`%u`, 4, 12}, {`%`, 2, 40}} {
		end := len(w)
		if best >= 0 {
			end = best // only an earlier start matters
		}
		if p := escapeRun(w, end, e.prefix, e.hex, e.need); p >= 0 {
			best = p
		}
	}
	return best
}

// escapeBytes are the bytes of the escapes escapedRun looks for.
var escapeBytes = byteSet(`\%xu0123456789abcdef`)

// escapeRun returns the first offset before end where need escapes of
// prefix followed by hex lower-case hex digits start back to back, or -1.
// None of these escapes can start inside another (its second byte and its
// digits are not the prefix's first byte), so after a run of n escapes the
// search resumes past them.
//
// A run fills need*width bytes with escapeBytes, so each search for the
// prefix starts at the first such stretch (see stretch): on a line with
// scattered % or \ signs, most of the line is skipped unread.
func escapeRun(w string, end int, prefix string, hex, need int) int {
	width := len(prefix) + hex
	for from := 0; from < end; {
		if from = stretch(w, from, need*width, &escapeBytes); from < 0 || from >= end {
			return -1
		}
		k := strings.Index(w[from:min(len(w), end-1+len(prefix))], prefix)
		if k < 0 {
			return -1
		}
		p := from + k
		n := 0
		for q := p; n < need && isEscape(w, q, prefix, hex); q += width {
			n++
		}
		if n >= need {
			return p
		}
		from = p + max(1, n*width)
	}
	return -1
}

func isEscape(w string, p int, prefix string, hex int) bool {
	if p+len(prefix)+hex > len(w) || w[p:p+len(prefix)] != prefix {
		return false
	}
	for _, c := range []byte(w[p+len(prefix) : p+len(prefix)+hex]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

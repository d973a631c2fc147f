package decode

import (
	"regexp"
	"strings"
)

// Hand-written matchers for the hottest patterns. Go's regexp has no DFA:
// a pattern without a literal prefix walks the whole layer through its NFA,
// which cost ~0.5 ms per 5 KB JavaScript layer for the sink pattern alone.
// Each matcher below returns exactly the submatch indexes FindAll of the
// pattern it replaces would (match_test.go checks them against the
// original regexps), found by looking backwards from the one byte every
// match ends with, or by anchoring the regexp at candidate offsets.

// isRESpace is RE2's \s: [\t\n\f\r ].
func isRESpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// runStart returns the start of the run of bytes satisfying in that ends at
// end (exclusive).
func runStart(s string, end int, in func(byte) bool) int {
	for end > 0 && in(s[end-1]) {
		end--
	}
	return end
}

// spaceStart returns the start of the run of \s bytes that ends at end.
func spaceStart(s string, end int) int { return runStart(s, end, isRESpace) }

// findJSSinks returns what
//
//	(?i)\b(eval|settimeout|setinterval|execscript|new\s+function|function|new\s+activexobject|activexobject)\s*\(|\.\s*(run|exec|shellexecute)\s*\(
//
// .FindAllStringSubmatchIndex(text, -1) returns for the ASCII-lower-cased
// text lower, except that only ASCII letters fold (the regexp's (?i) also
// lets U+017F stand for 's', which JavaScript does not). Every match ends
// at a '(' and holds no other '(', so matches are found per '(' and never
// overlap.
func findJSSinks(lower string) [][]int {
	var out [][]int
	for i := 0; i < len(lower); {
		k := strings.IndexByte(lower[i:], '(')
		if k < 0 {
			break
		}
		p := i + k
		i = p + 1
		j := spaceStart(lower, p)
		ws := runStart(lower, j, isWord)
		switch lower[ws:j] {
		case "eval", "settimeout", "setinterval", "execscript":
			out = append(out, []int{ws, p + 1, ws, j, -1, -1})
		case "function", "activexobject":
			start := ws
			if sp := spaceStart(lower, ws); sp < ws {
				if ns := runStart(lower, sp, isWord); lower[ns:sp] == "new" {
					start = ns
				}
			}
			out = append(out, []int{start, p + 1, start, j, -1, -1})
		case "run", "exec", "shellexecute":
			if d := spaceStart(lower, ws); d > 0 && lower[d-1] == '.' {
				out = append(out, []int{d - 1, p + 1, -1, -1, ws, j})
			}
		}
	}
	return out
}

func isJSIdent(c byte) bool { return isWord(c) || c == '$' }

// findJSArrayDecls returns what
//
//	\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*\[
//
// .FindAllStringSubmatchIndex(text, n) returns. Every match ends at a '['
// and holds no other.
func findJSArrayDecls(text string, n int) [][]int {
	var out [][]int
	for i := 0; i < len(text) && (n < 0 || len(out) < n); {
		k := strings.IndexByte(text[i:], '[')
		if k < 0 {
			break
		}
		p := i + k
		i = p + 1
		eq := spaceStart(text, p)
		if eq == 0 || text[eq-1] != '=' {
			continue
		}
		ie := spaceStart(text, eq-1)
		is := runStart(text, ie, isJSIdent)
		if is == ie || text[is] >= '0' && text[is] <= '9' {
			continue
		}
		ke := spaceStart(text, is)
		if ke == is {
			continue
		}
		ks := runStart(text, ke, isWord)
		switch text[ks:ke] {
		case "var", "let", "const":
			out = append(out, []int{ks, p + 1, is, ie})
		}
	}
	return out
}

// reEncodedCommandAt is reEncodedCommand anchored at the dash's preceding
// byte (or at the dash, at the start of the text).
var reEncodedCommandAt = regexp.MustCompile(`(?i)^[\s"'^]?[-/\x{2013}\x{2014}](e[a-z]{0,13})(?:\s+|:)["']?([A-Za-z0-9+/]{16,}={0,2})`)

// findEncodedCommands returns what
//
//	(?i)(?:^|[\s"'^])[-/\x{2013}\x{2014}](e[a-z]{0,13})(?:\s+|:)["']?([A-Za-z0-9+/]{16,}={0,2})
//
// .FindAllStringSubmatchIndex(text, -1) returns, running the anchored
// pattern only where a dash is followed by an e.
func findEncodedCommands(text string) [][]int {
	var out [][]int
	next := 0 // FindAll resumes at the end of the previous match
	for i := 0; i < len(text); i++ {
		c := text[i]
		dash := 0
		switch {
		case c == '-' || c == '/':
			dash = 1
		case c == 0xE2 && i+2 < len(text) && text[i+1] == 0x80 && (text[i+2] == 0x93 || text[i+2] == 0x94):
			dash = 3
		default:
			continue
		}
		if i+dash >= len(text) || text[i+dash]|0x20 != 'e' {
			continue
		}
		start := i
		if i > 0 {
			switch text[i-1] {
			case ' ', '\t', '\n', '\r', '\f', '"', '\'', '^':
				start = i - 1
			default:
				continue
			}
		}
		if start < next {
			continue
		}
		m := reEncodedCommandAt.FindStringSubmatchIndex(text[start:])
		if m == nil {
			continue
		}
		for k := range m {
			m[k] += start
		}
		out = append(out, m)
		next = m[1]
		i = next - 1
	}
	return out
}

// findShAssigns returns, for every match of
//
//	(?m)(?:^|[;&|]|\bthen\b|\bdo\b)\s*(?:export\s+|local\s+)?([A-Za-z_]\w*)=
//
// in text, {-1, end, nameStart, nameEnd}: FindAllStringSubmatchIndex's
// indexes except the match start, which rewriteBashVars does not use.
// Every match ends at a '=' and holds no other, and its name is the whole
// run of word bytes before that '=', so each '=' is checked backwards.
func findShAssigns(text string) [][]int {
	var out [][]int
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], '=')
		if k < 0 {
			break
		}
		q := i + k
		i = q + 1
		ns := runStart(text, q, isWord)
		if ns == q || text[ns] >= '0' && text[ns] <= '9' {
			continue
		}
		if shAssignPrefix(text, ns, true) {
			out = append(out, []int{-1, q + 1, ns, q})
		}
	}
	return out
}

// shAssignPrefix reports whether (?m)(?:^|[;&|]|\bthen\b|\bdo\b)\s* can end
// at end, optionally followed by export\s+ or local\s+ when keyword is set.
func shAssignPrefix(text string, end int, keyword bool) bool {
	j := spaceStart(text, end)
	if j == 0 || strings.IndexByte(text[j-1:end], '\n') >= 0 {
		return true // ^ at the start of the text or of a line
	}
	if c := text[j-1]; c == ';' || c == '&' || c == '|' {
		return true
	}
	ws := runStart(text, j, isWord)
	switch text[ws:j] {
	case "then", "do":
		return true
	case "export", "local":
		return keyword && j < end && shAssignPrefix(text, ws, false)
	}
	return false
}

// findIEXWords returns what (?i)\b(?:iex|invoke-expression)\b
// .FindAllStringIndex(text, -1) returns; lower is text ASCII-lower-cased.
// Occurrences never overlap, so each is checked for its word boundaries.
// A text holding U+017F or U+212A, which (?i) folds into 's' and 'k' (as
// PowerShell's case-insensitive command lookup may), goes to the regexp.
func findIEXWords(text, lower string) [][]int {
	if strings.Contains(text, "\u017f") || strings.Contains(text, "\u212a") {
		return reIEXWord.FindAllStringIndex(text, -1)
	}
	var out [][]int
	for i := 0; i < len(lower); {
		k := strings.IndexByte(lower[i:], 'i')
		if k < 0 {
			break
		}
		p := i + k
		i = p + 1
		n := 0
		switch {
		case strings.HasPrefix(lower[p:], "iex"):
			n = 3
		case strings.HasPrefix(lower[p:], "invoke-expression"):
			n = len("invoke-expression")
		default:
			continue
		}
		if (p == 0 || !isWord(lower[p-1])) && (p+n == len(lower) || !isWord(lower[p+n])) {
			out = append(out, []int{p, p + n})
			i = p + n
		}
	}
	return out
}

// findInvokeOps returns what [.&]\s*\( .FindAllStringIndex(text, -1)
// returns: every match ends at a '(' and holds no other.
func findInvokeOps(text string) [][]int {
	var out [][]int
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], '(')
		if k < 0 {
			break
		}
		p := i + k
		i = p + 1
		if q := spaceStart(text, p) - 1; q >= 0 && (text[q] == '.' || text[q] == '&') {
			out = append(out, []int{q, p + 1})
		}
	}
	return out
}

// findBashEvals returns what \b(?:eval|(?:ba|da|z|k)?sh\s+-c)\s+
// .FindAllStringIndex(text, -1) returns. Every match starts with a whole
// word that whitespace follows, so each such word is looked at once.
func findBashEvals(text string) [][]int {
	var out [][]int
	for j := 1; j < len(text); j++ {
		if !isRESpace(text[j]) || !isWord(text[j-1]) {
			continue
		}
		ws := runStart(text, j, isWord)
		end := j
		for end < len(text) && isRESpace(text[end]) {
			end++
		}
		switch text[ws:j] {
		case "eval":
		case "sh", "bash", "dash", "zsh", "ksh":
			if !strings.HasPrefix(text[end:], "-c") || end+2 >= len(text) || !isRESpace(text[end+2]) {
				continue
			}
			end += 2
			for end < len(text) && isRESpace(text[end]) {
				end++
			}
		default:
			continue
		}
		out = append(out, []int{ws, end})
		j = end - 1
	}
	return out
}

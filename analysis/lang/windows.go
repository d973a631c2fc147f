package lang

import "strings"

// Windows command lines are valid in both cmd.exe and PowerShell, and the
// model's vocabulary (registry paths, executables) is shared by the two. The
// syntax each shell alone accepts settles most of those cases.

// shellMarkers counts PowerShell-only and cmd.exe-only constructs in text.
// strong counts the cmd.exe constructs that no Unix shell script has
// either (line-start keywords such as @echo, goto, setlocal, rem).
func shellMarkers(text string) (ps, bat, strong int) {
	if len(text) > maxScan {
		text = text[:maxScan]
	}
	// A line that mentions errorlevel counts once: the lines are found
	// from the instances in the whole text, rarely any, rather than by a
	// search of every line.
	bat = linesWithFold(text, "errorlevel")
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		p, b, st := lineMarkers(line)
		ps += p
		bat += b
		strong += st
	}
	return ps, bat, strong
}

func lineMarkers(line string) (ps, bat, strong int) {
	switch {
	case batchLineStart(line):
		bat++
		strong++
	case line[0] == '&' && len(line) > 2 && line[1] == ' ' && (line[2] == '"' || line[2] == '\'' || line[2] == '$' || line[2] == '('):
		// The call operator.
		ps++
	case line[0] == '"':
		// A quoted command followed by arguments is an error in PowerShell,
		// which needs the call operator (&).
		if j := strings.IndexByte(line[1:], '"'); j >= 0 {
			rest := strings.TrimSpace(line[j+2:])
			if rest != "" && rest[0] != '|' && rest[0] != '.' && rest[0] != '+' && rest[0] != ';' && rest[0] != '-' && rest[0] != ')' {
				bat++
			}
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if !markerByte[c] {
			continue
		}
		switch c {
		case '%':
			// %VAR%, %~dp0, %%i
			if i+2 < len(line) && (line[i+1] == '~' || line[i+1] == '%' && isLetter(line[i+2])) {
				bat++
			} else if j := strings.IndexByte(line[i+1:], '%'); j > 0 && j < 40 && isWordRun(line[i+1:i+1+j]) {
				bat++
				i += j + 1
			}
		case '$':
			if i+1 < len(line) && (isLetter(line[i+1]) || line[i+1] == '(' || line[i+1] == '{') {
				ps++
			}
		case '[':
			if strings.HasPrefix(line[i:], "[System.") || strings.HasPrefix(line[i:], "[Convert]") || strings.Contains(line[i:min(len(line), i+40)], "]::") {
				ps++
			}
		case '^':
			if i+1 < len(line) && (line[i+1] == '&' || line[i+1] == '|' || line[i+1] == '>' || line[i+1] == '<') {
				bat++
			}
		case '>':
			if hasPrefixFold(line[i:], ">nul") || hasPrefixFold(line[i:], "> nul") {
				bat++
			}
		}
	}
	if strings.IndexByte(line, '-') < 0 {
		return ps, bat, strong
	}
	// Verb-Noun cmdlets outside quotes.
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(line) && line[i+1] == quote {
				i++ // an escaped quote does not end the string
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case isLetter(c) && (i == 0 || !isWordByte(line[i-1]) && line[i-1] != '-' && line[i-1] != '\\' && line[i-1] != '.' && line[i-1] != '/'):
			j := wordEnd(line, i)
			w := line[i:j]
			if k := strings.IndexByte(w, '-'); k > 0 && len(w)-k > 3 && isLetter(w[k+1]) && isVerb(w[:k]) {
				ps++
			}
			i = j - 1
		}
	}
	return ps, bat, strong
}

// batchLineStart reports the cmd.exe-only line starts (@echo, rem, ::,
// setlocal, goto, set /, call :, start "", :label), in any case, by the
// first byte of line (not empty) and then its prefixes.
func batchLineStart(line string) bool {
	switch lowerByte[line[0]] {
	case '@':
		return hasPrefixFold(line, "@echo")
	case 'r':
		return hasPrefixFold(line, "rem ")
	case ':':
		return len(line) > 1 && (line[1] == ':' || isLetter(line[1]))
	case 's':
		return hasPrefixFold(line, "setlocal") || hasPrefixFold(line, "set /") || hasPrefixFold(line, "start \"")
	case 'g':
		return hasPrefixFold(line, "goto ")
	case 'c':
		return hasPrefixFold(line, "call :")
	}
	return false
}

// linesWithFold counts the lines of text that contain the lower-case
// ASCII word sub (without a line feed) in any case: the lines for which
// containsFold holds.
func linesWithFold(text, sub string) int {
	n := 0
	for {
		i := indexFold(text, sub)
		if i < 0 {
			return n
		}
		n++
		// Go on at the next line.
		j := strings.IndexByte(text[i+len(sub):], '\n')
		if j < 0 {
			return n
		}
		text = text[i+len(sub)+j+1:]
	}
}

// markerByte marks the bytes that start the constructs the loop of
// lineMarkers looks for.
var markerByte = [256]bool{'%': true, '$': true, '[': true, '^': true, '>': true}

func isWordRun(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) && s[i] != ':' && s[i] != '~' && s[i] != '=' && s[i] != '.' && s[i] != ',' && s[i] != '-' {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s starts with the lower-case ASCII string
// prefix in any case. It compares ASCII letters only, which for an ASCII
// prefix is what strings.EqualFold(s[:len(prefix)], prefix) does: a rune
// beyond ASCII takes more than one byte, so such a window of s would hold
// fewer runes than prefix.
func hasPrefixFold(s, prefix string) bool { return hasPrefixLowerASCII(s, prefix) }

// containsFold reports whether s contains the lower-case ASCII word sub
// in any case (ASCII letters only, as hasPrefixFold). It looks for the
// rarest letter of sub, in either case, with strings.IndexByte.
func containsFold(s, sub string) bool {
	k := rarestByte(sub)
	c := sub[k]
	if foldAt(s, sub, k, c) >= 0 {
		return true
	}
	return c >= 'a' && c <= 'z' && foldAt(s, sub, k, c-('a'-'A')) >= 0
}

// indexFold is the index of the first instance in s of the lower-case
// ASCII word sub in any case (as containsFold), or -1.
func indexFold(s, sub string) int {
	k := rarestByte(sub)
	c := sub[k]
	i := foldAt(s, sub, k, c)
	if c < 'a' || c > 'z' {
		return i
	}
	// An instance with the other case of c comes first if it ends before
	// the end of the first one.
	upper := s
	if i >= 0 {
		upper = s[:i+len(sub)-1]
	}
	if j := foldAt(upper, sub, k, c-('a'-'A')); j >= 0 {
		return j
	}
	return i
}

// foldAt is the index of the first instance of sub in s, in any ASCII
// case, at an instance of c, the byte sub[k] in one of its cases, or -1.
func foldAt(s, sub string, k int, c byte) int {
	last := len(s) - len(sub) + k // the last offset of c that can match
	for i := k; i <= last; {
		j := strings.IndexByte(s[i:last+1], c)
		if j < 0 {
			return -1
		}
		if hasPrefixLowerASCII(s[i+j-k:], sub) {
			return i + j - k
		}
		i += j + 1
	}
	return -1
}

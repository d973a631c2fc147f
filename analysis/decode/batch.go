package decode

import (
	"strconv"
	"strings"
)

// rewriteBatchCaret removes caret escapes (and joins ^-continued lines).
func rewriteBatchCaret(s *scan) (string, bool) {
	text := s.text
	if !strings.Contains(text, "^") {
		return text, false
	}
	var b strings.Builder
	b.Grow(len(text))
	sig := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '^' || i+1 >= len(text) {
			b.WriteByte(c)
			continue
		}
		n := text[i+1]
		switch {
		case n == '\n':
			i++
		case n == '\r' && i+2 < len(text) && text[i+2] == '\n':
			i += 2
		default:
			if i > 0 && isAlnum(text[i-1]) && isAlnum(n) {
				sig = true
			}
			b.WriteByte(n)
			i++
		}
	}
	return b.String(), sig
}

// winDefaults are the usual values of Windows variables that obfuscators
// slice with %VAR:~n,m% (Dosfuscation). They are used for substring and
// replace operations only; a plain %VAR% reference is left as written.
var winDefaults = map[string]string{
	"comspec":                "C:\\Windows\\system32\\cmd.exe",
	"windir":                 "C:\\Windows",
	"systemroot":             "C:\\Windows",
	"public":                 "C:\\Users\\Public",
	"programdata":            "C:\\ProgramData",
	"allusersprofile":        "C:\\ProgramData",
	"programfiles":           "C:\\Program Files",
	"programfiles(x86)":      "C:\\Program Files (x86)",
	"commonprogramfiles":     "C:\\Program Files\\Common Files",
	"os":                     "Windows_NT",
	"pathext":                ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC",
	"processor_architecture": "AMD64",
	"systemdrive":            "C:",
	"homedrive":              "C:",
	"psmodulepath":           "C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules\\",
}

// batchEnv is the variable state of a batch file under static expansion.
type batchEnv struct {
	vars      map[string]string
	ops       int // substring/replace operations applied
	adjacent  int // expansions glued to letters or to another reference
	expansion int
}

// ref expands one %name...% or !name...! body; ok is false when the variable
// is unknown (the reference is kept).
func (e *batchEnv) ref(body string) (string, bool) {
	name, mod := body, ""
	if k := strings.IndexByte(body, ':'); k > 0 {
		name, mod = body[:k], body[k+1:]
	}
	key := strings.ToLower(name)
	val, ok := e.vars[key]
	if !ok {
		if mod == "" {
			return "", false
		}
		if val, ok = winDefaults[key]; !ok {
			return "", false
		}
	}
	if mod == "" {
		return val, true
	}
	if strings.HasPrefix(mod, "~") {
		v, ok := substr(val, mod[1:])
		if ok {
			e.ops++
		}
		return v, ok
	}
	if k := strings.IndexByte(mod, '='); k >= 0 {
		from, to := mod[:k], mod[k+1:]
		if from == "" {
			return "", false
		}
		e.ops++
		if strings.HasPrefix(from, "*") {
			from = from[1:]
			i := indexFold(val, from)
			if from == "" || i < 0 {
				return val, true
			}
			return to + val[i+len(from):], true
		}
		return replaceFold(val, from, to), true
	}
	return "", false
}

// substr implements %var:~start[,len]% with negative values.
func substr(v, spec string) (string, bool) {
	parts := strings.SplitN(spec, ",", 2)
	start, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil {
		return "", false
	}
	n := len(v)
	if start < 0 {
		start += n
		if start < 0 {
			start = 0
		}
	}
	if start > n {
		start = n
	}
	end := n
	if len(parts) == 2 {
		l, err := strconv.Atoi(strings.TrimSpace(parts[1]))
		if err != nil {
			return "", false
		}
		if l < 0 {
			end = n + l
		} else {
			end = start + l
		}
		if end > n {
			end = n
		}
		if end < start {
			end = start
		}
	}
	return v[start:end], true
}

func indexFold(s, sub string) int {
	return strings.Index(asciiLower(s), asciiLower(sub))
}

func replaceFold(s, from, to string) string {
	var b strings.Builder
	ls, lf := asciiLower(s), asciiLower(from)
	for {
		i := strings.Index(ls, lf)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(to)
		s, ls = s[i+len(from):], ls[i+len(from):]
	}
}

// expand replaces the known references delimited by d ('%' or '!') in line.
func (e *batchEnv) expand(line string, d byte, max int) (string, bool) {
	if strings.IndexByte(line, d) < 0 {
		return line, true
	}
	var b strings.Builder
	last := 0
	prevEnd := -1
	for i := 0; i < len(line); i++ {
		if line[i] != d {
			continue
		}
		if d == '%' && i+1 < len(line) && (line[i+1] == '%' || line[i+1] == '~' || line[i+1] == '*' || line[i+1] >= '0' && line[i+1] <= '9') {
			i++ // %%, %~dp0, %*, %1
			continue
		}
		j := strings.IndexByte(line[i+1:], d)
		if j < 0 {
			break
		}
		body := line[i+1 : i+1+j]
		if body == "" || strings.ContainsAny(body, " \t\"") && !strings.Contains(body, ":") {
			continue
		}
		v, ok := e.ref(body)
		if !ok {
			continue
		}
		e.expansion++
		end := i + j + 2
		if i == prevEnd || (i > 0 && isAlnum(line[i-1])) || (end < len(line) && isAlnum(line[end])) {
			e.adjacent++
		}
		b.WriteString(line[last:i])
		b.WriteString(v)
		if b.Len() > max {
			return "", false
		}
		last, prevEnd = end, end
		i = end - 1
	}
	b.WriteString(line[last:])
	return b.String(), true
}

var reSet = lazyRegexp(`(?i)^\s*@?\s*set\s+("?)([^=/"\s][^="]*)=(.*)$`)

// matchSet is reSet().FindStringSubmatch(line), which most lines fail at
// their first word: a line goes to the regexp only when that word can be
// "set", in any case ((?i) also folds U+017F into s, whose UTF-8 starts
// with 0xC5).
func matchSet(line string) []string {
	k := skipRESpace(line, 0)
	if k < len(line) && line[k] == '@' {
		k = skipRESpace(line, k+1)
	}
	if k == len(line) || line[k]|0x20 != 's' && line[k] != 0xC5 {
		return nil
	}
	return reSet().FindStringSubmatch(line)
}

// rewriteBatchSet statically expands set variables line by line.
func rewriteBatchSet(s *scan) (string, bool) {
	text, max := s.text, s.max
	if !strings.Contains(s.lowered(), "set") {
		return text, false
	}
	e := &batchEnv{vars: map[string]string{}}
	var out strings.Builder
	out.Grow(len(text))
	var segs []string // reused from line to line
	for _, line := range strings.SplitAfter(text, "\n") {
		exp, ok := e.expand(line, '%', max)
		if !ok {
			return text, false
		}
		segs = splitAmp(segs[:0], exp)
		for k, seg := range segs {
			if strings.IndexByte(seg, '!') >= 0 {
				if s2, ok := e.expand(seg, '!', max); ok {
					segs[k], seg = s2, s2
				}
			}
			m := matchSet(strings.TrimRight(seg, "\r\n"))
			if m == nil {
				continue
			}
			val := m[3]
			if m[1] == `"` {
				if q := strings.LastIndexByte(val, '"'); q >= 0 {
					val = val[:q]
				}
			}
			if len(val) <= max {
				e.vars[strings.ToLower(m[2])] = val
			}
		}
		for _, seg := range segs {
			out.WriteString(seg)
		}
		if out.Len() > max {
			return text, false
		}
	}
	if e.expansion == 0 {
		return text, false
	}
	return out.String(), e.ops > 0 || e.adjacent > 0
}

// splitAmp splits a command line at & separators outside quotes, keeping
// the separators with the preceding segment, and appends the segments to
// segs.
func splitAmp(segs []string, line string) []string {
	inQ := false
	last := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			inQ = !inQ
		case '&':
			if !inQ {
				segs = append(segs, line[last:i+1])
				last = i + 1
			}
		}
	}
	return append(segs, line[last:])
}

// reCmdC finds nested cmd /c; findCmdCs runs reCmdCAt, the same pattern
// anchored, only where cmd occurs.
var (
	reCmdC   = lazyRegexp(`(?i)\b` + cmdC)
	reCmdCAt = lazyRegexp(`(?i)^` + cmdC)
)

const cmdC = `cmd(?:\.exe)?"?((?:\s+/[a-z](?::\w+)?)*)\s*/[ckr]\s+`

// findCmdCs returns what reCmdC().FindAllStringSubmatchIndex(text, -1)
// returns. No rune but ASCII letters folds into c, m or d, so the ASCII
// case-insensitive occurrences of cmd are all the places a match can
// start.
func findCmdCs(text string) [][]int {
	return findAnchored(reCmdCAt(), text, true, true, "cmd")
}

// extractCmdC emits the command string of nested cmd /c "...".
func extractCmdC(s *scan) []finding {
	var out []finding
	for _, m := range findCmdCs(s.text) {
		start := m[1]
		eol := strings.IndexByte(s.text[start:], '\n')
		if eol < 0 {
			eol = len(s.text) - start
		}
		line := strings.TrimRight(s.text[start:start+eol], "\r \t")
		end := start + len(line)
		if strings.HasPrefix(line, `"`) {
			if q := strings.LastIndexByte(line, '"'); q > 0 {
				line = line[1:q]
				start, end = start+1, start+q
			}
		}
		if len(strings.TrimSpace(line)) < 4 {
			continue
		}
		out = append(out, finding{span: Span{start, end}, text: line, size: len(line)})
	}
	return out
}

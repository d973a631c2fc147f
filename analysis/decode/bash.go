package decode

import (
	"strconv"
	"strings"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// shWord parses one shell word at s[i] (quotes and $'...' concatenated).
// pure is false when the word expands variables or commands.
func shWord(s string, i int) (val string, end int, pure bool) {
	var b strings.Builder
	pure = true
	j := i
	for j < len(s) {
		c := s[j]
		switch {
		case c == '\'':
			k := strings.IndexByte(s[j+1:], '\'')
			if k < 0 {
				return b.String(), len(s), false
			}
			b.WriteString(s[j+1 : j+1+k])
			j += k + 2
		case c == '$' && j+1 < len(s) && s[j+1] == '\'':
			v, e, ok := ansiC(s, j+1)
			if !ok {
				return b.String(), len(s), false
			}
			b.WriteString(v)
			j = e
		case c == '"':
			k := j + 1
			for k < len(s) && s[k] != '"' {
				if s[k] == '\\' && k+1 < len(s) && strings.IndexByte("\"\\$`\n", s[k+1]) >= 0 {
					if s[k+1] != '\n' {
						b.WriteByte(s[k+1])
					}
					k += 2
					continue
				}
				if s[k] == '$' || s[k] == '`' {
					pure = false
				}
				b.WriteByte(s[k])
				k++
			}
			if k >= len(s) {
				return b.String(), len(s), false
			}
			j = k + 1
		case c == '\\' && j+1 < len(s):
			b.WriteByte(s[j+1])
			j += 2
		case isSpace(c) || strings.IndexByte("|;&<>()", c) >= 0:
			return b.String(), j, pure
		default:
			if c == '$' || c == '`' {
				pure = false
			}
			b.WriteByte(c)
			j++
		}
	}
	return b.String(), j, pure
}

// ansiC decodes the $'...' body whose quote is at s[i]; it returns the value
// and the index after the closing quote.
func ansiC(s string, i int) (string, int, bool) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		if c == '\'' {
			return b.String(), j + 1, true
		}
		if c != '\\' || j+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		v, adv, _ := cEscape(s, j, false)
		b.WriteString(v)
		j += adv - 1
	}
	return "", len(s), false
}

// cEscape decodes a C-style escape (printf, echo -e, $'...') at s[j]=='\\'.
// echo selects echo -e octal (\0NNN). counted reports \x and octal escapes.
func cEscape(s string, j int, echo bool) (string, int, bool) {
	c := s[j+1]
	switch c {
	case 'n':
		return "\n", 2, false
	case 't':
		return "\t", 2, false
	case 'r':
		return "\r", 2, false
	case 'a':
		return "\a", 2, false
	case 'b':
		return "\b", 2, false
	case 'f':
		return "\f", 2, false
	case 'v':
		return "\v", 2, false
	case 'e', 'E':
		return "\x1b", 2, false
	case '\\', '\'', '"', '?':
		return string(c), 2, false
	case 'x':
		k := j + 2
		for k < len(s) && k < j+4 && isHex(s[k]) {
			k++
		}
		if k == j+2 {
			return `\x`, 2, false
		}
		v, _ := strconv.ParseUint(s[j+2:k], 16, 8)
		return string([]byte{byte(v)}), k - j, true
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		k := j + 2
		for k < len(s) && k < j+2+n && isHex(s[k]) {
			k++
		}
		if k > j+2 {
			v, _ := strconv.ParseUint(s[j+2:k], 16, 32)
			if v <= 0x10FFFF && (v < 0xD800 || v > 0xDFFF) {
				return string(rune(v)), k - j, true
			}
		}
	}
	if c >= '0' && c <= '7' {
		k := j + 1
		limit := j + 4
		if echo && c == '0' {
			limit = j + 5
		}
		for k < len(s) && k < limit && s[k] >= '0' && s[k] <= '7' {
			k++
		}
		v, _ := strconv.ParseUint(s[j+1:k], 8, 16)
		return string([]byte{byte(v)}), k - j, true
	}
	return s[j : j+2], 2, false
}

// printfDecode decodes the escapes of a printf format or echo -e argument.
func printfDecode(f string, echo bool) (string, int) {
	var b strings.Builder
	n := 0
	for j := 0; j < len(f); j++ {
		c := f[j]
		switch {
		case c == '\\' && j+1 < len(f):
			v, adv, counted := cEscape(f, j, echo)
			b.WriteString(v)
			if counted {
				n++
			}
			j += adv - 1
		case c == '%' && !echo && j+1 < len(f) && f[j+1] == '%':
			b.WriteByte('%')
			j++
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), n
}

// shSinkLang names the interpreter a pipeline feeds, from the text after
// the decoding command.
var reShSink = lazyRegexp(`^\s*\|\s*(?:sudo\s+)?(?:/usr)?(?:/bin/)?(bash|sh|zsh|dash|ksh|python[0-9.]*|perl|pwsh|powershell)\b`)

func shSinkLang(rest string) lang.Language {
	m := reShSink().FindStringSubmatch(rest)
	if m == nil {
		return lang.Unknown
	}
	switch {
	case strings.HasPrefix(m[1], "python"):
		return lang.Python
	case m[1] == "pwsh" || m[1] == "powershell":
		return lang.PowerShell
	case m[1] == "perl":
		return lang.Unknown
	}
	return lang.Bash
}

const b64Decoder = `(?:base64(?:\s+-[a-z]+)*\s+(?:-d|--decode|-di|-id|-D)\b(?:\s+-[a-z]+)*|openssl\s+(?:enc\s+)?-?(?:base64|a)\s+-d\b(?:\s+-[a-z0-9]+)*|openssl\s+enc\s+-d\s+-(?:base64|a)\b(?:\s+-[a-z0-9]+)*|openssl\s+base64\s+-d\b)`

var (
	reB64Decoder   = lazyRegexp(`(?i)\b` + b64Decoder)
	reB64DecoderAt = lazyRegexp(`(?i)^` + b64Decoder)
	reEchoProd     = lazyRegexp(`\b(?:echo|printf)(?:\s+-[neE]+)*(?:\s+(?:'%s'|"%s"|%s))?\s+$`)
)

// findB64Decoders returns what reB64Decoder().FindAllStringIndex(text, -1)
// returns. The (?i) pattern has no literal prefix, so the regexp stepped
// over every byte; every match starts with base64 or openssl, where the
// anchored pattern runs. A text with fold runes (U+017F is an s to (?i))
// goes to the regexp.
func findB64Decoders(text string) [][]int {
	if hasFoldRunes(text) {
		return reB64Decoder().FindAllStringIndex(text, -1)
	}
	return findAnchored(reB64DecoderAt(), text, true, true, "base64", "openssl")
}

// extractBashBase64 decodes literals piped into (or here-stringed to) a
// base64 decoder.
func extractBashBase64(s *scan) []finding {
	var out []finding
	for _, m := range findB64Decoders(s.text) {
		rest := s.text[m[1]:min(len(s.text), m[1]+64)]
		var val string
		var span Span
		found := false
		// DECODER <<< WORD
		if r := skipSpace(s.text, m[1]); strings.HasPrefix(s.text[r:], "<<<") {
			w := skipSpace(s.text, r+3)
			v, e, pure := shWord(s.text, w)
			if pure {
				val, span, found = v, Span{w, e}, true
				rest = s.text[e:min(len(s.text), e+64)]
			}
		}
		// echo WORD | DECODER
		if !found {
			p := prevNonSpace(s.text, m[0])
			if p < 0 || s.text[p] != '|' {
				continue
			}
			q := prevNonSpace(s.text, p)
			if q < 0 {
				continue
			}
			ws := wordStart(s.text, q)
			v, e, pure := shWord(s.text, ws)
			if !pure || e != q+1 || !reEchoProd().MatchString(s.text[max(0, ws-40):ws]) {
				continue
			}
			val, span, found = v, Span{ws, e}, true
		}
		if len(strings.TrimSpace(val)) < 8 {
			continue
		}
		f, ok := unpack(span, strings.TrimSpace(val), "", ratioExplicit, s.max)
		if !ok || (f.text == "" && f.note == "") {
			continue
		}
		f.lang = shSinkLang(rest)
		out = append(out, f)
	}
	return out
}

// wordStart walks back from q (the last byte of a word) to its first byte,
// honouring quotes.
func wordStart(s string, q int) int {
	i := q
	for i >= 0 {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			k := strings.LastIndexByte(s[:i], c)
			if k < 0 {
				return i
			}
			i = k - 1
			if i >= 0 && c == '\'' && s[i] == '$' {
				i--
			}
		case isSpace(c) || strings.IndexByte("|;&<>()", c) >= 0:
			return i + 1
		default:
			i--
		}
	}
	return 0
}

// rePrintf finds printf and echo -e; findPrintfs runs rePrintfAt, the
// same pattern anchored, only where printf or echo occurs.
var (
	rePrintf   = lazyRegexp(`\b` + printfCmd)
	rePrintfAt = lazyRegexp(`^` + printfCmd)
)

const printfCmd = `(printf|echo(?:\s+-[neE]+)+)\s+`

// findPrintfs returns what rePrintf().FindAllStringSubmatchIndex(text, -1)
// returns.
func findPrintfs(text string) [][]int {
	return findAnchored(rePrintfAt(), text, false, true, "printf", "echo")
}

// extractBashPrintf decodes printf/echo -e arguments made of escapes.
func extractBashPrintf(s *scan) []finding {
	var out []finding
	for _, m := range findPrintfs(s.text) {
		cmd := s.text[m[2]:m[3]]
		echo := strings.HasPrefix(cmd, "echo")
		if echo && !strings.Contains(cmd, "e") {
			continue
		}
		v, e, pure := shWord(s.text, m[1])
		if !pure {
			continue
		}
		dec, n := printfDecode(v, echo)
		if n < 3 || len(strings.TrimSpace(dec)) < 3 {
			continue
		}
		f, ok := payload(Span{m[1], e}, []byte(dec), ratioExplicit, false, "")
		if !ok || f.text == "" {
			continue
		}
		f.lang = shSinkLang(s.text[e:min(len(s.text), e+64)])
		out = append(out, f)
	}
	return out
}

// extractBashEval emits literal arguments of eval and sh -c.
func extractBashEval(s *scan) []finding {
	var out []finding
	for _, m := range findBashEvals(s.text) {
		if m[1] >= len(s.text) || (s.text[m[1]] != '\'' && s.text[m[1]] != '"' && s.text[m[1]] != '$') {
			continue
		}
		v, e, pure := shWord(s.text, m[1])
		if !pure || len(strings.TrimSpace(v)) < 4 {
			continue
		}
		out = append(out, finding{span: Span{m[1], e}, text: v, size: len(v)})
	}
	return out
}

// extractBashRev reverses literals fed to rev.
func extractBashRev(s *scan) []finding {
	var out []finding
	emit := func(v string, span Span, rest string) {
		if len(strings.TrimSpace(v)) < 4 {
			return
		}
		lines := strings.Split(v, "\n")
		for i, l := range lines {
			lines[i] = reverse(l)
		}
		r := strings.Join(lines, "\n")
		out = append(out, finding{span: span, text: r, size: len(r), lang: shSinkLang(rest)})
	}
	for _, m := range findRevPipes(s.text) {
		q := prevNonSpace(s.text, m[0])
		if q < 0 {
			continue
		}
		ws := wordStart(s.text, q)
		v, e, pure := shWord(s.text, ws)
		if !pure || e != q+1 || !reEchoProd().MatchString(s.text[max(0, ws-40):ws]) {
			continue
		}
		emit(v, Span{ws, e}, s.text[m[1]:min(len(s.text), m[1]+64)])
	}
	for _, m := range findRevHeres(s.text) {
		v, e, pure := shWord(s.text, m[1])
		if pure {
			emit(v, Span{m[1], e}, s.text[e:min(len(s.text), e+64)])
		}
	}
	return out
}

// rewriteBashANSIC turns $'\x63\x75rl' into 'curl'.
func rewriteBashANSIC(s *scan) (string, bool) {
	text := s.text
	var edits []edit
	n := 0
	for i := 0; i+1 < len(text); i++ {
		if text[i] != '$' || text[i+1] != '\'' || (i > 0 && text[i-1] == '\\') {
			continue
		}
		body := text[i+2:]
		k := 0
		for k < len(body) && body[k] != '\'' {
			if body[k] == '\\' {
				k++
			}
			k++
		}
		if k >= len(body) {
			break
		}
		raw := body[:k]
		v, _, ok := ansiC(text, i+1)
		if !ok {
			continue
		}
		_, cnt := printfDecode(raw, false)
		n += cnt
		edits = append(edits, edit{i, i + 2 + k + 1, shQuote(v)})
		i += 2 + k
	}
	return applyEdits(text, edits), n >= 3
}

// shQuote renders v as a single-quoted shell word.
func shQuote(v string) string { return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'" }

// rewriteBashVars substitutes words built from two or more adjacent
// references to variables that hold literals ($a$b after a=cu;b=rl).
func rewriteBashVars(s *scan) (string, bool) {
	text, max := s.text, s.max
	type assign struct {
		pos  int
		name string
		val  string
		ok   bool
	}
	var as []assign
	for _, m := range findShAssigns(text) {
		v, _, pure := shWord(text, m[1])
		as = append(as, assign{pos: m[1], name: text[m[2]:m[3]], val: v, ok: pure && len(v) <= 256})
	}
	if len(as) == 0 {
		return text, false
	}
	refs := findShRefs(text)
	lookup := func(name string, pos int) (string, bool) {
		val, ok := "", false
		for _, a := range as {
			if a.pos > pos {
				break
			}
			if a.name == name {
				val, ok = a.val, a.ok
			}
		}
		return val, ok
	}
	var edits []edit
	for i := 0; i < len(refs); {
		j := i
		for j+1 < len(refs) && refs[j+1][0] == refs[j][1] {
			j++
		}
		if j > i {
			var b strings.Builder
			good := true
			for k := i; k <= j; k++ {
				name := ""
				if refs[k][2] >= 0 {
					name = text[refs[k][2]:refs[k][3]]
				} else {
					name = text[refs[k][4]:refs[k][5]]
				}
				v, ok := lookup(name, refs[k][0])
				if !ok {
					good = false
					break
				}
				b.WriteString(v)
			}
			if good && b.Len() <= max {
				edits = append(edits, edit{refs[i][0], refs[j][1], shSafe(b.String())})
			}
		}
		i = j + 1
	}
	return applyEdits(text, edits), len(edits) > 0
}

func shSafe(v string) string {
	for i := 0; i < len(v); i++ {
		if !isWord(v[i]) && strings.IndexByte("./:-+=,@%", v[i]) < 0 {
			return shQuote(v)
		}
	}
	if v == "" {
		return "''"
	}
	return v
}

package decode

import (
	"bytes"
	"encoding/ascii85"
	"encoding/base32"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// pyVal is the value of a statically evaluated Python expression.
type pyVal struct {
	b       []byte
	steps   []string // decoding functions applied, innermost first
	marshal bool     // reached marshal.loads: not decoded further
	trunc   bool
}

// pyLiteral parses a (possibly prefixed, possibly triple-quoted) string
// literal at s[i]. It returns the value and the end index.
func pyLiteral(s string, i int) ([]byte, int, bool) {
	j := i
	raw, isBytes := false, false
	for k := 0; k < 2 && j < len(s); k++ {
		switch s[j] {
		case 'r', 'R':
			raw = true
			j++
			continue
		case 'b', 'B':
			isBytes = true
			j++
			continue
		case 'u', 'U':
			j++
			continue
		}
		break
	}
	if j >= len(s) || (s[j] != '\'' && s[j] != '"') {
		return nil, 0, false
	}
	if j > i && isWord(s[i]) && i > 0 && isWord(s[i-1]) {
		return nil, 0, false
	}
	q := s[j : j+1]
	if strings.HasPrefix(s[j:], strings.Repeat(q, 3)) {
		q = strings.Repeat(q, 3)
	}
	body := j + len(q)
	var b bytes.Buffer
	for k := body; k < len(s); {
		if strings.HasPrefix(s[k:], q) {
			return b.Bytes(), k + len(q), true
		}
		c := s[k]
		if c == '\n' && len(q) == 1 {
			return nil, 0, false
		}
		if c == '\\' && k+1 < len(s) {
			if raw {
				b.WriteByte(c)
				b.WriteByte(s[k+1])
				k += 2
				continue
			}
			adv := pyEscape(&b, s, k, isBytes)
			k += adv
			continue
		}
		b.WriteByte(c)
		k++
	}
	return nil, 0, false
}

func pyEscape(b *bytes.Buffer, s string, k int, isBytes bool) int {
	c := s[k+1]
	switch c {
	case '\n':
		return 2
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case 'r':
		b.WriteByte('\r')
	case 'a':
		b.WriteByte(7)
	case 'b':
		b.WriteByte(8)
	case 'f':
		b.WriteByte(12)
	case 'v':
		b.WriteByte(11)
	case '\\', '\'', '"':
		b.WriteByte(c)
	case 'x':
		if k+3 < len(s) && isHex(s[k+2]) && isHex(s[k+3]) {
			v, _ := strconv.ParseUint(s[k+2:k+4], 16, 8)
			if isBytes {
				b.WriteByte(byte(v))
			} else {
				b.WriteRune(rune(v))
			}
			return 4
		}
		b.WriteString(`\x`)
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if !isBytes && k+2+n <= len(s) {
			if v, err := strconv.ParseUint(s[k+2:k+2+n], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
				b.WriteRune(rune(v))
				return 2 + n
			}
		}
		b.WriteByte('\\')
		b.WriteByte(c)
	default:
		if c >= '0' && c <= '7' {
			e := k + 1
			for e < len(s) && e < k+4 && s[e] >= '0' && s[e] <= '7' {
				e++
			}
			v, _ := strconv.ParseUint(s[k+1:e], 8, 16)
			if isBytes {
				b.WriteByte(byte(v))
			} else {
				b.WriteRune(rune(v))
			}
			return e - k
		}
		b.WriteByte('\\')
		b.WriteByte(c)
	}
	return 2
}

// pyEval is a tiny evaluator for decoding expressions over literals.
type pyEval struct {
	s     string
	max   int
	depth int
}

// maxPyDepth bounds nested calls in one expression.
const maxPyDepth = 24

// expr parses an expression at i: a sum of primaries with postfixes.
func (e *pyEval) expr(i int) (pyVal, int, bool) {
	v, j, ok := e.postfix(i)
	if !ok {
		return pyVal{}, 0, false
	}
	for {
		k := skipSpace(e.s, j)
		if k >= len(e.s) || e.s[k] != '+' {
			return v, j, true
		}
		w, j2, ok := e.postfix(skipSpace(e.s, k+1))
		if !ok {
			return v, j, true
		}
		v.b = append(append([]byte{}, v.b...), w.b...)
		v.steps = append(v.steps, w.steps...)
		v.marshal = v.marshal || w.marshal
		j = j2
	}
}

func (e *pyEval) postfix(i int) (pyVal, int, bool) {
	v, j, ok := e.primary(i)
	if !ok {
		return pyVal{}, 0, false
	}
	for {
		k := skipSpace(e.s, j)
		switch {
		case strings.HasPrefix(e.s[k:], "[::-1]"):
			r := make([]byte, len(v.b))
			for x := range v.b {
				r[x] = v.b[len(v.b)-1-x]
			}
			v.b = r
			v.steps = append(v.steps, "[::-1]")
			j = k + 6
		case k < len(e.s) && e.s[k] == '.':
			n := k + 1
			for n < len(e.s) && isWord(e.s[n]) {
				n++
			}
			name := e.s[k+1 : n]
			if name != "decode" && name != "encode" && name != "strip" {
				return v, j, true
			}
			p := skipSpace(e.s, n)
			if p >= len(e.s) || e.s[p] != '(' {
				return v, j, true
			}
			end := pyCloseParen(e.s, p)
			if end < 0 {
				return pyVal{}, 0, false
			}
			args := asciiLower(e.s[p+1 : end-1])
			if name == "decode" && (strings.Contains(args, "hex")) {
				d, err := hex.DecodeString(strings.TrimSpace(string(v.b)))
				if err != nil {
					return pyVal{}, 0, false
				}
				v.b = d
			}
			if name == "strip" {
				v.b = bytes.TrimSpace(v.b)
			}
			j = end
		default:
			return v, j, true
		}
	}
}

// pyCloseParen returns the index after the ')' matching s[p] == '('.
func pyCloseParen(s string, p int) int {
	depth := 0
	for k := p; k < len(s); k++ {
		switch s[k] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return k + 1
			}
		case '\'', '"':
			_, end, ok := pyLiteral(s, k)
			if !ok {
				return -1
			}
			k = end - 1
		}
	}
	return -1
}

var rePyCallee = lazyRegexp(`^(?:__import__\(\s*['"]([\w.]+)['"]\s*\)|[A-Za-z_][\w]*)(?:\s*\.\s*[A-Za-z_]\w*)*`)

func (e *pyEval) primary(i int) (pyVal, int, bool) {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxPyDepth || i >= len(e.s) {
		return pyVal{}, 0, false
	}
	c := e.s[i]
	if c == '(' {
		v, j, ok := e.expr(skipSpace(e.s, i+1))
		if !ok {
			return pyVal{}, 0, false
		}
		j = skipSpace(e.s, j)
		if j >= len(e.s) || e.s[j] != ')' {
			return pyVal{}, 0, false
		}
		return v, j + 1, true
	}
	if b, j, ok := pyLiteral(e.s, i); ok {
		// implicit concatenation of adjacent literals
		for {
			k := skipSpace(e.s, j)
			b2, j2, ok := pyLiteral(e.s, k)
			if !ok || k == j && k < len(e.s) && isWord(e.s[k]) {
				break
			}
			b = append(b, b2...)
			j = j2
		}
		return pyVal{b: b}, j, true
	}
	m := rePyCallee().FindStringSubmatchIndex(e.s[i:min(len(e.s), i+200)])
	if m == nil {
		return pyVal{}, 0, false
	}
	callee := strings.ReplaceAll(e.s[i:i+m[1]], " ", "")
	if m[2] >= 0 {
		callee = e.s[i+m[2]:i+m[3]] + callee[strings.IndexByte(callee, ')')+1:]
	}
	p := skipSpace(e.s, i+m[1])
	if p >= len(e.s) || e.s[p] != '(' {
		return pyVal{}, 0, false
	}
	arg, j, ok := e.expr(skipSpace(e.s, p+1))
	if !ok {
		return pyVal{}, 0, false
	}
	var extra []string
	for {
		j = skipSpace(e.s, j)
		if j < len(e.s) && e.s[j] == ',' {
			k := skipSpace(e.s, j+1)
			if b, end, ok := pyLiteral(e.s, k); ok {
				extra = append(extra, string(b))
				j = end
				continue
			}
			// keyword or other argument: skip to the closing parenthesis
			end := pyCloseParen(e.s, p)
			if end < 0 {
				return pyVal{}, 0, false
			}
			j = end - 1
		}
		break
	}
	if j >= len(e.s) || e.s[j] != ')' {
		return pyVal{}, 0, false
	}
	v, ok := e.apply(callee, arg, extra)
	return v, j + 1, ok
}

// apply evaluates one known decoding function.
func (e *pyEval) apply(callee string, in pyVal, extra []string) (pyVal, bool) {
	if in.marshal {
		return in, true
	}
	name := callee
	if k := strings.LastIndexByte(callee, '.'); k >= 0 {
		name = callee[k+1:]
	}
	name = strings.ToLower(name)
	mod := strings.ToLower(strings.TrimSuffix(callee, name))
	out := in
	out.steps = append(append([]string{}, in.steps...), callee)
	data := in.b
	switch name {
	case "b64decode", "standard_b64decode", "urlsafe_b64decode", "decodebytes", "decodestring", "a2b_base64":
		b, ok := decodeB64(string(data), e.max)
		if !ok {
			return pyVal{}, false
		}
		out.b = b
	case "b32decode":
		b, err := base32.StdEncoding.DecodeString(strings.ToUpper(strings.TrimSpace(string(data))))
		if err != nil {
			return pyVal{}, false
		}
		out.b = b
	case "b16decode", "unhexlify", "a2b_hex", "fromhex":
		clean := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
				return -1
			}
			return r
		}, string(data))
		b, err := hex.DecodeString(clean)
		if err != nil {
			return pyVal{}, false
		}
		out.b = b
	case "b85decode":
		b, ok := b85decode(data)
		if !ok {
			return pyVal{}, false
		}
		out.b = b
	case "a85decode":
		d := bytes.TrimSpace(data)
		d = bytes.TrimSuffix(bytes.TrimPrefix(d, []byte("<~")), []byte("~>"))
		dst := make([]byte, 4*len(d)/5+4)
		n, _, err := ascii85.Decode(dst, d, true)
		if err != nil {
			return pyVal{}, false
		}
		out.b = dst[:n]
	case "decompress":
		format := magic(data)
		switch {
		case strings.HasPrefix(mod, "lzma") || format == fmtXZ || format == fmtLZMA:
			out.marshal = false
			out.b = nil
			out.steps = append(out.steps, "lzma (not decompressed)")
			return out, true
		case format == fmtNone && strings.HasPrefix(mod, "zlib"):
			format = "deflate"
		case format == fmtNone:
			return pyVal{}, false
		}
		b, trunc, err := inflate(data, format, e.max)
		if err != nil {
			return pyVal{}, false
		}
		out.b, out.trunc = b, trunc || in.trunc
	case "decode":
		if !strings.HasPrefix(mod, "codecs") || len(extra) == 0 {
			return pyVal{}, false
		}
		switch strings.ToLower(strings.ReplaceAll(extra[0], "-", "_")) {
		case "rot13", "rot_13":
			out.b = rot13(data)
		case "hex", "hex_codec":
			b, err := hex.DecodeString(strings.TrimSpace(string(data)))
			if err != nil {
				return pyVal{}, false
			}
			out.b = b
		case "base64", "base64_codec", "base_64":
			b, ok := decodeB64(string(data), e.max)
			if !ok {
				return pyVal{}, false
			}
			out.b = b
		case "zlib", "zlib_codec", "zip":
			b, trunc, err := inflate(data, fmtZlib, e.max)
			if err != nil {
				return pyVal{}, false
			}
			out.b, out.trunc = b, trunc
		case "bz2", "bz2_codec":
			b, trunc, err := inflate(data, fmtBzip2, e.max)
			if err != nil {
				return pyVal{}, false
			}
			out.b, out.trunc = b, trunc
		default:
			return pyVal{}, false
		}
	case "loads":
		if !strings.HasPrefix(mod, "marshal") {
			return pyVal{}, false
		}
		out.marshal = true
	case "str", "bytes", "bytearray":
		out.steps = in.steps
	default:
		return pyVal{}, false
	}
	return out, true
}

func rot13(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			c = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			c = 'A' + (c-'A'+13)%26
		}
		out[i] = c
	}
	return out
}

const b85Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"

// b85decode implements Python's base64.b85decode (RFC 1924 alphabet).
func b85decode(in []byte) ([]byte, bool) {
	var idx [256]int16
	for i := range idx {
		idx[i] = -1
	}
	for i := 0; i < len(b85Alphabet); i++ {
		idx[b85Alphabet[i]] = int16(i)
	}
	in = bytes.TrimSpace(in)
	pad := (5 - len(in)%5) % 5
	buf := make([]byte, 0, len(in)+pad)
	buf = append(buf, in...)
	for i := 0; i < pad; i++ {
		buf = append(buf, '~')
	}
	out := make([]byte, 0, len(buf)/5*4)
	for i := 0; i < len(buf); i += 5 {
		var acc uint64
		for _, c := range buf[i : i+5] {
			v := idx[c]
			if v < 0 {
				return nil, false
			}
			acc = acc*85 + uint64(v)
		}
		if acc > 0xFFFFFFFF {
			return nil, false
		}
		out = append(out, byte(acc>>24), byte(acc>>16), byte(acc>>8), byte(acc))
	}
	return out[:len(out)-pad], true
}

// pyExecFuncs are the calls extractPyExec looks into: findCalls finds
// \b(exec|eval|compile)\s*\(.
var pyExecFuncs = []string{"exec", "eval", "compile"}

// pyFinding turns an evaluated value into a finding.
func pyFinding(v pyVal, span Span, ratio float64, max int) (finding, bool) {
	chain := strings.Join(v.steps, " -> ")
	if v.marshal {
		return finding{span: span, size: len(v.b), note: "marshal.loads payload not decoded (" + chain + ")"}, true
	}
	if v.b == nil {
		return finding{span: span, note: "payload not decoded (" + chain + ")"}, true
	}
	if magic(v.b) != fmtNone {
		return unpackBytes(span, v.b, "", ratio, max)
	}
	f, ok := payload(span, v.b, ratio, v.trunc, "via "+chain)
	return f, ok
}

// extractPyExec evaluates the argument of exec/eval/compile when it is a
// chain of decoding calls over literals.
func extractPyExec(s *scan) []finding {
	var out []finding
	for _, m := range findCalls(s.text, pyExecFuncs) {
		if m[0] > 0 && s.text[m[0]-1] == '.' {
			continue
		}
		ev := &pyEval{s: s.text, max: s.max}
		v, end, ok := ev.expr(skipSpace(s.text, m[1]))
		if !ok || len(v.steps) == 0 || v.marshal {
			continue
		}
		f, ok := pyFinding(v, Span{m[0], end}, ratioExplicit, s.max)
		if !ok {
			continue
		}
		if f.text != "" {
			f.lang = lang.Python
		}
		out = append(out, f)
	}
	return out
}

// Function names each standalone Python decoder looks for.
var (
	pyBase64Funcs     = []string{"b64decode", "b32decode", "b85decode", "a85decode", "b16decode", "decodebytes", "decodestring", "a2b_base64"}
	pyDecompressFuncs = []string{"decompress"}
	pyCodecsFuncs     = []string{"codecs.decode"}
	pyHexFuncs        = []string{"fromhex", "unhexlify", "a2b_hex"}
)

// extractPyCall decodes standalone calls of the given functions (found as
// \b(?:f1|f2|...)\s*\( would find them).
func extractPyCall(funcs []string) func(s *scan) []finding {
	return func(s *scan) []finding {
		var out []finding
		for _, m := range findCalls(s.text, funcs) {
			start := m[0]
			for start > 0 && (isWord(s.text[start-1]) || s.text[start-1] == '.') {
				start--
			}
			ev := &pyEval{s: s.text, max: s.max}
			v, end, ok := ev.postfix(start)
			if !ok || len(v.steps) == 0 || v.marshal {
				continue
			}
			f, ok := pyFinding(v, Span{start, end}, ratioExplicit, s.max)
			if !ok || f.text == "" && !f.truncated {
				continue
			}
			out = append(out, f)
		}
		return out
	}
}

// extractPyMarshal records marshal.loads payloads without decoding them.
func extractPyMarshal(s *scan) []finding {
	var out []finding
	for _, m := range findPyMarshal(s.text) {
		ev := &pyEval{s: s.text, max: s.max}
		v, end, ok := ev.postfix(m[0])
		size, note := 0, "marshal.loads payload not decoded (code objects are never unmarshalled)"
		if ok {
			size = len(v.b)
			if len(v.steps) > 1 {
				note += "; via " + strings.Join(v.steps[:len(v.steps)-1], " -> ")
			}
		} else if e := pyCloseParen(s.text, m[1]-1); e > 0 {
			end = e
		} else {
			end = m[1]
		}
		out = append(out, finding{span: Span{m[0], end}, size: size, note: note})
	}
	return out
}

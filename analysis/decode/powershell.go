package decode

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// psLit is a PowerShell string literal found by psLiterals.
type psLit struct {
	start, end int // the literal including its quotes
	val        string
	pure       bool // no variable expansion or subexpression
}

// maxNest bounds the recursion into "$( ... )" subexpressions.
const maxNest = 32

// psLiterals lexes s just enough to find string literals, skipping
// comments, and appends them to out.
func psLiterals(s string, out []psLit) []psLit {
	for i := 0; i < len(s); {
		for i < len(s) && !psLexStart[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '#' && (i == 0 || isSpace(s[i-1]) || strings.IndexByte(";{(", s[i-1]) >= 0):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return out
			}
			i += j + 1
		case c == '<' && i+1 < len(s) && s[i+1] == '#':
			j := strings.Index(s[i+2:], "#>")
			if j < 0 {
				return out
			}
			i += j + 4
		case c == '@' && i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '"'):
			l, ok := psHereString(s, i)
			if !ok {
				i += 2
				continue
			}
			out = append(out, l)
			i = l.end
		case c == '\'':
			l := psSingle(s, i)
			out = append(out, l)
			i = l.end
		case c == '"':
			l := psDouble(s, i, 0)
			out = append(out, l)
			i = l.end
		default:
			i++
		}
	}
	return out
}

// psLexStart marks the bytes psLiterals acts on; it skips the others in a
// tight loop.
var psLexStart = byteSet("#<@'\"")

func psSingle(s string, i int) psLit {
	// Without a doubled '' inside, the value is a substring: no copy.
	k := strings.IndexByte(s[i+1:], '\'')
	if k < 0 {
		return psLit{start: i, end: len(s), val: s[i+1:], pure: false}
	}
	if j := i + 1 + k; j+1 >= len(s) || s[j+1] != '\'' {
		return psLit{start: i, end: j + 1, val: s[i+1 : j], pure: true}
	}
	var b strings.Builder
	j := i + 1
	for j < len(s) {
		if s[j] == '\'' {
			if j+1 < len(s) && s[j+1] == '\'' {
				b.WriteByte('\'')
				j += 2
				continue
			}
			return psLit{start: i, end: j + 1, val: b.String(), pure: true}
		}
		b.WriteByte(s[j])
		j++
	}
	return psLit{start: i, end: len(s), val: b.String(), pure: false}
}

// psEscapes maps the byte after a backtick in a double-quoted literal to
// what the escape stands for (the byte itself when it has no entry).
var psEscapes = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
	}
	for c, e := range map[byte]byte{'0': 0, 'a': 7, 'b': 8, 'e': 0x1b, 'f': 12, 'n': '\n', 'r': '\r', 't': '\t', 'v': 11} {
		t[c] = e
	}
	return t
}()

func psDouble(s string, i, nest int) psLit {
	// Without escapes, doubled quotes or $ inside, the value is a
	// substring: no copy.
	for j := i + 1; j < len(s); j++ {
		if c := s[j]; c == '"' {
			if j+1 < len(s) && s[j+1] == '"' {
				break
			}
			return psLit{start: i, end: j + 1, val: s[i+1 : j], pure: true}
		} else if c == '`' || c == '$' {
			break
		}
	}
	return psDoubleEscaped(s, i, nest)
}

// psDoubleEscaped is psDouble for a literal that holds an escape, a
// doubled quote or a $. The bytes between them are copied a run at a time.
func psDoubleEscaped(s string, i, nest int) psLit {
	var b strings.Builder
	pure := true
	j := i + 1
	run := j // the first byte not copied yet
	for j < len(s) {
		for j < len(s) && !psDoubleStop[s[j]] {
			j++
		}
		if j == len(s) {
			break
		}
		switch c := s[j]; {
		case c == '`' && j+1 < len(s):
			b.WriteString(s[run:j])
			b.WriteByte(psEscapes[s[j+1]])
			j += 2
			run = j
		case c == '"':
			b.WriteString(s[run:j])
			if j+1 < len(s) && s[j+1] == '"' {
				b.WriteByte('"')
				j += 2
				run = j
				continue
			}
			return psLit{start: i, end: j + 1, val: b.String(), pure: pure}
		case c == '$' && j+1 < len(s) && s[j+1] == '(':
			pure = false
			j = psSubexpr(s, j+1, nest+1) // kept as it is
		case c == '$' && j+1 < len(s) && (isWord(s[j+1]) || s[j+1] == '{' || s[j+1] == ':'):
			pure = false
			j++
		default: // a '$' or a backtick that ends s, kept
			j++
		}
	}
	b.WriteString(s[run:])
	return psLit{start: i, end: len(s), val: b.String(), pure: false}
}

// psDoubleStop marks the bytes psDoubleEscaped acts on.
var psDoubleStop = byteSet("`\"$")

// psSubexpr skips the balanced parentheses that start at s[i] == '(' and
// returns the index after the closing one.
func psSubexpr(s string, i, nest int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1
			}
		case '\'':
			j = psSingle(s, j).end - 1
		case '"':
			if nest < maxNest {
				j = psDouble(s, j, nest).end - 1
			}
		}
	}
	return len(s)
}

func psHereString(s string, i int) (psLit, bool) {
	q := s[i+1]
	j := skipSpace(s, i+2)
	if j == i+2 || strings.IndexByte(s[i+2:j], '\n') < 0 {
		return psLit{}, false
	}
	body := strings.IndexByte(s[i+2:], '\n') + i + 3
	end := strings.Index(s[body:], "\n"+string(q)+"@")
	if end < 0 {
		return psLit{}, false
	}
	val := strings.TrimSuffix(s[body:body+end], "\r")
	pure := q == '\'' || !strings.Contains(val, "$")
	return psLit{start: i, end: body + end + 3, val: val, pure: pure}, true
}

// psQuote renders v as a single-quoted PowerShell literal.
func psQuote(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

// litAt returns the literal that starts at position p.
func litAt(lits []psLit, p int) (psLit, int, bool) {
	k := sort.Search(len(lits), func(k int) bool { return lits[k].start >= p })
	if k < len(lits) && lits[k].start == p {
		return lits[k], k, true
	}
	return psLit{}, 0, false
}

// litEnding returns the literal that ends at position p.
func litEnding(lits []psLit, p int) (psLit, bool) {
	k := sort.Search(len(lits), func(k int) bool { return lits[k].end >= p })
	if k < len(lits) && lits[k].end == p {
		return lits[k], true
	}
	return psLit{}, false
}

// edit is a replacement of text[start:end].
type edit struct {
	start, end int
	with       string
}

// applyEdits applies non-overlapping edits sorted by start.
func applyEdits(s string, edits []edit) string { return spliceEdits(s, edits, false) }

// spliceEdits is applyEdits, with each edit's with written as a
// double-quoted JavaScript literal when quoteJS is set (applyJSEdits). A
// flag rather than a writer function: the builder then stays on the stack.
func spliceEdits(s string, edits []edit, quoteJS bool) string {
	if len(edits) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, e := range edits {
		if e.start < last {
			continue
		}
		b.WriteString(s[last:e.start])
		if quoteJS {
			writeJSQuote(&b, e.with)
		} else {
			b.WriteString(e.with)
		}
		last = e.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// ---------------------------------------------------------------- extractors

// extractEncodedCommand decodes powershell -EncodedCommand (any unique
// abbreviation, and -ec) arguments.
func extractEncodedCommand(s *scan) []finding {
	var out []finding
	for _, m := range findEncodedCommands(s.text) {
		flag := asciiLower(s.text[m[2]:m[3]])
		if flag != "ec" && !strings.HasPrefix("encodedcommand", flag) {
			continue
		}
		b, ok := decodeB64(s.text[m[4]:m[5]], s.max)
		if !ok {
			continue
		}
		if f, ok := payload(Span{m[4], m[5]}, b, ratioExplicit, false, ""); ok && f.text != "" {
			out = append(out, f)
		}
	}
	return out
}

// reFromBase64 finds [Convert]::FromBase64String literals; see
// (*scan).fromBase64s.
var reFromBase64 = newLowerRegexp(`(?i)frombase64string\s*\(\s*(?:\(\s*)?['"]\s*([A-Za-z0-9+/=\s]{8,}?)\s*['"]`)

var reGetString = lazyRegexp(`(?i)encoding\]\s*::\s*(unicode|utf8|ascii|default|utf7|bigendianunicode|utf32)\s*\)?\s*\.\s*getstring`)

// extractFromBase64 decodes [Convert]::FromBase64String literals that are not
// compressed streams.
func extractFromBase64(s *scan) []finding {
	var out []finding
	for _, m := range s.fromBase64s() {
		b, ok := decodeB64(s.text[m[2]:m[3]], s.max)
		if !ok || magic(b) != fmtNone {
			continue
		}
		lo := max(0, m[0]-160)
		enc := ""
		if gm := reGetString().FindAllStringSubmatch(s.lowered()[lo:m[0]], -1); len(gm) > 0 {
			enc = gm[len(gm)-1][1]
		}
		var f finding
		switch enc {
		case "unicode":
			txt := utf16le(b)
			if printable(txt) < ratioExplicit {
				continue
			}
			f = finding{span: Span{m[2], m[3]}, text: txt, size: len(txt)}
		case "utf8", "ascii", "default", "utf7":
			f, ok = payload(Span{m[2], m[3]}, b, ratioExplicit, false, "")
			if !ok {
				continue
			}
		default:
			f, ok = payload(Span{m[2], m[3]}, b, ratioExplicit, false, "")
			if !ok || (f.text == "" && len(b) < 64) {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// extractPSCompressed decodes FromBase64String literals that feed a
// GzipStream or DeflateStream.
func extractPSCompressed(format string) func(s *scan) []finding {
	hint := "gzipstream"
	if format == "deflate" {
		hint = "deflatestream"
	}
	return func(s *scan) []finding {
		var out []finding
		for _, m := range s.fromBase64s() {
			lo, hi := max(0, m[0]-400), min(len(s.lowered()), m[1]+400)
			if !strings.Contains(s.lowered()[lo:hi], hint) {
				continue
			}
			if f, ok := unpack(Span{m[2], m[3]}, s.text[m[2]:m[3]], format, ratioExplicit, s.max); ok {
				out = append(out, f)
			}
		}
		return out
	}
}

var (
	reToInt   = lazyRegexp(`toint(?:16|32|64)\s*\([^;]{0,80}?,\s*['"]?(\d+)['"]?\s*\)`)
	reBxorKey = lazyRegexp(`-bxor\s*\(?\s*['"]?\s*(0x[0-9a-f]+|\d+)`)
)

// charHint reports whether
//
//	\[char\]|\[char\[\]\]|-as\s*\[char\]|\[chararray\]
//
// matches in s: a match of the third branch holds one of the first, so
// the question is whether [char], [char[]] or [chararray] occurs.
func charHint(s string) bool {
	for i := 0; ; {
		k := strings.Index(s[i:], "[char")
		if k < 0 {
			return false
		}
		i += k + len("[char")
		if r := s[i:]; strings.HasPrefix(r, "]") || strings.HasPrefix(r, "[]]") || strings.HasPrefix(r, "array]") {
			return true
		}
	}
}

// codeList is a candidate list of char codes.
type codeList struct {
	start, end int
	body       string // numbers and delimiters
	delimited  bool   // a quoted string of codes with arbitrary delimiters
}

func psCodeLists(s *scan) []codeList {
	var out []codeList
	for _, m := range findNumLists(s.text) {
		out = append(out, codeList{start: m[0], end: m[1], body: s.text[m[0]+1 : m[1]-1]})
	}
	for _, l := range s.psLits() {
		if len(l.val) < 16 || !l.pure {
			continue
		}
		hex, dig := 0, 0
		for i := 0; i < len(l.val); i++ {
			c := l.val[i]
			if c >= '0' && c <= '9' {
				dig++
				hex++
			} else if c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' {
				hex++
			}
		}
		if dig*10 >= len(l.val)*3 && hex*10 >= len(l.val)*5 {
			out = append(out, codeList{start: l.start, end: l.end, body: l.val, delimited: true})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// parseCodes parses the codes of a list in the given base.
func parseCodes(c codeList, base int) ([]int64, bool) {
	var codes []int64
	valid := func(ch byte) bool {
		switch {
		case ch >= '0' && ch <= '9':
			return int(ch-'0') < base
		case base == 16 && (ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F'):
			return true
		}
		return false
	}
	body := c.body
	for i := 0; i < len(body); {
		if !valid(body[i]) {
			if !c.delimited && !isSpace(body[i]) && body[i] != ',' {
				return nil, false
			}
			i++
			continue
		}
		j := i
		if !c.delimited && i+1 < len(body) && body[i] == '0' && (body[i+1] == 'x' || body[i+1] == 'X') {
			j = i + 2
			for j < len(body) && isHex(body[j]) {
				j++
			}
			v, err := strconv.ParseInt(body[i+2:j], 16, 64)
			if err != nil {
				return nil, false
			}
			codes = append(codes, v)
			i = j
			continue
		}
		for j < len(body) && valid(body[j]) {
			j++
		}
		if j < len(body) && !c.delimited && isWord(body[j]) {
			return nil, false
		}
		v, err := strconv.ParseInt(body[i:j], base, 64)
		if err != nil {
			return nil, false
		}
		codes = append(codes, v)
		i = j
	}
	return codes, len(codes) >= 4
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// extractPSCharCodes decodes char-code lists (Invoke-Obfuscation style too).
func extractPSCharCodes(s *scan) []finding {
	var out []finding
	for _, c := range psCodeLists(s) {
		lo, hi := max(0, c.start-300), min(len(s.lowered()), c.end+500)
		before, after := s.lowered()[lo:c.start], s.lowered()[c.end:hi]
		if !charHint(before) && !charHint(after) {
			continue
		}
		base := 10
		if m := reToInt().FindStringSubmatch(after); m != nil {
			if b, err := strconv.Atoi(m[1]); err == nil && (b == 2 || b == 8 || b == 10 || b == 16) {
				base = b
			}
		}
		var key int64
		if m := reBxorKey().FindStringSubmatch(after); m != nil {
			key, _ = strconv.ParseInt(strings.TrimPrefix(m[1], "0x"), map[bool]int{true: 16, false: 10}[strings.HasPrefix(m[1], "0x")], 64)
		}
		codes, ok := parseCodes(c, base)
		if !ok {
			continue
		}
		for i := range codes {
			codes[i] ^= key
		}
		txt, ok := runesFromCodes(codes)
		if !ok || printable(txt) < 0.9 {
			continue
		}
		txt, trunc := capString(txt, s.max)
		f := finding{span: Span{c.start, c.end}, text: txt, size: len(txt), truncated: trunc}
		if trunc {
			f.note = capNote(s.max)
		}
		out = append(out, f)
	}
	return out
}

// extractPSBxor decodes byte arrays and base64 blobs xored with a constant key.
func extractPSBxor(s *scan) []finding {
	var keys []int64
	for _, m := range reBxorKey().FindAllStringSubmatch(s.lowered(), 4) {
		v, err := strconv.ParseInt(strings.TrimPrefix(m[1], "0x"), map[bool]int{true: 16, false: 10}[strings.HasPrefix(m[1], "0x")], 64)
		if err == nil && !contains64(keys, v) {
			keys = append(keys, v&0xff)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	type blob struct {
		span Span
		b    []byte
	}
	var blobs []blob
	for _, m := range s.fromBase64s() {
		if b, ok := decodeB64(s.text[m[2]:m[3]], s.max); ok {
			blobs = append(blobs, blob{Span{m[2], m[3]}, b})
		}
	}
	for _, m := range findNumLists(s.text) {
		codes, ok := parseCodes(codeList{start: m[0], end: m[1], body: s.text[m[0]+1 : m[1]-1]}, 10)
		if !ok {
			continue
		}
		b := make([]byte, 0, len(codes))
		for _, c := range codes {
			if c < 0 || c > 255 {
				b = nil
				break
			}
			b = append(b, byte(c))
		}
		if b != nil {
			blobs = append(blobs, blob{Span{m[0], m[1]}, b})
		}
	}
	var out []finding
	for _, bl := range blobs {
		for _, k := range keys {
			x := make([]byte, len(bl.b))
			for i, c := range bl.b {
				x[i] = c ^ byte(k)
			}
			if magic(x) != fmtNone {
				if f, ok := unpackBytes(bl.span, x, "", ratioExplicit, s.max); ok {
					out = append(out, f)
					break
				}
				continue
			}
			if txt, ok := asText(x, 0.9); ok && len(txt) >= 4 {
				out = append(out, finding{span: bl.span, text: txt, size: len(txt)})
				break
			}
		}
	}
	return out
}

func contains64(l []int64, v int64) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// codeWords are tokens that read forwards in scripts; they tell a reversed
// literal from a plain one.
var codeWords = []string{"http", "object", "invoke", "system", "string", "function", "download", "-join", "write", "get-", "set-", "new-", "param", "return", ".exe", ".dll", "iex", "net.", "webclient", "start-", "process", "hidden", "[char]", "$env", "foreach", "powershell", "cmd", "the "}

func codeScore(s string) int {
	l := asciiLower(s)
	n := 0
	for _, w := range codeWords {
		n += strings.Count(l, w)
	}
	return n
}

// extractPSReverse emits reversed literals near a reversal idiom.
func extractPSReverse(s *scan) []finding {
	hints := findReverseHints(s.lowered(), 16)
	if len(hints) == 0 {
		return nil
	}
	lits := s.psLits()
	var out []finding
	for _, h := range hints {
		best := -1
		for k, l := range lits {
			if l.end < h[0]-3000 || l.start > h[1]+400 || len(l.val) < 12 {
				continue
			}
			if best < 0 || len(l.val) > len(lits[best].val) {
				best = k
			}
		}
		if best < 0 {
			continue
		}
		l := lits[best]
		r := reverse(l.val)
		if codeScore(r) <= codeScore(l.val) {
			continue
		}
		out = append(out, finding{span: Span{l.start, l.end}, text: r, size: len(r)})
	}
	return out
}

var (
	reIEXWord  = lazyRegexp(`(?i)\b(?:iex|invoke-expression)\b`)
	iexMarkers = []string{"iex", "invoke-expression", "$pshome", "$shellid", "verbosepreference", "mdr", "comspec", "'x'", "\"x\""}
)

// extractPSIEX emits literals handed to Invoke-Expression.
func extractPSIEX(s *scan) []finding {
	type inv struct{ start, end int }
	var invs []inv
	for _, m := range findIEXWords(s.text, s.lowered()) {
		invs = append(invs, inv{m[0], m[1]})
	}
	for _, m := range findInvokeOps(s.text) {
		open := m[1] - 1
		end := psSubexpr(s.text, open, 0)
		if end-open > 200 {
			continue
		}
		g := s.lowered()[open:end]
		for _, mk := range iexMarkers {
			if strings.Contains(g, mk) {
				invs = append(invs, inv{m[0], end})
				break
			}
		}
	}
	if len(invs) == 0 {
		return nil
	}
	lits := s.psLits()
	var out []finding
	emit := func(l psLit) {
		v := strings.TrimSpace(l.val)
		if len(v) < 8 || !strings.ContainsAny(v, " ;\n(|=$") {
			return
		}
		out = append(out, finding{span: Span{l.start, l.end}, text: l.val, size: len(l.val)})
	}
	for _, iv := range invs {
		// IEX 'literal' / IEX ('literal')
		j := skipSpace(s.text, iv.end)
		for j < len(s.text) && s.text[j] == '(' {
			j = skipSpace(s.text, j+1)
		}
		if l, _, ok := litAt(lits, j); ok {
			// The literal must be the whole argument.
			n := l.end
			for n < len(s.text) && (s.text[n] == ' ' || s.text[n] == '\t') {
				n++
			}
			if n >= len(s.text) || strings.IndexByte(");|}\r\n#", s.text[n]) >= 0 {
				emit(l)
			}
			continue
		}
		// 'literal' | IEX
		p := prevNonSpace(s.text, iv.start)
		if p < 0 || s.text[p] != '|' {
			continue
		}
		q := prevNonSpace(s.text, p)
		for q >= 0 && s.text[q] == ')' {
			q = prevNonSpace(s.text, q)
		}
		if l, ok := litEnding(lits, q+1); ok {
			emit(l)
		}
	}
	return out
}

// ---------------------------------------------------------------- rewriters

// rewritePSBacktick drops backticks that escape ordinary letters (I`E`X).
// psTickStart marks the bytes rewritePSBacktick acts on; it skips the
// others in a tight loop.
var psTickStart = byteSet("'@#\"`")

func rewritePSBacktick(s *scan) (string, bool) {
	text := s.text
	var b strings.Builder
	n := 0
	last := 0
	for i := 0; i < len(text); i++ {
		for i < len(text) && !psTickStart[text[i]] {
			i++
		}
		if i == len(text) {
			break
		}
		switch c := text[i]; {
		case c == '\'':
			i = psSingle(text, i).end - 1
		case c == '@' && i+1 < len(text) && text[i+1] == '\'':
			if l, ok := psHereString(text, i); ok {
				i = l.end - 1
			}
		case c == '#' && (i == 0 || isSpace(text[i-1])):
			if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(text)
			}
		case c == '"':
			// Inside double quotes `n, `t ... are escapes and stay.
			end := psDouble(text, i, 0).end
			for j := i + 1; j < end-1; j++ {
				if text[j] == '`' && isAlnum(text[j+1]) && strings.IndexByte("0abefnrtuv", text[j+1]) < 0 {
					b.WriteString(text[last:j])
					last = j + 1
					n++
					j++
				} else if text[j] == '`' {
					j++
				}
			}
			i = end - 1
		case c == '`' && i+1 < len(text) && isAlnum(text[i+1]):
			b.WriteString(text[last:i])
			last = i + 1
			n++
		}
	}
	if n == 0 {
		return text, false
	}
	b.WriteString(text[last:])
	return b.String(), true
}

// reCharCast finds [char]NN casts; findCharCasts runs reCharCastAt, the
// same pattern anchored, only where [string] or [char] occurs.
var (
	reCharCast   = lazyRegexp(`(?i)` + charCast)
	reCharCastAt = lazyRegexp(`(?i)^` + charCast)
)

const charCast = `(?:\[string\]\s*)?\[char\]\s*(?:(0x[0-9a-f]+|\d{1,7})|\(\s*(0x[0-9a-f]+|\d{1,7})\s*\))`

// findCharCasts returns what reCharCast().FindAllStringSubmatchIndex(text, -1)
// returns.
func findCharCasts(text string) [][]int {
	if hasFoldRunes(text) {
		return reCharCast().FindAllStringSubmatchIndex(text, -1)
	}
	return findAnchored(reCharCastAt(), text, true, false, "[string]", "[char]")
}

// rewritePSCharCast turns [char]NN into 'c'.
func rewritePSCharCast(s *scan) (string, bool) {
	text := s.text
	ms := findCharCasts(text)
	var edits []edit
	for _, m := range ms {
		if m[1] < len(text) && isWord(text[m[1]]) {
			continue
		}
		num := ""
		if m[2] >= 0 {
			num = text[m[2]:m[3]]
		} else {
			num = text[m[4]:m[5]]
		}
		v, err := parseIntLit(num)
		if err != nil || v <= 0 || v > 0xFFFF || (v >= 0xD800 && v <= 0xDFFF) {
			continue
		}
		edits = append(edits, edit{m[0], m[1], psQuote(string(rune(v)))})
	}
	return applyEdits(text, edits), len(edits) >= 3
}

func parseIntLit(s string) (int64, error) {
	if len(s) > 2 && (s[1] == 'x' || s[1] == 'X') {
		return strconv.ParseInt(s[2:], 16, 64)
	}
	return strconv.ParseInt(s, 10, 64)
}

// rewritePSConcat folds 'a'+'b' chains.
func rewritePSConcat(s *scan) (string, bool) {
	text, max := s.text, s.max
	if !strings.Contains(text, "+") {
		return text, false
	}
	lits := s.psLits()
	var edits []edit
	sig := false
	for i := 0; i < len(lits); i++ {
		if !lits[i].pure {
			continue
		}
		if p := prevNonSpace(text, lits[i].start); p >= 0 && strings.IndexByte(".*/%]-", text[p]) >= 0 {
			continue
		}
		j := i
		for j+1 < len(lits) && lits[j+1].pure && isPlusGap(text[lits[j].end:lits[j+1].start]) {
			j++
		}
		if j == i {
			continue
		}
		// Operators that bind tighter than + take the last literal.
		n := skipSpace(text, lits[j].end)
		if n < len(text) && (strings.IndexByte(".[*/%", text[n]) >= 0 || hasPrefixFold(text, n, "-f") && (n+2 >= len(text) || !isWord(text[n+2]))) {
			j--
		}
		if j <= i {
			continue
		}
		var b strings.Builder
		for k := i; k <= j; k++ {
			if k > i && splitJunction(lits[k-1].val, lits[k].val) {
				sig = true
			}
			b.WriteString(lits[k].val)
			if b.Len() > max {
				break
			}
		}
		if b.Len() <= max {
			edits = append(edits, edit{lits[i].start, lits[j].end, psQuote(b.String())})
		}
		i = j
	}
	return applyEdits(text, edits), sig
}

// isPlusGap reports whether g is a '+' between white space
// (strings.TrimSpace(g) == "+"). Most gaps between literals are code, told
// apart at their first byte; only non-ASCII bytes, which TrimSpace may
// take for space, go the long way.
func isPlusGap(g string) bool {
	i := 0
	for i < len(g) && asciiSpace[g[i]] {
		i++
	}
	if i == len(g) || g[i] != '+' {
		return i < len(g) && g[i] >= utf8.RuneSelf && strings.TrimSpace(g) == "+"
	}
	for i++; i < len(g) && asciiSpace[g[i]]; i++ {
	}
	return i == len(g) || g[i] >= utf8.RuneSelf && strings.TrimSpace(g) == "+"
}

// asciiSpace marks the ASCII bytes strings.TrimSpace trims.
var asciiSpace = byteSet(" \t\n\v\f\r")

// psArgs parses a comma-separated list of pure literals starting at p,
// optionally in parentheses. It returns the values and the end position.
func psArgs(text string, lits []psLit, p int, want int) ([]string, int, bool) {
	p = skipSpace(text, p)
	paren := false
	if p < len(text) && text[p] == '(' {
		paren = true
		p = skipSpace(text, p+1)
	}
	var vals []string
	for {
		l, _, ok := litAt(lits, p)
		if !ok || !l.pure {
			return nil, 0, false
		}
		vals = append(vals, l.val)
		p = l.end
		q := skipSpace(text, p)
		if q < len(text) && text[q] == ',' && (want == 0 || len(vals) < want) {
			p = skipSpace(text, q+1)
			continue
		}
		if q < len(text) && strings.IndexByte(".[", text[q]) >= 0 {
			return nil, 0, false
		}
		if paren {
			if q >= len(text) || text[q] != ')' {
				return nil, 0, false
			}
			p = q + 1
		}
		return vals, p, true
	}
}

// formatNET evaluates a .NET composite format string with string args.
func formatNET(f string, args []string, max int) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '{' && i+1 < len(f) && f[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(f) && f[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			j := i + 1
			for j < len(f) && f[j] >= '0' && f[j] <= '9' {
				j++
			}
			if j == i+1 || j >= len(f) || f[j] != '}' || j-i > 6 {
				return "", false
			}
			k, _ := strconv.Atoi(f[i+1 : j])
			if k >= len(args) {
				return "", false
			}
			b.WriteString(args[k])
			i = j
		case c == '}':
			return "", false
		default:
			b.WriteByte(c)
		}
		if b.Len() > max {
			return "", false
		}
	}
	return b.String(), true
}

// rewritePSFormat evaluates "{1}{0}" -f 'b','a'.
func rewritePSFormat(s *scan) (string, bool) {
	text, max := s.text, s.max
	lits := s.psLits()
	var edits []edit
	sig := false
	for _, l := range lits {
		if !l.pure || !strings.Contains(l.val, "{") {
			continue
		}
		p := skipSpace(text, l.end)
		if !hasPrefixFold(text, p, "-f") || (p+2 < len(text) && isWord(text[p+2])) {
			continue
		}
		args, end, ok := psArgs(text, lits, p+2, 0)
		if !ok {
			continue
		}
		v, ok := formatNET(l.val, args, max)
		if !ok {
			continue
		}
		if len(args) >= 2 || !strings.HasPrefix(l.val, "{0}") {
			sig = true
		}
		edits = append(edits, edit{l.start, end, psQuote(v)})
	}
	return applyEdits(text, edits), sig
}

var reReplaceOp = lazyRegexp(`(?i)^\s*(?:\.\s*(replace)\s*\(|-([ci]?replace)\b)`)

// replaceOp is reReplaceOp().FindStringSubmatchIndex(rest), which can match
// only where rest starts with \s* and a dot or a dash (most literals are
// followed by neither).
func replaceOp(rest string) []int {
	if k := skipRESpace(rest, 0); k >= len(rest) || rest[k] != '.' && rest[k] != '-' {
		return nil
	}
	return reReplaceOp().FindStringSubmatchIndex(rest)
}

// rewritePSReplace evaluates .Replace() and -replace on literals.
func rewritePSReplace(s *scan) (string, bool) {
	text, max := s.text, s.max
	lits := s.psLits()
	var edits []edit
	for _, l := range lits {
		if !l.pure {
			continue
		}
		m := replaceOp(text[l.end:min(len(text), l.end+32)])
		if m == nil {
			continue
		}
		p := l.end + m[1]
		if m[2] >= 0 { // .Replace('a','b')
			args, end, ok := psArgs(text, lits, p, 2)
			if !ok || len(args) != 2 || args[0] == "" {
				continue
			}
			end = skipSpace(text, end)
			if end >= len(text) || text[end] != ')' {
				continue
			}
			if strings.Count(l.val, args[0])*(len(args[1])-len(args[0]))+len(l.val) > max {
				continue
			}
			edits = append(edits, edit{l.start, end + 1, psQuote(strings.ReplaceAll(l.val, args[0], args[1]))})
			continue
		}
		if q := prevNonSpace(text, l.start); q >= 0 && strings.IndexByte("(=;|{", text[q]) < 0 {
			continue
		}
		op := strings.ToLower(text[l.end+m[4] : l.end+m[5]])
		args, end, ok := psArgs(text, lits, p, 2)
		if !ok || len(args) > 2 {
			continue
		}
		repl := ""
		if len(args) == 2 {
			repl = args[1]
		}
		pat := args[0]
		if op != "creplace" {
			pat = "(?i)" + pat
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			continue
		}
		v := re.ReplaceAllString(l.val, repl)
		if len(v) > max {
			continue
		}
		edits = append(edits, edit{l.start, end, psQuote(v)})
	}
	return applyEdits(text, edits), len(edits) > 0
}

var (
	reStringJoin = newLowerRegexp(`(?i)\[string\]\s*::\s*join\s*\(`)
	reJoinOp     = newLowerRegexp(`(?i)-join\b`)
)

// rewritePSJoin evaluates [string]::Join and -join over literal lists.
func rewritePSJoin(s *scan) (string, bool) {
	text, max := s.text, s.max
	lits := s.psLits()
	var edits []edit
	for _, m := range findStringJoins(s) {
		sep, _, ok := litAt(lits, skipSpace(text, m[1]))
		if !ok || !sep.pure {
			continue
		}
		p := skipSpace(text, sep.end)
		if p >= len(text) || text[p] != ',' {
			continue
		}
		args, end, ok := psArgs(text, lits, p+1, 0)
		if !ok {
			continue
		}
		end = skipSpace(text, end)
		if end >= len(text) || text[end] != ')' {
			continue
		}
		if v := strings.Join(args, sep.val); len(v) <= max {
			edits = append(edits, edit{m[0], end + 1, psQuote(v)})
		}
	}
	for _, m := range findJoinOps(s) {
		// unary: -join ('a','b')
		p := skipSpace(text, m[1])
		if p < len(text) && text[p] == '(' {
			if q := prevNonSpace(text, m[0]); q < 0 || text[q] != ')' && text[q] != '\'' && text[q] != '"' {
				if args, end, ok := psArgs(text, lits, p, 0); ok && len(args) >= 2 {
					if v := strings.Join(args, ""); len(v) <= max {
						edits = append(edits, edit{m[0], end, psQuote(v)})
					}
					continue
				}
			}
		}
		// binary: ('a','b') -join ''
		sep, _, ok := litAt(lits, p)
		if !ok || !sep.pure {
			continue
		}
		q := prevNonSpace(text, m[0])
		if q < 0 || text[q] != ')' {
			continue
		}
		open := matchingOpen(text, q)
		if open < 0 {
			continue
		}
		args, end, ok := psArgs(text, lits, open, 0)
		if !ok || end != q+1 || len(args) < 2 {
			continue
		}
		if v := strings.Join(args, sep.val); len(v) <= max {
			edits = append(edits, edit{open, sep.end, psQuote(v)})
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	return applyEdits(text, edits), len(edits) > 0
}

// matchingOpen finds the '(' that matches the ')' at close, ignoring
// parentheses inside quotes only roughly (bounded look-back).
func matchingOpen(text string, close int) int {
	depth := 0
	for i := close; i >= 0 && close-i < 1<<16; i-- {
		switch text[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return i
			}
		case '\'':
			// skip a single-quoted literal backwards
			j := strings.LastIndexByte(text[:i], '\'')
			if j < 0 {
				return -1
			}
			i = j
		}
	}
	return -1
}

// rewritePSParens drops parentheses around a lone literal: ('abc') -> 'abc'.
func rewritePSParens(s *scan) (string, bool) {
	text := s.text
	lits := s.psLits()
	var edits []edit
	for _, l := range lits {
		if !l.pure {
			continue
		}
		o := prevNonSpace(text, l.start)
		if o < 0 || text[o] != '(' {
			continue
		}
		c := skipSpace(text, l.end)
		if c >= len(text) || text[c] != ')' {
			continue
		}
		if p := prevNonSpace(text, o); p >= 0 && strings.IndexByte("(=,;|{&+.\n", text[p]) < 0 && !(p >= 1 && hasPrefixFold(text, p-1, "-f")) {
			continue
		}
		edits = append(edits, edit{o, c + 1, text[l.start:l.end]})
	}
	return applyEdits(text, edits), false
}

// rePSCommandLine finds powershell [options] "..." and -Command ...;
// findPSCommandLines runs rePSCommandLineAt, the same pattern anchored,
// only where powershell or pwsh occurs: without a literal prefix the
// unanchored pattern stepped its NFA over every byte of every layer.
var (
	rePSCommandLine   = lazyRegexp(`(?i)\b` + psCommandLine)
	rePSCommandLineAt = lazyRegexp(`(?i)^` + psCommandLine)
)

const psCommandLine = `(?:powershell|pwsh)(?:\.exe)?"?((?:\s+[-/](?:nop\w*|noni\w*|nol\w*|w\w*\s+\w+|windowstyle\s+\w+|ep\s+\w+|exec\w*\s+\w+|sta|mta|version\s+[\d.]+|inputformat\s+\w+|outputformat\s+\w+|noexit))*)\s+(?:[-/]c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?\s+(["']?)|(["']))`

// findPSCommandLines returns what rePSCommandLine
// .FindAllStringSubmatchIndex(text, -1) returns.
func findPSCommandLines(text string) [][]int {
	if hasFoldRunes(text) {
		return rePSCommandLine().FindAllStringSubmatchIndex(text, -1)
	}
	return findAnchored(rePSCommandLineAt(), text, true, true, "powershell", "pwsh")
}

// extractPSCommandLine emits the command of powershell [options] "..." (or
// -Command ...), the form a launcher hands to powershell.exe.
func extractPSCommandLine(s *scan) []finding {
	var out []finding
	for _, m := range findPSCommandLines(s.text) {
		start := m[1]
		eol := strings.IndexByte(s.text[start:], '\n')
		if eol < 0 {
			eol = len(s.text) - start
		}
		line := strings.TrimRight(s.text[start:start+eol], "\r \t")
		q := m[4]
		if q < 0 || m[5] == q {
			q = m[6]
		}
		if q >= 0 && s.text[q] != ' ' {
			quote := s.text[q]
			k := strings.LastIndexByte(line, quote)
			if k < 0 {
				continue
			}
			line = line[:k]
		} else if strings.HasPrefix(line, "-") || strings.HasPrefix(line, "/") {
			continue // another option (-enc, -file ...): not a command
		}
		end := start + len(line)
		cmd := strings.ReplaceAll(line, `\"`, `"`)
		if len(strings.TrimSpace(cmd)) < 8 {
			continue
		}
		out = append(out, finding{span: Span{start, end}, text: cmd, size: len(cmd)})
	}
	return out
}

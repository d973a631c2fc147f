package lang

import "strings"

// The feature extractor turns text into hashed features for the linear
// model. It works on bytes, allocates nothing and runs in one pass.

// maxScan bounds how much of the text is inspected.
const maxScan = 64 << 10

// kind says what a feature is built from; it is mixed into the hash.
type kind uint8

const (
	kWord      kind = iota + 1 // a lower-cased word with its sigil ($x, %x, -x, .x, @x)
	kWordCase                  // the same word with its case kept, when it has capitals
	kPunct                     // a run of punctuation (at most 3 bytes)
	kLineStart                 // the first token of a line
	kLineEnd                   // the last token of a line
	kBigram                    // two consecutive tokens of a line
	kDoc                       // a document-level property (line count, CRLF, shebang)
	kReserved                  // unused; keeps the numbering the model was trained with
	kShape                     // a language-neutral shape of a token (sigil and case, Verb-Noun)
)

// Shapes of tokens, emitted as kShape features.
const (
	shapeSigilLower  = 1  // $x, %x, @x, -x, .x with a lower-case letter after the sigil
	shapeSigilUpper  = 2  // the same with an upper-case letter
	shapeVerbNoun    = 3  // an approved PowerShell verb, a hyphen and a capitalised noun
	shapePercentVar  = 4  // %name% (batch variable)
	shapeAllCaps     = 5  // a word of two or more letters, all capitals
	shapeCapitalized = 6  // Capitalized word
	shapeVerbLower   = 7  // approved verb, hyphen, lower-case noun (iex-style typing)
	shapeDoubleDash  = 8  // --long-option
	shapeDotMember   = 9  // .member right after a word or closing bracket
	shapeTilde       = 10 // %~dp0 style batch parameter expansion
)

// token is one lexical unit of a line.
type token struct {
	text string // a slice of the input
	pos  int    // offset of text in its line
	str  bool   // inside a quoted string
	h    uint32 // hash of the lower-cased text with its sigil
	// hc is the hash of the text with its case kept, set for words of at
	// most 32 bytes with capitals (0 otherwise).
	hc uint32
}

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hashStr(k kind, s string, lower bool) uint32 {
	h := uint32(fnvOffset) ^ seed(k)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if lower && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint32(c)
		h *= fnvPrime
	}
	return h
}

// seed spreads a kind over the hash space (wrapping multiplication).
func seed(k kind) uint32 { return uint32(k) * 0x9E3779B1 }

// mix combines a kind with one or two token hashes into a feature hash.
func mix(k kind, a, b uint32) uint32 {
	h := a*0x85EBCA6B ^ b*0xC2B2AE35 ^ uint32(k)*0x27D4EB2F
	h ^= h >> 16
	h *= 0x7FEB352D
	h ^= h >> 15
	h *= 0x846CA68B
	h ^= h >> 16
	return h
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isLetter(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' }

// visitor receives every feature. tok is the human-readable source of the
// feature (empty for bigrams and document features).
type visitor interface {
	feature(h uint32, k kind, tok string)
}

// extract calls v for every feature of text (the first maxScan bytes).
func extract(text string, v visitor) {
	if len(text) > maxScan {
		text = text[:maxScan]
	}
	lines, crlf := 0, false
	hashComments := !strings.HasPrefix(text, "#!") // every line a # comment
	var line [64]token
	for start := 0; start < len(text); {
		end := start
		for end < len(text) && text[end] != '\n' {
			end++
		}
		l := text[start:end]
		if len(l) > 0 && l[len(l)-1] == '\r' {
			crlf = true
		}
		start = end + 1
		n := tokenize(l, line[:0])
		if n == 0 {
			continue
		}
		lines++
		if t := line[0].text; t[0] != '#' {
			hashComments = false
		}
		toks := line[:n]
		prev := uint32(0)
		for i, t := range toks {
			if sh := shapeOf(l, t); sh != 0 {
				v.feature(mix(kShape, sh, 0), kShape, t.text)
			}
			// Words inside quoted strings are data more than syntax (a
			// registry path or a command handed to another shell), so
			// they are left out.
			if !t.str {
				v.feature(mix(kWord, t.h, 0), kWord, t.text)
			}
			if t.hc != 0 {
				v.feature(mix(kWordCase, t.hc, 0), kWordCase, t.text)
			}
			if i > 0 {
				v.feature(mix(kBigram, prev, t.h), kBigram, "")
			}
			prev = t.h
		}
		v.feature(mix(kLineStart, toks[0].h, 0), kLineStart, toks[0].text)
		v.feature(mix(kLineEnd, toks[n-1].h, 0), kLineEnd, toks[n-1].text)
	}
	switch {
	case lines <= 1:
		v.feature(mix(kDoc, 1, 0), kDoc, "")
	case lines <= 3:
		v.feature(mix(kDoc, 2, 0), kDoc, "")
	case lines <= 10:
		v.feature(mix(kDoc, 3, 0), kDoc, "")
	default:
		v.feature(mix(kDoc, 4, 0), kDoc, "")
	}
	if crlf {
		v.feature(mix(kDoc, 5, 0), kDoc, "")
	}
	if hashComments && lines > 0 {
		v.feature(mix(kDoc, 6, 0), kDoc, "")
	}
	// Which platform the text points at, as a combination: one-liners are
	// often told apart only by the absence of the other platform's cues.
	win, unix := platformCues(text)
	combo := uint32(10)
	if win {
		combo++
	}
	if unix {
		combo += 2
	}
	v.feature(mix(kDoc, combo, 0), kDoc, "")
}

// platformCues reports Windows cues (backslash paths, .exe, /switches,
// %variables%) and Unix cues (system folders, home paths, sudo) in text.
func platformCues(text string) (win, unix bool) {
	win = strings.IndexByte(text, '\\') >= 0 || strings.IndexByte(text, '%') >= 0 ||
		strings.Contains(text, ".exe") || strings.Contains(text, ".EXE") || strings.Contains(text, ".Exe")
	unix = strings.Contains(text, "~/") || strings.Contains(text, "sudo ")
	for i := strings.IndexByte(text, '/'); i >= 0 && !(win && unix); {
		if !win && i > 0 && text[i-1] == ' ' && i+1 < len(text) && isLetter(text[i+1]) && (i+2 == len(text) || !isLetter(text[i+2]) || !isLetter(text[min(i+3, len(text)-1)])) {
			win = true // a short /switch
		}
		if !unix && i+4 < len(text) {
			switch text[i+1 : i+4] {
			case "usr", "etc", "tmp", "bin", "dev", "var", "opt", "pro", "hom", "Lib", "Sys", "Use":
				unix = true
			}
		}
		j := strings.IndexByte(text[i+1:], '/')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return win, unix
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// tokenize splits one line into tokens, appending at most cap(buf) of them,
// and returns how many it stored.
func tokenize(l string, buf []token) int {
	n := 0
	var quote byte // the quote character of the string being read, or 0
	for i := 0; i < len(l) && n < cap(buf); {
		c, i0 := l[i], i
		switch {
		case isSpace(c) || c >= 0x80 || c < 0x20:
			i++
			continue
		case isWordByte(c):
			j := wordEnd(l, i)
			buf = append(buf, wordToken(l[i:j]))
			i = j
		case (c == '$' || c == '%' || c == '@' || c == '.' || c == '-') && i+1 < len(l) && isLetter(l[i+1]):
			j := wordEnd(l, i+1)
			buf = append(buf, wordToken(l[i:j]))
			i = j
		case c == '-' && i+2 < len(l) && l[i+1] == '-' && isLetter(l[i+2]):
			j := wordEnd(l, i+2)
			buf = append(buf, wordToken(l[i:j]))
			i = j
		case c == '"' || c == '\'' || c == '`':
			buf = append(buf, token{text: l[i : i+1], h: hashStr(kPunct, l[i:i+1], false)})
			i++
		default:
			j := i + 1
			for j < len(l) && j-i < 3 {
				d := l[j]
				if isWordByte(d) || isSpace(d) || d >= 0x80 || d < 0x20 || d == '"' || d == '\'' || d == '`' {
					break
				}
				if (d == '$' || d == '%' || d == '@') && j+1 < len(l) && isLetter(l[j+1]) {
					break
				}
				j++
			}
			buf = append(buf, token{text: l[i:j], h: hashStr(kPunct, l[i:j], false)})
			// Skip the rest of a long punctuation run.
			for j < len(l) && j-i >= 3 && !isWordByte(l[j]) && !isSpace(l[j]) && l[j] < 0x80 && l[j] >= 0x20 {
				j++
			}
			i = j
		}
		buf[n].pos = i0
		if q := l[i0]; q == '"' || q == '\'' {
			switch quote {
			case 0:
				quote = q
			case q:
				quote = 0
			}
		} else {
			buf[n].str = quote != 0
		}
		n++
	}
	return n
}

// wordEnd returns the end of the word starting at i: word bytes, with
// single hyphens joining letters (Verb-Noun cmdlets, long options).
func wordEnd(l string, i int) int {
	j := i
	for j < len(l) {
		if isWordByte(l[j]) {
			j++
			continue
		}
		if l[j] == '-' && j+1 < len(l) && isLetter(l[j+1]) && j > i && isLetter(l[j-1]) {
			j++
			continue
		}
		break
	}
	return j
}

// wordToken makes a token from a word (with an optional sigil). Numbers
// collapse into one token so that values do not spread over the model.
func wordToken(w string) token {
	body := w
	if len(body) > 0 && !isWordByte(body[0]) {
		body = body[1:]
	}
	if len(body) > 0 && body[0] >= '0' && body[0] <= '9' {
		t := token{text: w, h: hashStr(kWord, "0", false)}
		if len(w) <= 32 && hasUpper(w) {
			t.hc = hashStr(kWordCase, w, false)
		}
		return t
	}
	if len(w) > 32 { // long identifiers are obfuscation noise or data
		return token{text: w, h: hashStr(kWord, "<long>", false) ^ uint32(w[0])}
	}
	// One pass for the lower-cased and the case-kept hash.
	h := uint32(fnvOffset) ^ seed(kWord)
	hc := uint32(fnvOffset) ^ seed(kWordCase)
	upper := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		hc ^= uint32(c)
		hc *= fnvPrime
		if c >= 'A' && c <= 'Z' {
			upper = true
			c += 'a' - 'A'
		}
		h ^= uint32(c)
		h *= fnvPrime
	}
	if !upper {
		hc = 0
	}
	return token{text: w, h: h, hc: hc}
}

// shapeOf classifies a token into one of the shape* constants, or 0. l is
// the line the token was cut from.
func shapeOf(l string, t token) uint32 {
	w := t.text
	if len(w) < 2 {
		if w == "%" || w == "%~" {
			return 0
		}
		return 0
	}
	switch c := w[0]; {
	case c == '-' && w[1] == '-':
		return shapeDoubleDash
	case c == '%':
		// %name% : the byte after the word closes it.
		if end := tokenEnd(l, t); end < len(l) && l[end] == '%' {
			return shapePercentVar
		}
		fallthrough
	case c == '$' || c == '@' || c == '-':
		if w[1] >= 'A' && w[1] <= 'Z' {
			return shapeSigilUpper
		}
		return shapeSigilLower
	case c == '.':
		if start := tokenStart(l, t); start > 0 && (isWordByte(l[start-1]) || l[start-1] == ')' || l[start-1] == ']') {
			return shapeDotMember
		}
		return 0
	}
	if i := strings.IndexByte(w, '-'); i > 0 && i+1 < len(w) {
		if isVerb(w[:i]) {
			if w[i+1] >= 'A' && w[i+1] <= 'Z' {
				return shapeVerbNoun
			}
			return shapeVerbLower
		}
		return 0
	}
	upper, lower := 0, 0
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		}
	}
	switch {
	case upper >= 2 && lower == 0:
		return shapeAllCaps
	case w[0] >= 'A' && w[0] <= 'Z' && upper == 1 && lower > 0:
		return shapeCapitalized
	}
	return 0
}

// tokenStart and tokenEnd locate a token in its line.
func tokenStart(_ string, t token) int { return t.pos }

func tokenEnd(_ string, t token) int { return t.pos + len(t.text) }

// isVerb reports whether w is an approved verb, in any case, without
// allocating.
func isVerb(w string) bool {
	var buf [16]byte
	if len(w) > len(buf) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return approvedVerbs[string(buf[:len(w)])]
}

// approvedVerbs are the PowerShell approved verbs (Get-Verb) plus the
// verbs of common built-in cmdlets.
var approvedVerbs = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range strings.Fields(`add clear close copy enter exit find format get hide join lock move new open
		optimize pop push redo remove rename reset resize search select set show skip split step switch undo
		unlock watch connect disconnect read receive send write backup checkpoint compare compress convert
		convertfrom convertto dismount edit expand export group import initialize limit merge mount out
		publish restore save sync unpublish update approve assert build complete confirm deny deploy disable
		enable install invoke register request restart resume start stop submit suspend uninstall unregister
		wait debug measure ping repair resolve test trace block grant protect revoke unblock unprotect use
		foreach where sort tee`) {
		m[v] = true
	}
	return m
}()

package lang

import (
	"strings"
	"sync"
	"unicode/utf8"
)

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
	hc    uint32
	shape uint32 // shapeOf the token
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

// Byte classes of the tokenizer, looked up in charClass. Blanks (space,
// \t, \r, \f, \v) are among the cSkip bytes.
const (
	cSkip   = 1 << iota // blank, control or non-ASCII: between tokens
	cWord               // A-Z a-z 0-9 _
	cLetter             // A-Z a-z _
	cQuote              // " ' `
	cUpper              // A-Z
	cLower              // a-z
)

// cUpperShift is the bit of cUpper, for counting capitals without a
// branch.
const cUpperShift = 4

// lowerByte maps A-Z to a-z and every other byte to itself.
var lowerByte = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()

var charClass = func() (t [256]uint8) {
	for i := range t {
		c := byte(i)
		switch {
		case c >= 'a' && c <= 'z':
			t[i] = cWord | cLetter | cLower
		case c >= 'A' && c <= 'Z':
			t[i] = cWord | cLetter | cUpper
		case c == '_':
			t[i] = cWord | cLetter
		case c >= '0' && c <= '9':
			t[i] = cWord
		case c == '"' || c == '\'' || c == '`':
			t[i] = cQuote
		}
		if c == ' ' || c < 0x20 || c >= 0x80 {
			t[i] |= cSkip
		}
	}
	return t
}()

func isWordByte(c byte) bool { return charClass[c]&cWord != 0 }

func isLetter(c byte) bool { return charClass[c]&cLetter != 0 }

// featureSet collects the distinct features of one document, deduplicated
// by model bucket, in the order they first appear. The model's logits only
// depend on the set of buckets; the order decides which words become
// evidence candidates. A featureSet is reused through featureSets, so that
// Identify allocates nothing for it.
type featureSet struct {
	mask    uint32 // bucket mask: 1<<bits - 1, bits <= maxBits
	seen    [1 << maxBits / 64]uint64
	buckets []uint32 // distinct buckets, in order of first appearance
	// cands keeps the first distinct word and line-start features, the
	// candidates for the evidence of the decision.
	cands  [maxCands]cand
	ncands int
	// heads are the line heads of the text (see countLineHeads), which
	// extract counts as it splits the lines.
	heads lineHeads
}

// maxCands bounds the evidence candidates a featureSet keeps.
const maxCands = 96

type cand struct {
	tok    string
	k      kind
	bucket uint32
}

var featureSets = sync.Pool{New: func() any { return new(featureSet) }}

// getFeatureSet returns an empty featureSet for buckets of bits bits
// (bits <= maxBits). Return it with put.
func getFeatureSet(bits uint8) *featureSet {
	f := featureSets.Get().(*featureSet)
	f.mask = 1<<bits - 1
	return f
}

// put empties f and returns it to the pool. The candidates drop their
// references into the text.
func (f *featureSet) put() {
	if len(f.buckets) > len(f.seen)/16 {
		// Clearing all of the 8 KiB at once is cheaper than a word
		// per bucket for all but the smallest sets.
		clear(f.seen[:])
	} else {
		for _, b := range f.buckets {
			f.seen[b>>6] = 0
		}
	}
	f.buckets = f.buckets[:0]
	clear(f.cands[:f.ncands])
	f.ncands = 0
	f.heads = lineHeads{}
	featureSets.Put(f)
}

// add records the feature with hash h, of kind k, read from tok (empty for
// bigrams and document features).
func (f *featureSet) add(h uint32, k kind, tok string) {
	b := h & f.mask & (1<<maxBits - 1)
	w, bit := b>>6, uint64(1)<<(b&63)
	if f.seen[w]&bit != 0 {
		return
	}
	f.seen[w] |= bit
	f.buckets = append(f.buckets, b)
	if (k == kWord || k == kLineStart) && f.ncands < maxCands {
		f.cands[f.ncands] = cand{tok: tok, k: k, bucket: b}
		f.ncands++
	}
}

// extract adds every feature of text (the first maxScan bytes) to f, and
// sets f.heads to countLineHeads of that text.
func extract(text string, f *featureSet) {
	if len(text) > maxScan {
		text = text[:maxScan]
	}
	lines, crlf := 0, false
	hashComments := !strings.HasPrefix(text, "#!") // every line a # comment
	var line [64]token
	var cues uint8 // the cues tokenize found
	for start := 0; start < len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		l := text[start:end]
		if len(l) > 0 && l[len(l)-1] == '\r' {
			crlf = true
		}
		start = end + 1
		n, c := tokenize(l, line[:0])
		cues |= c
		// The line's head: tokenize skips the blanks and more before the
		// first token, so the line's first byte other than ASCII white
		// space is at or before it.
		switch {
		case n == 0:
			f.heads.addLine(l, len(l))
		case line[0].pos > 0 || headByte[l[0]]:
			f.heads.addLine(l, line[0].pos)
		}
		if n == 0 {
			continue
		}
		lines++
		if t := line[0].text; t[0] != '#' {
			hashComments = false
		}
		toks := line[:n]
		prev := uint32(0)
		for i := range toks {
			t := &toks[i]
			if t.shape != 0 {
				f.add(shapeMix[t.shape&15], kShape, t.text)
			}
			// Words inside quoted strings are data more than syntax (a
			// registry path or a command handed to another shell), so
			// they are left out.
			if !t.str {
				f.add(mix(kWord, t.h, 0), kWord, t.text)
			}
			if t.hc != 0 {
				f.add(mix(kWordCase, t.hc, 0), kWordCase, t.text)
			}
			if i > 0 {
				f.add(mix(kBigram, prev, t.h), kBigram, "")
			}
			prev = t.h
		}
		f.add(mix(kLineStart, toks[0].h, 0), kLineStart, toks[0].text)
		f.add(mix(kLineEnd, toks[n-1].h, 0), kLineEnd, toks[n-1].text)
	}
	switch {
	case lines <= 1:
		f.add(mix(kDoc, 1, 0), kDoc, "")
	case lines <= 3:
		f.add(mix(kDoc, 2, 0), kDoc, "")
	case lines <= 10:
		f.add(mix(kDoc, 3, 0), kDoc, "")
	default:
		f.add(mix(kDoc, 4, 0), kDoc, "")
	}
	if crlf {
		f.add(mix(kDoc, 5, 0), kDoc, "")
	}
	if hashComments && lines > 0 {
		f.add(mix(kDoc, 6, 0), kDoc, "")
	}
	// Which platform the text points at, as a combination: one-liners are
	// often told apart only by the absence of the other platform's cues.
	win, unix := otherCues(text)
	win = win || cues&cueExe != 0
	unix = unix || cues&cueSudo != 0
	combo := uint32(10)
	if win {
		combo++
	}
	if unix {
		combo += 2
	}
	f.add(mix(kDoc, combo, 0), kDoc, "")
}

// headByte marks the bytes a line head that counts can start with (see
// lineHeads.addLine): a line starting with another byte counts for no
// word.
var headByte = func() (t [256]bool) {
	t['e'], t['u'], t['m'] = true, true, true
	for c := utf8.RuneSelf; c < len(t); c++ {
		t[c] = true
	}
	return t
}()

// shapeMix holds mix(kShape, s, 0) for every shape s.
var shapeMix = func() (t [16]uint32) {
	for s := range t {
		t[s] = mix(kShape, uint32(s), 0)
	}
	return t
}()

// platformCues reports Windows cues (backslash paths, .exe, /switches,
// %variables%) and Unix cues (system folders, home paths, sudo) in text.
//
// Each answer is an or of cues, in any order: the cues that take a search
// for a frequent byte ("sudo " by its 'd', ".exe" by its dot) are looked
// for last, when the others have not settled the answer. extract has
// tokenize find those two as it reads the words.
func platformCues(text string) (win, unix bool) {
	win, unix = otherCues(text)
	return win || hasExe(text), unix || indexRare(text, "sudo ") >= 0
}

// otherCues is platformCues without the ".exe" and "sudo " cues.
func otherCues(text string) (win, unix bool) {
	win = strings.IndexByte(text, '\\') >= 0 || strings.IndexByte(text, '%') >= 0
	unix = strings.Contains(text, "~/")
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

// hasExe reports whether text contains ".exe", ".EXE" or ".Exe", in one
// pass over its dots.
func hasExe(text string) bool {
	for i := 0; ; {
		j := strings.IndexByte(text[i:], '.')
		if j < 0 {
			return false
		}
		i += j + 1
		if i+3 <= len(text) {
			switch text[i : i+3] {
			case "exe", "EXE", "Exe":
				return true
			}
		}
	}
}

// Platform cues that tokenize finds in a line (see platformCues).
const (
	cueExe  = 1 << iota // ".exe", ".EXE" or ".Exe"
	cueSudo             // "sudo "
)

// tokenize splits one line into tokens, storing at most cap(buf) of them
// in buf[:cap(buf)], and returns how many it stored and the platform cues
// of the line.
//
// It finds the cues at the words: every run of word bytes is the start of
// a token or follows the sigil or hyphen that starts or joins one, so a
// ".exe" is a word token after a dot or a word with the dot as its sigil,
// and a "sudo " the end of a word token followed by a space. The rest of a
// line cut short is searched.
func tokenize(l string, buf []token) (int, uint8) {
	buf = buf[:cap(buf)]
	n := 0
	var cues uint8
	var quote byte // the quote character of the string being read, or 0
	i := 0
	for i < len(l) && n < len(buf) {
		c := l[i]
		cc := charClass[c]
		if cc&cSkip != 0 {
			// Skip the whole run of blanks (indentation).
			for i++; i < len(l) && charClass[l[i]]&cSkip != 0; i++ {
			}
			continue
		}
		t := &buf[n]
		i0 := i
		switch {
		case cc&cWord != 0:
			i = scanWord(t, l, i, i)
			if i0 > 0 && l[i0-1] == '.' && isExe(l[i0:]) {
				cues |= cueExe
			}
			cues |= sudoAt(l, i)
		case (c == '$' || c == '%' || c == '@' || c == '.' || c == '-') && i+1 < len(l) && isLetter(l[i+1]):
			i = scanWord(t, l, i, i+1)
			if c == '.' && isExe(l[i0+1:]) {
				cues |= cueExe
			}
			cues |= sudoAt(l, i)
		case c == '-' && i+2 < len(l) && l[i+1] == '-' && isLetter(l[i+2]):
			i = scanWord(t, l, i, i+2)
			cues |= sudoAt(l, i)
		case cc&cQuote != 0:
			*t = token{text: l[i : i+1], h: punctHash[c]}
			i++
		default:
			j := i + 1
			for j < len(l) && j-i < 3 {
				d := l[j]
				if charClass[d]&(cWord|cSkip|cQuote) != 0 {
					break
				}
				if (d == '$' || d == '%' || d == '@') && j+1 < len(l) && isLetter(l[j+1]) {
					break
				}
				j++
			}
			h := punctHash[c] // hashStr(kPunct, l[i:j], false)
			for _, d := range []byte(l[i+1 : j]) {
				h = (h ^ uint32(d)) * fnvPrime
			}
			*t = token{text: l[i:j], h: h}
			// Skip the rest of a long punctuation run.
			if j-i >= 3 {
				for j < len(l) && charClass[l[j]]&(cWord|cSkip) == 0 {
					j++
				}
			}
			i = j
		}
		t.pos = i0
		if cc&cWord == 0 && len(t.text) >= 2 { // scanWord set the shape of a word without a sigil
			t.shape = shapeOf(l, t)
		}
		if c == '"' || c == '\'' {
			switch quote {
			case 0:
				quote = c
			case c:
				quote = 0
			}
		} else {
			t.str = quote != 0
		}
		n++
	}
	if i < len(l) {
		// Cut short: the cues of the rest, where a dot may end the last
		// token.
		if hasExe(l[i-1:]) {
			cues |= cueExe
		}
		if indexRare(l[i:], "sudo ") >= 0 {
			cues |= cueSudo
		}
	}
	return n, cues
}

// isExe reports whether s starts with "exe", "EXE" or "Exe".
func isExe(s string) bool {
	if len(s) < 3 {
		return false
	}
	switch s[:3] {
	case "exe", "EXE", "Exe":
		return true
	}
	return false
}

// sudoAt returns cueSudo when the word token ending at l[end] ends with
// "sudo" and a space follows it.
func sudoAt(l string, end int) uint8 {
	if end < len(l) && l[end] == ' ' && end >= 4 && l[end-4:end] == "sudo" {
		return cueSudo
	}
	return 0
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

// punctHash holds hashStr(kPunct, string(c), false) for every byte c: the
// hash of a one-byte punctuation token, and the start of a longer one.
var punctHash = func() (t [256]uint32) {
	for c := range t {
		t[c] = hashStr(kPunct, string([]byte{byte(c)}), false)
	}
	return t
}()

// Hashes of the collapsed word tokens.
var (
	hashNumber = hashStr(kWord, "0", false)
	hashLong   = hashStr(kWord, "<long>", false)
)

// scanWord stores in t the token of the word l[start:wordEnd(l, body)],
// an optional sigil l[start:body] and the word itself, and returns the end
// of the token. Numbers collapse into one token so that values do not
// spread over the model, and long identifiers (obfuscation noise or data)
// into one per first byte.
//
// It first finds the end of the word, noting the classes of its bytes,
// and then hashes only what the token keeps: no hash for a long word, and
// the case-kept hash only for a word with capitals. The loops stay small
// enough for their variables to live in registers.
func scanWord(t *token, l string, start, body int) int {
	hyphen := -1
	var classes uint8 // the classes of all bytes of the word
	j := body
	for ; j < len(l); j++ {
		cc := charClass[l[j]]
		if cc&cWord == 0 {
			if l[j] != '-' || j+1 >= len(l) || !isLetter(l[j+1]) || j == body || !isLetter(l[j-1]) {
				break
			}
			if hyphen < 0 {
				hyphen = j - start
			}
		}
		classes |= cc
	}
	w := l[start:j]
	*t = token{text: w}
	upper := classes&cUpper != 0
	switch {
	case start == body && l[start] >= '0' && l[start] <= '9':
		t.h = hashNumber
		if len(w) <= 32 && upper {
			t.hc = hashStr(kWordCase, w, false)
		}
	case len(w) > 32:
		t.h = hashLong ^ uint32(w[0])
	case upper:
		t.h, t.hc = hashWord(w)
	default:
		// No capitals (the sigil is never a letter): nothing to lower.
		t.h = hashStr(kWord, w, false)
	}
	// Most words, without capitals or hyphens, have no shape: wordShape
	// is called for the others only.
	if start == body && len(w) >= 2 && (hyphen > 0 || upper) {
		t.shape = wordShape(w, classes, hyphen)
	}
	return j
}

// hashWord returns hashStr(kWord, w, true) and hashStr(kWordCase, w,
// false) in one pass.
func hashWord(w string) (h, hc uint32) {
	h = uint32(fnvOffset) ^ seed(kWord)
	hc = uint32(fnvOffset) ^ seed(kWordCase)
	for i := 0; i < len(w); i++ {
		c := w[i]
		hc = (hc ^ uint32(c)) * fnvPrime
		h = (h ^ uint32(lowerByte[c])) * fnvPrime
	}
	return h, hc
}

// wordShape is shapeOf for a word without a sigil, from the classes of
// its bytes and the offset of its first hyphen (or -1). It counts the
// capitals only for the two shapes that depend on their number.
func wordShape(w string, classes uint8, hyphen int) uint32 {
	lower := classes&cLower != 0
	switch {
	case len(w) < 2:
		return 0
	case hyphen > 0 && hyphen+1 < len(w):
		if !isVerb(w[:hyphen]) {
			return 0
		}
		if w[hyphen+1] >= 'A' && w[hyphen+1] <= 'Z' {
			return shapeVerbNoun
		}
		return shapeVerbLower
	case classes&cUpper == 0:
		return 0
	case !lower: // capitals and no small letters: two capitals or more
		if countUpper(w) >= 2 {
			return shapeAllCaps
		}
		return 0
	case w[0] >= 'A' && w[0] <= 'Z' && countUpper(w[1:]) == 0: // one capital, first
		return shapeCapitalized
	}
	return 0
}

// countUpper counts the ASCII capitals of w.
func countUpper(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		n += int(charClass[w[i]]>>cUpperShift) & 1
	}
	return n
}

// shapeOf classifies a token into one of the shape* constants, or 0. l is
// the line the token was cut from.
func shapeOf(l string, t *token) uint32 {
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
func tokenStart(_ string, t *token) int { return t.pos }

func tokenEnd(_ string, t *token) int { return t.pos + len(t.text) }

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

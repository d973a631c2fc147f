package indicators

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// Match functions for indicators that are statistical rather than textual.
// Each is a single linear pass (or a bounded number of substring searches)
// and returns the byte offset of the hit or -1.

func isAlnum(b byte) bool { return byteClass[b]&(clUpper|clLower|clDigit) != 0 }

func isIdent(b byte) bool { return byteClass[b]&(clUpper|clLower|clDigit|clUnder) != 0 }

// Byte classes for the statistical scans: one table load instead of a
// chain of range comparisons per byte.
const (
	clUpper = 1 << iota
	clLower
	clDigit
	clUnder
	clB64Sym    // + and /
	clHex       // 0-9 a-f A-F
	clConsonant // lower-case letters other than a e i o u y
)

var byteClass = func() (t [256]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = clUpper
		t[c+'a'-'A'] = clLower
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clDigit
	}
	t['_'] = clUnder
	t['+'], t['/'] = clB64Sym, clB64Sym
	for _, c := range "0123456789abcdefABCDEF" {
		t[c] |= clHex
	}
	for _, c := range "bcdfghjklmnpqrstvwxz" {
		t[c] |= clConsonant
	}
	return t
}()

// rawIPURL finds an http/https/ftp URL whose host is a literal IPv4 address
// outside loopback, private, link-local and multicast ranges: the first of
// the first 256 http:// URLs, else of the https:// ones, else of the
// ftp:// ones.
//
// It finds the three in one pass over the "://" separators (each follows
// one scheme at most, and none overlaps another) instead of one search per
// scheme: those stopped at every 'h' and 'f' of the layer.
func rawIPURL(_, lower string) int {
	schemes := [...]string{"http", "https", "ftp"}
	var seen [len(schemes)]int // URLs looked at, per scheme
	first := [len(schemes)]int{-1, -1, -1}
	// answer returns the result once the URLs after c cannot change it.
	answer := func() (int, bool) {
		for i := range schemes {
			if first[i] >= 0 {
				return first[i], true
			}
			if seen[i] < 256 {
				return -1, false // a later URL of this scheme may qualify
			}
		}
		return -1, true
	}
	for from := 0; ; {
		k := strings.Index(lower[from:], "://")
		if k < 0 {
			break
		}
		c := from + k
		from = c + len("://")
		for i, sc := range schemes {
			if p := c - len(sc); p >= 0 && lower[p:c] == sc {
				if seen[i] < 256 {
					seen[i]++
					if first[i] < 0 && publicIPv4Prefix(lower[from:]) {
						first[i] = p
					}
				}
				break
			}
		}
		if p, ok := answer(); ok {
			return p
		}
	}
	for _, p := range first {
		if p >= 0 {
			return p
		}
	}
	return -1
}

// publicIPv4Prefix reports whether s starts with a dotted-quad public IPv4
// address followed by a URL delimiter.
func publicIPv4Prefix(s string) bool {
	var oct [4]int
	i := 0
	for o := 0; o < 4; o++ {
		j := i
		for j < len(s) && j-i < 3 && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		if j == i {
			return false
		}
		v, _ := strconv.Atoi(s[i:j])
		if v > 255 {
			return false
		}
		oct[o] = v
		i = j
		if o < 3 {
			if i >= len(s) || s[i] != '.' {
				return false
			}
			i++
		}
	}
	if i < len(s) && (isAlnum(s[i]) || s[i] == '.' || s[i] == '-') {
		return false // a host name that starts with digits
	}
	a, b := oct[0], oct[1]
	switch {
	case a == 0, a == 10, a == 127, a >= 224:
		return false
	case a == 169 && b == 254, a == 172 && b >= 16 && b <= 31, a == 192 && b == 168, a == 100 && b >= 64 && b <= 127:
		return false
	}
	return true
}

// vmArtefactLits are hypervisor and sandbox artefacts; two or more distinct
// ones in a layer make a VM/sandbox check.
var vmArtefactLits = []string{
	"vboxservice", "vboxtray", "vboxmouse", "vboxguest", "vboxsf", "vmtoolsd", "vmwaretray", "vmwareuser",
	"vmhgfs", "vmci.sys", "sbiedll", "wdagutilityaccount", "qemu-ga", "prl_tools", "xenservice",
	"joeboxcontrol", "joeboxserver", "cuckoomon", "sandboxiedcomlaunch", "vmsrvc", "vmusrvc",
}

func vmArtefacts(_, lower string) int {
	distinct, first := 0, -1
	for _, a := range vmArtefactLits {
		if k := strings.Index(lower, a); k >= 0 {
			distinct++
			if first < 0 || k < first {
				first = k
			}
		}
	}
	if distinct < 2 {
		return -1
	}
	return first
}

// backtickNoise finds PowerShell tokens with backticks before letters that
// are not escape sequences (`0 `a `b `e `f `n `r `t `u `v), three or more
// times in the layer; it returns the start of the first such token.
func backtickNoise(text, _ string) int {
	count, first := 0, -1
	for i := 1; i+1 < len(text); i++ {
		// Jump to the next backtick: they are rare, and IndexByte is
		// far quicker than a byte-by-byte test.
		k := strings.IndexByte(text[i:len(text)-1], '`')
		if k < 0 {
			return -1
		}
		if i += k; !isAlnum(text[i-1]) {
			continue
		}
		c := text[i+1] | 0x20
		if c < 'a' || c > 'z' || strings.IndexByte("0abefnrtuv", c) >= 0 {
			continue
		}
		if count == 0 {
			s := i
			for s > 0 && (isAlnum(text[s-1]) || text[s-1] == '`' || text[s-1] == '-') {
				s--
			}
			first = s
		}
		count++
		if count >= 3 {
			return first
		}
	}
	return -1
}

// charCodeArray finds an array/argument list of at least 40 integers of
// which 80% or more are printable character codes.
//
// Such a list holds a chain of 39 links from its first comma (see
// chainAt), and only a bracket, white space, an integer and blanks come
// before that comma. So the walk over the brackets jumps to the stretch
// just before the next chain: a qualifying bracket at or after i cannot
// lie before it, since no comma separates the bracket from its list's
// first comma, and that comma is the next chain's or a later one. Nor can
// a list's first comma lie inside another chain: the comma before it in
// the chain would separate them. Most layers have no chain, and the
// others few.
func charCodeArray(text, _ string) int {
	first, last := -1, -1 // the next chain's first and last commas
	for i := 0; i < len(text); i++ {
		if i > first {
			if first, last = chainAt(text, max(i, last+1), 39); first < 0 {
				return -1
			}
			k := first
			for k > i && isListByte(text[k-1]) {
				k--
			}
			i = max(i, k-1) // the bracket before the stretch, if any
		}
		c := text[i]
		if c != '[' && c != '(' && c != '{' {
			continue
		}
		j := i + 1
		n, printable := 0, 0
		for j < len(text) {
			for j < len(text) && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r') {
				j++
			}
			v, k := parseSmallInt(text, j)
			if k == j {
				break
			}
			n++
			if v == 9 || v == 10 || v == 13 || (v >= 32 && v <= 126) {
				printable++
			}
			j = k
			for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
				j++
			}
			if j >= len(text) || text[j] != ',' {
				break
			}
			j++
		}
		if n >= 40 && printable*5 >= n*4 {
			return i
		}
		if j > i+1 {
			i = j - 1
		}
	}
	return -1
}

// isListByte reports whether b may come between a list's opening bracket
// and its first comma: white space or part of an integer (0x1F).
func isListByte(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\r', 'x', 'X':
		return true
	}
	return byteClass[b]&clHex != 0
}

// chainAt finds the first comma at or after from that starts n links of
// the list charCodeArray parses, and returns it and the last comma of its
// chain, or -1, -1. A link is, after a comma, white space and an integer,
// and then, for all links but the last, blanks and the next comma; a list
// of 40 integers holds 39 links from its first comma. Commas are found
// with IndexByte, far quicker than charCodeArray's byte-by-byte walk over
// the brackets. A walk skips the commas it passed: walks from them would
// be shorter.
//
// Before each comma search, the search skips to the first stretch of 2n
// bytes that a chain may hold (chainBytes; see stretch): a chain of n
// links from a comma c fills text[c:c+2n] with such bytes, so no comma
// before the stretch starts one. On ordinary code, where commas are
// common and such stretches rare, this looks at a few bytes per 2n
// instead of stopping at every comma.
func chainAt(text string, from, n int) (int, int) {
	for i := from; i < len(text); {
		if i = stretch(text, i, 2*n, &chainBytes); i < 0 {
			return -1, -1
		}
		k := strings.IndexByte(text[i:], ',')
		if k < 0 {
			return -1, -1
		}
		c := i + k
		first, links := c, 0
		for {
			j := c + 1
			for j < len(text) && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r') {
				j++
			}
			if j == len(text) || text[j] < '0' || text[j] > '9' {
				break // no integer (most commas): spare the call
			}
			_, e := parseSmallInt(text, j)
			if e == j {
				break
			}
			links++
			for e < len(text) && (text[e] == ' ' || text[e] == '\t') {
				e++
			}
			if e >= len(text) || text[e] != ',' {
				break
			}
			c = e
		}
		if links >= n {
			return first, c
		}
		i = c + 1
	}
	return -1, -1
}

// chainBytes are the bytes a chain of chainAt holds: , white space and
// the digits of integers (0-9 a-f A-F x X).
var chainBytes = byteSet(", \t\n\r0123456789abcdefABCDEFxX")

// byteSet returns the table of the bytes of s.
func byteSet(s string) (t [256]bool) {
	for i := 0; i < len(s); i++ {
		t[s[i]] = true
	}
	return t
}

// stretch returns the first p >= from where text[p:p+n] holds only bytes
// of in, or -1. It tests the last byte of a candidate stretch first and
// works backwards: a byte outside in at k rules out every stretch that
// holds it, so the next candidate starts at k+1. Bytes found good are not
// tested twice, so the search is linear, and on text where such stretches
// are rare it looks at about one byte in n.
func stretch(text string, from, n int, in *[256]bool) int {
	good := from // text[from:good] is known to hold only bytes of in
	for p := from; p+n <= len(text); {
		k := p + n - 1
		for k >= good && in[text[k]] {
			k--
		}
		if k < good {
			return p
		}
		good = p + n // text[k+1:p+n] is good, and the next stretch starts at k+1
		p = k + 1
	}
	return -1
}

// parseSmallInt parses a decimal or 0x-hex integer at s[i:], returning its
// value (capped) and the offset after it; the offset is i when none.
func parseSmallInt(s string, i int) (int, int) {
	j := i
	v := 0
	if j+1 < len(s) && s[j] == '0' && (s[j+1] == 'x' || s[j+1] == 'X') {
		j += 2
		st := j
		for j < len(s) && j-st < 8 {
			d := s[j] | 0x20
			switch {
			case '0' <= s[j] && s[j] <= '9':
				v = v*16 + int(s[j]-'0')
			case 'a' <= d && d <= 'f':
				v = v*16 + int(d-'a'+10)
			default:
				goto done
			}
			j++
		}
	done:
		if j == st {
			return 0, i
		}
	} else {
		for j < len(s) && '0' <= s[j] && s[j] <= '9' && j-i < 10 {
			v = v*10 + int(s[j]-'0')
			j++
		}
	}
	if j < len(s) && (isIdent(s[j]) || s[j] == '.') {
		return 0, i // part of an identifier or a float
	}
	return v, j
}

// hexIdentifiers finds javascript-obfuscator style _0xABCD identifiers: at
// least 12 occurrences with at least 4 different names.
func hexIdentifiers(_, lower string) int {
	count, first := 0, -1
	var names [4]string
	distinct := 0
	for from, n := 0, 0; n < 4096; n++ {
		k := strings.Index(lower[from:], "_0x")
		if k < 0 {
			break
		}
		p := from + k
		j := p + 3
		for j < len(lower) && j-p < 12 && ('0' <= lower[j] && lower[j] <= '9' || 'a' <= lower[j] && lower[j] <= 'f') {
			j++
		}
		from = j
		if j-p-3 < 4 || (j < len(lower) && isIdent(lower[j])) || (p > 0 && isIdent(lower[p-1])) {
			continue
		}
		if first < 0 {
			first = p
		}
		count++
		if distinct < len(names) {
			name := lower[p:j]
			seen := false
			for _, x := range names[:distinct] {
				if x == name {
					seen = true
				}
			}
			if !seen {
				names[distinct] = name
				distinct++
			}
		}
		if count >= 12 && distinct >= 4 {
			return first
		}
	}
	return -1
}

// base64Blob finds a run of at least 400 Base64 characters (not wrapped)
// with upper case, lower case and digits.
//
// A run that long cannot start at i when some byte of text[i:i+400] is not
// Base64, so the scan tests the last byte of that span first and walks back
// to the nearest non-Base64 byte k, then resumes at k+1: on ordinary text
// it looks at a few bytes per 400 instead of every byte.
func base64Blob(text, _ string) int {
	const min = 400
	const b64 = clUpper | clLower | clDigit | clB64Sym
	const mixed = clUpper | clLower | clDigit
	// i is always 0 or just past a non-Base64 byte: where a run may start.
	for i := 0; i+min <= len(text); {
		k := i + min - 1
		for k >= i && byteClass[text[k]]&b64 != 0 {
			k--
		}
		if k >= i {
			i = k + 1 // every run starting in [i, k] ends by k: too short
			continue
		}
		// text[i:i+min] is all Base64: take the whole run.
		var seen uint8
		j := i
		for j < len(text) && byteClass[text[j]]&b64 != 0 {
			seen |= byteClass[text[j]]
			j++
		}
		if seen&mixed == mixed {
			return i
		}
		i = j + 1 // text[j] is not Base64 (or j is the end)
	}
	return -1
}

// isRandomIdent reports whether an identifier of 8 to 64 characters looks
// machine-generated: mixed-case fragments of one or two letters
// (XmtKaYoD), long consonant runs (qzxvbnrt), or frequent letter/digit
// alternation (a1b2c3d4). Long pure-hex tokens (hashes) are not counted.
//
// It runs on most long identifiers of every layer, so it first turns s
// into one bitmask per byte class (bit i for s[i]), eight bytes at a time
// and without data-dependent branches, and then judges the three
// properties with a few bit operations on the masks.
func isRandomIdent(s string) bool {
	if len(s) > 64 {
		return isRandomIdentLong(s)
	}
	all := ^uint64(0) // the classes every byte has, per byte of the word
	var upper, lower, digit, under, cons uint64
	for i := 0; i < len(s); i += 8 {
		// w holds the classes of s[i:i+8], one per byte; past the end of
		// s it holds 0, and all ignores those bytes.
		var w uint64
		if t := s[i:]; len(t) >= 8 {
			w = uint64(byteClass[t[0]]) | uint64(byteClass[t[1]])<<8 |
				uint64(byteClass[t[2]])<<16 | uint64(byteClass[t[3]])<<24 |
				uint64(byteClass[t[4]])<<32 | uint64(byteClass[t[5]])<<40 |
				uint64(byteClass[t[6]])<<48 | uint64(byteClass[t[7]])<<56
			all &= w
		} else {
			for j := 0; j < len(t); j++ {
				w |= uint64(byteClass[t[j]]) << (8 * j)
			}
			all &= w | ^uint64(0)<<(8*len(t))
		}
		upper |= classBits(w, clUpper) << i
		lower |= classBits(w, clLower) << i
		digit |= classBits(w, clDigit) << i
		under |= classBits(w, clUnder) << i
		cons |= classBits(w, clConsonant) << i
	}
	all &= all >> 32
	all &= all >> 16
	all &= all >> 8
	if all&clHex != 0 {
		return false // a hash
	}
	// Six consonants in a row (upper case, vowels, digits and '_' break a
	// run: acronyms such as HTTP or XML are not gibberish).
	if cons&(cons>>1)&(cons>>2)&(cons>>3)&(cons>>4)&(cons>>5) != 0 {
		return true
	}
	// Switches between a digit and a byte before it that is not '_' (nor
	// '_' itself); bit 0 has no byte before it.
	valid := ^uint64(0) >> (64 - len(s))
	if bits.OnesCount64((digit^digit<<1)&^(under|under<<1)&valid&^1) >= 5 {
		return true
	}
	// Camel segments: a new one starts at an upper-case letter after a
	// lower-case one, and one also starts at 0 and after each '_'. A
	// segment ended by an upper-case letter is short when it has at most
	// two bytes.
	camel := upper & (lower << 1)
	starts := 1 | camel | under<<1
	short := 0
	for t := camel; t != 0; t &= t - 1 {
		p := bits.TrailingZeros64(t)
		if p-(63-bits.LeadingZeros64(starts&(1<<p-1))) <= 2 {
			short++
		}
	}
	return short >= 2
}

// classBits gathers, from a word of eight byte classes, the bit of class
// cl of each byte: bit j of the result for byte j. The multiplication
// moves bit 8j to bit 56+j; no two of its partial products land on the
// same bit, so nothing carries into the top byte.
func classBits(w uint64, cl uint8) uint64 {
	const lsb = 0x0101010101010101
	return (w >> bits.TrailingZeros8(cl) & lsb) * 0x0102040810204080 >> 56
}

// isRandomIdentLong is isRandomIdent byte by byte, for identifiers too
// long for a 64-bit mask (randomIdentifiers judges none).
func isRandomIdentLong(s string) bool {
	hex := true
	short, segLen, consRun, maxCons, alt := 0, 0, 0, 0, 0
	// prev is the class of the previous byte; '_' before the first, which
	// starts neither a camel segment nor a letter/digit switch.
	prev := uint8(clUnder)
	for i := 0; i < len(s); i++ {
		cl := byteClass[s[i]]
		hex = hex && cl&clHex != 0
		if cl&clUpper != 0 && prev&clLower != 0 { // a new camel segment
			if segLen <= 2 {
				short++
			}
			segLen = 0
		}
		// A switch between a digit and anything but '_'.
		if (cl^prev)&clDigit != 0 && (cl|prev)&clUnder == 0 {
			alt++
		}
		prev = cl
		segLen++
		if cl&clUnder != 0 {
			segLen = 0
		}
		if cl&clConsonant != 0 {
			consRun++
			maxCons = max(maxCons, consRun)
		} else {
			consRun = 0 // vowels, digits, '_' and upper case: acronyms (HTTP, XML) are not gibberish
		}
	}
	return !hex && (short >= 2 || maxCons >= 6 || alt >= 5)
}

// randomIdentifiers flags a layer where random-looking identifiers (8+
// characters) occur at least 12 times, with at least 4 different ones, and
// make up 35% or more of all long identifier occurrences. Identifiers are
// the maximal runs of [A-Za-z0-9_] that do not start with a digit, and
// long ones have 8 to 64 bytes.
//
// Judging an identifier (isRandomIdent) costs far more than finding it, so
// a first pass counts the long identifiers, keeping the positions of the
// first keptIdents. That count sets how many random ones a flag needs,
// and the second pass judges them in order only until the outcome is
// certain: enough random ones (with 4 different ones), or too few left to
// reach the count. A layer with fewer than 12 long identifiers needs no
// judgement at all.
func randomIdentifiers(text, _ string) int {
	var kept [keptIdents]uint32 // start<<7 | length of the first long identifiers
	sc := identScanner{text: text}
	long := 0
	var resume identScanner // the scanner just after the last kept identifier
	for {
		s, e, ok := sc.next()
		if !ok {
			break
		}
		if long < len(kept) {
			kept[long] = uint32(s)<<7 | uint32(e-s)
			if long == len(kept)-1 {
				resume = sc
			}
		}
		long++
	}
	if long < 12 {
		return -1
	}
	// need is the fewest random identifiers that flag the layer: at least
	// 12 and 35% of all.
	need := max(12, (long*35+99)/100)
	random, first, judged := 0, -1, 0
	var names [4]string
	distinct := 0
	// Identifiers recur (variables, calls), so the last judgement of each
	// of a few identifiers is kept, found by a hash of its length and its
	// first and last eight bytes: half the identifiers of the dev corpus
	// are found there.
	var seen [64]string
	var seenRandom [64]bool
	// judge reports whether the outcome is certain after the identifier
	// text[s:e].
	judge := func(s, e int) bool {
		judged++
		tok := text[s:e]
		h := (load64(tok, 0)*0x9e3779b97f4a7c15 ^ load64(tok, len(tok)-8)*0xc2b2ae3d27d4eb4f ^ uint64(len(tok))) >> 58
		if seen[h] != tok {
			seen[h], seenRandom[h] = tok, isRandomIdent(tok)
		}
		if seenRandom[h] {
			random++
			if first < 0 {
				first = s
			}
			if distinct < len(names) && !slices.Contains(names[:distinct], tok) {
				names[distinct] = tok
				distinct++
			}
		}
		return random >= need && distinct == len(names) || random+long-judged < need
	}
	done := false
	for _, k := range kept[:min(long, len(kept))] {
		s := int(k >> 7)
		if done = judge(s, s+int(k&127)); done {
			break
		}
	}
	for !done && long > len(kept) {
		s, e, ok := resume.next()
		if !ok {
			break
		}
		done = judge(s, e)
	}
	if random >= need && distinct == len(names) {
		return first
	}
	return -1
}

// keptIdents is how many identifier positions randomIdentifiers keeps
// from its first pass (on the stack); it finds any further ones again.
const keptIdents = 512

// identScanner finds the long identifiers of a text in order: runs of
// [A-Za-z0-9_] of 8 to 64 bytes that do not start with a digit.
//
// Only runs of 8 or more bytes count, and a run that ends in the same
// eight-byte word where it starts is shorter. So the scan looks at the text
// a word at a time and only at the ends of runs that cross words: one
// branch per word instead of one per byte.
type identScanner struct {
	text  string
	i     int  // offset of the next word to look at
	start int  // where the current run started: just past the last non-identifier byte
	done  bool // the run that ends the text was looked at
}

// next returns the next long identifier, text[s:e], or false when there
// is none.
func (sc *identScanner) next() (s, e int, ok bool) {
	const ident = clUpper | clLower | clDigit | clUnder
	text, i, start := sc.text, sc.i, sc.start
	long := func(s, e int) bool {
		n := e - s
		return n >= 8 && n <= 64 && byteClass[text[s]]&clDigit == 0
	}
	for ; i+8 <= len(text); i += 8 {
		stop := nonIdentMask(load64(text, i))
		if stop == 0 {
			continue
		}
		s, e := start, i+bits.TrailingZeros64(stop)/8
		start = i + (63-bits.LeadingZeros64(stop))/8 + 1
		if long(s, e) {
			sc.i, sc.start = i+8, start
			return s, e, true
		}
	}
	for ; i < len(text); i++ {
		if byteClass[text[i]]&ident == 0 {
			s, e := start, i
			start = i + 1
			if long(s, e) {
				sc.i, sc.start = i+1, start
				return s, e, true
			}
		}
	}
	sc.i, sc.start = i, start
	if !sc.done {
		sc.done = true
		if long(start, len(text)) {
			return start, len(text), true
		}
	}
	return 0, 0, false
}

// nonIdentMask returns 0x80 in each byte of x that is not an identifier
// byte ([A-Za-z0-9_]), 0 in the others; see upperMask for the method. OR
// 0x20 lowers letters, and maps no other byte into a-z.
func nonIdentMask(x uint64) uint64 {
	const ones = 0x0101010101010101
	low := x & (0x7f * ones)
	folded := low | 0x20*ones
	letter := (folded + (0x80-'a')*ones) &^ (folded + (0x80-'z'-1)*ones)
	digit := (low + (0x80-'0')*ones) &^ (low + (0x80-'9'-1)*ones)
	under := (low + (0x80-'_')*ones) &^ (low + (0x80-'_'-1)*ones)
	return ^((letter | digit | under) &^ x) & (0x80 * ones)
}

// Fixtures for the statistical indicators (own, inert text).
const (
	sampleBase64 = "VGhpcyBpcyBhbiBpbmVydCBmaXh0dXJlIHdyaXR0ZW4gZm9yIHRoZSBhdXRvbWFsZGVzYyBpbmRpY2F0b3IgdGVzdHMuIEl0IG9ubHkgZXhpc3RzIHNvIHRoYXQgYSBsb25nIEJhc2U2NCBydW4gY2FuIGJlIHJlY29nbmlzZWQgYnkgdGhlIGJsb2IgZGV0ZWN0b3Igd2l0aG91dCBzaGlwcGluZyBhbnkgcmVhbCBwYXlsb2FkLiBOb3RoaW5nIGhlcmUgZXhlY3V0ZXMsIGRvd25sb2FkcyBvciBkZWNvZGVzIGludG8gY29kZTsgaXQgaXMgcGxhaW4gRW5nbGlzaCBwcm9zZSByZXBlYXRlZCB3aXRoIHNtYWxsIGNoYW5nZXMgc28gdGhhdCB0aGUgZW5jb2RlZCBmb3JtIGdyb3dzIHBhc3QgdGhlIGxlbmd0aCB0aHJlc2hvbGQgdXNlZCBieSB0aGUgaW5kaWNhdG9yLg=="

	randomIdentifierFixture = "var §XmtKaYoDq = 1;\nvar QwPzRtKxv = XmtKaYoDq + 2;\nfunction ZkTrPwLmQ(BnVcXzAsD) { return BnVcXzAsD + QwPzRtKxv; }\n" +
		"XmtKaYoDq = ZkTrPwLmQ(XmtKaYoDq);\nQwPzRtKxv = ZkTrPwLmQ(QwPzRtKxv);\nvar BnVcXzAsD = XmtKaYoDq + QwPzRtKxv;\nZkTrPwLmQ(BnVcXzAsD);\n"
)

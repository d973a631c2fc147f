package indicators

import (
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
	clB64Sym // + and /
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
	return t
}()

// rawIPURL finds an http/https/ftp URL whose host is a literal IPv4 address
// outside loopback, private, link-local and multicast ranges.
func rawIPURL(text, lower string) int {
	for _, scheme := range [...]string{"http://", "https://", "ftp://"} {
		from := 0
		for n := 0; n < 256; n++ {
			k := strings.Index(lower[from:], scheme)
			if k < 0 {
				break
			}
			p := from + k
			from = p + len(scheme)
			if publicIPv4Prefix(lower[from:]) {
				return p
			}
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
		if text[i] != '`' || !isAlnum(text[i-1]) {
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
func charCodeArray(text, _ string) int {
	for i := 0; i < len(text); i++ {
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
func base64Blob(text, _ string) int {
	const min = 400
	const b64 = clUpper | clLower | clDigit | clB64Sym
	const mixed = clUpper | clLower | clDigit
	for i := 0; i < len(text); {
		if byteClass[text[i]]&b64 == 0 {
			i++
			continue
		}
		start := i
		var seen uint8
		for i < len(text) && byteClass[text[i]]&b64 != 0 {
			seen |= byteClass[text[i]]
			i++
		}
		if i-start >= min && seen&mixed == mixed {
			return start
		}
	}
	return -1
}

// isRandomIdent reports whether an identifier of 8+ characters looks
// machine-generated: mixed-case fragments of one or two letters
// (XmtKaYoD), long consonant runs (qzxvbnrt), or frequent letter/digit
// alternation (a1b2c3d4). Long pure-hex tokens (hashes) are not counted.
func isRandomIdent(s string) bool {
	hex := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			hex = false
			break
		}
	}
	if hex {
		return false
	}
	short, segLen, consRun, maxCons, alt := 0, 0, 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		isUpper := 'A' <= c && c <= 'Z'
		isLower := 'a' <= c && c <= 'z'
		isDigit := '0' <= c && c <= '9'
		if i > 0 {
			p := s[i-1]
			pl := 'a' <= p && p <= 'z'
			pd := '0' <= p && p <= '9'
			if isUpper && pl { // a new camel segment
				if segLen <= 2 {
					short++
				}
				segLen = 0
			}
			if (isDigit && !pd && p != '_') || (!isDigit && c != '_' && pd) {
				alt++
			}
		}
		segLen++
		if c == '_' {
			segLen = 0
		}
		switch {
		case isUpper:
			consRun = 0 // acronyms (HTTP, XML) are not gibberish
		case isLower:
			switch c {
			case 'a', 'e', 'i', 'o', 'u', 'y':
				consRun = 0
			default:
				consRun++
				if consRun > maxCons {
					maxCons = consRun
				}
			}
		default:
			consRun = 0
		}
	}
	return short >= 2 || maxCons >= 6 || alt >= 5
}

// randomIdentifiers flags a layer where random-looking identifiers (8+
// characters) occur at least 12 times, with at least 4 different ones, and
// make up 35% or more of all long identifier occurrences.
func randomIdentifiers(text, _ string) int {
	long, random, first := 0, 0, -1
	var names [4]string
	distinct := 0
	for i := 0; i < len(text); {
		c := text[i]
		if !(isIdent(c)) || ('0' <= c && c <= '9') {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && isIdent(text[j]) {
			j++
		}
		if i > 0 && ('0' <= text[i-1] && text[i-1] <= '9') {
			i = j
			continue
		}
		if n := j - i; n >= 8 && n <= 64 {
			long++
			tok := text[i:j]
			if isRandomIdent(tok) {
				random++
				if first < 0 {
					first = i
				}
				if distinct < len(names) {
					seen := false
					for _, x := range names[:distinct] {
						if x == tok {
							seen = true
						}
					}
					if !seen {
						names[distinct] = tok
						distinct++
					}
				}
			}
		}
		i = j
	}
	if random >= 12 && distinct >= 4 && random*100 >= long*35 {
		return first
	}
	return -1
}

// Fixtures for the statistical indicators (own, inert text).
const (
	sampleBase64 = "VGhpcyBpcyBhbiBpbmVydCBmaXh0dXJlIHdyaXR0ZW4gZm9yIHRoZSBhdXRvbWFsZGVzYyBpbmRpY2F0b3IgdGVzdHMuIEl0IG9ubHkgZXhpc3RzIHNvIHRoYXQgYSBsb25nIEJhc2U2NCBydW4gY2FuIGJlIHJlY29nbmlzZWQgYnkgdGhlIGJsb2IgZGV0ZWN0b3Igd2l0aG91dCBzaGlwcGluZyBhbnkgcmVhbCBwYXlsb2FkLiBOb3RoaW5nIGhlcmUgZXhlY3V0ZXMsIGRvd25sb2FkcyBvciBkZWNvZGVzIGludG8gY29kZTsgaXQgaXMgcGxhaW4gRW5nbGlzaCBwcm9zZSByZXBlYXRlZCB3aXRoIHNtYWxsIGNoYW5nZXMgc28gdGhhdCB0aGUgZW5jb2RlZCBmb3JtIGdyb3dzIHBhc3QgdGhlIGxlbmd0aCB0aHJlc2hvbGQgdXNlZCBieSB0aGUgaW5kaWNhdG9yLg=="

	randomIdentifierFixture = "var §XmtKaYoDq = 1;\nvar QwPzRtKxv = XmtKaYoDq + 2;\nfunction ZkTrPwLmQ(BnVcXzAsD) { return BnVcXzAsD + QwPzRtKxv; }\n" +
		"XmtKaYoDq = ZkTrPwLmQ(XmtKaYoDq);\nQwPzRtKxv = ZkTrPwLmQ(QwPzRtKxv);\nvar BnVcXzAsD = XmtKaYoDq + QwPzRtKxv;\nZkTrPwLmQ(BnVcXzAsD);\n"
)

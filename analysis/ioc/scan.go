package ioc

import (
	"net/netip"
	"slices"
	"sort"
	"strings"
)

// occ is one IOC candidate, positioned in the refanged text.
type occ struct {
	typ    Type
	rs, re int
	value  string
}

// edit is one defanging rewrite of refanged bytes [rs, re).
type edit struct {
	rs, re int
	repl   string
}

type span struct{ s, e int }

type occKey struct {
	t Type
	v string
}

// scanner runs the per-type scanners over one refanged layer. In extract
// mode it collects deduplicated IOCs; in defang mode it collects edits.
type scanner struct {
	r      string // refanged text
	pm     posMap
	defang bool

	found  []occ
	index  map[occKey]int // built once found outgrows a linear search
	counts [numTypes]int

	edits []edit

	masks  []span // URLs, e-mails, paths, registry keys: no bare hosts inside
	merged int    // masks[:merged] are sorted and disjoint
	cursor int    // maskedInOrder: the first merged mask that may follow

	mayURLs bool // r may hold "://" (see refangURLs)
	urls    int  // URL candidates looked at
	urlStop int  // end of the last run of URL characters walked
}

// maxURLCandidates bounds the URL pass: each candidate may walk and trim up
// to MaxValueLen bytes, so a layer made of "http://" repeated stays linear.
const maxURLCandidates = 4 * MaxPerLayer

const linearLookup = 16

func newScanner(text string, defang bool) *scanner {
	// Kept inlinable: Extract's scanner then stays off the heap.
	sc := &scanner{defang: defang}
	sc.r, sc.pm, sc.mayURLs = refangURLs(text)
	return sc
}

func (sc *scanner) scan() {
	r := sc.r
	if len(r) < 4 {
		return
	}
	if sc.mayURLs && strings.Contains(r, "://") {
		sc.scanURLs()
		sc.mergeMasks()
	}
	// Paths and registry keys hide file names from the bare-domain pass;
	// UNC hosts count as hosts in both modes.
	sc.scanPaths()
	sc.scanRegistry()
	sc.mergeMasks()
	if strings.IndexByte(r, '@') >= 0 {
		sc.scanEmails()
		sc.mergeMasks()
	}
	sc.scanRuns()
	sc.scanIPv6()
}

// emit records a candidate. value must already be canonical. owned tells
// that value was built for this candidate and shares no memory with the
// layer text, so that it need not be copied.
func (sc *scanner) emit(t Type, rs, re int, value string, owned bool) {
	if sc.defang {
		sc.addEdits(t, rs, re)
		return
	}
	ti := typeIndex(t)
	if sc.counts[ti] >= MaxPerLayer || len(value) == 0 || len(value) > MaxValueLen {
		return
	}
	if t == URL || t == FilePath || t == RegistryKey {
		// A value that still holds a defanged form (nested brackets such as
		// [[.]]) is refanged until stable, or dropped.
		for i := 0; ; i++ {
			v, _ := refang(value)
			if v == value {
				break
			}
			if i == 3 {
				return
			}
			value, owned = v, true
		}
	}
	if i, ok := sc.lookup(t, value); ok {
		if rs < sc.found[i].rs {
			sc.found[i].rs, sc.found[i].re = rs, re
		}
		return
	}
	if !owned {
		value = strings.Clone(value) // do not pin the whole layer in memory
	}
	if sc.found == nil {
		sc.found = make([]occ, 0, 8) // one allocation for most layers
	}
	sc.found = append(sc.found, occ{typ: t, rs: rs, re: re, value: value})
	sc.counts[ti]++
	if sc.index != nil {
		sc.index[occKey{t, value}] = len(sc.found) - 1
	}
}

func (sc *scanner) lookup(t Type, v string) (int, bool) {
	if sc.index == nil {
		if len(sc.found) < linearLookup {
			for i := range sc.found {
				if sc.found[i].typ == t && sc.found[i].value == v {
					return i, true
				}
			}
			return 0, false
		}
		sc.index = make(map[occKey]int, 2*len(sc.found))
		for i, o := range sc.found {
			sc.index[occKey{o.typ, o.value}] = i
		}
	}
	i, ok := sc.index[occKey{t, v}]
	return i, ok
}

// addEdits turns a defang-mode candidate into rewrites of single bytes or
// of the scheme. Hosts inside URLs and e-mails are emitted on their own, so
// a URL only rewrites its scheme and an e-mail only its "@".
func (sc *scanner) addEdits(t Type, rs, re int) {
	r := sc.r
	switch t {
	case URL:
		k := strings.Index(r[rs:re], "://")
		if k < 0 {
			return
		}
		orig := r[rs : rs+k]
		if sch := lowerASCII(orig); defangScheme(sch) != sch {
			sc.edits = append(sc.edits, edit{rs, rs + k, matchCase(defangScheme(sch), orig)})
		}
	case Domain, IPv4:
		for p := rs; p < re; p++ {
			if r[p] == '.' {
				sc.edits = append(sc.edits, edit{p, p + 1, "[.]"})
			}
		}
	case IPv6:
		for p := rs; p < re; p++ {
			switch r[p] {
			case ':':
				sc.edits = append(sc.edits, edit{p, p + 1, "[:]"})
			case '.':
				sc.edits = append(sc.edits, edit{p, p + 1, "[.]"})
			}
		}
	case Email:
		if at := strings.LastIndexByte(r[rs:re], '@'); at >= 0 {
			sc.edits = append(sc.edits, edit{rs + at, rs + at + 1, "[@]"})
		}
	}
}

func (sc *scanner) mask(s, e int) {
	if sc.masks == nil {
		sc.masks = make([]span, 0, 8) // one allocation for most layers
	}
	sc.masks = append(sc.masks, span{s, e})
}

// mergeMasks sorts the masks and merges overlapping ones.
func (sc *scanner) mergeMasks() {
	defer func() { sc.merged = len(sc.masks) }()
	m := sc.masks
	if len(m) < 2 {
		return
	}
	slices.SortFunc(m, func(a, b span) int { return a.s - b.s })
	out := m[:1]
	for _, s := range m[1:] {
		last := &out[len(out)-1]
		if s.s <= last.e {
			last.e = max(last.e, s.e)
			continue
		}
		out = append(out, s)
	}
	sc.masks = out
}

// masked reports whether [s, e) overlaps a mask: one merged by an earlier
// pass, or the latest one of the running pass (whose masks are in order).
func (sc *scanner) masked(s, e int) bool {
	if n := len(sc.masks); n > sc.merged && sc.masks[n-1].s < e && sc.masks[n-1].e > s {
		return true
	}
	m := sc.masks[:sc.merged]
	i := sort.Search(len(m), func(i int) bool { return m[i].s >= e }) - 1
	return i >= 0 && m[i].e > s
}

// maskedInOrder is masked for scanRuns, which asks about spans in order of
// position once every mask is merged: it walks the masks once instead of
// searching them for each span.
func (sc *scanner) maskedInOrder(s, e int) bool {
	m := sc.masks[:sc.merged]
	c := sc.cursor
	for c < len(m) && m[c].e <= s {
		c++
	}
	sc.cursor = c
	return c < len(m) && m[c].s < e
}

// ---- URLs ----

var urlSchemes = set("http", "https", "ftp", "ftps", "sftp", "ws", "wss")

func (sc *scanner) scanURLs() {
	r := sc.r
	for from := 0; from < len(r); {
		k := strings.Index(r[from:], "://")
		if k < 0 {
			return
		}
		k += from
		from = k + 3
		s0 := k
		for s0 > 0 && k-s0 < 6 && isAlpha(r[s0-1]) {
			s0--
		}
		if s0 == k || (s0 > 0 && (isAlnum(r[s0-1]) || r[s0-1] == '_')) {
			continue
		}
		if !lookupFold(urlSchemes, r[s0:k]) {
			continue
		}
		if sc.urls++; sc.urls > maxURLCandidates {
			return
		}
		sc.url(s0, k)
	}
}

func (sc *scanner) url(s0, k int) {
	r := sc.r
	a := k + 3
	j := a
	for j < len(r) && class[r[j]]&cURL != 0 && r[j] != '/' && r[j] != '?' && r[j] != '#' {
		j++
	}
	authEnd := j
	// A URL nested in the previous one (?u=http://...) ends where it did:
	// reuse that end so that a run of URL characters is walked once.
	if j < sc.urlStop {
		j = sc.urlStop
	} else {
		for j < len(r) && class[r[j]]&cURL != 0 {
			j++
		}
		sc.urlStop = j
	}
	end := j
	tooLong := end-s0 > MaxValueLen+64
	if !tooLong {
		end = trimURLEnd(r, a, j)
		tooLong = end-s0 > MaxValueLen
	}
	authEnd = min(authEnd, end)
	hs := a
	if at := strings.LastIndexByte(r[a:authEnd], '@'); at >= 0 {
		hs = a + at + 1
	}
	h, ok := sc.urlHost(hs, authEnd)
	if !ok {
		return
	}
	sc.mask(s0, max(end, j))
	if !tooLong {
		v := lowerASCII(r[s0:k]) + "://" + r[a:hs] + h.canon + r[h.rest:end]
		sc.emit(URL, s0, end, v, true)
	}
	sc.emit(h.typ, h.s, h.e, h.value, false)
}

type host struct {
	typ   Type
	s, e  int    // the host IOC's span
	value string // the host IOC's value
	canon string // the host as written into the URL value
	rest  int    // where the URL continues after the host (port or path)
}

// urlHost validates the host[:port] in r[hs:ae].
func (sc *scanner) urlHost(hs, ae int) (host, bool) {
	r := sc.r
	if hs >= ae {
		return host{}, false
	}
	if r[hs] == '[' {
		cb := strings.IndexByte(r[hs:ae], ']')
		if cb < 0 || !validPort(r[hs+cb+1:ae]) {
			return host{}, false
		}
		addr, err := netip.ParseAddr(r[hs+1 : hs+cb])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return host{}, false
		}
		v := addr.String()
		if addr.IsUnspecified() {
			return host{}, false
		}
		return host{typ: IPv6, s: hs + 1, e: hs + cb, value: v, canon: "[" + v + "]", rest: hs + cb + 1}, true
	}
	he := ae
	if c := strings.IndexByte(r[hs:ae], ':'); c >= 0 {
		he = hs + c
	}
	if !validPort(r[he:ae]) {
		return host{}, false
	}
	rest := he
	if he > hs && r[he-1] == '.' {
		he-- // fully qualified name
	}
	name := r[hs:he]
	if v, ok := parseIPv4(name); ok {
		return host{typ: IPv4, s: hs, e: he, value: v, canon: v, rest: rest}, true
	}
	if !validDomain(name) {
		return host{}, false
	}
	v := lowerASCII(name)
	return host{typ: Domain, s: hs, e: he, value: v, canon: v, rest: rest}, true
}

func validPort(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != ':' || len(s) < 2 || len(s) > 6 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// trimURLEnd drops the punctuation that scripts and prose wrap around URLs
// (trailing dots, commas, quotes, unbalanced closing brackets).
func trimURLEnd(r string, a, end int) int {
	paren, bracket := 0, 0
	for i := a; i < end; i++ {
		switch r[i] {
		case '(':
			paren++
		case ')':
			paren--
		case '[':
			bracket++
		case ']':
			bracket--
		}
	}
	for end > a {
		switch r[end-1] {
		case '.', ',', ':', '!', '?', '*', '\'', '"', '`', ';':
			end--
			continue
		case ')':
			if paren < 0 {
				paren++
				end--
				continue
			}
		case ']':
			if bracket < 0 {
				bracket++
				end--
				continue
			}
		case '(':
			paren--
			end--
			continue
		case '[':
			bracket--
			end--
			continue
		}
		break
	}
	return end
}

// ---- hosts ----

// validDomain reports whether d is a syntactically valid host name of at
// least two labels whose TLD is known.
func validDomain(d string) bool {
	if len(d) < 4 || len(d) > 253 {
		return false
	}
	// The TLD first: most dotted words of a script are member accesses
	// (obj.Method) whose last part is no TLD, and this rejects them
	// without walking the name.
	last := strings.LastIndexByte(d, '.')
	if last < 0 || !isTLD(d[last+1:]) {
		return false
	}
	labels, start := 0, 0
	for i := 0; i <= len(d); i++ {
		if i == len(d) || d[i] == '.' {
			n := i - start
			if n == 0 || n > 63 || d[start] == '-' || d[i-1] == '-' {
				return false
			}
			labels++
			start = i + 1
			continue
		}
		if c := d[i]; !isAlnum(c) && c != '-' {
			return false
		}
	}
	return labels >= 2
}

// parseIPv4 parses a dotted quad with no leading zeros and a non-zero first
// octet, returning its canonical form.
func parseIPv4(s string) (string, bool) {
	if len(s) < 7 || len(s) > 15 {
		return "", false
	}
	parts, n, digits := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 || n > 255 || (parts == 0 && n == 0) {
				return "", false
			}
			if digits > 1 && s[i-digits] == '0' {
				return "", false
			}
			parts++
			n, digits = 0, 0
			continue
		}
		if !isDigit(s[i]) || digits == 3 {
			return "", false
		}
		n = n*10 + int(s[i]-'0')
		digits++
	}
	return s, parts == 4
}

// ---- bare tokens: domains, IPv4, hashes ----

// scanRuns looks at the maximal runs of cRun bytes (letters, digits, '.',
// '-', '_'). Only two kinds of run can hold an indicator: runs with a dot
// (domains, IPv4 addresses) and runs that hold a hex token of 32 bytes or
// more (hashes). The first are found from their dots, the second from
// their hex probe words (see nextHexWord); the bytes in between are not
// read one by one. Runs are looked at in order of position, each once.
func (sc *scanner) scanRuns() {
	r := sc.r
	n := len(r)
	if sc.merged != len(sc.masks) {
		sc.mergeMasks() // maskedInOrder reads merged masks only
	}
	sc.cursor = 0
	dot := -1 // the first dot at or after pos, n for none
	hex := -1 // the first hex probe word at or after pos, n for none
	for pos := 0; pos < n; {
		if dot < pos {
			dot = n
			if k := strings.IndexByte(r[pos:], '.'); k >= 0 {
				dot = pos + k
			}
		}
		at := dot
		if !sc.defang { // defanging leaves hashes alone
			if hex < pos {
				hex = nextHexWord(r, pos)
			}
			at = min(at, hex)
		}
		if at >= n {
			return
		}
		// The maximal run around at. It starts after pos: r[pos] ended the
		// previous run, unless pos is 0.
		i, j := at, at+1
		for i > pos && class[r[i-1]]&cRun != 0 {
			i--
		}
		for j < n && class[r[j]]&cRun != 0 {
			j++
		}
		sc.run(i, j, dot < j)
		pos = j
	}
}

// nextHexWord returns the first p >= pos that is a multiple of 24 and
// starts eight hex digits, or len(r) for none. A hex token of 32 bytes or
// more holds three consecutive whole 8-byte words at multiples of 8, so
// one at a multiple of 24: probing those finds the run of every hash. In
// scripts such words are rare (prose and code words are not all hex), so
// the probe's branch is well predicted, unlike a probe that would stop in
// every word.
func nextHexWord(r string, pos int) int {
	for p := (pos + 23) / 24 * 24; p+8 <= len(r); p += 24 {
		w := r[p : p+8]
		if class[w[0]]&class[w[1]]&class[w[2]]&class[w[3]]&class[w[4]]&class[w[5]]&class[w[6]]&class[w[7]]&cHex != 0 {
			return p
		}
	}
	return len(r)
}

// run looks for hashes, domains and IPv4 addresses in the run r[i:j],
// which holds a dot when hasDot is set.
func (sc *scanner) run(i, j int, hasDot bool) {
	r := sc.r
	if j-i >= 32 && !sc.defang {
		sc.hashes(i, j)
	}
	if !hasDot || j-i < 4 {
		return
	}
	// Without a branch per byte: whether the run holds a letter or '_'.
	var kinds uint8
	for _, c := range []byte(r[i:j]) {
		kinds |= class[c]
	}
	if !sc.maskedInOrder(i, j) {
		if kinds&cIdent != 0 {
			sc.bareDomain(i, j)
		} else if strings.Count(r[i:j], ".") >= 3 {
			sc.bareIPv4(i, j)
		}
	}
}

func (sc *scanner) hashes(i, j int) {
	r := sc.r
	for k := i; k < j; {
		if !isAlnum(r[k]) {
			k++
			continue
		}
		m, hex := k, true
		for m < j && isAlnum(r[m]) {
			if !isHex(r[m]) {
				hex = false
			}
			m++
		}
		if hex {
			var t Type
			switch m - k {
			case 32:
				t = MD5
			case 40:
				t = SHA1
			case 64:
				t = SHA256
			}
			if t != "" && looksRandom(r[k:m]) {
				sc.emit(t, k, m, lowerASCII(r[k:m]), false)
			}
		}
		k = m
	}
}

// looksRandom rejects hex tokens that are not digests: no digits or no
// letters, mixed case, too few distinct symbols or one symbol dominating
// (zero padding, repeated bytes). A random digest fails with a probability
// below 1e-5.
func looksRandom(h string) bool {
	var count [16]int
	upper, lowerc, digits := false, false, false
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case isDigit(c):
			digits = true
			count[c-'0']++
		case isUpper(c):
			upper = true
			count[c-'A'+10]++
		default:
			lowerc = true
			count[c-'a'+10]++
		}
	}
	if !digits || (!upper && !lowerc) || (upper && lowerc) {
		return false
	}
	distinct, most := 0, 0
	for _, n := range count {
		if n > 0 {
			distinct++
		}
		most = max(most, n)
	}
	return distinct >= 8 && most*8 <= len(h)*3
}

func (sc *scanner) bareDomain(i, j int) {
	r := sc.r
	if r[i] == '.' {
		return // a member chain (.a.b) or a CSS class selector (.x.info)
	}
	s, e := i, j
	for s < e && (r[s] == '.' || r[s] == '-') {
		s++
	}
	for e > s && (r[e-1] == '.' || r[e-1] == '-') {
		e--
	}
	d := r[s:e]
	if !validDomain(d) || !sc.bareDomainOK(s, e, j) {
		return
	}
	sc.emit(Domain, s, e, lowerASCII(d), false)
}

// bareDomainOK applies the script heuristics to the valid domain r[s:e],
// whose token ends at j.
func (sc *scanner) bareDomainOK(s, e, j int) bool {
	r := sc.r
	d := r[s:e]
	firstDot := strings.IndexByte(d, '.')
	lastDot := strings.LastIndexByte(d, '.')
	first, tld := d[:firstDot], d[lastDot+1:]
	if lookupFold(fileExtTLDs, tld) || lookupFold(codeIdents, first) {
		return false
	}
	// Member access in PascalCase (obj.Run, WScript.Shell) or camelCase
	// (objShell.run); real hosts are written in one case.
	if !oneCase(d) && !initialCaps(d) {
		return false
	}
	if firstDot == lastDot && lookupFold(dosComNames, first) && strings.EqualFold(tld, "com") {
		return false
	}
	if firstDot != lastDot && allDigitLabels(d[:lastDot]) {
		return false // 5.5.kw, 1.2.beta
	}
	for p := 0; p < len(d); {
		q := strings.IndexByte(d[p:], '.')
		if q < 0 {
			q = len(d) - p
		}
		if lookupFold(anyLabelIdents, d[p:p+q]) {
			return false
		}
		p += q + 1
	}
	// Context: a variable sigil, a path or a selector before; a call, an
	// index or an assignment after. "//host" (protocol-relative) is fine.
	if s > 0 {
		switch r[s-1] {
		case '$', '\\', '%', '#':
			return false
		case '/':
			if s < 2 || r[s-2] != '/' {
				return false
			}
		}
	}
	if j < len(r) {
		switch r[j] {
		case '(', '[', '+', '$':
			return false // call, index, x.y++, cxt.fail$data
		}
		k := j
		for k < len(r) && k-j < 4 && (r[k] == ' ' || r[k] == '\t') {
			k++
		}
		if k < len(r) && r[k] == '=' && (k+1 >= len(r) || r[k+1] != '=') {
			return false
		}
	}
	if afterImportWord(r, s) {
		return false
	}
	// Property names and minified member access (h.ro, xa.sa, fn.name) need
	// host context.
	// Obfuscators split strings into short quoted fragments ('h.ro',
	// 'on.co'), so a one- or two-letter name needs stronger host context,
	// as do the TLDs that are also property names.
	if (firstDot == lastDot && firstDot <= 2) || lookupFold(strictTLDs, tld) {
		return hostContext(r, s, j, false)
	}
	if lookupFold(memberTLDs, tld) {
		return hostContext(r, s, j, true)
	}
	return true
}

// hostContext reports whether the token r[s:j] is written like a host:
// after "//" or a network command (or quoted, after "@" or "=" when quotes
// is set), or followed by a path or a port.
func hostContext(r string, s, j int, quotes bool) bool {
	if s > 0 {
		switch r[s-1] {
		case '"', '\'', '`', '@', '=':
			if quotes {
				return true
			}
		case '/':
			if s >= 2 && r[s-2] == '/' {
				return true
			}
		}
	}
	if j < len(r) {
		if r[j] == '/' || isPort(r, j) {
			return true
		}
	}
	return afterWord(r, s, netCommands)
}

// isPort reports whether r[j:] is ":" and a port number.
func isPort(r string, j int) bool {
	if j >= len(r) || r[j] != ':' {
		return false
	}
	k := j + 1
	for k < len(r) && k-j <= 6 && isDigit(r[k]) {
		k++
	}
	return k > j+1 && k-j <= 6 && (k == len(r) || !isAlnum(r[k]))
}

// afterWord reports whether one of the three words before r[s:] (across
// blanks, skipping numbers and -options such as "ping -n 1 host") is in
// words, compared case-insensitively.
func afterWord(r string, s int, words map[string]struct{}) bool {
	k := s
	for range 3 {
		e := k
		for k > 0 && e-k < 8 && (r[k-1] == ' ' || r[k-1] == '\t') {
			k--
		}
		if k == e {
			return false
		}
		w := k
		for w > 0 && k-w < 24 && (isAlnum(r[w-1]) || r[w-1] == '-') {
			w--
		}
		if w == k || (w > 0 && !(r[w-1] == ' ' || r[w-1] == '\t' || r[w-1] == '\n' || r[w-1] == ';' || r[w-1] == '|' || r[w-1] == '&' || r[w-1] == '(')) {
			return false
		}
		word := r[w:k]
		if lookupFold(words, word) {
			return true
		}
		if word[0] != '-' && !allDigitLabels(word) {
			return false
		}
		k = w
	}
	return false
}

// allDigitLabels reports whether every label of d is a number.
func allDigitLabels(d string) bool {
	for i := 0; i < len(d); i++ {
		if d[i] != '.' && !isDigit(d[i]) {
			return false
		}
	}
	return true
}

// initialCaps reports whether every upper-case letter of d starts a label
// (Example.com) and the TLD is lower case.
func initialCaps(d string) bool {
	for k := 1; k < len(d); k++ {
		if isUpper(d[k]) && d[k-1] != '.' {
			return false
		}
	}
	last := strings.LastIndexByte(d, '.')
	return last+1 < len(d) && !isUpper(d[last+1])
}

func oneCase(s string) bool {
	up, lo := false, false
	for i := 0; i < len(s); i++ {
		up = up || isUpper(s[i])
		lo = lo || isLower(s[i])
	}
	return !(up && lo)
}

// afterImportWord reports whether r[:s] ends with import, from, require(,
// using... so that module names (google.cloud, socket.io) are skipped.
func afterImportWord(r string, s int) bool {
	k := s
	for k > 0 && s-k < 4 && (r[k-1] == ' ' || r[k-1] == '\t' || r[k-1] == '(' || r[k-1] == '\'' || r[k-1] == '"') {
		k--
	}
	if k == s {
		return false
	}
	w := k
	for w > 0 && k-w < 10 && isAlpha(r[w-1]) {
		w--
	}
	if w > 0 && isAlnum(r[w-1]) {
		return false
	}
	word := r[w:k]
	for _, iw := range importWords {
		if strings.EqualFold(word, iw) {
			return true
		}
	}
	return false
}

func (sc *scanner) bareIPv4(i, j int) {
	r := sc.r
	for p := i; p < j; {
		q := strings.IndexByte(r[p:j], '-')
		if q < 0 {
			q = j - p
		}
		s, e := p, p+q
		for s < e && r[s] == '.' {
			s++
		}
		for e > s && r[e-1] == '.' {
			e--
		}
		// A leading dot or an inner extra dot means a longer dotted number.
		if s == p && e-s >= 7 {
			if v, ok := parseIPv4(r[s:e]); ok && !versionContext(r, s) {
				sc.emit(IPv4, s, e, v, false)
			}
		}
		p += q + 1
	}
}

// versionContext reports whether the dotted quad at r[s:] is written as a
// version: after "version"/"ver"/"v" (AssemblyVersion("1.0.0.0"),
// ModuleVersion = '2.1.0.3', -Version 5.1.2.3) or a comparison (==, >=).
func versionContext(r string, s int) bool {
	k := s
	skip := func(set string) {
		for k > 0 && s-k < 6 && strings.IndexByte(set, r[k-1]) >= 0 {
			k--
		}
	}
	skip(" \t\"'(")
	if k >= 2 && r[k-1] == '=' && strings.IndexByte("=<>~!", r[k-2]) >= 0 {
		return true
	}
	skip(" \t=:\"'(")
	w := k
	for w > 0 && k-w < 24 && (isAlpha(r[w-1]) || r[w-1] == '_') {
		w--
	}
	word := strings.Trim(r[w:k], "_")
	if strings.EqualFold(word, "v") || strings.EqualFold(word, "ver") {
		return true
	}
	// "version" shortly before on the same line: [Version]'2.8.5.201',
	// [version]$v -lt "7.0.0.2", FileVersion: 10.2.3.4.
	b := max(0, s-40)
	if nl := strings.LastIndexByte(r[b:s], '\n'); nl >= 0 {
		b += nl + 1
	}
	return containsFold(r[b:s], "version")
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub) {
			return true
		}
	}
	return false
}

// ---- IPv6 ----

func (sc *scanner) scanIPv6() {
	r := sc.r
	isV6 := func(c byte) bool { return isAlnum(c) || c == ':' || c == '.' }
	for from := 0; from < len(r); {
		k := strings.IndexByte(r[from:], ':')
		if k < 0 {
			return
		}
		k += from
		s := k
		for s > from && isV6(r[s-1]) {
			s--
		}
		e := k
		for e < len(r) && isV6(r[e]) {
			e++
		}
		from = e
		for e > s && r[e-1] == '.' {
			e--
		}
		if e-s < 6 || e-s > 45 || sc.masked(s, e) {
			continue
		}
		if v, ok := parseIPv6(r[s:e]); ok {
			sc.emit(IPv6, s, e, v, true)
		}
	}
}

// parseIPv6 accepts an IPv6 address with at least two colons, one hex group
// of three or more digits (or an IPv4 tail) and no zone; it rejects Python
// slices (a[1::2]), PowerShell statics ([X]::Add) and labels (::).
func parseIPv6(s string) (string, bool) {
	colons, long, group := 0, false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			colons++
			group = 0
		case c == '.':
			long = true
		case isHex(c):
			group++
			if group >= 3 {
				long = true
			}
		default:
			return "", false
		}
	}
	if colons < 2 || !long {
		return "", false
	}
	addr, err := netip.ParseAddr(s)
	if err != nil || !addr.Is6() || addr.Zone() != "" || addr.IsUnspecified() {
		return "", false
	}
	return addr.String(), true
}

// ---- e-mail ----

func (sc *scanner) scanEmails() {
	r := sc.r
	for from := 0; from < len(r); {
		k := strings.IndexByte(r[from:], '@')
		if k < 0 {
			return
		}
		at := k + from
		from = at + 1
		if at == 0 || sc.masked(at, at+1) {
			continue
		}
		ls := at
		for ls > 0 && class[r[ls-1]]&cLocal != 0 && at-ls <= 64 {
			ls--
		}
		if at-ls > 64 {
			continue
		}
		for ls < at && r[ls] == '.' {
			ls++
		}
		if ls == at || r[at-1] == '.' || strings.Contains(r[ls:at], "..") {
			continue
		}
		de := at + 1
		for de < len(r) && de-at <= 254 && (isAlnum(r[de]) || r[de] == '.' || r[de] == '-') {
			de++
		}
		for de > at+1 && (r[de-1] == '.' || r[de-1] == '-') {
			de--
		}
		dom := r[at+1 : de]
		if !validDomain(dom) || (de < len(r) && r[de] == '_') {
			continue
		}
		ld := lowerASCII(dom)
		sc.mask(ls, de)
		sc.emit(Email, ls, de, r[ls:at]+"@"+ld, true)
		sc.emit(Domain, at+1, de, ld, false)
		from = de
	}
}

package ioc

import (
	"strings"
	"unicode/utf8"
)

// This file holds the scanners for Windows paths (C:\..., %APPDATA%\...,
// $env:TEMP\..., \\host\share\...), Unix paths under well-known roots and
// registry keys.

func (sc *scanner) scanPaths() {
	r := sc.r
	if strings.IndexByte(r, ':') >= 0 {
		sc.scanColonPaths()
		sc.mergeMasks()
	}
	if strings.IndexByte(r, '%') >= 0 {
		sc.scanPercentPaths()
		sc.mergeMasks()
	}
	if strings.Contains(r, `\\`) {
		sc.scanUNC()
		sc.mergeMasks()
	}
	if strings.IndexByte(r, '/') >= 0 {
		sc.scanUnixPaths()
		sc.mergeMasks()
	}
}

// spacedFolders are Windows folder names with spaces, matched in unquoted
// paths (batch files rarely quote C:\Program Files\...). Longest first.
var spacedFolders = []string{
	"temporary internet files", "documents and settings", "windows media player",
	"windows portable devices", "windows photo viewer", "program files (x86)",
	"microsoft office", "internet explorer", "windows powershell", "application data",
	"windows defender", "windows security", "windows sidebar", "local settings",
	"program files", "common files", "default user", "my documents", "windows mail",
	"windows nt", "start menu", "all users",
}

// spacedFolder returns the end of a known spaced folder name that starts at
// comp and has its first space at sp, or -1.
func spacedFolder(r string, comp, sp int) int {
	if sp-comp < 2 {
		return -1
	}
	rest := r[comp:]
	for _, name := range spacedFolders {
		if len(name) <= sp-comp || !hasPrefixFold(rest, name) {
			continue
		}
		e := comp + len(name)
		if e == len(r) || strings.IndexByte("\\/\"'", r[e]) >= 0 {
			return e
		}
	}
	return -1
}

// winPathEnd finds the end of a Windows path whose first component starts
// at body. Inside quotes a space continues a name as long as the component
// has no extension yet and no switch follows (C:\Program Files\x.exe /S).
func (sc *scanner) winPathEnd(start, body int) int {
	r := sc.r
	limit := min(len(r), start+MaxValueLen+1)
	var quote byte
	if start > 0 && (r[start-1] == '"' || r[start-1] == '\'') {
		quote = r[start-1]
	}
	comp, depth := body, 0
	j := body
loop:
	for j < limit {
		c := r[j]
		switch {
		case c == '\\' || c == '/':
			comp = j + 1
		case c == ' ':
			if e := spacedFolder(r, comp, j); e > j {
				j = e
				continue
			}
			if quote == 0 || strings.IndexByte(r[comp:j], '.') >= 0 || j+1 >= len(r) || strings.IndexByte("/- \t", r[j+1]) >= 0 || r[j+1] == quote {
				break loop
			}
		case c == '(':
			depth++
		case c == ')':
			if depth == 0 {
				break loop
			}
			depth--
		case c >= utf8.RuneSelf:
			ru, n := utf8.DecodeRuneInString(r[j:])
			if ru == utf8.RuneError && n <= 1 {
				break loop
			}
			j += n
			continue
		case c < 0x21 || c == 0x7f || strings.IndexByte("\"'`<>|?;,&^", c) >= 0:
			break loop
		}
		j++
	}
	return j
}

// trimPathEnd drops trailing punctuation and separators down to minEnd.
func trimPathEnd(r string, minEnd, end int) int {
	for end > minEnd && strings.IndexByte(".,:; \\/", r[end-1]) >= 0 {
		end--
	}
	return end
}

// isPathStart reports whether c can start a path component.
func isPathStart(c byte) bool {
	return isAlnum(c) || c >= utf8.RuneSelf || strings.IndexByte("_$%.{~!#@-", c) >= 0
}

// collapseBackslashes folds the doubled backslashes of escaped strings
// ("C:\\Users\\x") into one.
func collapseBackslashes(s string) string {
	if !strings.Contains(s, `\\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i > 0 && s[i-1] == '\\' {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// scanColonPaths finds drive paths (C:\, C:/) and PowerShell environment
// paths ($env:TEMP\, ${env:APPDATA}\).
func (sc *scanner) scanColonPaths() {
	r := sc.r
	for from := 0; from < len(r); {
		k := strings.IndexByte(r[from:], ':')
		if k < 0 {
			return
		}
		k += from
		from = k + 1
		if k+2 >= len(r) || sc.masked(k, k+1) {
			continue
		}
		// Drive letter.
		if k >= 1 && isAlpha(r[k-1]) && (k < 2 || !isWordByte(r[k-2])) &&
			(r[k+1] == '\\' || (r[k+1] == '/' && r[k+2] != '/')) {
			body := k + 1
			for body < len(r) && (r[body] == '\\' || r[body] == '/') && body-k < 3 {
				body++
			}
			end := sc.winPathEnd(k-1, body)
			sc.emitWinPath(k-1, body, end)
			from = max(from, end)
			continue
		}
		// $env:NAME\ and ${env:NAME}\.
		var start int
		switch {
		case k >= 4 && hasSuffixFold(r[:k], "$env"):
			start = k - 4
		case k >= 5 && hasSuffixFold(r[:k], "${env"):
			start = k - 5
		default:
			continue
		}
		braced := r[start+1] == '{'
		n := k + 1
		for n < len(r) && n-k <= 64 && (isAlnum(r[n]) || r[n] == '_' || (braced && (r[n] == '(' || r[n] == ')'))) {
			n++
		}
		if n == k+1 {
			continue
		}
		if braced {
			if n >= len(r) || r[n] != '}' {
				continue
			}
			n++
		}
		if n+1 >= len(r) || (r[n] != '\\' && r[n] != '/') {
			continue
		}
		body := n
		for body < len(r) && (r[body] == '\\' || r[body] == '/') && body-n < 2 {
			body++
		}
		end := sc.winPathEnd(start, body)
		sc.emitWinPath(start, body, end)
		from = max(from, end)
	}
}

func (sc *scanner) emitWinPath(start, body, end int) {
	r := sc.r
	end = trimPathEnd(r, body, end)
	if end <= body || !isPathStart(r[body]) {
		return
	}
	sc.mask(start, end)
	sc.emit(FilePath, start, end, collapseBackslashes(r[start:end]), false)
}

// isWordByte reports whether c glues to a following drive letter, so that
// the pair is not a drive (HKLM:\, http:/, a.b:\).
func isWordByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '$' || c == '%' || c == '.' || c == '-' || c == '\\' || c == ':'
}

// scanPercentPaths finds %VAR%\... and %~dp0... paths of batch files.
func (sc *scanner) scanPercentPaths() {
	r := sc.r
	for from := 0; from < len(r); {
		k := strings.IndexByte(r[from:], '%')
		if k < 0 {
			return
		}
		k += from
		from = k + 1
		if k+3 >= len(r) || (k > 0 && (r[k-1] == '%' || r[k-1] == '_' || isAlnum(r[k-1]))) || sc.masked(k, k+1) {
			continue
		}
		var body int
		if r[k+1] == '~' {
			// %~dp0, %~dpn0, %~f1 ...
			n := k + 2
			for n < len(r) && n-k < 8 && isAlpha(r[n]) {
				n++
			}
			if n == k+2 || n >= len(r) || !isDigit(r[n]) {
				continue
			}
			body = n + 1
			for body < len(r) && (r[body] == '\\' || r[body] == '/') && body-n < 3 {
				body++
			}
		} else {
			if !isAlpha(r[k+1]) && r[k+1] != '_' {
				continue
			}
			n := k + 1
			for n < len(r) && n-k <= 64 && (isAlnum(r[n]) || strings.IndexByte("_()#$-", r[n]) >= 0) {
				n++
			}
			if n+2 >= len(r) || r[n] != '%' || (r[n+1] != '\\' && r[n+1] != '/') {
				continue
			}
			body = n + 1
			for body < len(r) && (r[body] == '\\' || r[body] == '/') && body-n < 3 {
				body++
			}
		}
		if body >= len(r) {
			continue
		}
		end := sc.winPathEnd(k, body)
		sc.emitWinPath(k, body, end)
		from = max(from, end)
	}
}

// scanUNC finds \\host\share\... paths, also written escaped (\\\\host\\share)
// and the \\.\ and \\?\ device forms. The host is reported as a domain or an
// IP address when it is one.
func (sc *scanner) scanUNC() {
	r := sc.r
	for from := 0; from < len(r); {
		k := strings.Index(r[from:], `\\`)
		if k < 0 {
			return
		}
		k += from
		h := k
		for h < len(r) && r[h] == '\\' {
			h++
		}
		from = h
		if h-k > 4 || (k > 0 && (isWordByte(r[k-1]) || r[k-1] == '/')) || sc.masked(k, h) {
			continue
		}
		he := h
		for he < len(r) && he-h <= 255 && (isAlnum(r[he]) || strings.IndexByte("._-@?", r[he]) >= 0) {
			he++
		}
		if he >= len(r) || r[he] != '\\' {
			continue
		}
		name := r[h:he]
		if at := strings.IndexByte(name, '@'); at >= 0 {
			name = name[:at] // WebDAV: \\host@SSL@443\DavWWWRoot
		}
		device := name == "." || name == "?"
		if !device && (len(name) < 2 || strings.IndexByte(name, '?') >= 0 || !isAlnum(name[0])) {
			continue
		}
		body := he
		for body < len(r) && r[body] == '\\' && body-he < 2 {
			body++
		}
		// An escaped string doubles every separator: "\\\\srv\\share" is
		// UNC, "\\Desktop\\x.txt" is an escaped relative path.
		if h-k != 2*(body-he) {
			continue
		}
		if device && hasPrefixFold(r[body:], "root\\") {
			continue // WMI namespace \\.\root\cimv2
		}
		if body+1 >= len(r) || !isPathStart(r[body]) || !(isAlnum(r[body+1]) || r[body+1] == ':' || r[body+1] == '$' || r[body+1] == '_') {
			continue
		}
		end := trimPathEnd(r, body, sc.winPathEnd(k, body))
		if end <= body+1 {
			continue
		}
		sc.mask(k, end)
		sc.emit(FilePath, k, end, `\\`+collapseBackslashes(r[h:end]), true)
		if !device {
			if v, ok := parseIPv4(name); ok {
				sc.emit(IPv4, h, h+len(name), v, false)
			} else if validDomain(name) {
				sc.emit(Domain, h, h+len(name), lowerASCII(name), false)
			}
		}
		from = max(from, end)
	}
}

// unixRoots are the well-known roots a Unix path IOC must start with. /dev
// only counts for shm, tcp and udp (/dev/null is in every shell script).
var unixRoots = []string{
	"/tmp/", "/var/", "/etc/", "/dev/shm/", "/dev/tcp/", "/dev/udp/", "/usr/",
	"/bin/", "/sbin/", "/home/", "/root/", "/opt/", "/lib/", "/lib64/",
	"/proc/", "/boot/", "/run/", "/srv/", "/mnt/", "/media/", "/sys/",
	"/Library/", "/System/", "/Users/", "/Applications/", "/private/", "/Volumes/",
}

// unixRootsAfter lists, by the byte after their leading slash, the roots
// of unixRoots in their order: a slash is compared with a few roots at
// most.
var unixRootsAfter = func() (t [256][]string) {
	for _, r := range unixRoots {
		t[r[1]] = append(t[r[1]], r)
	}
	return t
}()

// isUnixBoundary reports whether c may precede a Unix path.
func isUnixBoundary(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || strings.IndexByte("\"'`=(><:,;[{|&@", c) >= 0
}

// scanUnixPaths finds /tmp/..., /etc/..., ~/.ssh/..., $HOME/... paths.
func (sc *scanner) scanUnixPaths() {
	r := sc.r
	for from := 0; from < len(r); {
		k := strings.IndexByte(r[from:], '/')
		if k < 0 {
			return
		}
		k += from
		from = k + 1
		if k+2 >= len(r) {
			return
		}
		start, body := -1, -1
		for _, root := range unixRootsAfter[r[k+1]] {
			if strings.HasPrefix(r[k:], root) {
				start, body = k, k+len(root)
				break
			}
		}
		if start < 0 {
			switch {
			case k >= 1 && r[k-1] == '~':
				start, body = k-1, k+1
			case k >= 5 && strings.HasSuffix(r[:k], "$HOME"):
				start, body = k-5, k+1
			case k >= 7 && strings.HasSuffix(r[:k], "${HOME}"):
				start, body = k-7, k+1
			}
		}
		if start < 0 || body >= len(r) || (start > 0 && !isUnixBoundary(r[start-1]) && !hasSuffixFold(r[:start], "file://")) {
			continue
		}
		if (start >= 2 && r[start-2:start] == "#!") || (start >= 3 && r[start-3:start] == "#! ") {
			continue // shebang
		}
		if sc.masked(start, body) {
			continue
		}
		limit := min(len(r), start+MaxValueLen+1)
		j := body
		for j < limit && class[r[j]]&cUnix != 0 {
			j++
		}
		end := j
		for end > body && (r[end-1] == '.' || r[end-1] == '/') {
			end--
		}
		if end <= body || j == limit && limit < len(r) || !(isAlnum(r[body]) || r[body] == '.' || r[body] == '_' || r[body] == '$' || r[body] == '*') {
			from = max(from, j)
			continue
		}
		sc.mask(start, end)
		sc.emit(FilePath, start, end, r[start:end], false)
		if strings.HasPrefix(r[start:], "/dev/tcp/") || strings.HasPrefix(r[start:], "/dev/udp/") {
			sc.devHost(body, end) // bash -i >& /dev/tcp/HOST/PORT
		}
		from = max(from, j)
	}
}

// hives are the registry root keys, long names first.
var hives = []string{
	"hkey_local_machine", "hkey_current_user", "hkey_classes_root",
	"hkey_current_config", "hkey_performance_data", "hkey_users",
	"hklm", "hkcu", "hkcr", "hkcc", "hku",
}

// maxHiveLen is the length of the longest name in hives.
const maxHiveLen = len("hkey_performance_data")

// scanRegistry finds registry keys: HKLM\..., HKCU:\..., HKEY_USERS\...,
// Registry::HKEY_LOCAL_MACHINE\..., also with escaped backslashes.
func (sc *scanner) scanRegistry() {
	r := sc.r
	n := len(r)
	bs := -1 // the first backslash at or after i+3, n for none
	for i := 0; i+4 < n; i++ {
		// A key has a backslash 3 to maxHiveLen+1 bytes after its start;
		// skip to where the next backslash is that close.
		if bs < i+3 {
			bs = n
			if k := strings.IndexByte(r[i+3:], '\\'); k >= 0 {
				bs = i + 3 + k
			}
		}
		if bs == n {
			return
		}
		if i < bs-maxHiveLen-1 {
			i = bs - maxHiveLen - 1
			if i+4 >= n {
				return
			}
		}
		// Skip to the next "hk" that this backslash is close enough to
		// end (or to the last start it can end, letting the loop move on
		// to the next backslash).
		last := min(bs-3, n-5)
		for i < last && (r[i]|0x20 != 'h' || r[i+1]|0x20 != 'k') {
			i++
		}
		if r[i]|0x20 != 'h' || r[i+1]|0x20 != 'k' {
			continue
		}
		if i > 0 && (isAlnum(r[i-1]) || r[i-1] == '_') {
			continue
		}
		hl := 0
		for _, h := range hives {
			if hasPrefixFold(r[i:], h) {
				hl = len(h)
				break
			}
		}
		if hl == 0 {
			continue
		}
		p := i + hl
		if p < n && r[p] == ':' {
			p++
		}
		body := p
		for body < n && r[body] == '\\' && body-p < 2 {
			body++
		}
		if body == p || body >= n || sc.masked(i, body) {
			continue
		}
		start := i
		if i >= 10 && hasSuffixFold(r[:i], "registry::") {
			start = i - 10
		}
		end := trimPathEnd(r, body, sc.regEnd(start, body))
		if end <= body || !(isAlnum(r[body]) || r[body] == '_' || r[body] == '.' || r[body] == '*') {
			continue
		}
		if end-start > MaxValueLen {
			i = end - 1
			continue
		}
		sc.mask(start, end)
		sc.emit(RegistryKey, start, end, strings.ToUpper(r[i:i+hl])+`\`+collapseBackslashes(r[body:end]), true)
		i = end - 1
	}
}

// regEnd finds the end of a registry key. Quoted keys may hold spaces
// (Image File Execution Options); unquoted ones end at white space.
func (sc *scanner) regEnd(start, body int) int {
	r := sc.r
	limit := min(len(r), start+MaxValueLen+1)
	if start > 0 && (r[start-1] == '"' || r[start-1] == '\'') {
		q := r[start-1]
		j := body
		for j < limit && r[j] != q && r[j] >= 0x20 && r[j] != 0x7f && r[j] != '`' {
			j++
		}
		if j < len(r) && r[j] == q {
			return j
		}
	}
	j := body
	for j < limit && r[j] > 0x20 && r[j] != 0x7f && strings.IndexByte("\"'`<>|;,)&^", r[j]) < 0 {
		j++
	}
	return j
}

// devHost reports the host of a bash /dev/tcp/HOST/PORT redirection.
func (sc *scanner) devHost(body, end int) {
	r := sc.r
	he := body
	for he < end && r[he] != '/' {
		he++
	}
	name := r[body:he]
	if v, ok := parseIPv4(name); ok {
		sc.emit(IPv4, body, he, v, false)
	} else if validDomain(name) {
		sc.emit(Domain, body, he, lowerASCII(name), false)
	}
}

package ioc

import (
	_ "embed"
	"strings"
)

// This file holds the immutable tables the scanners consult: the TLD list,
// the file extensions that are also TLDs, the code identifiers that look
// like domain labels, and the character classes.

//go:embed tlds.txt
var tldText string

// tlds is the set of accepted top-level domains, lower case.
var tlds = parseTLDs(tldText)

func parseTLDs(text string) map[string]struct{} {
	m := make(map[string]struct{}, 1024)
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		m[strings.ToLower(line)] = struct{}{}
	}
	return m
}

// tldFilter[n][f] has bit l set when a TLD of n bytes starts with the
// byte of filter index f and ends with the byte of index l (see
// filterIndex). Nineteen in twenty dotted words of a script end in a part
// that is no TLD (x.push, s.length, a.exe); the filter turns nearly all of
// them away without hashing.
var tldFilter = func() (t [maxTLDLen + 1][36]uint64) {
	for tld := range tlds {
		f, l := filterIndex(tld[0]), filterIndex(tld[len(tld)-1])
		if len(tld) < 2 || len(tld) > maxTLDLen || f < 0 || l < 0 {
			panic("ioc: TLD list entry outside the filter: " + tld)
		}
		t[len(tld)][f] |= 1 << l
	}
	return t
}()

// maxTLDLen bounds the length of the entries of tlds.txt.
const maxTLDLen = 31

// filterIndex maps a-z and A-Z to 0-25 and 0-9 to 26-35, other bytes to -1.
func filterIndex(c byte) int {
	switch {
	case c >= 'a' && c <= 'z':
		return int(c - 'a')
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= '0' && c <= '9':
		return int(c-'0') + 26
	}
	return -1
}

// isTLD reports whether s is in tlds, in any letter case.
func isTLD(s string) bool {
	if len(s) < 2 || len(s) > maxTLDLen {
		return false
	}
	f, l := filterIndex(s[0]), filterIndex(s[len(s)-1])
	if f < 0 || l < 0 || tldFilter[len(s)][f]&(1<<l) == 0 {
		return false
	}
	return lookupFold(tlds, s)
}

func set(words ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}

// fileExtTLDs are TLDs that are far more often a file extension in a script
// (setup.py, run.sh, payload.zip, Makefile.in, note.one). A bare token
// with one of these endings is a file name; the same host inside a URL or
// an e-mail address is still a domain.
var fileExtTLDs = set(
	"ac", "am", "bz", "cc", "do", "in", "la", "md", "mk", "mov", "ms", "one",
	"pl", "pm", "properties", "ps", "pub", "py", "rs", "sh", "so", "tf", "zip",
)

// codeIdents are identifiers that scripts in the six languages use as the
// object of a member access (window.top, self.host, subprocess.run,
// user.email, asyncio.run). A bare domain whose first label is one of them
// is member access, not a host.
var codeIdents = set(
	// JavaScript / JScript / browsers
	"window", "document", "math", "console", "this", "self", "navigator",
	"location", "json", "string", "object", "array", "number", "date",
	"function", "module", "exports", "require", "global", "globalthis",
	"process", "parent", "frame", "frames", "element", "elem", "el", "node",
	"event", "evt", "err", "error", "ex", "exception", "xhr", "xmlhttp",
	"http", "https", "req", "request", "res", "resp", "response", "item",
	"args", "argv", "arguments", "params", "param", "opts", "options",
	"config", "conf", "cfg", "settings", "ctx", "context", "obj", "result",
	"results", "path", "url", "uri", "props", "state", "model", "view",
	"form", "btn", "button", "div", "body", "head", "style", "prototype",
	"super", "str", "text", "msg", "message", "list", "dict", "map", "set",
	"tmp", "temp", "val", "value", "var", "src", "dst", "buf", "buffer",
	"reader", "writer", "socket", "sock", "conn", "connection", "session",
	"application", "user", "users", "env", "environ", "output", "input",
	"stdin", "stdout", "stderr", "out", "in", "log", "logger", "logging",
	"debug", "cls",
	// Windows Script Host, VBScript, COM
	"wscript", "cscript", "wsh", "shell", "objshell", "oshell", "wshshell",
	"ws", "fso", "objfso", "ofso", "stm", "adodb", "scripting", "wmi",
	"objwmi", "objwmiservice", "colitems", "objitem", "objfile", "objfolder",
	"objnetwork",
	// PowerShell / .NET
	"system", "asp", "vb", "ado", "net", "io", "psitem",
	// Python standard library and common modules
	"os", "sys", "re", "subprocess", "asyncio", "threading", "multiprocessing",
	"datetime", "random", "base64", "zlib", "marshal", "hashlib", "urllib",
	"urllib2", "requests", "platform", "shutil", "ctypes", "struct",
	"pathlib", "tempfile", "getpass", "glob", "signal", "select", "np", "pd",
	"plt", "tf", "torch", "flask", "django", "setuptools", "pkg",
	"importlib", "builtins", "sqlite3", "smtplib", "twisted", "tornado",
	"boto3", "botocore", "operator",
)

// memberTLDs are TLDs that double as everyday property names (colors.red,
// util.global, rect.top, log.info, engine.io, rc.local) and are rarely seen
// bare in malicious scripts. A bare domain ending in one of them needs host
// context: quotes, "//", "@" or "=" before, a path or a port after, or a
// network command (ping, nslookup, -ComputerName ...) as the word before.
var memberTLDs = set(
	"app", "art", "audio", "black", "blue", "boo", "build", "car", "cash",
	"center", "chat", "codes", "company", "contact", "cool", "credit", "date",
	"design", "dev", "directory", "download", "earth", "email", "energy",
	"events", "exchange", "family", "fan", "fit", "foo", "fund", "game",
	"games", "global", "gold", "green", "group", "guide", "help", "house",
	"how", "info", "ing", "io", "jobs", "land", "law", "local", "market",
	"media", "menu", "moe", "money", "network", "one", "page", "parts",
	"photo", "photos", "pink", "place", "plus", "red", "report", "sale",
	"security", "services", "show", "social", "software", "stream", "support",
	"systems", "tax", "team", "tech", "tips", "tools", "top", "video", "zone",
)

// strictTLDs are member-like TLDs that show up even in quoted property
// paths ('first.second.name', 'async.auto'): quotes are not host context.
var strictTLDs = set("auto", "day", "fail", "host", "id", "int", "name", "new", "run", "to")

// netCommands are the words after which a bare name is a host.
var netCommands = set(
	"ping", "nslookup", "curl", "wget", "nc", "ncat", "netcat", "telnet", "ssh",
	"scp", "ftp", "tftp", "dig", "host", "whois", "traceroute", "tracert",
	"resolve-dnsname", "test-connection", "test-netconnection", "-computername",
	"-uri", "-server", "-host", "-hostname", "-remotehost", "--host", "-smtpserver",
)

// anyLabelIdents are identifiers that are never a label of a real host.
var anyLabelIdents = set("prototype", "constructor", "__proto__")

// dosComNames are DOS/Windows programs with a .com extension.
var dosComNames = set(
	"command", "win", "more", "format", "mode", "tree", "chcp", "edit",
	"debug", "diskcopy", "diskcomp", "keyb", "graftabl", "loadfix", "kb16",
)

// importWords introduce module names, which look like domains (google.cloud).
var importWords = []string{"import", "from", "require", "using", "namespace", "package", "include"}

// Character classes.
const (
	cAlpha = 1 << iota // A-Z a-z
	cDigit             // 0-9
	cHex               // 0-9 A-F a-f
	cRun               // A-Z a-z 0-9 . - _: one token of the domain/IPv4/hash pass
	cLocal             // e-mail local part: A-Z a-z 0-9 . _ % + -
	cURL               // may appear inside a URL
	cUnix              // may appear inside a Unix path
	cIdent             // A-Z a-z _: makes a run of the run pass a name, not a number
)

var class = buildClass()

func buildClass() [256]uint8 {
	var t [256]uint8
	for c := 0; c < 256; c++ {
		b := byte(c)
		var v uint8
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z':
			v |= cAlpha | cRun | cLocal | cIdent
		case b >= '0' && b <= '9':
			v |= cDigit | cRun | cLocal
		}
		if (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F') || (b >= '0' && b <= '9') {
			v |= cHex
		}
		switch b {
		case '.', '-', '_':
			v |= cRun | cLocal
			if b == '_' {
				v |= cIdent
			}
		case '%', '+':
			v |= cLocal
		}
		if b > 0x20 && b < 0x7f && !strings.ContainsRune("\"'<>\\^{}|`;", rune(b)) {
			v |= cURL
		}
		if b > 0x20 && b < 0x7f && !strings.ContainsRune("\"'`;|&<>()[]\\!?:,^", rune(b)) {
			v |= cUnix
		}
		t[c] = v
	}
	return t
}

func isAlpha(c byte) bool { return class[c]&cAlpha != 0 }
func isDigit(c byte) bool { return class[c]&cDigit != 0 }
func isAlnum(c byte) bool { return class[c]&(cAlpha|cDigit) != 0 }
func isHex(c byte) bool   { return class[c]&cHex != 0 }

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

// lowerASCII returns s in ASCII lower case, without allocating when it
// already is.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if isUpper(s[i]) {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return s
}

// lookupFold reports whether the lower-cased s is in m, without allocating.
func lookupFold(m map[string]struct{}, s string) bool {
	var buf [64]byte
	if len(s) > len(buf) {
		return false
	}
	for i := 0; i < len(s); i++ {
		buf[i] = lower(s[i])
	}
	_, ok := m[string(buf[:len(s)])]
	return ok
}

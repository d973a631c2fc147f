package lang

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// Result is the outcome of Identify.
type Result struct {
	Language   Language `json:"name"`
	Confidence float64  `json:"confidence"`         // 0..1, for the reported Language
	Evidence   []string `json:"evidence,omitempty"` // short human-readable reasons
}

// Tuning of the decision.
const (
	// minConfidence is the probability below which the best language is
	// not trusted and Identify answers Unknown.
	minConfidence = 0.40
	// shebangBoost and extBoost are added to a language's logit.
	shebangBoost = 6.0
	extBoost     = 1.0
	maxEvidence  = 4
	// markerBoost rewards syntax only one language accepts (shell markers,
	// Python imports) and penalises languages an echo-only text cannot be.
	markerBoost = 4.0
	// neutralBatchBoost breaks PowerShell/Batch ties for command lines
	// with no marker of either: the train corpus holds three such cmd.exe
	// command lines for every PowerShell one.
	neutralBatchBoost = 1.0
	// unknownPenalty lowers the Unknown logit: the model learnt Unknown
	// from a large set of non-script files, and short scripts should not
	// fall into it; structural checks catch the clear non-scripts first.
	unknownPenalty = 3.0
)

// top2 returns the two classes with the highest logits.
func top2(l [nClasses]float64) (first, second Language) {
	f, sec := -1, -1
	for c := range l {
		switch {
		case f < 0 || l[c] > l[f]:
			f, sec = c, f
		case sec < 0 || l[c] > l[sec]:
			sec = c
		}
	}
	return Language(f), Language(sec)
}

// isShell reports the command shells whose one-liners look alike.
func isShell(l Language) bool { return l == PowerShell || l == Batch || l == Bash }

// Identify names the script language of text from its content. name, the
// file name if any, only adds a weak hint from its extension, which the
// content outweighs whenever the content is clear. Identify answers Unknown
// for text that is none of the six languages (HTML, prose, data formats,
// other programming languages) and for binary-looking or empty input.
//
// Identify inspects at most the first 64 KiB of text. It is safe for
// concurrent use.
func Identify(text, name string) Result { return identify(text, name, true) }

// LanguageOf is Identify(text, "").Language. It skips the model's evidence
// (a count of each evidence word over the text and a string per line),
// which a caller that only wants the language, such as the decoder naming
// each decoded layer, would throw away.
func LanguageOf(text string) Language { return identify(text, "", false).Language }

// identify is Identify; the model's evidence is added to the Result only
// when evidence is set.
func identify(text, name string, evidence bool) Result {
	if len(text) > maxScan {
		text = text[:maxScan]
	}
	// reason is the Result of an early decision; LanguageOf drops the
	// evidence, so it is built for Identify only.
	reason := func(confidence float64, why string) Result {
		r := Result{Language: Unknown, Confidence: confidence}
		if evidence {
			r.Evidence = []string{why}
		}
		return r
	}
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return reason(1, "empty or whitespace only")
	}
	if why := junk(text); why != "" {
		return reason(1, why)
	}
	shebangLang, interp, hasShebang := shebang(trimmed)

	// The features are extracted before notScript, which they rarely
	// spare, so that the line heads notScript needs are counted in the
	// same pass over the lines.
	f := getFeatureSet(builtin.bits)
	defer f.put()
	extract(text, f)
	// A shebang naming a supported interpreter outranks the look of
	// embedded code (a Perl or Ruby here-document in a shell script).
	if !hasShebang || shebangLang == Unknown {
		if why := notScriptHeads(trimmed, f.heads); why != "" {
			return reason(0.95, why)
		}
	}

	logits := builtin.logits(f.buckets)
	logits[Unknown] -= unknownPenalty

	// At most five hints below and the model's evidence, for Identify.
	var ev []string
	if evidence {
		ev = make([]string, 0, 5+maxEvidence)
	}
	if echoOnly(text) {
		// Lines that all start with echo are shell commands writing text
		// out, whatever the text says.
		for _, l := range []Language{JavaScript, VBScript, Python} {
			logits[l] -= markerBoost
		}
		if evidence {
			ev = append(ev, "every line is an echo command")
		}
	}
	if pythonImports(text) {
		logits[Python] += markerBoost
		if evidence {
			ev = append(ev, "Python import statements")
		}
	}
	if first, second := top2(logits); isShell(first) && isShell(second) {
		switch ps, bat, strong := shellMarkers(text); {
		case ps > 0 && bat == 0 && (first == Batch || second == Batch):
			logits[PowerShell] += markerBoost
			if evidence {
				ev = append(ev, fmt.Sprintf("PowerShell-only syntax x%d", ps))
			}
		case bat > 0 && ps == 0 && (first != Bash && second != Bash || strong > 0):
			logits[Batch] += markerBoost
			if evidence {
				ev = append(ev, fmt.Sprintf("cmd.exe-only syntax x%d", bat))
			}
		case ps == 0 && bat == 0 && (first == Batch || second == Batch) && (first == PowerShell || second == PowerShell):
			logits[Batch] += neutralBatchBoost
		}
	}
	if hasShebang {
		logits[shebangLang] += shebangBoost
		if evidence {
			ev = append(ev, "shebang #!"+interp)
		}
	}
	if l, ext := extensionHint(name); ext != "" {
		logits[l] += extBoost
		if evidence {
			ev = append(ev, "extension "+ext)
		}
	}
	p := softmax(logits)
	best := Unknown
	for c := range p {
		if p[c] > p[best] {
			best = Language(c)
		}
	}
	if best != Unknown && p[best] < minConfidence {
		if evidence {
			ev = append(ev, fmt.Sprintf("no language reaches %.0f%% (best %s %.0f%%)", minConfidence*100, best, p[best]*100))
		}
		return Result{Language: Unknown, Confidence: 1 - p[best], Evidence: ev}
	}
	if evidence {
		ev = builtin.appendEvidence(ev, f, text, best)
	}
	if len(ev) == 0 {
		ev = nil
	}
	return Result{Language: best, Confidence: p[best], Evidence: ev}
}

// junk reports text that looks like decoded binary data: many control
// characters or U+FFFD replacement characters.
func junk(text string) string {
	bad := strings.Count(text, "\uFFFD")
	// Most text is plainly not junk: bounding the control bytes from above
	// by the bytes below 0x20 and DEL, white space included, settles it
	// without counting them exactly.
	if (bad+countLowBytes(text))*10 <= len(text) {
		return ""
	}
	bad += countControls(text)
	if bad*10 > len(text) {
		return fmt.Sprintf("binary-looking text (%d control or invalid characters in %d bytes)", bad, len(text))
	}
	return ""
}

// countLowBytes counts the bytes of s below 0x20 and the DEL bytes: an
// upper bound of countControls. The bytes below 0x20 are flagged eight at a
// time, in the top bit of each byte of a word, and summed in byte lanes.
func countLowBytes(s string) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
		low7 = 0x7F7F7F7F7F7F7F7F
	)
	n := strings.Count(s, "\x7f")
	for len(s) >= 16 {
		// A lane holds at most 255: fold the lanes every 127 pairs of
		// words (two flags a pair).
		chunk := s[:min(len(s), 127*16)&^15]
		s = s[len(chunk):]
		var acc uint64
		for i := 0; i+16 <= len(chunk); i += 16 {
			b := chunk[i : i+16]
			x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
				uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
			y := uint64(b[8]) | uint64(b[9])<<8 | uint64(b[10])<<16 | uint64(b[11])<<24 |
				uint64(b[12])<<32 | uint64(b[13])<<40 | uint64(b[14])<<48 | uint64(b[15])<<56
			// Adding 0x60 to the low seven bits of a byte sets its top
			// bit unless they are below 0x20, and never carries into the
			// next byte; a byte with its own top bit set is not low.
			acc += (^(x&low7 + 0x60*ones | x) & high >> 7) + (^(y&low7 + 0x60*ones | y) & high >> 7)
		}
		pairs := acc&0x00FF00FF00FF00FF + acc>>8&0x00FF00FF00FF00FF
		n += int(pairs * 0x0001000100010001 >> 48)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			n++
		}
	}
	return n
}

// countControls counts the bytes of s that controlByte marks, eight at a
// time.
func countControls(s string) int {
	n, i := 0, 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		n += int(controlByte[b[0]]) + int(controlByte[b[1]]) + int(controlByte[b[2]]) + int(controlByte[b[3]]) +
			int(controlByte[b[4]]) + int(controlByte[b[5]]) + int(controlByte[b[6]]) + int(controlByte[b[7]])
	}
	for ; i < len(s); i++ {
		n += int(controlByte[s[i]])
	}
	return n
}

// controlByte is 1 for the bytes junk counts: the C0 controls other than
// tab, line feed, carriage return, form feed and ESC, and DEL.
var controlByte = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = 1
	}
	for _, c := range []byte{'\t', '\n', '\r', '\f', 0x1B} {
		t[c] = 0
	}
	t[0x7F] = 1
	return t
}()

// notScript recognises formats that are plainly not a script of the six
// languages from their first bytes.
func notScript(t string) string { return notScriptHeads(t, countLineHeads(t)) }

// notScriptHeads is notScript given bounds of the line heads of t: the
// counts of countLineHeads(t), or higher ones. They only let the Ruby and
// Perl checks return early, so higher counts give the same answer; the
// heads of the text t was trimmed from are such bounds (see
// lineHeads.addLine).
func notScriptHeads(t string, heads lineHeads) string {
	head := t[:min(len(t), 256)]
	// The markers are matched in ASCII case folding rather than in a
	// strings.ToLower copy of head: the only runes beyond ASCII that
	// ToLower maps into ASCII become 'i' and 'k', which no marker holds.
	switch {
	case indexLowerASCII(head, "<?php") >= 0:
		return "PHP open tag"
	case hasPrefixLowerASCII(head, "<!doctype html") || hasPrefixLowerASCII(head, "<html"):
		return "HTML document"
	case (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)):
		return "JSON document"
	case t[0] == '[' && isINI(t):
		return "INI document"
	case isRuby(t, heads):
		return "Ruby blocks (def/do |x|/end)"
	case isCSV(t):
		return "CSV table"
	case isJava(t):
		return "Java declarations"
	case isPerl(t, heads):
		return "Perl pragmas and my-declarations"
	case isProse(t):
		return "natural-language prose"
	}
	return ""
}

// hasPrefixLowerASCII reports whether s starts with the lower-case ASCII
// string prefix, the ASCII letters of s compared in lower case.
func hasPrefixLowerASCII(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lowerByte[s[i]] != prefix[i] {
			return false
		}
	}
	return true
}

// indexLowerASCII is the index of the first instance of the lower-case
// ASCII string sub in s, the ASCII letters of s compared in lower case,
// or -1.
func indexLowerASCII(s, sub string) int {
	if c := sub[0]; c < 'a' || c > 'z' {
		// The first byte has one case: find its instances with
		// IndexByte rather than byte by byte.
		for i := 0; i+len(sub) <= len(s); {
			j := strings.IndexByte(s[i:len(s)-len(sub)+1], c)
			if j < 0 {
				return -1
			}
			if hasPrefixLowerASCII(s[i+j:], sub) {
				return i + j
			}
			i += j + 1
		}
		return -1
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if lowerByte[s[i]] == sub[0] && hasPrefixLowerASCII(s[i:], sub) {
			return i
		}
	}
	return -1
}

// isINI reports text made only of [section] headers, key = value lines and
// comments, with at least one header and two keys.
func isINI(t string) bool {
	sections, keys := 0, 0
	for line := range strings.Lines(t) {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == ';' || line[0] == '#':
		case line[0] == '[' && line[len(line)-1] == ']':
			sections++
		default:
			i := strings.IndexByte(line, '=')
			if i <= 0 {
				return false
			}
			key := strings.TrimSpace(line[:i])
			for j := 0; j < len(key); j++ {
				if c := key[j]; !isWordByte(c) && c != '.' && c != '-' && c != ' ' {
					return false
				}
			}
			keys++
		}
	}
	return sections > 0 && keys >= 2
}

// pythonImports reports text whose first code line is a Python import
// ("import x" or "from x import y", with no semicolon or quotes).
func pythonImports(t string) bool {
	for line := range strings.Lines(t) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.ContainsAny(line, ";\"'(){}") {
			return false
		}
		// The line is trimmed: its first field starts it.
		if !strings.HasPrefix(line, "import") && !strings.HasPrefix(line, "from") {
			return false
		}
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "import":
			return true
		case len(f) >= 4 && f[0] == "from" && f[2] == "import":
			return true
		}
		return false
	}
	return false
}

// echoOnly reports text whose every non-empty line starts with an echo
// command.
func echoOnly(t string) bool {
	n := 0
	for line := range strings.Lines(t) {
		line = strings.TrimLeft(line, " \t@")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if len(line) < 5 || !strings.EqualFold(line[:5], "echo ") {
			return false
		}
		n++
	}
	return n > 0
}

// isCSV recognises comma- or semicolon-separated tables: three or more
// lines with the same number of separators, at least two, and nothing that
// looks like code.
func isCSV(t string) bool {
	for _, sep := range []byte{',', ';', '\t'} {
		want, rows := -1, 0
		ok := true
		for line := range strings.Lines(t) {
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				continue
			}
			if strings.ContainsAny(line, "(){}$=|<>") {
				ok = false
				break
			}
			n := strings.Count(line, string(sep))
			if want < 0 {
				want = n
			}
			if n != want || n < 2 {
				ok = false
				break
			}
			rows++
		}
		if ok && rows >= 3 {
			return true
		}
	}
	return false
}

// isJava recognises Java (and C#-like) class files: a main method, or a
// public class or interface in a file that starts with a package or import
// statement.
func isJava(t string) bool {
	// Every marker starts with "public ": look at each of those once.
	decl := false
	for i := indexRare(t, "public "); i >= 0; {
		rest := t[i+len("public "):]
		if strings.HasPrefix(rest, "static void main(") {
			return true
		}
		decl = decl || strings.HasPrefix(rest, "class ") || strings.HasPrefix(rest, "final class ") || strings.HasPrefix(rest, "interface ")
		j := indexRare(rest, "public ")
		if j < 0 {
			break
		}
		i += len("public ") + j
	}
	return decl && (strings.HasPrefix(t, "package ") || strings.HasPrefix(t, "import ") || strings.Contains(t, "\nimport java") || strings.Contains(t, "\npackage "))
}

// isPerl recognises Perl by its pragmas and lexical declarations. h are
// the line heads of t.
func isPerl(t string, h lineHeads) bool {
	if h.use+h.my < 2 {
		return false
	}
	n := 0
	for line := range strings.Lines(t) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "use strict;") || strings.HasPrefix(line, "use warnings;") ||
			strings.HasPrefix(line, "my $") || strings.HasPrefix(line, "my @") || strings.HasPrefix(line, "my %") || strings.HasPrefix(line, "my (") {
			n++
			if n >= 2 {
				return true
			}
		}
	}
	return false
}

// isProse recognises natural-language text: sentences of plain words with
// none of the symbols that code is made of.
func isProse(t string) bool {
	words, lines, stops := 0, 0, 0
	for line := range strings.Lines(t) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		lines++
		if !isLetter(line[0]) {
			return false
		}
		for i := 0; i < len(line); i++ {
			switch c := line[i]; c {
			case '=', '{', '}', '[', ']', '$', '%', ';', '<', '>', '|', '&', '\\', '/', '@', '#', '*', '`', '^', '~', '_':
				return false
			case '(':
				if i > 0 && isWordByte(line[i-1]) { // a call: f(x)
					return false
				}
			case '-':
				if i > 0 && line[i-1] == ' ' { // an option: -x
					return false
				}
			case ' ':
				words++
			case '.', ',', '!', '?':
				if i+1 == len(line) || line[i+1] == ' ' {
					stops++
				}
			}
		}
		words++
	}
	// Sentences: six words a line on average, with punctuation.
	return lines > 0 && words >= 6*lines && stops > 0
}

// isRuby recognises Ruby by its block shapes: bare "end" lines together
// with "def name" lines without a colon or "do |x|" blocks. h are the line
// heads of t.
func isRuby(t string, h lineHeads) bool {
	if h.end < 2 {
		return false
	}
	ends, other := 0, 0
	for line := range strings.Lines(t) {
		line = strings.TrimSpace(line)
		switch {
		case line == "end":
			ends++
		case strings.HasPrefix(line, "def ") && !strings.HasSuffix(line, ":") && !strings.HasSuffix(line, "{"):
			other++
		case strings.Contains(line, " do |"), strings.HasPrefix(line, "attr_reader "), strings.HasPrefix(line, "attr_accessor "),
			strings.HasPrefix(line, "require '"), strings.HasPrefix(line, "puts "):
			other++
		}
	}
	return ends >= 2 && other >= 2
}

// lineHeads bounds, for each word of the line-by-line checks, how many
// lines of t start with it once trimmed (strings.TrimSpace). A line whose
// first byte after ASCII white space is not ASCII may start with a Unicode
// space, so it counts for every word.
type lineHeads struct{ end, use, my int }

func countLineHeads(t string) lineHeads {
	var h lineHeads
	for i := 0; i < len(t); {
		for i < len(t) && asciiSpace(t[i]) {
			i++ // blank lines included
		}
		if i == len(t) {
			break
		}
		switch rest := t[i:]; {
		case rest[0] >= utf8.RuneSelf:
			h.end++
			h.use++
			h.my++
		case strings.HasPrefix(rest, "end"):
			h.end++
		case strings.HasPrefix(rest, "use "):
			h.use++
		case strings.HasPrefix(rest, "my "):
			h.my++
		}
		j := strings.IndexByte(t[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return h
}

// addLine adds the head of the line l (without its line feed) to h, given
// an offset at or before which its first byte other than ASCII white space
// lies (len(l) if none is known). Counted over every line of a text, h is
// then countLineHeads of the text, which bounds that of the text trimmed
// with strings.TrimSpace: each line of the trimmed text starts where a
// line head of the text lies, and is a prefix of that line, except the
// first when Unicode spaces were trimmed before it, and a line head at a
// byte beyond ASCII counts for every word.
func (h *lineHeads) addLine(l string, before int) {
	i := 0
	for i < before && asciiSpace(l[i]) {
		i++
	}
	if i == len(l) {
		return // a blank line
	}
	switch rest := l[i:]; rest[0] {
	case 'e':
		if strings.HasPrefix(rest, "end") {
			h.end++
		}
	case 'u':
		if strings.HasPrefix(rest, "use ") {
			h.use++
		}
	case 'm':
		if strings.HasPrefix(rest, "my ") {
			h.my++
		}
	default:
		if rest[0] >= utf8.RuneSelf {
			h.end++
			h.use++
			h.my++
		}
	}
}

// asciiSpace reports the ASCII bytes strings.TrimSpace trims.
func asciiSpace(c byte) bool {
	const spaces = 1<<' ' | 1<<'\t' | 1<<'\n' | 1<<'\v' | 1<<'\f' | 1<<'\r'
	return c <= ' ' && spaces>>c&1 != 0
}

// shebang maps the interpreter of a "#!" line to a language. Interpreters
// of other languages map to Unknown.
func shebang(t string) (Language, string, bool) {
	if !strings.HasPrefix(t, "#!") {
		return Unknown, "", false
	}
	line := t[2:]
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	f := strings.Fields(line)
	if len(f) == 0 {
		return Unknown, "", false
	}
	interp := path.Base(f[0])
	if interp == "env" {
		for _, a := range f[1:] {
			if !strings.HasPrefix(a, "-") && !strings.Contains(a, "=") {
				interp = path.Base(a)
				break
			}
		}
	}
	if len(interp) > 24 {
		interp = interp[:24]
	}
	base := strings.TrimRight(interp, "0123456789.")
	switch base {
	case "sh", "bash", "dash", "ksh", "zsh", "ash", "mksh", "busybox":
		return Bash, interp, true
	case "python", "pypy":
		return Python, interp, true
	case "node", "nodejs", "deno", "bun", "qjs", "rhino":
		return JavaScript, interp, true
	case "pwsh", "powershell":
		return PowerShell, interp, true
	}
	return Unknown, interp, true
}

// extensionHint maps the extension of a file name to a language.
func extensionHint(name string) (Language, string) {
	if len(name) > 255 {
		name = name[len(name)-255:]
	}
	i := strings.LastIndexByte(name, '.')
	if i < 0 || len(name)-i > 6 {
		return Unknown, ""
	}
	ext := strings.ToLower(name[i:])
	l, ok := extensions[ext]
	if !ok {
		return Unknown, ""
	}
	return l, ext
}

// extensions lists the file extensions of each language.
var extensions = map[string]Language{
	".ps1": PowerShell, ".psm1": PowerShell, ".psd1": PowerShell,
	".js": JavaScript, ".jse": JavaScript, ".mjs": JavaScript, ".cjs": JavaScript,
	".vbs": VBScript, ".vbe": VBScript, ".vba": VBScript,
	".bat": Batch, ".cmd": Batch,
	".sh": Bash, ".bash": Bash, ".ksh": Bash, ".zsh": Bash,
	".py": Python, ".pyw": Python,
}

package lang

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// This file keeps a frozen copy of Identify as it was before its checks,
// the model's sum and the evidence were fused and specialised, built from
// the straightforward pieces (refExtract, refLogits, refEvidence and the
// frozen structural checks below), and compares the whole Result, bit for
// bit, over fixtures, the dev corpus and fuzzed input.

// checkSameIdentify compares identify and LanguageOf with refIdentify.
func checkSameIdentify(t *testing.T, text, name string) {
	t.Helper()
	want := refIdentify(text, name)
	if got := Identify(text, name); !reflect.DeepEqual(got, want) {
		t.Fatalf("Identify(%.80q, %q) = %+v, want %+v", text, name, got, want)
	}
	if got, want := LanguageOf(text), refIdentify(text, "").Language; got != want {
		t.Fatalf("LanguageOf(%.80q) = %v, want %v", text, got, want)
	}
	gw, gu := platformCues(text)
	if ww, wu := refPlatformCues(text); gw != ww || gu != wu {
		t.Fatalf("platformCues(%.80q) = %v, %v, want %v, %v", text, gw, gu, ww, wu)
	}
	if trimmed := strings.TrimSpace(text); trimmed != "" {
		if g, w := notScript(trimmed), refNotScript(trimmed); g != w {
			t.Fatalf("notScript(%.80q) = %q, want %q", trimmed, g, w)
		}
	}
	gp, gb, gs := shellMarkers(text)
	if wp, wb, ws := refShellMarkers(text); gp != wp || gb != wb || gs != ws {
		t.Fatalf("shellMarkers(%.80q) = %d, %d, %d, want %d, %d, %d", text, gp, gb, gs, wp, wb, ws)
	}
}

func identifyTexts() []string {
	var texts []string
	texts = append(texts, referenceTexts...)
	for _, tc := range unknownFixtures {
		texts = append(texts, tc.text)
	}
	for _, tc := range languageFixtures {
		texts = append(texts, tc.text)
	}
	return texts
}

func TestIdentifyMatchesReference(t *testing.T) {
	for _, s := range identifyTexts() {
		for _, name := range []string{"", "a.ps1", "b.JS", "c.txt"} {
			checkSameIdentify(t, s, name)
		}
		for cut := range len(s) {
			checkSameIdentify(t, s[:cut], "")
			checkSameIdentify(t, s[cut:], "")
		}
	}
}

// TestIdentifyMatchesReferenceDev compares every dev corpus sample, whole
// and cut into pieces, as the decoder hands cut-out layers to LanguageOf.
func TestIdentifyMatchesReferenceDev(t *testing.T) {
	sweepDevTexts(t, func(name, text string) {
		checkSameIdentify(t, text, "")
		checkSameIdentify(t, text, name+".ps1")
		if n := len(text); n > 8 {
			checkSameIdentify(t, text[n/3:], "")
			checkSameIdentify(t, text[:n/2], "")
		}
	})
}

func FuzzIdentifyMatchesReference(f *testing.F) {
	for _, s := range identifyTexts() {
		f.Add(s, "")
	}
	f.Add("public class X {}\nimport java.io", "x.bat")
	f.Fuzz(func(t *testing.T, text, name string) {
		checkSameIdentify(t, text, name)
	})
}

// refIdentify is Identify.
func refIdentify(text, name string) Result {
	if len(text) > maxScan {
		text = text[:maxScan]
	}
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return Result{Language: Unknown, Confidence: 1, Evidence: []string{"empty or whitespace only"}}
	}
	if why := refJunk(text); why != "" {
		return Result{Language: Unknown, Confidence: 1, Evidence: []string{why}}
	}
	shebangLang, interp, hasShebang := shebang(trimmed)
	if !hasShebang || shebangLang == Unknown {
		if why := refNotScript(trimmed); why != "" {
			return Result{Language: Unknown, Confidence: 0.95, Evidence: []string{why}}
		}
	}

	f := getFeatureSet(builtin.bits)
	defer f.put()
	refExtract(text, addVisitor{f})
	logits := refLogits(builtin, f.buckets)
	logits[Unknown] -= unknownPenalty

	var ev []string
	if refEchoOnly(text) {
		for _, l := range []Language{JavaScript, VBScript, Python} {
			logits[l] -= markerBoost
		}
		ev = append(ev, "every line is an echo command")
	}
	if refPythonImports(text) {
		logits[Python] += markerBoost
		ev = append(ev, "Python import statements")
	}
	if first, second := top2(logits); isShell(first) && isShell(second) {
		switch ps, bat, strong := refShellMarkers(text); {
		case ps > 0 && bat == 0 && (first == Batch || second == Batch):
			logits[PowerShell] += markerBoost
			ev = append(ev, fmt.Sprintf("PowerShell-only syntax x%d", ps))
		case bat > 0 && ps == 0 && (first != Bash && second != Bash || strong > 0):
			logits[Batch] += markerBoost
			ev = append(ev, fmt.Sprintf("cmd.exe-only syntax x%d", bat))
		case ps == 0 && bat == 0 && (first == Batch || second == Batch) && (first == PowerShell || second == PowerShell):
			logits[Batch] += neutralBatchBoost
		}
	}
	if hasShebang {
		logits[shebangLang] += shebangBoost
		ev = append(ev, "shebang #!"+interp)
	}
	if l, ext := extensionHint(name); ext != "" {
		logits[l] += extBoost
		ev = append(ev, "extension "+ext)
	}
	p := softmax(logits)
	best := Unknown
	for c := range p {
		if p[c] > p[best] {
			best = Language(c)
		}
	}
	if best != Unknown && p[best] < minConfidence {
		ev = append(ev, fmt.Sprintf("no language reaches %.0f%% (best %s %.0f%%)", minConfidence*100, best, p[best]*100))
		return Result{Language: Unknown, Confidence: 1 - p[best], Evidence: ev}
	}
	ev = append(ev, refEvidence(builtin, f, text, best)...)
	if len(ev) == 0 {
		ev = nil
	}
	return Result{Language: best, Confidence: p[best], Evidence: ev}
}

// refNotScript is notScript.
func refNotScript(t string) string {
	head := t[:min(len(t), 256)]
	lower := strings.ToLower(head)
	switch {
	case strings.HasPrefix(lower, "<?php") || strings.Contains(lower, "<?php"):
		return "PHP open tag"
	case strings.HasPrefix(lower, "<!doctype html") || strings.HasPrefix(lower, "<html"):
		return "HTML document"
	case (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)):
		return "JSON document"
	case t[0] == '[' && refIsINI(t):
		return "INI document"
	case refIsRuby(t):
		return "Ruby blocks (def/do |x|/end)"
	case refIsCSV(t):
		return "CSV table"
	case refIsJava(t):
		return "Java declarations"
	case refIsPerl(t):
		return "Perl pragmas and my-declarations"
	case refIsProse(t):
		return "natural-language prose"
	}
	return ""
}

// refIsINI is isINI.
func refIsINI(t string) bool {
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

// refEchoOnly is echoOnly.
func refEchoOnly(t string) bool {
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

// refIsCSV is isCSV.
func refIsCSV(t string) bool {
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

// refIsProse is isProse.
func refIsProse(t string) bool {
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
				if i > 0 && isWordByte(line[i-1]) {
					return false
				}
			case '-':
				if i > 0 && line[i-1] == ' ' {
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
	return lines > 0 && words >= 6*lines && stops > 0
}

// refPlatformCues is platformCues.
func refPlatformCues(text string) (win, unix bool) {
	win = strings.IndexByte(text, '\\') >= 0 || strings.IndexByte(text, '%') >= 0 ||
		strings.Contains(text, ".exe") || strings.Contains(text, ".EXE") || strings.Contains(text, ".Exe")
	unix = strings.Contains(text, "~/") || strings.Contains(text, "sudo ")
	for i := strings.IndexByte(text, '/'); i >= 0 && !(win && unix); {
		if !win && i > 0 && text[i-1] == ' ' && i+1 < len(text) && isLetter(text[i+1]) && (i+2 == len(text) || !isLetter(text[i+2]) || !isLetter(text[min(i+3, len(text)-1)])) {
			win = true
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

// refShellMarkers is shellMarkers.
func refShellMarkers(text string) (ps, bat, strong int) {
	if len(text) > maxScan {
		text = text[:maxScan]
	}
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		p, b, st := refLineMarkers(line)
		ps += p
		bat += b
		strong += st
	}
	return ps, bat, strong
}

// refLineMarkers is lineMarkers.
func refLineMarkers(line string) (ps, bat, strong int) {
	switch {
	case refHasPrefixFold(line, "@echo"), refHasPrefixFold(line, "rem "), strings.HasPrefix(line, "::"),
		refHasPrefixFold(line, "setlocal"), refHasPrefixFold(line, "goto "), refHasPrefixFold(line, "set /"),
		refHasPrefixFold(line, "call :"), refHasPrefixFold(line, "start \""), len(line) > 1 && line[0] == ':' && isLetter(line[1]):
		bat++
		strong++
	case line[0] == '&' && len(line) > 2 && line[1] == ' ' && (line[2] == '"' || line[2] == '\'' || line[2] == '$' || line[2] == '('):
		ps++
	case line[0] == '"':
		if j := strings.IndexByte(line[1:], '"'); j >= 0 {
			rest := strings.TrimSpace(line[j+2:])
			if rest != "" && rest[0] != '|' && rest[0] != '.' && rest[0] != '+' && rest[0] != ';' && rest[0] != '-' && rest[0] != ')' {
				bat++
			}
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch c {
		case '%':
			if i+2 < len(line) && (line[i+1] == '~' || line[i+1] == '%' && isLetter(line[i+2])) {
				bat++
			} else if j := strings.IndexByte(line[i+1:], '%'); j > 0 && j < 40 && isWordRun(line[i+1:i+1+j]) {
				bat++
				i += j + 1
			}
		case '$':
			if i+1 < len(line) && (isLetter(line[i+1]) || line[i+1] == '(' || line[i+1] == '{') {
				ps++
			}
		case '[':
			if strings.HasPrefix(line[i:], "[System.") || strings.HasPrefix(line[i:], "[Convert]") || strings.Contains(line[i:min(len(line), i+40)], "]::") {
				ps++
			}
		case '^':
			if i+1 < len(line) && (line[i+1] == '&' || line[i+1] == '|' || line[i+1] == '>' || line[i+1] == '<') {
				bat++
			}
		case '>':
			if refHasPrefixFold(line[i:], ">nul") || refHasPrefixFold(line[i:], "> nul") {
				bat++
			}
		}
	}
	if refContainsFold(line, "errorlevel") {
		bat++
	}
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(line) && line[i+1] == quote {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case isLetter(c) && (i == 0 || !isWordByte(line[i-1]) && line[i-1] != '-' && line[i-1] != '\\' && line[i-1] != '.' && line[i-1] != '/'):
			j := refWordEnd(line, i)
			w := line[i:j]
			if k := strings.IndexByte(w, '-'); k > 0 && len(w)-k > 3 && isLetter(w[k+1]) && isVerb(w[:k]) {
				ps++
			}
			i = j - 1
		}
	}
	return ps, bat, strong
}

// refHasPrefixFold is hasPrefixFold.
func refHasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// refContainsFold is containsFold.
func refContainsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i]|0x20 == sub[0] && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

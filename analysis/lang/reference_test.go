package lang

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// This file keeps the straightforward versions of the feature extractor
// and of the structural checks that the package replaced with faster ones,
// and checks that both give the same results: the model was trained on the
// features of the reference extractor, so they must not change by a bit.

// visitor receives every feature of the reference extractor.
type visitor interface {
	feature(h uint32, k kind, tok string)
}

// addVisitor feeds the reference extractor's features to a featureSet.
type addVisitor struct{ f *featureSet }

func (v addVisitor) feature(h uint32, k kind, tok string) { v.f.add(h, k, tok) }

// checkSameFeatures compares extract with refExtract on text.
func checkSameFeatures(t *testing.T, text string) {
	t.Helper()
	got, want := getFeatureSet(maxBits), getFeatureSet(maxBits)
	defer got.put()
	defer want.put()
	extract(text, got)
	refExtract(text, addVisitor{want})
	if !slices.Equal(got.buckets, want.buckets) {
		t.Fatalf("extract(%.80q): %d buckets, want %d (first difference at %d)", text, len(got.buckets), len(want.buckets), firstDiff(got.buckets, want.buckets))
	}
	if g, w := builtin.logits(got.buckets), refLogits(builtin, want.buckets); g != w {
		t.Fatalf("logits(%.80q) = %v, want %v", text, g, w)
	}
	if got.ncands != want.ncands || got.cands != want.cands {
		t.Fatalf("extract(%.80q): evidence candidates differ", text)
	}
	for _, class := range append(All(), Unknown) {
		if g, w := builtin.appendEvidence(nil, got, text, class), refEvidence(builtin, want, text, class); !slices.Equal(g, w) {
			t.Fatalf("evidence for %v of %.80q: got %q, want %q", class, text, g, w)
		}
	}
}

func firstDiff(a, b []uint32) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// checkSameChecks compares the structural checks with their references.
func checkSameChecks(t *testing.T, text string) {
	t.Helper()
	if g, w := junk(text), refJunk(text); g != w {
		t.Fatalf("junk(%.80q) = %q, want %q", text, g, w)
	}
	h := countLineHeads(text)
	if g, w := isRuby(text, h), refIsRuby(text); g != w {
		t.Fatalf("isRuby(%.80q) = %v, want %v", text, g, w)
	}
	if g, w := isPerl(text, h), refIsPerl(text); g != w {
		t.Fatalf("isPerl(%.80q) = %v, want %v", text, g, w)
	}
	if g, w := isJava(text), refIsJava(text); g != w {
		t.Fatalf("isJava(%.80q) = %v, want %v", text, g, w)
	}
	if g, w := pythonImports(text), refPythonImports(text); g != w {
		t.Fatalf("pythonImports(%.80q) = %v, want %v", text, g, w)
	}
}

// referenceTexts are edge cases for the fast paths: hyphenated and
// sigil words, numbers, long identifiers, punctuation runs, quotes, the
// markers of the structural checks next to Unicode spaces and control
// bytes.
var referenceTexts = []string{
	"Get-ChildItem -Path $env:TEMP | ForEach-Object { Remove-Item $_ -Force }\r\nWrite-Host 'done'",
	"%~dp0run.exe %USERPROFILE%\\x --long-opt --x -a- a-b- -- --- ---> $(@{}) .Member obj.Prop]).x",
	"0xDEADbeef 123ABC 12345678901234567890123456789012345 AbcdefghijklmnopqrstuvwxyzABCDEFGH x" + strings.Repeat("y", 40),
	"\"quoted 'nested' words\" 'single \"x\"' `tick` ''\n\"\n'",
	"end\nend\n  end  \ndef a\ndef b\nputs 'x'\n",
	"\tend\n\u00a0end\u3000\ndef a\ndef b\n",
	"\u0085end\n\u2003end\ndef a\n  attr_reader :x\n",
	"\u00a0use strict;\n\u2003my $x = 1;\n",
	"\tuse warnings;\nmy (@a);\n",
	"public class A {}\npublic static void main(String[] a) {}\npublic interface B\npackage x\n",
	"package a;\nimport java.util.List;\npublic final class X {}",
	"import os\nfrom x import y\n",
	"  from a import b c\n",
	"\x00\x01\x02\x7f\ufffd\ufffd\x1b\t\n\r\f\v\x0e" + strings.Repeat("\x05ab", 9),
	"#!/bin/bash\n# c\n# d\n",
	"# only\n# comments\n",
	strings.Repeat("a", 70) + "\n" + strings.Repeat("tok ", 80) + "\n",
	`HKLM\Software\X /c /S ~/x sudo rm /usr/bin/x .exe .EXE .Exe \\srv %a% %%i`,
	"Dim objShell: Set objShell = CreateObject(\"WScript.Shell\")\r\nobjShell.Run \"cmd /c echo hi\", 0, True\r\n",
	"\xc3\xa9t\xc3\xa9 caf\xc3\xa9 \xff\xfe na\xefve",
}

func TestExtractMatchesReference(t *testing.T) {
	var texts []string
	texts = append(texts, referenceTexts...)
	for _, tc := range unknownFixtures {
		texts = append(texts, tc.text)
	}
	for _, tc := range languageFixtures {
		texts = append(texts, tc.text)
	}
	for _, s := range texts {
		checkSameFeatures(t, s)
		checkSameChecks(t, s)
		for cut := range len(s) {
			checkSameChecks(t, s[:cut])
		}
	}
}

// TestExtractMatchesReferenceDev runs the comparison over every dev corpus
// sample.
func TestExtractMatchesReferenceDev(t *testing.T) {
	sweepDevTexts(t, func(_, text string) {
		checkSameFeatures(t, text)
		checkSameChecks(t, text)
		checkSameChecks(t, strings.TrimSpace(text))
	})
}

func FuzzExtractMatchesReference(f *testing.F) {
	for _, s := range referenceTexts {
		f.Add(s)
	}
	for _, tc := range languageFixtures {
		f.Add(tc.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkSameFeatures(t, text)
		checkSameChecks(t, text)
	})
}

// refLogits is model.logits summing the int8 weights one by one.
func refLogits(m *model, buckets []uint32) [nClasses]float64 {
	var sum [nClasses]int32
	for _, b := range buckets {
		w := m.weights[b*nClasses : b*nClasses+nClasses : b*nClasses+nClasses]
		for c := range sum {
			sum[c] += int32(w[c])
		}
	}
	var out [nClasses]float64
	norm := 0.0
	if n := len(buckets); n > 0 {
		norm = float64(m.scale) / math.Sqrt(float64(n))
	}
	for c := range out {
		out[c] = float64(m.bias[c]) + float64(sum[c])*norm
	}
	return out
}

// TestLogitsPacked checks the packed sum of logits against refLogits on
// models of extreme weights (every lane at its minimum or maximum) and
// on bucket lists around and far beyond the flush interval.
func TestLogitsPacked(t *testing.T) {
	const bits = maxBits
	rng := rand.New(rand.NewPCG(1, 2))
	models := map[string]func(b, c int) int8{
		"max":    func(b, c int) int8 { return 127 },
		"min":    func(b, c int) int8 { return -128 },
		"mixed":  func(b, c int) int8 { return int8(b*7 + c) },
		"random": func(b, c int) int8 { return int8(rng.IntN(256)) },
	}
	for name, weight := range models {
		m := &model{bits: bits, scale: 0.013, weights: make([]int8, nClasses<<bits)}
		for b := range 1 << bits {
			for c := range nClasses {
				m.weights[b*nClasses+c] = weight(b, c)
			}
		}
		m.bias = [nClasses]float32{-1, 0.5, 2, -3, 0.25, 1, -0.75}
		m.rows = m.packRows()
		all := make([]uint32, 1<<bits)
		for i := range all {
			all[i] = uint32(i)
		}
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		for _, n := range []int{0, 1, 2, 255, 256, 257, 511, 512, 513, 1000, 4097, 1 << bits} {
			if g, w := m.logits(all[:n]), refLogits(m, all[:n]); g != w {
				t.Fatalf("%s model, %d buckets: logits = %v, want %v", name, n, g, w)
			}
		}
	}
	if g, w := builtin.logits([]uint32{0, 1, 2}), refLogits(builtin, []uint32{0, 1, 2}); g != w {
		t.Fatalf("builtin: logits = %v, want %v", g, w)
	}
}

// junk reports text that looks like decoded binary data: many control
// characters or U+FFFD replacement characters.
func refJunk(text string) string {
	bad := strings.Count(text, "\uFFFD")
	for i := 0; i < len(text); i++ {
		if c := text[i]; (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B) || c == 0x7F {
			bad++
		}
	}
	if bad*10 > len(text) {
		return fmt.Sprintf("binary-looking text (%d control or invalid characters in %d bytes)", bad, len(text))
	}
	return ""
}

// isJava recognises Java (and C#-like) class files.
func refIsJava(t string) bool {
	return strings.Contains(t, "public static void main(") ||
		(strings.Contains(t, "public class ") || strings.Contains(t, "public final class ") || strings.Contains(t, "public interface ")) &&
			(strings.HasPrefix(t, "package ") || strings.HasPrefix(t, "import ") || strings.Contains(t, "\nimport java") || strings.Contains(t, "\npackage "))
}

// isPerl recognises Perl by its pragmas and lexical declarations.
func refIsPerl(t string) bool {
	if !strings.Contains(t, "use ") && !strings.Contains(t, "my ") {
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

// isRuby recognises Ruby by its block shapes: bare "end" lines together
// with "def name" lines without a colon or "do |x|" blocks.
func refIsRuby(t string) bool {
	if !strings.Contains(t, "end") {
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

// pythonImports reports text whose first code line is a Python import
// ("import x" or "from x import y", with no semicolon or quotes).
func refPythonImports(t string) bool {
	for line := range strings.Lines(t) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.ContainsAny(line, ";\"'(){}") {
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

// evidence explains a decision for class with the candidates that favour
// it the most over the other classes, strongest first.
func refEvidence(m *model, f *featureSet, text string, class Language) []string {
	type scored struct {
		c      cand
		margin float64
	}
	var top [maxEvidence]scored
	n := 0
	for _, c := range f.cands[:f.ncands] {
		w := m.weights[c.bucket*nClasses : c.bucket*nClasses+nClasses]
		others := 0.0
		for i := range w {
			if Language(i) != class {
				others += float64(w[i])
			}
		}
		margin := float64(w[class]) - others/(nClasses-1)
		if margin <= 0 {
			continue
		}
		// Insert into the top list, kept sorted by margin.
		i := n
		if n < maxEvidence {
			n++
		} else if margin <= top[n-1].margin {
			continue
		} else {
			i = n - 1
		}
		for i > 0 && top[i-1].margin < margin {
			top[i] = top[i-1]
			i--
		}
		top[i] = scored{c, margin}
	}
	out := make([]string, 0, n)
	for _, t := range top[:n] {
		tok := t.c.tok
		if len(tok) > 32 {
			tok = tok[:32]
		}
		what := "keyword"
		if t.c.k == kLineStart {
			what = "line start"
		}
		e := what + " " + strconv.Quote(tok)
		if t.c.k == kWord {
			if cnt := strings.Count(text, t.c.tok); cnt > 1 {
				e += " x" + strconv.Itoa(cnt)
			}
		}
		out = append(out, e)
	}
	return out
}

// extract calls v for every feature of text (the first maxScan bytes).
func refExtract(text string, v visitor) {
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
		n := refTokenize(l, line[:0])
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
			if sh := refShapeOf(l, t); sh != 0 {
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

func refHasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// tokenize splits one line into tokens, appending at most cap(buf) of them,
// and returns how many it stored.
func refTokenize(l string, buf []token) int {
	n := 0
	var quote byte // the quote character of the string being read, or 0
	for i := 0; i < len(l) && n < cap(buf); {
		c, i0 := l[i], i
		switch {
		case refIsSpace(c) || c >= 0x80 || c < 0x20:
			i++
			continue
		case isWordByte(c):
			j := refWordEnd(l, i)
			buf = append(buf, refWordToken(l[i:j]))
			i = j
		case (c == '$' || c == '%' || c == '@' || c == '.' || c == '-') && i+1 < len(l) && isLetter(l[i+1]):
			j := refWordEnd(l, i+1)
			buf = append(buf, refWordToken(l[i:j]))
			i = j
		case c == '-' && i+2 < len(l) && l[i+1] == '-' && isLetter(l[i+2]):
			j := refWordEnd(l, i+2)
			buf = append(buf, refWordToken(l[i:j]))
			i = j
		case c == '"' || c == '\'' || c == '`':
			buf = append(buf, token{text: l[i : i+1], h: hashStr(kPunct, l[i:i+1], false)})
			i++
		default:
			j := i + 1
			for j < len(l) && j-i < 3 {
				d := l[j]
				if isWordByte(d) || refIsSpace(d) || d >= 0x80 || d < 0x20 || d == '"' || d == '\'' || d == '`' {
					break
				}
				if (d == '$' || d == '%' || d == '@') && j+1 < len(l) && isLetter(l[j+1]) {
					break
				}
				j++
			}
			buf = append(buf, token{text: l[i:j], h: hashStr(kPunct, l[i:j], false)})
			// Skip the rest of a long punctuation run.
			for j < len(l) && j-i >= 3 && !isWordByte(l[j]) && !refIsSpace(l[j]) && l[j] < 0x80 && l[j] >= 0x20 {
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
func refWordEnd(l string, i int) int {
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
func refWordToken(w string) token {
	body := w
	if len(body) > 0 && !isWordByte(body[0]) {
		body = body[1:]
	}
	if len(body) > 0 && body[0] >= '0' && body[0] <= '9' {
		t := token{text: w, h: hashStr(kWord, "0", false)}
		if len(w) <= 32 && refHasUpper(w) {
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
func refShapeOf(l string, t token) uint32 {
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
		if end := refTokenEnd(l, t); end < len(l) && l[end] == '%' {
			return shapePercentVar
		}
		fallthrough
	case c == '$' || c == '@' || c == '-':
		if w[1] >= 'A' && w[1] <= 'Z' {
			return shapeSigilUpper
		}
		return shapeSigilLower
	case c == '.':
		if start := refTokenStart(l, t); start > 0 && (isWordByte(l[start-1]) || l[start-1] == ')' || l[start-1] == ']') {
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
func refTokenStart(_ string, t token) int { return t.pos }

func refTokenEnd(_ string, t token) int { return t.pos + len(t.text) }

func refIsSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' }

func TestUpperShift(t *testing.T) {
	if cUpper != 1<<cUpperShift {
		t.Fatalf("cUpper is %#x, want 1<<cUpperShift", cUpper)
	}
}

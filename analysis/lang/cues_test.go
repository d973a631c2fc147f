package lang

import (
	"strings"
	"testing"
)

// tokenize finds the ".exe" and "sudo " cues as it reads the words of a
// line; over all lines they must be what hasExe and the search for
// "sudo " find in the text.
func checkCues(t *testing.T, text string) {
	t.Helper()
	var line [64]token
	var cues uint8
	for l := range strings.SplitSeq(text, "\n") {
		_, c := tokenize(l, line[:0])
		cues |= c
	}
	if g, w := cues&cueExe != 0, hasExe(text); g != w {
		t.Fatalf("tokenize of %.80q: .exe cue %v, want %v", text, g, w)
	}
	if g, w := cues&cueSudo != 0, strings.Contains(text, "sudo "); g != w {
		t.Fatalf("tokenize of %.80q: sudo cue %v, want %v", text, g, w)
	}
}

var cueTexts = []string{
	"run.exe", "RUN.EXE x", "a.Exe", ".exe", "..exe", "%.exe", "$.exe", "x.-exe", "x. exe", ".ex", ".exE", "a.executable",
	"'.exe'", "\".EXE\"", ".exe\n", "a\n.exe", "...exe", "....exe", "=.exe", "-.exe", "@.exe", "--.exe",
	"sudo ", "sudo", "sudo\n", "sudo\t", "pseudo x", "$sudo x", "a-sudo x", "x_sudo y", "1sudo y", "Sudo x", "su-do x", "--sudo x",
	strings.Repeat("a ", 64) + ".exe", strings.Repeat("a ", 63) + "b.exe", strings.Repeat("a ", 63) + "b. exe",
	strings.Repeat("a ", 64) + "sudo x", strings.Repeat("a ", 63) + "sudo x", strings.Repeat("a ", 63) + "sudo",
	strings.Repeat(". ", 64) + "exe", strings.Repeat("a ", 63) + "..exe", strings.Repeat("a ", 63) + "x.exe",
	strings.Repeat("a ", 62) + "..." + "exe",
}

func TestTokenizeCues(t *testing.T) { checkEveryCut(t, cueTexts, checkCues) }

func TestTokenizeCuesDev(t *testing.T) {
	sweepDevTexts(t, func(_, text string) { checkCues(t, text) })
}

func FuzzTokenizeCues(f *testing.F) {
	for _, s := range cueTexts {
		f.Add(s)
	}
	f.Fuzz(checkCues)
}

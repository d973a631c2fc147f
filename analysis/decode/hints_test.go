package decode

import (
	"context"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/internal/corpus"
)

// hintedOracle is what a hint table replaces: d runs when one of its hints
// is a substring of the lower-cased text (or when it has none).
func hintedOracle(d *Decoder, lower string) bool {
	if len(d.hints) == 0 {
		return true
	}
	for _, h := range d.hints {
		if strings.Contains(lower, h) {
			return true
		}
	}
	return false
}

// checkHints compares every hint table's verdict on text with the oracle's.
func checkHints(t *testing.T, text string) {
	t.Helper()
	for _, l := range append([]lang.Language{lang.Unknown}, allLangs...) {
		checkHintsOf(t, text, l)
	}
}

// checkHintsOf compares the verdict of the hint table of l on text with the
// oracle's.
func checkHintsOf(t *testing.T, text string, l lang.Language) {
	t.Helper()
	lower := asciiLower(text)
	ht := hintTableOf(l)
	m := ht.present(text)
	for i := range registry {
		d := &registry[i]
		if !d.handles(l) {
			continue
		}
		if got, want := ht.runs(i, &m), hintedOracle(d, lower); got != want {
			t.Errorf("%s on %s text %q: runs %v, want %v", d.ID, l, trim(text), got, want)
		}
	}
}

var hintSeeds = []string{
	"", "e", "-", "-e", "x-E", "POWERSHELL", "pws", "pwsh", "Invoke-Expression", "$PSHome $ShellId",
	"(' ( \" ('(\" ( '", "\\x41 \\u0041 \\0 \\3", "fromCharCode atob unescape decodeURI", "a2b_hex unhexlify fromhex",
	"-1..- [-1..-", "re re rev reverse righttoleft", "`^%!&$+[", "eval(execute(.run(.exec(function (function(",
}

// TestDecodeOtherLanguage: a language value outside lang's list runs no
// decoder (and does not find a missing hint table).
func TestDecodeOtherLanguage(t *testing.T) {
	in := "powershell -enc " + b64u16("Write-Host x") + " " + b64("hello world, this is a long enough plain text line")
	layers, err := Decode(context.Background(), in, lang.Language(200), Options{})
	if err != nil || len(layers) != 1 {
		t.Fatalf("got %d layers, %v; want the original only", len(layers), err)
	}
}

func TestHintTables(t *testing.T) {
	seeds := append([]string{}, hintSeeds...)
	seeds = append(seeds, matchSeeds...)
	for i := range registry {
		for _, h := range registry[i].hints {
			seeds = append(seeds, h, strings.ToUpper(h), "x"+h[:len(h)-1], h[1:]+"y", strings.Repeat(h[:1], 3)+h,
				alternateCase(h, 0), "x"+alternateCase(h, 1), "xy"+strings.ToUpper(h[:len(h)-1]))
		}
	}
	for _, s := range seeds {
		checkHints(t, s)
	}
}

// FuzzHints compares every hint table with the substring oracle.
func FuzzHints(f *testing.F) {
	for _, s := range append(append([]string{}, hintSeeds...), matchSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkHints(t, s) })
}

// TestHintsCorpus compares the hint tables with the oracle on the text of
// every layer decoded from the dev samples (odd and even offsets, every
// length), in the layer's language and as text of unknown language.
func TestHintsCorpus(t *testing.T) {
	corpus.Sweep(t, corpus.Dev, func(name, text string) {
		layers, _ := Decode(context.Background(), text, lang.Identify(text, name).Language, Options{Identify: lang.LanguageOf})
		for _, ly := range layers {
			checkHintsOf(t, ly.Text, ly.Language)
			checkHintsOf(t, ly.Text, lang.Unknown)
			if len(ly.Text) > 1 {
				checkHintsOf(t, ly.Text[1:], ly.Language)
			}
		}
	})
}

// alternateCase upper-cases the ASCII letters of s at every other offset,
// starting at odd.
func alternateCase(s string, odd int) string {
	b := []byte(s)
	for i := odd; i < len(b); i += 2 {
		if b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 32
		}
	}
	return string(b)
}

// TestHintTablesCoverLanguages checks that hintTables has a slot for every
// value of lang.Language, which it indexes without a bounds check.
func TestHintTablesCoverLanguages(t *testing.T) {
	var l lang.Language
	l--
	if int(l) != len(hintTables)-1 {
		t.Fatalf("lang.Language goes up to %d, hintTables has %d slots", l, len(hintTables))
	}
	if ht := hintTableOf(l); ht.need[0] != (hintMask{}) || len(ht.multi) != 0 {
		t.Fatal("a value that is no language has hints")
	}
}

package lang

import (
	"testing"

	"github.com/automaldesc/automaldesc/analysis/charset"
	"github.com/automaldesc/automaldesc/internal/corpus"
)

// sweepDevTexts calls check with the name and decoded text of every dev
// corpus sample that decodes (binary samples do not reach identification).
func sweepDevTexts(t *testing.T, check func(name, text string)) {
	t.Helper()
	corpus.Sweep(t, corpus.Dev, func(name, raw string) {
		if text, _, err := charset.Decode([]byte(raw)); err == nil {
			check(name, text)
		}
	})
}

// checkEveryCut calls check with every head and every tail of each of
// the fixtures and of identifyTexts: the places where a text ends are where
// the hand-written scanners go wrong.
func checkEveryCut(t *testing.T, fixtures []string, check func(*testing.T, string)) {
	t.Helper()
	for _, s := range append(append([]string(nil), fixtures...), identifyTexts()...) {
		for cut := range len(s) + 1 {
			check(t, s[:cut])
			check(t, s[cut:])
		}
	}
}

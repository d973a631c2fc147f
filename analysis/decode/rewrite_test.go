package decode

import (
	"context"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/internal/corpus"
)

// checkFixedPoint checks what run relies on to skip the rewrite pass of a
// layer made by a rewrite pass: when the pass ended because no rewriter
// changed its text, none changes that text on a fresh scan either.
func checkFixedPoint(t *testing.T, text string, l lang.Language) bool {
	t.Helper()
	const max = 1 << 20
	s := newScan(text, l, max)
	ht := hintTableOf(l)
	r, ok := rewritePass(context.Background(), s, ht)
	if !ok || !r.scan.fixed {
		return false
	}
	fresh := newScan(r.text, l, max)
	for i := range registry {
		d := &registry[i]
		if d.rewrite == nil || !d.handles(l) || !ht.runs(i, &fresh.hints) {
			continue
		}
		if nt, _ := d.rewrite(fresh); nt != fresh.text && len(nt) <= max {
			t.Errorf("%s changes the fixed point of the rewrite pass over %q", d.ID, trim(text))
		}
	}
	return true
}

func TestRewriteFixedPoint(t *testing.T) {
	n := 0
	for _, fs := range fixtures(t) {
		for _, f := range fs {
			for _, l := range []lang.Language{f.lang, lang.Unknown} {
				if checkFixedPoint(t, f.input, l) {
					n++
				}
			}
		}
	}
	if n == 0 {
		t.Error("no fixture reaches a fixed point")
	}
	corpus.Sweep(t, corpus.Dev, func(_, text string) {
		for _, l := range []lang.Language{lang.PowerShell, lang.JavaScript, lang.VBScript, lang.Batch, lang.Bash, lang.Python} {
			if checkFixedPoint(t, text, l) {
				n++
			}
		}
	})
	t.Logf("%d rewrite passes checked at their fixed point", n)
}

package decode

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// TestCorpusDev decodes the malicious dev samples, checks the layer
// contract on real obfuscation and reports the share of samples per language
// (and per provenance) that yield at least one decoded layer; benign
// samples are decoded too, for the contract and their share is reported.
func TestCorpusDev(t *testing.T) {
	dir := corpus.Require(t, corpus.Dev)
	entries, base, err := dataset.LoadManifest(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ n, hit int }
	byLang := map[string]*tally{}
	byProv := map[string]*tally{}
	methodCount := map[string]int{}
	benign := map[string]*tally{}
	for _, e := range entries {
		b, err := os.ReadFile(e.Path(base))
		if err != nil {
			t.Fatal(err)
		}
		l, _ := lang.Parse(e.Language)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		layers, err := Decode(ctx, string(b), l, Options{})
		cancel()
		if err != nil {
			t.Errorf("%s: %v", e.SHA256, err)
			continue
		}
		checkInvariants(t, layers, DefaultLimits(len(b)))
		if e.Label != dataset.Malicious {
			if benign[e.Language] == nil {
				benign[e.Language] = &tally{}
			}
			benign[e.Language].n++
			if len(layers) > 1 {
				benign[e.Language].hit++
			}
			continue
		}
		for _, k := range []struct {
			m   map[string]*tally
			key string
		}{{byLang, e.Language}, {byProv, e.Language + "/" + e.Provenance}} {
			if k.m[k.key] == nil {
				k.m[k.key] = &tally{}
			}
			k.m[k.key].n++
			if len(layers) > 1 {
				k.m[k.key].hit++
			}
		}
		for _, ly := range layers[1:] {
			methodCount[ly.Method]++
		}
	}
	report := func(title string, m map[string]*tally) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Logf("%s:", title)
		for _, k := range keys {
			t.Logf("  %-45s %4d/%4d = %5.1f%%", k, m[k].hit, m[k].n, 100*float64(m[k].hit)/float64(m[k].n))
		}
	}
	report("malicious dev samples with >= 1 decoded layer, by language", byLang)
	report("by language/provenance", byProv)
	report("benign dev samples with >= 1 decoded layer (extra downstream work, not an error)", benign)
	if testing.Verbose() {
		for m, n := range methodCount {
			t.Logf("  method %-40s %d", m, n)
		}
	}
	// Floors well under the measured shares: a regression, not a target.
	if tl := byProv["powershell/obfuscated-variant"]; tl != nil && float64(tl.hit) < 0.7*float64(tl.n) {
		t.Errorf("powershell/obfuscated-variant: got %d/%d decoded, want >= 70%%", tl.hit, tl.n)
	}
	if tl := byLang["javascript"]; tl != nil && float64(tl.hit) < 0.4*float64(tl.n) {
		t.Errorf("javascript: got %d/%d decoded, want >= 40%%", tl.hit, tl.n)
	}
}

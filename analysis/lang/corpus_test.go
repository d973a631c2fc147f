package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/charset"
	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// wantCorpusAccuracy is the share of dev samples Identify must name right
// from content alone (the files carry no extension).
const wantCorpusAccuracy = 0.995

func TestCorpusAccuracy(t *testing.T) {
	dir := corpus.Require(t, corpus.Dev)
	entries, base, err := dataset.LoadManifest(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	confusion := map[Language]map[Language]int{}
	var misses []string
	right := 0
	for _, e := range entries {
		want, err := Parse(e.Language)
		if err != nil {
			t.Fatalf("%s: %v", e.File, err)
		}
		b, err := os.ReadFile(e.Path(base))
		if err != nil {
			t.Fatal(err)
		}
		got := Unknown
		text, _, err := charset.Decode(b)
		if err == nil {
			got = Identify(text, "").Language
			if l := LanguageOf(text); l != got {
				t.Errorf("%s: LanguageOf = %v, Identify = %v", filepath.Base(e.File), l, got)
			}
		}
		if confusion[want] == nil {
			confusion[want] = map[Language]int{}
		}
		confusion[want][got]++
		if got == want {
			right++
			continue
		}
		misses = append(misses, fmt.Sprintf("%s: got %v, want %v (%s)", filepath.Base(e.File)[:12], got, want, e.Provenance))
	}
	acc := float64(right) / float64(len(entries))
	t.Logf("dev accuracy %.4f (%d of %d)", acc, right, len(entries))
	if acc < wantCorpusAccuracy || testing.Verbose() {
		var sb strings.Builder
		for _, want := range append(All(), Unknown) {
			row := confusion[want]
			if row == nil {
				continue
			}
			fmt.Fprintf(&sb, "\n  %-10s", want)
			for _, got := range append(All(), Unknown) {
				fmt.Fprintf(&sb, " %s=%d", got, row[got])
			}
		}
		sort.Strings(misses)
		t.Logf("confusion (want: got=count):%s\nmisses:\n  %s", sb.String(), strings.Join(misses, "\n  "))
	}
	if acc < wantCorpusAccuracy {
		t.Errorf("dev accuracy: got %.4f, want >= %.4f", acc, wantCorpusAccuracy)
	}
}

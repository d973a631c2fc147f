package ioc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// TestCorpusDev runs Extract and Defang over every real script of the dev
// corpus: the invariants must hold everywhere, defanging must round-trip,
// and every scanner must still find its kind of indicator somewhere.
func TestCorpusDev(t *testing.T) {
	dir := corpus.Require(t, corpus.Dev)
	entries, base, err := dataset.LoadManifest(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[Type]int{}
	for _, e := range entries {
		b, err := os.ReadFile(e.Path(base))
		if err != nil {
			t.Fatalf("sample %s: %v", e.SHA256, err)
		}
		s := string(b)
		got := Extract(s, 0)
		checkInvariants(t, s, 0, got)
		for _, c := range got {
			counts[c.Type]++
		}
		if Refang(s) == s {
			if back := Refang(Defang(s)); back != s {
				t.Errorf("sample %s: Refang(Defang(s)) differs from s", e.SHA256)
			}
		}
		if t.Failed() {
			t.Fatalf("sample %s (%s) broke an invariant", e.SHA256, e.Language)
		}
	}
	// Floors well below what the dev split holds today (about 2x-10x), so
	// that a scanner that silently stops matching fails here.
	floors := map[Type]int{URL: 300, Domain: 300, IPv4: 200, Email: 30, FilePath: 500, RegistryKey: 50, MD5: 10, SHA1: 10, SHA256: 3}
	for ty, floor := range floors {
		if counts[ty] < floor {
			t.Errorf("dev corpus: got %d %s IOCs, want at least %d", counts[ty], ty, floor)
		}
	}
	t.Logf("IOCs by type over %d samples: %v", len(entries), counts)
}

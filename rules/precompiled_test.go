package rules

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/yarascan"
	"github.com/automaldesc/automaldesc/internal/corpus"
)

var update = flag.Bool("update", false, "rewrite bundled.yarc, the precompiled bundled rules")

// TestBundledPrecompiled keeps bundled.yarc in step with the bundled rules
// and proves the precompiled set is the compiled one: same rules, metadata
// and version, same matches on every fixture and dev sample.
func TestBundledPrecompiled(t *testing.T) {
	if *update {
		data, err := yarascan.Precompile(Bundled())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("bundled.yarc", data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skip("bundled.yarc rewritten; run again without -update")
	}
	pre, err := yarascan.LoadPrecompiled(bundledCompiled, Bundled())
	if err != nil {
		t.Fatalf("%v\nbundled.yarc is stale: regenerate it with go test ./rules -run TestBundledPrecompiled -update", err)
	}
	compiled, err := yarascan.Compile(Bundled())
	if err != nil {
		t.Fatal(err)
	}
	if pre.Version() != compiled.Version() || !reflect.DeepEqual(pre.Infos(), compiled.Infos()) {
		t.Fatalf("precompiled set %s differs from the compiled set %s", pre.Version(), compiled.Version())
	}
	a, err := pre.NewScanner()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := compiled.NewScanner()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		matched += sameMatches(t, a, b, p, string(data))
	}
	if matched < 50 {
		t.Errorf("only %d matches over %d fixtures: the comparison proves little", matched, len(files))
	}
	t.Run("dev corpus", func(t *testing.T) {
		matched := 0
		n := corpus.Sweep(t, corpus.Dev, func(name, text string) { matched += sameMatches(t, a, b, name, text) })
		if matched < 50 { // ~850 on the whole corpus, ~100 on the -race sample
			t.Errorf("only %d matches over %d samples: the comparison proves little", matched, n)
		}
	})
}

// sameMatches scans text with a and b, fails the test when they differ
// and returns the number of matches.
func sameMatches(t *testing.T, a, b *yarascan.Scanner, name, text string) int {
	t.Helper()
	got, err := a.ScanString(context.Background(), text, 0)
	if err != nil {
		t.Fatal(err)
	}
	want, err := b.ScanString(context.Background(), text, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: precompiled set matched %+v, compiled set %+v", name, got, want)
	}
	return len(got)
}

// TestLoadUsesPrecompiled: a process without user rules loads the
// precompiled set; user rules make it compile everything.
func TestLoadUsesPrecompiled(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if !r.Precompiled() {
		t.Error("bundled rules alone were compiled, not loaded precompiled")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mine.yar"), []byte(`rule Mine { strings: $a = "mine-marker" condition: $a }`), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Precompiled() || r.Len() != loadBundled(t).Len()+1 {
		t.Errorf("with a user rule: precompiled %v, %d rules; want compiled with one rule more", r.Precompiled(), r.Len())
	}
}

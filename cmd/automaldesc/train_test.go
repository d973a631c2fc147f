package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainVectorsRoundTrip: a model trained from saved vectors is
// byte-identical to the one trained while examining the dataset, and eval
// --scores writes one row per sample.
func TestTrainVectorsRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models in -short mode")
	}
	dir := t.TempDir()
	vecs := filepath.Join(dir, "seeds.vec.gz")
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	fixed := "--created-at=2026-01-02T03:04:05Z"
	if r := runBin(t, "", nil, "train", "--dataset", "seeds", "--out", a, "--save-vectors", vecs, fixed); r.code != 0 {
		t.Fatalf("train --save-vectors: exit %d: %s", r.code, r.stderr)
	}
	if r := runBin(t, "", nil, "train", "--vectors", vecs, "--out", b, fixed); r.code != 0 {
		t.Fatalf("train --vectors: exit %d: %s", r.code, r.stderr)
	}
	ma, errA := os.ReadFile(a)
	mb, errB := os.ReadFile(b)
	if errA != nil || errB != nil {
		t.Fatalf("read models: %v, %v", errA, errB)
	}
	if !bytes.Equal(ma, mb) {
		t.Errorf("model from vectors: got %d bytes differing from the %d-byte model trained on the dataset, want identical", len(mb), len(ma))
	}

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"vectors and dataset", []string{"train", "--vectors", vecs, "--dataset", "seeds", "--out", b}},
		{"neither", []string{"train", "--out", b}},
		{"not a vectors file", []string{"train", "--vectors", a, "--out", b}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := runBin(t, "", nil, tc.args...); r.code == 0 {
				t.Errorf("%v: got exit 0, want an error", tc.args)
			}
		})
	}

	scores := filepath.Join(dir, "scores.tsv")
	if r := runBin(t, "", nil, "eval", "--dataset", "seeds", "--model", a, "--bootstrap", "10", "--scores", scores); r.code != 0 {
		t.Fatalf("eval --scores: exit %d: %s", r.code, r.stderr)
	}
	body, err := os.ReadFile(scores)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if got, want := lines[0], "sha256\tlanguage\tpred_language\ttruth"; !strings.HasPrefix(got, want) {
		t.Errorf("scores header: got %q, want prefix %q", got, want)
	}
	if len(lines) < 10 {
		t.Fatalf("scores rows: got %d, want one per seed", len(lines)-1)
	}
	for _, l := range lines[1:] {
		if f := strings.Split(l, "\t"); len(f) != 12 || (f[3] != "malicious" && f[3] != "benign") {
			t.Errorf("scores row %q: want 12 fields with truth malicious|benign", l)
		}
	}
}

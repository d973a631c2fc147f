package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/store"
)

// RunRegistry runs the model registry conformance suite. open must return
// a fresh, empty registry for every call and arrange for its closing.
func RunRegistry(t *testing.T, open func(t *testing.T) store.ModelRegistry) {
	tests := []struct {
		name string
		fn   func(t *testing.T, r store.ModelRegistry)
	}{
		{"PutGetIdempotent", testModelPutGet},
		{"PutInvalid", testModelPutInvalid},
		{"ListOrderAndNoBlobs", testModelList},
		{"PromoteAndCurrent", testModelPromote},
		{"RollbackReturnsPrevious", testModelRollback},
		{"History", testModelHistory},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func model(i int) store.ModelEntry {
	return store.ModelEntry{
		Version:   fmt.Sprintf("lr-%04d", i),
		Parent:    map[bool]string{true: "", false: fmt.Sprintf("lr-%04d", i-1)}[i == 1],
		CreatedAt: base.Add(time.Duration(i) * time.Minute),
		Summary:   json.RawMessage(fmt.Sprintf(`{"examples":%d}`, 100*i)),
		Metrics:   json.RawMessage(`{"all":{"accuracy":0.9}}`),
		Blob:      []byte(fmt.Sprintf(`{"model":%d}`, i)),
	}
}

func putModel(t *testing.T, r store.ModelRegistry, m store.ModelEntry) store.ModelEntry {
	t.Helper()
	got, err := r.PutModel(t.Context(), m)
	if err != nil {
		t.Fatalf("PutModel(%s): %v", m.Version, err)
	}
	return got
}

func currentVersion(t *testing.T, r store.ModelRegistry) string {
	t.Helper()
	m, err := r.Current(t.Context())
	if errors.Is(err, store.ErrNotFound) {
		return ""
	}
	if err != nil {
		t.Fatalf("Current: %v", err)
	}
	return m.Version
}

func testModelPutGet(t *testing.T, r store.ModelRegistry) {
	m := model(1)
	got := putModel(t, r, m)
	if got.Version != m.Version || got.Parent != m.Parent || !got.CreatedAt.Equal(m.CreatedAt) ||
		string(got.Blob) != string(m.Blob) || string(got.Summary) != string(m.Summary) || string(got.Metrics) != string(m.Metrics) {
		t.Errorf("PutModel returned %+v, want %+v", got, m)
	}
	if got.State != store.ModelCandidate {
		t.Errorf("state: got %q, want %q", got.State, store.ModelCandidate)
	}
	again := m
	again.Blob = []byte(`{"other":true}`)
	got2 := putModel(t, r, again)
	if string(got2.Blob) != string(m.Blob) {
		t.Errorf("second PutModel changed the blob: got %s, want %s", got2.Blob, m.Blob)
	}
	if _, err := r.GetModel(t.Context(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetModel(unknown): got %v, want ErrNotFound", err)
	}
}

func testModelPutInvalid(t *testing.T, r store.ModelRegistry) {
	for name, m := range map[string]store.ModelEntry{
		"no version":  {Blob: []byte("x")},
		"no blob":     {Version: "v"},
		"bad summary": {Version: "v", Blob: []byte("x"), Summary: json.RawMessage("{")},
		"bad metrics": {Version: "v", Blob: []byte("x"), Metrics: json.RawMessage("nope")},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := r.PutModel(t.Context(), m); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func testModelList(t *testing.T, r store.ModelRegistry) {
	for i := 1; i <= 3; i++ {
		putModel(t, r, model(i))
	}
	got, err := r.ListModels(t.Context())
	if err != nil {
		t.Fatalf("ListModels: %v", err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d models, want 3", len(got))
	}
	for i, m := range got {
		if want := model(i + 1).Version; m.Version != want {
			t.Errorf("model %d: got %s, want %s", i, m.Version, want)
		}
		if m.Blob != nil {
			t.Errorf("model %s: ListModels returned a blob", m.Version)
		}
	}
}

func testModelPromote(t *testing.T, r store.ModelRegistry) {
	ctx := t.Context()
	if v := currentVersion(t, r); v != "" {
		t.Fatalf("empty registry: current %q, want none", v)
	}
	if err := r.Promote(ctx, "lr-9999", "test"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Promote(unknown): got %v, want ErrNotFound", err)
	}
	putModel(t, r, model(1))
	putModel(t, r, model(2))
	if err := r.Promote(ctx, "lr-0001", "alice"); err != nil {
		t.Fatalf("Promote: %v", err)
	}
	if err := r.Promote(ctx, "lr-0002", "learn"); err != nil {
		t.Fatalf("Promote: %v", err)
	}
	if err := r.Promote(ctx, "lr-0002", "learn"); err != nil { // no-op
		t.Fatalf("Promote again: %v", err)
	}
	cur, err := r.Current(ctx)
	if err != nil {
		t.Fatalf("Current: %v", err)
	}
	if cur.Version != "lr-0002" || string(cur.Blob) != string(model(2).Blob) || cur.State != store.ModelPromoted || cur.PromotedBy != "learn" || cur.PromotedAt.IsZero() {
		t.Errorf("Current: got %s state %s by %q at %v, want lr-0002 promoted by learn", cur.Version, cur.State, cur.PromotedBy, cur.PromotedAt)
	}
	first, err := r.GetModel(ctx, "lr-0001")
	if err != nil {
		t.Fatalf("GetModel: %v", err)
	}
	if first.State != store.ModelRetired || first.PromotedBy != "alice" {
		t.Errorf("lr-0001: got state %s by %q, want retired by alice", first.State, first.PromotedBy)
	}
	evs, err := r.History(ctx)
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	if len(evs) != 2 {
		t.Errorf("History: got %d events, want 2 (promoting the current version again logs nothing)", len(evs))
	}
}

func testModelRollback(t *testing.T, r store.ModelRegistry) {
	ctx := t.Context()
	if _, err := r.Rollback(ctx, "bob"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Rollback(empty): got %v, want ErrInvalid", err)
	}
	for i := 1; i <= 3; i++ {
		putModel(t, r, model(i))
		if err := r.Promote(ctx, model(i).Version, "learn"); err != nil {
			t.Fatalf("Promote: %v", err)
		}
	}
	for _, want := range []string{"lr-0002", "lr-0001"} {
		back, err := r.Rollback(ctx, "bob")
		if err != nil {
			t.Fatalf("Rollback: %v", err)
		}
		if back.Version != want || back.State != store.ModelPromoted {
			t.Errorf("Rollback: got %s (%s), want %s promoted", back.Version, back.State, want)
		}
		if got := currentVersion(t, r); got != want {
			t.Errorf("Current after rollback: got %s, want %s", got, want)
		}
	}
	if _, err := r.Rollback(ctx, "bob"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Rollback past the first promotion: got %v, want ErrInvalid", err)
	}
	if got := currentVersion(t, r); got != "lr-0001" {
		t.Errorf("a refused rollback changed the current version to %s", got)
	}
	ms, err := r.ListModels(ctx)
	if err != nil {
		t.Fatalf("ListModels: %v", err)
	}
	want := map[string]string{"lr-0001": store.ModelPromoted, "lr-0002": store.ModelRolledBack, "lr-0003": store.ModelRolledBack}
	for _, m := range ms {
		if m.State != want[m.Version] {
			t.Errorf("%s: got state %s, want %s", m.Version, m.State, want[m.Version])
		}
	}
}

func testModelHistory(t *testing.T, r store.ModelRegistry) {
	ctx := t.Context()
	putModel(t, r, model(1))
	putModel(t, r, model(2))
	for _, step := range []func() error{
		func() error { return r.Promote(ctx, "lr-0001", "a") },
		func() error { return r.Promote(ctx, "lr-0002", "b") },
		func() error { _, err := r.Rollback(ctx, "c"); return err },
	} {
		if err := step(); err != nil {
			t.Fatalf("step: %v", err)
		}
	}
	evs, err := r.History(ctx)
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	type ev struct{ Action, Version, From, By string }
	var got []ev
	for _, e := range evs {
		if e.At.IsZero() {
			t.Errorf("event %+v has no time", e)
		}
		got = append(got, ev{e.Action, e.Version, e.From, e.By})
	}
	want := []ev{{"promote", "lr-0001", "", "a"}, {"promote", "lr-0002", "lr-0001", "b"}, {"rollback", "lr-0001", "lr-0002", "c"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("History: got %v, want %v", got, want)
	}
}

package sidecar

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain/llm"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

func TestUpdateID(t *testing.T) {
	orig := ItemRecordID("item-1")
	id := UpdateID(orig, "llm:v1")
	tests := []struct {
		name string
		ok   bool
	}{
		{"is a UUIDv5", func() bool { u, err := uuid.Parse(id); return err == nil && u.Version() == 5 }()},
		{"deterministic", UpdateID(orig, "llm:v1") == id},
		{"differs by tag", UpdateID(orig, "llm:v2") != id},
		{"differs by record", UpdateID(ItemRecordID("item-2"), "llm:v1") != id},
		{"differs from the original", id != orig},
		{"non-UUID record ids", UpdateID("rec-1", "llm:v1") != UpdateID("rec-2", "llm:v1")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Errorf("got false, want true (id %s)", id)
			}
		})
	}
	stages := []SlowStage{WithVersion(&fakeStage{name: "llm"}, "v1"), &fakeStage{name: "x"}}
	if got := StagesTag(stages); got != "llm:v1+x" {
		t.Errorf("StagesTag: got %q, want llm:v1+x", got)
	}
}

// fakeStage runs fn on every call (n counts calls from 1).
type fakeStage struct {
	name  string
	fn    func(ctx context.Context, n int, r *analysis.Report) error
	calls atomic.Int64
}

func (f *fakeStage) Name() string { return f.name }

func (f *fakeStage) Process(ctx context.Context, r *analysis.Report) error {
	n := int(f.calls.Add(1))
	if f.fn == nil {
		return nil
	}
	return f.fn(ctx, n, r)
}

func rewrite(_ context.Context, _ int, r *analysis.Report) error {
	r.Explanation = analysis.Explanation{Summary: "rewritten by the stage", Source: "llm:fake"}
	return nil
}

// testReport is a stored analysis with an offline explanation.
func testReport(sha string) *analysis.Report {
	return &analysis.Report{
		SchemaVersion: analysis.SchemaVersion,
		AnalyzedAt:    time.Now().UTC(),
		Sample:        analysis.SampleInfo{SHA256: sha, Size: 64, Name: "a.ps1", Path: "/q/a.ps1", Source: "test"},
		Status:        analysis.StatusOK,
		Language:      lang.Result{Language: lang.PowerShell, Confidence: 0.9},
		Features:      map[string]float64{},
		Verdict:       analysis.Verdict{Label: verdict.Benign, Score: 0.1, Source: "model"},
		Explanation:   analysis.Explanation{Summary: "offline summary", Source: "offline"},
		Engine:        analysis.EngineInfo{Version: "test", RulesVersion: "r", ModelVersion: "m"},
	}
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// putReport stores r as an original record (id = ItemRecordID(item)).
func putReport(t *testing.T, st store.Store, item string, r *analysis.Report, mod func(*store.Record)) store.Record {
	t.Helper()
	r.ID = ItemRecordID(item)
	rec, err := NewRecord(r, item, "test", "")
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(&rec)
	}
	out, err := st.PutRecord(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newTestUpdater(st store.Store, stages ...SlowStage) *updater {
	reg := metrics.New()
	u := newUpdater(st, stages, 2, nil, func() {}, reg, newSidecarMetrics(reg), slog.New(slog.DiscardHandler))
	u.backoff, u.poll = time.Millisecond, 5*time.Millisecond
	return u
}

// drain runs u until its cursor reaches the newest record.
func drain(t *testing.T, u *updater) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.run(ctx, ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: got %v, want nil", err)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		// Cursor first, then the newest record: read the other way round, an
		// update stored between the two reads would go unseen.
		cur, cerr := u.st.Cursor(ctx, u.cursor)
		head, err := u.st.ListRecords(ctx, store.Filter{Desc: true, Limit: 1})
		if err == nil && cerr == nil && len(head) > 0 && cur >= head[0].Seq {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the updater did not reach the newest record within 10s")
}

func TestUpdater(t *testing.T) {
	boom := errors.New("llm down")
	tests := []struct {
		name      string
		fn        func(ctx context.Context, n int, r *analysis.Report) error
		report    func(*analysis.Report)
		record    func(*store.Record)
		outcome   string
		calls     int64
		wantLabel string // of the update; "" = no update
		wantSum   string
	}{
		{name: "explanation rewritten", fn: rewrite, outcome: updStored, calls: 1, wantLabel: "benign", wantSum: "rewritten by the stage"},
		{name: "verdict raised", fn: func(_ context.Context, _ int, r *analysis.Report) error {
			r.Verdict.Label = verdict.Suspicious
			return nil
		}, outcome: updStored, calls: 1, wantLabel: "suspicious", wantSum: "offline summary"},
		{name: "verdict never lowered", fn: func(ctx context.Context, n int, r *analysis.Report) error {
			r.Verdict.Label = verdict.Benign
			return rewrite(ctx, n, r)
		}, report: func(r *analysis.Report) { r.Verdict.Label = verdict.Malicious },
			outcome: updStored, calls: 1, wantLabel: "malicious", wantSum: "rewritten by the stage"},
		{name: "identity kept", fn: func(ctx context.Context, n int, r *analysis.Report) error {
			r.Sample.Name, r.ID = "forged.ps1", "forged"
			return rewrite(ctx, n, r)
		}, outcome: updStored, calls: 1, wantLabel: "benign", wantSum: "rewritten by the stage"},
		{name: "unchanged", outcome: updUnchanged, calls: 1},
		{name: "always failing gives up", fn: func(context.Context, int, *analysis.Report) error { return boom },
			outcome: updFailed, calls: UpdateAttempts},
		{name: "failing once is retried", fn: func(ctx context.Context, n int, r *analysis.Report) error {
			if n == 1 {
				return boom
			}
			return rewrite(ctx, n, r)
		}, outcome: updStored, calls: 2, wantLabel: "benign", wantSum: "rewritten by the stage"},
		{name: "a fallback that changed nothing is a failure", fn: func(_ context.Context, _ int, r *analysis.Report) error {
			r.Explanation.Source = "offline (llm: http 500)"
			return boom
		}, outcome: updFailed, calls: UpdateAttempts},
		{name: "panic is fenced", fn: func(context.Context, int, *analysis.Report) error { panic("stage bug") },
			outcome: updFailed, calls: UpdateAttempts},
		{name: "update records are skipped", fn: rewrite, record: func(r *store.Record) { r.Supersedes = "rec-0" },
			outcome: updSkipped},
		{name: "errors are skipped", fn: rewrite, record: func(r *store.Record) { r.Status = "error" }, outcome: updSkipped},
		{name: "LLM explanations are skipped", fn: rewrite,
			report: func(r *analysis.Report) { r.Explanation.Source = "llm:other-model" }, outcome: updSkipped},
		{name: "old records are skipped", fn: rewrite,
			record: func(r *store.Record) { r.CreatedAt = time.Now().Add(-2 * UpdateWindow) }, outcome: updSkipped},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			r := testReport(strings.Repeat("a", 64))
			if tc.report != nil {
				tc.report(r)
			}
			orig := putReport(t, st, "item-1", r, tc.record)
			stage := &fakeStage{name: "llm", fn: tc.fn}
			u := newTestUpdater(st, WithVersion(stage, "v1"))
			drain(t, u)
			if got := u.outcomes.Value(tc.outcome); got != 1 {
				t.Errorf("outcome %s: got %d, want 1", tc.outcome, got)
			}
			if got := stage.calls.Load(); got != tc.calls {
				t.Errorf("stage calls: got %d, want %d", got, tc.calls)
			}
			recs, err := st.ListRecords(context.Background(), store.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantLabel == "" {
				if len(recs) != 1 {
					t.Errorf("records: got %d, want the original alone", len(recs))
				}
				return
			}
			if len(recs) != 2 {
				t.Fatalf("records: got %d, want the original and its update", len(recs))
			}
			upd := recs[1]
			if want := UpdateID(orig.ID, "llm:v1"); upd.ID != want || upd.Supersedes != orig.ID || upd.ItemID != "item-1" {
				t.Errorf("update: got id %s supersedes %q item %q, want %s, %s, item-1", upd.ID, upd.Supersedes, upd.ItemID, want, orig.ID)
			}
			if upd.Label != tc.wantLabel {
				t.Errorf("update label: got %s, want %s", upd.Label, tc.wantLabel)
			}
			rep, err := DecodeReport(upd)
			if err != nil {
				t.Fatal(err)
			}
			if rep.ID != upd.ID || rep.Sample.Name != "a.ps1" || rep.Explanation.Summary != tc.wantSum {
				t.Errorf("update report: got id %s, sample %q, summary %q; want %s, a.ps1, %q", rep.ID, rep.Sample.Name, rep.Explanation.Summary, upd.ID, tc.wantSum)
			}
			if recs[0].ID != orig.ID || recs[0].Label != orig.Label || recs[0].Supersedes != "" {
				t.Errorf("original: got %+v, want it unchanged", recs[0])
			}
		})
	}
}

func TestUpdaterStartsAtTheWindow(t *testing.T) {
	st := openStore(t)
	putReport(t, st, "old", testReport(strings.Repeat("b", 64)), func(r *store.Record) { r.CreatedAt = time.Now().Add(-48 * time.Hour) })
	putReport(t, st, "new", testReport(strings.Repeat("c", 64)), nil)
	stage := &fakeStage{name: "llm", fn: rewrite}
	u := newTestUpdater(st, stage)
	drain(t, u)
	if got := stage.calls.Load(); got != 1 {
		t.Errorf("stage calls: got %d, want 1 (the recent record only)", got)
	}
	if got := u.outcomes.Value(updSkipped); got != 1 { // the update itself
		t.Errorf("skipped: got %d, want 1 (the update record; the old record is never read)", got)
	}
}

// TestUpdaterRestartNoDuplicate: a crash after the update was stored but
// before the cursor moved redoes the record and finds the update.
func TestUpdaterRestartNoDuplicate(t *testing.T) {
	st := openStore(t)
	putReport(t, st, "item-1", testReport(strings.Repeat("d", 64)), nil)
	stage := &fakeStage{name: "llm", fn: rewrite}
	drain(t, newTestUpdater(st, WithVersion(stage, "v1")))
	if err := st.SetCursor(context.Background(), "llm", 0); err != nil {
		t.Fatal(err)
	}
	again := newTestUpdater(st, WithVersion(stage, "v1"))
	drain(t, again)
	if got := again.outcomes.Value(updExists); got != 1 {
		t.Errorf("exists: got %d, want 1", got)
	}
	if got := stage.calls.Load(); got != 1 {
		t.Errorf("stage calls: got %d, want 1 (no second LLM call)", got)
	}
	recs, err := st.ListRecords(context.Background(), store.Filter{})
	if err != nil || len(recs) != 2 {
		t.Errorf("records: got %d (%v), want the original and one update", len(recs), err)
	}
}

// TestUpdaterShutdownKeepsCursor: work cut short by shutdown is redone.
func TestUpdaterShutdownKeepsCursor(t *testing.T) {
	st := openStore(t)
	putReport(t, st, "item-1", testReport(strings.Repeat("e", 64)), nil)
	started := make(chan struct{})
	var once sync.Once
	stage := &fakeStage{name: "llm", fn: func(ctx context.Context, _ int, _ *analysis.Report) error {
		once.Do(func() { close(started) })
		<-ctx.Done()
		return ctx.Err()
	}}
	u := newTestUpdater(st, stage)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.run(ctx, ctx) }()
	<-started
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: got %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after shutdown")
	}
	if cur, err := st.Cursor(context.Background(), "llm"); err != nil || cur != 0 {
		t.Errorf("cursor: got (%d, %v), want 0 (the record is redone after a restart)", cur, err)
	}
	if n := u.outcomes.Value(updFailed); n != 0 {
		t.Errorf("failed: got %d, want 0 (shutdown is not a failure)", n)
	}
}

func newLLMStage(t *testing.T, f *fakeLLM) SlowStage {
	t.Helper()
	x, err := llm.New(llm.Options{BaseURL: f.url(), Model: fakeModel, Retries: -1, Timeout: 10 * time.Second,
		BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond, Cache: llm.NoCache{}})
	if err != nil {
		t.Fatal(err)
	}
	return WithVersion(x, llm.PromptVersion)
}

// TestUpdaterLLMDown: with the LLM answering 500, the original stands, no
// update is stored, the attempts are bounded and the cursor moves on.
func TestUpdaterLLMDown(t *testing.T) {
	f := newFakeLLM(t, func(string) (int, string, time.Duration) { return http.StatusInternalServerError, "", 0 })
	st := openStore(t)
	orig := putReport(t, st, "item-1", testReport(strings.Repeat("f", 64)), nil)
	u := newTestUpdater(st, newLLMStage(t, f))
	drain(t, u)
	if got := u.outcomes.Value(updFailed); got != 1 {
		t.Errorf("failed: got %d, want 1", got)
	}
	if got := f.requests.Load(); got != UpdateAttempts {
		t.Errorf("LLM requests: got %d, want %d (bounded attempts)", got, UpdateAttempts)
	}
	if cur, _ := st.Cursor(context.Background(), "llm"); cur != orig.Seq {
		t.Errorf("cursor: got %d, want %d (moved past the record)", cur, orig.Seq)
	}
	if recs, _ := st.ListRecords(context.Background(), store.Filter{}); len(recs) != 1 {
		t.Errorf("records: got %d, want the original alone", len(recs))
	}
}

// stubEngine returns testReport for every sample.
type stubEngine struct{}

func (stubEngine) Analyze(_ context.Context, s analysis.Sample) (*analysis.Report, error) {
	r := testReport(s.Hashes.SHA256)
	r.Sample.Name, r.Sample.Path, r.Sample.Size = s.Name, s.Path, int64(len(s.Data))
	return r, nil
}

func (stubEngine) Reject(s analysis.Sample, st analysis.Status, reason string) *analysis.Report {
	return &analysis.Report{Status: st, Reason: reason, Sample: analysis.SampleInfo{Name: s.Name, Path: s.Path}}
}

func (stubEngine) Info() analysis.EngineInfo {
	return analysis.EngineInfo{RulesVersion: "r", ModelVersion: "m"}
}

type outBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *outBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *outBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// updateDoc is the part of an ECS document these tests read.
type updateDoc struct {
	Message string `json:"message"`
	Event   struct {
		ID     string `json:"id"`
		Action string `json:"action"`
	} `json:"event"`
	Automaldesc struct {
		ID          string `json:"id"`
		Supersedes  string `json:"supersedes"`
		Verdict     struct{ Label string }
		Explanation struct{ Source string }
	} `json:"automaldesc"`
}

func docs(t *testing.T, s string) []updateDoc {
	t.Helper()
	var out []updateDoc
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var d updateDoc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		out = append(out, d)
	}
	return out
}

// TestRunDeliversOriginalThenLLMUpdate drives Run with a slow LLM: the
// record is delivered while the LLM is still thinking, and the update
// follows with supersedes, event.action "update" and the LLM's text.
func TestRunDeliversOriginalThenLLMUpdate(t *testing.T) {
	const think = 2 * time.Second
	f := newFakeLLM(t, func(string) (int, string, time.Duration) { return http.StatusOK, llmAnswer(), think })
	dir := t.TempDir()
	cfg := config.Defaults()
	cfg.Watch.Folders = []config.WatchFolder{{Path: filepath.Join(dir, "q"), Source: "test", Recursive: true}}
	cfg.Watch.Staging = filepath.Join(dir, "staging")
	cfg.Watch.Settle, cfg.Watch.Rescan, cfg.Watch.ShutdownTimeout = 100*time.Millisecond, time.Second, 2*time.Second
	cfg.Watch.Workers, cfg.Watch.SlowWorkers = 1, 1
	cfg.Sinks.NDJSON.Path, cfg.Sinks.Stdout, cfg.API.Listen = "", true, ""
	if err := os.MkdirAll(cfg.Watch.Folders[0].Path, 0o755); err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	out := &outBuffer{}
	ready := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Config: cfg, Engine: stubEngine{}, Store: st, Stdout: out,
			Slow: []SlowStage{newLLMStage(t, f)}, OnReady: func(string) { close(ready) }})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
	}()
	<-ready
	dropped := time.Now()
	if err := os.WriteFile(filepath.Join(cfg.Watch.Folders[0].Path, "a.ps1"), []byte("Write-Output 'inert test fixture'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wait := func(n int, within time.Duration) []updateDoc {
		t.Helper()
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			if d := docs(t, out.String()); len(d) >= n {
				return d
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("got %d documents within %s, want %d:\n%s", len(docs(t, out.String())), within, n, out.String())
		return nil
	}
	first := wait(1, 5*time.Second)
	if f.answered.Load() != 0 {
		t.Errorf("the record was delivered after the LLM answered (%s after the drop); want it delivered at once", time.Since(dropped))
	}
	orig := first[0]
	if orig.Event.Action != "" || orig.Automaldesc.Supersedes != "" || orig.Automaldesc.Explanation.Source != "offline" {
		t.Errorf("original: got action %q supersedes %q source %q, want an offline original", orig.Event.Action, orig.Automaldesc.Supersedes, orig.Automaldesc.Explanation.Source)
	}
	all := wait(2, think+5*time.Second)
	upd := all[1]
	tests := []struct {
		name      string
		got, want string
	}{
		{"event.id", upd.Event.ID, UpdateID(orig.Event.ID, "llm:"+llm.PromptVersion)},
		{"event.action", upd.Event.Action, "update"},
		{"supersedes", upd.Automaldesc.Supersedes, orig.Event.ID},
		{"report id", upd.Automaldesc.ID, upd.Event.ID},
		{"explanation source", upd.Automaldesc.Explanation.Source, "llm:" + fakeModel},
		{"verdict raised", upd.Automaldesc.Verdict.Label, "suspicious"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("update %s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if !strings.Contains(upd.Message, llmSummary) {
		t.Errorf("update message: got %q, want the LLM's summary", upd.Message)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(docs(t, out.String())); n != 2 {
		t.Errorf("documents: got %d, want 2 (no update of the update)", n)
	}
}

func TestEncodeECSUpdate(t *testing.T) {
	r := sampleReport()
	rec, err := NewRecord(r, "item-1", "quarantine", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                     string
		supersedes               string
		wantID, wantAction, want string
	}{
		{"original", "", r.ID, "", ""},
		{"update", "rec-original", r.ID, "update", "rec-original"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec.Supersedes = tc.supersedes
			b, err := EncodeECS(rec)
			if err != nil {
				t.Fatal(err)
			}
			var d updateDoc
			if err := json.Unmarshal(b, &d); err != nil {
				t.Fatal(err)
			}
			if d.Event.ID != tc.wantID || d.Event.Action != tc.wantAction || d.Automaldesc.Supersedes != tc.want {
				t.Errorf("got event.id %q action %q supersedes %q, want %q %q %q", d.Event.ID, d.Event.Action, d.Automaldesc.Supersedes, tc.wantID, tc.wantAction, tc.want)
			}
			if tc.supersedes == "" && (strings.Contains(string(b), `"action"`) || strings.Contains(string(b), `"supersedes"`)) {
				t.Errorf("an original carries update fields: %s", b)
			}
		})
	}
}

package sidecar

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/sidecar/queue"
	"github.com/automaldesc/automaldesc/sidecar/watch"
	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// memQueue records publications; fail makes the first n fail.
type memQueue struct {
	mu   sync.Mutex
	pub  []queue.Envelope
	fail int
}

func (q *memQueue) Publish(_ context.Context, e queue.Envelope) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	e.Version = queue.EnvelopeVersion
	if err := e.Validate(); err != nil {
		return err
	}
	if q.fail > 0 {
		q.fail--
		return errors.New("nats: connection closed")
	}
	q.pub = append(q.pub, e)
	return nil
}

func (q *memQueue) Consume(ctx context.Context, _ int, _ queue.Handler) error {
	<-ctx.Done()
	return nil
}

// memDelivery records what the consumer did with it.
type memDelivery struct {
	env     queue.Envelope
	attempt int
	acked   bool
	retried bool
	dead    string
}

func (d *memDelivery) Envelope() queue.Envelope { return d.env }
func (d *memDelivery) Attempt() int             { return d.attempt }
func (d *memDelivery) InProgress() error        { return nil }
func (d *memDelivery) Ack(context.Context) error {
	d.acked = true
	return nil
}
func (d *memDelivery) Retry(time.Duration) error { d.retried = true; return nil }
func (d *memDelivery) DeadLetter(_ context.Context, reason string) error {
	d.dead = reason
	return nil
}

type memAlerts struct{ ids []string }

func (a *memAlerts) PublishAlert(_ context.Context, id string, doc []byte) error {
	if !strings.Contains(string(doc), id) {
		return errors.New("alert does not carry its record id")
	}
	a.ids = append(a.ids, id)
	return nil
}

// countEngine reports the sample it was handed and counts analyses.
type countEngine struct{ n atomic.Int64 }

func (e *countEngine) Analyze(_ context.Context, s analysis.Sample) (*analysis.Report, error) {
	e.n.Add(1)
	return &analysis.Report{Status: analysis.StatusOK, Sample: analysis.SampleInfo{SHA256: s.Hashes.SHA256,
		Name: s.Name, Path: s.Path, Size: int64(len(s.Data))}}, nil
}

func (e *countEngine) Reject(s analysis.Sample, st analysis.Status, reason string) *analysis.Report {
	r := &analysis.Report{Status: st, Reason: reason, Sample: analysis.SampleInfo{Name: s.Name, Path: s.Path}}
	if s.Hashes != nil {
		r.Sample.SHA256 = s.Hashes.SHA256
	}
	return r
}

func (e *countEngine) Info() analysis.EngineInfo {
	return analysis.EngineInfo{RulesVersion: "r", ModelVersion: "m"}
}

func testConfig(dir string) config.Config {
	cfg := config.Defaults()
	cfg.Watch.Staging = filepath.Join(dir, "staging")
	cfg.Queue.URL = "nats://127.0.0.1:4222"
	cfg.Queue.InlineMax = 64
	cfg.Queue.AckWait = time.Second
	cfg.Queue.MaxDeliver = 2
	cfg.Limits.MaxFileSize = 1024
	return cfg
}

func newTestPublisher(t *testing.T, cfg config.Config, q queue.Queue) *publisher {
	t.Helper()
	if err := os.MkdirAll(cfg.Watch.Staging, 0o700); err != nil {
		t.Fatal(err)
	}
	reg := metrics.New()
	p, err := newPublisher(cfg, q, reg, newSidecarMetrics(reg), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoles(t *testing.T) {
	tests := []struct {
		role           string
		q              queue.Queue
		intake, worker bool
	}{
		{config.RoleAll, nil, true, true},
		{config.RoleIntake, nil, true, true}, // no queue: single host whatever the role
		{config.RoleAll, &memQueue{}, true, true},
		{config.RoleIntake, &memQueue{}, true, false},
		{config.RoleWorker, &memQueue{}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.role, func(t *testing.T) {
			cfg := config.Defaults()
			cfg.Watch.Role = tc.role
			i, w := roles(cfg, tc.q)
			if i != tc.intake || w != tc.worker {
				t.Errorf("got intake=%v worker=%v, want %v %v", i, w, tc.intake, tc.worker)
			}
		})
	}
}

func TestPublisherEnqueueIdempotent(t *testing.T) {
	dir := t.TempDir()
	p := newTestPublisher(t, testConfig(dir), &memQueue{})
	it := store.Item{ID: uuid.NewString(), Name: "a.ps1", Size: 3}
	for i, want := range []bool{true, false} {
		added, err := p.Enqueue(context.Background(), it)
		if err != nil || added != want {
			t.Fatalf("enqueue %d: got %v %v, want %v nil", i, added, err, want)
		}
	}
	if _, err := p.Enqueue(context.Background(), store.Item{ID: "../../etc/x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("non-UUID id: got %v, want ErrInvalid", err)
	}
}

func TestPublisherPublish(t *testing.T) {
	small, big := "Write-Output 'x'\n", strings.Repeat("# pad\n", 30) // 17 and 180 bytes; inline_max 64
	huge := strings.Repeat("A", 2000)                                 // above max_file_size 1024
	tests := []struct {
		name    string
		body    string
		shared  bool
		mode    string
		staged  bool // the watcher finished the rename
		orig    bool // the original is still in the folder
		check   func(t *testing.T, e queue.Envelope, sharedDir string)
		wantVia string
	}{
		{name: "inline", body: small, mode: watch.ModeClaim, staged: true, wantVia: "inline",
			check: func(t *testing.T, e queue.Envelope, _ string) {
				if string(e.Data) != small || e.SHA256 != analysis.HashBytes([]byte(small)).SHA256 {
					t.Errorf("got data %q sha %s, want the file", e.Data, e.SHA256)
				}
			}},
		{name: "shared", body: big, shared: true, mode: watch.ModeClaim, staged: true, wantVia: "shared",
			check: func(t *testing.T, e queue.Envelope, sd string) {
				b, err := os.ReadFile(filepath.Join(sd, e.Shared))
				if err != nil || string(b) != big || e.Data != nil {
					t.Errorf("shared copy: got %q %v (inline %d bytes), want the file", b, err, len(e.Data))
				}
			}},
		{name: "too big without shared dir", body: big, mode: watch.ModeClaim, staged: true, wantVia: "reject",
			check: func(t *testing.T, e queue.Envelope, _ string) {
				if e.Reject.Status != "skipped" || !strings.Contains(e.Reject.Reason, "queue.inline_max") || e.SHA256 == "" {
					t.Errorf("got %+v sha %q, want a skipped reject naming queue.inline_max, with the hash", e.Reject, e.SHA256)
				}
			}},
		{name: "over max file size", body: huge, mode: watch.ModeClaim, staged: true, wantVia: "oversize",
			check: func(t *testing.T, e queue.Envelope, _ string) {
				if e.Size != 2000 || e.SHA256 != analysis.HashBytes([]byte(huge)).SHA256 || e.Data != nil {
					t.Errorf("got size %d sha %s, want 2000 and the hash, no data", e.Size, e.SHA256)
				}
			}},
		{name: "crash before rename: publisher claims", body: small, mode: watch.ModeClaim, orig: true, wantVia: "inline",
			check: func(t *testing.T, e queue.Envelope, _ string) {
				if string(e.Data) != small {
					t.Errorf("got %q, want the original's bytes", e.Data)
				}
			}},
		{name: "removed before claim", body: small, mode: watch.ModeClaim, wantVia: "reject",
			check: func(t *testing.T, e queue.Envelope, _ string) {
				if e.Reject.Reason != "file removed before it could be claimed" {
					t.Errorf("got %+v", e.Reject)
				}
			}},
		{name: "reject mode", body: small, mode: watch.ModeReject, wantVia: "reject",
			check: func(t *testing.T, e queue.Envelope, _ string) {
				if e.Reject.Status != "skipped" || e.Reject.Reason != "symbolic link" {
					t.Errorf("got %+v", e.Reject)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := testConfig(dir)
			if tc.shared {
				cfg.Queue.SharedDir = filepath.Join(dir, "shared")
			}
			q := &memQueue{fail: 1} // the first attempt fails: the claim waits and is retried
			p := newTestPublisher(t, cfg, q)
			folder := filepath.Join(dir, "q")
			os.MkdirAll(folder, 0o755)
			orig := filepath.Join(folder, "a.ps1")
			if err := os.WriteFile(orig, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(orig)
			id := uuid.NewString()
			meta := map[string]string{watch.MetaMode: tc.mode, watch.MetaOrigPath: orig}
			if tc.mode == watch.ModeReject {
				meta[watch.MetaRejectStatus], meta[watch.MetaRejectReason] = "skipped", "symbolic link"
			}
			it := store.Item{ID: id, Path: watch.StagingPath(p.staging, id), Name: "a.ps1", Source: "test", Size: fi.Size(), Meta: meta}
			// SameFile's identity of the original.
			st := stateOfForTest(t, orig)
			it.Meta[watch.MetaInode], it.Meta[watch.MetaMtime] = st[0], st[1]
			if _, err := p.Enqueue(context.Background(), it); err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.staged:
				if err := os.Rename(orig, it.Path); err != nil {
					t.Fatal(err)
				}
			case !tc.orig && tc.mode == watch.ModeClaim:
				os.Remove(orig)
			}
			p.publish(context.Background(), id, true)
			if len(q.pub) != 1 {
				t.Fatalf("published %d envelopes, want 1", len(q.pub))
			}
			e := q.pub[0]
			if e.ClaimID != id || e.Name != "a.ps1" || e.Source != "test" || e.Path != orig {
				t.Errorf("envelope identity: got %q %q %q %q", e.ClaimID, e.Name, e.Source, e.Path)
			}
			if got := p.published.Value(tc.wantVia); got != 1 {
				t.Errorf("published{via=%s}: got %d, want 1", tc.wantVia, got)
			}
			tc.check(t, e, cfg.Queue.SharedDir)
			left, _ := os.ReadDir(p.staging)
			if len(left) != 0 {
				t.Errorf("staging holds %d entries after the publication, want 0", len(left))
			}
		})
	}
}

func stateOfForTest(t *testing.T, p string) [2]string {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	// Build the metadata the watcher writes, then check SameFile accepts it.
	for _, ino := range inodeCandidates(fi) {
		m := map[string]string{watch.MetaInode: ino, watch.MetaMtime: itoa(fi.ModTime().UnixNano())}
		if watch.SameFile(fi, m, fi.Size()) {
			return [2]string{m[watch.MetaInode], m[watch.MetaMtime]}
		}
	}
	t.Fatal("no inode metadata SameFile accepts")
	return [2]string{}
}

func TestPublisherRecover(t *testing.T) {
	dir := t.TempDir()
	q := &memQueue{}
	p := newTestPublisher(t, testConfig(dir), q)
	orphan := uuid.NewString()
	os.WriteFile(filepath.Join(p.staging, orphan), []byte("echo hi\n"), 0o600)
	os.WriteFile(filepath.Join(p.staging, ".tmp-123"), []byte("{"), 0o600)
	os.WriteFile(filepath.Join(p.staging, "README"), []byte("x"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		q.mu.Lock()
		n := len(q.pub)
		q.mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(q.pub) != 1 || q.pub[0].ClaimID != orphan || q.pub[0].Source != "recovered" || string(q.pub[0].Data) != "echo hi\n" {
		t.Fatalf("got %+v, want the orphan published as recovered", q.pub)
	}
	left, _ := os.ReadDir(p.staging)
	if len(left) != 1 || left[0].Name() != "README" {
		t.Errorf("staging: got %v, want only the unexpected README left alone", left)
	}
}

func TestConsumerHandle(t *testing.T) {
	body := []byte("Write-Output 'hello'\n")
	sha := analysis.HashBytes(body).SHA256
	inline := queue.Envelope{Version: 1, ClaimID: "c1", Name: "a.ps1", Path: "/q/a.ps1", Source: "gw", Size: int64(len(body)), SHA256: sha, Data: body}
	tests := []struct {
		name       string
		env        func(e queue.Envelope) queue.Envelope
		attempt    int
		shared     bool // write the shared file
		prestore   bool // the record exists already (a crash before the ack)
		wantStatus string
		wantReason string
		wantDead   bool
		analyses   int64
	}{
		{name: "inline", env: func(e queue.Envelope) queue.Envelope { return e }, attempt: 1, wantStatus: "ok", analyses: 1},
		{name: "shared", env: func(e queue.Envelope) queue.Envelope { e.Data, e.Shared = nil, "c1"; return e },
			attempt: 1, shared: true, wantStatus: "ok", analyses: 1},
		{name: "shared missing on the last delivery", env: func(e queue.Envelope) queue.Envelope { e.Data, e.Shared = nil, "c1"; return e },
			attempt: 2, wantStatus: "error", wantReason: "shared sample file: open: no such file"},
		{name: "sha256 mismatch", env: func(e queue.Envelope) queue.Envelope { e.SHA256 = strings.Repeat("0", 64); return e },
			attempt: 1, wantStatus: "error", wantReason: "sha256 mismatch"},
		{name: "intake reject", env: func(e queue.Envelope) queue.Envelope {
			e.Data, e.Reject = nil, &queue.Reject{Status: "skipped", Reason: "symbolic link"}
			return e
		}, attempt: 1, wantStatus: "skipped", wantReason: "symbolic link"},
		{name: "last delivery gives up", env: func(e queue.Envelope) queue.Envelope { return e }, attempt: 3,
			wantStatus: "error", wantReason: "gave up after 2 deliveries", wantDead: true},
		{name: "redelivery finds its record", env: func(e queue.Envelope) queue.Envelope { return e }, attempt: 2,
			prestore: true, wantStatus: "ok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := testConfig(dir)
			cfg.Queue.SharedDir = filepath.Join(dir, "shared")
			os.MkdirAll(cfg.Queue.SharedDir, 0o700)
			st, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			eng := &countEngine{}
			p := &pool{st: st, eng: eng, log: slog.New(slog.DiscardHandler), m: newSidecarMetrics(metrics.New()),
				maxSize: 1024, workers: 1, recorded: func() {}}
			alerts := &memAlerts{}
			c := newConsumer(cfg, p, &memQueue{})
			c.alerts = alerts
			e := tc.env(inline)
			if tc.shared {
				os.WriteFile(filepath.Join(cfg.Queue.SharedDir, "c1"), body, 0o600)
			}
			if tc.prestore {
				rec, _ := NewRecord(&analysis.Report{ID: ItemRecordID("c1"), Status: analysis.StatusOK}, "c1", "gw", "")
				if _, err := st.PutRecord(context.Background(), rec); err != nil {
					t.Fatal(err)
				}
			}
			d := &memDelivery{env: e, attempt: tc.attempt}
			c.handle(context.Background(), d)
			rec, err := st.GetRecord(context.Background(), ItemRecordID("c1"))
			if err != nil {
				t.Fatalf("record %s: %v", ItemRecordID("c1"), err)
			}
			if rec.Status != tc.wantStatus || rec.ItemID != "c1" {
				t.Errorf("record: got status %q item %q, want %q c1", rec.Status, rec.ItemID, tc.wantStatus)
			}
			if r, _ := DecodeReport(rec); tc.wantReason != "" && !strings.Contains(r.Reason, tc.wantReason) {
				t.Errorf("reason: got %q, want it to contain %q", r.Reason, tc.wantReason)
			}
			if !d.acked || d.retried {
				t.Errorf("got acked=%v retried=%v, want acked only", d.acked, d.retried)
			}
			if (d.dead != "") != tc.wantDead {
				t.Errorf("dead letter %q, want one: %v", d.dead, tc.wantDead)
			}
			if len(alerts.ids) != 1 || alerts.ids[0] != rec.ID {
				t.Errorf("alerts: got %v, want [%s]", alerts.ids, rec.ID)
			}
			if got := eng.n.Load(); got != tc.analyses {
				t.Errorf("analyses: got %d, want %d", got, tc.analyses)
			}
			if _, err := os.Stat(filepath.Join(cfg.Queue.SharedDir, "c1")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("shared copy after the ack: got %v, want it removed", err)
			}
			// A duplicate message of the same claim leaves the one record.
			c.handle(context.Background(), &memDelivery{env: e, attempt: 1})
			if all, _ := st.RecordsAfter(context.Background(), 0, 10); len(all) != 1 {
				t.Errorf("records after a duplicate: got %d, want 1", len(all))
			}
		})
	}
}

// flakyStore fails PutRecord a few times (PostgreSQL down).
type flakyStore struct {
	store.Store
	fails atomic.Int64
}

func (s *flakyStore) PutRecord(ctx context.Context, r store.Record) (store.Record, error) {
	if s.fails.Add(-1) >= 0 {
		return store.Record{}, errors.New("connection refused")
	}
	return s.Store.PutRecord(ctx, r)
}

func TestConsumerRetriesUnreadableShared(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := testConfig(dir)
	cfg.Queue.SharedDir = filepath.Join(dir, "shared")
	p := &pool{st: st, eng: &countEngine{}, log: slog.New(slog.DiscardHandler), m: newSidecarMetrics(metrics.New()),
		maxSize: 1024, workers: 1, recorded: func() {}}
	c := newConsumer(cfg, p, &memQueue{})
	d := &memDelivery{env: queue.Envelope{Version: 1, ClaimID: "c3", Size: 10, Shared: "c3"}, attempt: 1}
	c.handle(context.Background(), d)
	if d.acked || !d.retried {
		t.Errorf("got acked=%v retried=%v, want a retry before the last delivery", d.acked, d.retried)
	}
	if _, err := st.GetRecord(context.Background(), ItemRecordID("c3")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("record: got %v, want none yet", err)
	}
}

func TestPublisherRetriesUnwritableShared(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Queue.SharedDir = filepath.Join(dir, "shared")
	q := &memQueue{}
	p := newTestPublisher(t, cfg, q)
	os.Chmod(cfg.Queue.SharedDir, 0o500)
	defer os.Chmod(cfg.Queue.SharedDir, 0o700)
	if os.Geteuid() == 0 {
		// root writes anyway: make the directory a file instead.
		os.Remove(cfg.Queue.SharedDir)
		os.WriteFile(cfg.Queue.SharedDir, nil, 0o600)
	}
	id := uuid.NewString()
	it := store.Item{ID: id, Path: watch.StagingPath(p.staging, id), Name: "big.ps1", Size: 180,
		Meta: map[string]string{watch.MetaMode: watch.ModeClaim}}
	if _, err := p.Enqueue(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(it.Path, []byte(strings.Repeat("# pad\n", 30)), 0o600)
	p.publish(context.Background(), id, true)
	if len(q.pub) != 0 {
		t.Fatalf("published %d, want 0 while the shared directory is unwritable", len(q.pub))
	}
	if _, err := os.Stat(filepath.Join(p.staging, id+claimSuffix)); err != nil {
		t.Errorf("claim: %v, want it kept for the retry", err)
	}
	if got := p.errs.Value("shared"); got != 1 {
		t.Errorf("errors{kind=shared}: got %d, want 1", got)
	}
}

func TestConsumerHoldsMessageWhileStoreDown(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs := &flakyStore{Store: st}
	fs.fails.Store(2)
	p := &pool{st: fs, eng: &countEngine{}, log: slog.New(slog.DiscardHandler), m: newSidecarMetrics(metrics.New()),
		maxSize: 1024, workers: 1, recorded: func() {}}
	c := newConsumer(testConfig(dir), p, &memQueue{})
	d := &memDelivery{env: queue.Envelope{Version: 1, ClaimID: "c2", Name: "b.sh", Size: 5, Data: []byte("ls -l")}, attempt: 1}
	c.handle(context.Background(), d)
	if !d.acked || d.retried {
		t.Errorf("got acked=%v retried=%v, want acked after the store came back, no retry", d.acked, d.retried)
	}
	if got := p.m.errors.Value("store"); got != 2 {
		t.Errorf("store errors: got %d, want 2", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func inodeCandidates(fi fs.FileInfo) []string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return []string{strconv.FormatUint(st.Ino, 10)}
	}
	return nil
}

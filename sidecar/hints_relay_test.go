package sidecar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/integrations/clamav"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/sidecar/queue"
	"github.com/automaldesc/automaldesc/sidecar/watch"
	"github.com/automaldesc/automaldesc/store"
)

// startNATS runs a real JetStream server in-process (as the queue
// package's tests do: nothing to install, so nothing to skip).
func startNATS(t *testing.T) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

// dialNATS is one sidecar process's connection to the queue.
func dialNATS(t *testing.T, url string) *queue.NATS {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q, err := queue.Dial(ctx, queue.Options{URL: url, Stream: "H", Subject: "h.samples", AckWait: 5 * time.Second, MaxDeliver: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

// runSidecar runs Run in the background until the test ends; it returns
// the API's address once the sidecar is ready.
func runSidecar(t *testing.T, cfg config.Config, q queue.Queue, log *slog.Logger) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Config: cfg, Engine: hintEngine{}, Store: openStore(t), Queue: q, Logger: log,
			OnReady: func(addr string) { ready <- addr }})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: got %v, want nil", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("Run did not return within 15s of its context ending")
		}
	})
	select {
	case addr := <-ready:
		return addr
	case err := <-done:
		t.Fatalf("Run ended early: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("sidecar not ready within 15s")
	}
	return ""
}

// recordsOf waits for n records in st.
func recordsOf(t *testing.T, st store.Store, n int, within time.Duration) []store.Record {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		recs, err := st.RecordsAfter(context.Background(), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) >= n || time.Now().After(deadline) {
			if len(recs) != n {
				t.Fatalf("records: got %d, want %d", len(recs), n)
			}
			return recs
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestScaleOutHints runs an intake and a worker (two Runs, two NATS
// connections, two stores): a hint given to the intake, through its API
// or its spool directory, reaches the worker, which matches it to the
// file the intake claimed and published. The worker starts either before
// the hint (it waits for it: Lookup wakes when the hint arrives from
// NATS) or after it was published (it reads the hints stream from one
// window back).
func TestScaleOutHints(t *testing.T) {
	const (
		body     = "Write-Output 'flagged by clamav'\n"
		hintWait = 4 * time.Second // without the hint, the record comes after this, without a signature
	)
	sha := analysis.HashBytes([]byte(body)).SHA256
	tests := []struct {
		name        string
		via         string // api | spool
		workerLater bool   // start the worker once the hint is on the stream
		hint        clamav.Hint
	}{
		{name: "api, worker waiting", via: "api", hint: clamav.Hint{Path: "/home/u/a.ps1", Signature: "Sig.API", SHA256: sha}},
		{name: "spool, worker waiting, by name", via: "spool", hint: clamav.Hint{Path: "/home/u/a.ps1", Signature: "Sig.Spool", Size: int64(len(body))}},
		{name: "api, worker starts later", via: "api", workerLater: true, hint: clamav.Hint{Path: "/home/u/a.ps1", Signature: "Sig.Late", SHA256: sha}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := startNATS(t)
			dir := t.TempDir()
			folder := filepath.Join(dir, "quarantine")
			if err := os.MkdirAll(folder, 0o755); err != nil {
				t.Fatal(err)
			}
			icfg := config.Defaults()
			icfg.Queue.URL, icfg.Watch.Role = url, config.RoleIntake
			icfg.Watch.Folders = []config.WatchFolder{{Path: folder, Source: "clamav", HintWait: hintWait}}
			icfg.Watch.Staging = filepath.Join(dir, "staging")
			icfg.Store.Path = filepath.Join(dir, "intake", "db") // the spool is beside it
			icfg.Watch.Settle, icfg.Watch.Rescan = 100*time.Millisecond, time.Second
			icfg.Sinks.NDJSON.Path, icfg.API.Listen = "", "127.0.0.1:0"
			wcfg := config.Defaults()
			wcfg.Queue.URL, wcfg.Watch.Role = url, config.RoleWorker
			wcfg.Watch.Workers, wcfg.Watch.ShutdownTimeout = 1, time.Second
			wcfg.Store.Path = filepath.Join(dir, "worker", "db")
			wcfg.Sinks.NDJSON.Path, wcfg.API.Listen = "", ""

			intakeQ := dialNATS(t, url)
			addr := runSidecar(t, icfg, intakeQ, slog.New(slog.DiscardHandler))
			workerQ := dialNATS(t, url)
			var worker store.Store
			startWorker := func() {
				worker = openStore(t)
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				ready := make(chan struct{})
				go func() {
					done <- Run(ctx, Options{Config: wcfg, Engine: hintEngine{}, Store: worker, Queue: workerQ,
						Logger: slog.New(slog.DiscardHandler), OnReady: func(string) { close(ready) }})
				}()
				t.Cleanup(func() {
					cancel()
					if err := <-done; err != nil {
						t.Errorf("worker Run: got %v, want nil", err)
					}
				})
				<-ready
			}
			give := func() {
				h := tc.hint
				h.Time = time.Now().UTC()
				switch tc.via {
				case "api":
					b, err := clamav.EncodeHint(h)
					if err != nil {
						t.Fatal(err)
					}
					resp, err := http.Post("http://"+addr+"/v1/hints", "application/json", bytes.NewReader(b))
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusAccepted {
						t.Fatalf("POST /v1/hints: got %s, want 202", resp.Status)
					}
				case "spool":
					if _, err := clamav.WriteSpool(HintSpoolDir(icfg), h); err != nil {
						t.Fatal(err)
					}
				}
			}
			if tc.workerLater {
				give()
				waitHintsOnStream(t, url, 1)
				startWorker()
			} else {
				startWorker()
			}
			dropped := time.Now()
			if err := os.WriteFile(filepath.Join(folder, "a.ps1"), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			if !tc.workerLater {
				time.Sleep(500 * time.Millisecond) // the worker holds the claim and waits for the hint
				give()
			}
			recs := recordsOf(t, worker, 1, 2*hintWait)
			took := time.Since(dropped)
			if got := recs[0].Signature; got != tc.hint.Signature {
				t.Errorf("record signature: got %q, want %q", got, tc.hint.Signature)
			}
			if took >= hintWait {
				t.Errorf("record after %s, want it as soon as the hint arrived (hint_wait %s)", took, hintWait)
			}
		})
	}
}

// waitHintsOnStream waits until the hints stream holds n messages.
func waitHintsOnStream(t *testing.T, url string, n uint64) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := js.StreamInfo("H_HINTS")
		if err == nil && info.State.Msgs >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("hints stream: %v %v, want %d messages", info, err, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// syncLog collects log output.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Whatever arrives on the hints subject is untrusted: invalid messages are
// dropped with a log and counted, the reader goes on.
func TestHintRelayDropsInvalidFromStream(t *testing.T) {
	url := startNATS(t)
	q := dialNATS(t, url)
	logs := &syncLog{}
	hints := clamav.NewHints(0, 0, nil)
	reg := metrics.New()
	r := newHintRelay(hints, q, reg, newSidecarMetrics(reg).errors, slog.New(slog.NewTextHandler(logs, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.follow(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("follow: got %v, want nil", err)
		}
	}()

	sha := strings.Repeat("ab", 32)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	bad := []string{
		"not json",
		`{"signature":"S","sha256":"` + sha + `","time":"` + now + `","extra":1}`, // unknown field
		`{"signature":"","sha256":"` + sha + `","time":"` + now + `"}`,            // no signature
		`{"signature":"S\u0007","path":"/u/a.ps1","time":"` + now + `"}`,          // not printable
		`{"signature":"S","path":"instream(local)","time":"` + now + `"}`,         // nothing to match
		`{"signature":"S","sha256":"` + sha + `","time":"` + now + `"} {}`,        // trailing data
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := nc.JetStream()
	published := 0
	for _, b := range bad {
		if _, err := js.Publish("h.samples.hints", []byte(b)); err == nil {
			published++
		}
	}
	old := clamav.Hint{Path: "/u/old.ps1", Signature: "Old", Time: time.Now().Add(-time.Hour)}
	oldBody, _ := clamav.EncodeHint(old)
	good := clamav.Hint{Path: "/u/good.ps1", Signature: "Good", SHA256: sha, Time: time.Now()}
	goodBody, _ := clamav.EncodeHint(good)
	for _, b := range [][]byte{oldBody, goodBody} {
		if _, err := js.Publish("h.samples.hints", b); err != nil {
			t.Fatal(err)
		}
	}
	sig, ok := hints.Lookup(ctx, "x.ps1", 5, sha, time.Now(), time.Now().Add(5*time.Second))
	if !ok || sig != "Good" {
		t.Fatalf("Lookup after the junk: got %q %v, want Good", sig, ok)
	}
	// The stream Dial creates refuses a message above clamav.MaxHintSize;
	// one an operator's stream let through is refused by the reader.
	big := []byte(`{"signature":"S","path":"/u/` + strings.Repeat("a", clamav.MaxHintSize) + `","time":"` + now + `"}`)
	if _, err := js.Publish("h.samples.hints", big); err == nil {
		t.Error("publishing an oversized hint: got nil, want the stream's refusal")
	}
	r.receive(big)
	published++
	tests := []struct {
		outcome string
		want    uint64
	}{{"invalid", uint64(published)}, {"expired", 1}, {"added", 1}, {"duplicate", 0}}
	for _, tc := range tests {
		if got := r.received.Value(tc.outcome); got != tc.want {
			t.Errorf("received{outcome=%s}: got %d, want %d", tc.outcome, got, tc.want)
		}
	}
	if published != len(bad)+1 {
		t.Errorf("junk published: got %d of %d", published-1, len(bad))
	}
	if got := strings.Count(logs.String(), "invalid hint on the hints stream"); got != published {
		t.Errorf("warnings: got %d, want %d:\n%s", got, published, logs.String())
	}
}

// fakeHintBus records publications; fail makes the next n fail.
type fakeHintBus struct {
	mu     sync.Mutex
	fail   int
	bodies [][]byte
	ids    []string
}

func (b *fakeHintBus) PublishHint(_ context.Context, id string, body []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail > 0 {
		b.fail--
		return errors.New("nats: timeout")
	}
	b.ids, b.bodies = append(b.ids, id), append(b.bodies, body)
	return nil
}

func (b *fakeHintBus) ConsumeHints(ctx context.Context, _ func([]byte)) error {
	<-ctx.Done()
	return nil
}

func (b *fakeHintBus) published() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([][]byte(nil), b.bodies...)
}

func TestHintRelayPublish(t *testing.T) {
	sha := strings.Repeat("cd", 32)
	tests := []struct {
		name          string
		fail          int
		age           time.Duration // of the hint when the relay publishes it
		wantPublished uint64
		wantFailed    uint64
		wantDropped   uint64
	}{
		{name: "published", wantPublished: 1},
		{name: "retried until the server takes it", fail: 2, wantPublished: 1, wantFailed: 2},
		{name: "given up once the hint expired", fail: 1000, age: clamav.DefaultWindow - 100*time.Millisecond, wantFailed: 2, wantDropped: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bus := &fakeHintBus{fail: tc.fail}
			reg := metrics.New()
			hints := clamav.NewHints(0, 0, nil)
			r := newHintRelay(hints, bus, reg, newSidecarMetrics(reg).errors, slog.New(slog.DiscardHandler))
			h := clamav.Hint{Path: "/u/a.ps1", Signature: "Sig", SHA256: sha, Time: time.Now().Add(-tc.age)}
			if err := r.Add(h); err != nil {
				t.Fatal(err)
			}
			// Whatever becomes of the publication, the hint is here at once.
			if sig, ok := hints.Lookup(context.Background(), "b.ps1", 1, sha, time.Now(), time.Now()); !ok || sig != "Sig" {
				t.Errorf("local Lookup: got %q %v, want Sig", sig, ok)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				r.run(ctx)
			}()
			deadline := time.Now().Add(5 * time.Second)
			for r.published.Value("published")+r.published.Value("dropped") == 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			<-done
			for _, c := range []struct {
				metric    string
				got, want uint64
			}{
				{"hints_published{outcome=published}", r.published.Value("published"), tc.wantPublished},
				{"errors{kind=hint_publish}", r.errs.Value("hint_publish"), tc.wantFailed},
				{"hints_published{outcome=dropped}", r.published.Value("dropped"), tc.wantDropped},
			} {
				if c.got != c.want {
					t.Errorf("%s: got %d, want %d", c.metric, c.got, c.want)
				}
			}
			if tc.wantPublished == 1 {
				got, err := clamav.ParseHint(bus.published()[0])
				if err != nil || got.ID() != h.ID() || bus.ids[0] != h.ID() {
					t.Errorf("publication: got %+v (id %s) %v, want the hint with id %s", got, bus.ids[0], err, h.ID())
				}
			}
		})
	}
}

// The process that takes a hint in gets it back from the stream: the echo
// is a duplicate, and a hint used up by a name match stays used up.
func TestHintRelayEcho(t *testing.T) {
	bus := &fakeHintBus{}
	hints := clamav.NewHints(0, 0, nil)
	reg := metrics.New()
	r := newHintRelay(hints, bus, reg, newSidecarMetrics(reg).errors, slog.New(slog.DiscardHandler))
	h := clamav.Hint{Path: "/u/a.ps1", Signature: "ByName", Size: 5, Time: time.Now()}
	if err := r.Add(h); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(h); err != nil { // the hook retried
		t.Fatal(err)
	}
	if n := len(r.out); n != 1 {
		t.Errorf("queued for publication: got %d, want 1 (the retry is not republished)", n)
	}
	now := time.Now()
	if sig, ok := hints.Lookup(context.Background(), "a.ps1", 5, "", now, now); !ok || sig != "ByName" {
		t.Fatalf("first Lookup: got %q %v, want ByName", sig, ok)
	}
	body, err := clamav.EncodeHint(h)
	if err != nil {
		t.Fatal(err)
	}
	r.receive(body)
	if got := r.received.Value("duplicate"); got != 1 {
		t.Errorf("received{outcome=duplicate}: got %d, want 1", got)
	}
	if sig, ok := hints.Lookup(context.Background(), "a.ps1.001", 5, "", now, now); ok {
		t.Errorf("Lookup after the echo: got %q, want none (the hint was used up)", sig)
	}
}

func TestConsumerAppliesHint(t *testing.T) {
	body := []byte("Write-Output 'hinted'\n")
	sha := analysis.HashBytes(body).SHA256
	tests := []struct {
		name     string
		hintAt   time.Duration // <0: before; 0: never; >0: after the handler starts
		seen     time.Duration // first sighting relative to now
		waitMS   int64
		want     string
		min, max time.Duration
	}{
		{name: "hint already there", hintAt: -1, want: "Sig", max: time.Second},
		{name: "hint arrives while waiting", hintAt: 200 * time.Millisecond, waitMS: 5000, want: "Sig", min: 150 * time.Millisecond, max: 3 * time.Second},
		{name: "no hint: waits the intake's wait", waitMS: 300, min: 250 * time.Millisecond, max: 2 * time.Second},
		{name: "no hint, no wait", max: 500 * time.Millisecond},
		{name: "sighting in the future: waits no longer than the wait", seen: time.Hour, waitMS: 300, min: 250 * time.Millisecond, max: 2 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st := openStore(t)
			hints := clamav.NewHints(0, 0, nil)
			p := &pool{st: st, eng: hintEngine{}, log: slog.New(slog.DiscardHandler), m: newSidecarMetrics(metrics.New()),
				maxSize: 1024, workers: 1, recorded: func() {}, hints: hints}
			c := newConsumer(testConfig(dir), p, &memQueue{})
			add := func() {
				if err := hints.Add(clamav.Hint{Path: "/home/u/a.ps1", Signature: "Sig", SHA256: sha, Time: time.Now()}); err != nil {
					t.Error(err)
				}
			}
			switch {
			case tc.hintAt < 0:
				add()
			case tc.hintAt > 0:
				time.AfterFunc(tc.hintAt, add)
			}
			e := queue.Envelope{Version: 1, ClaimID: "c1", Name: "a.ps1", Source: "clamav", Size: int64(len(body)), SHA256: sha, Data: body,
				HintWaitMS: tc.waitMS, Meta: map[string]string{watch.MetaSeen: strconv.FormatInt(time.Now().Add(tc.seen).UnixNano(), 10)}}
			d := &memDelivery{env: e, attempt: 1}
			start := time.Now()
			c.handle(context.Background(), d)
			took := time.Since(start)
			rec, err := st.GetRecord(context.Background(), ItemRecordID("c1"))
			if err != nil {
				t.Fatal(err)
			}
			if rec.Signature != tc.want {
				t.Errorf("record signature: got %q, want %q", rec.Signature, tc.want)
			}
			if r, _ := DecodeReport(rec); r.Sample.Signature != tc.want {
				t.Errorf("report signature: got %q, want %q", r.Sample.Signature, tc.want)
			}
			if took < tc.min || took > tc.max {
				t.Errorf("handle took %s, want %s..%s", took, tc.min, tc.max)
			}
			if !d.acked {
				t.Error("message not acknowledged")
			}
		})
	}
}

func TestPublisherHintWait(t *testing.T) {
	tests := []struct {
		folder config.WatchFolder
		want   int64
	}{
		{config.WatchFolder{Path: "/q/clam", Source: "clamav"}, config.DefaultHintWait.Milliseconds()},
		{config.WatchFolder{Path: "/q/clam", Source: "clamav", HintWait: 30 * time.Second}, 30000},
		{config.WatchFolder{Path: "/q/clam", Source: "clamav", HintWait: -time.Second}, 0},
		{config.WatchFolder{Path: "/q/plain", Source: "gw"}, 0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %s %s", tc.folder.Path, tc.folder.Source, tc.folder.HintWait), func(t *testing.T) {
			dir := t.TempDir()
			cfg := testConfig(dir)
			cfg.Watch.Folders = []config.WatchFolder{tc.folder}
			q := &memQueue{}
			p := newTestPublisher(t, cfg, q)
			id := "6a1d0f0e-8a8e-4c55-9d6c-0d3c1c0f0a01"
			it := store.Item{ID: id, Name: "a.ps1", Meta: map[string]string{watch.MetaMode: watch.ModeReject,
				watch.MetaFolder: tc.folder.Path, watch.MetaRejectStatus: "skipped", watch.MetaRejectReason: "symbolic link"}}
			if _, err := p.Enqueue(context.Background(), it); err != nil {
				t.Fatal(err)
			}
			p.publish(context.Background(), id, true)
			if len(q.pub) != 1 {
				t.Fatalf("published %d, want 1", len(q.pub))
			}
			if got := q.pub[0].HintWaitMS; got != tc.want {
				t.Errorf("envelope hint wait: got %dms, want %dms", got, tc.want)
			}
		})
	}
}

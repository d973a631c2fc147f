package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/automaldesc/automaldesc/internal/pgtest"
	"github.com/automaldesc/automaldesc/store/postgres"
)

// pgURL turns a keyword/value DSN (pgtest's form) into the postgres:// URL
// that store.path needs; a URL is returned unchanged.
func pgURL(t *testing.T, dsn string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return dsn
	}
	kv := map[string]string{}
	for _, f := range strings.Fields(dsn) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			t.Fatalf("unexpected DSN field %q", f)
		}
		kv[k] = v
	}
	u := url.URL{Scheme: "postgres", Host: kv["host"] + ":" + kv["port"], Path: "/" + kv["dbname"]}
	if kv["password"] != "" {
		u.User = url.UserPassword(kv["user"], kv["password"])
	} else {
		u.User = url.User(kv["user"])
	}
	q := url.Values{}
	for k, v := range kv {
		switch k {
		case "host", "port", "dbname", "user", "password":
		default:
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// scaleProc is one sidecar process of the scale-out scenario.
type scaleProc struct {
	name   string
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
}

func startScaleProc(t *testing.T, name, dir, config string) *scaleProc {
	t.Helper()
	cmd := exec.Command(binary, "--config", config, "watch")
	cmd.Env = cleanEnv()
	cmd.Dir = dir // relative paths a process derives (e.g. from a store URL) stay in the test's directory
	p := &scaleProc{name: name, cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr, cmd.Stdout = p.stderr, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s stderr (tail):\n%s", name, tailString(p.stderr.String(), 3000))
		}
	})
	return p
}

func (p *scaleProc) waitBanner(t *testing.T) {
	t.Helper()
	waitFor(t, 30*time.Second, p.name+" banner", func() bool {
		select {
		case <-p.done:
			t.Fatalf("%s exited early:\n%s", p.name, p.stderr.String())
		default:
		}
		return strings.Contains(p.stderr.String(), "automaldesc watch: ")
	})
}

func tailString(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// scaleScript is a tiny inert script; files i and i+distinct share content.
func scaleScript(i, distinct int) (name, body string) {
	c := i % distinct
	switch c % 5 {
	case 0:
		return "s.ps1", fmt.Sprintf("# job %d\nGet-ChildItem -Path 'C:\\Data\\%d' | Measure-Object\n", c, c)
	case 1:
		return "s.sh", fmt.Sprintf("#!/bin/sh\n# job %d\nls -l /srv/data/%d | wc -l\n", c, c)
	case 2:
		return "s.py", fmt.Sprintf("# job %d\nimport os\nprint(len(os.listdir('/srv/data/%d')))\n", c, c)
	case 3:
		return "s.bat", fmt.Sprintf("@echo off\nrem job %d\ndir C:\\Data\\%d\n", c, c)
	}
	return "s.js", fmt.Sprintf("// job %d\nvar n = %d;\nWScript.Echo('count ' + n);\n", c, c)
}

// TestScaleOut runs the scale-out deployment for real: an in-process
// NATS JetStream server, a real PostgreSQL (pgtest), two intake and three
// worker processes of the binary. Files are dropped into both intakes'
// folders; one worker is SIGKILLed mid-run. Every file must end as
// exactly one record in PostgreSQL, the work queue must be drained, and
// every record must have exactly one alert on the alert stream.
func TestScaleOut(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 600
	}
	pg := pgtest.New()
	t.Cleanup(pg.Stop)
	dsn := pgURL(t, pg.DSN(t))

	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(ns.Shutdown)

	dir := t.TempDir()
	shared := filepath.Join(dir, "shared")
	common := fmt.Sprintf(`log:
  level: info
sinks:
  ndjson:
    path: ""
api:
  listen: 127.0.0.1:0
store:
  path: %q
queue:
  url: %q
  stream: SCALE
  subject: scale.samples
  alerts_subject: scale.alerts
  shared_dir: %q
  ack_wait: 3s
  max_deliver: 5
`, dsn, ns.ClientURL(), shared)
	start := time.Now()
	var workers []*scaleProc
	for i := range 3 {
		wd := filepath.Join(dir, fmt.Sprintf("worker%d", i))
		cfg := write(t, wd, "config.yaml", common+`watch:
  role: worker
  workers: 2
  shutdown_timeout: 5s
`)
		workers = append(workers, startScaleProc(t, fmt.Sprintf("worker%d", i), wd, cfg))
	}
	var intakes []*scaleProc
	var folders []string
	for i := range 2 {
		idir := filepath.Join(dir, fmt.Sprintf("intake%d", i))
		q := filepath.Join(idir, "quarantine")
		if err := os.MkdirAll(q, 0o755); err != nil {
			t.Fatal(err)
		}
		folders = append(folders, q)
		cfg := write(t, idir, "config.yaml", common+fmt.Sprintf(`watch:
  role: intake
  folders:
    - path: %q
      source: gateway%d
      recursive: true
  staging: %q
  settle: 200ms
  rescan: 2s
`, q, i, filepath.Join(idir, "staging")))
		intakes = append(intakes, startScaleProc(t, fmt.Sprintf("intake%d", i), idir, cfg))
	}
	for _, p := range append(append([]*scaleProc{}, workers...), intakes...) {
		p.waitBanner(t)
	}
	t.Logf("5 sidecars up after %s", time.Since(start).Round(time.Millisecond))

	// Files are written elsewhere and renamed in: each appears whole.
	distinct := n / 2
	want := map[string]bool{}
	for i := range n {
		name, body := scaleScript(i, distinct)
		name = fmt.Sprintf("f%05d-%s", i, name)
		out := filepath.Join(dir, "outside", fmt.Sprint(i%2))
		write(t, out, name, body)
		want[filepath.Join(folders[i%2], name)] = true
	}
	dropped := time.Now()
	for i := range n {
		name, _ := scaleScript(i, distinct)
		name = fmt.Sprintf("f%05d-%s", i, name)
		if err := os.Rename(filepath.Join(dir, "outside", fmt.Sprint(i%2), name), filepath.Join(folders[i%2], name)); err != nil {
			t.Fatal(err)
		}
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	count := func() int {
		var c int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM records").Scan(&c); err != nil {
			t.Fatalf("count records: %v", err)
		}
		return c
	}
	waitFor(t, 60*time.Second, "records before the kill", func() bool { return count() >= n/5 })
	if err := workers[0].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-workers[0].done
	killedAt := count()
	t.Logf("worker0 SIGKILLed with %d/%d records stored", killedAt, n)
	waitFor(t, 80*time.Second, "a record per file", func() bool { return count() >= n })
	elapsed := time.Since(dropped)
	t.Logf("%d files: all recorded %s after the drop (%.0f files/s)", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	// Redeliveries of the killed worker's messages may still be running:
	// they must find their records, not add any.
	time.Sleep(3500 * time.Millisecond)

	st, err := postgres.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, err := st.RecordsAfter(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Errorf("records: got %d, want %d (one per file)", len(recs), n)
	}
	byPath, byItem := map[string]int{}, map[string]int{}
	dups, status := 0, map[string]int{}
	for _, r := range recs {
		byPath[r.Path]++
		byItem[r.ItemID]++
		status[r.Status]++
		if r.DuplicateOf != "" {
			dups++
		}
		if !want[r.Path] {
			t.Errorf("record %s for an unexpected path %q", r.ID, r.Path)
		}
	}
	missing, twice := 0, 0
	for p := range want {
		switch byPath[p] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	if missing != 0 || twice != 0 {
		t.Errorf("files without a record: %d, files with more than one: %d; want 0 and 0", missing, twice)
	}
	if len(byItem) != n {
		t.Errorf("distinct claim ids: got %d, want %d", len(byItem), n)
	}
	if status["ok"] != n {
		t.Errorf("statuses: got %v, want all %d ok", status, n)
	}
	if dups == 0 {
		t.Errorf("no record reused an earlier analysis, want some (each content was dropped twice)")
	}
	t.Logf("statuses %v, %d records reused an earlier analysis", status, dups)

	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	streamMsgs := func(name string) uint64 {
		s, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatalf("stream %s: %v", name, err)
		}
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return info.State.Msgs
	}
	if got := streamMsgs("SCALE"); got != 0 {
		t.Errorf("work queue: %d messages left, want 0", got)
	}
	if got := streamMsgs("SCALE_DEAD"); got != 0 {
		t.Errorf("dead letters: got %d, want 0", got)
	}
	if got := streamMsgs("SCALE_ALERTS"); got != uint64(n) {
		t.Errorf("alerts: got %d, want %d (one per record)", got, n)
	}
	for i, f := range folders {
		left, _ := os.ReadDir(f)
		staged, _ := os.ReadDir(filepath.Join(dir, fmt.Sprintf("intake%d", i), "staging"))
		if len(left) != 0 || len(staged) != 0 {
			t.Errorf("intake%d: %d files left in the folder and %d in staging, want 0 and 0", i, len(left), len(staged))
		}
	}
	for _, p := range append(workers[1:], intakes...) {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case <-p.done:
			if code := p.cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("%s: exit code %d after SIGTERM, want 0", p.name, code)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("%s: no exit within 15s of SIGTERM", p.name)
		}
	}
}

package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sidecarProc is one running `automaldesc watch`.
type sidecarProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	api    string // http://host:port
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// watchEnv is the directory layout of one test's sidecar.
type watchEnv struct {
	dir, quarantine, staging, ndjson, config string
}

func newWatchEnv(t *testing.T, extra string) watchEnv {
	t.Helper()
	dir := t.TempDir()
	e := watchEnv{dir: dir, quarantine: filepath.Join(dir, "q"), staging: filepath.Join(dir, "staging"),
		ndjson: filepath.Join(dir, "alerts.ndjson"), config: filepath.Join(dir, "config.yaml")}
	if err := os.MkdirAll(e.quarantine, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`watch:
  folders:
    - path: %q
      source: test
      recursive: true
  staging: %q
  settle: 300ms
  rescan: 2s
  workers: 2
  shutdown_timeout: 5s
sinks:
  ndjson:
    path: %q
api:
  listen: 127.0.0.1:0
store:
  path: %q
%s`, e.quarantine, e.staging, e.ndjson, filepath.Join(dir, "db.sqlite"), extra)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// startWatch runs the binary and waits for its banner.
func startWatch(t *testing.T, e watchEnv, env ...string) *sidecarProc {
	t.Helper()
	cmd := exec.Command(binary, "--config", e.config, "watch")
	cmd.Env = append(cleanEnv(), env...)
	p := &sidecarProc{t: t, cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if line, ok := bannerLine(p.stderr.String()); ok {
			i := strings.Index(line, "http://")
			if i < 0 {
				t.Fatalf("banner lacks the API address: %q", line)
			}
			p.api = strings.TrimSuffix(strings.Fields(line[i:])[0], "/ui/")
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("watch exited early: %v\n%s", p.err, p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no banner within 20s:\n%s", p.stderr.String())
	return nil
}

func bannerLine(s string) (string, bool) {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "automaldesc watch: drop a file into ") {
			return l, true
		}
	}
	return "", false
}

func (p *sidecarProc) stop(sig syscall.Signal, within time.Duration) (int, time.Duration) {
	p.t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(within):
		p.t.Fatalf("no exit within %s after %v\n%s", within, sig, p.stderr.String())
	}
	return p.cmd.ProcessState.ExitCode(), time.Since(start)
}

// ecsLine is the part of an NDJSON line the tests read.
type ecsLine struct {
	Event struct {
		ID      string `json:"id"`
		Outcome string `json:"outcome"`
	} `json:"event"`
	File struct {
		Name string `json:"name"`
		Path string `json:"path"`
		Size int64  `json:"size"`
	} `json:"file"`
	Automaldesc struct {
		Status      string `json:"status"`
		Reason      string `json:"reason"`
		DuplicateOf string `json:"duplicate_of"`
	} `json:"automaldesc"`
}

func readNDJSON(t *testing.T, path string) []ecsLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []ecsLine
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1] // a line being written is not complete yet
	} else {
		b = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var l ecsLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("bad NDJSON line: %v\n%s", err, sc.Text())
		}
		out = append(out, l)
	}
	return out
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

type apiRecord struct {
	Seq         int64  `json:"seq"`
	ID          string `json:"id"`
	ItemID      string `json:"item_id"`
	Name        string `json:"name"`
	Path        string `json:"path"`
	Status      string `json:"status"`
	DuplicateOf string `json:"duplicate_of"`
}

// apiRecords pages through GET /v1/records.
func apiRecords(t *testing.T, base, query string) []apiRecord {
	t.Helper()
	var all []apiRecord
	after := int64(0)
	for {
		resp, err := http.Get(fmt.Sprintf("%s/v1/records?limit=1000&after=%d%s", base, after, query))
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Records []apiRecord `json:"records"`
			Next    int64       `json:"next"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /v1/records: %d %v", resp.StatusCode, err)
		}
		all = append(all, page.Records...)
		if page.Next == 0 {
			return all
		}
		after = page.Next
	}
}

func script(i int) string {
	return fmt.Sprintf("# inventory job %d\n$items = Get-ChildItem -Path 'C:\\Data\\%d'\nWrite-Output \"count: $($items.Count)\"\n", i, i)
}

func TestWatchThousandFiles(t *testing.T) {
	e := newWatchEnv(t, "")
	p := startWatch(t, e)
	outside := filepath.Join(e.dir, "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{} // path -> size
	var mu sync.Mutex
	add := func(p string, size int) { mu.Lock(); want[p] = int64(size); mu.Unlock() }
	var wg sync.WaitGroup
	// 40 written slowly in 3 chunks 100 ms apart (under the 300 ms settle).
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := filepath.Join(e.quarantine, fmt.Sprintf("slow-%03d.ps1", i))
			body := strings.Repeat(script(10000+i), 3)
			f, err := os.Create(path)
			if err != nil {
				t.Error(err)
				return
			}
			third := len(body) / 3
			for c := range 3 {
				end := (c + 1) * third
				if c == 2 {
					end = len(body)
				}
				f.WriteString(body[c*third : end])
				time.Sleep(100 * time.Millisecond)
			}
			f.Close()
			add(path, len(body))
		}()
	}
	// 700 written in place.
	for i := range 700 {
		path := filepath.Join(e.quarantine, fmt.Sprintf("job-%03d.ps1", i))
		write(t, e.quarantine, filepath.Base(path), script(i))
		add(path, len(script(i)))
	}
	// 100 moved in by rename.
	for i := range 100 {
		src := write(t, outside, fmt.Sprintf("mv-%03d.ps1", i), script(2000+i))
		dst := filepath.Join(e.quarantine, filepath.Base(src))
		if err := os.Rename(src, dst); err != nil {
			t.Fatal(err)
		}
		add(dst, len(script(2000+i)))
	}
	// 100 in new subfolders: 5 made in place, 5 filled outside and moved in whole.
	for d := range 10 {
		parent := e.quarantine
		if d >= 5 {
			parent = outside
		}
		sub := filepath.Join(parent, fmt.Sprintf("sub%d", d), "deeper")
		for i := range 10 {
			write(t, sub, fmt.Sprintf("f%d.ps1", i), script(3000+d*10+i))
			add(filepath.Join(e.quarantine, fmt.Sprintf("sub%d", d), "deeper", fmt.Sprintf("f%d.ps1", i)), len(script(3000+d*10+i)))
		}
		if d >= 5 {
			if err := os.Rename(filepath.Join(outside, fmt.Sprintf("sub%d", d)), filepath.Join(e.quarantine, fmt.Sprintf("sub%d", d))); err != nil {
				t.Fatal(err)
			}
		}
	}
	// 60 with content already dropped under another name, once those
	// originals are recorded: a copy analysed beside its original (two
	// workers; claims do not follow file order) is rightly analysed twice,
	// not a reuse of an earlier analysis.
	waitFor(t, 45*time.Second, "the originals of the copies recorded", func() bool {
		got := map[string]bool{}
		for _, l := range readNDJSON(t, e.ndjson) {
			got[l.File.Path] = true
		}
		for i := range 60 {
			if !got[filepath.Join(e.quarantine, fmt.Sprintf("job-%03d.ps1", i))] {
				return false
			}
		}
		return true
	})
	for i := range 60 {
		path := write(t, e.quarantine, fmt.Sprintf("dup-%03d.ps1", i), script(i))
		add(path, len(script(i)))
	}
	wg.Wait()
	if len(want) != 1000 {
		t.Fatalf("test setup: %d files, want 1000", len(want))
	}
	waitFor(t, 45*time.Second, "1000 NDJSON lines", func() bool { return len(readNDJSON(t, e.ndjson)) >= 1000 })
	time.Sleep(300 * time.Millisecond) // would-be extra records
	lines := readNDJSON(t, e.ndjson)
	if len(lines) != 1000 {
		t.Errorf("NDJSON lines: got %d, want 1000", len(lines))
	}
	seen := map[string]int{}
	dups := 0
	for _, l := range lines {
		seen[l.File.Path]++
		if l.Automaldesc.DuplicateOf != "" {
			dups++
		}
		if l.Automaldesc.Status != "ok" {
			t.Errorf("%s: status %s (%s), want ok", l.File.Path, l.Automaldesc.Status, l.Automaldesc.Reason)
		}
		if size, ok := want[l.File.Path]; !ok {
			t.Errorf("record for unexpected path %q", l.File.Path)
		} else if l.File.Size != size {
			t.Errorf("%s: size %d, want %d (claimed before it settled?)", l.File.Path, l.File.Size, size)
		}
	}
	for path := range want {
		if seen[path] != 1 {
			t.Errorf("%s: %d records, want 1", path, seen[path])
		}
	}
	if dups < 60 {
		t.Errorf("records reusing an earlier analysis: got %d, want >= 60", dups)
	}
	recs := apiRecords(t, p.api, "&source=test")
	if len(recs) != 1000 {
		t.Errorf("API records: got %d, want 1000", len(recs))
	}
	ids := map[string]bool{}
	for _, r := range recs {
		ids[r.ID] = true
	}
	if len(ids) != 1000 {
		t.Errorf("distinct record ids: got %d, want 1000", len(ids))
	}
	left := 0
	filepath.WalkDir(e.quarantine, func(_ string, d os.DirEntry, _ error) error {
		if d != nil && !d.IsDir() {
			left++
		}
		return nil
	})
	staged, _ := os.ReadDir(e.staging)
	if left != 0 || len(staged) != 0 {
		t.Errorf("files left: %d in quarantine, %d in staging; want 0 and 0", left, len(staged))
	}
	if code, took := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Errorf("SIGTERM: exit code %d after %s, want 0\n%s", code, took, p.stderr.String())
	}
}

func TestWatchKillAndRestart(t *testing.T) {
	e := newWatchEnv(t, "")
	p := startWatch(t, e)
	outside := filepath.Join(e.dir, "outside")
	const n = 400
	for i := range n {
		write(t, outside, fmt.Sprintf("k-%03d.ps1", i), script(5000+i))
	}
	for i := range n {
		name := fmt.Sprintf("k-%03d.ps1", i)
		if err := os.Rename(filepath.Join(outside, name), filepath.Join(e.quarantine, name)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 20*time.Second, "some records", func() bool { return len(readNDJSON(t, e.ndjson)) >= 40 })
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done
	before := len(readNDJSON(t, e.ndjson))
	if before >= n {
		t.Logf("all %d recorded before the kill; the restart still has to add nothing", n)
	}
	p = startWatch(t, e)
	waitFor(t, 30*time.Second, "a record per file after restart", func() bool {
		return len(apiRecords(t, p.api, "")) >= n
	})
	time.Sleep(500 * time.Millisecond)
	recs := apiRecords(t, p.api, "")
	byPath := map[string]int{}
	for _, r := range recs {
		byPath[r.Path]++
	}
	if len(recs) != n {
		t.Errorf("records: got %d, want %d (one per file)", len(recs), n)
	}
	for i := range n {
		path := filepath.Join(e.quarantine, fmt.Sprintf("k-%03d.ps1", i))
		if byPath[path] != 1 {
			t.Errorf("%s: %d records, want 1", path, byPath[path])
		}
	}
	// NDJSON is at least once: a line may repeat, but only with the same event id.
	waitFor(t, 10*time.Second, "NDJSON caught up", func() bool {
		ids := map[string]bool{}
		for _, l := range readNDJSON(t, e.ndjson) {
			ids[l.Event.ID] = true
		}
		return len(ids) == n
	})
	idOf := map[string]string{}
	for _, l := range readNDJSON(t, e.ndjson) {
		if prev, ok := idOf[l.File.Path]; ok && prev != l.Event.ID {
			t.Errorf("%s: two different record ids %s and %s", l.File.Path, prev, l.Event.ID)
		}
		idOf[l.File.Path] = l.Event.ID
	}
	staged, _ := os.ReadDir(e.staging)
	if len(staged) != 0 {
		t.Errorf("staging: %d files left, want 0", len(staged))
	}
	if code, _ := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestWatchWebhookOutage(t *testing.T) {
	const secret = "s3cret-for-tests"
	var mu sync.Mutex
	var up time.Time // the endpoint is down for 2s from the first request
	got := map[string]int{}
	failures, badSig := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if up.IsZero() {
			up = time.Now().Add(2 * time.Second)
		}
		if time.Now().Before(up) {
			failures++
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		if r.Header.Get("X-Automaldesc-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) {
			badSig++
		}
		got[r.Header.Get("X-Automaldesc-Record-Id")]++
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	e := newWatchEnv(t, "")
	cfg, _ := os.ReadFile(e.config)
	cfg = bytes.Replace(cfg, []byte("sinks:\n"), []byte(fmt.Sprintf("sinks:\n  webhook:\n    url: %s/hook\n    secret_env: HOOK_SECRET\n    timeout: 2s\n", srv.URL)), 1)
	if err := os.WriteFile(e.config, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	p := startWatch(t, e, "HOOK_SECRET="+secret)
	for i := range 30 {
		write(t, e.quarantine, fmt.Sprintf("w-%02d.ps1", i), script(7000+i))
	}
	waitFor(t, 30*time.Second, "30 webhook deliveries", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 30
	})
	mu.Lock()
	if failures == 0 {
		t.Error("the endpoint never answered 503: the outage was not exercised")
	}
	if badSig != 0 {
		t.Errorf("%d deliveries with a wrong signature", badSig)
	}
	mu.Unlock()
	// The NDJSON sink was not held back by the webhook.
	if n := len(readNDJSON(t, e.ndjson)); n != 30 {
		t.Errorf("NDJSON lines: got %d, want 30", n)
	}
	if code, _ := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestWatchOddEntries(t *testing.T) {
	e := newWatchEnv(t, "")
	outsideFile := write(t, t.TempDir(), "secret.ps1", cradlePS)
	// Present before start.
	if err := syscall.Mkfifo(filepath.Join(e.quarantine, "pipe.ps1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(e.quarantine, "missing"), filepath.Join(e.quarantine, "dangling.ps1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outsideFile, filepath.Join(e.quarantine, "out-link.ps1")); err != nil {
		t.Fatal(err)
	}
	p := startWatch(t, e)
	// Hostile name.
	hostile := "evil\n\x1b[31m\xff.ps1"
	write(t, e.quarantine, hostile, cradlePS)
	// Removed before it settles.
	gone := write(t, e.quarantine, "gone.ps1", script(1))
	time.Sleep(50 * time.Millisecond)
	os.Remove(gone)
	// Still being written for 1.5 s.
	growing := filepath.Join(e.quarantine, "growing.ps1")
	f, err := os.Create(growing)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for range 15 {
		n, _ := f.WriteString(script(total))
		total += n
		time.Sleep(100 * time.Millisecond)
		for _, l := range readNDJSON(t, e.ndjson) {
			if l.File.Name == "growing.ps1" {
				t.Fatalf("growing.ps1 recorded while still being written (size %d of >= %d)", l.File.Size, total)
			}
		}
	}
	f.Close()
	waitFor(t, 15*time.Second, "5 records", func() bool { return len(readNDJSON(t, e.ndjson)) >= 5 })
	time.Sleep(2500 * time.Millisecond) // a rescan must not add records
	byName := map[string]ecsLine{}
	lines := readNDJSON(t, e.ndjson)
	for _, l := range lines {
		byName[l.File.Name] = l
	}
	if len(lines) != 5 {
		t.Errorf("records: got %d, want 5 (pipe, dangling, out-link, hostile, growing)", len(lines))
	}
	tests := []struct {
		name, status, reason string
	}{
		{"pipe.ps1", "skipped", "named pipe"},
		{"dangling.ps1", "skipped", "symbolic link"},
		{"out-link.ps1", "skipped", "symbolic link"},
		{`evil\n\x1b[31m\xff.ps1`, "ok", ""},
		{"growing.ps1", "ok", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, ok := byName[tc.name]
			if !ok {
				t.Fatalf("no record for %q", tc.name)
			}
			if l.Automaldesc.Status != tc.status || !strings.Contains(l.Automaldesc.Reason, tc.reason) {
				t.Errorf("got status %q reason %q, want %q containing %q", l.Automaldesc.Status, l.Automaldesc.Reason, tc.status, tc.reason)
			}
		})
	}
	if l := byName["growing.ps1"]; l.File.Size != int64(total) {
		t.Errorf("growing.ps1: recorded size %d, want %d", l.File.Size, total)
	}
	for _, name := range []string{"pipe.ps1", "dangling.ps1", "out-link.ps1"} {
		if _, err := os.Lstat(filepath.Join(e.quarantine, name)); err != nil {
			t.Errorf("%s: not left in place: %v", name, err)
		}
	}
	if b, err := os.ReadFile(outsideFile); err != nil || string(b) != cradlePS {
		t.Errorf("symlink target outside the folder was touched: %v", err)
	}
	resp, err := http.Get(p.api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `automaldesc_watch_files_total{outcome="vanished"} `) {
		t.Errorf("metrics lack the vanished count:\n%s", b)
	}
	if bytes.Contains(b, []byte("\x1b")) {
		t.Error("metrics carry a raw escape sequence")
	}
	if code, took := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 || took > 5*time.Second {
		t.Errorf("SIGTERM: exit code %d after %s, want 0 within 5s", code, took)
	}
}

func TestWatchRefusesOpenBindWithoutToken(t *testing.T) {
	e := newWatchEnv(t, "")
	cfg, _ := os.ReadFile(e.config)
	cfg = bytes.Replace(cfg, []byte("127.0.0.1:0"), []byte("0.0.0.0:0"), 1)
	os.WriteFile(e.config, cfg, 0o600)
	r := runBin(t, "", nil, "--config", e.config, "watch")
	if r.code != 2 || !strings.Contains(r.stderr, "non-loopback") {
		t.Errorf("got exit %d, stderr %q; want 2 and a refusal naming the non-loopback bind", r.code, r.stderr)
	}
}

package main

// Fault drills: the sidecar binary under the faults an operator meets -
// a full disk under the NDJSON sink or the store, files that vanish, refuse
// to be read or moved, a 1 GiB file, symlink loops, a flood of tiny files,
// a rule file turned to garbage during a hot reload, and SIGKILL at random
// points. Each drill asserts what must hold afterwards: every file exactly
// one record, nothing delivered twice under different ids, nothing lost.
//
// The long versions (100,000 tiny files; 20 kill/restart cycles) run with
// AUTOMALDESC_LONG_DRILLS=1 (`make drills`); by default 20,000 files and 5
// cycles. The disk-full drills mount a small tmpfs and the permission drill
// drops CAP_DAC_OVERRIDE with setpriv(1): both need root (as here and in
// CI); without it they skip, or fail when CI is set.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/sidecar/sink"
)

// longDrills reports whether the long drill versions were asked for.
func longDrills() bool { return os.Getenv("AUTOMALDESC_LONG_DRILLS") == "1" }

// needRoot skips (or, under CI, fails) a drill whose fault needs a
// privilege the test does not have.
func needRoot(t *testing.T, what string, err error) {
	t.Helper()
	msg := fmt.Sprintf("%s: %v", what, err)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// mountTmpfs mounts a tmpfs of size bytes and unmounts it at cleanup: a
// small tmpfs fills up like a real disk (ENOSPC part way through a write).
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "small-fs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		needRoot(t, "mount a tmpfs", fmt.Errorf("%v: %s", err, out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fillFS writes a file in dir until its file system is full.
func fillFS(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 16<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: got %v, want ENOSPC", dir, err)
			}
			return p
		}
	}
}

// launch starts the binary (behind wrap, e.g. setpriv, when given)
// without waiting for its banner.
func launch(t *testing.T, e watchEnv, wrap ...string) *sidecarProc {
	t.Helper()
	args := append(append([]string{}, wrap...), binary, "--config", e.config, "watch")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = cleanEnv()
	p := &sidecarProc{t: t, cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr, cmd.Stdout = p.stderr, io.Discard
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
	return p
}

// awaitBanner waits for the banner of a launched sidecar and notes its API.
func (p *sidecarProc) awaitBanner() {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if line, ok := bannerLine(p.stderr.String()); ok {
			i := strings.Index(line, "http://")
			if i < 0 {
				p.t.Fatalf("banner lacks the API address: %q", line)
			}
			p.api = strings.TrimSuffix(strings.Fields(line[i:])[0], "/ui/")
			return
		}
		select {
		case <-p.done:
			p.t.Fatalf("watch exited early: %v\n%s", p.err, p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	p.t.Fatalf("no banner within 30s:\n%s", p.stderr.String())
}

func (p *sidecarProc) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		p.t.Fatal(err)
	}
	<-p.done
}

// metric returns the value of one series on /metrics (0 when absent).
func metric(t *testing.T, api, series string) float64 {
	t.Helper()
	resp, err := http.Get(api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", series, err)
			}
			return f
		}
	}
	return 0
}

// metricLines returns the /metrics lines that start with prefix.
func metricLines(t *testing.T, api, prefix string) []string {
	t.Helper()
	resp, err := http.Get(api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// setWatch adds keys to the watch: section of the env's config.
func setWatch(t *testing.T, e watchEnv, keys string) {
	t.Helper()
	b, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("\n  workers: 2\n")) {
		t.Fatal("config template changed: no watch.workers line")
	}
	b = bytes.Replace(b, []byte("\n  workers: 2\n"), []byte("\n  workers: 2\n"+keys), 1)
	if err := os.WriteFile(e.config, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// drillLine is the part of an NDJSON line the drills read.
type drillLine struct {
	Event struct {
		ID string `json:"id"`
	} `json:"event"`
	File struct {
		Name string `json:"name"`
		Path string `json:"path"`
		Size int64  `json:"size"`
		Hash struct {
			SHA256 string `json:"sha256"`
		} `json:"hash"`
	} `json:"file"`
	Rule struct {
		Name []string `json:"name"`
	} `json:"rule"`
	Automaldesc struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
		Engine struct {
			RulesVersion string `json:"rules_version"`
		} `json:"engine"`
	} `json:"automaldesc"`
}

// readDrillLines parses every complete line; a broken line fails the test.
func readDrillLines(t *testing.T, path string) []drillLine {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []drillLine
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return out // EOF: a line without its newline is still being written
		}
		var l drillLine
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatalf("%s: broken NDJSON line %d: %v", path, len(out)+1, err)
		}
		out = append(out, l)
	}
}

// readAllDrillLines reads the rotated NDJSON files, oldest first, then
// the current one.
func readAllDrillLines(t *testing.T, path string) []drillLine {
	t.Helper()
	rotated, err := sink.Rotated(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []drillLine
	for _, r := range rotated {
		out = append(out, readDrillLines(t, r)...)
	}
	return append(out, readDrillLines(t, path)...)
}

// countLines counts complete lines without parsing them.
func countLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte{'\n'})
}

// waitPoll is waitFor with a custom poll interval, for expensive checks.
func waitPoll(t *testing.T, timeout, every time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(every)
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, _ error) error {
		if d != nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// TestDrillNDJSONDiskFull: the NDJSON sink's disk fills up while records
// keep coming. Delivery fails (logged, automaldesc_sink_failures_total),
// the cursor holds, the store keeps every record, and once space returns
// every record is delivered exactly once with no broken line.
func TestDrillNDJSONDiskFull(t *testing.T) {
	fsDir := mountTmpfs(t, 1<<20)
	e := newWatchEnv(t, "")
	b, _ := os.ReadFile(e.config)
	out := filepath.Join(fsDir, "alerts.ndjson")
	b = bytes.Replace(b, []byte(fmt.Sprintf("path: %q\napi", e.ndjson)), []byte(fmt.Sprintf("path: %q\napi", out)), 1)
	if !bytes.Contains(b, []byte(out)) {
		t.Fatal("config template changed: cannot move sinks.ndjson.path")
	}
	os.WriteFile(e.config, b, 0o600)
	e.ndjson = out
	p := startWatch(t, e)

	const n = 60
	for i := range 5 {
		write(t, e.quarantine, fmt.Sprintf("before-%02d.ps1", i), script(20000+i))
	}
	waitFor(t, 20*time.Second, "5 lines before the disk fills", func() bool { return countLines(t, out) == 5 })
	filler := fillFS(t, fsDir)
	for i := 5; i < n; i++ {
		write(t, e.quarantine, fmt.Sprintf("full-%02d.ps1", i), script(20000+i))
	}
	waitFor(t, 30*time.Second, "every record stored while the sink's disk is full", func() bool {
		return len(apiRecords(t, p.api, "")) == n
	})
	failures := `automaldesc_sink_failures_total{sink="ndjson",kind="deliver"}`
	waitFor(t, 10*time.Second, "a delivery failure counted", func() bool { return metric(t, p.api, failures) >= 1 })
	if lag := metric(t, p.api, `automaldesc_sink_lag_records{sink="ndjson"}`); lag < 1 {
		t.Errorf("sink lag on a full disk: got %v, want >= 1 (the cursor must hold)", lag)
	}
	if !strings.Contains(p.stderr.String(), "no space left on device") {
		t.Errorf("the failure is not logged with its cause:\n%s", p.stderr.String())
	}
	if got := len(readDrillLines(t, out)); got >= n {
		t.Fatalf("lines on a full disk: got %d, want < %d (was the disk full at all?)", got, n)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 40*time.Second, "every record delivered after space returned", func() bool { return countLines(t, out) >= n })
	time.Sleep(300 * time.Millisecond) // would-be duplicates
	lines := readDrillLines(t, out)
	if len(lines) != n {
		t.Errorf("lines: got %d, want %d (each record once)", len(lines), n)
	}
	ids := map[string]int{}
	for _, l := range lines {
		ids[l.Event.ID]++
	}
	for _, r := range apiRecords(t, p.api, "") {
		if ids[r.ID] != 1 {
			t.Errorf("record %s (%s): %d lines, want 1", r.ID, r.Name, ids[r.ID])
		}
	}
	if lag := metric(t, p.api, `automaldesc_sink_lag_records{sink="ndjson"}`); lag != 0 {
		t.Errorf("sink lag after recovery: got %v, want 0", lag)
	}
	if code, _ := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Errorf("exit code %d, want 0\n%s", code, p.stderr.String())
	}
}

// TestDrillStoreDiskFull: the store's disk fills up. Enqueues and record
// writes fail (logged, counted), nothing is marked done, the sidecar keeps
// running, and once space returns every file gets exactly one record.
func TestDrillStoreDiskFull(t *testing.T) {
	fsDir := mountTmpfs(t, 8<<20)
	e := newWatchEnv(t, "")
	b, _ := os.ReadFile(e.config)
	db := filepath.Join(fsDir, "db.sqlite")
	b = bytes.Replace(b, []byte(fmt.Sprintf("%q", filepath.Join(e.dir, "db.sqlite"))), []byte(fmt.Sprintf("%q", db)), 1)
	if !bytes.Contains(b, []byte(db)) {
		t.Fatal("config template changed: cannot move store.path")
	}
	os.WriteFile(e.config, b, 0o600)
	// A short lease so a record write that failed is retried soon; enough
	// attempts that the outage does not turn files into error records.
	setWatch(t, e, "  lease: 2s\n  max_attempts: 100\n")
	p := startWatch(t, e)

	filler := fillFS(t, fsDir)
	const n = 40
	for i := range n {
		write(t, e.quarantine, fmt.Sprintf("s-%02d.ps1", i), script(30000+i))
	}
	errSeries := []string{`automaldesc_watch_files_total{outcome="error"}`, `automaldesc_errors_total{kind="store"}`, `automaldesc_errors_total{kind="lease"}`}
	waitFor(t, 30*time.Second, "store errors counted", func() bool {
		for _, s := range errSeries {
			if metric(t, p.api, s) > 0 {
				return true
			}
		}
		return false
	})
	time.Sleep(time.Second)
	select {
	case <-p.done:
		t.Fatalf("the sidecar exited on a full store disk: %v\n%s", p.err, p.stderr.String())
	default:
	}
	if log := p.stderr.String(); !strings.Contains(log, "disk is full") && !strings.Contains(log, "no space left on device") {
		t.Errorf("the store failure is not logged with its cause:\n%s", log)
	}
	stored := len(apiRecords(t, p.api, ""))
	if testing.Verbose() {
		for _, l := range strings.Split(p.stderr.String(), "\n") {
			if strings.Contains(l, "full") || strings.Contains(l, "no space") {
				t.Log(l)
				break
			}
		}
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "a record per file after space returned", func() bool { return len(apiRecords(t, p.api, "")) >= n })
	time.Sleep(500 * time.Millisecond)
	recs := apiRecords(t, p.api, "")
	t.Logf("records while full: %d of %d", stored, n)
	byPath := map[string]int{}
	for _, r := range recs {
		byPath[r.Path]++
	}
	waitFor(t, 20*time.Second, "NDJSON caught up", func() bool { return countLines(t, e.ndjson) >= n })
	lines := readDrillLines(t, e.ndjson)
	if len(lines) != n {
		t.Errorf("NDJSON lines: got %d, want %d", len(lines), n)
	}
	for _, l := range lines {
		if l.Automaldesc.Status != "ok" {
			t.Errorf("%s: got %s %q, want ok", l.File.Path, l.Automaldesc.Status, l.Automaldesc.Reason)
		}
	}
	if len(recs) != n {
		t.Errorf("records: got %d, want %d", len(recs), n)
	}
	for i := range n {
		if path := filepath.Join(e.quarantine, fmt.Sprintf("s-%02d.ps1", i)); byPath[path] != 1 {
			t.Errorf("%s: %d records, want 1", path, byPath[path])
		}
	}
	if code, _ := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Errorf("exit code %d, want 0\n%s", code, p.stderr.String())
	}
}

// sha256 of 1 GiB of zero bytes (`truncate -s 1G f; sha256sum f`).
const gibZeroSHA256 = "49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14"

// TestDrillHostileEntries runs one sidecar without CAP_DAC_OVERRIDE and
// CAP_DAC_READ_SEARCH (setpriv), so file modes bind it as they bind an
// unprivileged daemon, against entries that resist being read or claimed.
// Expected, entry by entry:
//   - removed between its fsnotify event and the claim: no record and
//     counted as vanished, or (removed after the enqueue) one skipped record
//     "file removed before ..."; a file that was claimed first has its record;
//   - mode 000: one error record "permission denied", left in place;
//   - immutable (chattr +i: root cannot rename it): the claim's rename fails
//     (EPERM), the file is analysed in place, one ok record, left in place;
//   - 1 GiB sparse file: skipped as oversized within seconds, with its size
//     and its sha256 computed by streaming;
//   - symlink loops (a->b->a, and loop -> . in a subfolder): never followed,
//     one skipped record per link, left in place, no hang, nothing added by
//     later rescans.
func TestDrillHostileEntries(t *testing.T) {
	wrap := []string{"setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"}
	if out, err := exec.Command(wrap[0], append(wrap[1:], "true")...).CombinedOutput(); err != nil {
		needRoot(t, "setpriv --bounding-set", fmt.Errorf("%v: %s", err, out))
	}
	e := newWatchEnv(t, "")
	q := e.quarantine

	// Present before the start.
	denied := write(t, q, "denied.ps1", script(40001))
	if err := os.Chmod(denied, 0); err != nil {
		t.Fatal(err)
	}
	immutable := write(t, q, "immutable.ps1", script(40002))
	chattr := exec.Command("chattr", "+i", immutable).Run()
	if chattr == nil {
		t.Cleanup(func() { exec.Command("chattr", "-i", immutable).Run() })
	}
	big := filepath.Join(e.dir, "big.bin")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 1<<30); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("b.ps1", filepath.Join(q, "a.ps1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.ps1", filepath.Join(q, "b.ps1")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(q, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".", filepath.Join(q, "sub", "loop")); err != nil {
		t.Fatal(err)
	}
	p := launch(t, e, wrap...)
	p.awaitBanner()

	// The 1 GiB file is moved in whole; the clock runs from the move.
	bigIn := filepath.Join(q, "big.bin")
	if err := os.Rename(big, bigIn); err != nil {
		t.Fatal(err)
	}
	movedAt := time.Now()

	// Files removed at random moments around the 300 ms settle time.
	seed := rand.Uint64()
	t.Logf("vanish seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	const nv = 30
	removed := map[string]bool{} // path -> the test's remove succeeded
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range nv {
		path := write(t, q, fmt.Sprintf("vanish-%02d.ps1", i), script(41000+i))
		delay := time.Duration(rng.IntN(900)) * time.Millisecond
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(delay)
			err := os.Remove(path)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Error(err)
			}
			mu.Lock()
			removed[path] = err == nil
			mu.Unlock()
		}()
	}
	wg.Wait()
	waitFor(t, 45*time.Second, "the record of the 1 GiB file", func() bool {
		for _, r := range apiRecords(t, p.api, "") {
			if r.Path == bigIn {
				return true
			}
		}
		return false
	})
	t.Logf("1 GiB file recorded within %s of the move", time.Since(movedAt).Round(time.Millisecond))

	const want = 6 // denied, immutable, big, a, b, sub/loop (+ vanish records)
	waitFor(t, 60*time.Second, "a record for each hostile entry", func() bool {
		n := 0
		for _, r := range apiRecords(t, p.api, "") {
			if !strings.Contains(r.Name, "vanish-") {
				n++
			}
		}
		return n >= want
	})
	time.Sleep(2500 * time.Millisecond) // a rescan (2s) must add nothing
	lines := readDrillLines(t, e.ndjson)
	byPath := map[string][]drillLine{}
	for _, l := range lines {
		byPath[l.File.Path] = append(byPath[l.File.Path], l)
	}
	one := func(path string) (drillLine, bool) {
		t.Helper()
		ls := byPath[path]
		if len(ls) != 1 {
			t.Errorf("%s: %d records, want 1", path, len(ls))
			return drillLine{}, false
		}
		return ls[0], true
	}

	t.Run("permission denied", func(t *testing.T) {
		l, ok := one(denied)
		if ok && (l.Automaldesc.Status != "error" || !strings.Contains(l.Automaldesc.Reason, "permission denied")) {
			t.Errorf("got %s %q, want error with \"permission denied\"", l.Automaldesc.Status, l.Automaldesc.Reason)
		}
		if _, err := os.Lstat(denied); err != nil {
			t.Errorf("not left in place: %v", err)
		}
	})
	t.Run("immutable", func(t *testing.T) {
		if chattr != nil {
			needRoot(t, "chattr +i", chattr)
		}
		l, ok := one(immutable)
		if ok && (l.Automaldesc.Status != "ok" || l.File.Size != int64(len(script(40002)))) {
			t.Errorf("got %s %q size %d, want ok, analysed in place", l.Automaldesc.Status, l.Automaldesc.Reason, l.File.Size)
		}
		if _, err := os.Lstat(immutable); err != nil {
			t.Errorf("not left in place: %v", err)
		}
		if got := metric(t, p.api, `automaldesc_watch_files_total{outcome="error"}`); got < 1 {
			t.Errorf("watch error outcomes: got %v, want >= 1 (the failed rename)", got)
		}
	})
	t.Run("1 GiB sparse", func(t *testing.T) {
		l, ok := one(bigIn)
		if !ok {
			return
		}
		if l.Automaldesc.Status != "skipped" || !strings.Contains(l.Automaldesc.Reason, "max_file_size") {
			t.Errorf("got %s %q, want skipped over limits.max_file_size", l.Automaldesc.Status, l.Automaldesc.Reason)
		}
		if l.File.Size != 1<<30 || l.File.Hash.SHA256 != gibZeroSHA256 {
			t.Errorf("got size %d sha256 %s, want %d and %s", l.File.Size, l.File.Hash.SHA256, 1<<30, gibZeroSHA256)
		}
	})
	for _, link := range []string{filepath.Join(q, "a.ps1"), filepath.Join(q, "b.ps1"), filepath.Join(q, "sub", "loop")} {
		t.Run("symlink loop "+filepath.Base(link), func(t *testing.T) {
			l, ok := one(link)
			if ok && (l.Automaldesc.Status != "skipped" || !strings.Contains(l.Automaldesc.Reason, "symbolic link")) {
				t.Errorf("got %s %q, want skipped as a symbolic link", l.Automaldesc.Status, l.Automaldesc.Reason)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("not left in place: %v", err)
			}
		})
	}
	t.Run("vanished", func(t *testing.T) {
		noRecord := 0
		for path, rmOK := range removed {
			ls := byPath[path]
			switch {
			case len(ls) > 1:
				t.Errorf("%s: %d records, want at most 1", path, len(ls))
			case !rmOK && len(ls) == 0:
				t.Errorf("%s: claimed before the removal but no record", path)
			case !rmOK && ls[0].Automaldesc.Status != "ok":
				t.Errorf("%s: claimed before the removal: got %s %q, want ok", path, ls[0].Automaldesc.Status, ls[0].Automaldesc.Reason)
			case rmOK && len(ls) == 0:
				noRecord++
			case rmOK && (ls[0].Automaldesc.Status != "skipped" || !strings.Contains(ls[0].Automaldesc.Reason, "removed before")):
				t.Errorf("%s: removed: got %s %q, want skipped \"removed before ...\"", path, ls[0].Automaldesc.Status, ls[0].Automaldesc.Reason)
			}
		}
		if got := metric(t, p.api, `automaldesc_watch_files_total{outcome="vanished"}`); got < float64(noRecord) {
			t.Errorf("vanished count: got %v, want >= %d (removed files without a record)", got, noRecord)
		}
		t.Logf("of %d files removed at random: %d vanished without a record", nv, noRecord)
	})
	if len(lines) != len(byPath) {
		t.Errorf("NDJSON: %d lines for %d paths, want one line per path", len(lines), len(byPath))
	}
	if code, took := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Errorf("SIGTERM: exit code %d after %s, want 0\n%s", code, took, p.stderr.String())
	}
}

// TestDrillManyTinyFiles drops 20,000 tiny files (100,000 with
// AUTOMALDESC_LONG_DRILLS=1) as one folder moved in: the sidecar drains
// them all, each exactly one record and one NDJSON line.
func TestDrillManyTinyFiles(t *testing.T) {
	n := 20000
	if longDrills() {
		n = 100000
	}
	e := newWatchEnv(t, "")
	setWatch(t, e, "  batch: 256\n")
	p := startWatch(t, e)
	outside := filepath.Join(e.dir, "outside", "flood")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := range n {
		if err := os.WriteFile(filepath.Join(outside, fmt.Sprintf("t%06d.sh", i)), fmt.Appendf(nil, "echo tiny %d\n", i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gen := time.Since(start)
	start = time.Now()
	if err := os.Rename(outside, filepath.Join(e.quarantine, "flood")); err != nil {
		t.Fatal(err)
	}
	delivered := `automaldesc_sink_delivered_total{sink="ndjson"}`
	waitPoll(t, time.Duration(n/100+60)*time.Second, 500*time.Millisecond, fmt.Sprintf("%d delivered records", n), func() bool {
		return metric(t, p.api, delivered) >= float64(n)
	})
	drain := time.Since(start)
	t.Logf("%d files: generated in %s, drained in %s (%.0f files/s)", n, gen.Round(time.Millisecond), drain.Round(time.Millisecond), float64(n)/drain.Seconds())
	time.Sleep(500 * time.Millisecond)
	lines := readAllDrillLines(t, e.ndjson)
	if len(lines) != n {
		t.Errorf("NDJSON lines: got %d, want %d", len(lines), n)
	}
	paths, ids := make(map[string]int, n), make(map[string]bool, n)
	for _, l := range lines {
		paths[l.File.Path]++
		ids[l.Event.ID] = true
		if l.Automaldesc.Status != "ok" {
			t.Errorf("%s: status %s (%s), want ok", l.File.Path, l.Automaldesc.Status, l.Automaldesc.Reason)
		}
	}
	if len(ids) != n {
		t.Errorf("distinct event ids: got %d, want %d", len(ids), n)
	}
	missing := 0
	for i := range n {
		if paths[filepath.Join(e.quarantine, "flood", fmt.Sprintf("t%06d.sh", i))] != 1 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d files without exactly one record", missing, n)
	}
	if got := len(apiRecords(t, p.api, "")); got != n {
		t.Errorf("store records: got %d, want %d", got, n)
	}
	if left := countFiles(t, e.quarantine) + countFiles(t, e.staging); left != 0 {
		t.Errorf("files left in quarantine and staging: %d, want 0", left)
	}
	if code, _ := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// drillRule matches the marker only the first version of the rule file
// knows; drillRuleNew replaces it in the last step.
const (
	drillRule    = "rule drill_old_only {\n  strings:\n    $m = \"DRILL-MARKER-OLD-7f3a\"\n  condition:\n    $m\n}\n"
	drillRuleNew = "rule drill_new_only {\n  strings:\n    $m = \"DRILL-MARKER-NEW-52c1\"\n  condition:\n    $m\n}\n"
	drillGarbage = "rule drill_old_only {\n  strings:\n    $m = \"DRILL-MARK\n  condition: ((( \x00\xff garbage\n"
)

func markerScript(i int, marker string) string {
	return fmt.Sprintf("# maintenance task %d\n# tag: %s\nWrite-Output \"step %d done\"\n", i, marker, i)
}

// TestDrillRulesGarbageReload: the rule file is replaced by garbage while
// the sidecar runs. The reload keeps the old set whole (logged with the
// file:line, counted kept_old), so a rule only in the old file still
// matches new samples; SIGHUP reloads without stopping the daemon; a
// fixed file then takes effect and records carry the new rules version.
func TestDrillRulesGarbageReload(t *testing.T) {
	ruleDir := filepath.Join(t.TempDir(), "rules")
	if err := os.MkdirAll(ruleDir, 0o755); err != nil {
		t.Fatal(err)
	}
	ruleFile := filepath.Join(ruleDir, "drill.yar")
	if err := os.WriteFile(ruleFile, []byte(drillRule), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newWatchEnv(t, fmt.Sprintf("rules:\n  dirs:\n    - %q\n", ruleDir))
	p := startWatch(t, e)
	version := func() string {
		ls := metricLines(t, p.api, "automaldesc_rules_version_info{")
		if len(ls) != 1 {
			t.Fatalf("rules version series: got %q, want exactly one", ls)
		}
		v, _, _ := strings.Cut(strings.TrimPrefix(ls[0], `automaldesc_rules_version_info{version="`), `"`)
		return v
	}
	reloads := func(outcome string) float64 {
		return metric(t, p.api, fmt.Sprintf(`automaldesc_rules_reloads_total{outcome=%q}`, outcome))
	}
	record := func(name string) drillLine {
		t.Helper()
		var got drillLine
		waitFor(t, 20*time.Second, "the record of "+name, func() bool {
			for _, l := range readDrillLines(t, e.ndjson) {
				if l.File.Name == name {
					got = l
					return true
				}
			}
			return false
		})
		return got
	}
	matched := func(l drillLine, rule string) bool {
		for _, n := range l.Rule.Name {
			if strings.HasSuffix(n, rule) {
				return true
			}
		}
		return false
	}
	v0 := version()

	write(t, e.quarantine, "before.ps1", markerScript(1, "DRILL-MARKER-OLD-7f3a"))
	if l := record("before.ps1"); !matched(l, "drill_old_only") || l.Automaldesc.Engine.RulesVersion != v0 {
		t.Fatalf("before the garbage: rules %v version %s, want drill_old_only and %s", l.Rule.Name, l.Automaldesc.Engine.RulesVersion, v0)
	}

	if err := os.WriteFile(ruleFile, []byte(drillGarbage), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "a kept_old reload", func() bool { return reloads("kept_old") >= 1 })
	if v := version(); v != v0 {
		t.Errorf("version after the garbage: got %s, want %s (old set kept)", v, v0)
	}
	if log := p.stderr.String(); !strings.Contains(log, "drill.yar:") || !strings.Contains(log, "previous rule set stays in force") {
		t.Errorf("the kept reload is not logged with the broken file:line:\n%s", log)
	}
	write(t, e.quarantine, "after-garbage.ps1", markerScript(2, "DRILL-MARKER-OLD-7f3a"))
	if l := record("after-garbage.ps1"); !matched(l, "drill_old_only") || l.Automaldesc.Engine.RulesVersion != v0 {
		t.Errorf("after the garbage: rules %v version %s, want drill_old_only and %s", l.Rule.Name, l.Automaldesc.Engine.RulesVersion, v0)
	}

	t.Run("SIGHUP", func(t *testing.T) {
		before := reloads("kept_old")
		if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 10*time.Second, "a reload on SIGHUP", func() bool { return reloads("kept_old") > before })
		select {
		case <-p.done:
			t.Fatalf("SIGHUP stopped the sidecar: %v", p.err)
		default:
		}
	})

	if err := os.WriteFile(ruleFile, []byte(drillRuleNew), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "a reload of the fixed file", func() bool { return reloads("reloaded") >= 1 })
	v1 := version()
	if v1 == v0 {
		t.Fatalf("version after the fix: still %s", v0)
	}
	write(t, e.quarantine, "after-fix.ps1", markerScript(3, "DRILL-MARKER-NEW-52c1 DRILL-MARKER-OLD-7f3a"))
	if l := record("after-fix.ps1"); !matched(l, "drill_new_only") || matched(l, "drill_old_only") || l.Automaldesc.Engine.RulesVersion != v1 {
		t.Errorf("after the fix: rules %v version %s, want drill_new_only only and %s", l.Rule.Name, l.Automaldesc.Engine.RulesVersion, v1)
	}
	if code, _ := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// TestDrillKillRestart SIGKILLs the sidecar at random points of a 2,000-file
// run, 5 times (20 with AUTOMALDESC_LONG_DRILLS=1), restarting it after
// each kill. Files arrive in waves while it is down, so each life has work
// to be killed in: the startup recovery, the scan and claims, analyses,
// record writes and NDJSON delivery. In the end every file has exactly one
// record, the NDJSON file holds each record's id (a line may repeat, never
// under another id), and nothing is left in quarantine or staging.
func TestDrillKillRestart(t *testing.T) {
	const n = 2000
	reps := 5
	if longDrills() {
		reps = 20
	}
	seed := rand.Uint64()
	t.Logf("seed %d, %d kills", seed, reps)
	rng := rand.New(rand.NewPCG(seed, 1))
	e := newWatchEnv(t, "")
	outside := filepath.Join(e.dir, "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	paths := make([]string, 0, n)
	next := 0
	wave := func(count int) {
		for ; count > 0 && next < n; count-- {
			name := fmt.Sprintf("kr-%04d.ps1", next)
			src := write(t, outside, name, script(50000+next))
			dst := filepath.Join(e.quarantine, name)
			if err := os.Rename(src, dst); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, dst)
			next++
		}
	}
	per := n / (reps + 1) // the last wave arrives before the final start
	for i := range reps {
		wave(per)
		p := launch(t, e)
		var delay time.Duration
		if rng.IntN(5) == 0 {
			delay = time.Duration(rng.IntN(600)) * time.Millisecond // during startup and recovery
		} else {
			p.awaitBanner()
			delay = time.Duration(rng.IntN(700)) * time.Millisecond // a wave takes about that long
		}
		time.Sleep(delay)
		p.kill()
		t.Logf("kill %d after %s: %d NDJSON lines so far", i+1, delay, countLines(t, e.ndjson))
	}
	wave(n)
	p := launch(t, e)
	p.awaitBanner()
	waitPoll(t, 90*time.Second, 250*time.Millisecond, "a record per file after the last restart", func() bool {
		return len(apiRecords(t, p.api, "")) >= n
	})
	waitPoll(t, 30*time.Second, 250*time.Millisecond, "NDJSON caught up", func() bool {
		return metric(t, p.api, `automaldesc_sink_lag_records{sink="ndjson"}`) == 0
	})
	time.Sleep(300 * time.Millisecond)
	recs := apiRecords(t, p.api, "")
	if len(recs) != n {
		t.Errorf("store records: got %d, want %d", len(recs), n)
	}
	idOf := map[string]string{}
	for _, r := range recs {
		if prev, ok := idOf[r.Path]; ok {
			t.Errorf("%s: two records %s and %s", r.Path, prev, r.ID)
		}
		idOf[r.Path] = r.ID
		if r.Status != "ok" {
			t.Errorf("%s: status %s, want ok", r.Path, r.Status)
		}
	}
	for _, path := range paths {
		if _, ok := idOf[path]; !ok {
			t.Errorf("%s: no record", path)
		}
	}
	lines := readAllDrillLines(t, e.ndjson)
	delivered := map[string]bool{}
	for _, l := range lines {
		want, ok := idOf[l.File.Path]
		switch {
		case !ok:
			t.Errorf("NDJSON line for unknown path %q", l.File.Path)
		case l.Event.ID != want:
			t.Errorf("%s: NDJSON event id %s, want the record's %s", l.File.Path, l.Event.ID, want)
		}
		delivered[l.Event.ID] = true
	}
	if len(delivered) != n {
		t.Errorf("distinct NDJSON event ids: got %d, want %d", len(delivered), n)
	}
	t.Logf("NDJSON: %d lines for %d records (at least once: %d redelivered)", len(lines), n, len(lines)-len(delivered))
	if left := countFiles(t, e.quarantine) + countFiles(t, e.staging); left != 0 {
		t.Errorf("files left in quarantine and staging: %d, want 0", left)
	}
	if code, _ := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Errorf("exit code %d, want 0\n%s", code, p.stderr.String())
	}
}

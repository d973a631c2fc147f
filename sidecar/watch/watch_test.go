package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// recQueue records enqueued items (and can fail after enqueueing).
type recQueue struct {
	st        store.Store
	mu        sync.Mutex
	items     map[string]store.Item
	at        map[string]time.Time
	failAfter bool // enqueue, then report an error (a crash before the rename)
}

func (q *recQueue) Enqueue(ctx context.Context, it store.Item) (bool, error) {
	added, err := q.st.Enqueue(ctx, it)
	if err != nil {
		return added, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.items[it.ID]; !ok {
		q.items[it.ID], q.at[it.ID] = it, time.Now()
	}
	if q.failAfter {
		return false, errors.New("simulated crash after enqueue")
	}
	return added, nil
}

func (q *recQueue) snapshot() map[string]store.Item {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[string]store.Item, len(q.items))
	for k, v := range q.items {
		out[k] = v
	}
	return out
}

type env struct {
	dir, folder, staging string
	st                   store.Store
}

func newEnv(t *testing.T) env {
	t.Helper()
	dir := t.TempDir()
	e := env{dir: dir, folder: filepath.Join(dir, "q"), staging: filepath.Join(dir, "staging")}
	for _, d := range []string{e.folder, e.staging} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	return e
}

// start runs a watcher until the returned stop is called.
func start(t *testing.T, e env, q Queue, f Folder) (*Watcher, func()) {
	t.Helper()
	if f.Path == "" {
		f.Path = e.folder
	}
	w, err := New(Options{Folders: []Folder{f}, Staging: e.staging, Settle: 150 * time.Millisecond, Queue: q})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return w, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestSettleWaitsForChunkedWriter(t *testing.T) {
	e := newEnv(t)
	q := &recQueue{st: e.st, items: map[string]store.Item{}, at: map[string]time.Time{}}
	_, stop := start(t, e, q, Folder{Recursive: true})
	defer stop()
	path := filepath.Join(e.folder, "slow.ps1")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := strings.Repeat("Write-Output 'x'\n", 20)
	for range 6 { // a chunk every 100 ms: never quiet for the 150 ms settle
		if _, err := f.WriteString(chunk); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		if n := len(q.snapshot()); n != 0 {
			t.Fatalf("claimed while still being written (%d items)", n)
		}
	}
	f.Close()
	lastWrite := time.Now()
	waitUntil(t, 5*time.Second, "the claim", func() bool { return len(q.snapshot()) == 1 })
	for id, it := range q.snapshot() {
		if q.at[id].Before(lastWrite) {
			t.Errorf("claimed at %s, before the last write at %s", q.at[id], lastWrite)
		}
		fi, err := os.Stat(it.Path)
		if err != nil {
			t.Fatalf("staged file: %v", err)
		}
		if got, want := fi.Size(), int64(6*len(chunk)); got != want {
			t.Errorf("staged size: got %d, want %d", got, want)
		}
		if it.Path != StagingPath(e.staging, id) || it.Meta[MetaMode] != ModeClaim || it.Meta[MetaOrigPath] != path {
			t.Errorf("item: got %+v", it)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("original still in place after the claim: %v", err)
	}
}

func TestClaimRaceWithRemovals(t *testing.T) {
	e := newEnv(t)
	q := &recQueue{st: e.st, items: map[string]store.Item{}, at: map[string]time.Time{}}
	w, stop := start(t, e, q, Folder{Recursive: true})
	defer stop()
	const n = 200
	for i := range n {
		if err := os.WriteFile(filepath.Join(e.folder, fmt.Sprintf("f%03d", i)), []byte(fmt.Sprint(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	removed := map[string]bool{}
	for i := 0; i < n; i += 4 { // a quarter disappears while settling (or races the claim)
		p := filepath.Join(e.folder, fmt.Sprintf("f%03d", i))
		if os.Remove(p) == nil {
			removed[p] = true
		}
	}
	waitUntil(t, 10*time.Second, "every file claimed or gone", func() bool {
		left, _ := os.ReadDir(e.folder)
		return len(left) == 0 && len(q.snapshot()) >= n-len(removed)
	})
	time.Sleep(300 * time.Millisecond)
	items := q.snapshot()
	paths := map[string]int{}
	for _, it := range items {
		paths[it.Meta[MetaOrigPath]]++
	}
	for p, c := range paths {
		if c != 1 {
			t.Errorf("%s: enqueued %d times, want 1", p, c)
		}
	}
	// Every surviving file is claimed once, into staging. A file removed
	// in the instant between enqueue and rename has an item without a
	// staged file (the worker records it as removed); that is allowed.
	for i := range n {
		p := filepath.Join(e.folder, fmt.Sprintf("f%03d", i))
		if !removed[p] && paths[p] != 1 {
			t.Errorf("%s: enqueued %d times, want 1", p, paths[p])
		}
	}
	for id, it := range items {
		_, err := os.Stat(StagingPath(e.staging, id))
		if removed[it.Meta[MetaOrigPath]] != (err != nil) {
			t.Errorf("%s: removed=%v but staged file error %v", it.Meta[MetaOrigPath], removed[it.Meta[MetaOrigPath]], err)
		}
	}
	if v := w.Outcomes().Value(OutcomeVanished); v == 0 {
		t.Error("vanished count: got 0, want > 0")
	}
}

func TestCrashBetweenEnqueueAndRename(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(e.folder, "a.ps1")
	if err := os.WriteFile(path, []byte("Write-Output 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	os.Chtimes(path, past, past)
	crashing := &recQueue{st: e.st, items: map[string]store.Item{}, at: map[string]time.Time{}, failAfter: true}
	_, stop := start(t, e, crashing, Folder{})
	waitUntil(t, 5*time.Second, "the enqueue", func() bool { return len(crashing.snapshot()) == 1 })
	stop()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the file must still be in place after the crash: %v", err)
	}
	// Restart: the same file instance maps to the same item, and the claim
	// is finished instead of enqueued again.
	q := &recQueue{st: e.st, items: map[string]store.Item{}, at: map[string]time.Time{}}
	_, stop = start(t, e, q, Folder{})
	defer stop()
	var id string
	for k := range crashing.snapshot() {
		id = k
	}
	waitUntil(t, 5*time.Second, "the staged file", func() bool {
		_, err := os.Stat(StagingPath(e.staging, id))
		return err == nil
	})
	if n, err := e.st.PendingCount(context.Background()); err != nil || n != 1 {
		t.Errorf("pending items: got %d, %v; want 1", n, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("original still in place: %v", err)
	}
}

func TestReadOnlyAndRejects(t *testing.T) {
	e := newEnv(t)
	ro := filepath.Join(e.dir, "ro")
	os.MkdirAll(filepath.Join(ro, "sub"), 0o755)
	os.WriteFile(filepath.Join(ro, "a.ps1"), []byte("Write-Output 1\n"), 0o644)
	os.WriteFile(filepath.Join(ro, "sub", "deep.ps1"), []byte("Write-Output 2\n"), 0o644)
	syscall.Mkfifo(filepath.Join(ro, "pipe"), 0o644)
	os.Symlink("/etc/passwd", filepath.Join(ro, "link"))
	q := &recQueue{st: e.st, items: map[string]store.Item{}, at: map[string]time.Time{}}
	w, err := New(Options{Folders: []Folder{{Path: ro, ReadOnly: true}}, Staging: e.staging, Settle: 50 * time.Millisecond,
		Rescan: time.Second, Queue: q})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	waitUntil(t, 5*time.Second, "three items", func() bool { return len(q.snapshot()) >= 3 })
	time.Sleep(1500 * time.Millisecond) // one periodic rescan: nothing new
	cancel()
	<-done
	byName := map[string]store.Item{}
	for _, it := range q.snapshot() {
		byName[it.Name] = it
	}
	tests := []struct {
		name, mode, reason string
	}{
		{"a.ps1", ModeReadOnly, ""},
		{"pipe", ModeReject, "named pipe"},
		{"link", ModeReject, "symbolic link"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it, ok := byName[tc.name]
			if !ok {
				t.Fatalf("no item")
			}
			if it.Meta[MetaMode] != tc.mode || !strings.Contains(it.Meta[MetaRejectReason], tc.reason) {
				t.Errorf("got mode %q reason %q, want %q containing %q", it.Meta[MetaMode], it.Meta[MetaRejectReason], tc.mode, tc.reason)
			}
			if _, err := os.Lstat(filepath.Join(ro, tc.name)); err != nil {
				t.Errorf("not left in place: %v", err)
			}
		})
	}
	if _, ok := byName["deep.ps1"]; ok {
		t.Error("non-recursive folder: a file in a subfolder was taken")
	}
	if len(byName) != 3 {
		t.Errorf("items: got %d, want 3 (each entry once across rescans)", len(byName))
	}
}

func TestNewRefusesOverlap(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name    string
		folders []Folder
		staging string
	}{
		{"staging inside folder", []Folder{{Path: e.folder}}, e.folder},
		{"nested folders", []Folder{{Path: e.dir}, {Path: e.folder}}, e.staging},
		{"missing folder", []Folder{{Path: filepath.Join(e.dir, "nope")}}, e.staging},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(Options{Folders: tc.folders, Staging: tc.staging, Settle: time.Second, Queue: e.st}); err == nil {
				t.Error("got no error")
			}
		})
	}
}

// TestCreatedAndGoneCountsAsVanished: a file that enters the folder and
// leaves before the watcher looks is counted once as vanished (its create
// event), never silently, and its remove event does not count it again.
func TestCreatedAndGoneCountsAsVanished(t *testing.T) {
	e := newEnv(t)
	w, err := New(Options{Folders: []Folder{{Path: e.folder}}, Staging: e.staging, Settle: 150 * time.Millisecond, Queue: &recQueue{}})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(e.folder, "gone.ps1")
	w.event(fsnotify.Event{Name: p, Op: fsnotify.Create})
	w.event(fsnotify.Event{Name: p, Op: fsnotify.Remove})
	if got := w.Outcomes().Value(OutcomeVanished); got != 1 {
		t.Errorf("vanished after create+remove of a file never seen: got %v, want 1", got)
	}
	// A file that was a candidate is counted by forget, once.
	q := filepath.Join(e.folder, "cand.ps1")
	if err := os.WriteFile(q, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.event(fsnotify.Event{Name: q, Op: fsnotify.Create})
	if err := os.Remove(q); err != nil {
		t.Fatal(err)
	}
	w.event(fsnotify.Event{Name: q, Op: fsnotify.Remove})
	if got := w.Outcomes().Value(OutcomeVanished); got != 2 {
		t.Errorf("vanished after a candidate was removed: got %v, want 2", got)
	}
}

package sink

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mountTmpfs mounts a tmpfs of size bytes on a fresh directory and
// unmounts it at cleanup. A small tmpfs is the honest way to hit ENOSPC:
// writes fail part way, exactly like a full disk. It needs root (tests run
// as root locally and in CI); without it the test skips, or fails under CI=1.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "full")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		msg := fmt.Sprintf("cannot mount a tmpfs (needs root): %v %s", err, out)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file until the file system is full and returns its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill: got %v, want ENOSPC", err)
			}
			return p
		}
	}
}

func TestNDJSONDiskFull(t *testing.T) {
	dir := mountTmpfs(t, 256<<10)
	path := filepath.Join(dir, "alerts.ndjson")
	n, err := NewNDJSON(path, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	batch := func(from, count int) []Encoded {
		var out []Encoded
		for i := from; i < from+count; i++ {
			body := fmt.Sprintf(`{"event":{"id":"rec-%04d"},"pad":%q}`, i, strings.Repeat("x", 3000))
			out = append(out, Encoded{Seq: int64(i + 1), ID: fmt.Sprintf("rec-%04d", i), Body: []byte(body)})
		}
		return out
	}
	// Some records land before the disk fills up.
	if got, err := n.Deliver(t.Context(), batch(0, 5)); err != nil || got != 5 {
		t.Fatalf("before full: got %d, %v; want 5, nil", got, err)
	}
	filler := fill(t, dir)
	// Full: every attempt fails and confirms nothing, again and again.
	pending := batch(5, 30)
	for attempt := range 3 {
		got, err := n.Deliver(t.Context(), pending)
		if err == nil || got != 0 {
			t.Fatalf("attempt %d on a full disk: got %d, %v; want 0 and an error", attempt, got, err)
		}
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("attempt %d: got %v, want an error wrapping ENOSPC", attempt, err)
		}
	}
	// Space returns: the same batch (the runner redelivers from its cursor) goes through.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if got, err := n.Deliver(t.Context(), pending); err != nil || got != len(pending) {
		t.Fatalf("after space returned: got %d, %v; want %d, nil", got, err, len(pending))
	}
	if got, err := n.Deliver(t.Context(), batch(35, 5)); err != nil || got != 5 {
		t.Fatalf("next batch: got %d, %v; want 5, nil", got, err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	lines := 0
	for sc.Scan() {
		lines++
		var d struct {
			Event struct {
				ID string `json:"id"`
			} `json:"event"`
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("line %d is broken (a partial write left behind?): %v", lines, err)
		}
		seen[d.Event.ID]++
	}
	if lines != 40 {
		t.Errorf("lines: got %d, want 40", lines)
	}
	for i := range 40 {
		if id := fmt.Sprintf("rec-%04d", i); seen[id] != 1 {
			t.Errorf("%s: %d lines, want 1", id, seen[id])
		}
	}
}

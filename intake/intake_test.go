package intake

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.ps1")
	if err := os.WriteFile(small, []byte("Write-Host hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.ps1")
	payload := bytes.Repeat([]byte("A"), 5000)
	if err := os.WriteFile(big, payload, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}

	s, err := ReadFile(small, 1024)
	if err != nil || string(s.Data) != "Write-Host hi\n" || s.Name != "small.ps1" {
		t.Errorf("small: got %+v, %v", s, err)
	}

	s, err = ReadFile(big, 1024)
	if err != nil {
		t.Fatalf("big: %v", err)
	}
	if s.Data != nil || s.Size != 5000 {
		t.Errorf("big: got %d bytes held, size %d; want none held, size 5000", len(s.Data), s.Size)
	}
	if want := analysis.HashBytes(payload); s.Hashes == nil || *s.Hashes != want {
		t.Errorf("big: hashes got %+v, want %+v", s.Hashes, want)
	}

	// Opening a FIFO for reading would block forever; ReadFile must not.
	done := make(chan error, 1)
	go func() { _, err := ReadFile(fifo, 1024); done <- err }()
	err = <-done
	var rej *Rejection
	if !errors.As(err, &rej) || rej.Status != analysis.StatusSkipped || !strings.Contains(rej.Reason, "not a regular file") {
		t.Errorf("fifo: got %v, want a skipped rejection", err)
	}

	_, err = ReadFile(filepath.Join(dir, "absent"), 1024)
	if !errors.As(err, &rej) || rej.Status != analysis.StatusError {
		t.Errorf("absent: got %v, want an error rejection", err)
	}
}

func TestWalk(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	mk := func(p string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk(filepath.Join(root, "a", "one.sh"))
	mk(filepath.Join(root, "two.py"))
	mk(filepath.Join(outside, "secret"))
	links := map[string]string{
		"in-link":  filepath.Join(root, "two.py"),
		"out-link": filepath.Join(outside, "secret"),
		"dir-link": filepath.Join(root, "a"),
		"loop":     filepath.Join(root, "loop"),
		"dangling": filepath.Join(root, "nothing"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]string{}
	err := Walk(root, func(e Entry) error {
		rel, _ := filepath.Rel(root, e.Path)
		switch {
		case e.Reject != nil:
			got[rel] = string(e.Reject.Status)
		default:
			got[rel] = "read"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a/one.sh": "read", "two.py": "read", "in-link": "read",
		"out-link": "skipped", "dir-link": "skipped", "loop": "error", "dangling": "error",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("entries: got %v, want %v", got, want)
	}
}

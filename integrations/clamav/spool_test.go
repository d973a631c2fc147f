package clamav

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSpoolRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hints")
	now := time.Now().UTC().Truncate(time.Millisecond)
	want := Hint{Path: "/home/u/a.ps1", Signature: sig, Size: 73, SHA256: shaA, Time: now}
	p, err := WriteSpool(dir, want)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(p, SpoolExt) {
		t.Errorf("spool file %s: want the %s extension", p, SpoolExt)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("spool dir: got %v %v, want mode 0700", fi.Mode(), err)
	}
	s := NewHints(0, 0, nil)
	n, err := LoadSpool(dir, s)
	if err != nil || n != 1 {
		t.Fatalf("LoadSpool: got %d, %v; want 1, nil", n, err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("spool file still there after loading: %v", err)
	}
	got, ok := s.Match(File{Name: "a.ps1.001", Size: 73, SHA256: shaA, Seen: now})
	if !ok || got != want {
		t.Errorf("loaded hint: got %+v (ok=%v), want %+v", got, ok, want)
	}
	if n, err := LoadSpool(dir, s); n != 0 || err != nil {
		t.Errorf("LoadSpool of an empty spool: got %d, %v; want 0, nil", n, err)
	}
}

func TestSpoolRejects(t *testing.T) {
	dir := t.TempDir()
	good, err := WriteSpool(dir, Hint{Path: "/u/good.ps1", Signature: sig, Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.json", `{"signature":"","time":"2026-11-24T06:00:00Z"}`)
	old := write("old.json", `{"path":"/u/old.ps1","signature":"S","time":"2001-01-01T00:00:00Z"}`)
	tmp := write(".tmp-123.json-456", `{}`)
	other := write("notes.txt", `x`)
	target := write("target.txt", `{"path":"/u/t.ps1","signature":"S","time":"`+time.Now().Format(time.RFC3339)+`"}`)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}

	s := NewHints(0, 0, nil)
	done := make(chan struct{})
	var n int
	go func() {
		defer close(done)
		n, err = LoadSpool(dir, s)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("LoadSpool blocked (FIFO opened for reading?)")
	}
	if n != 1 {
		t.Errorf("added: got %d, want 1", n)
	}
	for _, want := range []string{"bad.json", "old.json", "link.json", "fifo.json"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error: got %v, want it to name %s", err, want)
		}
	}
	for _, p := range []string{good, bad, old, link, fifo} {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: got %v, want it removed", filepath.Base(p), err)
		}
	}
	for _, p := range []string{tmp, other, target} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s: got %v, want it left alone", filepath.Base(p), err)
		}
	}
	if _, ok := s.Match(File{Name: "t.ps1", Seen: time.Now()}); ok {
		t.Error("the symlinked hint was followed")
	}
}

func TestLoadSpoolMissingDir(t *testing.T) {
	n, err := LoadSpool(filepath.Join(t.TempDir(), "absent"), NewHints(0, 0, nil))
	if n != 0 || err != nil {
		t.Errorf("got %d, %v; want 0, nil", n, err)
	}
}

func TestWriteSpoolInvalid(t *testing.T) {
	dir := t.TempDir()
	if _, err := WriteSpool(dir, Hint{Path: "instream(local)", Signature: sig, Time: time.Now()}); !errors.Is(err, ErrNoKey) {
		t.Errorf("got %v, want ErrNoKey", err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("got %d files, want none", len(es))
	}
}

package intake

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"

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

// TestReadAtMostMatchesReadAll compares readAtMost with what read used
// before, io.ReadAll over an io.LimitReader, for every combination of
// stale size hints, limits and short or failing readers.
func TestReadAtMostMatchesReadAll(t *testing.T) {
	errBoom := errors.New("boom")
	readers := map[string]func(b []byte) io.Reader{
		"plain":    func(b []byte) io.Reader { return bytes.NewReader(b) },
		"one byte": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
		"half":     func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
		"data+EOF": func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
		"fails":    func(b []byte) io.Reader { return io.MultiReader(bytes.NewReader(b), iotest.ErrReader(errBoom)) },
	}
	for _, size := range []int{0, 1, 511, 512, 513, 4096, 70000} {
		data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		for name, mk := range readers {
			for _, limit := range []int64{1, 2, 512, int64(size), int64(size) + 1, 1 << 20} {
				if limit <= 0 {
					continue
				}
				want, wantErr := io.ReadAll(io.LimitReader(mk(data), limit))
				for _, hint := range []int64{0, 1, int64(size) / 2, int64(size), int64(size) + 7, 1 << 30} {
					got, err := readAtMost(mk(data), limit, hint)
					if !bytes.Equal(got, want) || err != wantErr {
						t.Fatalf("%s, size %d, limit %d, hint %d: got %d bytes, %v; want %d bytes, %v",
							name, size, limit, hint, len(got), err, len(want), wantErr)
					}
				}
			}
		}
	}
}

// TestReadFileGrowsPastStat reads a file whose size changed after Stat; the
// hint must not cut it short.
func TestReadFileGrowsPastStat(t *testing.T) {
	r := io.MultiReader(strings.NewReader(strings.Repeat("x", 100)), strings.NewReader(strings.Repeat("y", 5000)))
	s, err := read(analysis.Sample{}, r, 1<<20, 100)
	if err != nil || len(s.Data) != 5100 {
		t.Fatalf("got %d bytes, %v; want 5100", len(s.Data), err)
	}
}

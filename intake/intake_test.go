package intake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/internal/corpus"
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

// TestReadFileMatchesOS compares ReadFile with the *os.File version it
// replaced on every kind of path a scan meets: regular files under and over
// the limit, empty files, a FIFO, a directory, a device, a socket, absent
// and unusable paths, and every dev corpus sample when the corpus is there.
func TestReadFileMatchesOS(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	paths := []string{
		write("empty", nil),
		write("small.ps1", []byte("Write-Host hi\n")),
		write("limit", bytes.Repeat([]byte("b"), 1024)),
		write("over", bytes.Repeat([]byte("c"), 1025)),
		write("big", bytes.Repeat([]byte("0123456789"), 70000)),
		dir,
		os.DevNull,
		filepath.Join(dir, "absent"),
		filepath.Join(dir, "small.ps1", "under-a-file"),
		filepath.Join(dir, "nul\x00byte"),
		"",
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	paths = append(paths, fifo)
	if l, err := net.Listen("unix", filepath.Join(dir, "sock")); err == nil {
		defer l.Close()
		paths = append(paths, filepath.Join(dir, "sock"))
	}
	// Stat says 0 bytes, a read gives more: the size hint must not cut it.
	if _, err := os.Stat("/proc/version"); err == nil {
		paths = append(paths, "/proc/version")
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(dir, "small.ps1"), link); err != nil {
		t.Fatal(err)
	}
	paths = append(paths, link)
	if d, err := corpus.Open(corpus.Dev); err == nil {
		found, _ := filepath.Glob(filepath.Join(d, "samples", "*"))
		paths = append(paths, found...)
	}
	for _, p := range paths {
		for _, limit := range []int64{1024, 8 << 20} {
			got, gerr := ReadFile(p, limit)
			want, werr := readFileOS(p, limit)
			if fmt.Sprint(gerr) != fmt.Sprint(werr) || !reflect.DeepEqual(got, want) {
				t.Errorf("%q, limit %d:\ngot  %+v, %v\nwant %+v, %v", p, limit, got, gerr, want, werr)
			}
			var gr, wr *Rejection
			if errors.As(gerr, &gr) != errors.As(werr, &wr) || (gr != nil && *gr != *wr) {
				t.Errorf("%q: rejection %+v, want %+v", p, gr, wr)
			}
		}
	}
}

func BenchmarkReadFile(b *testing.B) {
	dir := corpus.Require(b, corpus.Dev)
	paths, err := filepath.Glob(filepath.Join(dir, "samples", "*"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("no samples: %v", err)
	}
	for _, impl := range []struct {
		name string
		read func(string, int64) (analysis.Sample, error)
	}{{"fd", ReadFile}, {"os", readFileOS}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, p := range paths {
					if _, err := impl.read(p, 8<<20); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

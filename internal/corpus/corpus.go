// Package corpus gives tests access to the shared third-party script corpora
// (../shared/corpora beside the repository). The tarballs are unpacked once
// into a cache folder keyed by their size and modification time.
//
// The corpora are never copied into the repository. When they are absent a
// test is skipped locally, but fails when the CI environment variable is set:
// CI always has them. Corpus tests take seconds to minutes, so `go test
// -short` (make test-short) skips them, again except under CI, which runs
// them whatever the flags: a test needs no -short check of its own.
package corpus

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/automaldesc/automaldesc/internal/race"
)

// Split names a corpus split.
type Split string

// The splits shipped in ../shared/corpora.
const (
	Dev   Split = "dev"
	Train Split = "train"
)

var mu sync.Mutex

// Tarball returns the path of the split's tarball, searching upward from the
// working directory for a folder that holds shared/corpora. It returns "" when
// none is found. AUTOMALDESC_CORPORA overrides the search.
func Tarball(s Split) string {
	name := string(s) + ".tar.gz"
	if dir := os.Getenv("AUTOMALDESC_CORPORA"); dir != "" {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "shared", "corpora", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

// Open unpacks the split (once per tarball version) and returns the folder
// holding manifest.tsv and samples/.
func Open(s Split) (string, error) {
	tb := Tarball(s)
	if tb == "" {
		return "", fmt.Errorf("corpus %s: shared/corpora/%s.tar.gz not found above the working directory", s, s)
	}
	fi, err := os.Stat(tb)
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil || cache == "" {
		cache = os.TempDir()
	}
	dest := filepath.Join(cache, "automaldesc-corpora", fmt.Sprintf("%s-%d-%d", s, fi.Size(), fi.ModTime().Unix()))
	mu.Lock()
	defer mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", err
	}
	// A file lock serialises unpacking across test binaries running in parallel.
	lf, err := os.OpenFile(dest+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lf.Fd()), syscall.LOCK_UN) //nolint:errcheck // released on close anyway
	if _, err := os.Stat(filepath.Join(dest, ".complete")); err == nil {
		return dest, nil
	}
	tmp := dest + ".tmp"
	os.RemoveAll(tmp)
	if err := untar(tb, tmp); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("corpus %s: unpack: %w", s, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return "", err
	}
	os.RemoveAll(dest)
	if err := os.Rename(tmp, dest); err != nil {
		return "", err
	}
	return dest, nil
}

// Require returns the unpacked split for a test. Without the corpus it skips
// the test, unless CI is set, where it fails. In -short mode it skips the
// test, unless CI is set, where the test runs.
func Require(t testing.TB, s Split) string {
	t.Helper()
	ci := os.Getenv("CI") != ""
	if testing.Short() && !ci {
		t.Skip("corpus tests skipped in -short mode")
	}
	dir, err := Open(s)
	if err != nil {
		if ci {
			t.Fatalf("CI needs the shared corpora: %v", err)
		}
		t.Skipf("corpus not available: %v", err)
	}
	return dir
}

func untar(src, dest string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
			return fmt.Errorf("entry %q escapes the destination", h.Name)
		}
		p := filepath.Join(dest, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, io.LimitReader(tr, h.Size)); err != nil {
				out.Close()
				return err
			}
			if err := out.Close(); err != nil {
				return err
			}
		}
	}
}

// Sweep calls fn with the file name and text of the split's samples, in
// name order, for a differential sweep (new code against a frozen copy of
// the old, say). Under the race detector it takes every race.Stride-th
// sample only: such a sweep is single-goroutine and gains nothing from the
// detector but its slow-down (see package race). Without the corpus it
// behaves as Require: the test skips locally and fails in CI. It returns
// the number of samples swept.
func Sweep(t testing.TB, s Split, fn func(name, text string)) int {
	t.Helper()
	dir := filepath.Join(Require(t, s), "samples")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, e := range entries {
		if !race.Sample(i) || !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fn(e.Name(), string(b))
		n++
	}
	if n == 0 {
		t.Fatalf("corpus %s: no samples in %s", s, dir)
	}
	return n
}

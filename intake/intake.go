// Package intake reads samples from the file system and standard input for
// the scan command and the sidecar: size-limited reads that hash oversized
// files without holding them, refusal of non-regular files (a FIFO would
// block forever), and directory walks that do not follow symlinks out of
// the scanned root. Every path found yields either a sample or a rejection
// with a reason, never silence.
package intake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/automaldesc/automaldesc/analysis"
)

// Rejection is a path that cannot be handed to the engine, with the status
// and reason its report carries.
type Rejection struct {
	Status analysis.Status
	Reason string
}

func (r *Rejection) Error() string { return r.Reason }

// ErrNotRegular is wrapped by rejections of devices, FIFOs and sockets.
var ErrNotRegular = errors.New("not a regular file")

// ReadFile opens path and returns its sample. A file over maxSize is hashed
// by streaming and returned without Data (the engine then skips it with the
// reason). Errors are *Rejection values.
//
// The file is read through its bare descriptor rather than an *os.File: a
// scan opens thousands of small files, and an *os.File costs each of them
// an attempt to register with the network poller (an epoll_ctl that fails
// for regular files), an allocation with a cleanup to run, and locking on
// every read.
func ReadFile(path string, maxSize int64) (analysis.Sample, error) {
	s := analysis.Sample{Name: filepath.Base(path), Path: path}
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	// writer forever. It changes nothing for regular files, and the type is
	// checked on the open descriptor, so a swap after the check is harmless.
	fd, err := open(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY|syscall.O_CLOEXEC)
	if err != nil {
		return s, &Rejection{analysis.StatusError, fmt.Sprintf("open: %v", err)}
	}
	var st syscall.Stat_t
	if err := ignoringEINTR(func() error { return syscall.Fstat(fd, &st) }); err != nil {
		syscall.Close(fd)
		return s, &Rejection{analysis.StatusError, fmt.Sprintf("stat: %v", err)}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return s, notRegular(fd, path)
	}
	defer syscall.Close(fd)
	return read(s, fdReader(fd), maxSize, st.Size)
}

// notRegular closes fd, a descriptor that is not a regular file's, and
// returns its rejection, naming the type as os.FileMode does.
func notRegular(fd int, path string) error {
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return &Rejection{analysis.StatusError, fmt.Sprintf("stat: %v", unwrapPath(err))}
	}
	return &Rejection{analysis.StatusSkipped, fmt.Sprintf("%v (%s)", ErrNotRegular, fi.Mode().Type())}
}

// open is open(2) retried on EINTR, as os.OpenFile does.
func open(path string, flags int) (int, error) {
	for {
		fd, err := syscall.Open(path, flags, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

func ignoringEINTR(fn func() error) error {
	for {
		if err := fn(); err != syscall.EINTR {
			return err
		}
	}
}

// fdReader reads a file descriptor as os.File.Read does a regular file:
// interrupted reads are retried, end of file is io.EOF, and a single read
// asks for at most maxRead bytes.
type fdReader int

// maxRead is os.File's cap on one read(2) (some systems refuse more).
const maxRead = 1 << 30

func (fd fdReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(p) > maxRead {
		p = p[:maxRead]
	}
	for {
		n, err := syscall.Read(int(fd), p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// ReadStdin reads a sample from r under the given display name.
func ReadStdin(r io.Reader, name string, maxSize int64) (analysis.Sample, error) {
	return read(analysis.Sample{Name: name}, r, maxSize, 0)
}

// read reads up to maxSize bytes of r; sizeHint is the size r is expected to
// have (0 when unknown).
func read(s analysis.Sample, r io.Reader, maxSize, sizeHint int64) (analysis.Sample, error) {
	data, err := readAtMost(r, maxSize+1, sizeHint)
	if err != nil {
		return s, &Rejection{analysis.StatusError, fmt.Sprintf("read: %v", unwrapPath(err))}
	}
	if int64(len(data)) <= maxSize {
		s.Data = data
		return s, nil
	}
	// Over the limit: finish hashing by streaming so the report still
	// identifies the file, but never hold it.
	h, n, err := analysis.HashReader(io.MultiReader(bytes.NewReader(data), r))
	if err != nil {
		return s, &Rejection{analysis.StatusError, fmt.Sprintf("read: %v", unwrapPath(err))}
	}
	s.Size, s.Hashes = n, &h
	return s, nil
}

// readAtMost reads r until EOF or limit bytes, like
// io.ReadAll(io.LimitReader(r, limit)), into a buffer sized for sizeHint
// bytes. With the size a file had at Stat, a whole file takes one read and
// one more to see EOF, where io.ReadAll starts at 512 bytes and grows. The
// hint may be stale (a file can grow or shrink while read): it only sizes
// the first buffer.
func readAtMost(r io.Reader, limit, sizeHint int64) ([]byte, error) {
	// One byte more than expected so that EOF needs no bigger buffer.
	b := make([]byte, 0, max(512, min(sizeHint, limit-1)+1))
	for int64(len(b)) < limit {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // let append grow the buffer
		}
		n, err := r.Read(b[len(b):min(int64(cap(b)), limit)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Entry is one path found by Walk: a file to read, or a rejection.
type Entry struct {
	Path   string // the path as found (a symlink's own path)
	Target string // the file to read (the symlink's target inside the root)
	Reject *Rejection
}

// Walk visits root (a file or a directory, recursively) and calls fn for
// every non-directory entry in lexical order. Symlinks are resolved: a link
// to a file inside root is read through, a link leaving root or to a
// directory is rejected with the reason. Unreadable directories are
// reported as rejections too. fn's error stops the walk.
func Walk(root string, fn func(Entry) error) error {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return fn(Entry{Path: root, Reject: &Rejection{analysis.StatusError, fmt.Sprintf("open: %v", unwrapPath(err))}})
	}
	fi, err := os.Stat(realRoot)
	if err != nil {
		return fn(Entry{Path: root, Reject: &Rejection{analysis.StatusError, fmt.Sprintf("stat: %v", unwrapPath(err))}})
	}
	if !fi.IsDir() {
		return fn(Entry{Path: root, Target: realRoot})
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() && p != root {
				return errors.Join(fn(Entry{Path: p, Reject: &Rejection{analysis.StatusError, fmt.Sprintf("read directory: %v", unwrapPath(err))}}), filepath.SkipDir)
			}
			return fn(Entry{Path: p, Reject: &Rejection{analysis.StatusError, fmt.Sprintf("walk: %v", unwrapPath(err))}})
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return fn(Entry{Path: p, Target: p})
		}
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			return fn(Entry{Path: p, Reject: &Rejection{analysis.StatusError, fmt.Sprintf("symlink: %v", unwrapPath(err))}})
		}
		if !within(realRoot, target) {
			return fn(Entry{Path: p, Reject: &Rejection{analysis.StatusSkipped, "symlink points outside the scanned root; not followed"}})
		}
		if ti, err := os.Stat(target); err == nil && ti.IsDir() {
			return fn(Entry{Path: p, Reject: &Rejection{analysis.StatusSkipped, "symlink to a directory; not followed (its files are scanned where they are)"}})
		}
		return fn(Entry{Path: p, Target: target})
	})
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

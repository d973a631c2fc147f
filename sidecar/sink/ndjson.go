package sink

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// NDJSON appends one JSON document per line to a file, rotating it by size
// and age and keeping the newest Keep rotated files.
//
// Durability: every batch is written, flushed and fsynced before Deliver
// returns, and the runner moves the cursor only after that, so a record
// whose cursor moved is on disk. A crash between fsync and the cursor
// write duplicates at most one batch (receivers dedupe on event.id).
type NDJSON struct {
	path    string
	maxSize int64         // 0 = no size rotation
	maxAge  time.Duration // 0 = no age rotation
	keep    int
	now     func() time.Time

	f      *os.File
	w      *bufio.Writer
	size   int64
	opened time.Time
}

var _ Sink = (*NDJSON)(nil)

// NewNDJSON opens (or creates) the file at path.
func NewNDJSON(path string, maxSize int64, maxAge time.Duration, keep int) (*NDJSON, error) {
	n := &NDJSON{path: path, maxSize: maxSize, maxAge: maxAge, keep: keep, now: time.Now}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("ndjson %s: %w", path, err)
	}
	if err := n.open(); err != nil {
		return nil, err
	}
	return n, nil
}

// Name implements Sink.
func (n *NDJSON) Name() string { return "ndjson" }

func (n *NDJSON) open() error {
	f, err := os.OpenFile(n.path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("ndjson %s: %w", n.path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("ndjson %s: %w", n.path, err)
	}
	size := fi.Size()
	if size > 0 {
		// A crash mid-batch can leave a partial last line. Its batch was
		// never confirmed (the cursor did not move), so it is delivered
		// again: cut the fragment off rather than leave a broken line.
		if size, err = cutPartialLine(f, size); err != nil {
			f.Close()
			return fmt.Errorf("ndjson %s: repair: %w", n.path, err)
		}
	}
	n.f, n.w, n.size, n.opened = f, bufio.NewWriterSize(f, 64<<10), size, n.now()
	return nil
}

// cutPartialLine truncates f after its last newline and returns the new size.
func cutPartialLine(f *os.File, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	end := size
	for end > 0 {
		off := max(end-int64(len(buf)), 0)
		n, err := f.ReadAt(buf[:end-off], off)
		if err != nil && n < int(end-off) {
			return size, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			end = off + int64(i) + 1
			break
		}
		end = off
	}
	if end == size {
		return size, nil
	}
	if err := f.Truncate(end); err != nil {
		return size, err
	}
	return end, f.Sync()
}

// Deliver implements Sink.
func (n *NDJSON) Deliver(_ context.Context, batch []Encoded) (int, error) {
	if n.f == nil {
		if err := n.open(); err != nil {
			return 0, err
		}
	}
	start := n.size // the file's size before this batch
	for _, e := range batch {
		if n.size > 0 && ((n.maxSize > 0 && n.size+int64(len(e.Body))+1 > n.maxSize) || (n.maxAge > 0 && n.now().Sub(n.opened) >= n.maxAge)) {
			// rotate syncs what this batch wrote so far into the old file;
			// on any error the whole batch is redelivered (at least once).
			if err := n.rotate(); err != nil {
				return 0, n.undo(start, err)
			}
			start = n.size
		}
		if _, err := n.w.Write(e.Body); err != nil {
			return 0, n.undo(start, fmt.Errorf("ndjson %s: write: %w", n.path, err))
		}
		if err := n.w.WriteByte('\n'); err != nil {
			return 0, n.undo(start, fmt.Errorf("ndjson %s: write: %w", n.path, err))
		}
		n.size += int64(len(e.Body)) + 1
	}
	if err := n.sync(); err != nil {
		return 0, n.undo(start, err)
	}
	return len(batch), nil
}

// undo takes back a batch that failed (a full disk: ENOSPC part way
// through): the file is cut back to its size before the batch, so neither
// a partial line nor part of the batch stays behind, and closed, because a
// bufio.Writer keeps its first error forever. The next Deliver reopens the
// file, so delivery resumes once space returns. When the cut fails too,
// the reopen still removes a partial last line (whole lines of the batch
// may then be delivered twice: at least once).
func (n *NDJSON) undo(start int64, err error) error {
	if n.f == nil {
		return err
	}
	if terr := n.f.Truncate(start); terr != nil {
		err = errors.Join(err, fmt.Errorf("ndjson %s: cut back the failed batch: %w", n.path, terr))
	}
	n.f.Close()
	n.f, n.w = nil, nil
	return err
}

func (n *NDJSON) sync() error {
	if err := n.w.Flush(); err != nil {
		return fmt.Errorf("ndjson %s: write: %w", n.path, err)
	}
	if err := n.f.Sync(); err != nil {
		return fmt.Errorf("ndjson %s: fsync: %w", n.path, err)
	}
	return nil
}

// rotate syncs and closes the current file, renames it with a UTC
// timestamp, opens a new one and prunes old rotations.
func (n *NDJSON) rotate() error {
	if err := n.sync(); err != nil {
		return err
	}
	if err := n.f.Close(); err != nil {
		return fmt.Errorf("ndjson %s: close: %w", n.path, err)
	}
	n.f = nil
	ext := filepath.Ext(n.path)
	base := strings.TrimSuffix(n.path, ext)
	stamp := n.now().UTC().Format("20060102T150405.000000000Z")
	if err := os.Rename(n.path, base+"-"+stamp+ext); err != nil {
		return fmt.Errorf("ndjson %s: rotate: %w", n.path, err)
	}
	if err := n.open(); err != nil {
		return err
	}
	return n.prune()
}

// Rotated lists the rotated files of path, oldest first.
func Rotated(path string) ([]string, error) {
	ext := filepath.Ext(path)
	base := strings.TrimSuffix(path, ext)
	m, err := filepath.Glob(globEscape(base) + "-*" + globEscape(ext))
	if err != nil {
		return nil, err
	}
	sort.Strings(m) // the timestamp sorts chronologically
	return m, nil
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`)
	return r.Replace(s)
}

func (n *NDJSON) prune() error {
	old, err := Rotated(n.path)
	if err != nil {
		return fmt.Errorf("ndjson %s: prune: %w", n.path, err)
	}
	for len(old) > n.keep {
		if err := os.Remove(old[0]); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("ndjson %s: prune: %w", n.path, err)
		}
		old = old[1:]
	}
	return nil
}

// Close flushes, syncs and closes the file.
func (n *NDJSON) Close() error {
	if n.f == nil {
		return nil
	}
	err := n.sync()
	if cerr := n.f.Close(); err == nil {
		err = cerr
	}
	n.f = nil
	return err
}

package clamav

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SpoolExt is the extension of complete hint files in the spool directory;
// WriteSpool writes ".tmp-*" files first and renames them, so a reader
// never sees half a hint.
const SpoolExt = ".json"

// maxSpoolBatch caps the files one LoadSpool call reads.
const maxSpoolBatch = 1024

// WriteSpool writes h as one JSON file into dir (created 0700 when
// missing) and returns its path. The write is atomic (temporary file,
// fsync, rename).
func WriteSpool(dir string, h Hint) (string, error) {
	if err := h.Validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("hint: encode: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("hint spool %s: %w", dir, err)
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", fmt.Errorf("hint spool: %w", err)
	}
	name := fmt.Sprintf("%d-%s", h.Time.UnixNano(), hex.EncodeToString(rnd[:]))
	tmp, err := os.CreateTemp(dir, ".tmp-"+name+"-*")
	if err != nil {
		return "", fmt.Errorf("hint spool %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return "", fmt.Errorf("hint spool %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("hint spool %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("hint spool %s: %w", tmp.Name(), err)
	}
	final := filepath.Join(dir, name+SpoolExt)
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", fmt.Errorf("hint spool %s: %w", final, err)
	}
	return final, nil
}

// Adder takes hints: a Hints set, or whatever forwards them to one
// (the sidecar's relay to the other sidecars of a scale-out deployment).
type Adder interface {
	Add(h Hint) error
}

var _ Adder = (*Hints)(nil)

// LoadSpool moves the hint files of dir into s: each complete file is
// read (regular files only, never following links, at most MaxHintSize
// bytes), added and removed. Files that are not valid hints, or hints too
// old to keep, are removed too; their errors are joined into err. A missing
// directory is not an error. Files of other names (".tmp-*") are left
// alone.
func LoadSpool(dir string, s Adder) (added int, err error) {
	d, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("hint spool %s: %w", dir, err)
	}
	names, err := d.Readdirnames(maxSpoolBatch)
	d.Close()
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("hint spool %s: %w", dir, err)
	}
	var errs []error
	for _, n := range names {
		if !strings.HasSuffix(n, SpoolExt) || strings.HasPrefix(n, ".") {
			continue
		}
		p := filepath.Join(dir, n)
		h, rerr := readSpoolFile(p)
		if rerr == nil {
			rerr = s.Add(h)
		}
		if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("hint file %s: %w", n, rerr))
		}
		if rerr == nil {
			added++
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("hint file %s: %w", n, err))
		}
	}
	return added, errors.Join(errs...)
}

// readSpoolFile reads one hint file without following a link and without
// blocking on a FIFO.
func readSpoolFile(p string) (Hint, error) {
	f, err := openNoFollow(p)
	if err != nil {
		return Hint{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Hint{}, err
	}
	if !fi.Mode().IsRegular() {
		return Hint{}, fmt.Errorf("%w: not a regular file", ErrInvalid)
	}
	if fi.Size() > MaxHintSize {
		return Hint{}, fmt.Errorf("%w: larger than %d bytes", ErrInvalid, MaxHintSize)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxHintSize+1))
	if err != nil {
		return Hint{}, err
	}
	return ParseHint(b)
}

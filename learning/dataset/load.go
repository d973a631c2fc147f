package dataset

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
)

// Item is one sample of a dataset: its manifest entry (Label empty when
// unlabelled) and a way to read its bytes.
type Item struct {
	Entry
	// Where names the sample for messages: a file path or fs path.
	Where string
	open  func() ([]byte, error)
}

// Read returns the sample's bytes, at most limit of them (limit <= 0: no
// limit) and whether the file was longer.
func (it Item) Read(limit int64) ([]byte, bool, error) {
	b, err := it.open()
	if err != nil {
		return nil, false, err
	}
	if limit > 0 && int64(len(b)) > limit {
		return b[:limit], true, nil
	}
	return b, false, nil
}

// Load reads a dataset from path, which may be
//   - a manifest file (manifest.tsv format),
//   - a folder holding manifest.tsv,
//   - a folder whose immediate sub-folders each hold manifest.tsv (seeds/),
//   - any other folder: every regular file in it, recursively, unlabelled.
func Load(p string) ([]Item, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", p, err)
	}
	if !fi.IsDir() {
		return fromManifest(os.DirFS(filepath.Dir(p)), filepath.Base(p), filepath.Dir(p))
	}
	return FromFS(os.DirFS(p), p)
}

// FromFS reads a dataset from a file system laid out as Load describes;
// where prefixes Item.Where.
func FromFS(fsys fs.FS, where string) ([]Item, error) {
	if _, err := fs.Stat(fsys, "manifest.tsv"); err == nil {
		return fromManifest(fsys, "manifest.tsv", where)
	}
	subs, err := fs.Glob(fsys, "*/manifest.tsv")
	if err != nil {
		return nil, err
	}
	if len(subs) > 0 {
		sort.Strings(subs)
		var all []Item
		for _, m := range subs {
			items, err := fromManifest(fsys, m, where)
			if err != nil {
				return nil, err
			}
			all = append(all, items...)
		}
		return all, nil
	}
	var items []Item
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		items = append(items, Item{Entry: Entry{File: p}, Where: path.Join(where, p), open: reader(fsys, p)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", where, err)
	}
	return items, nil
}

func fromManifest(fsys fs.FS, name, where string) ([]Item, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", path.Join(where, name), err)
	}
	defer f.Close()
	entries, err := ReadManifest(f)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path.Join(where, name), err)
	}
	dir := path.Dir(name)
	items := make([]Item, len(entries))
	for i, e := range entries {
		p := path.Join(dir, e.File)
		items[i] = Item{Entry: e, Where: path.Join(where, p), open: reader(fsys, p)}
	}
	return items, nil
}

// maxRead bounds what Read loads of any one file.
const maxRead = 1 << 30

func reader(fsys fs.FS, p string) func() ([]byte, error) {
	return func() ([]byte, error) {
		f, err := fsys.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxRead))
		if err != nil {
			return nil, err
		}
		return b, nil
	}
}

// ErrUnlabelled is returned by Labelled for a dataset without labels.
var ErrUnlabelled = errors.New("dataset has unlabelled samples")

// Labelled checks that every item carries a label.
func Labelled(items []Item) error {
	for _, it := range items {
		if it.Label == "" {
			return fmt.Errorf("%w: %s", ErrUnlabelled, it.Where)
		}
	}
	return nil
}

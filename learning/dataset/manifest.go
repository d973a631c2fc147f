// Package dataset reads labelled script collections: the manifest.tsv format
// of the shared corpora and of seeds/, or a plain directory of scripts.
package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Label is the ground-truth class of a sample as written in a manifest.
type Label string

// Labels used by manifests. An empty label means "unlabelled".
const (
	Malicious Label = "malicious"
	Benign    Label = "benign"
)

// Entry is one row of a manifest. Extra columns are kept in Extra by name.
type Entry struct {
	File       string // path relative to the manifest's directory
	SHA256     string
	Language   string // report language name (powershell, javascript, ...)
	Label      Label
	Provenance string
	Family     string
	Ext        string
	Extra      map[string]string
}

// Path returns the entry's file path resolved against dir (the manifest's folder).
func (e Entry) Path(dir string) string { return filepath.Join(dir, filepath.FromSlash(e.File)) }

// ErrMalformed reports a manifest that cannot be read.
var ErrMalformed = errors.New("malformed manifest")

// ReadManifest parses a tab-separated manifest with a header line. Required
// columns: file, language, label. Unknown columns are kept in Entry.Extra.
func ReadManifest(r io.Reader) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read header: %w", err)
		}
		return nil, fmt.Errorf("%w: empty", ErrMalformed)
	}
	header := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, req := range []string{"file", "language", "label"} {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("%w: missing column %q", ErrMalformed, req)
		}
	}
	get := func(f []string, name string) string {
		if i, ok := col[name]; ok && i < len(f) {
			return f[i]
		}
		return ""
	}
	known := map[string]bool{"file": true, "sha256": true, "language": true, "label": true,
		"provenance": true, "family": true, "ext": true}
	var out []Entry
	line := 1
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		e := Entry{
			File:       get(f, "file"),
			SHA256:     get(f, "sha256"),
			Language:   get(f, "language"),
			Label:      Label(get(f, "label")),
			Provenance: get(f, "provenance"),
			Family:     get(f, "family"),
			Ext:        get(f, "ext"),
		}
		if e.File == "" {
			return nil, fmt.Errorf("%w: line %d: empty file column", ErrMalformed, line)
		}
		if filepath.IsAbs(e.File) || strings.Contains(e.File, "..") {
			return nil, fmt.Errorf("%w: line %d: file %q escapes the manifest folder", ErrMalformed, line, e.File)
		}
		switch e.Label {
		case Malicious, Benign, "":
		default:
			return nil, fmt.Errorf("%w: line %d: label %q", ErrMalformed, line, e.Label)
		}
		for name, i := range col {
			if !known[name] && i < len(f) {
				if e.Extra == nil {
					e.Extra = make(map[string]string)
				}
				e.Extra[name] = f[i]
			}
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line, err)
	}
	return out, nil
}

// LoadManifest reads the manifest at path and returns its entries and the
// folder their File paths are relative to.
func LoadManifest(path string) ([]Entry, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	entries, err := ReadManifest(f)
	if err != nil {
		return nil, "", fmt.Errorf("manifest %s: %w", path, err)
	}
	return entries, filepath.Dir(path), nil
}

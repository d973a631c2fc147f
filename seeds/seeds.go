package seeds

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// files holds every language folder: its manifest.tsv and its scripts.
//
//go:embed */manifest.tsv */*
var files embed.FS

// ManifestName is the file name of the per-language manifest.
const ManifestName = "manifest.tsv"

// ErrInvalid reports a manifest row that does not describe a usable seed.
var ErrInvalid = errors.New("invalid seed")

// Seed is one labelled script of the seed set.
type Seed struct {
	Path       string        // slash-separated path inside FS, e.g. "powershell/iex-cradle.ps1"
	SHA256     string        // lower-case hex digest of the file's bytes
	Language   lang.Language // never lang.Unknown
	Malicious  bool          // label: true for malicious, false for benign
	Family     string        // short family or template name
	Category   string        // downloader, dropper, admin, backup, ...
	Techniques []string      // ATT&CK technique ids; empty for most benign seeds
	Summary    string        // reference analyst summary (3-5 sentences)
}

// Label returns the manifest label of the seed.
func (s Seed) Label() dataset.Label {
	if s.Malicious {
		return dataset.Malicious
	}
	return dataset.Benign
}

// FS returns the embedded seed tree: one folder per language holding a
// manifest.tsv and the scripts it lists. The returned file system is
// read-only and safe for concurrent use.
func FS() fs.FS { return files }

// Load reads every */manifest.tsv of the embedded tree in sorted order and
// returns the seeds they list, manifest by manifest, in file order. It
// checks that each row names a known language, a label and a sha256, but it
// does not hash the files (the package tests do).
func Load() ([]Seed, error) {
	manifests, err := fs.Glob(files, "*/"+ManifestName)
	if err != nil {
		return nil, fmt.Errorf("list manifests: %w", err)
	}
	sort.Strings(manifests)
	var out []Seed
	for _, m := range manifests {
		seeds, err := loadManifest(files, m)
		if err != nil {
			return nil, err
		}
		out = append(out, seeds...)
	}
	return out, nil
}

func loadManifest(fsys fs.FS, name string) ([]Seed, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", name, err)
	}
	defer f.Close()
	entries, err := dataset.ReadManifest(f)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", name, err)
	}
	dir := path.Dir(name)
	out := make([]Seed, 0, len(entries))
	for i, e := range entries {
		s, err := toSeed(dir, e)
		if err != nil {
			return nil, fmt.Errorf("manifest %s: row %d (%s): %w", name, i+1, e.File, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func toSeed(dir string, e dataset.Entry) (Seed, error) {
	l, err := lang.Parse(e.Language)
	if err != nil {
		return Seed{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if l == lang.Unknown {
		return Seed{}, fmt.Errorf("%w: language %q", ErrInvalid, e.Language)
	}
	var mal bool
	switch e.Label {
	case dataset.Malicious:
		mal = true
	case dataset.Benign:
	default:
		return Seed{}, fmt.Errorf("%w: label %q", ErrInvalid, e.Label)
	}
	sum := strings.ToLower(e.SHA256)
	if !isHex64(sum) {
		return Seed{}, fmt.Errorf("%w: sha256 %q", ErrInvalid, e.SHA256)
	}
	var techs []string
	for _, t := range strings.Split(e.Extra["techniques"], ",") {
		if t = strings.TrimSpace(t); t != "" {
			techs = append(techs, t)
		}
	}
	return Seed{
		Path:       path.Join(dir, e.File),
		SHA256:     sum,
		Language:   l,
		Malicious:  mal,
		Family:     e.Family,
		Category:   e.Extra["category"],
		Techniques: techs,
		Summary:    e.Extra["summary"],
	}, nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Read returns the bytes of the seed's script from the embedded tree.
func Read(s Seed) ([]byte, error) {
	b, err := fs.ReadFile(files, s.Path)
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", s.Path, err)
	}
	return b, nil
}

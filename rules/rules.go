package rules

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/automaldesc/automaldesc/analysis/yarascan"
)

//go:embed bundled/*.yar
var bundledFS embed.FS

// bundledCompiled is the bundled rule set compiled ahead of time
// (yarascan.Precompile of Bundled()), so that a process without user rule
// folders loads it instead of compiling it. Regenerate it after changing a
// bundled rule: go test ./rules -run TestBundledPrecompiled -update
//
//go:embed bundled.yarc
var bundledCompiled []byte

// BundledNamespace is the YARA namespace of every bundled rule.
const BundledNamespace = "bundled"

// UserNamespacePrefix starts the namespace of a user rule file; the rest is
// the file's path relative to the folder it was loaded from, so that two
// user files may define rules with the same name.
const UserNamespacePrefix = "user:"

// MaxRuleFileSize bounds one user rule file; larger files are reported, not read.
const MaxRuleFileSize = 8 << 20

// Bundled returns the embedded rule files, in file name order, in namespace
// "bundled". Their names read "rules/bundled/<file>.yar".
func Bundled() []yarascan.Source {
	entries, err := fs.ReadDir(bundledFS, "bundled")
	if err != nil {
		panic(fmt.Sprintf("rules: embedded folder unreadable: %v", err)) // build defect
	}
	out := make([]yarascan.Source, 0, len(entries))
	for _, e := range entries {
		if e.IsDir() || !isRuleFile(e.Name()) {
			continue
		}
		b, err := bundledFS.ReadFile(path.Join("bundled", e.Name()))
		if err != nil {
			panic(fmt.Sprintf("rules: embedded file %s unreadable: %v", e.Name(), err))
		}
		out = append(out, yarascan.Source{
			Name:      "rules/bundled/" + e.Name(),
			Namespace: BundledNamespace,
			Text:      string(b),
		})
	}
	return out
}

func isRuleFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yar" || ext == ".yara"
}

// LoadDir reads every *.yar / *.yara file below dir (recursively, in lexical
// order). Each file gets its own namespace, "user:" + its slash-separated
// path relative to dir. Files that cannot be read (or exceed
// MaxRuleFileSize) are left out and reported in the joined error; the
// sources that could be read are returned with it.
func LoadDir(dir string) ([]yarascan.Source, error) {
	var (
		out  []yarascan.Source
		errs []error
	)
	walkErr := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			errs = append(errs, fmt.Errorf("rules: %s: %w", p, err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !isRuleFile(d.Name()) {
			return nil
		}
		src, err := readRuleFile(dir, p)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		out = append(out, src)
		return nil
	})
	if walkErr != nil {
		errs = append(errs, fmt.Errorf("rules: read folder %s: %w", dir, walkErr))
	}
	return out, errors.Join(errs...)
}

func readRuleFile(root, p string) (yarascan.Source, error) {
	f, err := os.Open(p)
	if err != nil {
		return yarascan.Source{}, fmt.Errorf("rules: %s: %w", p, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return yarascan.Source{}, fmt.Errorf("rules: %s: %w", p, err)
	}
	if !fi.Mode().IsRegular() {
		return yarascan.Source{}, fmt.Errorf("rules: %s: not a regular file", p)
	}
	if fi.Size() > MaxRuleFileSize {
		return yarascan.Source{}, fmt.Errorf("rules: %s: %d bytes exceeds the %d byte limit", p, fi.Size(), MaxRuleFileSize)
	}
	b := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return yarascan.Source{}, fmt.Errorf("rules: %s: %w", p, err)
	}
	rel, err := filepath.Rel(root, p)
	if err != nil {
		rel = filepath.Base(p)
	}
	return yarascan.Source{
		Name:      p,
		Namespace: UserNamespacePrefix + filepath.ToSlash(rel),
		Text:      string(b),
	}, nil
}

// Load compiles the bundled rules together with the rule files of the user
// folders. A user file that cannot be read or compiled is left out and
// named (file:line) in the returned error while everything else loads; the
// *Rules is nil only when nothing compiled.
func Load(userDirs ...string) (*yarascan.Rules, error) {
	return load(Bundled(), userDirs)
}

func load(base []yarascan.Source, userDirs []string) (*yarascan.Rules, error) {
	srcs := append([]yarascan.Source(nil), base...)
	var errs []error
	for _, d := range userDirs {
		s, err := LoadDir(d)
		srcs = append(srcs, s...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		// Without user rules, the bundled set usually comes precompiled;
		// anything else (other sources, another libyara) is compiled.
		if r, err := yarascan.LoadPrecompiled(bundledCompiled, srcs); err == nil {
			return r, nil
		}
	}
	r, err := yarascan.Compile(srcs)
	if err != nil {
		errs = append(errs, err)
	}
	return r, errors.Join(errs...)
}

// Check compiles every rule file of the folders in isolation and lists all
// problems: unreadable files, syntax errors (as *yarascan.CompileError with
// file and line) and folders without any rule file. Without folders it
// checks the bundled rules. It returns nil when everything compiles.
func Check(dirs ...string) []error {
	var errs []error
	check := func(srcs []yarascan.Source) {
		sort.Slice(srcs, func(i, j int) bool { return srcs[i].Name < srcs[j].Name })
		for _, s := range srcs {
			errs = append(errs, yarascan.Check(s)...)
		}
	}
	if len(dirs) == 0 {
		check(Bundled())
		return errs
	}
	for _, d := range dirs {
		srcs, err := LoadDir(d)
		if err != nil {
			errs = append(errs, unjoin(err)...)
		}
		if len(srcs) == 0 && err == nil {
			errs = append(errs, fmt.Errorf("rules: %s: no .yar or .yara files", d))
		}
		check(srcs)
	}
	return errs
}

// unjoin flattens an errors.Join tree one level.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

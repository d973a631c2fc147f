package attack

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed enterprise-techniques.tsv
var techniquesTSV string

//go:embed enterprise-tactics.tsv
var tacticsTSV string

// Technique is one ATT&CK Enterprise technique or sub-technique.
type Technique struct {
	ID         string   // T1059 or T1059.001
	Name       string   // "PowerShell"
	Tactics    []string // tactic short names, e.g. "execution"
	Platforms  []string // "Windows", "Linux", ...
	Deprecated bool     // deprecated or revoked by MITRE: not to be emitted
	URL        string
}

// Tactic is one ATT&CK Enterprise tactic.
type Tactic struct {
	ID        string // TA0002
	Name      string // Execution
	ShortName string // execution
}

type catalog struct {
	techniques map[string]Technique
	tactics    []Tactic
}

// load is the parsed embedded data. The embedded files are part of the
// build, so a parse error is a programming error and panics (a test covers it).
var load = sync.OnceValue(func() *catalog {
	c, err := parse(techniquesTSV, tacticsTSV)
	if err != nil {
		panic(err)
	}
	return c
})

func parse(techniques, tactics string) (*catalog, error) {
	c := &catalog{techniques: make(map[string]Technique, 1024)}
	for i, line := range strings.Split(strings.TrimRight(tactics, "\n"), "\n") {
		if i == 0 {
			continue // header
		}
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("tactics line %d: got %d fields, want 3", i+1, len(f))
		}
		c.tactics = append(c.tactics, Tactic{ID: f[0], Name: f[1], ShortName: f[2]})
	}
	for i, line := range strings.Split(strings.TrimRight(techniques, "\n"), "\n") {
		if i == 0 {
			continue
		}
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("techniques line %d: got %d fields, want 6", i+1, len(f))
		}
		t := Technique{
			ID:         f[0],
			Name:       f[1],
			Tactics:    splitList(f[2]),
			Platforms:  splitList(f[3]),
			Deprecated: f[4] != "active",
			URL:        f[5],
		}
		if _, dup := c.techniques[t.ID]; dup {
			return nil, fmt.Errorf("techniques line %d: duplicate id %s", i+1, t.ID)
		}
		c.techniques[t.ID] = t
	}
	if len(c.techniques) == 0 || len(c.tactics) == 0 {
		return nil, fmt.Errorf("empty attack data")
	}
	return c, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Lookup returns the technique with the given id (case-insensitive, e.g.
// "t1059.001"), active or not.
func Lookup(id string) (Technique, bool) {
	t, ok := load().techniques[strings.ToUpper(strings.TrimSpace(id))]
	if !ok {
		return Technique{}, false
	}
	t.Tactics = append([]string(nil), t.Tactics...)
	t.Platforms = append([]string(nil), t.Platforms...)
	return t, true
}

// Valid reports whether id names an existing, active (neither deprecated nor
// revoked) technique. Ids must be written exactly (upper-case T).
func Valid(id string) bool {
	t, ok := load().techniques[id]
	return ok && !t.Deprecated
}

// Tactics returns the Enterprise tactics in MITRE's order (TA0001 first).
func Tactics() []Tactic {
	return append([]Tactic(nil), load().tactics...)
}

// TacticByShortName returns the tactic with the given short name, e.g.
// "defense-evasion".
func TacticByShortName(short string) (Tactic, bool) {
	for _, t := range load().tactics {
		if t.ShortName == short {
			return t, true
		}
	}
	return Tactic{}, false
}

// HasTactic reports whether technique id is listed under the tactic short name.
func HasTactic(id, short string) bool {
	t, ok := load().techniques[id]
	if !ok {
		return false
	}
	for _, s := range t.Tactics {
		if s == short {
			return true
		}
	}
	return false
}

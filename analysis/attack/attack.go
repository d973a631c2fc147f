package attack

import (
	"strings"
	"sync"
)

// Technique is one ATT&CK Enterprise technique or sub-technique.
type Technique struct {
	ID      string   // T1059 or T1059.001
	Name    string   // "PowerShell"
	Tactics []string // tactic short names, e.g. "execution"
	URL     string
}

// Tactic is one ATT&CK Enterprise tactic.
type Tactic struct {
	ID        string // TA0002
	Name      string // Execution
	ShortName string // execution
}

// index maps ids to the catalog's techniques (catalog_gen.go).
var index = sync.OnceValue(func() map[string]Technique {
	m := make(map[string]Technique, len(techniques))
	for _, t := range techniques {
		m[t.ID] = t
	}
	return m
})

// Lookup returns the technique with the given id (case-insensitive, e.g.
// "t1059.001") when the project's catalog carries it.
func Lookup(id string) (Technique, bool) {
	t, ok := index()[strings.ToUpper(strings.TrimSpace(id))]
	if !ok {
		return Technique{}, false
	}
	t.Tactics = append([]string(nil), t.Tactics...)
	return t, true
}

// Valid reports whether id names a technique of the catalog. Every entry is
// an active technique of the reference (a test checks it), so Valid means
// "exists, is active, and this project knows it". Ids must be written
// exactly (upper-case T).
func Valid(id string) bool {
	_, ok := index()[id]
	return ok
}

// IDs returns every technique id of the catalog, sorted.
func IDs() []string {
	out := make([]string, len(techniques))
	for i, t := range techniques {
		out[i] = t.ID
	}
	return out
}

// Tactics returns the Enterprise tactics in MITRE's order (TA0001 first).
func Tactics() []Tactic { return append([]Tactic(nil), tactics...) }

// TacticByShortName returns the tactic with the given short name, e.g.
// "defense-evasion".
func TacticByShortName(short string) (Tactic, bool) {
	for _, t := range tactics {
		if t.ShortName == short {
			return t, true
		}
	}
	return Tactic{}, false
}

// HasTactic reports whether technique id is listed under the tactic short name.
func HasTactic(id, short string) bool {
	t, ok := index()[id]
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

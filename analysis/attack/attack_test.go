package attack

import (
	"strings"
	"sync"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name, id   string
		wantOK     bool
		wantName   string
		wantTactic string
		wantDep    bool
	}{
		{name: "technique", id: "T1059", wantOK: true, wantName: "Command and Scripting Interpreter", wantTactic: "execution"},
		{name: "sub-technique", id: "T1059.001", wantOK: true, wantName: "PowerShell", wantTactic: "execution"},
		{name: "lower-case", id: "t1105", wantOK: true, wantName: "Ingress Tool Transfer", wantTactic: "command-and-control"},
		{name: "revoked", id: "T1035", wantOK: true, wantName: "Service Execution", wantTactic: "execution", wantDep: true},
		{name: "deprecated", id: "T1026", wantOK: true, wantName: "Multiband Communication", wantTactic: "command-and-control", wantDep: true},
		{name: "unknown", id: "T9999"},
		{name: "empty", id: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Lookup(tt.id)
			if ok != tt.wantOK {
				t.Fatalf("Lookup(%q) ok: got %v, want %v", tt.id, ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if got.Name != tt.wantName {
				t.Errorf("name: got %q, want %q", got.Name, tt.wantName)
			}
			if got.Deprecated != tt.wantDep {
				t.Errorf("deprecated: got %v, want %v", got.Deprecated, tt.wantDep)
			}
			if !contains(got.Tactics, tt.wantTactic) {
				t.Errorf("tactics: got %v, want it to include %q", got.Tactics, tt.wantTactic)
			}
			if !strings.HasPrefix(got.URL, "https://attack.mitre.org/techniques/") {
				t.Errorf("url: got %q", got.URL)
			}
		})
	}
}

func TestLookupReturnsCopies(t *testing.T) {
	a, _ := Lookup("T1059.001")
	a.Tactics[0] = "mutated"
	b, _ := Lookup("T1059.001")
	if b.Tactics[0] == "mutated" {
		t.Error("Lookup: got shared Tactics slice, want a copy")
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"T1059.001", true},
		{"T1027", true},
		{"T1562.001", true},
		{"T1035", false}, // revoked
		{"T1026", false}, // deprecated
		{"T1059.999", false},
		{"t1059", false}, // ids are written upper-case in records
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := Valid(tt.id); got != tt.want {
				t.Errorf("Valid(%q): got %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

func TestCounts(t *testing.T) {
	c := load()
	active := 0
	for _, tq := range c.techniques {
		if !tq.Deprecated {
			active++
		}
		for _, s := range tq.Tactics {
			if _, ok := TacticByShortName(s); !ok {
				t.Errorf("%s: tactic %q is not a known tactic", tq.ID, s)
			}
		}
	}
	if got, want := len(c.techniques), 835; got != want {
		t.Errorf("techniques: got %d, want %d", got, want)
	}
	if got, want := active, 691; got != want {
		t.Errorf("active techniques: got %d, want %d", got, want)
	}
}

func TestTactics(t *testing.T) {
	tac := Tactics()
	if got, want := len(tac), 14; got != want {
		t.Fatalf("tactics: got %d, want %d", got, want)
	}
	if tac[0] != (Tactic{ID: "TA0001", Name: "Initial Access", ShortName: "initial-access"}) {
		t.Errorf("first tactic: got %+v", tac[0])
	}
	tac[0].Name = "mutated"
	if Tactics()[0].Name == "mutated" {
		t.Error("Tactics: got a shared slice, want a copy")
	}
	if !HasTactic("T1059.001", "execution") || HasTactic("T1059.001", "impact") {
		t.Error("HasTactic: wrong answer for T1059.001")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, tech, tac string }{
		{"short technique row", "h\nT1\tx\n", "h\nTA1\ta\tb\n"},
		{"short tactic row", "h\nT1\tn\te\tW\tactive\tu\n", "h\nTA1\ta\n"},
		{"duplicate", "h\nT1\tn\te\tW\tactive\tu\nT1\tn\te\tW\tactive\tu\n", "h\nTA1\ta\tb\n"},
		{"empty", "h\n", "h\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parse(tt.tech, tt.tac); err == nil {
				t.Error("parse: got nil error, want an error")
			}
		})
	}
}

func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !Valid("T1105") {
				t.Error("Valid(T1105): got false")
			}
			_ = Tactics()
		}()
	}
	wg.Wait()
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

package decode

import (
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	fx := fixtures(t)
	ids := map[string]bool{}
	for _, d := range Decoders() {
		t.Run(d.ID, func(t *testing.T) {
			if ids[d.ID] {
				t.Errorf("duplicate id %q", d.ID)
			}
			ids[d.ID] = true
			if d.ID == "" || strings.ContainsAny(d.ID, "+ ") || !strings.Contains(d.ID, ".") {
				t.Errorf("id %q: want family.name without '+' or spaces", d.ID)
			}
			if strings.TrimSpace(d.Description) == "" {
				t.Error("got an empty description")
			}
			if len(d.Languages) == 0 {
				t.Error("got no languages")
			}
			if (d.extract == nil) == (d.rewrite == nil) {
				t.Error("want exactly one of extract and rewrite")
			}
			if d.Rewrite != (d.rewrite != nil) {
				t.Errorf("Rewrite: got %v, want %v", d.Rewrite, d.rewrite != nil)
			}
			positive := 0
			for _, f := range fx[d.ID] {
				if !f.wantNone {
					positive++
					if !hasMethod(f.method, d.ID) {
						t.Errorf("fixture %q: method %q does not name %s", f.name, f.method, d.ID)
					}
				}
			}
			if positive == 0 {
				t.Error("got no positive fixture, want at least one")
			}
		})
	}
	for id := range fx {
		if !ids[id] {
			t.Errorf("fixtures for unregistered decoder %q", id)
		}
	}
}

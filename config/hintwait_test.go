package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHintWait(t *testing.T) {
	tests := []struct {
		name, value string
		want        time.Duration
		wantErr     bool
	}{
		{"set", "5s", 5 * time.Second, false},
		{"off", "-1s", 0, false},
		{"too long", "2m", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "c.yaml")
			yaml := "watch:\n  folders:\n    - path: /var/quarantine/clamav\n      source: clamav\n      hint_wait: " + tc.value + "\n"
			if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			c, _, err := Load(Options{File: p, Environ: []string{}})
			if tc.wantErr {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "hint_wait") {
					t.Fatalf("got %v, want an invalid hint_wait error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Watch.Folders[0].EffectiveHintWait(); got != tc.want {
				t.Errorf("effective hint wait: got %s, want %s", got, tc.want)
			}
		})
	}
}

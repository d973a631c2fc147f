package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestIOCValues(t *testing.T) {
	long := strings.Repeat("a", MaxIOCLen+10)
	many := make([]string, 0, MaxIOCsPerRecord+5)
	for i := range MaxIOCsPerRecord + 5 {
		many = append(many, fmt.Sprintf(`{"value":"h%d.example.invalid"}`, i))
	}
	tests := []struct {
		name   string
		report string
		want   []string
	}{
		{"empty", ``, nil},
		{"not json", `iocs everywhere`, nil},
		{"no iocs", `{"status":"ok"}`, nil},
		{"empty iocs", `{"iocs":[]}`, nil},
		{"null iocs", `{"iocs":null}`, nil},
		{"values in order, deduplicated", `{"iocs":[{"type":"ipv4","value":"198.51.100.1"},{"value":"a.example.invalid"},{"value":"198.51.100.1"},{"value":""}]}`,
			[]string{"198.51.100.1", "a.example.invalid"}},
		{"indented", "{\n  \"iocs\" :\n  [ {\"value\": \"203.0.113.9\"} ]\n}", []string{"203.0.113.9"}},
		{"after large fields", `{"layers":[{"text":"` + strings.Repeat("x", 10000) + `"}],"iocs":[{"value":"203.0.113.1"}],"tail":1}`,
			[]string{"203.0.113.1"}},
		{"escaped key in a string is not the key", `{"summary":"see \"iocs\":[{\"value\":\"forged.invalid\"}]","iocs":[{"value":"198.51.100.2"}]}`,
			[]string{"198.51.100.2"}},
		{"non-array iocs key skipped", `{"features":{"iocs":3},"iocs":[{"value":"198.51.100.3"}]}`, []string{"198.51.100.3"}},
		{"broken array", `{"iocs":[{"value":"198.51.100.4"},`, nil},
		{"long value truncated", `{"iocs":[{"value":"` + long + `"}]}`, []string{long[:MaxIOCLen]}},
		{"capped count", `{"iocs":[` + strings.Join(many, ",") + `]}`, nil}, // checked below
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := IOCValues([]byte(tc.report))
			if tc.name == "capped count" {
				if len(got) != MaxIOCsPerRecord || got[0] != "h0.example.invalid" {
					t.Errorf("got %d values starting %q, want %d starting h0.example.invalid", len(got), got[:1], MaxIOCsPerRecord)
				}
				return
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzIOCValues: never panics, respects the caps, and agrees with a full
// decode when the report is a JSON object whose only "iocs" key is the
// top-level one.
func FuzzIOCValues(f *testing.F) {
	f.Add([]byte(`{"iocs":[{"value":"198.51.100.1"}]}`))
	f.Add([]byte(`{"a":"\"iocs\":[","iocs" : [{"value":"x"},{"value":"x"}]}`))
	f.Add([]byte(`"iocs":`))
	f.Add([]byte(`{"iocs":[{"value":"\ud800"}]}`))
	f.Fuzz(func(t *testing.T, report []byte) {
		got := IOCValues(report)
		if len(got) > MaxIOCsPerRecord {
			t.Fatalf("got %d values, cap %d", len(got), MaxIOCsPerRecord)
		}
		for _, v := range got {
			if v == "" || len(v) > MaxIOCLen {
				t.Fatalf("value of %d bytes", len(v))
			}
		}
		if strings.Count(string(report), `"iocs"`) != 1 {
			return
		}
		var doc struct {
			IOCs []struct {
				Value string `json:"value"`
			} `json:"iocs"`
		}
		if err := json.Unmarshal(report, &doc); err != nil {
			return
		}
		if want := iocValues(doc.IOCs); !slices.Equal(got, want) {
			t.Fatalf("got %q, want %q (full decode)", got, want)
		}
	})
}

func TestLikePattern(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "%%"},
		{"Evil.PS1", "%evil.ps1%"},
		{"100%", `%100\%%`},
		{"a_b", `%a\_b%`},
		{`C:\Temp`, `%c:\\temp%`},
		{"ÄBC", "%Äbc%"}, // ASCII only, like SQL lower()
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := LikePattern(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPageLimit(t *testing.T) {
	tests := []struct{ in, want int }{{-1, DefaultLimit}, {0, DefaultLimit}, {1, 1}, {MaxLimit, MaxLimit}, {MaxLimit + 1, MaxLimit}}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.in), func(t *testing.T) {
			if got := PageLimit(tc.in); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		err  error
		ok   bool
	}{
		{"item ok", Item{ID: "a"}.Validate(), true},
		{"item empty id", Item{}.Validate(), false},
		{"item negative size", Item{ID: "a", Size: -1}.Validate(), false},
		{"record ok", Record{ID: "r"}.Validate(), true},
		{"record empty id", Record{}.Validate(), false},
		{"feedback ok by sha", Feedback{SHA256: "s", Disposition: DispositionBenign}.Validate(), true},
		{"feedback ok by record", Feedback{RecordID: "r", Disposition: DispositionConfirm, Rating: 5}.Validate(), true},
		{"feedback bad disposition", Feedback{SHA256: "s", Disposition: "Benign"}.Validate(), false},
		{"feedback rating", Feedback{SHA256: "s", Disposition: DispositionMalicious, Rating: 6}.Validate(), false},
		{"feedback no fingerprint", Feedback{Disposition: DispositionSuspicious}.Validate(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.ok && tc.err != nil {
				t.Errorf("got %v, want nil", tc.err)
			}
			if !tc.ok && !errors.Is(tc.err, ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", tc.err)
			}
		})
	}
}

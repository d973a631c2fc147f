package plugin

import (
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	pb "github.com/automaldesc/automaldesc/plugin/proto/automaldesc/v1"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

func TestRequestValidate(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want error
	}{
		{"ok", Request{Data: []byte("x"), Name: "a.ps1", Meta: map[string]string{"k": "v"}}, nil},
		{"at limit", Request{Data: make([]byte, 10)}, nil},
		{"too large", Request{Data: make([]byte, 11)}, ErrTooLarge},
		{"long name", Request{Name: strings.Repeat("n", MaxTextBytes+1)}, ErrInvalidInput},
		{"long signature", Request{Signature: strings.Repeat("s", MaxTextBytes+1)}, ErrInvalidInput},
		{"empty meta key", Request{Meta: map[string]string{"": "v"}}, ErrInvalidInput},
		{"long meta value", Request{Meta: map[string]string{"k": strings.Repeat("v", MaxMetaValueBytes+1)}}, ErrInvalidInput},
		{"many meta", Request{Meta: manyMeta(MaxMetaEntries + 1)}, ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.req.validate(10); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func manyMeta(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[strings.Repeat("k", i+1)] = "v"
	}
	return m
}

func TestRequestLogValue(t *testing.T) {
	v := Request{Data: []byte("SECRET-BYTES"), Name: "a.ps1", Meta: map[string]string{"token": "SECRET-META"}}.LogValue().String()
	if strings.Contains(v, "SECRET") || !strings.Contains(v, "a.ps1") {
		t.Errorf("got %q, want the name and neither bytes nor metadata", v)
	}
}

func TestReportRoundTrip(t *testing.T) {
	in := &analysis.Report{SchemaVersion: analysis.SchemaVersion, ID: "abc", Status: analysis.StatusOK,
		AnalyzedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Sample: analysis.SampleInfo{SHA256: "ff", Name: "x.py", Size: 3},
		Language: lang.Result{Language: lang.Python, Confidence: 0.9}, Features: map[string]float64{"size": 3},
		Verdict: analysis.Verdict{Label: verdict.Malicious, Score: 0.97, Source: "model"}}
	p, err := toProtoReport(in)
	if err != nil {
		t.Fatal(err)
	}
	if p.GetId() != "abc" || p.GetStatus() != "ok" || p.GetLabel() != "malicious" || p.GetScore() != 0.97 || p.GetLanguage() != "python" || p.GetSha256() != "ff" {
		t.Errorf("got summary %v, want id abc, ok, malicious, 0.97, python, ff", p)
	}
	b, err := proto.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	p2 := new(pbReport)
	if err := proto.Unmarshal(b, p2); err != nil {
		t.Fatal(err)
	}
	out, err := fromProtoReport(p2)
	if err != nil {
		t.Fatal(err)
	}
	if out.ID != in.ID || out.Verdict.Label != in.Verdict.Label || out.Verdict.Score != in.Verdict.Score || out.Language.Language != in.Language.Language || !out.AnalyzedAt.Equal(in.AnalyzedAt) || out.Features["size"] != 3 {
		t.Errorf("got %+v, want %+v", out, in)
	}
	t.Run("schema major mismatch", func(t *testing.T) {
		p2.SchemaVersion = "2.0.0"
		if _, err := fromProtoReport(p2); !errors.Is(err, ErrProtocol) {
			t.Errorf("got %v, want ErrProtocol", err)
		}
	})
	t.Run("minor ahead", func(t *testing.T) {
		p2.SchemaVersion = major(analysis.SchemaVersion) + ".99.0"
		if _, err := fromProtoReport(p2); err != nil {
			t.Errorf("got %v, want a newer minor version accepted", err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		if _, err := fromProtoReport(&pbReport{ReportJson: []byte("{"), SchemaVersion: analysis.SchemaVersion}); !errors.Is(err, ErrProtocol) {
			t.Errorf("got %v, want ErrProtocol", err)
		}
	})
}

func TestInfoRoundTrip(t *testing.T) {
	in := Info{
		Versions:   Versions{Engine: "e", Rules: "r", Model: "m", Schema: "1.0.0", Protocol: 1},
		Languages:  lang.All(),
		Indicators: []Indicator{{ID: "ps.x", Title: "t", Description: "d", Severity: "high", Tactic: "execution", Techniques: []string{"T1059.001"}, Languages: []lang.Language{lang.PowerShell}}},
		Features:   []Feature{{Name: "size", Description: "bytes"}},
		Decoders:   []Decoder{{ID: "ps.b64", Description: "d", Languages: []lang.Language{lang.PowerShell}}},
		Limits:     Limits{MaxFileSize: 8, SampleTimeout: time.Second, MaxConcurrency: 2, MaxMessageBytes: 9},
	}
	out := fromProtoInfo(toProtoInfo(in))
	if out.Versions != in.Versions || out.Limits != in.Limits || len(out.Languages) != len(in.Languages) ||
		out.Indicators[0].ID != "ps.x" || out.Indicators[0].Languages[0] != lang.PowerShell || out.Decoders[0].ID != "ps.b64" || out.Features[0] != in.Features[0] {
		t.Errorf("got %+v, want %+v", out, in)
	}
}

func TestFeedbackValidate(t *testing.T) {
	sha := strings.Repeat("a", 64)
	tests := []struct {
		name string
		fb   Feedback
		ok   bool
	}{
		{"by sha256", Feedback{SHA256: sha, Disposition: DispositionMalicious}, true},
		{"by record", Feedback{RecordID: "r", Disposition: DispositionConfirm, Rating: 5}, true},
		{"no disposition", Feedback{SHA256: sha}, false},
		{"short sha", Feedback{SHA256: "abc", Disposition: DispositionBenign}, false},
		{"non-hex sha", Feedback{SHA256: strings.Repeat("z", 64), Disposition: DispositionBenign}, false},
		{"negative rating", Feedback{SHA256: sha, Disposition: DispositionBenign, Rating: -1}, false},
		{"long note", Feedback{SHA256: sha, Disposition: DispositionBenign, Note: strings.Repeat("n", maxFeedbackText+1)}, false},
		{"long analyst", Feedback{SHA256: sha, Disposition: DispositionBenign, Analyst: strings.Repeat("a", maxFeedbackField+1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fb.Validate()
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidInput)) {
				t.Errorf("got %v, want ok=%v (errors wrapping ErrInvalidInput)", err, tt.ok)
			}
		})
	}
}

// FuzzFromProtoReport: whatever a plugin sends, decoding never panics and
// either yields a report or a protocol error.
func FuzzFromProtoReport(f *testing.F) {
	f.Add([]byte(`{"schema_version":"1.0.0","id":"x","status":"ok","verdict":{"label":"benign"}}`), "1.0.0")
	f.Add([]byte(`{"verdict":{"label":"evil"}}`), "1.2.0")
	f.Add([]byte(`[]`), "2.0.0")
	f.Fuzz(func(t *testing.T, b []byte, schema string) {
		r, err := fromProtoReport(&pbReport{ReportJson: b, SchemaVersion: schema})
		if (r == nil) == (err == nil) || (err != nil && !errors.Is(err, ErrProtocol)) {
			t.Fatalf("got %v, %v; want a report or ErrProtocol", r, err)
		}
	})
}

type pbReport = pb.Report

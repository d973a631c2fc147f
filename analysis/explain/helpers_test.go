package explain_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/rules"
)

// newEngine builds the real engine as analysis/engine_test.go does, with the
// offline explainer plugged in.
func newEngine(t testing.TB) (*analysis.Engine, *explain.Offline) {
	t.Helper()
	live, err := rules.NewLive()
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	cat := indicators.Default()
	x := explain.NewOffline(cat)
	e, err := analysis.New(analysis.Options{
		Version: "test",
		Limits: analysis.Limits{
			MaxFileSize: 1 << 20, SampleTimeout: 10 * time.Second,
			DecodeDepth: 8, DecodeRatio: 16, DecodeBytes: 64 << 20, MaxLayers: 64,
		},
		Rules:     live,
		Catalog:   cat,
		TopK:      8,
		Explainer: x,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e, x
}

func analyze(t testing.TB, e *analysis.Engine, name string, data []byte) *analysis.Report {
	t.Helper()
	r, err := e.Analyze(context.Background(), analysis.Sample{Name: name, Data: data, Hashes: nil})
	if err != nil {
		t.Fatalf("analyze %s: %v", name, err)
	}
	return r
}

// sentences splits a summary into sentences: a period, question or
// exclamation mark followed by a space and an upper-case letter, or the end.
func sentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		if i == len(s)-1 || i+2 < len(s) && s[i+1] == ' ' && s[i+2] >= 'A' && s[i+2] <= 'Z' {
			out = append(out, strings.TrimSpace(s[start:i+1]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

var techRe = regexp.MustCompile(`T\d{4}(\.\d{3})?`)

// checkGrounded asserts the grounding rules of the brief on one report.
func checkGrounded(t *testing.T, r *analysis.Report, x analysis.Explanation) {
	t.Helper()
	if x.Source != explain.Source {
		t.Errorf("source: got %q, want %q", x.Source, explain.Source)
	}
	if err := explain.Validate(r, x); err != nil {
		t.Errorf("validate: %v\nsummary: %s", err, x.Summary)
	}
	checkJoined(t, x)
	for i, c := range x.Claims {
		if len(c.Evidence) == 0 {
			t.Errorf("claim %d has no evidence: %q", i, c.Text)
		}
		for _, id := range c.Evidence {
			if !explain.Resolves(r, id) {
				t.Errorf("claim %d: evidence %q does not resolve", i, id)
			}
		}
	}
	known := map[string]bool{}
	for _, tq := range r.Techniques {
		known[tq.ID] = true
	}
	for _, h := range r.Indicators {
		for _, tq := range h.Techniques {
			known[tq] = true
		}
	}
	for _, m := range r.YARA {
		for _, tq := range m.Techniques {
			known[tq] = true
		}
	}
	for _, id := range techRe.FindAllString(x.Summary, -1) {
		if !known[id] {
			t.Errorf("technique %s in the summary is not in the report", id)
		}
	}
	lower := strings.ToLower(x.Summary)
	for _, s := range []string{"http://", "https://", "ftp://"} {
		if strings.Contains(lower, s) {
			t.Errorf("summary holds a live %q: %s", s, x.Summary)
		}
	}
	// Every defanged IOC shown must be (part of) a report IOC.
	for _, d := range defangedTokens(x.Summary) {
		raw := ioc.Refang(d)
		found := false
		for _, c := range r.IOCs {
			if c.Value == raw || strings.Contains(c.Value, raw) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("defanged token %q in the summary is not a report IOC", d)
		}
	}
	// No network IOC of the report appears raw.
	for _, c := range r.IOCs {
		switch c.Type {
		case ioc.URL, ioc.Domain, ioc.IPv4, ioc.Email:
			if strings.Contains(x.Summary, c.Value) {
				t.Errorf("%s %q appears raw in the summary: %s", c.Type, c.Value, x.Summary)
			}
		}
	}
}

// defangedTokens returns the space-separated tokens of s that carry a
// defanging mark (hxxp, fxp, [.], [@], [:]), trimmed of punctuation.
func defangedTokens(s string) []string {
	var out []string
	for _, tok := range strings.Fields(s) {
		tok = strings.TrimRight(tok, ".,;:)")
		tok = strings.TrimLeft(tok, "(")
		if strings.Contains(tok, "hxxp") || strings.Contains(tok, "fxp://") || strings.Contains(tok, "[.]") ||
			strings.Contains(tok, "[@]") || strings.Contains(tok, "[:]") {
			out = append(out, tok)
		}
	}
	return out
}

// checkJoined asserts that the summary is the claims' texts joined by
// blanks (the writer cuts the texts from the summary).
func checkJoined(t *testing.T, x analysis.Explanation) {
	t.Helper()
	texts := make([]string, len(x.Claims))
	for i, c := range x.Claims {
		texts[i] = c.Text
	}
	if joined := strings.Join(texts, " "); x.Summary != joined {
		t.Errorf("summary is not its claims joined:\n%q\n%q", x.Summary, joined)
	}
}

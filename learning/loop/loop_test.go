package loop

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/learning/dataset"
	"github.com/automaldesc/automaldesc/learning/evaluate"
	"github.com/automaldesc/automaldesc/rules"
	"github.com/automaldesc/automaldesc/seeds"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// evalOf builds an evaluation from decisions (flag: predicted malicious).
func evalOf(truth, flag []bool, langs []string) Eval {
	preds := make([]evaluate.Prediction, len(truth))
	for i := range truth {
		l := verdict.Benign
		if flag[i] {
			l = verdict.Malicious
		}
		preds[i] = evaluate.Prediction{TruthLanguage: langs[i], PredLanguage: langs[i], Malicious: truth[i], Labels: []verdict.Label{l}}
	}
	return Eval{Truth: truth, Flag: flag, Lang: langs, Result: evaluate.Compute(preds, []string{"m"}, 50, 1)}
}

func TestGate(t *testing.T) {
	const n = 200
	truth, langs := make([]bool, n), make([]string, n)
	for i := range n {
		truth[i] = i%2 == 0
		langs[i] = []string{"bash", "python"}[i%4/2]
	}
	withErrors := func(idx ...int) []bool {
		f := append([]bool{}, truth...)
		for _, i := range idx {
			f[i] = !f[i]
		}
		return f
	}
	var many []int
	for i := 0; i < 60; i += 2 { // 30 errors spread over both languages
		many = append(many, i)
	}
	before := evalOf(truth, withErrors(1, 3), langs)
	tests := []struct {
		name  string
		gate  Gate
		after Eval
		want  bool
	}{
		{"same model", DefaultGate(), before, true},
		{"better", DefaultGate(), evalOf(truth, withErrors(), langs), true},
		{"one error worse refused at epsilon 0", DefaultGate(), evalOf(truth, withErrors(1, 3, 5), langs), false},
		{"one error worse allowed at epsilon 1%", Gate{MaxAccuracyDrop: 0.01, MaxLanguageDrop: -1, Alpha: 0.05}, evalOf(truth, withErrors(1, 3, 5), langs), true},
		{"significantly worse refused even with a loose epsilon", Gate{MaxAccuracyDrop: 0.5, MaxLanguageDrop: -1, Alpha: 0.05}, evalOf(truth, withErrors(many...), langs), false},
		{"one language much worse refused", Gate{MaxAccuracyDrop: 0.5, MaxLanguageDrop: 0.05, Alpha: 0}, evalOf(truth, withErrors(1, 3, 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44), langs), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, why := tc.gate.Check(before, tc.after)
			if got != tc.want {
				t.Errorf("got %v (%s), want %v", got, why, tc.want)
			}
		})
	}
}

func testEngine(t testing.TB) *analysis.Engine {
	t.Helper()
	live, err := rules.NewLive()
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	eng, err := analysis.New(analysis.Options{
		Version: "test", Rules: live, Catalog: indicators.Default(),
		Limits:    analysis.Limits{MaxFileSize: 1 << 20, SampleTimeout: 10 * time.Second, DecodeDepth: 8, DecodeRatio: 20, DecodeBytes: 8 << 20, MaxLayers: 64},
		Explainer: explain.NewOffline(indicators.Default()),
	})
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	return eng
}

// TestRunImprovesOverSeedsOnly splits the seed set per language into a
// small labelled part, an unlabeled pool and a validation part, and checks
// that self-paced learning beats the model of the labelled part alone,
// registers and promotes its models, and reports every round.
func TestRunImprovesOverSeedsOnly(t *testing.T) {
	items, err := dataset.FromFS(seeds.FS(), "seeds")
	if err != nil {
		t.Fatal(err)
	}
	eng := testEngine(t)
	all, err := Observe(t.Context(), eng, items, 2, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var in Inputs
	perLang := map[string]int{}
	for _, s := range all {
		l := s.Item.Language + "/" + string(s.Item.Label)
		switch k := perLang[l] % 6; {
		case k == 0:
			in.Seeds = append(in.Seeds, s)
		case k <= 3:
			s.Item.Label, s.Item.Language = "", "" // unlabeled
			in.Pool = append(in.Pool, s)
		default:
			in.Validation = append(in.Validation, s)
		}
		perLang[l]++
	}
	reg, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "reg.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	cfg := DefaultConfig()
	cfg.Rounds, cfg.Patience, cfg.Workers, cfg.Bootstrap = 3, 2, 2, 50
	cfg.Gate = Gate{MaxAccuracyDrop: 0, MaxLanguageDrop: -1, Alpha: 0.05}
	cfg.CreatedAt = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	env := Env{Checker: Checker{Decider: eng, Explainer: explain.NewOffline(eng.Catalog()),
		Thresholds: func(l lang.Language) verdict.Thresholds { return analysis.DefaultThresholds }}, Registry: reg}
	res, err := Run(t.Context(), cfg, env, in)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var md bytes.Buffer
	if err := res.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", md.String())
	if len(res.Rounds) == 0 {
		t.Fatal("no rounds")
	}
	r1 := res.Rounds[0]
	if r1.Examples["pseudo"] == 0 {
		t.Fatalf("round 1 kept no pseudo-labels")
	}
	base := res.Baseline["all"]
	var best float64
	for _, r := range res.Rounds {
		if r.Promoted {
			best = max(best, r.Languages[len(r.Languages)-1].AccuracyAfter)
		}
	}
	if best <= base {
		t.Errorf("best promoted validation accuracy %.4f, want above the seeds-only %.4f", best, base)
	}
	if res.Final == res.Initial {
		t.Errorf("final model is the initial one: no round was promoted")
	}
	cur, err := reg.Current(t.Context())
	if err != nil || cur.Version != res.Final {
		t.Errorf("registry current: got %q (%v), want %q", cur.Version, err, res.Final)
	}
	ms, err := reg.ListModels(t.Context())
	if err != nil || len(ms) != len(res.Rounds)+1 {
		t.Errorf("registry holds %d models (%v), want %d", len(ms), err, len(res.Rounds)+1)
	}
	for _, m := range ms[1:] {
		if m.Parent == "" || !json.Valid(m.Metrics) || !strings.Contains(string(m.Summary), "pseudo") {
			t.Errorf("model %s: parent %q, metrics %s, summary %s", m.Version, m.Parent, m.Metrics, m.Summary)
		}
	}
	var js bytes.Buffer
	if err := res.WriteJSON(&js); err != nil || !json.Valid(js.Bytes()) {
		t.Errorf("WriteJSON: %v", err)
	}
	for _, k := range res.Kept {
		for _, v := range in.Validation {
			if v.SHA256() == k.SHA256 {
				t.Errorf("validation sample %s became a pseudo-label", k.SHA256)
			}
		}
	}
}

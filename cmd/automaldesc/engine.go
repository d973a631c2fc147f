package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/explain/llm"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/analysis/verdict/builtin"
	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/rules"
	"github.com/automaldesc/automaldesc/sidecar"
)

// newEngine wires the analysis engine from the configuration: bundled and
// user YARA rules, the indicator catalog, the verdict model and thresholds.
// A broken user rule file is logged with file and line; the rest still load.
func newEngine(cfg config.Config, log *slog.Logger, extraRuleDirs []string) (*analysis.Engine, error) {
	eng, _, _, err := newLiveEngine(cfg, log, extraRuleDirs, false)
	return eng, err
}

// newLiveEngine is newEngine that also returns the rule set it analyses
// with and the user rule folders, so a daemon can reload them
// (live.Reload(dirs...)) while it runs. With offlineOnly the engine
// explains offline even when llm.url is set: the sidecar stores and
// delivers each record at once and runs the LLM afterwards (llmStages).
func newLiveEngine(cfg config.Config, log *slog.Logger, extraRuleDirs []string, offlineOnly bool) (*analysis.Engine, *rules.Live, []string, error) {
	dirs := append(append([]string{}, cfg.Rules.Dirs...), extraRuleDirs...)
	// Loading the YARA rules (compiling them, with user rules), building
	// the indicator catalog and loading the verdict model share nothing;
	// the model alone takes about as long as the other two, so they run
	// side by side: a short `scan` mostly waits for its start-up.
	type compiled struct {
		live *rules.Live
		err  error
	}
	rc := make(chan compiled, 1)
	cc := make(chan *indicators.Catalog, 1)
	go func() {
		live, err := rules.NewLive(dirs...)
		rc <- compiled{live, err}
		cc <- indicators.Default()
	}()
	model, merr := loadModel(cfg.Verdict.Model)
	r, cat := <-rc, <-cc
	live, err := r.live, r.err
	if live == nil {
		return nil, nil, nil, fmt.Errorf("rules: %w", err)
	}
	if err != nil {
		log.Warn("some user rule files were left out", "err", err)
	}
	if merr != nil {
		return nil, nil, nil, merr
	}
	th := cfg.Verdict.Thresholds
	var explainer analysis.Explainer = explain.NewOffline(cat)
	if !offlineOnly {
		if explainer, err = newExplainer(cfg, log, cat); err != nil {
			return nil, nil, nil, err
		}
	}
	eng, err := analysis.New(analysis.Options{
		Version: version,
		Limits: analysis.Limits{
			MaxFileSize:   int64(cfg.Limits.MaxFileSize),
			SampleTimeout: cfg.Limits.SampleTimeout,
			DecodeDepth:   cfg.Limits.DecodeDepth,
			DecodeRatio:   cfg.Limits.DecodeRatio,
			DecodeBytes:   int64(cfg.Limits.DecodeBytes),
			MaxLayers:     cfg.Limits.MaxLayers,
		},
		Rules:     live,
		Catalog:   cat,
		Explainer: explainer,
		Model:     model,
		Threshold: func(l lang.Language) verdict.Thresholds {
			t := th.For(l)
			return verdict.Thresholds{Malicious: t.Malicious, Suspicious: t.Suspicious, MinEvidence: t.MinEvidence}
		},
		TopK:   cfg.Verdict.TopContributions,
		Logger: log,
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return eng, live, dirs, nil
}

// newExplainer returns the offline explainer, or the LLM explainer (which
// falls back to the offline one) when llm.url is set.
func newExplainer(cfg config.Config, log *slog.Logger, cat *indicators.Catalog) (analysis.Explainer, error) {
	x, err := newLLM(cfg, log, cat)
	if err != nil || x == nil {
		return explain.NewOffline(cat), err
	}
	return x, nil
}

// newLLM returns the LLM explainer of llm.*, falling back to the offline
// explainer with the catalog, or nil when llm.url is empty.
func newLLM(cfg config.Config, log *slog.Logger, cat *indicators.Catalog) (*llm.Explainer, error) {
	off := explain.NewOffline(cat)
	m := cfg.LLM
	if m.URL == "" {
		return nil, nil
	}
	retries := m.Retries
	if retries == 0 {
		retries = -1 // llm.Options: 0 is the default, -1 none
	}
	x, err := llm.New(llm.Options{
		BaseURL: m.URL, Model: m.Model, APIKey: os.Getenv(m.APIKeyEnv),
		Temperature: m.Temperature, MaxTokens: m.MaxTokens, ContextTokens: m.ContextTokens,
		Timeout: m.Timeout, Concurrency: m.Concurrency, Retries: retries,
		Offline: off, Script: llm.FirstOf{llm.FileScript{MaxSize: int64(cfg.Limits.MaxFileSize)}, llm.ReportText{}}, Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("llm: %w", err)
	}
	return x, nil
}

// llmStages are the sidecar's slow stages: the LLM explainer when llm.url
// is set, whose work the sidecar stores as update records of the records
// it already delivered (ids by llm.PromptVersion), else none.
func llmStages(cfg config.Config, log *slog.Logger, cat *indicators.Catalog) ([]sidecar.SlowStage, error) {
	x, err := newLLM(cfg, log, cat)
	if err != nil || x == nil {
		return nil, err
	}
	return []sidecar.SlowStage{sidecar.WithVersion(x, llm.PromptVersion)}, nil
}

// builtinModel is the embedded default model.
func builtinModel() (*verdict.Model, error) { return builtin.Model() }

// loadModel reads the verdict model named by verdict.model: empty means the
// embedded model, "rules" means none (verdicts come from the rules view),
// anything else is a model file.
func loadModel(path string) (*verdict.Model, error) {
	switch path {
	case "":
		return builtinModel()
	case "rules":
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("verdict model: %w", err)
	}
	defer f.Close()
	m, err := verdict.Load(f)
	if err != nil {
		return nil, fmt.Errorf("verdict model %s: %w", path, err)
	}
	return m, nil
}

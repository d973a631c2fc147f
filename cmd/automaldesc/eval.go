package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/learning"
	"github.com/automaldesc/automaldesc/learning/dataset"
	"github.com/automaldesc/automaldesc/learning/evaluate"
)

func newEvalCmd(a *app) *cobra.Command {
	var (
		datasets   []string
		modelPath  string
		compare    string
		asJSON     bool
		iterations int
		seed       int64
		scoresPath string
	)
	cmd := &cobra.Command{
		Use:   "eval --dataset DIR|manifest.tsv [--model FILE] [--compare FILE]",
		Short: "Score language identification and verdicts on a labelled dataset",
		Long: "Score language identification and the verdict model on labelled datasets ('seeds', a\n" +
			"manifest.tsv in the shared corpora's format, or a folder holding one): per-language and\n" +
			"pooled accuracy, precision, recall, F1 and false-positive rate with bootstrap 95% intervals,\n" +
			"language-ID confusion, results by provenance, and McNemar's test against --compare.\n" +
			"Models: a file, 'builtin' (the embedded model) or 'rules' (the rules view). Malicious and\n" +
			"suspicious verdicts count as flagged; unknown counts as not flagged and is tallied.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(datasets) == 0 {
				return usageError("eval needs --dataset")
			}
			cfg, err := a.loadConfig(cmd.Flags(), map[string]string{"workers": "scan.workers"})
			if err != nil {
				return err
			}
			models := []string{modelPath}
			if compare != "" {
				models = append(models, compare)
			}
			loaded := make([]*verdict.Model, len(models))
			for i, name := range models {
				if loaded[i], err = resolveModel(name); err != nil {
					return &exitError{code: exitFailure, err: err}
				}
			}
			items, err := loadDatasets(datasets)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			if err := dataset.Labelled(items); err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			cfg.Verdict.Model = "rules"
			cfg.LLM.URL = "" // evaluation scores the offline pipeline; the LLM is advisory
			eng, err := newEngine(cfg, a.logger(cfg), nil)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			preds := make([]evaluate.Prediction, len(items))
			var scores []scoreRow
			if scoresPath != "" {
				scores = make([]scoreRow, len(items))
			}
			err = learning.Observe(cmd.Context(), eng, items, cfg.Scan.EffectiveWorkers(), int64(cfg.Limits.MaxFileSize), func(o learning.Observation) error {
				p := evaluate.Prediction{
					TruthLanguage: o.Item.Language,
					PredLanguage:  "unknown",
					Malicious:     o.Item.Label == dataset.Malicious,
					Provenance:    o.Item.Provenance,
					Labels:        make([]verdict.Label, len(loaded)),
				}
				if o.Report != nil {
					p.PredLanguage = o.Report.Language.Language.String()
					for i, m := range loaded {
						p.Labels[i] = decideFor(eng, m, o)
					}
				}
				preds[o.Index] = p
				if scores != nil {
					scores[o.Index] = newScoreRow(eng, loaded[0], o, p)
				}
				return nil
			})
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			if scores != nil {
				if err := writeScores(scoresPath, scores); err != nil {
					return &exitError{code: exitFailure, err: err}
				}
			}
			res := evaluate.Compute(preds, models, iterations, seed)
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return res.WriteTable(a.stdout)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&datasets, "dataset", nil, "labelled dataset: 'seeds', a manifest.tsv or a folder with one (repeatable)")
	fl.StringVar(&modelPath, "model", "builtin", "model to score: a file, 'builtin' or 'rules'")
	fl.StringVar(&compare, "compare", "", "second model to score on the same analyses, with McNemar's test")
	fl.BoolVar(&asJSON, "json", false, "print the result as JSON")
	fl.IntVar(&iterations, "bootstrap", 2000, "bootstrap iterations for the confidence intervals")
	fl.Int64Var(&seed, "seed", 1, "bootstrap seed")
	fl.StringVar(&scoresPath, "scores", "", "also write one TSV row per sample (truth, label, calibrated score, evidence) of --model, for threshold tuning")
	fl.Int("workers", 0, "analysis workers (0 = CPUs)")
	return cmd
}

// scoreRow is one sample's line in the --scores file.
type scoreRow struct {
	sha256, truthLang, predLang, truth, provenance string
	size                                           int64
	label                                          verdict.Label
	source                                         string
	score, evidence                                float64
	active                                         int
	critical                                       bool
}

// newScoreRow records the first model's view of an observation: the final
// label (with the rules' raise) and the raw calibrated score and evidence.
func newScoreRow(eng *analysis.Engine, m *verdict.Model, o learning.Observation, p evaluate.Prediction) scoreRow {
	r := scoreRow{truthLang: p.TruthLanguage, predLang: p.PredLanguage, truth: "benign", provenance: p.Provenance, label: verdict.Unknown}
	if p.Malicious {
		r.truth = "malicious"
	}
	if o.Report == nil {
		return r
	}
	r.sha256, r.size = o.Report.Sample.SHA256, o.Report.Sample.Size
	if o.Report.Status != analysis.StatusOK {
		return r
	}
	r.critical = hasCritical(o.Report)
	v := eng.DecideWith(m, o.Report, o.Input)
	r.label, r.source, r.score = v.Label, v.Source, v.Score
	if m != nil && o.Input != nil {
		res := m.Predict(o.Input, o.Report.Language.Language, verdict.Thresholds{Malicious: 1, Suspicious: 1}, 0)
		r.score, r.evidence, r.active = res.Score, res.Evidence, res.ActiveFeatures
	}
	return r
}

// hasCritical reports whether a finding of critical severity would raise a
// benign or unknown model verdict to suspicious (see Engine.DecideWith).
func hasCritical(r *analysis.Report) bool {
	for _, h := range r.Indicators {
		if h.Severity == indicators.SeverityCritical {
			return true
		}
	}
	for _, m := range r.YARA {
		if s, err := indicators.ParseSeverity(m.Severity); err == nil && s == indicators.SeverityCritical {
			return true
		}
	}
	return false
}

// writeScores writes the --scores TSV.
func writeScores(path string, rows []scoreRow) error {
	var b strings.Builder
	b.WriteString("sha256\tlanguage\tpred_language\ttruth\tprovenance\tsize\tlabel\tsource\tscore\tevidence\tactive_features\tcritical\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%.6f\t%.4f\t%d\t%t\n",
			r.sha256, r.truthLang, r.predLang, r.truth, r.provenance, r.size, r.label, r.source, r.score, r.evidence, r.active, r.critical)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write scores: %w", err)
	}
	return nil
}

// decideFor is the label model m gives one observation (m nil: rules view).
func decideFor(eng *analysis.Engine, m *verdict.Model, o learning.Observation) verdict.Label {
	if o.Report.Status != analysis.StatusOK {
		return verdict.Unknown
	}
	return eng.DecideWith(m, o.Report, o.Input).Label
}

// resolveModel maps a --model value to a model: nil means the rules view.
func resolveModel(name string) (*verdict.Model, error) {
	switch name {
	case "rules":
		return nil, nil
	case "builtin", "":
		return builtinModel()
	}
	if _, err := os.Stat(name); err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	return loadModel(name)
}

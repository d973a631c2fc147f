package main

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/learning"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

func newTrainCmd(a *app) *cobra.Command {
	var (
		datasets  []string
		out       string
		notes     string
		createdAt string
		opt       = verdict.DefaultTrainOptions()
		w         = learning.DefaultWeights()
	)
	cmd := &cobra.Command{
		Use:   "train --dataset PATH... --out MODEL",
		Short: "Train a verdict model on labelled datasets and write a versioned model file",
		Long: "Train the explainable verdict model (weighted, L2-regularised logistic regression with\n" +
			"Platt calibration) on labelled datasets: 'seeds' for the embedded seed set, a manifest.tsv,\n" +
			"or a folder holding one. Training is deterministic for the same data, options and --seed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" || len(datasets) == 0 {
				return usageError("train needs --dataset and --out")
			}
			cfg, err := a.loadConfig(cmd.Flags(), map[string]string{"workers": "scan.workers"})
			if err != nil {
				return err
			}
			if createdAt != "" {
				t, err := time.Parse(time.RFC3339, createdAt)
				if err != nil {
					return usageError("--created-at: %v", err)
				}
				opt.CreatedAt = t
			} else {
				opt.CreatedAt = time.Now().UTC().Truncate(time.Second)
			}
			items, err := loadDatasets(datasets)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			if err := dataset.Labelled(items); err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			log := a.logger(cfg)
			cfg.Verdict.Model = "rules" // features do not depend on the model
			eng, err := newEngine(cfg, log, nil)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			examples := make([]verdict.Example, len(items))
			ok := make([]bool, len(items))
			var dropped []string
			start := time.Now()
			err = learning.Observe(cmd.Context(), eng, items, cfg.Scan.EffectiveWorkers(), int64(cfg.Limits.MaxFileSize), func(o learning.Observation) error {
				ex, err := learning.Example(o, w)
				if err != nil {
					dropped = append(dropped, err.Error())
					return nil
				}
				examples[o.Index], ok[o.Index] = ex, true
				return nil
			})
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			kept := examples[:0]
			for i, ex := range examples {
				if ok[i] {
					kept = append(kept, ex)
				}
			}
			log.Info("examined datasets", "samples", len(items), "examples", len(kept), "dropped", len(dropped), "took", time.Since(start).Round(time.Millisecond))
			m, err := verdict.Train(kept, opt)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			var buf bytes.Buffer
			if err := m.Save(&buf); err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			summary := trainingSummary(m, datasets, items, dropped, w, os.Args)
			if notes != "" {
				if err := os.WriteFile(notes, []byte(summary), 0o644); err != nil {
					return &exitError{code: exitFailure, err: err}
				}
			}
			_, err = fmt.Fprint(a.stdout, summary)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&datasets, "dataset", nil, "labelled dataset: 'seeds', a manifest.tsv or a folder with one (repeatable)")
	fl.StringVar(&out, "out", "", "model file to write")
	fl.StringVar(&notes, "notes", "", "also write the training summary (Markdown) to this file")
	fl.StringVar(&createdAt, "created-at", "", "model creation time (RFC 3339; default now) - fix it for byte-identical retraining")
	fl.Float64Var(&opt.L2, "l2", opt.L2, "L2 regularisation strength")
	fl.IntVar(&opt.MaxIterations, "max-iterations", opt.MaxIterations, "optimizer iteration limit")
	fl.Int64Var(&opt.Seed, "seed", opt.Seed, "seed for the calibration split")
	fl.Float64Var(&opt.CalibrationFraction, "calibration-fraction", opt.CalibrationFraction, "share held out to fit the calibration")
	fl.IntVar(&opt.MinFeatureCount, "min-count", opt.MinFeatureCount, "drop features seen in fewer examples")
	fl.IntVar(&opt.MaxFeatures, "max-features", opt.MaxFeatures, "keep at most this many features")
	fl.BoolVar(&opt.BinaryUnscaled, "binary-unscaled", opt.BinaryUnscaled, "centre 0/1 indicator features without scaling them, so L2 acts on their raw weights")
	fl.Float64Var(&w.Seed, "weight-seed", w.Seed, "weight of seed-set examples")
	fl.Float64Var(&w.Emulation, "weight-emulation", w.Emulation, "weight of attack-emulation examples")
	fl.Float64Var(&w.Other, "weight-other", w.Other, "weight of other labelled examples")
	fl.Int("workers", 0, "analysis workers (0 = CPUs)")
	return cmd
}

// trainingSummary is the Markdown note recorded beside a model.
func trainingSummary(m *verdict.Model, datasets []string, items []dataset.Item, dropped []string, w learning.Weights, argv []string) string {
	meta := m.Meta()
	var b strings.Builder
	fmt.Fprintf(&b, "# Verdict model %s\n\n", m.Version())
	fmt.Fprintf(&b, "Command: `automaldesc %s`\n\n", strings.Join(argv[1:], " "))
	fmt.Fprintf(&b, "Datasets: %s (%d samples, %d used, %d dropped as skipped or unreadable)\n\n", strings.Join(datasets, ", "), len(items), meta.Examples, len(dropped))
	fmt.Fprintf(&b, "Example weights: seed %.2g, attack-emulation %.2g, other %.2g\n\n", w.Seed, w.Emulation, w.Other)
	b.WriteString("| language | malicious | benign |\n|---|---|---|\n")
	langs := make([]string, 0, len(meta.PerLanguage))
	for l := range meta.PerLanguage {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		c := meta.PerLanguage[l]
		fmt.Fprintf(&b, "| %s | %d | %d |\n", l, c.Malicious, c.Benign)
	}
	fmt.Fprintf(&b, "\nFeatures: %d kept of %d candidates; optimizer: %d iterations (%s); training log loss %.4f\n\n",
		meta.Features, meta.CandidateFeatures, meta.Iterations, meta.OptimizerStatus, meta.TrainLogLoss)
	c := meta.Calibration
	fmt.Fprintf(&b, "Calibration: %s on %d held-out examples (%d malicious)%s; Brier %.4f -> %.4f, ECE %.4f -> %.4f, held-out accuracy %.2f%%\n",
		c.Method, c.Examples, c.Malicious, map[bool]string{true: " - " + c.Reason, false: ""}[c.Reason != ""],
		c.BrierRaw, c.BrierCalibrated, c.ECERaw, c.ECECalibrated, 100*c.Accuracy)
	return b.String()
}

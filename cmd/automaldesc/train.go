package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/analysis/lang"
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
		saveVecs  string
		loadVecs  string
		opt       = corpusTrainOptions()
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
			if out == "" || (len(datasets) == 0) == (loadVecs == "") {
				return usageError("train needs --out and either --dataset or --vectors")
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
			log := a.logger(cfg)
			var (
				items   []dataset.Item
				kept    []verdict.Example
				dropped []string
			)
			if loadVecs != "" {
				var vecs []vectorRow
				if vecs, datasets, err = readVectors(loadVecs); err != nil {
					return &exitError{code: exitFailure, err: err}
				}
				for _, v := range vecs {
					kept = append(kept, v.example(w))
				}
				items = make([]dataset.Item, len(vecs))
				log.Info("read vectors", "file", loadVecs, "examples", len(kept))
			} else {
				if items, err = loadDatasets(datasets); err != nil {
					return &exitError{code: exitFailure, err: err}
				}
				if err := dataset.Labelled(items); err != nil {
					return &exitError{code: exitFailure, err: err}
				}
				cfg.Verdict.Model = "rules" // features do not depend on the model
				cfg.LLM.URL = ""            // nor on the explanation
				eng, err := newEngine(cfg, log, nil)
				if err != nil {
					return &exitError{code: exitFailure, err: err}
				}
				examples := make([]verdict.Example, len(items))
				provenance := make([]string, len(items))
				ok := make([]bool, len(items))
				start := time.Now()
				err = learning.Observe(cmd.Context(), eng, items, cfg.Scan.EffectiveWorkers(), int64(cfg.Limits.MaxFileSize), func(o learning.Observation) error {
					ex, err := learning.Example(o, w)
					if err != nil {
						dropped = append(dropped, err.Error())
						return nil
					}
					examples[o.Index], ok[o.Index], provenance[o.Index] = ex, true, o.Item.Provenance
					return nil
				})
				if err != nil {
					return &exitError{code: exitFailure, err: err}
				}
				var vecs []vectorRow
				for i, ex := range examples {
					if ok[i] {
						kept = append(kept, ex)
						vecs = append(vecs, vectorRow{Language: ex.Language.String(), Provenance: provenance[i], Malicious: ex.Malicious, Features: ex.Features})
					}
				}
				log.Info("examined datasets", "samples", len(items), "examples", len(kept), "dropped", len(dropped), "took", time.Since(start).Round(time.Millisecond))
				if saveVecs != "" {
					if err := writeVectors(saveVecs, datasets, vecs); err != nil {
						return &exitError{code: exitFailure, err: err}
					}
				}
			}
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
	fl.StringVar(&saveVecs, "save-vectors", "", "also write the examined examples' model inputs (gzipped JSON lines) to this file")
	fl.StringVar(&loadVecs, "vectors", "", "train on vectors written by --save-vectors instead of examining --dataset (weights are applied anew)")
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

// corpusTrainOptions are the train command's defaults, tuned on the shared
// corpora (analysis/verdict/builtin/TRAINING.md): the library defaults with
// unscaled indicator features and at most 60,000 features (a 3.6 MB model).
func corpusTrainOptions() verdict.TrainOptions {
	opt := verdict.DefaultTrainOptions()
	opt.BinaryUnscaled = true
	opt.MaxFeatures = 60_000
	return opt
}

// vectorRow is one example in a --save-vectors file. The weight is not
// stored: it follows from the provenance and the weight flags of the run
// that reads the file.
type vectorRow struct {
	Language   string             `json:"language"`
	Provenance string             `json:"provenance"`
	Malicious  bool               `json:"malicious"`
	Features   map[string]float64 `json:"features"`
}

func (v vectorRow) example(w learning.Weights) verdict.Example {
	l, err := lang.Parse(v.Language)
	if err != nil {
		l = lang.Unknown
	}
	return verdict.Example{Features: v.Features, Malicious: v.Malicious, Weight: w.For(v.Provenance), Language: l}
}

// vectorsHeader is the first line of a vectors file.
type vectorsHeader struct {
	Kind     string   `json:"kind"`
	Datasets []string `json:"datasets"`
	Examples int      `json:"examples"`
}

const vectorsKind = "automaldesc.train.vectors/1"

// writeVectors writes a header line and one JSON line per example, gzipped.
func writeVectors(path string, datasets []string, rows []vectorRow) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(vectorsHeader{Kind: vectorsKind, Datasets: datasets, Examples: len(rows)}); err != nil {
		return fmt.Errorf("write vectors: %w", err)
	}
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write vectors: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write vectors: %w", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write vectors: %w", err)
	}
	return nil
}

// readVectors reads a file written by writeVectors.
func readVectors(path string) ([]vectorRow, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read vectors: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, nil, fmt.Errorf("read vectors %s: %w", path, err)
	}
	dec := json.NewDecoder(zr)
	var h vectorsHeader
	if err := dec.Decode(&h); err != nil || h.Kind != vectorsKind {
		return nil, nil, fmt.Errorf("read vectors %s: not a vectors file (header %q, %v)", path, h.Kind, err)
	}
	rows := make([]vectorRow, 0, h.Examples)
	for {
		var r vectorRow
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			return nil, nil, fmt.Errorf("read vectors %s: row %d: %w", path, len(rows)+1, err)
		}
		rows = append(rows, r)
	}
	if len(rows) != h.Examples {
		return nil, nil, fmt.Errorf("read vectors %s: %d rows, header says %d", path, len(rows), h.Examples)
	}
	return rows, h.Datasets, nil
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

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/learning"
	"github.com/automaldesc/automaldesc/learning/dataset"
	"github.com/automaldesc/automaldesc/learning/loop"
	"github.com/automaldesc/automaldesc/store"
)

// learnOptions are the inputs of one learn run besides the loop's config.
type learnOptions struct {
	seeds      []string
	pool       string
	poolLimit  int
	validation string
	db         string
	noStore    bool
	out        string
	supervised bool
	createdAt  string
}

func newLearnCmd(a *app) *cobra.Command {
	var (
		o   learnOptions
		cfg = loop.DefaultConfig()
	)
	cmd := &cobra.Command{
		Use:   "learn --pool DIR|manifest.tsv|store --validation DIR|manifest.tsv [--seeds seeds] [--db FILE] [--out DIR]",
		Short: "Self-paced retraining from seeds, analyst feedback and the unlabeled pool",
		Long: "Self-paced learning: train V1 on the seed set and analyst feedback (from the store), then each\n" +
			"round annotate the unlabeled pool with the current model, keep only well-formed, grounded,\n" +
			"confident pseudo-labels on which the rules view and a summary-only judge agree (capped per\n" +
			"template family and balanced per language), retrain with pseudo-labels weighted lower, and\n" +
			"promote the new model in the store's registry only when it is not worse on the validation set\n" +
			"(accuracy and McNemar). The pool's labels are ignored; --pool store takes the store's recent\n" +
			"records. Writes report.md, report.json, kept.jsonl and final.model into --out.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.pool == "" || o.validation == "" {
				return usageError("learn needs --pool and --validation")
			}
			c, err := a.loadConfig(cmd.Flags(), map[string]string{"workers": "scan.workers",
				"llm-url": "llm.url", "llm-model": "llm.model"})
			if err != nil {
				return err
			}
			if o.createdAt != "" {
				t, err := time.Parse(time.RFC3339, o.createdAt)
				if err != nil {
					return usageError("--created-at: %v", err)
				}
				cfg.CreatedAt = t
			}
			if err := cfg.Validate(); err != nil {
				return usageError("%v", err)
			}
			for _, temp := range cfg.Temperatures {
				if temp < 0 || temp > 2 {
					return usageError("--llm-temperatures: %g is outside 0..2", temp)
				}
			}
			res, err := runLearn(cmd.Context(), a, c, o, cfg)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			return res.WriteMarkdown(a.stdout)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&o.seeds, "seeds", []string{"seeds"}, "labelled seed dataset(s): 'seeds' for the embedded set, a manifest.tsv or a folder")
	fl.StringVar(&o.pool, "pool", "", "unlabeled pool: a folder, a manifest.tsv (labels ignored) or 'store' (recent records)")
	fl.IntVar(&o.poolLimit, "pool-limit", 5000, "records taken from the store with --pool store")
	fl.StringVar(&o.validation, "validation", "", "labelled validation set, used only for gating")
	fl.StringVar(&o.db, "db", "", "store (SQLite) with feedback and the model registry (default: config store.path)")
	fl.BoolVar(&o.noStore, "no-store", false, "use no store: no feedback, models not registered")
	fl.StringVar(&o.out, "out", "", "folder for report.md, report.json, kept.jsonl and final.model")
	fl.BoolVar(&o.supervised, "supervised", false, "also train on the pool with its true labels and report that upper bound")
	fl.StringVar(&o.createdAt, "created-at", "", "model creation time (RFC 3339; default now)")
	fl.IntVar(&cfg.Rounds, "rounds", cfg.Rounds, "round limit")
	fl.Float64Var(&cfg.Schedule.Start, "threshold-start", cfg.Schedule.Start, "confidence threshold of round 1")
	fl.Float64Var(&cfg.Schedule.Step, "threshold-step", cfg.Schedule.Step, "threshold relaxation per round")
	fl.Float64Var(&cfg.Schedule.Floor, "threshold-floor", cfg.Schedule.Floor, "lowest threshold")
	fl.IntVar(&cfg.MaxPerFamily, "max-per-family", cfg.MaxPerFamily, "pseudo-labels per template family (0: no cap)")
	fl.IntVar(&cfg.FamilyDist, "family-distance", cfg.FamilyDist, "simhash Hamming distance of one family (0..3)")
	fl.Float64Var(&cfg.BalanceRatio, "balance-ratio", cfg.BalanceRatio, "largest class ratio per language (0: off)")
	fl.Float64Var(&cfg.Gate.MaxAccuracyDrop, "gate-epsilon", cfg.Gate.MaxAccuracyDrop, "pooled accuracy drop the gate tolerates")
	fl.Float64Var(&cfg.Gate.MaxLanguageDrop, "gate-language-drop", cfg.Gate.MaxLanguageDrop, "per-language accuracy drop the gate tolerates (<0: off)")
	fl.Float64Var(&cfg.Gate.Alpha, "gate-alpha", cfg.Gate.Alpha, "McNemar significance level of the gate")
	fl.Float64Var(&cfg.MinGain, "min-gain", cfg.MinGain, "pooled accuracy gain a round must bring")
	fl.IntVar(&cfg.Patience, "patience", cfg.Patience, "rounds without gain before stopping")
	fl.Float64Var(&cfg.Weights.Seed, "weight-seed", cfg.Weights.Seed, "weight of seed examples")
	fl.Float64Var(&cfg.Weights.Feedback, "weight-feedback", cfg.Weights.Feedback, "weight of feedback examples")
	fl.Float64Var(&cfg.Weights.Pseudo, "weight-pseudo", cfg.Weights.Pseudo, "weight of pseudo-labels")
	fl.Int("workers", 0, "analysis workers (0 = CPUs)")
	fl.String("llm-url", "", "OpenAI-compatible API root of the LLM view and coherence judge (config llm.url; empty: no LLM)")
	fl.String("llm-model", "", "model of the LLM view (config llm.model)")
	fl.Float64SliceVar(&cfg.Temperatures, "llm-temperatures", cfg.Temperatures, "temperatures the LLM labels each pseudo-label at (all must agree)")
	return cmd
}

func runLearn(ctx context.Context, a *app, c config.Config, o learnOptions, cfg loop.Config) (*loop.Result, error) {
	log := a.logger(c)
	c.Verdict.Model = "rules" // features do not depend on the model
	// Offline explanations: the LLM, when configured, is a view of the
	// checker below, not the engine's explainer.
	eng, _, _, err := newLiveEngine(c, log, nil, true)
	if err != nil {
		return nil, err
	}
	workers, maxSize := c.Scan.EffectiveWorkers(), int64(c.Limits.MaxFileSize)
	cfg.Workers = workers

	var st store.Store
	var reg store.ModelRegistry
	if !o.noStore {
		path := o.db
		if path == "" {
			path = c.Store.Path
		}
		s, err := openStore(ctx, path, log)
		if err != nil {
			return nil, err
		}
		defer s.Close()
		st, reg = s, s
	}

	seedItems, err := loadDatasets(o.seeds)
	if err != nil {
		return nil, err
	}
	if err := dataset.Labelled(seedItems); err != nil {
		return nil, err
	}
	valItems, err := loadDatasets([]string{o.validation})
	if err != nil {
		return nil, err
	}
	if err := dataset.Labelled(valItems); err != nil {
		return nil, err
	}
	var poolItems []dataset.Item
	var cleanup func()
	if o.pool == "store" {
		if st == nil {
			return nil, errors.New("--pool store needs a store (drop --no-store)")
		}
		poolItems, cleanup, err = storePool(ctx, st, o.poolLimit)
		if err != nil {
			return nil, err
		}
		defer cleanup()
	} else if poolItems, err = loadDatasets([]string{o.pool}); err != nil {
		return nil, err
	}
	truth := make([]dataset.Item, len(poolItems)) // kept for --supervised only
	copy(truth, poolItems)
	for i := range poolItems { // the pool is unlabeled: drop what a manifest says
		poolItems[i].Label, poolItems[i].Language, poolItems[i].Provenance, poolItems[i].Family = "", "", "", ""
	}

	start := time.Now()
	observe := func(name string, items []dataset.Item) ([]loop.Sample, error) {
		ss, err := loop.Observe(ctx, eng, items, workers, maxSize)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		log.Info("analysed", "set", name, "samples", len(ss), "elapsed", time.Since(start).Round(time.Millisecond))
		return ss, nil
	}
	in := loop.Inputs{}
	if in.Seeds, err = observe("seeds", seedItems); err != nil {
		return nil, err
	}
	if in.Validation, err = observe("validation", valItems); err != nil {
		return nil, err
	}
	pool, err := observe("pool", poolItems)
	if err != nil {
		return nil, err
	}
	if st != nil {
		if in.Feedback, pool, err = feedbackSamples(ctx, st, eng, pool, workers, maxSize); err != nil {
			return nil, err
		}
	}
	in.Pool = pool

	env := loop.Env{
		Checker: loop.Checker{
			Decider:    eng,
			Explainer:  explain.NewOffline(eng.Catalog()),
			Thresholds: thresholdsFunc(c),
		},
		Registry: reg,
		By:       "learn",
		Log:      log,
	}
	if reg == nil {
		env.Registry = nil
	}
	// With llm.url the LLM is an extra view (its label at every
	// temperature must agree) and the summary-only coherence judge.
	x, err := newLLM(c, log, eng.Catalog())
	if err != nil {
		return nil, err
	}
	if x != nil {
		env.Checker.LLM, env.Checker.Judge, env.Checker.Temperatures = x, x, cfg.Temperatures
	}
	res, err := loop.Run(ctx, cfg, env, in)
	if err != nil {
		return nil, err
	}
	if o.supervised {
		if res.Supervised, err = supervisedBound(ctx, eng, cfg, in, truth, pool); err != nil {
			return nil, err
		}
	}
	if o.out != "" {
		if err := writeLearnOutputs(o.out, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func thresholdsFunc(c config.Config) func(lang.Language) verdict.Thresholds {
	th := c.Verdict.Thresholds
	return func(l lang.Language) verdict.Thresholds {
		t := th.For(l)
		return verdict.Thresholds{Malicious: t.Malicious, Suspicious: t.Suspicious, MinEvidence: t.MinEvidence}
	}
}

// feedbackSamples turns analyst feedback into labelled samples: pool
// samples with feedback leave the pool; feedback on samples outside the
// pool is analysed from the newest record's file when it is still there.
func feedbackSamples(ctx context.Context, st store.Store, eng *analysis.Engine, pool []loop.Sample, workers int, maxSize int64) ([]loop.Sample, []loop.Sample, error) {
	labels, err := loop.FeedbackLabels(ctx, st)
	if err != nil || len(labels) == 0 {
		return nil, pool, err
	}
	var fb []loop.Sample
	rest := pool[:0:0]
	found := map[string]bool{}
	for _, s := range pool {
		if l, ok := labels[s.SHA256()]; ok && !found[s.SHA256()] {
			found[s.SHA256()] = true
			s.Item.Label, s.Item.Provenance = l, "feedback"
			fb = append(fb, s)
			continue
		}
		rest = append(rest, s)
	}
	var recs []store.Record
	for sha := range labels {
		if found[sha] {
			continue
		}
		rec, err := st.LatestBySHA256(ctx, sha)
		if err != nil {
			continue // feedback given by sha256 only, or the record is gone
		}
		recs = append(recs, rec)
	}
	if len(recs) > 0 {
		items, cleanup, err := recordItems(recs)
		if err != nil {
			return nil, nil, err
		}
		defer cleanup()
		ss, err := loop.Observe(ctx, eng, items, workers, maxSize)
		if err != nil {
			return nil, nil, err
		}
		for _, s := range ss {
			if l, ok := labels[s.SHA256()]; ok && s.Err == nil {
				s.Item.Label, s.Item.Provenance = l, "feedback"
				fb = append(fb, s)
			}
		}
	}
	return fb, rest, nil
}

// storePool is the store's recent analysed records whose files are still
// readable.
func storePool(ctx context.Context, st store.Store, limit int) ([]dataset.Item, func(), error) {
	recs, err := st.ListRecords(ctx, store.Filter{Status: "ok", Desc: true, Limit: limit})
	if err != nil {
		return nil, nil, err
	}
	if len(recs) == 0 {
		return nil, nil, errors.New("pool: the store has no analysed records")
	}
	return recordItems(recs)
}

// recordItems makes a dataset of records' files: a temporary folder with a
// manifest.tsv and symbolic links to the files (records whose file is gone
// are left out).
func recordItems(recs []store.Record) ([]dataset.Item, func(), error) {
	dir, err := os.MkdirTemp("", "automaldesc-learn-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	var b strings.Builder
	b.WriteString("file\tsha256\tlanguage\tlabel\tprovenance\n")
	n := 0
	for _, r := range recs {
		if r.Path == "" {
			continue
		}
		if fi, err := os.Stat(r.Path); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		name := fmt.Sprintf("r%06d", n)
		if err := os.Symlink(r.Path, filepath.Join(dir, name)); err != nil {
			cleanup()
			return nil, nil, err
		}
		fmt.Fprintf(&b, "%s\t%s\t\t\tstore\n", name, r.SHA256)
		n++
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.tsv"), []byte(b.String()), 0o600); err != nil {
		cleanup()
		return nil, nil, err
	}
	items, err := dataset.Load(dir)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return items, cleanup, nil
}

// supervisedBound trains on seeds, feedback and the pool with its true
// labels and scores that model on the validation set.
func supervisedBound(ctx context.Context, eng *analysis.Engine, cfg loop.Config, in loop.Inputs, truth []dataset.Item, pool []loop.Sample) (map[string]loop.SupervisedRow, error) {
	byWhere := map[string]dataset.Item{}
	for _, it := range truth {
		byWhere[it.Where] = it
	}
	labelledPool := make([]loop.Sample, 0, len(pool))
	for _, s := range pool {
		t, ok := byWhere[s.Item.Where]
		if !ok || t.Label == "" {
			continue
		}
		s.Item.Entry = t.Entry
		labelledPool = append(labelledPool, s)
	}
	if len(labelledPool) == 0 {
		return nil, errors.New("--supervised: the pool has no labels")
	}
	var exs []verdict.Example
	for _, set := range []struct {
		ss   []loop.Sample
		prov string
	}{{in.Seeds, "seed"}, {in.Feedback, "feedback"}, {labelledPool, ""}} {
		for _, s := range set.ss {
			o := s.Observation
			if set.prov != "" {
				o.Item.Provenance = set.prov
			}
			if ex, err := learning.Example(o, cfg.Weights); err == nil {
				exs = append(exs, ex)
			}
		}
	}
	opt := cfg.Train
	opt.CreatedAt = cfg.CreatedAt
	m, err := verdict.Train(exs, opt)
	if err != nil {
		return nil, fmt.Errorf("supervised bound: %w", err)
	}
	return loop.Score(eng, m, in.Validation), nil
}

func writeLearnOutputs(dir string, res *loop.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name string, fn func(f *os.File) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", name, err)
		}
		return f.Close()
	}
	return errors.Join(
		write("report.md", func(f *os.File) error { return res.WriteMarkdown(f) }),
		write("report.json", func(f *os.File) error { return res.WriteJSON(f) }),
		write("kept.jsonl", func(f *os.File) error { return loop.WriteKept(f, res.Kept) }),
		write("final.model", func(f *os.File) error { return res.Model.Save(f) }),
	)
}

// Package evaluate scores verdict models and language identification on a
// labelled dataset: per-language and pooled accuracy, precision, recall,
// F1 and false-positive rate with bootstrap 95% confidence intervals,
// language-ID accuracy and confusion, results by provenance, and McNemar's
// test between two models scored on the same samples.
package evaluate

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/learning/metrics"
)

// Prediction is one labelled sample as the models saw it.
type Prediction struct {
	TruthLanguage string
	PredLanguage  string
	Malicious     bool            // ground truth
	Labels        []verdict.Label // one per model, in Result.Models order
	Provenance    string
}

// predicted maps a verdict label to the binary decision scored: malicious
// and suspicious count as "flagged"; benign and unknown do not.
func predicted(l verdict.Label) bool { return l == verdict.Malicious || l == verdict.Suspicious }

// Stats are one model's scores on one group of samples.
type Stats struct {
	metrics.Confusion
	Accuracy   float64    `json:"accuracy"`
	Precision  float64    `json:"precision"`
	Recall     float64    `json:"recall"`
	F1         float64    `json:"f1"`
	FPR        float64    `json:"fpr"`
	AccuracyCI [2]float64 `json:"accuracy_ci95"`
	F1CI       [2]float64 `json:"f1_ci95"`
	FPRCI      [2]float64 `json:"fpr_ci95"`
	Unknown    int        `json:"unknown"` // samples labelled unknown (scored as not flagged)
}

// Group is the scores of a group of samples (a language, a provenance, or all).
type Group struct {
	Name             string  `json:"name"`
	N                int     `json:"n"`
	Malicious        int     `json:"malicious"`
	Benign           int     `json:"benign"`
	LanguageAccuracy float64 `json:"language_accuracy"`
	Models           []Stats `json:"models"`
}

// Result is a whole evaluation.
type Result struct {
	Models        []string                  `json:"models"`
	Languages     []Group                   `json:"languages"` // per language, then "all"
	Provenance    []Group                   `json:"provenance"`
	LanguageID    map[string]map[string]int `json:"language_confusion"` // truth -> predicted -> count
	McNemar       *metrics.McNemarResult    `json:"mcnemar,omitempty"`  // models[0] vs models[1]
	BootstrapSeed int64                     `json:"bootstrap_seed"`
}

// Compute scores preds. Iterations and seed drive the bootstrap.
func Compute(preds []Prediction, models []string, iterations int, seed int64) Result {
	r := Result{Models: models, LanguageID: map[string]map[string]int{}, BootstrapSeed: seed}
	byLang := map[string][]Prediction{}
	byProv := map[string][]Prediction{}
	for _, p := range preds {
		byLang[p.TruthLanguage] = append(byLang[p.TruthLanguage], p)
		byProv[p.Provenance] = append(byProv[p.Provenance], p)
		if r.LanguageID[p.TruthLanguage] == nil {
			r.LanguageID[p.TruthLanguage] = map[string]int{}
		}
		r.LanguageID[p.TruthLanguage][p.PredLanguage]++
	}
	for _, name := range sortedKeys(byLang) {
		r.Languages = append(r.Languages, group(name, byLang[name], len(models), iterations, seed))
	}
	r.Languages = append(r.Languages, group("all", preds, len(models), iterations, seed))
	for _, name := range sortedKeys(byProv) {
		r.Provenance = append(r.Provenance, group(name, byProv[name], len(models), iterations, seed))
	}
	if len(models) >= 2 {
		truth := make([]bool, len(preds))
		a := make([]bool, len(preds))
		b := make([]bool, len(preds))
		for i, p := range preds {
			truth[i], a[i], b[i] = p.Malicious, predicted(p.Labels[0]), predicted(p.Labels[1])
		}
		if m, err := metrics.McNemar(truth, a, b); err == nil {
			r.McNemar = &m
		}
	}
	return r
}

func group(name string, preds []Prediction, nModels, iterations int, seed int64) Group {
	g := Group{Name: name, N: len(preds), Models: make([]Stats, nModels)}
	langOK := 0
	for _, p := range preds {
		if p.Malicious {
			g.Malicious++
		} else {
			g.Benign++
		}
		if p.TruthLanguage == p.PredLanguage {
			langOK++
		}
	}
	if len(preds) > 0 {
		g.LanguageAccuracy = float64(langOK) / float64(len(preds))
	}
	for m := range nModels {
		pairs := make([]metrics.Pair, len(preds))
		st := Stats{}
		for i, p := range preds {
			pairs[i] = metrics.Pair{Truth: p.Malicious, Pred: predicted(p.Labels[m])}
			if p.Labels[m] == verdict.Unknown {
				st.Unknown++
			}
		}
		st.Confusion = metrics.ConfusionOf(pairs)
		c := st.Confusion
		st.Accuracy, st.Precision, st.Recall, st.F1, st.FPR = c.Accuracy(), c.Precision(), c.Recall(), c.F1(), c.FPR()
		ci := func(f func(metrics.Confusion) float64) [2]float64 {
			lo, hi := metrics.BootstrapCI(pairs, f, iterations, seed, metrics.DefaultAlpha)
			return [2]float64{lo, hi}
		}
		st.AccuracyCI = ci(metrics.Confusion.Accuracy)
		st.F1CI = ci(metrics.Confusion.F1)
		st.FPRCI = ci(metrics.Confusion.FPR)
		g.Models[m] = st
	}
	return g
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// WriteTable writes the evaluation laid out like the AutoMalDesc paper's
// Table 2 (rows: languages; columns: language accuracy, malware accuracy),
// with the other scores beside them, then the provenance breakdown.
func (r Result) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	for m, name := range r.Models {
		fmt.Fprintf(tw, "model %s\t\t\t\t\t\t\t\t\t\t\n", name)
		fmt.Fprintf(tw, "language\tn\tmal\tben\tlang acc\tmalware acc\t95%% CI\tprecision\trecall\tF1\tFPR\tunknown\t\n")
		for _, g := range r.Languages {
			writeRow(tw, g, m)
		}
		fmt.Fprintf(tw, "\t\t\t\t\t\t\t\t\t\t\t\t\n")
		fmt.Fprintf(tw, "provenance\tn\tmal\tben\tlang acc\tmalware acc\t95%% CI\tprecision\trecall\tF1\tFPR\tunknown\t\n")
		for _, g := range r.Provenance {
			writeRow(tw, g, m)
		}
		fmt.Fprintf(tw, "\t\t\t\t\t\t\t\t\t\t\t\t\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.McNemar != nil {
		mc := r.McNemar
		kind := "chi-square, continuity-corrected"
		if mc.Exact {
			kind = "exact binomial"
		}
		_, err := fmt.Fprintf(w, "McNemar %s vs %s: b=%d (only %s right) c=%d (only %s right), statistic %.4f, p=%.4g (%s)\n",
			r.Models[0], r.Models[1], mc.B, r.Models[0], mc.C, r.Models[1], mc.Statistic, mc.PValue, kind)
		return err
	}
	return nil
}

func writeRow(w io.Writer, g Group, m int) {
	s := g.Models[m]
	fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", g.Name, g.N, g.Malicious, g.Benign,
		pct(g.LanguageAccuracy), pct(s.Accuracy), fmt.Sprintf("%s-%s", pct(s.AccuracyCI[0]), pct(s.AccuracyCI[1])),
		pct(s.Precision), pct(s.Recall), pct(s.F1), pct(s.FPR), s.Unknown)
}

func pct(x float64) string { return fmt.Sprintf("%.2f%%", 100*x) }

package verdict

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"gonum.org/v1/gonum/optimize"
)

// Example is one labelled training sample.
type Example struct {
	// Features maps feature names to values; 0 means absent.
	Features  map[string]float64
	Malicious bool
	// Weight scales the example's share of the loss. 0 means 1 (so an unset
	// weight is the default); negative or non-finite weights are an error.
	// Use a tiny positive weight, or leave the example out, to ignore it.
	Weight   float64
	Language lang.Language
}

// TrainOptions configures Train.
type TrainOptions struct {
	// L2 is the strength of the L2 penalty (lambda/2 * |w|^2, added to the
	// weighted sum of log losses) on the standardised weights; the intercept
	// is not penalised. Must be >= 0.
	L2 float64 `json:"l2"`
	// MaxIterations bounds L-BFGS major iterations per fit (<= 0 means 500).
	MaxIterations int `json:"max_iterations"`
	// Seed drives the calibration split.
	Seed int64 `json:"seed"`
	// CalibrationFraction is the stratified share held out to fit Platt
	// scaling, in [0, 0.9]; 0 disables calibration (identity map).
	CalibrationFraction float64 `json:"calibration_fraction"`
	// MinFeatureCount drops features present (non-zero) in fewer examples
	// (<= 1 keeps every feature).
	MinFeatureCount int `json:"min_feature_count"`
	// MaxFeatures keeps only the most frequent features (document count,
	// ties by name) when more pass MinFeatureCount; 0 means no limit. It
	// bounds model size and prediction cost on large hashed vocabularies.
	MaxFeatures int `json:"max_features"`
	// BinaryUnscaled centres indicator features (every non-zero value 1)
	// without dividing them by their standard deviation, so the L2 penalty
	// acts on their raw weights. Dividing a rare indicator by its tiny
	// deviation weakens its penalty by 1/sd^2 and lets a token seen in a
	// handful of files swing a verdict; numeric features stay standardised.
	BinaryUnscaled bool `json:"binary_unscaled,omitempty"`
	// CreatedAt is recorded in Meta and in the version string. Train never
	// reads the clock: pass time.Now() here if you want it.
	CreatedAt time.Time `json:"-"`
}

// DefaultTrainOptions returns L2 1, 500 iterations, seed 1, 20% held out for
// calibration, features kept when present in at least 3 examples, at most
// 100,000 features, all features standardised. BinaryUnscaled suits large
// corpora (the built-in model uses it); on a few hundred examples its
// stronger effective penalty leaves token weights too small.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{L2: 1, MaxIterations: 500, Seed: 1, CalibrationFraction: 0.2, MinFeatureCount: 3, MaxFeatures: 100_000}
}

// MinCalibrationPerClass is the least number of held-out examples of each
// class needed to fit Platt scaling; with fewer, calibration is the identity.
const MinCalibrationPerClass = 5

// ErrTrainingData reports training data that cannot produce a model.
var ErrTrainingData = errors.New("unusable training data")

func (o TrainOptions) normalized() (TrainOptions, error) {
	if !(o.L2 >= 0) || math.IsInf(o.L2, 0) {
		return o, fmt.Errorf("train options: l2 %v must be finite and >= 0", o.L2)
	}
	if !(o.CalibrationFraction >= 0 && o.CalibrationFraction <= 0.9) {
		return o, fmt.Errorf("train options: calibration_fraction %v not in [0, 0.9]", o.CalibrationFraction)
	}
	if o.MaxFeatures < 0 {
		return o, fmt.Errorf("train options: max_features %d must be >= 0", o.MaxFeatures)
	}
	if o.MaxIterations <= 0 {
		o.MaxIterations = 500
	}
	if o.MinFeatureCount < 1 {
		o.MinFeatureCount = 1
	}
	return o, nil
}

// design is the training matrix in compressed sparse rows. vals hold
// x/scale; the centring is applied implicitly through mu = mean/scale.
type design struct {
	start []int // row i spans cols/vals[start[i]:start[i+1]]
	cols  []int32
	vals  []float64
	y     []float64 // 1 malicious, 0 benign
	w     []float64 // example weight
	mu    []float64 // per feature: mean/scale
}

func (d *design) rows() int { return len(d.y) }

// Train fits a model; see the package documentation for the procedure. The
// result depends only on examples (their order included) and opt.
func Train(examples []Example, opt TrainOptions) (*Model, error) {
	opt, err := opt.normalized()
	if err != nil {
		return nil, err
	}

	// 1. Effective examples, weights and the language context feature.
	type prepared struct {
		ex       *Example
		w        float64
		langFeat string // injected "lang:<name>", or ""
	}
	exs := make([]prepared, 0, len(examples))
	var wPos, wNeg float64
	perLang := map[string]ClassCounts{}
	for i := range examples {
		e := &examples[i]
		w := e.Weight
		if w == 0 {
			w = 1
		}
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("%w: example %d: weight %v", ErrTrainingData, i, e.Weight)
		}
		hasLang := false
		for name, v := range e.Features {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: example %d: feature %q: non-finite value", ErrTrainingData, i, name)
			}
			if v != 0 && strings.HasPrefix(name, LangPrefix) {
				hasLang = true
			}
		}
		p := prepared{ex: e, w: w}
		if !hasLang {
			p.langFeat = LangPrefix + e.Language.String()
		}
		exs = append(exs, p)
		cc := perLang[e.Language.String()]
		if e.Malicious {
			wPos += w
			cc.Malicious++
		} else {
			wNeg += w
			cc.Benign++
		}
		perLang[e.Language.String()] = cc
	}
	if wPos == 0 || wNeg == 0 {
		return nil, fmt.Errorf("%w: need both malicious and benign examples (got %d examples)", ErrTrainingData, len(exs))
	}

	// 2. Candidate features and their document counts.
	counts := map[string]int{}
	for _, p := range exs {
		for name, v := range p.ex.Features {
			if v != 0 {
				counts[name]++
			}
		}
		if p.langFeat != "" {
			counts[p.langFeat]++
		}
	}
	names := make([]string, 0, len(counts))
	for name, c := range counts {
		if c >= opt.MinFeatureCount {
			names = append(names, name)
		}
	}
	if opt.MaxFeatures > 0 && len(names) > opt.MaxFeatures {
		slices.SortFunc(names, func(a, b string) int {
			if counts[a] != counts[b] {
				return counts[b] - counts[a]
			}
			return strings.Compare(a, b)
		})
		names = names[:opt.MaxFeatures]
	}
	slices.Sort(names)

	// 3. Rows over the candidate index, then scaling statistics.
	d, lo, hi, means, scales, names := buildDesign(exs, names, opt.BinaryUnscaled, func(p prepared) (map[string]float64, string, bool, float64) {
		return p.ex.Features, p.langFeat, p.ex.Malicious, p.w
	})

	// 4. Calibration split, sub-fit and Platt scaling.
	meta := ModelMeta{
		CreatedAt:         opt.CreatedAt,
		Options:           opt, // CreatedAt is cleared below: it lives in Meta.CreatedAt
		Examples:          len(exs),
		PerLanguage:       perLang,
		CandidateFeatures: len(counts),
		Features:          len(names),
	}
	meta.Options.CreatedAt = time.Time{}
	platt := Platt{A: 1}
	x0 := make([]float64, 1+len(names))
	x0[0] = math.Log(wPos / wNeg)
	calRows, fitRows := splitCalibration(exs, opt, func(p prepared) (map[string]float64, string, lang.Language, bool) {
		return p.ex.Features, p.langFeat, p.ex.Language, p.ex.Malicious
	})
	meta.Calibration = CalibrationReport{Method: "none"}
	switch {
	case opt.CalibrationFraction == 0:
		meta.Calibration.Reason = "disabled (calibration_fraction 0)"
	case !hasBothClasses(d, fitRows):
		meta.Calibration.Reason = "training share lacks a class"
	case classCount(d, calRows, 1) < MinCalibrationPerClass || classCount(d, calRows, 0) < MinCalibrationPerClass:
		meta.Calibration.Reason = fmt.Sprintf("held-out share has fewer than %d examples of a class", MinCalibrationPerClass)
	default:
		theta, _, _, err := fitLR(d, fitRows, opt.L2, opt.MaxIterations, x0)
		if err != nil {
			return nil, fmt.Errorf("calibration fit: %w", err)
		}
		score := d.scorer(theta)
		scores := make([]float64, len(calRows))
		for k, i := range calRows {
			scores[k] = score(i)
		}
		p, report := fitPlatt(d, calRows, scores)
		meta.Calibration = report
		if report.Method == "platt" {
			platt = p
		}
		copy(x0, theta) // warm start for the final fit
	}

	// 5. Final fit on all examples.
	all := make([]int, d.rows())
	for i := range all {
		all[i] = i
	}
	theta, iters, status, err := fitLR(d, all, opt.L2, opt.MaxIterations, x0)
	if err != nil {
		return nil, fmt.Errorf("final fit: %w", err)
	}
	meta.Iterations = iters
	meta.OptimizerStatus = status
	var loss, wsum float64
	score := d.scorer(theta)
	for _, i := range all {
		loss += d.w[i] * logLoss(score(i), d.y[i])
		wsum += d.w[i]
	}
	meta.TrainLogLoss = loss / wsum

	return newModel(modelParams{
		features: names,
		weights:  theta[1:],
		means:    means,
		scales:   scales,
		lo:       lo,
		hi:       hi,
		bias:     theta[0],
		platt:    platt,
		meta:     meta,
	})
}

// buildDesign turns examples into standardised sparse rows over names,
// dropping features that never vary. It returns the design and the per-feature
// ranges, means and scales of the kept features with their names.
func buildDesign[T any](exs []T, names []string, binaryUnscaled bool, get func(T) (map[string]float64, string, bool, float64)) (*design, []float64, []float64, []float64, []float64, []string) {
	index := make(map[string]int32, len(names))
	for j, n := range names {
		index[n] = int32(j)
	}
	type cell struct {
		j int32
		v float64
	}
	n := len(exs)
	start := make([]int, 1, n+1)
	var cells []cell
	y := make([]float64, n)
	w := make([]float64, n)
	for i, e := range exs {
		feats, langFeat, mal, wt := get(e)
		rowStart := len(cells)
		for name, v := range feats {
			if v == 0 {
				continue
			}
			if j, ok := index[name]; ok {
				cells = append(cells, cell{j, v})
			}
		}
		if langFeat != "" {
			if j, ok := index[langFeat]; ok {
				cells = append(cells, cell{j, 1})
			}
		}
		row := cells[rowStart:]
		slices.SortFunc(row, func(a, b cell) int { return int(a.j) - int(b.j) })
		start = append(start, len(cells))
		if mal {
			y[i] = 1
		}
		w[i] = wt
	}

	// Weighted mean, then variance (two passes for accuracy), ranges with
	// the implicit zeros of the rows where a feature is absent.
	d := len(names)
	var wTotal float64
	for _, wt := range w {
		wTotal += wt
	}
	sum := make([]float64, d)
	wPresent := make([]float64, d)
	present := make([]int, d)
	lo := make([]float64, d)
	hi := make([]float64, d)
	binary := make([]bool, d)
	for j := range binary {
		binary[j] = true
	}
	for j := range lo {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
	}
	for i := range n {
		for _, c := range cells[start[i]:start[i+1]] {
			sum[c.j] += w[i] * c.v
			wPresent[c.j] += w[i]
			present[c.j]++
			lo[c.j] = min(lo[c.j], c.v)
			hi[c.j] = max(hi[c.j], c.v)
			if c.v != 1 {
				binary[c.j] = false
			}
		}
	}
	mean := make([]float64, d)
	for j := range mean {
		mean[j] = sum[j] / wTotal
		if present[j] < n {
			lo[j] = min(lo[j], 0)
			hi[j] = max(hi[j], 0)
		}
	}
	ss := make([]float64, d)
	for i := range n {
		for _, c := range cells[start[i]:start[i+1]] {
			dv := c.v - mean[c.j]
			ss[c.j] += w[i] * dv * dv
		}
	}
	keep := make([]int32, d) // old index -> new index, -1 dropped
	var kept []string
	var kMean, kScale, kLo, kHi []float64
	for j := range d {
		// Absent rows contribute (0 - mean)^2 each.
		v := (ss[j] + (wTotal-wPresent[j])*mean[j]*mean[j]) / wTotal
		sd := math.Sqrt(max(v, 0))
		if !(sd > 1e-12*(1+math.Abs(mean[j]))) || lo[j] == hi[j] {
			keep[j] = -1
			continue
		}
		if binaryUnscaled && binary[j] {
			sd = 1
		}
		keep[j] = int32(len(kept))
		kept = append(kept, names[j])
		kMean = append(kMean, mean[j])
		kScale = append(kScale, sd)
		kLo = append(kLo, lo[j])
		kHi = append(kHi, hi[j])
	}

	ds := &design{y: y, w: w, start: make([]int, 1, n+1)}
	ds.cols = make([]int32, 0, len(cells))
	ds.vals = make([]float64, 0, len(cells))
	for i := range n {
		for _, c := range cells[start[i]:start[i+1]] {
			if nj := keep[c.j]; nj >= 0 {
				ds.cols = append(ds.cols, nj)
				ds.vals = append(ds.vals, c.v/kScale[nj])
			}
		}
		ds.start = append(ds.start, len(ds.cols))
	}
	ds.mu = make([]float64, len(kept))
	for j := range kept {
		ds.mu[j] = kMean[j] / kScale[j]
	}
	return ds, kLo, kHi, kMean, kScale, kept
}

// splitCalibration returns the held-out (calibration) rows and the rest.
// Within each language x class stratum, examples are ranked by a seeded hash
// of their content (ties by position) and the first round(f*n) are held out.
func splitCalibration[T any](exs []T, opt TrainOptions, get func(T) (map[string]float64, string, lang.Language, bool)) (cal, fit []int) {
	if opt.CalibrationFraction == 0 {
		fit = make([]int, len(exs))
		for i := range fit {
			fit[i] = i
		}
		return nil, fit
	}
	type ranked struct {
		h uint64
		i int
	}
	strata := map[[2]int][]ranked{}
	for i, e := range exs {
		feats, langFeat, l, mal := get(e)
		h := contentHash(uint64(opt.Seed), feats, langFeat, mal)
		key := [2]int{int(l), 0}
		if mal {
			key[1] = 1
		}
		strata[key] = append(strata[key], ranked{h, i})
	}
	held := make([]bool, len(exs))
	for _, rs := range strata {
		slices.SortFunc(rs, func(a, b ranked) int {
			if a.h != b.h {
				if a.h < b.h {
					return -1
				}
				return 1
			}
			return a.i - b.i
		})
		k := int(math.Floor(opt.CalibrationFraction*float64(len(rs)) + 0.5))
		for k > 0 && k < len(rs) && rs[k].h == rs[k-1].h {
			k++ // keep identical examples on the same side
		}
		for _, r := range rs[:k] {
			held[r.i] = true
		}
	}
	for i, h := range held {
		if h {
			cal = append(cal, i)
		} else {
			fit = append(fit, i)
		}
	}
	return cal, fit
}

// contentHash hashes an example's label and features independently of map
// order: each (name, value) pair is hashed with FNV-1a and mixed, and the
// mixes are added.
func contentHash(seed uint64, feats map[string]float64, langFeat string, mal bool) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	pair := func(name string, v float64) uint64 {
		h := uint64(offset)
		for k := 0; k < len(name); k++ {
			h ^= uint64(name[k])
			h *= prime
		}
		bits := math.Float64bits(v)
		for k := 0; k < 8; k++ {
			h ^= bits & 0xff
			h *= prime
			bits >>= 8
		}
		return mix64(h)
	}
	var acc uint64
	for name, v := range feats {
		if v != 0 {
			acc += pair(name, v)
		}
	}
	if langFeat != "" {
		acc += pair(langFeat, 1)
	}
	if mal {
		acc ^= 0x9e3779b97f4a7c15
	}
	return mix64(acc ^ mix64(seed))
}

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func hasBothClasses(d *design, rows []int) bool {
	return classCount(d, rows, 1) > 0 && classCount(d, rows, 0) > 0
}

func classCount(d *design, rows []int, y float64) int {
	n := 0
	for _, i := range rows {
		if d.y[i] == y {
			n++
		}
	}
	return n
}

// scorer returns a function giving the raw log-odds of a row under
// theta = [bias, w...].
func (d *design) scorer(theta []float64) func(i int) float64 {
	w := theta[1:]
	var c float64
	for j, mu := range d.mu {
		c += w[j] * mu
	}
	base := theta[0] - c
	return func(i int) float64 {
		s := base
		for k := d.start[i]; k < d.start[i+1]; k++ {
			s += w[d.cols[k]] * d.vals[k]
		}
		return s
	}
}

// fitLR minimises (sum_i w_i*logloss_i + l2/2*|w|^2) / sum_i w_i over rows
// with gonum's L-BFGS, starting at x0. It returns theta = [bias, w...].
func fitLR(d *design, rows []int, l2 float64, maxIter int, x0 []float64) ([]float64, int, string, error) {
	nf := len(d.mu)
	var wTotal float64
	for _, i := range rows {
		wTotal += d.w[i]
	}
	lastX := make([]float64, 1+nf)
	lastG := make([]float64, 1+nf)
	lastF := math.NaN()
	eval := func(x []float64) {
		if !math.IsNaN(lastF) && slices.Equal(x, lastX) {
			return
		}
		copy(lastX, x)
		w := x[1:]
		var c float64
		for j, mu := range d.mu {
			c += w[j] * mu
		}
		g := lastG
		clear(g)
		gw := g[1:]
		var f, rsum float64
		for _, i := range rows {
			s := x[0] - c
			lo, hi := d.start[i], d.start[i+1]
			for k := lo; k < hi; k++ {
				s += w[d.cols[k]] * d.vals[k]
			}
			f += d.w[i] * logLoss(s, d.y[i])
			r := d.w[i] * (sigmoid(s) - d.y[i])
			rsum += r
			for k := lo; k < hi; k++ {
				gw[d.cols[k]] += r * d.vals[k]
			}
		}
		var pen float64
		for j := range gw {
			pen += w[j] * w[j]
			gw[j] = (gw[j] - d.mu[j]*rsum + l2*w[j]) / wTotal
		}
		g[0] = rsum / wTotal
		lastF = (f + l2/2*pen) / wTotal
	}
	prob := optimize.Problem{
		Func: func(x []float64) float64 { eval(x); return lastF },
		Grad: func(grad, x []float64) { eval(x); copy(grad, lastG) },
	}
	settings := &optimize.Settings{
		GradientThreshold: 1e-7,
		MajorIterations:   maxIter,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-10, Iterations: 20},
	}
	res, err := optimize.Minimize(prob, slices.Clone(x0), settings, &optimize.LBFGS{})
	if res == nil {
		return nil, 0, "", fmt.Errorf("optimize: %w", err)
	}
	theta := res.Location.X
	for _, v := range theta {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, "", fmt.Errorf("optimize: non-finite parameters (status %v)", res.Status)
		}
	}
	status := res.Status.String()
	if err != nil {
		// A line search that cannot improve any further still leaves the best
		// point found; keep it and record why the optimiser stopped.
		status += ": " + err.Error()
	}
	return slices.Clone(theta), res.Stats.MajorIterations, status, nil
}

// fitPlatt fits P = sigmoid(A*s + B) to the held-out rows' raw scores with
// Platt's smoothed targets and reports the metrics before and after.
func fitPlatt(d *design, rows []int, scores []float64) (Platt, CalibrationReport) {
	var wPos, wNeg float64
	rep := CalibrationReport{Method: "platt", Examples: len(rows)}
	for _, i := range rows {
		if d.y[i] == 1 {
			wPos += d.w[i]
			rep.Malicious++
		} else {
			wNeg += d.w[i]
		}
	}
	tPos := (wPos + 1) / (wPos + 2)
	tNeg := 1 / (wNeg + 2)
	wTotal := wPos + wNeg
	target := func(i int) float64 {
		if d.y[i] == 1 {
			return tPos
		}
		return tNeg
	}
	eval := func(x, grad []float64) float64 {
		var f, ga, gb float64
		for k, i := range rows {
			z := x[0]*scores[k] + x[1]
			t := target(i)
			f += d.w[i] * (softplus(z) - t*z)
			r := d.w[i] * (sigmoid(z) - t)
			ga += r * scores[k]
			gb += r
		}
		if grad != nil {
			grad[0], grad[1] = ga/wTotal, gb/wTotal
		}
		return f / wTotal
	}
	prob := optimize.Problem{
		Func: func(x []float64) float64 { return eval(x, nil) },
		Grad: func(grad, x []float64) { eval(x, grad) },
	}
	settings := &optimize.Settings{GradientThreshold: 1e-9, MajorIterations: 200}
	res, err := optimize.Minimize(prob, []float64{1, 0}, settings, &optimize.LBFGS{})
	p := Platt{A: 1}
	switch {
	case res == nil:
		rep.Method, rep.Reason = "none", fmt.Sprintf("platt fit failed: %v", err)
	case !(res.X[0] > 0) || math.IsInf(res.X[0], 0) || math.IsNaN(res.X[1]) || math.IsInf(res.X[1], 0):
		rep.Method, rep.Reason = "none", fmt.Sprintf("degenerate platt fit a=%v b=%v", res.X[0], res.X[1])
	default:
		p = Platt{A: res.X[0], B: res.X[1]}
	}

	raw := make([]float64, len(rows))
	cal := make([]float64, len(rows))
	ys := make([]float64, len(rows))
	ws := make([]float64, len(rows))
	var correct float64
	for k, i := range rows {
		raw[k] = scores[k]
		cal[k] = p.A*scores[k] + p.B
		ys[k], ws[k] = d.y[i], d.w[i]
		if (cal[k] >= 0) == (d.y[i] == 1) {
			correct += d.w[i]
		}
	}
	rep.BrierRaw, rep.LogLossRaw, rep.ECERaw = probMetrics(raw, ys, ws)
	rep.BrierCalibrated, rep.LogLossCalibrated, rep.ECECalibrated = probMetrics(cal, ys, ws)
	rep.Accuracy = correct / wTotal
	return p, rep
}

// probMetrics returns the weighted Brier score, log loss and 10-bin expected
// calibration error of log-odds predictions.
func probMetrics(logits, y, w []float64) (brier, logloss, ece float64) {
	const bins = 10
	var binW, binP, binY [bins]float64
	var wTotal float64
	for k, s := range logits {
		p := sigmoid(s)
		brier += w[k] * (p - y[k]) * (p - y[k])
		logloss += w[k] * logLoss(s, y[k])
		b := min(int(p*bins), bins-1)
		binW[b] += w[k]
		binP[b] += w[k] * p
		binY[b] += w[k] * y[k]
		wTotal += w[k]
	}
	for b := range bins {
		if binW[b] > 0 {
			ece += math.Abs(binP[b]-binY[b]) / wTotal
		}
	}
	return brier / wTotal, logloss / wTotal, ece
}

// logLoss is the log loss of log-odds s for label y in {0,1}, computed
// without overflow.
func logLoss(s, y float64) float64 {
	if y == 1 {
		return softplus(-s)
	}
	return softplus(s)
}

func softplus(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}

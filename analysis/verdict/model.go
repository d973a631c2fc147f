package verdict

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// LangPrefix starts the names of context features that encode the language.
// They move the baseline but are never evidence (see the package doc).
const LangPrefix = "lang:"

// Model is a trained, calibrated logistic-regression verdict model. It is
// immutable after Train or Load and safe for concurrent use by any number of
// goroutines. Its JSON form is the one written by Save.
type Model struct {
	version  string
	features []string  // sorted, unique
	weights  []float64 // per standardised unit
	means    []float64
	scales   []float64
	lo, hi   []float64 // value range seen in training (clamp)
	bias     float64   // intercept in standardised space
	platt    Platt
	meta     ModelMeta

	// Derived at construction, never serialised.
	index     nameIndex  // the names tokens does not find (see lookup)
	tokens    tokenIndex // token bucket -> index of TokenName(bucket)
	params    []param    // per feature, packed for one cache line per lookup
	units     []term     // per feature, its term at value 1 (see sum)
	ctxLo     int32      // features[ctxLo:ctxHi] are the "lang:" context features
	ctxHi     int32      // (contiguous, as the names are sorted)
	baseline  float64    // bias - sum_j weights[j]*means[j]/scales[j]
	langIndex [8]int32   // lang.Language -> index of "lang:<name>", -1 if absent
	pool      *sync.Pool
}

// Platt holds the calibration map P(malicious) = sigmoid(A*logit + B). The
// identity map is A=1, B=0.
type Platt struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

// Apply returns the calibrated probability of a raw log-odds value.
func (p Platt) Apply(logit float64) float64 { return sigmoid(p.A*logit + p.B) }

// ModelMeta summarises how a model was trained. It is informational: nothing
// in Predict depends on it.
type ModelMeta struct {
	// CreatedAt is the creation time chosen by the caller of Train (zero when
	// not given). Train never reads the clock.
	CreatedAt time.Time    `json:"created_at,omitzero"`
	Options   TrainOptions `json:"options"`
	// Examples is the number of training examples.
	Examples int `json:"examples"`
	// PerLanguage counts examples by language name and class.
	PerLanguage map[string]ClassCounts `json:"per_language"`
	// CandidateFeatures is the number of distinct feature names seen;
	// Features the number kept (MinFeatureCount, non-constant).
	CandidateFeatures int `json:"candidate_features"`
	Features          int `json:"features"`
	// Iterations and OptimizerStatus describe the final L-BFGS fit.
	Iterations      int    `json:"iterations"`
	OptimizerStatus string `json:"optimizer_status"`
	// TrainLogLoss is the weighted mean log loss of the final fit on all
	// examples (uncalibrated, regulariser excluded).
	TrainLogLoss float64           `json:"train_log_loss"`
	Calibration  CalibrationReport `json:"calibration"`
}

// ClassCounts counts training examples of one language.
type ClassCounts struct {
	Malicious int `json:"malicious"`
	Benign    int `json:"benign"`
}

// CalibrationReport describes the calibration fit and the metrics measured on
// the held-out calibration share, before ("raw": sigmoid of the log-odds of
// the model fitted without that share) and after Platt scaling. Metrics are
// weighted by example weight; ECE uses ten equal-width bins.
type CalibrationReport struct {
	Method            string  `json:"method"` // "platt" or "none"
	Reason            string  `json:"reason,omitempty"`
	Examples          int     `json:"examples"`
	Malicious         int     `json:"malicious"`
	BrierRaw          float64 `json:"brier_raw"`
	BrierCalibrated   float64 `json:"brier_calibrated"`
	LogLossRaw        float64 `json:"log_loss_raw"`
	LogLossCalibrated float64 `json:"log_loss_calibrated"`
	ECERaw            float64 `json:"ece_raw"`
	ECECalibrated     float64 `json:"ece_calibrated"`
	// Accuracy is the share of held-out examples on the right side of 0.5
	// after calibration.
	Accuracy float64 `json:"accuracy"`
}

// Thresholds turn a calibrated score into a Label. Configure one set per
// language (see ThresholdSet).
//
//   - Score >= Malicious gives Malicious; otherwise Score >= Suspicious gives
//     Suspicious; otherwise Benign.
//   - Whatever the score, the label is Unknown when the input has fewer than
//     MinFeatures (0 means 1) evidence features known to the model, or when
//     the sum of |contribution| over them (in log-odds units; the baseline
//     and "lang:" context are excluded) is below MinEvidence.
//
// The zero value is replaced by DefaultThresholds in Predict.
type Thresholds struct {
	Malicious   float64 `json:"malicious"`
	Suspicious  float64 `json:"suspicious"`
	MinEvidence float64 `json:"min_evidence"`
	MinFeatures int     `json:"min_features"`
}

// DefaultThresholds returns Malicious 0.8, Suspicious 0.5, MinEvidence 0.5
// (log-odds), MinFeatures 1.
func DefaultThresholds() Thresholds {
	return Thresholds{Malicious: 0.8, Suspicious: 0.5, MinEvidence: 0.5, MinFeatures: 1}
}

// ErrThresholds reports invalid thresholds.
var ErrThresholds = errors.New("invalid verdict thresholds")

// Validate checks 0 <= Suspicious <= Malicious <= 1, MinEvidence >= 0 and
// MinFeatures >= 0.
func (t Thresholds) Validate() error {
	switch {
	case !(t.Malicious >= 0 && t.Malicious <= 1):
		return fmt.Errorf("%w: malicious %v not in [0,1]", ErrThresholds, t.Malicious)
	case !(t.Suspicious >= 0 && t.Suspicious <= 1):
		return fmt.Errorf("%w: suspicious %v not in [0,1]", ErrThresholds, t.Suspicious)
	case t.Suspicious > t.Malicious:
		return fmt.Errorf("%w: suspicious %v above malicious %v", ErrThresholds, t.Suspicious, t.Malicious)
	case !(t.MinEvidence >= 0) || math.IsInf(t.MinEvidence, 0):
		return fmt.Errorf("%w: min_evidence %v", ErrThresholds, t.MinEvidence)
	case t.MinFeatures < 0:
		return fmt.Errorf("%w: min_features %d", ErrThresholds, t.MinFeatures)
	}
	return nil
}

// ThresholdSet holds a default and per-language overrides.
type ThresholdSet struct {
	Default     Thresholds                   `json:"default"`
	PerLanguage map[lang.Language]Thresholds `json:"per_language,omitempty"`
}

// For returns the thresholds for a language: its override if any, else the
// default.
func (s ThresholdSet) For(l lang.Language) Thresholds {
	if t, ok := s.PerLanguage[l]; ok {
		return t
	}
	return s.Default
}

// Validate checks every thresholds entry.
func (s ThresholdSet) Validate() error {
	errs := []error{}
	if err := s.Default.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("default: %w", err))
	}
	for _, l := range slices.Sorted(maps.Keys(s.PerLanguage)) {
		if err := s.PerLanguage[l].Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", l, err))
		}
	}
	return errors.Join(errs...)
}

// Result is the verdict for one input.
type Result struct {
	Label Label `json:"label"`
	// Score is the calibrated probability that the input is malicious.
	Score float64 `json:"score"`
	// Evidence is the sum of |contribution| over the known evidence features
	// present; ActiveFeatures is how many there were. Both explain Unknown.
	Evidence       float64 `json:"evidence"`
	ActiveFeatures int     `json:"active_features"`
	// Contributions lists the top-k features by |contribution|, largest first
	// (ties by name).
	Contributions []Contribution `json:"contributions,omitempty"`
}

// Contribution explains one feature's share of a score, in log-odds units
// before calibration: Contribution = Weight * Standardized, where Weight is
// the feature's standardised weight and Standardized = (clamp(Value) - mean)
// / scale says how far the value is from the training average (clamping to
// the training range only matters for outliers). A typical value of an
// always-present numeric feature therefore contributes about nothing, and a
// rare indicator contributes about its full weight / scale.
type Contribution struct {
	Feature      string  `json:"feature"`
	Value        float64 `json:"value"`
	Standardized float64 `json:"standardized"`
	Weight       float64 `json:"weight"`
	Contribution float64 `json:"contribution"`
}

// Version returns the model's identifier "lr-<yyyymmdd>-<hash>", where the
// date is CreatedAt (UTC; "00000000" when unset) and hash is the first 12 hex
// digits of the SHA-256 of the parameters (features, scaling, weights,
// calibration). Equal versions mean equal predictions.
func (m *Model) Version() string { return m.version }

// Meta returns the training summary. The result is a copy.
func (m *Model) Meta() ModelMeta {
	mt := m.meta
	mt.PerLanguage = maps.Clone(m.meta.PerLanguage)
	return mt
}

// Calibration returns the Platt parameters.
func (m *Model) Calibration() Platt { return m.platt }

// NumFeatures returns the number of features the model knows.
func (m *Model) NumFeatures() int { return len(m.features) }

// Weight returns the standardised weight, mean and scale of a feature, and
// whether the model knows it.
func (m *Model) Weight(feature string) (weight, mean, scale float64, ok bool) {
	j, ok := m.lookup(feature)
	if !ok {
		return 0, 0, 0, false
	}
	return m.weights[j], m.means[j], m.scales[j], true
}

// lookup returns the index of a feature and whether the model knows it.
// Token names of the token index are looked up there, and only there: the
// name index leaves them out.
func (m *Model) lookup(name string) (int32, bool) {
	if b, ok := parseTokenName(name); ok && b < maxTokenTable {
		j := m.tokens.lookup(b)
		return j, j >= 0
	}
	return m.index.lookup(name)
}

// param is what Predict needs of one feature: 32 bytes, so that the
// records of a large model's table (allocated aligned) never straddle two
// cache lines, and one lookup costs at most one miss. Whether a feature is
// context is known from its index (see Model.context).
type param struct {
	perUnit float64 // weight / scale
	offset  float64 // weight * mean / scale
	lo, hi  float64 // clamp range
}

// context reports whether feature j is a "lang:" context feature.
func (m *Model) context(j int32) bool { return uint32(j-m.ctxLo) < uint32(m.ctxHi-m.ctxLo) }

// scratch holds per-call buffers, pooled per model to keep Predict free of
// allocations. keys packs (feature index << 32 | position in vals); bits,
// tokens and pos (one bit, one bit and one slot per model feature) order
// them without sorting.
type scratch struct {
	keys  []uint64
	vals  []float64
	terms []term
	// bits has the features collected by name, with their value's
	// position in pos; tokens those collected as token buckets, whose
	// value is 1, without a position: most features of an input, and pos
	// (4 bytes a model feature) would cost a cache miss for each.
	bits   []uint64
	tokens []uint64
	pos    []int32
	// words has one bit per word of bits that is not zero, so that the
	// walk reads the few words an input sets, not all of them.
	words []uint64
}

// term is one collected feature's share of the log-odds, u, and its
// contribution, c (u less the share of the feature's mean).
type term struct{ u, c float64 }

func newScratchPool(nFeatures int) *sync.Pool {
	return &sync.Pool{New: func() any {
		return &scratch{
			keys:   make([]uint64, 0, 512),
			vals:   make([]float64, 0, 512),
			terms:  make([]term, 0, 512),
			bits:   make([]uint64, (nFeatures+63)/64),
			tokens: make([]uint64, (nFeatures+63)/64),
			words:  make([]uint64, (nFeatures+64*64-1)/(64*64)),
			pos:    make([]int32, nFeatures),
		}
	}}
}

// Predict scores features (name -> value, 0 = absent) of a sample in language
// l and labels it with th (the zero Thresholds means DefaultThresholds). It
// returns at most topK contributions (none when topK <= 0). Non-finite values
// and names unknown to the model are ignored. Predict is deterministic: the
// same input gives bit-identical results whatever the map's order.
func (m *Model) Predict(features map[string]float64, l lang.Language, th Thresholds, topK int) Result {
	logit, res, top := m.eval(features, l, topK)
	return m.result(logit, res, top, th)
}

// PredictVector is Predict for an input in compact form: for a vector
// without repeated features it returns bit for bit what Predict returns for
// v.Map(), but it looks hashed tokens up by bucket number instead of
// building and hashing a name for each.
func (m *Model) PredictVector(v Vector, l lang.Language, th Thresholds, topK int) Result {
	var c collector
	m.collect(&c)
	for _, f := range v.Named {
		c.named(f.Name, f.Value)
	}
	c.tokens(v.Tokens)
	logit, res, top := m.sum(&c, l, topK)
	return m.result(logit, res, top, th)
}

// result labels an evaluated input and fills in its contributions.
func (m *Model) result(logit float64, res Result, top topContrib, th Thresholds) Result {
	if th == (Thresholds{}) {
		th = DefaultThresholds()
	}
	res.Score = m.platt.Apply(logit)
	minFeatures := max(th.MinFeatures, 1)
	switch {
	case res.ActiveFeatures < minFeatures || res.Evidence < th.MinEvidence:
		res.Label = Unknown
	case res.Score >= th.Malicious:
		res.Label = Malicious
	case res.Score >= th.Suspicious:
		res.Label = Suspicious
	default:
		res.Label = Benign
	}
	if len(top.items) > 0 {
		res.Contributions = make([]Contribution, len(top.items))
		for i, it := range top.items {
			x := min(max(it.v, m.lo[it.j]), m.hi[it.j])
			res.Contributions[i] = Contribution{
				Feature:      m.features[it.j],
				Value:        it.v,
				Standardized: (x - m.means[it.j]) / m.scales[it.j],
				Weight:       m.weights[it.j],
				Contribution: it.c,
			}
		}
	}
	return res
}

// collector gathers the features of one input that the model knows, as
// (feature index, value) pairs in the pooled scratch buffers.
type collector struct {
	m       *Model
	sc      *scratch
	keys    []uint64 // feature index << 32 | position in vals
	vals    []float64
	hasLang bool // the input carries a "lang:" feature, known or not
	// keys[tokFrom:tokTo] are token buckets (see tokens), all with the
	// value at vals[one], 1.
	tokFrom, tokTo int
	one            uint32
}

// collect starts c on the model's pooled scratch buffers; sum gives them
// back.
func (m *Model) collect(c *collector) {
	sc := m.pool.Get().(*scratch)
	*c = collector{m: m, sc: sc, keys: sc.keys[:0], vals: sc.vals[:0]}
}

func (c *collector) add(j int32, v float64) {
	c.keys = append(c.keys, uint64(j)<<32|uint64(len(c.vals)))
	c.vals = append(c.vals, v)
}

// named adds a feature by name.
func (c *collector) named(name string, v float64) {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	j, ok := c.m.lookup(name)
	if !ok {
		if strings.HasPrefix(name, LangPrefix) {
			c.hasLang = true
		}
		return
	}
	if c.m.context(j) {
		c.hasLang = true
	}
	c.add(j, v)
}

// tokens adds the features TokenName(b) = 1 for the buckets bs.
func (c *collector) tokens(bs []uint32) {
	table := &c.m.tokens
	for _, b := range bs {
		if int(b) >= table.size() {
			// Past the table only a model with huge bucket numbers has
			// names left (see newTokenIndex): look them up by name.
			for _, b := range bs {
				if int(b) < table.size() {
					if j := table.lookup(b); j >= 0 {
						c.add(j, 1)
					}
				} else {
					c.named(TokenName(b), 1)
				}
			}
			return
		}
	}
	// Every bucket is in the table. Most miss the cache there, so the loop
	// has no branch on the looked-up index, which would stop the processor
	// from waiting for several misses at once: every bucket writes a key,
	// which only counts when the model knows the token (index >= 0). All
	// keys share one value, 1.
	one := uint64(len(c.vals))
	c.vals = append(c.vals, 1)
	keys := slices.Grow(c.keys, len(bs))
	n := len(keys)
	c.tokFrom, c.one = n, uint32(one)
	keys = keys[:n+len(bs)]
	if t16 := table.t16; t16 != nil {
		base := table.base
		for _, b := range bs {
			k := t16[b]
			keys[n] = uint64(uint32(base+int32(k)))<<32 | one
			n += int((uint32(k)+1)>>16 ^ 1) // 0 for noToken
		}
	} else {
		t32 := table.t32
		for _, b := range bs {
			j := t32[b]
			keys[n] = uint64(uint32(j))<<32 | one
			n += int(uint32(j)>>31 ^ 1)
		}
	}
	c.keys, c.tokTo = keys[:n], n
}

// eval computes the raw log-odds of an input, its evidence and its top-k
// contributions.
func (m *Model) eval(features map[string]float64, l lang.Language, topK int) (float64, Result, topContrib) {
	var c collector
	m.collect(&c)
	for name, v := range features {
		c.named(name, v)
	}
	return m.sum(&c, l, topK)
}

// sum adds up the collected features in feature-index order, so that the
// result does not depend on the order they came in, and returns the scratch
// buffers to the pool. A feature collected more than once counts once, with
// its last value.
func (m *Model) sum(c *collector, l lang.Language, topK int) (float64, Result, topContrib) {
	sc := c.sc
	if !c.hasLang && int(l) < len(m.langIndex) {
		if j := m.langIndex[l]; j >= 0 {
			c.add(j, 1)
		}
	}
	keys, vals := c.keys, c.vals
	// Order by feature index with a bitmap walk, which reads the few words
	// of the bitmaps the input sets and their summary (one word per 4096
	// features): less than sorting, even for a few keys. A feature
	// collected more than once takes its last value: a token bucket (value
	// 1) sets its bit in tokens, a later name clears it.
	named := func(keys []uint64) {
		for _, key := range keys {
			j := key >> 32
			sc.words[j>>12] |= 1 << (j >> 6 & 63)
			sc.bits[j>>6] |= 1 << (j & 63)
			sc.tokens[j>>6] &^= 1 << (j & 63)
			sc.pos[j] = int32(uint32(key)) // a repeat overwrites: the last value counts
		}
	}
	named(keys[:c.tokFrom])
	for _, key := range keys[c.tokFrom:c.tokTo] {
		j := key >> 32
		sc.words[j>>12] |= 1 << (j >> 6 & 63)
		sc.tokens[j>>6] |= 1 << (j & 63)
	}
	named(keys[c.tokTo:])
	// The ordered keys overwrite the collected ones: there are as many at
	// most.
	n := 0
	one := uint64(c.one)
	for si, sw := range sc.words {
		sc.words[si] = 0
		for ; sw != 0; sw &= sw - 1 {
			wi := si<<6 | bits.TrailingZeros64(sw)
			named, toks := sc.bits[wi], sc.tokens[wi]
			sc.bits[wi], sc.tokens[wi] = 0, 0
			if named == 0 { // tokens only, as in most words
				for w := toks; w != 0; w &= w - 1 {
					j := uint64(wi)<<6 | uint64(bits.TrailingZeros64(w))
					keys[n] = j<<32 | one
					n++
				}
				continue
			}
			for w := named | toks; w != 0; w &= w - 1 {
				b := bits.TrailingZeros64(w)
				j := uint64(wi)<<6 | uint64(b)
				v := one
				if toks>>b&1 == 0 {
					v = uint64(uint32(sc.pos[j]))
				}
				keys[n] = j<<32 | v
				n++
			}
		}
	}
	keys = keys[:n]

	// First look up every feature's parameters, then add up: the lookups
	// (most miss the cache in a large model) are independent of each other
	// and of any branch but one that is well predicted, so the processor
	// overlaps their misses, which the branches of the sum (context, top-k)
	// would otherwise stop. Most values are 1 (every token and piece of
	// evidence), whose terms were computed when the model was made: a
	// lookup in a table half the size of the parameters'.
	terms := slices.Grow(sc.terms[:0], len(keys))[:len(keys)]
	for i, key := range keys {
		v := vals[uint32(key)]
		if v == 1 {
			terms[i] = m.units[key>>32]
			continue
		}
		p := &m.params[key>>32]
		u := p.perUnit * min(max(v, p.lo), p.hi)
		terms[i] = term{u: u, c: u - p.offset}
	}
	logit := m.baseline
	var res Result
	top := topContrib{k: topK}
	for i, key := range keys {
		j, t := int32(key>>32), terms[i]
		logit += t.u
		if m.context(j) {
			continue
		}
		res.ActiveFeatures++
		res.Evidence += math.Abs(t.c)
		if topK > 0 && top.mayTake(t.c) {
			top.offer(m, j, vals[uint32(key)], t.c)
		}
	}
	sc.terms = terms[:0]
	sc.keys, sc.vals = keys[:0], vals[:0]
	m.pool.Put(sc)
	return logit, res, top
}

// logit returns the raw (uncalibrated) log-odds of an input.
func (m *Model) logit(features map[string]float64, l lang.Language) float64 {
	s, _, _ := m.eval(features, l, 0)
	return s
}

// topContrib keeps the k largest |contribution| items, sorted, by insertion.
// k is small (a report shows a handful), so insertion beats a full sort.
type topContrib struct {
	k     int
	items []topItem
	floor float64 // |c| of the last item once there are k
}

// mayTake reports whether offer might take an item of contribution c: it
// rules out most items, without a call, once the list is full.
func (t *topContrib) mayTake(c float64) bool {
	return len(t.items) < t.k || math.Abs(c) >= t.floor
}

type topItem struct {
	j    int32
	v, c float64
}

// before reports whether a ranks before b: larger |c| first, then name.
func (t *topContrib) before(m *Model, a, b topItem) bool {
	aa, bb := math.Abs(a.c), math.Abs(b.c)
	if aa != bb {
		return aa > bb
	}
	return m.features[a.j] < m.features[b.j]
}

func (t *topContrib) offer(m *Model, j int32, v, c float64) {
	it := topItem{j: j, v: v, c: c}
	n := len(t.items)
	if n == t.k && !t.before(m, it, t.items[n-1]) {
		return
	}
	if t.items == nil {
		t.items = make([]topItem, 0, min(t.k, 16))
	}
	pos := n
	for pos > 0 && t.before(m, it, t.items[pos-1]) {
		pos--
	}
	if n < t.k {
		t.items = append(t.items, topItem{})
	}
	copy(t.items[pos+1:], t.items[pos:len(t.items)-1])
	t.items[pos] = it
	if len(t.items) == t.k {
		t.floor = math.Abs(t.items[t.k-1].c)
	}
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

package verdict

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// FormatVersion is the version of the model file format written by Save.
const FormatVersion = 1

// MaxModelBytes bounds the size of a model file accepted by Load.
const MaxModelBytes = 256 << 20

// ErrBadModel reports a model file that cannot be loaded.
var ErrBadModel = errors.New("invalid verdict model")

// modelFile is the JSON form of a Model.
type modelFile struct {
	FormatVersion int       `json:"format_version"`
	Kind          string    `json:"kind"`
	Version       string    `json:"version"`
	Bias          float64   `json:"bias"`
	Calibration   Platt     `json:"calibration"`
	Features      []string  `json:"features"`
	Weights       []float64 `json:"weights"`
	Means         []float64 `json:"means"`
	Scales        []float64 `json:"scales"`
	Min           []float64 `json:"min"`
	Max           []float64 `json:"max"`
	Meta          ModelMeta `json:"meta"`
}

const modelKind = "automaldesc.verdict.logistic"

type modelParams struct {
	features                       []string
	weights, means, scales, lo, hi []float64
	bias                           float64
	platt                          Platt
	meta                           ModelMeta
}

// newModel validates parameters and derives the prediction tables.
func newModel(p modelParams) (*Model, error) {
	n := len(p.features)
	for name, s := range map[string][]float64{"weights": p.weights, "means": p.means, "scales": p.scales, "min": p.lo, "max": p.hi} {
		if len(s) != n {
			return nil, fmt.Errorf("%w: %d %s for %d features", ErrBadModel, len(s), name, n)
		}
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !finite(p.bias) || !finite(p.platt.B) || !finite(p.platt.A) || !(p.platt.A > 0) {
		return nil, fmt.Errorf("%w: bias %v, calibration a=%v b=%v", ErrBadModel, p.bias, p.platt.A, p.platt.B)
	}
	m := &Model{
		features: p.features,
		weights:  p.weights,
		means:    p.means,
		scales:   p.scales,
		lo:       p.lo,
		hi:       p.hi,
		bias:     p.bias,
		platt:    p.platt,
		meta:     p.meta,
		params:   make([]param, n),
		units:    make([]term, n),
		pool:     newScratchPool(n),
	}
	for i := range m.langIndex {
		m.langIndex[i] = -1
	}
	m.baseline = p.bias
	for j, name := range p.features {
		if name == "" || (j > 0 && p.features[j-1] >= name) {
			return nil, fmt.Errorf("%w: feature %d %q empty, duplicate or out of order", ErrBadModel, j, name)
		}
		w, mu, s := p.weights[j], p.means[j], p.scales[j]
		if !finite(w) || !finite(mu) || !finite(s) || !(s > 0) || !finite(p.lo[j]) || !finite(p.hi[j]) || p.lo[j] > p.hi[j] {
			return nil, fmt.Errorf("%w: feature %q: weight %v mean %v scale %v range [%v, %v]", ErrBadModel, name, w, mu, s, p.lo[j], p.hi[j])
		}
		fp := &m.params[j]
		fp.perUnit, fp.offset, fp.lo, fp.hi = w/s, w*mu/s, p.lo[j], p.hi[j]
		u := fp.perUnit * min(max(1, fp.lo), fp.hi) // as sum computes it
		m.units[j] = term{u: u, c: u - fp.offset}
		m.baseline -= fp.offset
		if strings.HasPrefix(name, LangPrefix) {
			if m.ctxHi == 0 {
				m.ctxLo = int32(j)
			}
			m.ctxHi = int32(j + 1)
			if l, err := lang.Parse(name[len(LangPrefix):]); err == nil && int(l) < len(m.langIndex) && name[len(LangPrefix):] == l.String() {
				m.langIndex[l] = int32(j)
			}
		}
	}
	if !finite(m.baseline) {
		return nil, fmt.Errorf("%w: non-finite baseline", ErrBadModel)
	}
	// The content hash (a third of the load time of a large model) only
	// reads the parameters: it runs beside the building of the indices,
	// which write other fields, so that a program's start waits less
	// when a core is free.
	hash := make(chan string, 1)
	go func() { hash <- m.contentHash() }()
	var inTable func(j int) bool
	m.tokens, inTable = newTokenIndex(p.features)
	m.index = newNameIndex(p.features, func(j int) bool { return !inTable(j) })
	date := "00000000"
	if !p.meta.CreatedAt.IsZero() {
		date = p.meta.CreatedAt.UTC().Format("20060102")
	}
	m.version = "lr-" + date + "-" + (<-hash)[:12]
	return m, nil
}

// contentHash is the hex SHA-256 over everything that affects predictions.
func (m *Model) contentHash() string {
	h := sha256.New()
	// Hashed through a buffer: one Write per value would cost more than
	// the hashing (hundreds of thousands of them for a large model).
	const flushAt = 32 << 10
	buf := make([]byte, 0, flushAt+256)
	buf = fmt.Appendf(buf, "%s\x00%d\x00%d\x00", modelKind, FormatVersion, len(m.features))
	for _, f := range m.features {
		buf = append(append(buf, f...), 0)
		if len(buf) >= flushAt {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	for _, s := range [][]float64{m.weights, m.means, m.scales, m.lo, m.hi, {m.bias, m.platt.A, m.platt.B}} {
		for _, v := range s {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
			if len(buf) >= flushAt {
				h.Write(buf)
				buf = buf[:0]
			}
		}
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}

func (m *Model) file() modelFile {
	return modelFile{
		FormatVersion: FormatVersion,
		Kind:          modelKind,
		Version:       m.version,
		Bias:          m.bias,
		Calibration:   m.platt,
		Features:      m.features,
		Weights:       m.weights,
		Means:         m.means,
		Scales:        m.scales,
		Min:           m.lo,
		Max:           m.hi,
		Meta:          m.meta,
	}
}

// Save writes the model as versioned JSON. The output is deterministic: the
// same model always gives the same bytes.
func (m *Model) Save(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m.file()); err != nil {
		return fmt.Errorf("save model %s: %w", m.version, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("save model %s: %w", m.version, err)
	}
	return nil
}

// MarshalJSON writes the same document as Save.
func (m *Model) MarshalJSON() ([]byte, error) { return json.Marshal(m.file()) }

// UnmarshalJSON reads a document written by Save with the checks of Load.
// Use it only on a fresh Model; prefer Load.
func (m *Model) UnmarshalJSON(b []byte) error {
	got, err := Load(strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	*m = *got
	return nil
}

// Load reads a model written by Save. It rejects unknown fields, other
// format versions, inconsistent or non-finite parameters and a version whose
// content hash does not match the parameters (a corrupted or edited file).
// All errors wrap ErrBadModel.
func Load(r io.Reader) (*Model, error) {
	lr := &io.LimitedReader{R: r, N: MaxModelBytes + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	var f modelFile
	if err := dec.Decode(&f); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("%w: larger than %d bytes", ErrBadModel, MaxModelBytes)
		}
		return nil, fmt.Errorf("%w: decode: %w", ErrBadModel, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: trailing data after the model document", ErrBadModel)
	}
	if f.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%w: format_version %d, want %d", ErrBadModel, f.FormatVersion, FormatVersion)
	}
	if f.Kind != modelKind {
		return nil, fmt.Errorf("%w: kind %q, want %q", ErrBadModel, f.Kind, modelKind)
	}
	m, err := newModel(modelParams{
		features: f.Features,
		weights:  f.Weights,
		means:    f.Means,
		scales:   f.Scales,
		lo:       f.Min,
		hi:       f.Max,
		bias:     f.Bias,
		platt:    f.Calibration,
		meta:     f.Meta,
	})
	if err != nil {
		return nil, err
	}
	if m.version != f.Version {
		return nil, fmt.Errorf("%w: version %q does not match its content (computed %q)", ErrBadModel, f.Version, m.version)
	}
	return m, nil
}

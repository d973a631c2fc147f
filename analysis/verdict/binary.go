package verdict

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// The compact binary form of a model, for models embedded in the program:
// it loads in a few milliseconds where the JSON form takes tens, which a
// command-line run pays at every start. JSON (Save, Load) stays the form of
// model files, the registry and training; the binary form holds exactly the
// same model (LoadBinary of MarshalBinary saves the same JSON).
//
// Layout, after binaryMagic (all integers unsigned varints):
//
//	header length, header   JSON: format_version, kind, version, bias, calibration, meta
//	n                       number of features
//	n names                 front-coded: bytes shared with the previous name, suffix length, suffix
//	5 arrays of n floats    weights, means, scales, min, max: runs of (count, IEEE 754 bits, 8 bytes little-endian)
//
// Runs make the scales and ranges of binary features (mostly 1, 0 and 1)
// nearly free; front coding does the same for the sorted names.
const binaryMagic = "automaldesc.verdict.binary/1\n"

// maxNameExpansion bounds the total length of the names LoadBinary
// decodes, relative to its input's size.
const maxNameExpansion = 8

// binaryHeader is the model file without its per-feature arrays.
type binaryHeader struct {
	FormatVersion int       `json:"format_version"`
	Kind          string    `json:"kind"`
	Version       string    `json:"version"`
	Bias          float64   `json:"bias"`
	Calibration   Platt     `json:"calibration"`
	Meta          ModelMeta `json:"meta"`
}

// MarshalBinary returns the compact binary form of the model (see
// LoadBinary).
func (m *Model) MarshalBinary() ([]byte, error) {
	header, err := json.Marshal(binaryHeader{
		FormatVersion: FormatVersion, Kind: modelKind, Version: m.version,
		Bias: m.bias, Calibration: m.platt, Meta: m.meta,
	})
	if err != nil {
		return nil, fmt.Errorf("marshal model %s: %w", m.version, err)
	}
	b := make([]byte, 0, len(binaryMagic)+len(header)+16*len(m.features))
	b = append(b, binaryMagic...)
	b = binary.AppendUvarint(b, uint64(len(header)))
	b = append(b, header...)
	b = binary.AppendUvarint(b, uint64(len(m.features)))
	prev := ""
	for _, name := range m.features {
		shared := 0
		for shared < len(prev) && shared < len(name) && prev[shared] == name[shared] {
			shared++
		}
		b = binary.AppendUvarint(b, uint64(shared))
		b = binary.AppendUvarint(b, uint64(len(name)-shared))
		b = append(b, name[shared:]...)
		prev = name
	}
	for _, s := range [][]float64{m.weights, m.means, m.scales, m.lo, m.hi} {
		for i := 0; i < len(s); {
			bits := math.Float64bits(s[i])
			run := 1
			for i+run < len(s) && math.Float64bits(s[i+run]) == bits {
				run++
			}
			b = binary.AppendUvarint(b, uint64(run))
			b = binary.LittleEndian.AppendUint64(b, bits)
			i += run
		}
	}
	return b, nil
}

// LoadBinary reads a model written by MarshalBinary, with the checks of
// Load: the version must match the parameters' content hash. All errors
// wrap ErrBadModel.
func LoadBinary(b []byte) (*Model, error) {
	r := binaryReader{b: b}
	if !bytes.HasPrefix(b, []byte(binaryMagic)) {
		return nil, fmt.Errorf("%w: not a binary model", ErrBadModel)
	}
	r.i = len(binaryMagic)
	var h binaryHeader
	if header := r.bytes(r.uvarint()); r.err == nil {
		dec := json.NewDecoder(bytes.NewReader(header))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&h); err != nil {
			r.err = fmt.Errorf("header: %w", err)
		} else if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			r.err = errors.New("header: trailing data")
		}
	}
	n := r.uvarint()
	if r.err == nil && n > uint64(len(b)-r.i)/2 { // every name takes at least two bytes
		r.err = fmt.Errorf("%d features in %d bytes", n, len(b)-r.i)
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadModel, r.err)
	}
	// The names are substrings of one string holding them all. A first
	// pass checks the front coding and sums the names' lengths, so that
	// the string is allocated once, at its size, and the second builds it.
	names := r
	total, prev := 0, 0
	for j := uint64(0); j < n; j++ {
		shared, suffix := r.uvarint(), len(r.bytes(r.uvarint()))
		if shared > uint64(prev) && r.err == nil {
			r.err = fmt.Errorf("name %d shares %d bytes with a name of %d", j, shared, prev)
		}
		// Front coding compresses sorted names a few times at most; a
		// crafted file must not make each name repeat a long previous one.
		if total+int(shared) > maxNameExpansion*len(b) && r.err == nil {
			r.err = fmt.Errorf("names longer than %d times the input", maxNameExpansion)
		}
		if r.err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadModel, r.err)
		}
		prev = int(shared) + suffix
		total += prev
	}
	var features []string // nil for no features, as Train makes them
	var values []float64
	if n > 0 {
		features, values = make([]string, n), make([]float64, 5*n)
	}
	var all strings.Builder
	all.Grow(total)
	prevName := ""
	for j := range features {
		shared, suffix := names.uvarint(), names.bytes(names.uvarint())
		start := all.Len()
		all.WriteString(prevName[:shared])
		all.Write(suffix)
		// The builder only appends, so the name stays valid as it grows.
		features[j] = all.String()[start:]
		prevName = features[j]
	}
	for k := 0; k < len(values) && r.err == nil; {
		run, bits := r.uvarint(), r.uint64()
		// A run stays within its array.
		if left := uint64(int(n) - k%int(n)); run == 0 || run > left {
			if r.err == nil {
				r.err = fmt.Errorf("run of %d values where %d are left", run, left)
			}
			break
		}
		v := math.Float64frombits(bits)
		for range run {
			values[k] = v
			k++
		}
	}
	if r.err == nil && r.i != len(b) {
		r.err = errors.New("trailing data")
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadModel, r.err)
	}
	if h.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%w: format_version %d, want %d", ErrBadModel, h.FormatVersion, FormatVersion)
	}
	if h.Kind != modelKind {
		return nil, fmt.Errorf("%w: kind %q, want %q", ErrBadModel, h.Kind, modelKind)
	}
	m, err := newModel(modelParams{
		features: features,
		weights:  values[0*n : 1*n : 1*n],
		means:    values[1*n : 2*n : 2*n],
		scales:   values[2*n : 3*n : 3*n],
		lo:       values[3*n : 4*n : 4*n],
		hi:       values[4*n : 5*n : 5*n],
		bias:     h.Bias,
		platt:    h.Calibration,
		meta:     h.Meta,
	})
	if err != nil {
		return nil, err
	}
	if m.version != h.Version {
		return nil, fmt.Errorf("%w: version %q does not match its content (computed %q)", ErrBadModel, h.Version, m.version)
	}
	return m, nil
}

// binaryReader reads LoadBinary's input; after the first error (kept in
// err) every read returns zero values.
type binaryReader struct {
	b   []byte
	i   int
	err error
}

func (r *binaryReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	// Most numbers (name lengths, runs of one value) take one byte.
	if r.i < len(r.b) && r.b[r.i] < 0x80 {
		r.i++
		return uint64(r.b[r.i-1])
	}
	v, n := binary.Uvarint(r.b[r.i:])
	if n <= 0 {
		r.err = fmt.Errorf("bad or missing number at byte %d", r.i)
		return 0
	}
	r.i += n
	return v
}

func (r *binaryReader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)-r.i) {
		r.err = fmt.Errorf("%d bytes wanted at byte %d, past the end", n, r.i)
		return nil
	}
	out := r.b[r.i : r.i+int(n)]
	r.i += int(n)
	return out
}

func (r *binaryReader) uint64() uint64 {
	if b := r.bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

package lang

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// nClasses is the number of model outputs: Unknown and the six languages,
// indexed by their Language value.
const nClasses = 7

// model is a multinomial logistic regression over hashed binary features.
// A document's logits are bias + scale * sum(weights of its distinct
// features) / sqrt(number of distinct features). It is immutable.
type model struct {
	bits    uint8
	scale   float32
	bias    [nClasses]float32
	weights []int8   // [bucket][class], quantised
	rows    []uint64 // weights packed by packRows, for logits
}

//go:embed model.bin
var modelBin []byte

// builtin is the trained model shipped with the package, decoded once at
// package initialisation and never changed.
var builtin = mustLoadModel(modelBin)

const modelMagic = "ADLANG1\x00"

func mustLoadModel(b []byte) *model {
	m, err := loadModel(b)
	if err != nil {
		panic(fmt.Sprintf("lang: embedded model: %v", err))
	}
	return m
}

// loadModel decodes the model file: magic, hash bits (1 byte), class count
// (1 byte), scale (float32), biases (float32 each), then the int8 weights.
func loadModel(b []byte) (*model, error) {
	if len(b) < len(modelMagic)+2+4 || string(b[:len(modelMagic)]) != modelMagic {
		return nil, errors.New("bad magic")
	}
	b = b[len(modelMagic):]
	m := &model{bits: b[0]}
	if b[1] != nClasses {
		return nil, fmt.Errorf("model has %d classes, want %d", b[1], nClasses)
	}
	if m.bits < 8 || m.bits > maxBits { // a featureSet dedupes at most maxBits bits
		return nil, fmt.Errorf("hash bits %d out of range", m.bits)
	}
	b = b[2:]
	m.scale = math.Float32frombits(binary.LittleEndian.Uint32(b))
	b = b[4:]
	if len(b) < 4*nClasses {
		return nil, errors.New("truncated biases")
	}
	for c := range m.bias {
		m.bias[c] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*c:]))
	}
	b = b[4*nClasses:]
	if len(b) != nClasses<<m.bits {
		return nil, fmt.Errorf("weights: got %d bytes, want %d", len(b), nClasses<<m.bits)
	}
	m.weights = make([]int8, len(b))
	for i, x := range b {
		m.weights[i] = int8(x)
	}
	m.rows = m.packRows()
	return m, nil
}

// encode is the inverse of loadModel.
func (m *model) encode() []byte {
	out := append([]byte(nil), modelMagic...)
	out = append(out, m.bits, nClasses)
	out = binary.LittleEndian.AppendUint32(out, math.Float32bits(m.scale))
	for _, v := range m.bias {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	for _, w := range m.weights {
		out = append(out, byte(w))
	}
	return out
}

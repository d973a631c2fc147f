package decode

import (
	"strings"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// Hint presence in one pass. A decoder runs only on a text that holds one
// of its lower-case hint literals (or always, without hints). Checking
// them one strings.Contains at a time read each text once per hint of
// every decoder of its language, some thirty times. A hintTable finds all
// the hints of a language that occur in a text in one pass: one-byte hints
// with IndexByte, longer ones from a filter on a hash of their first two
// bytes, whose entry is cleared once all the hints behind it are found.

// maxHints bounds the distinct hints of one language (one bit each).
const maxHints = 128

// hintMask is a set of hint numbers.
type hintMask [maxHints / 64]uint64

func (m *hintMask) set(id uint8)          { m[id>>6] |= 1 << (id & 63) }
func (m *hintMask) has(id uint8) bool     { return m[id>>6]&(1<<(id&63)) != 0 }
func (m *hintMask) meets(o hintMask) bool { return m[0]&o[0] != 0 || m[1]&o[1] != 0 }
func (m *hintMask) empty() bool           { return m[0] == 0 && m[1] == 0 }

// slotBits sizes the two-byte filter: small enough to copy per text.
const slotBits = 12

// filterWords is the length of the filter in words, a power of two.
const filterWords = 1 << slotBits / 64

func slot(a, b byte) uint { return (uint(a)<<4 ^ uint(b)) & (1<<slotBits - 1) }

// hintTable holds the distinct hints of the decoders of one language.
type hintTable struct {
	single   []byte  // one-byte hints
	singleID []uint8 // their numbers
	multi    []string
	multiID  []uint8
	filter   [filterWords]uint64    // slots some multi-byte hint starts in
	bySlot   [1 << slotBits][]uint8 // slot -> indexes into multi
	need     []hintMask             // per registry entry: its hints (none: it always runs)
}

// newHintTable builds the table of the decoders that handle l.
func newHintTable(l lang.Language) *hintTable {
	t := &hintTable{need: make([]hintMask, len(registry))}
	ids := map[string]uint8{}
	for i := range registry {
		d := &registry[i]
		if !d.handles(l) {
			continue
		}
		for _, h := range d.hints {
			id, ok := ids[h]
			if !ok {
				if len(ids) == maxHints {
					panic("decode: too many distinct hints for " + l.String())
				}
				id = uint8(len(ids))
				ids[h] = id
				if len(h) == 1 {
					t.single = append(t.single, h[0])
					t.singleID = append(t.singleID, id)
				} else {
					sl := slot(h[0], h[1])
					t.filter[sl>>6] |= 1 << (sl & 63)
					t.bySlot[sl] = append(t.bySlot[sl], uint8(len(t.multi)))
					t.multi = append(t.multi, h)
					t.multiID = append(t.multiID, id)
				}
			}
			t.need[i].set(id)
		}
	}
	return t
}

// hintTables has the table of every language, Unknown (every decoder)
// included. A layer and the intermediate texts of its rewrite pass use the
// same table, so the scan the pass ends on serves the layer made of it
// as it is.
var hintTables = func() map[lang.Language]*hintTable {
	t := map[lang.Language]*hintTable{}
	for _, l := range append([]lang.Language{lang.Unknown}, allLangs...) {
		t[l] = newHintTable(l)
	}
	return t
}()

// hintTableOf returns the table of language l. A value outside lang's
// languages, which no decoder handles, gets an empty table.
func hintTableOf(l lang.Language) *hintTable {
	if t, ok := hintTables[l]; ok {
		return t
	}
	return noHints
}

var noHints = &hintTable{need: make([]hintMask, len(registry))}

// runs reports whether registry[i] runs on a text whose hints are m.
func (t *hintTable) runs(i int, m *hintMask) bool {
	return t.need[i].empty() || m.meets(t.need[i])
}

// present returns the hints that occur in lower.
func (t *hintTable) present(lower string) hintMask {
	var m hintMask
	for k, c := range t.single {
		if strings.IndexByte(lower, c) >= 0 {
			m.set(t.singleID[k])
		}
	}
	if len(lower) < 2 || len(t.multi) == 0 {
		return m
	}
	// The filter loop is the cost of the pre-check, about a nanosecond a
	// byte: slot indexes in uint and masked array indexes keep it free of
	// bounds checks and narrow-integer conversions.
	live := t.filter
	left := len(t.multi)
	prev := uint(lower[0])
	for i := 1; i < len(lower); i++ {
		c := uint(lower[i])
		sl := (prev<<4 ^ c) & (1<<slotBits - 1)
		prev = c
		if live[sl>>6&(filterWords-1)]>>(sl&63)&1 == 0 {
			continue
		}
		pending := false
		for _, k := range t.bySlot[sl] {
			if id := t.multiID[k]; !m.has(id) {
				if strings.HasPrefix(lower[i-1:], t.multi[k]) {
					m.set(id)
					left--
				} else {
					pending = true
				}
			}
		}
		if !pending {
			live[sl>>6&(filterWords-1)] &^= 1 << (sl & 63)
			if left == 0 {
				break
			}
		}
	}
	return m
}

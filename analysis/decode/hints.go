package decode

import (
	"math/bits"
	"strings"
	"sync"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// Hint presence in one pass. A decoder runs only on a text that holds one
// of its lower-case hint literals (or always, without hints). Checking
// them one strings.Contains at a time read each text once per hint of
// every decoder of its language, some thirty times. A hintTable finds all
// the hints of a language that occur in a text in one pass: one-byte hints
// with IndexByte, longer ones from a filter on byte pairs. It reads the
// text as it is, not lower-cased: the filter holds every ASCII case of a
// pair, and hits are checked ASCII case-insensitively.
//
// The pass looks at the pairs that start at an even offset only. A hint of
// three bytes or more is filed under two adjacent pairs of its own, one of
// which starts at an even offset wherever the hint occurs: the two whose
// bytes are rarest in scripts, so that the pass seldom stops on a pair of
// a hint that is not there. A two-byte hint at an even offset is its own
// pair; one at an odd offset starts with the second byte of a pair looked
// at, so it is also filed under every pair that ends with its first byte.
//
// The filter is exact (a bit per pair) and shared until the pass clears
// the bit of a pair all of whose hints are done: then the pass goes on
// with a copy of its own. The hit path is rare, which is what makes the
// pass cheap, along with reading eight bytes a step and one table load
// per pair. The hints are filed by pair folded to twelve bits.

// maxHints bounds the distinct hints of one language (one bit each).
const maxHints = 128

// hintMask is a set of hint numbers.
type hintMask [maxHints / 64]uint64

func (m *hintMask) set(id uint8)          { m[id>>6] |= 1 << (id & 63) }
func (m *hintMask) has(id uint8) bool     { return m[id>>6]&(1<<(id&63)) != 0 }
func (m *hintMask) meets(o hintMask) bool { return m[0]&o[0] != 0 || m[1]&o[1] != 0 }
func (m *hintMask) empty() bool           { return m[0] == 0 && m[1] == 0 }

// foldBits is the width of the pair folds the hints are filed by.
const foldBits = 12

// pairWords masks an index into the exact filter.
const pairWords = 1<<16/64 - 1

// pairFilter has a bit per pair key.
type pairFilter [pairWords + 1]uint64

// pairKey is the filter key of the bytes a, b.
func pairKey(a, b byte) uint { return uint(a)<<8 | uint(b) }

// hintTable holds the distinct hints of the decoders of one language.
type hintTable struct {
	single   []byte  // one-byte hints
	singleID []uint8 // their numbers
	multi    []string
	multiID  []uint8
	pairs    pairFilter // the pairs multi-byte hints are filed under
	// filed[foldAt[f]:foldAt[f+1]] are the hints filed under the pairs of
	// fold f: offsets into one array, where a slice per fold made the
	// table 100 KB.
	foldAt   [1<<foldBits + 1]uint16
	filed    []filedHint
	need     []hintMask       // per registry entry: its hints (none: it always runs)
	users    [maxHints]uint64 // per hint: the registry entries that have it
	multiSet hintMask         // the multi-byte hints
}

// foldedHint is a filedHint with its fold, while a table is built.
type foldedHint struct {
	fold uint16
	filedHint
}

// filedHint is multi[k] filed under its pair at offset off, or, when off
// is oddTwo, the two-byte hint multi[k] filed under the pairs that end
// with its first byte.
type filedHint struct {
	pair uint16
	k    uint8
	off  uint8
}

const oddTwo = 0xFF

// newHintTable builds the table of the decoders that handle l.
func newHintTable(l lang.Language) *hintTable {
	if len(registry) > 64 {
		panic("decode: hintTable.users holds 64 registry entries")
	}
	t := &hintTable{need: make([]hintMask, len(registry))}
	var filed []foldedHint
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
					k := uint8(len(t.multi))
					t.multiSet.set(id)
					t.multi = append(t.multi, h)
					t.multiID = append(t.multiID, id)
					if len(h) == 2 {
						filed = t.file(filed, h, k, 0)
						filed = t.fileOdd(filed, h, k)
					} else {
						o := rarestWindow(h)
						filed = t.file(filed, h, k, o)
						filed = t.file(filed, h, k, o+1)
					}
				}
			}
			t.need[i].set(id)
			t.users[id] |= 1 << i
		}
	}
	// Group the filed hints by fold, each fold's in the order filed.
	if len(filed) >= 1<<16 {
		panic("decode: too many filed hints for " + l.String())
	}
	for _, f := range filed {
		t.foldAt[f.fold+1]++
	}
	for f := 1; f < len(t.foldAt); f++ {
		t.foldAt[f] += t.foldAt[f-1]
	}
	next := t.foldAt
	t.filed = make([]filedHint, len(filed))
	for _, f := range filed {
		t.filed[next[f.fold]] = f.filedHint
		next[f.fold]++
	}
	return t
}

// file files multi[k], which is h, under its pair at offset off, in
// every ASCII case, and returns filed with the entries added.
func (t *hintTable) file(filed []foldedHint, h string, k, off uint8) []foldedHint {
	for _, a := range cases(h[off]) {
		for _, b := range cases(h[off+1]) {
			pk := pairKey(a, b)
			t.pairs[pk>>6] |= 1 << (pk & 63)
			fold := pk & (1<<foldBits - 1)
			filed = append(filed, foldedHint{uint16(fold), filedHint{uint16(pk), k, off}})
		}
	}
	return filed
}

// fileOdd files the two-byte hint multi[k], which is h, under every pair
// that ends with its first byte, in either case, and returns filed with
// the entries added.
func (t *hintTable) fileOdd(filed []foldedHint, h string, k uint8) []foldedHint {
	for _, b := range cases(h[0]) {
		for a := 0; a < 256; a++ {
			pk := pairKey(byte(a), b)
			t.pairs[pk>>6] |= 1 << (pk & 63)
			fold := pk & (1<<foldBits - 1)
			if a < 16 { // a's high nibble is not in the fold
				filed = append(filed, foldedHint{uint16(fold), filedHint{0, k, oddTwo}})
			}
		}
	}
	return filed
}

// cases returns the lower-case byte c and its upper case when it is an
// ASCII letter.
func cases(c byte) []byte {
	if c >= 'a' && c <= 'z' {
		return []byte{c, c - 32}
	}
	return []byte{c}
}

// rarestWindow returns the offset of the two adjacent pairs of h (three
// bytes or more) whose bytes are the least frequent in scripts.
func rarestWindow(h string) uint8 {
	best, bestScore := 0, -1
	for o := 0; o+2 < len(h); o++ {
		score := scriptFreq(h[o])*scriptFreq(h[o+1]) + scriptFreq(h[o+1])*scriptFreq(h[o+2])
		if bestScore < 0 || score < bestScore {
			best, bestScore = o, score
		}
	}
	return uint8(best)
}

// scriptFreq is a rough frequency (per mille) of the lower-cased byte c in
// script text; it only ranks the pairs a hint is filed under.
func scriptFreq(c byte) int {
	switch c {
	case ' ':
		return 150
	case 'e':
		return 90
	case 't':
		return 70
	case 'a', 'o', 'i', 'n':
		return 60
	case 's', 'r':
		return 55
	case 'l':
		return 40
	case 'c':
		return 35
	case 'd':
		return 30
	case 'u', 'p', 'm', 'h':
		return 25
	case 'f', '(', ')', '.':
		return 20
	case 'g', '-', '$', '\'', '"':
		return 15
	case 'b', 'y', 'w', '_':
		return 12
	case 'v':
		return 10
	case '[', ']', '/':
		return 8
	case 'k':
		return 6
	case 'x':
		return 5
	case 'j':
		return 3
	}
	if c >= '0' && c <= '9' {
		return 10
	}
	return 5
}

// hintTables holds the table of every Language value (Unknown runs every
// decoder; a value that is no language, none), each built on first use:
// a process that decodes one file builds one or two, and none at start.
// A layer and the intermediate texts of its rewrite pass use the same
// table, so the scan the pass ends on serves the layer made of it as it
// is.
var hintTables [1 << 8]struct {
	once sync.Once
	t    *hintTable
}

// hintTableOf returns the table of language l.
func hintTableOf(l lang.Language) *hintTable {
	e := &hintTables[l]
	e.once.Do(func() { e.t = newHintTable(l) })
	return e.t
}

// runs reports whether registry[i] runs on a text whose hints are m.
func (t *hintTable) runs(i int, m *hintMask) bool {
	return t.need[i].empty() || m.meets(t.need[i])
}

// present returns hints that occur in text, ASCII case-insensitively:
// enough of them for runs to tell exactly which decoders have one. A
// decoder is settled once one of its hints is found; a hint all of whose
// decoders are settled no longer matters, and the pass ends when no hint
// that matters is left.
func (t *hintTable) present(text string) hintMask {
	p := hintPass{left: len(t.multi), pairs: &t.pairs}
	for k, c := range t.single {
		if strings.IndexByte(text, c) >= 0 || c >= 'a' && c <= 'z' && strings.IndexByte(text, c-32) >= 0 {
			t.found(&p, t.singleID[k])
		}
	}
	if len(text) < 2 || p.left == 0 {
		return p.m
	}
	defer p.end()
	j := 0
	for pairs := p.pairs; j+8 <= len(text); j += 8 {
		// The pairs at j, j+2, j+4 and j+6, each keyed first byte high.
		w := bits.ReverseBytes64(le64(text, j))
		k0, k1, k2, k3 := uint(w>>48), uint(w>>32&0xFFFF), uint(w>>16&0xFFFF), uint(w&0xFFFF)
		b0 := pairs[k0>>6] >> (k0 & 63)
		b1 := pairs[k1>>6] >> (k1 & 63)
		b2 := pairs[k2>>6] >> (k2 & 63)
		b3 := pairs[k3>>6] >> (k3 & 63)
		if (b0|b1|b2|b3)&1 == 0 {
			continue
		}
		if b0&1 != 0 && t.hit(&p, text, j+1, k0) || b1&1 != 0 && t.hit(&p, text, j+3, k1) ||
			b2&1 != 0 && t.hit(&p, text, j+5, k2) || b3&1 != 0 && t.hit(&p, text, j+7, k3) {
			return p.m
		}
		pairs = p.pairs // a hit may have made a copy
	}
	for ; j+2 <= len(text); j += 2 {
		if t.hit(&p, text, j+1, pairKey(text[j], text[j+1])) {
			break
		}
	}
	return p.m
}

// hintPass is the state of present's pass over one text.
type hintPass struct {
	m       hintMask // the hints found
	done    hintMask // the hints found or no longer mattering
	settled uint64   // the registry entries with a hint found
	left    int      // multi-byte hints not done
	// pairs is the filter: the table's until a pair is cleared, then own,
	// a copy from pairFilters.
	pairs *pairFilter
	own   *pairFilter
}

// pairFilters recycles the filters hint passes clear pairs in.
var pairFilters = sync.Pool{New: func() any { return new(pairFilter) }}

// clear clears the bit of pair pk in the filter of p, made its own first.
func (p *hintPass) clear(pk uint) {
	if p.own == nil {
		p.own = pairFilters.Get().(*pairFilter)
		*p.own = *p.pairs
		p.pairs = p.own
	}
	p.own[pk>>6&pairWords] &^= 1 << (pk & 63)
}

// end hands the filter of p back to the pool.
func (p *hintPass) end() {
	if p.own != nil {
		pairFilters.Put(p.own)
		p.own = nil
	}
}

// found records hint id as found, and as done every hint whose decoders
// are all settled now.
func (t *hintTable) found(p *hintPass, id uint8) {
	p.m.set(id)
	t.finish(p, id)
	newly := t.users[id] &^ p.settled
	p.settled |= newly
	for ; newly != 0; newly &= newly - 1 {
		i := bits.TrailingZeros64(newly)
		for w, word := range t.need[i] {
			for ; word != 0; word &= word - 1 {
				other := uint8(w*64 + bits.TrailingZeros64(word))
				if t.users[other]&^p.settled == 0 {
					t.finish(p, other)
				}
			}
		}
	}
}

// finish marks hint id done.
func (t *hintTable) finish(p *hintPass, id uint8) {
	if !p.done.has(id) {
		p.done.set(id)
		if t.multiSet.has(id) {
			p.left--
		}
	}
}

// hit looks for the hints filed under pk, the pair that ends at text[j]
// (at an even offset), when the filter has it: the hints at the pair,
// and the two-byte hints at the odd offset j; it clears the pair once they
// are all done. It reports when no multi-byte hint matters any more.
func (t *hintTable) hit(p *hintPass, text string, j int, pk uint) bool {
	if p.pairs[pk>>6&pairWords]&(1<<(pk&63)) == 0 {
		return false
	}
	fold := pk & (1<<foldBits - 1)
	pending := false
	for _, f := range t.filed[t.foldAt[fold]:t.foldAt[fold+1]] {
		if f.off != oddTwo && uint(f.pair) != pk {
			continue // filed under another pair of the fold
		}
		id := t.multiID[f.k]
		if p.done.has(id) {
			continue
		}
		h := t.multi[f.k]
		var ok bool
		if f.off == oddTwo {
			ok = lowerTable[text[j]] == h[0] && j+1 < len(text) && lowerTable[text[j+1]] == h[1]
		} else {
			ok = hasPrefixFold(text, j-1-int(f.off), h)
		}
		if ok {
			t.found(p, id)
		} else {
			pending = true
		}
	}
	if !pending {
		p.clear(pk)
	}
	return p.left == 0
}

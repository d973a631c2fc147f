package indicators

import (
	"math"
	"math/bits"
	"slices"
	"strings"
)

// automaton is an Aho-Corasick DFA over ASCII case-folded bytes that finds
// the first and last occurrence of every literal in one pass. Bytes that
// occur in no literal share class 0, which keeps the transition table small.
type automaton struct {
	class  [256]uint8
	nclass int
	// next maps a state's row, state*nclass, plus a class to the row of
	// the next state, with termBit set when that state ends a literal: the
	// one check done per byte. Holding rows rather than states takes the
	// multiplication off the chain of dependent steps the scan is.
	next   []uint32
	out    [][]int32 // literal ids that end in a state (suffix outputs folded in)
	lens   []int32   // literal id -> length in bytes
	maxLen int
}

// termBit marks, in a transition, a state where some literal ends.
const termBit = 1 << 31

// minSplit is the shortest text scan splits into four interleaved runs.
// A single run waits for each table load in turn, so even short texts
// gain from four, although the runs after the first also step through
// the maxLen-1 bytes before their quarter (dev-corpus layers under 1 KiB:
// 1.34 ms per pass with a 1 KiB threshold, 0.97 ms with this one).
const minSplit = 1 << 7

func foldByte(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

// newAutomaton builds the DFA for lits, which must be lower-case (ASCII) and
// non-empty.
func newAutomaton(lits []string) *automaton {
	a := &automaton{lens: make([]int32, len(lits))}
	// Byte classes.
	n := 1
	for _, l := range lits {
		a.maxLen = max(a.maxLen, len(l))
		for i := 0; i < len(l); i++ {
			c := foldByte(l[i])
			if a.class[c] == 0 {
				if n == 255 {
					panic("indicators: too many byte classes")
				}
				a.class[c] = uint8(n)
				n++
			}
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		a.class[b] = a.class[b+('a'-'A')]
	}
	a.nclass = n

	// Trie, built straight into a transition table of state numbers
	// (uint16 halves the memory the build takes): 0 is "no edge" (the
	// root is nobody's child).
	states := 1 // upper bound: one state per literal byte, and the root
	for _, l := range lits {
		states += len(l)
	}
	delta := make([]uint16, n, states*n)
	zeros := make([]uint16, n)
	own := [][]int32{nil} // literal ids ending in each trie node
	for id, l := range lits {
		a.lens[id] = int32(len(l))
		s := 0
		for i := 0; i < len(l); i++ {
			c := int(a.class[foldByte(l[i])])
			nx := int(delta[s*n+c])
			if nx == 0 {
				nx = len(own)
				if nx > math.MaxUint16 || (nx+1)*n >= termBit {
					panic("indicators: too many automaton states")
				}
				own = append(own, nil)
				delta = append(delta, zeros...)
				delta[s*n+c] = uint16(nx)
			}
			s = nx
		}
		own[s] = append(own[s], int32(id))
	}

	// BFS over the trie: missing edges follow the failure link, whose row
	// is complete because it is shallower; outputs take the failure's.
	states = len(own)
	a.out = make([][]int32, states)
	fail := make([]int32, states)
	queue := make([]int32, 0, states)
	for c := 0; c < n; c++ {
		if nx := delta[c]; nx != 0 {
			queue = append(queue, int32(nx))
		}
	}
	a.out[0] = own[0]
	for q := 0; q < len(queue); q++ {
		s := queue[q]
		if a.out[s] = a.out[fail[s]]; len(own[s]) > 0 { // shared when s adds none
			a.out[s] = append(append([]int32(nil), own[s]...), a.out[s]...)
		}
		row, frow := int(s)*n, int(fail[s])*n
		for c := 0; c < n; c++ {
			if nx := delta[row+c]; nx != 0 {
				fail[nx] = int32(delta[frow+c])
				queue = append(queue, int32(nx))
			} else {
				delta[row+c] = delta[frow+c]
			}
		}
	}
	a.next, a.out = renumber(delta, a.out, n, append([]int32{0}, queue...))
	return a
}

// renumber gives the states new numbers in the order given, which must
// start with the root, state ord[i] becoming state i, and returns the
// table of rows that automaton.next holds and the outputs by new number.
//
// The trie numbers states literal by literal, so the rows of the shallow
// states, where the automaton spends nearly all its time on ordinary text,
// lie scattered across a table larger than the first-level cache. Numbered
// breadth-first, they share a few kilobytes at its start.
func renumber(delta []uint16, out [][]int32, n int, ord []int32) ([]uint32, [][]int32) {
	// rowOf is each old state's new row, with termBit when a literal
	// ends there: one load per transition below.
	rowOf := make([]uint32, len(ord))
	for i, s := range ord {
		rowOf[s] = uint32(i * n)
		if len(out[s]) > 0 {
			rowOf[s] |= termBit
		}
	}
	next := make([]uint32, len(ord)*n)
	no := make([][]int32, len(out))
	for i, s := range ord {
		src := delta[int(s)*n : int(s+1)*n]
		dst := next[i*n : (i+1)*n]
		dst = dst[:len(src)] // spares the bounds checks
		for c, nx := range src {
			dst[c] = rowOf[nx]
		}
		no[i] = out[s]
	}
	return next, no
}

// occurrences is what a pass of the automaton records about the literals
// of one text.
type occurrences struct {
	first, last []int32 // offset of each literal's first and last occurrence, or -1
	found       []int32 // the literals that occur, in no particular order
	// blocks holds, for each literal found, a bitmap of the blockSize-byte
	// blocks of the text in which an occurrence starts: words words from
	// blockAt[id]. It lets next skip the stretches where a literal is
	// absent instead of searching through them.
	blocks  []uint64
	blockAt []int32
	words   int
}

// blockShift is log2 of the block size of occurrences.blocks.
const blockShift = 8

// newOccurrences returns the tables for n literals, all absent.
func newOccurrences(n int) occurrences {
	pos := make([]int32, 3*n)
	for i := range pos {
		pos[i] = -1
	}
	return occurrences{first: pos[:n:n], last: pos[n : 2*n : 2*n], blockAt: pos[2*n:]}
}

// reset marks every literal absent again, for a text of size bytes.
func (o *occurrences) reset(size int) {
	for _, id := range o.found {
		o.first[id], o.last[id], o.blockAt[id] = -1, -1, -1
	}
	o.found = o.found[:0]
	o.blocks = o.blocks[:0]
	o.words = size>>blockShift/64 + 1
}

// add records an occurrence of literal id at offset p.
func (o *occurrences) add(id, p int32) {
	switch f := o.first[id]; {
	case f < 0:
		o.first[id], o.last[id] = p, p
		o.found = append(o.found, id)
		n := len(o.blocks)
		o.blocks = slices.Grow(o.blocks, o.words)[:n+o.words]
		clear(o.blocks[n:])
		o.blockAt[id] = int32(n)
	case p < f:
		o.first[id] = p
	case p > o.last[id]:
		o.last[id] = p
	}
	b := uint(p) >> blockShift // unsigned: b/64 and b%64 are a shift and a mask
	o.blocks[uint(o.blockAt[id])+b/64] |= 1 << (b % 64)
}

// next returns the offset of the first occurrence of literal id, lit, at
// or after offset from in the (lower-cased) text, or -1. It searches only
// the blocks where an occurrence starts.
func (o *occurrences) next(id int32, lit, text string, from int) int {
	if o.first[id] < 0 || from > int(o.last[id]) {
		return -1
	}
	if from <= int(o.first[id]) {
		return int(o.first[id])
	}
	bm := o.blocks[o.blockAt[id]:][:o.words]
	for b := from >> blockShift; b < len(bm)*64; b++ {
		// Go to the next block with an occurrence.
		if w := bm[b/64] >> (b % 64); w != 0 {
			b += bits.TrailingZeros64(w)
		} else {
			i := b/64 + 1
			for i < len(bm) && bm[i] == 0 {
				i++
			}
			if i == len(bm) {
				return -1
			}
			b = i*64 + bits.TrailingZeros64(bm[i])
		}
		lo := max(from, b<<blockShift)
		hi := min(len(text), (b+1)<<blockShift+len(lit)-1)
		if k := strings.Index(text[lo:hi], lit); k >= 0 {
			return lo + k
		}
	}
	return -1
}

// scan records the occurrences of every literal in text (case-folded) in
// o, which must have been reset for text.
//
// Each step of a DFA waits for the table load of the step before, so a
// long text is cut in four and the four runs are interleaved, which lets
// the processor overlap their loads. Each run after the first starts
// maxLen-1 bytes before the one before it ends, so that every occurrence
// lies whole in some run; occurrences seen twice in those overlaps agree.
// The runs are equally long (the last also takes the remainder of the
// division), so the interleaved steps cover nearly all of the text.
func (a *automaton) scan(text string, o *occurrences) {
	ov := a.maxLen - 1
	n := (len(text) + 3*ov) / 4 // the length of each run
	d := n - ov                 // how far apart the runs start
	if len(text) < minSplit || d <= ov {
		a.run(0, text, 0, 0, o)
		return
	}
	next, class := a.next, &a.class
	o1, o2, o3 := d, 2*d, 3*d
	t0, t1, t2, t3 := text[:n], text[o1:o1+n], text[o2:o2+n], text[o3:] // 3d+n <= len(text)
	var s0, s1, s2, s3 uint32
	for i := 0; i < len(t0); i++ {
		i, s0, s1, s2, s3 = step4(next, class, t0, t1, t2, t3, i, s0, s1, s2, s3)
		if i == len(t0) {
			break
		}
		if s0&termBit != 0 {
			s0 &^= termBit
			a.report(s0, i+1, o)
		}
		if s1&termBit != 0 {
			s1 &^= termBit
			a.report(s1, o1+i+1, o)
		}
		if s2&termBit != 0 {
			s2 &^= termBit
			a.report(s2, o2+i+1, o)
		}
		if s3&termBit != 0 {
			s3 &^= termBit
			a.report(s3, o3+i+1, o)
		}
	}
	a.run(s1, t1, len(t0), o1, o)
	a.run(s2, t2, len(t0), o2, o)
	a.run(s3, t3, len(t0), o3, o)
}

// step4 advances the four interleaved runs of scan from offset i of the
// equally long t0..t3 until one of them reaches a state that ends a
// literal, and returns that offset (len(t0) when none does) and the
// states. It makes no calls, so the states stay in registers: spilled to
// the stack, as they are in a loop that calls report, every step would
// also wait for a store to reach the next load.
func step4(next []uint32, class *[256]uint8, t0, t1, t2, t3 string, i int, s0, s1, s2, s3 uint32) (int, uint32, uint32, uint32, uint32) {
	t1, t2, t3 = t1[:len(t0)], t2[:len(t0)], t3[:len(t0)] // spares the bounds checks
	for ; i < len(t0); i++ {
		s0 = next[s0+uint32(class[t0[i]])]
		s1 = next[s1+uint32(class[t1[i]])]
		s2 = next[s2+uint32(class[t2[i]])]
		s3 = next[s3+uint32(class[t3[i]])]
		if (s0|s1|s2|s3)&termBit != 0 {
			break
		}
	}
	return i, s0, s1, s2, s3
}

// run continues the DFA in state s over t[from:], where t starts at offset
// base of the text.
func (a *automaton) run(s uint32, t string, from, base int, o *occurrences) {
	for i := from; i < len(t); i++ {
		if i, s = step1(a.next, &a.class, t, i, s); i == len(t) {
			break
		}
		s &^= termBit
		a.report(s, base+i+1, o)
	}
}

// step1 is step4 for one run.
func step1(next []uint32, class *[256]uint8, t string, i int, s uint32) (int, uint32) {
	for ; i < len(t); i++ {
		if s = next[s+uint32(class[t[i]])]; s&termBit != 0 {
			break
		}
	}
	return i, s
}

// longestIn returns the longest literal that occurs in t, which must be
// lower-case, and its offset in t; -1, 0 when none does.
func (a *automaton) longestIn(t string) (int32, int) {
	id, off := int32(-1), 0
	s := uint32(0)
	for i := 0; i < len(t); i++ {
		s = a.next[s+uint32(a.class[t[i]])]
		if s&termBit == 0 {
			continue
		}
		s &^= termBit
		for _, l := range a.out[s/uint32(a.nclass)] {
			if id < 0 || a.lens[l] > a.lens[id] {
				id, off = l, i+1-int(a.lens[l])
			}
		}
	}
	return id, off
}

// report records the literals that end in the state of row s just before
// offset end.
func (a *automaton) report(s uint32, end int, o *occurrences) {
	for _, id := range a.out[s/uint32(a.nclass)] {
		o.add(id, int32(end)-a.lens[id])
	}
}

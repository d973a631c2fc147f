package verdict

import "hash/maphash"

// nameIndex maps feature names to their index in a sorted name list. It is
// an open-addressing table of (64-bit hash, index) pairs, half full at most:
// a lookup usually touches one 16-byte slot, and the name itself only on a
// hash match. Predict does a few hundred lookups per sample in tables of up
// to ~10^5 names, where a Go map's larger groups cost more cache misses.
// A model leaves out the token names its token index finds (see
// Model.lookup): most of its names, which would otherwise be hashed at
// every load.
type nameIndex struct {
	seed  maphash.Seed
	mask  uint64
	slots []nameSlot
	names []string
}

type nameSlot struct {
	hash uint64
	pos  int32 // index + 1; 0 marks an empty slot
}

// newNameIndex indexes the names for which keep (nil: all) is true.
func newNameIndex(names []string, keep func(j int) bool) nameIndex {
	n := len(names)
	if keep != nil {
		n = 0
		for j := range names {
			if keep(j) {
				n++
			}
		}
	}
	size := 8
	for size < 2*n {
		size *= 2
	}
	x := nameIndex{seed: maphash.MakeSeed(), mask: uint64(size - 1), slots: make([]nameSlot, size), names: names}
	for j, n := range names {
		if keep != nil && !keep(j) {
			continue
		}
		h := maphash.String(x.seed, n)
		i := h & x.mask
		for x.slots[i].pos != 0 {
			i = (i + 1) & x.mask
		}
		x.slots[i] = nameSlot{hash: h, pos: int32(j + 1)}
	}
	return x
}

// lookup returns the index of name and whether it is present.
func (x *nameIndex) lookup(name string) (int32, bool) {
	h := maphash.String(x.seed, name)
	for i := h & x.mask; ; i = (i + 1) & x.mask {
		s := x.slots[i]
		if s.pos == 0 {
			return -1, false
		}
		if s.hash == h && x.names[s.pos-1] == name {
			return s.pos - 1, true
		}
	}
}

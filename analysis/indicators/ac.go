package indicators

// automaton is an Aho-Corasick DFA over ASCII case-folded bytes that finds
// the first occurrence of every literal in one pass. Bytes that occur in no
// literal share class 0, which keeps the transition table small.
type automaton struct {
	class  [256]uint8
	nclass int
	delta  []uint16  // state*nclass + class -> state (uint16 halves the table: ~1 MB, fewer cache misses)
	out    [][]int32 // literal ids that end in a state (suffix outputs folded in)
	term   []bool    // len(out[state]) > 0, the one check done per byte
	lens   []int32   // literal id -> length in bytes
}

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

	// Trie.
	type node struct {
		next map[uint8]int32
		out  []int32
	}
	nodes := []node{{next: map[uint8]int32{}}}
	for id, l := range lits {
		a.lens[id] = int32(len(l))
		s := int32(0)
		for i := 0; i < len(l); i++ {
			c := a.class[foldByte(l[i])]
			nx, ok := nodes[s].next[c]
			if !ok {
				nodes = append(nodes, node{next: map[uint8]int32{}})
				nx = int32(len(nodes) - 1)
				nodes[s].next[c] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}

	// BFS over the trie to fill the DFA and the failure outputs.
	if len(nodes) > 1<<16 {
		panic("indicators: too many automaton states")
	}
	a.delta = make([]uint16, len(nodes)*n)
	a.out = make([][]int32, len(nodes))
	fail := make([]int32, len(nodes))
	queue := make([]int32, 0, len(nodes))
	for c := 0; c < n; c++ {
		if nx, ok := nodes[0].next[uint8(c)]; ok {
			a.delta[c] = uint16(nx)
			fail[nx] = 0
			queue = append(queue, nx)
		}
	}
	a.out[0] = nodes[0].out
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		a.out[s] = append(append([]int32(nil), nodes[s].out...), a.out[fail[s]]...)
		for c := 0; c < n; c++ {
			if nx, ok := nodes[s].next[uint8(c)]; ok {
				fail[nx] = int32(a.delta[int(fail[s])*n+c])
				a.delta[int(s)*n+c] = uint16(nx)
				queue = append(queue, nx)
			} else {
				a.delta[int(s)*n+c] = a.delta[int(fail[s])*n+c]
			}
		}
	}
	a.term = make([]bool, len(a.out))
	for i, o := range a.out {
		a.term[i] = len(o) > 0
	}
	return a
}

// firsts sets first[id] to the byte offset of the first occurrence of every
// literal found in text (case-folded); first must be filled with -1. It
// returns how many distinct literals were found.
func (a *automaton) firsts(text string, first []int32) int {
	s := int32(0)
	found := 0
	n := int32(a.nclass)
	for i := 0; i < len(text); i++ {
		s = int32(a.delta[s*n+int32(a.class[text[i]])])
		if a.term[s] {
			for _, id := range a.out[s] {
				if first[id] < 0 {
					first[id] = int32(i+1) - a.lens[id]
					found++
				}
			}
		}
	}
	return found
}

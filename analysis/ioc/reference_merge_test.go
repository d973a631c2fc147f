package ioc

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// refMerge is Merge as it was before mergeOrdered: every input through a
// map, entries sorted by layer and input order. Frozen for the
// differential tests below.
func refMerge(sets ...[]IOC) []IOC {
	type key struct {
		t Type
		v string
	}
	n := 0
	for _, s := range sets {
		n += len(s)
	}
	if n == 0 {
		return []IOC{}
	}
	type entry struct {
		ioc IOC
		seq int
	}
	idx := make(map[key]int, n)
	out := make([]entry, 0, n)
	seq := 0
	for _, s := range sets {
		for _, c := range s {
			k := key{c.Type, c.Value}
			if i, ok := idx[k]; ok {
				if c.Layer < out[i].ioc.Layer {
					out[i] = entry{c, seq}
				}
			} else {
				idx[k] = len(out)
				out = append(out, entry{c, seq})
			}
			seq++
		}
	}
	slices.SortStableFunc(out, func(a, b entry) int {
		if a.ioc.Layer != b.ioc.Layer {
			return a.ioc.Layer - b.ioc.Layer
		}
		return a.seq - b.seq
	})
	res := make([]IOC, len(out))
	for i, e := range out {
		res[i] = e.ioc
	}
	return res
}

// randomSets builds IOC sets from a few types, values and layers, so that
// keys repeat within and across sets; ordered makes the layers never
// decrease in input order (the engine's case, mergeOrdered's path).
func randomSets(r *rand.Rand, ordered bool) [][]IOC {
	types := []Type{Domain, URL, IPv4}
	values := []string{"a.example", "b.example", "c.example", "d.example"}
	sets := make([][]IOC, r.IntN(5))
	layer := 0
	for i := range sets {
		if r.IntN(4) == 0 {
			continue // nil set
		}
		sets[i] = make([]IOC, r.IntN(3*linearLookup))
		for j := range sets[i] {
			if ordered {
				layer += r.IntN(2)
			} else {
				layer = r.IntN(4)
			}
			sets[i][j] = IOC{
				Type:   types[r.IntN(len(types))],
				Value:  values[r.IntN(len(values))] + string(rune('0'+r.IntN(10))),
				Layer:  layer,
				Offset: r.IntN(100),
			}
		}
	}
	return sets
}

func TestMergeMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		sets := randomSets(r, i%2 == 0)
		if got, want := Merge(sets...), refMerge(sets...); !slices.Equal(got, want) {
			t.Fatalf("Merge(%v) = %v, want %v", sets, got, want)
		}
	}
}

// FuzzMergeMatchesReference merges the IOCs of a fuzzed text's layers
// (Extract at layer 0, 1 and again 0) in several orders against refMerge.
func FuzzMergeMatchesReference(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		a, b := Extract(s, 0), Extract(s+" x.example 1.2.3.4", 1)
		for _, sets := range [][][]IOC{{a}, {a, b}, {b, a}, {a, b, a}, {b}, {nil, a, nil}} {
			if got, want := Merge(sets...), refMerge(sets...); !slices.Equal(got, want) {
				t.Fatalf("Merge = %v, want %v", got, want)
			}
		}
	})
}

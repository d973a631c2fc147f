package verdict

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// vectorModel builds a model over named features, canonical token names
// (some past the bucket table), names that only look like tokens, and
// language context.
func vectorModel(t testing.TB, rng *rand.Rand, tokens int) *Model {
	t.Helper()
	set := map[string]bool{
		"feat:entropy": true, "feat:size": true, "ind:a": true, "ind:b": true, "yara:R": true,
		"lang:powershell": true, "lang:bash": true,
		"tok:0": true, "tok:00ff": true, "tok:ABC": true, "tok:": true, "tok:x1": true, "tok:0x10": true,
		"tok:fffff": true, "tok:100000": true, "tok:ffffffff": true, "tok:100000000": true,
	}
	for range tokens {
		set[TokenName(rng.Uint32N(1<<18))] = true
	}
	p := modelParams{bias: 0.3, platt: Platt{A: 1.1, B: -0.2}}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range set {
			if !yield(n) {
				return
			}
		}
	}) {
		p.features = append(p.features, name)
		p.weights = append(p.weights, rng.NormFloat64())
		p.means = append(p.means, rng.Float64()*0.2)
		p.scales = append(p.scales, 0.1+rng.Float64())
		p.lo = append(p.lo, 0)
		p.hi = append(p.hi, 1+rng.Float64()*5)
	}
	m, err := newModel(p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// randomVector draws a vector without repeated features, from the model's
// names and buckets and from unknown ones.
func randomVector(rng *rand.Rand, m *Model, n int) Vector {
	var v Vector
	seenName, seenTok := map[string]bool{}, map[uint32]bool{}
	for range n {
		switch k := rng.IntN(10); {
		case k < 6: // a token: often one the model knows
			var b uint32
			if name := m.features[rng.IntN(len(m.features))]; rng.IntN(2) == 0 {
				if x, err := strconv.ParseUint(name[min(len(name), len(TokenPrefix)):], 16, 32); err == nil {
					b = uint32(x)
				}
			} else {
				b = rng.Uint32()
				if rng.IntN(2) == 0 {
					b %= 1 << 18
				}
			}
			if !seenTok[b] && !seenName[TokenName(b)] {
				seenTok[b] = true
				v.Tokens = append(v.Tokens, b)
			}
		default: // a named feature, known or not, with any value
			name := m.features[rng.IntN(len(m.features))]
			if rng.IntN(3) == 0 {
				name = fmt.Sprintf("ind:unknown%d", rng.IntN(5))
			}
			val := []float64{1, 0, -3.5, 7, 0.25, math.NaN(), math.Inf(1)}[rng.IntN(7)]
			if b, ok := parseTokenName(name); (ok && seenTok[b]) || seenName[name] {
				continue
			}
			seenName[name] = true
			v.Named = append(v.Named, Feature{Name: name, Value: val})
		}
	}
	if rng.IntN(3) == 0 {
		v.Named = append(v.Named, Feature{Name: "lang:javascript", Value: 1}) // unknown context
	}
	return v
}

func sameResult(a, b Result) bool {
	same := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
	if a.Label != b.Label || !same(a.Score, b.Score) || !same(a.Evidence, b.Evidence) ||
		a.ActiveFeatures != b.ActiveFeatures || len(a.Contributions) != len(b.Contributions) {
		return false
	}
	for i, c := range a.Contributions {
		d := b.Contributions[i]
		if c.Feature != d.Feature || !same(c.Value, d.Value) || !same(c.Standardized, d.Standardized) ||
			!same(c.Weight, d.Weight) || !same(c.Contribution, d.Contribution) {
			return false
		}
	}
	return true
}

// TestPredictVectorMatchesPredict checks PredictVector(v) against
// Predict(v.Map()) bit for bit, with inputs small and large relative to the
// model (the sort and the bitmap ordering paths).
func TestPredictVectorMatchesPredict(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, tokens := range []int{0, 50, 3000, 30000} {
		m := vectorModel(t, rng, tokens)
		for i := range 400 {
			n := rng.IntN(2*len(m.features) + 10)
			if i%2 == 1 {
				n = rng.IntN(40)
			}
			v := randomVector(rng, m, n)
			l := []lang.Language{lang.PowerShell, lang.Bash, lang.JavaScript, lang.Unknown}[i%4]
			topK := i % 12
			want := m.Predict(v.Map(), l, Thresholds{}, topK)
			got := m.PredictVector(v, l, Thresholds{}, topK)
			if !sameResult(got, want) {
				t.Fatalf("model of %d features, vector of %d named + %d tokens, %s, top %d:\nPredictVector %+v\nPredict       %+v",
					len(m.features), len(v.Named), len(v.Tokens), l, topK, got, want)
			}
		}
	}
}

// TestPredictVectorRepeats: a repeated feature counts once, with its last
// non-zero value, on both ordering paths.
func TestPredictVectorRepeats(t *testing.T) {
	m := vectorModel(t, rand.New(rand.NewPCG(1, 1)), 30000)
	tok := m.features[slices.IndexFunc(m.features, func(n string) bool { _, ok := parseTokenName(n); return ok })]
	b, _ := parseTokenName(tok)
	for _, pad := range []int{0, 8000} { // sort path, bitmap path
		var filler []uint32
		for b := range uint32(pad) {
			filler = append(filler, b+1<<19) // unknown buckets
		}
		once := Vector{Named: []Feature{{"feat:size", 3}, {"ind:a", 1}}, Tokens: append([]uint32{b}, filler...)}
		twice := Vector{
			Named:  []Feature{{"feat:size", 2}, {"ind:a", 1}, {"feat:size", 3}, {"feat:size", 0}, {"ind:a", 1}, {tok, 1}},
			Tokens: append([]uint32{b, b}, filler...),
		}
		if got, want := m.PredictVector(twice, lang.Bash, Thresholds{}, 5), m.PredictVector(once, lang.Bash, Thresholds{}, 5); !sameResult(got, want) {
			t.Errorf("pad %d: repeated features: got %+v, want %+v", pad, got, want)
		}
	}
}

func TestParseTokenName(t *testing.T) {
	for _, b := range []uint32{0, 1, 0xf, 0x10, 0x3ffff, 0x40000, math.MaxUint32} {
		if got, ok := parseTokenName(TokenName(b)); !ok || got != b {
			t.Errorf("parseTokenName(%q) = %x, %v; want %x", TokenName(b), got, ok, b)
		}
	}
	for _, name := range []string{"", "tok:", "tok:00", "tok:0a", "tok:A", "tok:g", "tok:-1", "tok:+1", "tok:0x1", "tok:1_0", "tok:100000000", "tok: 1", "ind:1", "TOK:1"} {
		if b, ok := parseTokenName(name); ok {
			t.Errorf("parseTokenName(%q) = %x, want not a token name", name, b)
		}
	}
}

func FuzzParseTokenName(f *testing.F) {
	for _, s := range []string{"tok:0", "tok:1a2b", "tok:00", "tok:FF", "tok:ffffffff", "tok:100000000", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		b, ok := parseTokenName(name)
		if ok && TokenName(b) != name {
			t.Fatalf("parseTokenName(%q) = %x, the name of bucket %x is %q", name, b, b, TokenName(b))
		}
		if rest, cut := strings.CutPrefix(name, TokenPrefix); !ok && cut {
			if x, err := strconv.ParseUint(rest, 16, 32); err == nil && TokenName(uint32(x)) == name {
				t.Fatalf("parseTokenName(%q) rejects the name of bucket %x", name, x)
			}
		}
	})
}

// refTokenIndex is the token index as a plain table (bucket -> feature
// index, -1 if none), built the obvious way.
func refTokenIndex(names []string) []int32 {
	size := 0
	for _, n := range names {
		if b, ok := parseTokenName(n); ok && b < maxTokenTable {
			size = max(size, int(b)+1)
		}
	}
	t := make([]int32, size)
	for i := range t {
		t[i] = -1
	}
	for j, n := range names {
		if b, ok := parseTokenName(n); ok && b < maxTokenTable {
			t[b] = int32(j)
		}
	}
	return t
}

// checkTokenIndex checks newTokenIndex(names) against refTokenIndex, and
// that the names it reports in the table are those the table finds.
func checkTokenIndex(t *testing.T, names []string, want16 bool) {
	t.Helper()
	x, inTable := newTokenIndex(names)
	ref := refTokenIndex(names)
	if x.size() != len(ref) {
		t.Fatalf("token table of %d entries, want %d", x.size(), len(ref))
	}
	if (x.t16 != nil) != want16 || x.t16 != nil && x.t32 != nil {
		t.Fatalf("16-bit table %v, 32-bit table %v; want only the 16-bit one: %v", x.t16 != nil, x.t32 != nil, want16)
	}
	for b, j := range ref {
		if got := x.lookup(uint32(b)); got != j {
			t.Fatalf("lookup(%x) = %d, want %d", b, got, j)
		}
	}
	for _, b := range []uint32{uint32(len(ref)), maxTokenTable, math.MaxUint32} {
		if got := x.lookup(b); got != -1 {
			t.Fatalf("lookup(%x) past the table = %d, want -1", b, got)
		}
	}
	for j, name := range names {
		b, ok := parseTokenName(name)
		if want := ok && b < maxTokenTable; inTable(j) != want {
			t.Fatalf("inTable(%d) (%s) = %v, want %v", j, name, inTable(j), want)
		}
	}
}

func TestTokenIndex(t *testing.T) {
	m := vectorModel(t, rand.New(rand.NewPCG(5, 5)), 100)
	if m.tokens.size() != 0x100000 {
		t.Errorf("token table of %d entries, want %d (largest bucket below the cap + 1)", m.tokens.size(), 0x100000)
	}
	checkTokenIndex(t, m.features, true)
	for j, name := range m.features {
		if got, ok := m.lookup(name); !ok || got != int32(j) {
			t.Errorf("lookup(%q) = %d, %v; want %d", name, got, ok, j)
		}
	}
	for _, name := range []string{"tok:", "tok:00", "tok:fffff", "tok:100000", "feat:none"} {
		if j, ok := m.lookup(name); ok && m.features[j] != name {
			t.Errorf("lookup(%q) = %d (%s)", name, j, m.features[j])
		}
	}
	if x, _ := newTokenIndex([]string{"feat:x", "tok:00", "tok:100000"}); x.size() != 0 {
		t.Error("table for a model without table tokens, want none")
	}
	// Token features 65535 apart need the 32-bit table; 65534 apart fit
	// the 16-bit one.
	for _, spread := range []int{noToken, noToken - 1} {
		names := []string{"a", "tok:0", "tok:00"}
		for k := range spread - 2 {
			names = append(names, fmt.Sprintf("tok:0%06d", k)) // not token names
		}
		names = append(names, "tok:3", "tok:300000", "zz")
		slices.Sort(names)
		checkTokenIndex(t, names, spread < noToken)
	}
	checkTokenIndex(t, nil, false)
	checkTokenIndex(t, []string{"tok:ff"}, true)
}

// TestCollectNameAfterTokens: a feature named after it was collected as a
// token bucket takes the named value (the last one), and one named before
// it the token's, 1.
func TestCollectNameAfterTokens(t *testing.T) {
	m := vectorModel(t, rand.New(rand.NewPCG(2, 2)), 3000)
	var toks []string
	for _, n := range m.features {
		if _, ok := parseTokenName(n); ok {
			toks = append(toks, n)
		}
	}
	b0, _ := parseTokenName(toks[0])
	b1, _ := parseTokenName(toks[len(toks)/2])
	for _, topK := range []int{0, 3, 10} {
		var c collector
		m.collect(&c)
		c.named(toks[len(toks)/2], 2.5) // before: the token's 1 counts
		c.tokens([]uint32{b0, b1})
		c.named(toks[0], 4) // after: 4 counts
		c.named("feat:size", 3)
		logit, res, top := m.sum(&c, lang.Bash, topK)
		got := m.result(logit, res, top, Thresholds{})
		want := m.Predict(map[string]float64{toks[0]: 4, toks[len(toks)/2]: 1, "feat:size": 3}, lang.Bash, Thresholds{}, topK)
		if !sameResult(got, want) {
			t.Fatalf("top %d: got %+v, want %+v", topK, got, want)
		}
	}
}

package features

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/charset"
	"github.com/automaldesc/automaldesc/analysis/decode"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/analysis/yarascan"
	"github.com/automaldesc/automaldesc/internal/corpus"
)

// Differential tests: the tuned code against the reference implementations
// in reference_test.go, over fixtures, the dev corpus and fuzzing.

var equalFixtures = []string{
	"",
	"a",
	"ab",
	"/",
	"/s",
	" /s",
	"x/s",
	"shutdown /r /t 1",
	"copy\n/b a.jpg\r\n/B\t/x",
	"Get-Item -Force; $env:TEMP . _a $b.c",
	strings.Repeat("A", 40) + " " + strings.Repeat("b", 41) + " " + strings.Repeat("Z9", 64),
	"MiXeD CaSe WoRdS 0x1F \\x41\\x42 é ü \xff\xfe bytes",
	"'" + strings.Repeat("q", 31) + "' \"" + strings.Repeat("abcdefgh", 5) + "\"\n'unterminated " + strings.Repeat("z", 40),
	"72,101,108,108,111,32,119,111,114,108,100 , 33\n1,2,3,4,5,6,7\n1, 2, 3, 4, 5, 6, 7, 8",
	"# comment\n  // js\n<# ps #>\n:: batch\nREM x\n@rem y\n' vb\n* star\n\n\n",
	strings.Repeat("QUJD", 40) + "\n" + strings.Repeat("0a", 40) + "," + strings.Repeat("\\xff", 20),
}

var (
	devOnce   sync.Once
	devLayers [][]decode.Layer
)

// requireDev returns the layers of every dev corpus sample, decoded as the
// engine does (once per test binary).
func requireDev(t testing.TB) [][]decode.Layer {
	t.Helper()
	dir := filepath.Join(corpus.Require(t, corpus.Dev), "samples")
	devOnce.Do(func() { devLayers = decodeDir(dir) })
	if len(devLayers) == 0 {
		t.Fatal("no dev corpus samples decoded")
	}
	return devLayers
}

func decodeDir(dir string) [][]decode.Layer {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out [][]decode.Layer
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		text, _, err := charset.Decode(data)
		if err != nil {
			continue
		}
		l := lang.Identify(text, e.Name()).Language
		layers, _ := decode.Decode(context.Background(), text, l, decode.Options{
			Limits:   decode.DefaultLimits(len(text)),
			Identify: func(t string) lang.Language { return lang.Identify(t, "").Language },
		})
		if len(layers) == 0 {
			layers = []decode.Layer{{Parent: -1, Method: decode.MethodOriginal, Language: l, Text: text, Size: len(text)}}
		}
		out = append(out, layers)
	}
	return out
}

type tokenEvent struct {
	h          uint32
	start, end int
}

func tokenEvents(s string) []tokenEvent {
	var out []tokenEvent
	forEachToken(s, func(h uint32, start, end int) bool {
		out = append(out, tokenEvent{h, start, end})
		return true
	})
	return out
}

func refTokenEvents(s string) []tokenEvent {
	var out []tokenEvent
	refForEachToken(s, func(h uint32, start, end int) { out = append(out, tokenEvent{h, start, end}) })
	return out
}

// checkTokens compares tokenisation, TokenHashes and TokenTexts of layers
// with the references.
func checkTokens(t *testing.T, name string, layers []decode.Layer, rng *rand.Rand) {
	t.Helper()
	for i, l := range layers {
		if got, want := tokenEvents(l.Text), refTokenEvents(l.Text); !slices.Equal(got, want) {
			t.Fatalf("%s layer %d: forEachToken differs from the reference (%d vs %d tokens)", name, i, len(got), len(want))
		}
	}
	hashes := TokenHashes(layers)
	ref := refTokenHashes(layers)
	if !slices.Equal(hashes, ref) {
		t.Fatalf("%s: TokenHashes differs from the reference (%d vs %d buckets)", name, len(hashes), len(ref))
	}
	var sites TokenSites
	withSites := appendTokenHashes(nil, layers, &sites)
	slices.Sort(withSites)
	if !slices.Equal(withSites, ref) {
		t.Fatalf("%s: TokenHashes recording sites differs from the reference (%d vs %d buckets)", name, len(withSites), len(ref))
	}
	if again := TokenHashes(layers); !slices.Equal(again, ref) { // the set was emptied
		t.Fatalf("%s: TokenHashes after recording sites differs from the reference (%d vs %d buckets)", name, len(again), len(ref))
	}
	if len(sites.sites) != len(ref) {
		t.Fatalf("%s: %d token sites for %d buckets", name, len(sites.sites), len(ref))
	}
	// Token features of the sample (first, last, random), absent buckets,
	// bad names and other kinds of feature.
	feats := []string{"tok:", "tok:zz", "tok:-1", "tok:100000000", "ind:x", "feat:size", "tok:3ffff", "tok:40000"}
	if len(ref) > 0 {
		for _, k := range []int{0, len(ref) - 1, rng.IntN(len(ref)), rng.IntN(len(ref)), rng.IntN(len(ref))} {
			feats = append(feats, refTokenName(ref[k]), fmt.Sprintf("tok:%05x", ref[k]), fmt.Sprintf("tok:%X", ref[k]))
		}
	}
	for range 4 {
		feats = append(feats, refTokenName(rng.Uint32N(TokenBuckets)))
	}
	rng.Shuffle(len(feats), func(i, j int) { feats[i], feats[j] = feats[j], feats[i] })
	for k := 0; k < len(feats); k += 8 { // batches of a report's size
		batch := feats[k:min(k+8, len(feats))]
		got := TokenTexts(layers, batch)
		for i, f := range batch {
			want, ok := refTokenText(layers, f)
			if got[i] != want || ok != (want != "") {
				t.Fatalf("%s: TokenTexts(%q) = %q, reference %q (%v)", name, f, got[i], want, ok)
			}
			if one, oneOK := TokenText(layers, f); one != want || oneOK != ok {
				t.Fatalf("%s: TokenText(%q) = %q (%v), reference %q (%v)", name, f, one, oneOK, want, ok)
			}
		}
		for i, text := range sites.Texts(layers, batch) {
			if want, _ := refTokenText(layers, batch[i]); text != want {
				t.Fatalf("%s: TokenSites.Texts(%q) = %q, reference %q", name, batch[i], text, want)
			}
		}
		// Other layers than those of the sites: no failure.
		sites.Texts(layers[:len(layers)/2], batch)
		sites.Texts([]decode.Layer{{Text: "x"}}, batch)
	}
}

func fixtureLayers(s string) []decode.Layer {
	return []decode.Layer{
		{Parent: -1, Method: decode.MethodOriginal, Text: s, Size: len(s)},
		{Parent: 0, Method: "generic.base64", Text: strings.ToUpper(s), Size: len(s)},
		{Parent: 1, Method: "ps.gzip", Text: s + " tail /q", Size: len(s) + 8, Truncated: true},
	}
}

func TestTokensMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i, s := range equalFixtures {
		checkTokens(t, fmt.Sprintf("fixture %d", i), fixtureLayers(s), rng)
	}
	big := strings.Repeat("word /s Other_token ", scanLimit/20+100) // past scanLimit
	checkTokens(t, "past scanLimit", fixtureLayers(big), rng)
}

func TestTokensMatchReferenceDev(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i, layers := range requireDev(t) {
		checkTokens(t, fmt.Sprintf("dev sample %d", i), layers, rng)
	}
}

// modelInputs builds an Input of layers with the default catalog's hits and
// some YARA matches and IOCs, and checks ModelInput against the reference.
func checkModelInput(t *testing.T, name string, layers []decode.Layer, cat *indicators.Catalog) {
	t.Helper()
	in := Input{Layers: layers, Language: layers[0].Language}
	for _, l := range layers {
		in.Hits = append(in.Hits, cat.Scan(l.Text, l.Language, l.Index)...)
	}
	in.YARA = []yarascan.Match{{Rule: "R1", Severity: "high"}, {Rule: "R1", Namespace: "other"}, {Rule: "R2"}}
	in.IOCs = []ioc.IOC{{Type: ioc.URL}, {Type: ioc.IPv4}, {Type: ioc.IPv6}, {Type: ioc.Domain}, {Type: ioc.Email}}
	f := Extract(in)
	if want := refExtract(in); !maps.EqualFunc(f, want, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
		t.Fatalf("%s: Extract differs from the reference:\n got %v\nwant %v", name, f, want)
	}
	want := refModelInput(in, f)
	got := ModelInput(in, f)
	if !maps.EqualFunc(got, want, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
		t.Fatalf("%s: ModelInput differs from the reference (%d vs %d features)", name, len(got), len(want))
	}
	var v verdict.Vector
	sites := TokenSites{sites: make([]tokenSite, 3)} // not empty: reset first
	AppendModelVectorSites(&v, &sites, in, f)
	slices.Sort(v.Tokens)
	if !reflect.DeepEqual(v, ModelVector(in, f)) {
		t.Fatalf("%s: AppendModelVectorSites differs from ModelVector", name)
	}
	if len(sites.sites) != len(v.Tokens) {
		t.Fatalf("%s: %d token sites for %d buckets", name, len(sites.sites), len(v.Tokens))
	}
	// Names ModelVector makes for features outside the schema.
	f["extra_size"], f["size_extra"] = 3, 0
	if got, want := ModelInput(in, f), refModelInput(in, f); !maps.Equal(got, want) {
		t.Fatalf("%s: ModelInput with extra features differs from the reference", name)
	}
}

func TestModelInputMatchesReference(t *testing.T) {
	cat := indicators.Default()
	for i, s := range equalFixtures {
		checkModelInput(t, fmt.Sprintf("fixture %d", i), fixtureLayers(s), cat)
	}
	checkModelInput(t, "no layers", []decode.Layer{{Parent: -1}}, cat)
}

func TestModelInputMatchesReferenceDev(t *testing.T) {
	cat := indicators.Default()
	for i, layers := range requireDev(t) {
		checkModelInput(t, fmt.Sprintf("dev sample %d", i), layers, cat)
	}
}

func FuzzTokensMatchReference(f *testing.F) {
	for _, s := range equalFixtures {
		f.Add(s, uint64(0))
	}
	f.Fuzz(func(t *testing.T, s string, seed uint64) {
		checkTokens(t, "fuzz", fixtureLayers(s), rand.New(rand.NewPCG(seed, 5)))
	})
}

func checkStats(t *testing.T, name, text string) {
	t.Helper()
	for _, l := range []lang.Language{lang.Unknown, lang.PowerShell, lang.JavaScript, lang.VBScript, lang.Batch, lang.Bash, lang.Python} {
		got, want := textStats(text, l), refTextStats(text, l)
		if got != want { // every field, floats bit for bit (no NaN)
			t.Fatalf("%s (%s): textStats\n got %+v\nwant %+v", name, l, got, want)
		}
	}
	if got, want := charCodeRuns(text), refCharCodeRuns(text); got != want {
		t.Fatalf("%s: charCodeRuns = %d, reference %d", name, got, want)
	}
	if got, want := maxLiteralEntropy(text), refMaxLiteralEntropy(text); math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("%s: maxLiteralEntropy = %v, reference %v", name, got, want)
	}
}

func TestStatsMatchReference(t *testing.T) {
	for i, s := range equalFixtures {
		checkStats(t, fmt.Sprintf("fixture %d", i), s)
	}
}

// TestCharCodeRunsMatchReferenceRandom compares charCodeRuns with the
// reference on random texts over the few bytes that matter to it, where
// runs, long numbers and blanks before commas are frequent (a fuzzer's
// texts rarely hold eight numbers in a row).
func TestCharCodeRunsMatchReferenceRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const alphabet = "0123456789012345678901234567890123456789,,,,,,,,,,   \t\n\rx;"
	buf := make([]byte, 0, 256)
	for n := range 200000 {
		buf = buf[:0]
		for range rng.IntN(cap(buf)) {
			buf = append(buf, alphabet[rng.IntN(len(alphabet))])
		}
		text := string(buf)
		if got, want := charCodeRuns(text), refCharCodeRuns(text); got != want {
			t.Fatalf("text %d %q: charCodeRuns = %d, reference %d", n, text, got, want)
		}
	}
}

// TestLiteralsMatchReferenceRandom compares maxLiteralEntropy and
// textStats with the reference on random texts of quoted literals of about
// the 32 bytes that count, on lines of about the 34 bytes that can hold
// one, some unclosed.
func TestLiteralsMatchReferenceRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/ "
	var b strings.Builder
	for n := range 20000 {
		b.Reset()
		for range rng.IntN(12) {
			switch r := rng.IntN(10); {
			case r < 4:
				q := "\"'"[rng.IntN(2):][:1]
				b.WriteString(q)
				for range 28 + rng.IntN(10) {
					b.WriteByte(alphabet[rng.IntN(len(alphabet)-rng.IntN(60))])
				}
				if rng.IntN(4) > 0 {
					b.WriteString(q)
				}
			case r < 6:
				b.WriteByte('\n')
			default:
				for range rng.IntN(8) {
					b.WriteByte(alphabet[rng.IntN(len(alphabet))])
				}
			}
		}
		text := b.String()
		if got, want := maxLiteralEntropy(text), refMaxLiteralEntropy(text); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("text %d %q: maxLiteralEntropy = %v, reference %v", n, text, got, want)
		}
		if got, want := textStats(text, lang.Unknown), refTextStats(text, lang.Unknown); got != want {
			t.Fatalf("text %d %q: textStats\n got %+v\nwant %+v", n, text, got, want)
		}
	}
}

// TestCommentLineMatchesTrimSpace checks commentLine's shortcut against
// trimming every line, for every first byte after blanks in every language.
func TestCommentLineMatchesTrimSpace(t *testing.T) {
	suffixes := []string{"", " ", "x", "em x", "EM x", "rem x", "# x", "#", "/ x", "* x", ": x", "' x", "\u00a0x", "\u3000"}
	for l := lang.Unknown; l <= lang.Python; l++ {
		for c := range 256 {
			for _, lead := range []string{"", " \t", "\u00a0", "\u0085"} {
				for _, suffix := range suffixes {
					line := lead + string([]byte{byte(c)}) + suffix
					var want [2]int
					if tr := strings.TrimSpace(line); tr != "" {
						want[1] = 1
						if isComment(tr, l) {
							want[0] = 1
						}
					}
					if c, nb := commentLine(line, l); [2]int{c, nb} != want {
						t.Fatalf("%s: commentLine(%q) = %d, %d, want %v", l, line, c, nb, want)
					}
				}
			}
		}
	}
}

func TestStatsMatchReferenceDev(t *testing.T) {
	for i, layers := range requireDev(t) {
		for j, l := range layers {
			checkStats(t, fmt.Sprintf("dev sample %d layer %d", i, j), l.Text)
		}
	}
}

func FuzzStatsMatchReference(f *testing.F) {
	for _, s := range equalFixtures {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkStats(t, "fuzz", s) })
}

// TestLiteralEntropyMatchesHistogram: literalEntropy, which lists the
// values of a literal from marks, gives bit for bit histEntropy of the
// literal's histogram, for literals of every length up to 300 bytes over
// few and over all byte values.
func TestLiteralEntropyMatchesHistogram(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for n := 1; n <= 300; n++ {
		for _, alphabet := range []int{1, 2, 16, 64, 256} {
			b := make([]byte, n)
			base := r.IntN(256)
			for i := range b {
				b[i] = byte(base + r.IntN(alphabet))
			}
			var hist [256]int32
			for _, c := range b {
				hist[c]++
			}
			if got, want := literalEntropy(string(b)), histEntropy(&hist, n); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%q: literalEntropy = %v, histogram %v", b, got, want)
			}
		}
	}
}

// TestExtractHitsMatchReference: Extract counts indicators (once per id,
// by their first hit) and distinct techniques as the reference does, for
// few hits (searched) and many (a set past maxSearchedHits), with repeats.
func TestExtractHitsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cat := indicators.Default().Indicators()
	layers := fixtureLayers("IEX (New-Object Net.WebClient).DownloadString('http://x')")
	for n := range 3 * maxSearchedHits {
		in := Input{Layers: layers, Language: lang.PowerShell}
		for range n {
			ind := cat[r.IntN(min(len(cat), 24))]                                                              // few ids, so they repeat
			in.Hits = append(in.Hits, indicators.Hit{ID: ind.ID, Severity: indicators.Severity(r.IntN(8) - 1), // some unknown
				Tactic: ind.Tactic, Techniques: ind.Techniques, Layer: r.IntN(2)})
		}
		in.YARA = []yarascan.Match{{Rule: "R", Techniques: []string{"T1059.001", "T9999"}}}
		f, want := Extract(in), refExtract(in)
		if !maps.EqualFunc(f, want, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
			t.Fatalf("%d hits: Extract differs from the reference:\n got %v\nwant %v", n, f, want)
		}
	}
}

// rewrittenLayers returns layers as decoding makes them: s, s with
// s[i:j] replaced by t (the parent's common prefix and suffix skipped by
// changedTokens), and that with a second piece replaced.
func rewrittenLayers(s, t string, i, j int) []decode.Layer {
	i, j = min(i, len(s)), min(j, len(s))
	i, j = min(i, j), max(i, j)
	child := s[:i] + t + s[j:]
	k := len(child) / 3
	grand := child[:k] + "/" + child[k:]
	return []decode.Layer{
		{Parent: -1, Method: decode.MethodOriginal, Text: s, Size: len(s)},
		{Parent: 0, Method: "js.concat", Text: child, Size: len(child)},
		{Parent: 1, Method: "js.escape", Text: grand, Size: len(grand)},
		{Parent: 0, Method: "js.reverse", Text: t, Size: len(t)},
	}
}

// TestChangedTokensMatchReference: decoded layers that share a prefix and
// a suffix with their parent, cut at token edges, switch slashes and
// blanks, give the reference's tokens.
func TestChangedTokensMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pieces := []string{"", "a", "ab", "/", "/s", " ", " /x ", "Word", "x y", "\n", strings.Repeat("Q", 45), "é"}
	for _, s := range equalFixtures {
		for range 20 {
			piece := pieces[rng.IntN(len(pieces))] + pieces[rng.IntN(len(pieces))]
			i, j := rng.IntN(len(s)+1), rng.IntN(len(s)+1)
			checkTokens(t, fmt.Sprintf("%q [%d:%d] = %q", s, i, j, piece), rewrittenLayers(s, piece, i, j), rng)
		}
	}
	big := strings.Repeat("word /s Other_token ", scanLimit/20+100) // past scanLimit
	checkTokens(t, "past scanLimit", rewrittenLayers(big, "x /y z", 1000, 1010), rng)
	checkTokens(t, "past scanLimit, at the end", rewrittenLayers(big, "x /y z", scanLimit-3, scanLimit+7), rng)
}

func FuzzChangedTokensMatchReference(f *testing.F) {
	for i, s := range equalFixtures {
		f.Add(s, "x /y", uint16(i), uint16(2*i), uint64(i))
	}
	f.Fuzz(func(t *testing.T, s, piece string, i, j uint16, seed uint64) {
		checkTokens(t, "fuzz", rewrittenLayers(s, piece, int(i), int(j)), rand.New(rand.NewPCG(seed, 9)))
	})
}

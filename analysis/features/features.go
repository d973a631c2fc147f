package features

import (
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/automaldesc/automaldesc/analysis/decode"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/analysis/yarascan"
)

// Input is the evidence the features are computed from.
type Input struct {
	Layers   []decode.Layer // layer 0 is the original text
	Hits     []indicators.Hit
	YARA     []yarascan.Match
	IOCs     []ioc.IOC
	Language lang.Language
}

// Feature documents one entry of the schema.
type Feature struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// scanLimit bounds the bytes of one layer that statistics look at, so a
// 8 MiB script costs the same as a 256 KiB one.
const scanLimit = 256 << 10

// Extract computes the schema's features. Every name in Schema() is present
// in the result, so vectors from different languages line up.
func Extract(in Input) map[string]float64 {
	f := maps.Clone(zeroFeatures)
	if len(in.Layers) == 0 {
		return f
	}
	text := in.Layers[0].Text
	if len(text) > scanLimit {
		text = text[:scanLimit]
	}
	st := textStats(text, in.Language)
	f["size"] = float64(in.Layers[0].Size)
	f["lines"] = float64(st.lines)
	f["line_length_mean"] = st.meanLine
	f["line_length_max"] = float64(st.maxLine)
	f["entropy"] = st.entropy
	f["literal_entropy_max"] = st.maxLiteralEntropy
	f["alpha_ratio"] = st.ratio(st.alpha)
	f["digit_ratio"] = st.ratio(st.digit)
	f["upper_ratio"] = st.ratio(st.upper)
	f["whitespace_ratio"] = st.ratio(st.space)
	f["symbol_ratio"] = st.ratio(st.symbol)
	f["non_ascii_ratio"] = st.ratio(st.nonASCII)
	f["token_length_max"] = float64(st.longestToken)
	f["base64_blobs"] = float64(st.base64Blobs)
	f["hex_blobs"] = float64(st.hexBlobs)
	f["char_code_runs"] = float64(st.charCodeRuns)
	f["comment_ratio"] = st.commentRatio

	maxDepth, truncated, decoded := 0, 0, 0
	depth := make([]int, len(in.Layers))
	for i, l := range in.Layers {
		if i > 0 && l.Parent >= 0 && l.Parent < i {
			depth[i] = depth[l.Parent] + 1
		}
		if depth[i] > maxDepth {
			maxDepth = depth[i]
		}
		if l.Truncated {
			truncated++
		}
		if i > 0 {
			decoded += l.Size
		}
	}
	f["layers"] = float64(len(in.Layers) - 1)
	f["layer_depth_max"] = float64(maxDepth)
	f["layers_truncated"] = float64(truncated)
	if in.Layers[0].Size > 0 {
		f["decoded_ratio"] = float64(decoded) / float64(in.Layers[0].Size)
	}

	// The counts are kept in variables and set in f once, where each
	// increment of f cost a map assignment: a sample may have hundreds of
	// IOCs. A count left at 0 is f's already.
	var c struct {
		total, inDecoded, yara, yaraHigh, iocs, urls, ips, domains int
		severity                                                   [indicators.SeverityCritical + 1]int
	}
	// Each indicator counts once, at its first hit. A sample has a few
	// hits: the earlier ones are searched, and a set made only for many.
	var seen map[string]bool
	for i, h := range in.Hits {
		if i < maxSearchedHits {
			if slices.ContainsFunc(in.Hits[:i], func(p indicators.Hit) bool { return p.ID == h.ID }) {
				continue
			}
		} else {
			if seen == nil {
				seen = make(map[string]bool, len(in.Hits))
				for _, p := range in.Hits[:i] {
					seen[p.ID] = true
				}
			}
			if seen[h.ID] {
				continue
			}
			seen[h.ID] = true
		}
		c.total++
		if _, ok := severityFeature[h.Severity]; ok {
			c.severity[h.Severity]++
		}
		if name, ok := tacticFeature[h.Tactic]; ok {
			f[name]++
		}
		if h.Layer > 0 {
			c.inDecoded++
		}
	}
	for _, m := range in.YARA {
		c.yara++
		if s, err := indicators.ParseSeverity(m.Severity); err == nil && s >= indicators.SeverityHigh {
			c.yaraHigh++
		}
	}
	// The distinct techniques, counted in a sorted list (on the stack for
	// a typical sample) rather than a set.
	var techBuf [64]string
	techniques := techBuf[:0]
	for _, h := range in.Hits {
		techniques = append(techniques, h.Techniques...)
	}
	for _, m := range in.YARA {
		techniques = append(techniques, m.Techniques...)
	}
	slices.Sort(techniques)
	f["techniques"] = float64(len(slices.Compact(techniques)))
	for _, x := range in.IOCs {
		c.iocs++
		switch x.Type {
		case ioc.URL:
			c.urls++
		case ioc.IPv4, ioc.IPv6:
			c.ips++
		case ioc.Domain:
			c.domains++
		}
	}
	for _, kv := range [...]struct {
		name string
		n    int
	}{
		{"indicators_total", c.total}, {"indicators_in_decoded", c.inDecoded},
		{"yara_matches", c.yara}, {"yara_high", c.yaraHigh},
		{"iocs_total", c.iocs}, {"iocs_url", c.urls}, {"iocs_ip", c.ips}, {"iocs_domain", c.domains},
	} {
		if kv.n > 0 {
			f[kv.name] = float64(kv.n)
		}
	}
	for s, n := range c.severity {
		if n > 0 {
			f[severityFeature[indicators.Severity(s)]] = float64(n)
		}
	}
	f["obfuscation_score"] = obfuscationScore(f)
	return f
}

// maxSearchedHits is the number of hits past which Extract finds repeated
// indicators in a set rather than by searching the hits before.
const maxSearchedHits = 16

// zeroFeatures has every schema feature at 0: Extract starts from a copy,
// which costs less than adding the names one by one.
var zeroFeatures = func() map[string]float64 {
	f := make(map[string]float64, len(schema))
	for _, s := range schema {
		f[s.Name] = 0
	}
	return f
}()

var severityFeature = map[indicators.Severity]string{
	indicators.SeverityInfo:     "indicators_info",
	indicators.SeverityLow:      "indicators_low",
	indicators.SeverityMedium:   "indicators_medium",
	indicators.SeverityHigh:     "indicators_high",
	indicators.SeverityCritical: "indicators_critical",
}

// obfuscationScore folds the obfuscation-related statistics into 0..1.
// Each term saturates, so no single statistic decides.
func obfuscationScore(f map[string]float64) float64 {
	sat := func(x, half float64) float64 { return x / (x + half) }
	s := 0.25*sat(math.Max(0, f["literal_entropy_max"]-4.0), 0.8) +
		0.15*sat(f["line_length_max"]/1000, 1) +
		0.15*sat(f["base64_blobs"]+f["hex_blobs"], 1) +
		0.15*sat(f["char_code_runs"], 1) +
		0.15*sat(f["layers"], 1) +
		0.15*sat(math.Max(0, f["symbol_ratio"]-0.2), 0.1)
	return math.Round(s*1000) / 1000
}

// ModelInput turns the evidence and schema features into the sparse vector
// the verdict model reads:
//
//	feat:<name>    schema features (sizes and counts log-scaled)
//	ind:<id>       1 for each indicator that fired
//	yara:<rule>    1 for each YARA rule that matched
//	decode:<id>    1 for each decoder that produced a layer
//	lang:<name>    1 for the sample's language
//	tok:<hash>     1 for each hashed token unigram and bigram of every layer
//
// It is ModelVector(in, f).Map(); prediction takes ModelVector, which spares
// a name per token.
func ModelInput(in Input, f map[string]float64) map[string]float64 {
	return ModelVector(in, f).Map()
}

// ModelVector is ModelInput in the verdict model's compact form: the same
// features, the tokens as sorted bucket numbers (see TokenHashes).
func ModelVector(in Input, f map[string]float64) verdict.Vector {
	var v verdict.Vector
	AppendModelVector(&v, in, f)
	return v
}

// AppendModelVector is ModelVector appending the features to v.Named and
// the tokens to v.Tokens, which should both be empty: a caller that scores
// many samples reuses their arrays, about 4 KiB per sample.
func AppendModelVector(v *verdict.Vector, in Input, f map[string]float64) {
	appendModelVector(v, nil, in, f)
}

// AppendModelVectorSites is AppendModelVector that also records in sites
// where each token of v first occurs in in.Layers, so that sites.Texts can
// name the words behind a token contribution without walking the layers
// again. sites is reset first; its arrays are reused. Unlike
// AppendModelVector's, the tokens are in the order of their first sites,
// not sorted: listing them costs less, and the verdict model does not mind.
func AppendModelVectorSites(v *verdict.Vector, sites *TokenSites, in Input, f map[string]float64) {
	sites.Reset()
	appendModelVector(v, sites, in, f)
}

func appendModelVector(v *verdict.Vector, sites *TokenSites, in Input, f map[string]float64) {
	named := slices.Grow(v.Named, len(f)+len(in.Hits)+len(in.YARA)+len(in.Layers)+1)
	// Schema features first, in schema order and with their names made
	// once; then, sorted, any other names f has.
	known := 0
	for i, s := range schema {
		if v, ok := f[s.Name]; ok {
			if modelNames[i].logScaled {
				v = math.Log1p(v)
			}
			named = append(named, verdict.Feature{Name: modelNames[i].name, Value: v})
			known++
		}
	}
	if known < len(f) {
		var extra []string
		for name := range f {
			if _, ok := schemaIndex[name]; !ok {
				extra = append(extra, name)
			}
		}
		slices.Sort(extra)
		for _, name := range extra {
			v := f[name]
			if logScaled[name] {
				v = math.Log1p(v)
			}
			named = append(named, verdict.Feature{Name: "feat:" + name, Value: v})
		}
	}
	// The evidence features (value 1) get their names from one string,
	// built to size: one allocation.
	size := 0
	evidenceNames(in, func(prefix, name string) { size += len(prefix) + len(name) })
	var sb strings.Builder
	sb.Grow(size)
	evidenceNames(in, func(prefix, name string) {
		sb.WriteString(prefix)
		sb.WriteString(name)
	})
	names := sb.String()
	evidenceNames(in, func(prefix, name string) {
		n := len(prefix) + len(name)
		named = append(named, verdict.Feature{Name: names[:n], Value: 1})
		names = names[n:]
	})
	v.Named, v.Tokens = named, appendTokenHashes(v.Tokens, in.Layers, sites)
}

// evidenceNames calls yield with the prefix and name of each evidence
// feature of in, in a fixed order.
func evidenceNames(in Input, yield func(prefix, name string)) {
	for _, h := range in.Hits {
		yield("ind:", h.ID)
	}
	for _, m := range in.YARA {
		yield("yara:", m.Rule)
	}
	for _, l := range in.Layers[min(1, len(in.Layers)):] {
		yield("decode:", l.Method)
	}
	yield(verdict.LangPrefix, in.Language.String())
}

var logScaled = map[string]bool{
	"size": true, "lines": true, "line_length_mean": true, "line_length_max": true,
	"token_length_max": true, "base64_blobs": true, "hex_blobs": true, "char_code_runs": true,
	"layers": true, "decoded_ratio": true, "indicators_total": true, "iocs_total": true,
	"iocs_url": true, "iocs_ip": true, "iocs_domain": true, "yara_matches": true,
}

// modelNames[i] is the model feature of schema[i]; schemaIndex finds a
// schema feature by name.
var (
	modelNames  = buildModelNames()
	schemaIndex = buildSchemaIndex()
)

type modelName struct {
	name      string // "feat:<name>"
	logScaled bool
}

func buildModelNames() []modelName {
	out := make([]modelName, len(schema))
	for i, s := range schema {
		out[i] = modelName{name: "feat:" + s.Name, logScaled: logScaled[s.Name]}
	}
	return out
}

func buildSchemaIndex() map[string]int {
	m := make(map[string]int, len(schema))
	for i, s := range schema {
		m[s.Name] = i
	}
	return m
}

// TokenBuckets is the size of the token hashing space.
const TokenBuckets = 1 << 18

// tokenSet is a set of token buckets: a bitset over the buckets, and a
// summary with one bit per word of it that is not zero, so that listing a
// sample's few hundred buckets reads a few hundred words, not all 4096.
// The summary is only made to drain the set (see addSummary): the sites of
// the buckets list them too.
type tokenSet struct {
	words   [TokenBuckets / 64]uint64
	summary [TokenBuckets / 64 / 64]uint64
	sites   TokenSites // scratch for a caller that keeps none
}

// add adds bucket b and returns 1 when it is new to the set, else 0.
func (t *tokenSet) add(b uint32) int {
	w := &t.words[b>>6]
	old := *w
	*w = old | 1<<(b&63)
	return int(old>>(b&63)&1 ^ 1)
}

// addSummary sets the summary bits of the buckets of sites.
func (t *tokenSet) addSummary(sites []tokenSite) {
	for _, site := range sites {
		b := site.bucket()
		t.summary[b>>12] |= 1 << (b >> 6 & 63)
	}
}

// drain appends the buckets in the set to out, sorted, and empties the set.
// The summary must be made.
func (t *tokenSet) drain(out []uint32) []uint32 {
	n := 0
	for si, sw := range t.summary {
		for ; sw != 0; sw &= sw - 1 {
			n += bits.OnesCount64(t.words[si<<6|bits.TrailingZeros64(sw)])
		}
	}
	out = slices.Grow(out, n)
	for si, sw := range t.summary {
		t.summary[si] = 0
		for ; sw != 0; sw &= sw - 1 {
			wi := si<<6 | bits.TrailingZeros64(sw)
			for w := t.words[wi]; w != 0; w &= w - 1 {
				out = append(out, uint32(wi<<6|bits.TrailingZeros64(w)))
			}
			t.words[wi] = 0
		}
	}
	return out
}

// tokenSets recycles the sets of TokenHashes (33 KiB each), which are
// empty when put back.
var tokenSets = sync.Pool{New: func() any { return new(tokenSet) }}

// maxPooledSites bounds the site array a pooled tokenSet keeps (16 bytes a
// distinct bucket; a typical sample has a few hundred).
const maxPooledSites = 16 << 10

// TokenHashes returns the distinct hashed lower-cased identifier unigrams
// and bigrams of the layers' texts (at most scanLimit bytes of each), sorted.
func TokenHashes(layers []decode.Layer) []uint32 {
	return appendTokenHashes(nil, layers, nil)
}

// appendTokenHashes appends TokenHashes(layers) to dst. With sites not nil
// (and empty), it records there the first site of each bucket, and appends
// the buckets in the order of their sites.
func appendTokenHashes(dst []uint32, layers []decode.Layer, sites *TokenSites) []uint32 {
	set := tokenSets.Get().(*tokenSet)
	own := sites == nil
	if own {
		sites = &set.sites
	}
	for i, l := range layers {
		text := capText(l.Text)
		from, stop := 0, len(text)+1
		if i > 0 && l.Parent >= 0 && l.Parent < i {
			from, stop = changedTokens(text, capText(layers[l.Parent].Text))
		}
		sites.layerStarts = append(sites.layerStarts, int32(len(sites.sites)))
		sites.sites = set.addTokens(text, from, stop, sites.sites)
	}
	if own {
		set.addSummary(sites.sites)
		dst = set.drain(dst)
		if cap(sites.sites) > maxPooledSites {
			sites.sites = nil
		}
		sites.Reset()
	} else {
		// The sites name every bucket of the set once: list them from
		// there, and empty the set word by word.
		dst = slices.Grow(dst, len(sites.sites))
		for _, site := range sites.sites {
			b := site.bucket()
			dst = append(dst, b)
			set.words[b>>6] = 0
		}
	}
	tokenSets.Put(set)
	return dst
}

// capText is the part of a layer's text that the token features and the
// statistics read.
func capText(s string) string {
	if len(s) > scanLimit {
		return s[:scanLimit]
	}
	return s
}

// changedTokens returns where, in the text of a decoded layer, the tokens
// that may add unigrams or bigrams to those of its parent's text are, for
// addTokens: from the token at from, up to the first token (of two bytes
// or more) whose identifier bytes start at or after stop, included.
//
// Most decoded layers are their parent with a few pieces rewritten (a
// concatenation joined, character codes turned into their string): the
// tokens of their common prefix and suffix are the parent's, and so are
// the bigrams between them, all in the set already, as the parent comes
// first in the layers. A token is the parent's when its bytes, the byte
// after it (the end of its run) and the two before it (the run's start and
// a switch slash, see isSwitchSlash) are in the common part. Tokenising
// restarts at the last token of two bytes or more before the part of the
// text that differs, which gives the bigram of the next one; and the first
// such token of the common suffix is still added, for the bigram it ends.
func changedTokens(text, parent string) (from, stop int) {
	n := min(len(text), len(parent))
	p := commonPrefix(text[:n], parent[:n])
	s := commonSuffix(text[len(text)-(n-p):], parent[len(parent)-(n-p):])
	// Back from the first byte that differs, or that ends a run there:
	// first out of the run that holds or ends at p, if any, then over the
	// runs before until one is a token that counts. Its run ends in the
	// prefix (at the blank, or other byte, before the run skipped first).
	from = p
	for from > 0 && identLower[text[from-1]] != 0 {
		from--
	}
	for from > 0 {
		for from > 0 && identLower[text[from-1]] == 0 {
			from--
		}
		end := from
		for from > 0 && identLower[text[from-1]] != 0 {
			from--
		}
		start := from
		if isSwitchSlash(text, start-1) {
			start--
		}
		if end-start >= 2 {
			break
		}
	}
	return from, len(text) - s + 2
}

// commonPrefix returns the length of the longest common prefix of a and b,
// which are as long: compared 64 bytes at a time (a memory compare) up to
// the block that differs.
func commonPrefix(a, b string) int {
	k := 0
	for k+64 <= len(a) && a[k:k+64] == b[k:k+64] {
		k += 64
	}
	for k < len(a) && a[k] == b[k] {
		k++
	}
	return k
}

// commonSuffix returns the length of the longest common suffix of a and b,
// which are as long.
func commonSuffix(a, b string) int {
	k := len(a)
	for k >= 64 && a[k-64:k] == b[k-64:k] {
		k -= 64
	}
	for k > 0 && a[k-1] == b[k-1] {
		k--
	}
	return len(a) - k
}

// addTokens adds the unigrams and bigrams of text's tokens to t, and
// appends to sites where each bucket new to t is: the first site of a
// bucket in the layers. It starts at the token whose identifier bytes
// start at from, or the first one after, and stops after the first token
// that counts whose identifier bytes start at stop or later (see
// changedTokens; 0 and len(s)+1 take every token). It is forEachToken with
// the work written in, as the call of a closure per token cost more than
// the work. The sites are written without a branch on whether a bucket is
// new, which would be mispredicted on about every third token: every
// bucket is written at the end of the array, which only grows when the
// bucket is new.
func (t *tokenSet) addTokens(s string, from, stop int, sites []tokenSite) []tokenSite {
	const offset, prime = 2166136261, 16777619
	n := len(sites)
	buf := sites[:cap(sites)]
	var prev uint32
	var prevCur uint64 // the previous token's site half (see below), 0 before the first
	for i := from; i < len(s); {
		for i < len(s) && identLower[s[i]] == 0 {
			i++
		}
		if i == len(s) {
			break
		}
		runStart := i
		start, h := i, uint32(offset)
		if isSwitchSlash(s, i-1) {
			start, h = i-1, (h^'/')*prime
		}
		// Hash while the token may stay within 40 bytes; past that only
		// its length counts, and the rest of it is skipped.
		for end := min(len(s), start+41); i < end; i++ {
			lc := identLower[s[i]]
			if lc == 0 {
				break
			}
			h = (h ^ uint32(lc)) * prime
		}
		if i-start > 40 {
			for i < len(s) && identLower[s[i]] != 0 {
				i++
			}
		}
		size := i - start
		if size < 2 {
			continue
		}
		if size > 40 {
			h = uint32(offset^size/64) * prime
		}
		if len(buf)-n < 2 {
			buf = slices.Grow(buf[:n], 2)
			buf = buf[:cap(buf)]
		}
		// The token's half of its sites: where it is, and for the
		// bigram it ends, where the token before it is.
		cur := uint64(start) | uint64(min(size, maxTokenText+1))<<32
		uni := h % TokenBuckets
		buf[n] = tokenSite{cur: cur, prev: uint64(uni) << 40}
		n += t.add(uni)
		if prevCur != 0 {
			bi := bigram(prev, h)
			buf[n] = tokenSite{cur: cur, prev: prevCur | uint64(bi)<<40}
			n += t.add(bi)
		}
		prev, prevCur = h, cur
		if runStart >= stop {
			break
		}
	}
	return buf[:n]
}

func bigram(a, b uint32) uint32 { return (a*16777619 ^ b ^ 0x9e3779b9) % TokenBuckets }

// maxTokenText is the length past which a token's text is cut (and
// "..." added) for a report.
const maxTokenText = 60

// tokenSite is where a token bucket occurs, in 16 bytes: cur is the start
// of the token (low 32 bits) and its size in bytes (the next 8), and prev
// the same of the token before it for a bigram, 0 for a unigram (a token
// has two bytes at least), with the bucket in its high 24 bits. Sizes are
// cut at maxTokenText+1, which gives the same cut text.
type tokenSite struct {
	cur, prev uint64
}

func (s tokenSite) bucket() uint32 { return uint32(s.prev >> 40) }

// text returns the site's words in text, cut for a report, or "" when
// text is too short to be the one the site is in.
func (s tokenSite) text(text string) string {
	word := func(x uint64) string {
		start := int(uint32(x))
		end := start + int(uint8(x>>32))
		if end > len(text) {
			return ""
		}
		return text[start:end]
	}
	t := word(s.cur)
	if t == "" {
		return ""
	}
	if uint8(s.prev>>32) != 0 {
		prev := word(s.prev)
		if prev == "" {
			return ""
		}
		t = prev + " " + t
	}
	if len(t) > maxTokenText {
		t = t[:maxTokenText] + "..."
	}
	return t
}

// TokenSites records the first site in the layers of each token bucket of a
// model vector (see AppendModelVectorSites). The zero value is empty.
type TokenSites struct {
	sites       []tokenSite // in the order the layers were walked
	layerStarts []int32     // sites[layerStarts[i]:] are in layer i or later
}

// Reset empties s, keeping its arrays.
func (s *TokenSites) Reset() {
	s.sites, s.layerStarts = s.sites[:0], s.layerStarts[:0]
}

// Texts is TokenTexts(layers, features) for the layers s was recorded
// from, without walking their texts: it reads the sites, one per distinct
// bucket, until every token is found. Given other layers, it returns
// wrong texts, or none, but does not fail.
func (s *TokenSites) Texts(layers []decode.Layer, features []string) []string {
	texts := make([]string, len(features))
	var wantBuf [16]int64 // a report's few contributions: no allocation
	want := wantBuf[:0]
	if len(features) > len(wantBuf) {
		want = make([]int64, 0, len(features))
	}
	want = want[:len(features)] // bucket, or -1 when done
	var maybe [64]uint64        // see TokenTexts
	pending := 0
	for i, feature := range features {
		want[i] = -1
		if hexPart, ok := strings.CutPrefix(feature, verdict.TokenPrefix); ok {
			if b, err := strconv.ParseUint(hexPart, 16, 32); err == nil {
				want[i] = int64(b)
				maybe[b>>6&63] |= 1 << (b & 63)
				pending++
			}
		}
	}
	layer := 0
	for k := 0; k < len(s.sites) && pending > 0; k++ {
		site := s.sites[k]
		if b := site.bucket(); maybe[b>>6&63]>>(b&63)&1 == 0 {
			continue
		}
		for layer+1 < len(s.layerStarts) && int(s.layerStarts[layer+1]) <= k {
			layer++
		}
		if layer >= len(layers) {
			break // not the layers s was recorded from
		}
		for i, w := range want {
			if w == int64(site.bucket()) {
				texts[i] = site.text(layers[layer].Text)
				want[i] = -1
				pending--
			}
		}
	}
	return texts
}

// TokenText finds the text behind a "tok:<hex>" model feature in the layers:
// the first unigram or bigram whose hash is that bucket. It lets a report
// show which words a token contribution stands for.
func TokenText(layers []decode.Layer, feature string) (string, bool) {
	text := TokenTexts(layers, []string{feature})[0]
	return text, text != ""
}

// TokenTexts is TokenText for several features in one pass over the
// layers, which stops once every token is found: texts[i] is the text of
// features[i], "" when it is not a token feature or not found.
func TokenTexts(layers []decode.Layer, features []string) (texts []string) {
	texts = make([]string, len(features))
	want := make([]int64, len(features)) // bucket, or -1 when done
	// maybe has the bits (bucket mod its size) of the wanted buckets: most
	// tokens are none of them, and one bit test tells so, where comparing
	// with every wanted bucket would cost more than hashing the token.
	var maybe [64]uint64
	pending := 0
	for i, feature := range features {
		want[i] = -1
		if hexPart, ok := strings.CutPrefix(feature, verdict.TokenPrefix); ok {
			if b, err := strconv.ParseUint(hexPart, 16, 32); err == nil {
				want[i] = int64(b)
				maybe[b>>6&63] |= 1 << (b & 63)
				pending++
			}
		}
	}
	mayWant := func(b int64) bool { return maybe[b>>6&63]>>(b&63)&1 != 0 }
	for _, l := range layers {
		if pending == 0 {
			break
		}
		text := l.Text
		if len(text) > scanLimit {
			text = text[:scanLimit]
		}
		var prev uint32
		prevStart, prevEnd := -1, -1
		forEachToken(text, func(h uint32, start, end int) bool {
			uni := int64(h % TokenBuckets)
			bi := int64(-2) // no bigram at the first token of a layer
			if prevStart >= 0 {
				bi = int64(bigram(prev, h))
			}
			if !mayWant(uni) && (bi < 0 || !mayWant(bi)) {
				prev, prevStart, prevEnd = h, start, end
				return true
			}
			for i, w := range want {
				// Per feature, the first token of the first layer where it
				// occurs; a unigram before a bigram ending at the same token.
				switch {
				case w < 0:
					continue
				case w == uni:
					texts[i] = text[start:end]
				case w == bi:
					texts[i] = text[prevStart:prevEnd] + " " + text[start:end]
				default:
					continue
				}
				if len(texts[i]) > maxTokenText {
					texts[i] = texts[i][:maxTokenText] + "..."
				}
				want[i] = -1
				pending--
			}
			prev, prevStart, prevEnd = h, start, end
			return pending > 0
		})
	}
	return texts
}

// forEachToken calls fn with the FNV-1a hash of each lower-cased token of
// 2..40 identifier characters (letters, digits, _ - $ .), until fn returns
// false. Longer runs are hashed as their length class, so random blobs do
// not flood the space. A '/' that starts a word (after a blank or at the
// start of the text) stays on the token: Windows command-line switches
// ("/s", "/b", "/t") are most of the vocabulary of one-line batch commands,
// and "-s" already is a token.
func forEachToken(s string, fn func(h uint32, start, end int) bool) {
	const offset, prime = 2166136261, 16777619
	for i := 0; i < len(s); {
		for i < len(s) && identLower[s[i]] == 0 {
			i++
		}
		if i == len(s) {
			return
		}
		start, h := i, uint32(offset)
		if isSwitchSlash(s, i-1) { // "/s": a command-line switch
			start, h = i-1, (h^'/')*prime
		}
		// Hash while the token may stay within 40 bytes; past that only
		// its length counts, and the rest of it is skipped.
		for i < len(s) {
			lc := identLower[s[i]]
			if lc == 0 {
				break
			}
			h = (h ^ uint32(lc)) * prime
			if i++; i-start > 40 {
				for i < len(s) && identLower[s[i]] != 0 {
					i++
				}
				break
			}
		}
		var ok bool
		switch n := i - start; {
		case n < 2:
			continue
		case n > 40:
			ok = fn(uint32(offset^n/64)*prime, start, i)
		default:
			ok = fn(h, start, i)
		}
		if !ok {
			return
		}
	}
}

// identLower maps the identifier bytes of forEachToken to their ASCII lower
// case, every other byte to 0.
var identLower = func() (t [256]byte) {
	for c := range 256 {
		b := byte(c)
		switch {
		case 'A' <= b && b <= 'Z':
			t[c] = b + 'a' - 'A'
		case b == '_' || b == '-' || b == '$' || b == '.' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9':
			t[c] = b
		}
	}
	return t
}()

// isSwitchSlash reports whether s[i] is a '/' at the start of a word.
func isSwitchSlash(s string, i int) bool {
	if i < 0 || s[i] != '/' {
		return false
	}
	return i == 0 || s[i-1] == ' ' || s[i-1] == '\t' || s[i-1] == '\n' || s[i-1] == '\r'
}

// hasPrefixFold reports whether s starts with prefix, ASCII case-insensitively.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

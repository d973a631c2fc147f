package decode

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// Span is a half-open byte range [Start, End) in the parent layer's text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Layer is one decoded view of the sample. Layer 0 is the original text.
type Layer struct {
	Index     int           `json:"index"`
	Parent    int           `json:"parent"` // -1 for layer 0
	Method    string        `json:"method"` // decoder id ("a+b" for a rewrite pass), "original" for layer 0
	Span      Span          `json:"span"`
	Language  lang.Language `json:"language"`
	Text      string        `json:"text"`
	Size      int           `json:"size"` // decoded bytes represented (len(Text), or the binary size of a note-only layer)
	Truncated bool          `json:"truncated,omitempty"`
	Note      string        `json:"note,omitempty"`
}

// MethodOriginal is the Method of layer 0.
const MethodOriginal = "original"

// Limits bound the work Decode does on one sample. A zero field takes the
// value DefaultLimits gives for the input size.
type Limits struct {
	MaxDepth      int // layers deeper than this are not created; the cut layer is marked Truncated
	MaxTotalBytes int // sum of the text of all decoded layers (layer 0 excluded)
	MaxLayers     int // number of layers, layer 0 included
	MaxLayerBytes int // bytes of one decoded layer (also caps every decompression)
}

// The bounds DefaultLimits works with.
const (
	defaultDepth     = 8
	defaultMaxLayers = 256
	minBudget        = 1 << 20
	maxTotalCap      = 64 << 20
	maxLayerCap      = 16 << 20
)

// DefaultLimits returns the limits for an input of inputSize bytes: depth 8,
// 256 layers, total decoded bytes 16x the input (at least 1 MiB, at most
// 64 MiB) and one layer at most 8x the input (at least 1 MiB, at most 16 MiB).
func DefaultLimits(inputSize int) Limits {
	if inputSize < 0 {
		inputSize = 0
	}
	total := clamp(16*inputSize, minBudget, maxTotalCap)
	layer := clamp(8*inputSize, minBudget, maxLayerCap)
	if layer > total {
		layer = total
	}
	return Limits{MaxDepth: defaultDepth, MaxTotalBytes: total, MaxLayers: defaultMaxLayers, MaxLayerBytes: layer}
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// Options configure Decode.
type Options struct {
	Limits Limits
	// Identify names the language of a decoded layer whose decoder does not
	// know its output language. Nil, or a result of lang.Unknown, means the
	// layer inherits its parent's language. It must be safe for concurrent use
	// when Decode is.
	Identify func(text string) lang.Language
}

func (o Options) limits(n int) Limits {
	d := DefaultLimits(n)
	l := o.Limits
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxLayers <= 0 {
		l.MaxLayers = d.MaxLayers
	}
	if l.MaxLayerBytes <= 0 {
		l.MaxLayerBytes = d.MaxLayerBytes
	}
	return l
}

// Decode peels the layers off text, whose language is l. It returns layer 0
// (the original) followed by every decoded layer in breadth-first order.
// When ctx ends it returns the layers decoded so far and ctx.Err().
func Decode(ctx context.Context, text string, l lang.Language, opt Options) ([]Layer, error) {
	lim := opt.limits(len(text))
	layers := []Layer{{Index: 0, Parent: -1, Method: MethodOriginal, Span: Span{0, len(text)}, Language: l, Text: text, Size: len(text)}}
	depth := []int{0}
	// memo[i] is the scan the rewrite pass left of layer i's text, when
	// layer i is that pass's result (see result.scan).
	memo := []*scan{nil}
	var seen textSet
	seen.add(text)
	noteSeen := map[string]struct{}{}
	total := 0
	for i := 0; i < len(layers); i++ {
		if err := ctx.Err(); err != nil {
			return layers, err
		}
		if layers[i].Text == "" {
			continue
		}
		found, err := run(ctx, layers[i].Text, layers[i].Language, lim.MaxLayerBytes, memo[i])
		memo[i] = nil
		if err != nil {
			return layers, err
		}
		found = fresh(found, &seen)
		if len(found) == 0 {
			continue
		}
		if depth[i] >= lim.MaxDepth {
			mark(&layers[i], fmt.Sprintf("depth limit %d reached: %d decodable span(s) not expanded", lim.MaxDepth, len(found)))
			continue
		}
		for k, f := range found {
			if f.text == "" {
				key := strconv.Itoa(i) + ":" + strconv.Itoa(f.span.Start) + ":" + strconv.Itoa(f.span.End)
				if _, dup := noteSeen[key]; dup {
					continue
				}
				noteSeen[key] = struct{}{}
			} else if seen.has(f.text) {
				f.dropScan()
				continue
			}
			if len(layers) >= lim.MaxLayers {
				mark(&layers[i], fmt.Sprintf("layer limit %d reached: %d decoded span(s) dropped", lim.MaxLayers, len(found)-k))
				return layers, nil
			}
			if total >= lim.MaxTotalBytes && f.text != "" {
				mark(&layers[i], fmt.Sprintf("total decoded-bytes limit %d reached: %d decoded span(s) dropped", lim.MaxTotalBytes, len(found)-k))
				return layers, nil
			}
			nl := Layer{
				Index:     len(layers),
				Parent:    i,
				Method:    f.method,
				Span:      f.span,
				Text:      f.text,
				Size:      f.size,
				Truncated: f.truncated,
				Note:      f.note,
			}
			if nl.Size < len(nl.Text) {
				nl.Size = len(nl.Text)
			}
			if rest := lim.MaxTotalBytes - total; len(nl.Text) > rest {
				nl.Text = cutUTF8(nl.Text, rest)
				nl.Size = len(nl.Text)
				nl.Truncated = true
				nl.Note = joinNote(nl.Note, fmt.Sprintf("cut at the total decoded-bytes limit %d", lim.MaxTotalBytes))
			}
			nl.Language = pickLanguage(f.lang, nl.Text, layers[i].Language, opt.Identify)
			total += len(nl.Text)
			if nl.Text != "" {
				seen.add(nl.Text)
			}
			var m *scan
			if f.scan != nil && f.scan.text == nl.Text && f.scan.lang == nl.Language {
				m = f.scan
			} else {
				f.dropScan()
			}
			layers = append(layers, nl)
			depth = append(depth, depth[i]+1)
			memo = append(memo, m)
		}
	}
	return layers, nil
}

// fresh drops results whose text is already a layer or repeats an earlier
// result of the same batch.
func fresh(found []result, seen *textSet) []result {
	out := found[:0]
	var batch textSet
	for _, f := range found {
		if f.text != "" {
			if seen.has(f.text) || batch.has(f.text) {
				f.dropScan()
				continue
			}
			batch.add(f.text)
		}
		out = append(out, f)
	}
	return out
}

// textSet is a set of texts for the duplicate checks, which a
// map[string] made hash every decoded text in full up to four times. Most
// sets hold a text or two (the layers of a sample, the results of a
// batch): the first few are kept in place and compared directly, at most
// textSetInline comparisons that stop at the first differing byte. Beyond
// them it files texts by length and hashes them only to tell apart texts
// of the same length, each at most once as a member. A zero textSet is
// empty.
type textSet struct {
	first [textSetInline]string
	n     int // texts added
	byLen map[int][]setText
}

// textSetInline is how many texts a textSet keeps in place.
const textSetInline = 4

type setText struct {
	text   string
	hash   uint64
	hashed bool
}

// textSeed seeds the hashes of textSet: random, so that crafted texts
// cannot make them collide.
var textSeed = maphash.MakeSeed()

// has reports whether t is in the set.
func (s *textSet) has(t string) bool {
	for _, x := range s.first[:min(s.n, textSetInline)] {
		if x == t {
			return true
		}
	}
	same := s.byLen[len(t)]
	if len(same) == 0 {
		return false
	}
	h := maphash.String(textSeed, t)
	for i := range same {
		e := &same[i]
		if !e.hashed {
			e.hash, e.hashed = maphash.String(textSeed, e.text), true
		}
		if e.hash == h && e.text == t {
			return true
		}
	}
	return false
}

// add puts t in the set.
func (s *textSet) add(t string) {
	if s.n < textSetInline {
		s.first[s.n] = t
		s.n++
		return
	}
	s.n++
	if s.byLen == nil {
		s.byLen = map[int][]setText{}
	}
	s.byLen[len(t)] = append(s.byLen[len(t)], setText{text: t})
}

func pickLanguage(known lang.Language, text string, parent lang.Language, identify func(string) lang.Language) lang.Language {
	if known != lang.Unknown {
		return known
	}
	if identify != nil && text != "" {
		if l := identify(text); l != lang.Unknown {
			return l
		}
	}
	return parent
}

func mark(l *Layer, note string) {
	l.Truncated = true
	l.Note = joinNote(l.Note, note)
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// cutUTF8 returns the longest prefix of s of at most n bytes that does not
// split a UTF-8 sequence.
func cutUTF8(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for i := n; i > 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i]
		}
	}
	return s[:n]
}

// result is one decoded span, ready to become a layer.
type result struct {
	finding
	method string
	// scan is set on the rewrite pass's result: the scan of its text,
	// which the layer made of it reuses (lower-cased text, literals). Its
	// fixed field tells that no rewriter changes the text any more.
	scan *scan
}

// run applies every decoder that handles language l to text: the
// extractors one by one, then all rewriters as one pass. prior, when not
// nil, is a scan of the same text in the same language with the same max.
func run(ctx context.Context, text string, l lang.Language, maxOut int, prior *scan) ([]result, error) {
	s := prior
	if s == nil {
		s = newScan(text, l, maxOut)
	}
	// The layer's scan ends here: the results hold strings only, and the
	// rewrite pass's result carries a scan of its own.
	defer s.release()
	ht := hintTableOf(l)
	var out []result
	for i := range registry {
		d := &registry[i]
		if d.extract == nil || !d.handles(l) || !ht.runs(i, &s.hints) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		for _, f := range d.extract(s) {
			if f.lang == lang.Unknown {
				f.lang = d.Output
			}
			out = append(out, result{finding: f, method: d.ID})
		}
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}
	if s.fixed {
		// The text is a rewrite pass's fixed point in this language: the
		// rewriters, deterministic functions of the text and max, would
		// all leave it unchanged again.
		return out, ctx.Err()
	}
	if r, ok := rewritePass(ctx, s, ht); ok {
		out = append(out, r)
	}
	return out, ctx.Err()
}

// maxRounds bounds the rewrite pass; each round runs every rewriter once.
const maxRounds = 8

// rewritePass runs the rewriters on s, whose hints ht found (the table of
// s.lang, which the texts it rewrites get their hints from too).
func rewritePass(ctx context.Context, s *scan, ht *hintTable) (result, bool) {
	cur := s // the text as rewritten so far, with its memo
	var methods []string
	significant := false
	for round := 0; round < maxRounds; round++ {
		changed := false
		for i := range registry {
			d := &registry[i]
			if d.rewrite == nil || !d.handles(s.lang) || !ht.runs(i, &cur.hints) {
				continue
			}
			if ctx.Err() != nil {
				if cur != s {
					cur.release()
				}
				return result{}, false
			}
			nt, sig := d.rewrite(cur)
			if nt == cur.text || len(nt) > s.max {
				continue
			}
			if cur != s {
				cur.release() // an intermediate text, replaced now
			}
			cur, changed = newScan(nt, s.lang, s.max), true
			significant = significant || sig
			if !contains(methods, d.ID) {
				methods = append(methods, d.ID)
			}
		}
		if !changed {
			cur.fixed = true
			break
		}
	}
	if !significant || cur.text == s.text {
		if cur != s {
			cur.release()
		}
		return result{}, false
	}
	text := cur.text
	return result{
		finding: finding{span: Span{0, len(s.text)}, text: text, size: len(text), lang: s.lang},
		method:  strings.Join(methods, "+"),
		scan:    cur,
	}, true
}

// dropScan releases the scan of a result that does not become a layer.
func (r *result) dropScan() {
	if r.scan != nil {
		r.scan.release()
		r.scan = nil
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// asciiLower lowers ASCII letters only, so byte offsets stay valid.
func asciiLower(s string) string {
	i := firstUpper(s)
	if i == len(s) {
		return s
	}
	// Lowered through a small buffer into a Builder: one allocation of
	// len(s) (a []byte copy converted back to string made two), eight
	// bytes at a time.
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	var buf [512]byte
	for i < len(s) {
		n := copy(buf[:], s[i:])
		k := 0
		for ; k+8 <= n; k += 8 {
			w := binary.LittleEndian.Uint64(buf[k:])
			binary.LittleEndian.PutUint64(buf[k:], w|upperBits(w)>>2)
		}
		for ; k < n; k++ {
			buf[k] = lowerTable[buf[k]]
		}
		b.Write(buf[:n])
		i += n
	}
	return b.String()
}

// firstUpper returns the index of the first ASCII upper-case letter in s,
// len(s) when there is none.
func firstUpper(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if upperBits(le64(s, i)) != 0 {
			break
		}
	}
	for ; i < len(s) && (s[i] < 'A' || s[i] > 'Z'); i++ {
	}
	return i
}

// le64 reads the eight bytes of s at i as a little-endian word.
func le64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// upperBits has the top bit set in each byte of w that is an ASCII
// upper-case letter, and no other bit. Seven-bit bytes plus 0x80-'A' reach
// the top bit from 'A' up, plus 0x80-'Z'-1 from past 'Z'; the sums stay
// within the byte, and bytes with the top bit already set are excluded.
func upperBits(w uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	h := w &^ high
	return ((h + (0x80-'A')*ones) ^ (h + (0x80-'Z'-1)*ones)) &^ w & high
}

// lowerTable maps ASCII upper-case letters to lower case, other bytes to
// themselves.
var lowerTable = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
		if c >= 'A' && c <= 'Z' {
			t[c] = byte(c + 32)
		}
	}
	return t
}()

// Word-at-a-time byte search, for scanners that skip most bytes.
const (
	onesWord = 0x0101010101010101
	highWord = 0x8080808080808080
)

// eqBits has the top bit set in the lowest byte of w that equals c, and
// possibly in higher bytes (a borrow can mark the byte above a match):
// zero exactly when no byte of w is c.
func eqBits(w uint64, c byte) uint64 {
	x := w ^ onesWord*uint64(c)
	return (x - onesWord) &^ x & highWord
}

// firstMarked is the offset of the lowest byte marked in an eqBits result
// (or an OR of them); m must not be zero.
func firstMarked(m uint64) int { return bits.TrailingZeros64(m) >> 3 }

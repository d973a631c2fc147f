package render

import (
	"encoding"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/yarascan"
)

// A report's JSON is written by hand rather than by encoding/json: the
// reflection, the sorting of the features map through reflect.Values and
// the byte-at-a-time string escaping made encoding reports about 5% of a
// scan pass's CPU. The bytes must stay exactly what json.Marshal writes,
// which json_test.go checks against encoding/json on reports filled at
// random through reflection (so a field added to a report type without
// being added here fails the test), on the dev corpus and under fuzzing.
//
// Values encoding/json refuses (NaN and infinite floats, a MarshalText error,
// a time outside years 0-9999) make the encoder give up; the caller then
// marshals the report with encoding/json, which returns the error.

// jsonEncoder appends JSON to b.
type jsonEncoder struct {
	b   []byte
	bad bool // a value only encoding/json can report on
	ks  []keyString

	// The sorted keys of the last feature map written, and each one's
	// `"key":` as written: every report of a model version has the same
	// feature names, so the next map is usually written in this order
	// without sorting or escaping its keys again.
	featKeys   []string
	featPrefix []byte
	featEnds   []int // featPrefix[featEnds[i-1]:featEnds[i]] is key i's
}

type keyString struct {
	k, v string
}

// appendReport appends r as json.Marshal encodes it. It returns false when r
// holds a value encoding/json refuses; the bytes appended are then garbage.
func (e *jsonEncoder) appendReport(r *analysis.Report) bool {
	e.bad = false
	e.raw(`{"schema_version":`)
	e.str(r.SchemaVersion)
	e.raw(`,"id":`)
	e.str(r.ID)
	e.raw(`,"analyzed_at":`)
	// What Time.MarshalJSON writes, an RFC 3339 string (nothing in it for
	// encoding/json's compaction or HTML escaping to change), appended in
	// place instead of allocated.
	if t, err := r.AnalyzedAt.AppendText(append(e.b, '"')); err == nil {
		e.b = append(t, '"')
	} else {
		e.bad = true
	}
	e.raw(`,"sample":`)
	e.sample(&r.Sample)
	e.raw(`,"status":`)
	e.str(string(r.Status))
	if r.Reason != "" {
		e.raw(`,"reason":`)
		e.str(r.Reason)
	}
	e.raw(`,"language":{"name":`)
	e.text(r.Language.Language)
	e.raw(`,"confidence":`)
	e.float(r.Language.Confidence)
	if len(r.Language.Evidence) > 0 {
		e.raw(`,"evidence":`)
		e.strs(r.Language.Evidence)
	}
	e.b = append(e.b, '}')
	if r.Encoding != "" {
		e.raw(`,"encoding":`)
		e.str(string(r.Encoding))
	}
	e.raw(`,"layers":`)
	e.layers(r.Layers)
	e.raw(`,"yara":`)
	e.matches(r.YARA)
	e.raw(`,"indicators":`)
	e.hits(r.Indicators)
	e.raw(`,"iocs":`)
	e.iocs(r.IOCs)
	e.raw(`,"techniques":`)
	e.techniques(r.Techniques)
	e.raw(`,"features":`)
	e.features(r.Features)
	e.raw(`,"verdict":`)
	e.verdict(&r.Verdict)
	e.raw(`,"explanation":`)
	e.explanation(&r.Explanation)
	e.raw(`,"engine":{"version":`)
	e.str(r.Engine.Version)
	e.raw(`,"rules_version":`)
	e.str(r.Engine.RulesVersion)
	e.raw(`,"model_version":`)
	e.str(r.Engine.ModelVersion)
	e.raw(`},"timings":`)
	e.timings(&r.Timings)
	if r.Email != nil {
		e.raw(`,"email":`)
		e.email(r.Email)
	}
	e.b = append(e.b, '}')
	return !e.bad
}

func (e *jsonEncoder) sample(s *analysis.SampleInfo) {
	e.raw(`{"sha256":`)
	e.str(s.SHA256)
	e.raw(`,"sha1":`)
	e.str(s.SHA1)
	e.raw(`,"md5":`)
	e.str(s.MD5)
	e.raw(`,"size":`)
	e.int(s.Size)
	e.raw(`,"name":`)
	e.str(s.Name)
	e.optStr(`,"path":`, s.Path)
	e.optStr(`,"source":`, s.Source)
	e.optStr(`,"signature":`, s.Signature)
	e.b = append(e.b, '}')
}

func (e *jsonEncoder) layers(ls []analysis.Layer) {
	array(e, ls, func(l *analysis.Layer) {
		e.raw(`{"index":`)
		e.int(int64(l.Index))
		e.raw(`,"parent":`)
		e.int(int64(l.Parent))
		e.raw(`,"method":`)
		e.str(l.Method)
		e.raw(`,"span":{"start":`)
		e.int(int64(l.Span.Start))
		e.raw(`,"end":`)
		e.int(int64(l.Span.End))
		e.raw(`},"language":`)
		e.text(l.Language)
		e.raw(`,"size":`)
		e.int(int64(l.Size))
		if l.Truncated {
			e.raw(`,"truncated":true`)
		}
		e.optStr(`,"note":`, l.Note)
		e.optStr(`,"text":`, l.Text)
		e.b = append(e.b, '}')
	})
}

func (e *jsonEncoder) matches(ms []yarascan.Match) {
	array(e, ms, func(m *yarascan.Match) {
		e.raw(`{"rule":`)
		e.str(m.Rule)
		e.raw(`,"namespace":`)
		e.str(m.Namespace)
		if len(m.Tags) > 0 {
			e.raw(`,"tags":`)
			e.strs(m.Tags)
		}
		if len(m.Meta) > 0 {
			e.raw(`,"meta":`)
			e.stringMap(m.Meta)
		}
		e.optStr(`,"severity":`, m.Severity)
		if len(m.Techniques) > 0 {
			e.raw(`,"techniques":`)
			e.strs(m.Techniques)
		}
		e.raw(`,"layer":`)
		e.int(int64(m.Layer))
		if len(m.Strings) > 0 {
			e.raw(`,"strings":[`)
			for j := range m.Strings {
				s := &m.Strings[j]
				if j > 0 {
					e.b = append(e.b, ',')
				}
				e.raw(`{"id":`)
				e.str(s.ID)
				e.raw(`,"offset":`)
				e.int(s.Offset)
				e.raw(`,"data":`)
				e.str(s.Data)
				e.b = append(e.b, '}')
			}
			e.b = append(e.b, ']')
		}
		e.b = append(e.b, '}')
	})
}

func (e *jsonEncoder) hits(hs []indicators.Hit) {
	array(e, hs, func(h *indicators.Hit) {
		e.raw(`{"id":`)
		e.str(h.ID)
		e.raw(`,"title":`)
		e.str(h.Title)
		e.raw(`,"severity":`)
		e.text(h.Severity)
		if len(h.Techniques) > 0 {
			e.raw(`,"techniques":`)
			e.strs(h.Techniques)
		}
		e.optStr(`,"tactic":`, h.Tactic)
		e.raw(`,"layer":`)
		e.int(int64(h.Layer))
		e.raw(`,"line":`)
		e.int(int64(h.Line))
		e.raw(`,"column":`)
		e.int(int64(h.Column))
		e.raw(`,"excerpt":`)
		e.str(h.Excerpt)
		e.raw(`,"count":`)
		e.int(int64(h.Count))
		e.b = append(e.b, '}')
	})
}

func (e *jsonEncoder) iocs(cs []ioc.IOC) {
	array(e, cs, func(c *ioc.IOC) {
		e.raw(`{"type":`)
		e.str(string(c.Type))
		e.raw(`,"value":`)
		e.str(c.Value)
		e.raw(`,"defanged":`)
		e.str(c.Defanged)
		e.raw(`,"layer":`)
		e.int(int64(c.Layer))
		e.raw(`,"offset":`)
		e.int(int64(c.Offset))
		e.b = append(e.b, '}')
	})
}

func (e *jsonEncoder) techniques(ts []analysis.Technique) {
	array(e, ts, func(t *analysis.Technique) {
		e.raw(`{"id":`)
		e.str(t.ID)
		e.raw(`,"name":`)
		e.str(t.Name)
		if len(t.Tactics) > 0 {
			e.raw(`,"tactics":`)
			e.strs(t.Tactics)
		}
		e.raw(`,"evidence":`)
		e.strs(t.Evidence)
		e.b = append(e.b, '}')
	})
}

// features writes the map with its keys sorted, as encoding/json does.
func (e *jsonEncoder) features(m map[string]float64) {
	if m == nil {
		e.raw("null")
		return
	}
	start := len(e.b)
	if len(m) == len(e.featKeys) && e.featKeys != nil && e.appendFeatures(m) {
		return
	}
	// Other keys than the last map's (a first map, or one of another
	// model version): lay them out and write the map again.
	e.b = e.b[:start]
	e.layOutFeatures(m)
	e.appendFeatures(m)
}

// appendFeatures writes m in the layout of the last feature map. It looks
// each of the layout's keys up once, and returns false at the first one m
// lacks: with as many keys in m as in the layout, m then has exactly the
// layout's keys when it returns true.
func (e *jsonEncoder) appendFeatures(m map[string]float64) bool {
	e.b = append(e.b, '{')
	start := 0
	for i, k := range e.featKeys {
		v, ok := m[k]
		if !ok {
			return false
		}
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, e.featPrefix[start:e.featEnds[i]]...)
		start = e.featEnds[i]
		e.float(v)
	}
	e.b = append(e.b, '}')
	return true
}

// layOutFeatures makes m's sorted keys the layout.
func (e *jsonEncoder) layOutFeatures(m map[string]float64) {
	keys := e.featKeys[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	prefix, ends := e.featPrefix[:0], e.featEnds[:0]
	for _, k := range keys {
		prefix = append(appendJSONString(prefix, k), ':')
		ends = append(ends, len(prefix))
	}
	if keys == nil {
		keys = []string{} // an empty map: laid out, not "no layout yet"
	}
	e.featKeys, e.featPrefix, e.featEnds = keys, prefix, ends
}

func (e *jsonEncoder) stringMap(m map[string]string) {
	kv := e.ks[:0]
	for k, v := range m {
		kv = append(kv, keyString{k, v})
	}
	slices.SortFunc(kv, func(a, b keyString) int { return strings.Compare(a.k, b.k) })
	e.b = append(e.b, '{')
	for i := range kv {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(kv[i].k)
		e.b = append(e.b, ':')
		e.str(kv[i].v)
	}
	e.b = append(e.b, '}')
	clear(kv)
	e.ks = kv[:0]
}

func (e *jsonEncoder) verdict(v *analysis.Verdict) {
	e.raw(`{"label":`)
	e.text(v.Label)
	e.raw(`,"score":`)
	e.float(v.Score)
	e.raw(`,"source":`)
	e.str(v.Source)
	if len(v.Reasons) > 0 {
		e.raw(`,"reasons":`)
		e.strs(v.Reasons)
	}
	if len(v.Contributions) > 0 {
		e.raw(`,"contributions":[`)
		for i := range v.Contributions {
			c := &v.Contributions[i]
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.raw(`{"feature":`)
			e.str(c.Feature)
			e.raw(`,"value":`)
			e.float(c.Value)
			e.raw(`,"weight":`)
			e.float(c.Weight)
			e.raw(`,"contribution":`)
			e.float(c.Contribution)
			if len(c.Evidence) > 0 {
				e.raw(`,"evidence":`)
				e.strs(c.Evidence)
			}
			e.optStr(`,"detail":`, c.Detail)
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, '}')
}

func (e *jsonEncoder) explanation(x *analysis.Explanation) {
	e.raw(`{"summary":`)
	e.str(x.Summary)
	e.raw(`,"source":`)
	e.str(x.Source)
	if len(x.Claims) > 0 {
		e.raw(`,"claims":[`)
		for i := range x.Claims {
			c := &x.Claims[i]
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.raw(`{"text":`)
			e.str(c.Text)
			e.raw(`,"evidence":`)
			e.strs(c.Evidence)
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, '}')
}

func (e *jsonEncoder) timings(t *analysis.Timings) {
	e.raw(`{"total_ms":`)
	e.float(t.TotalMS)
	e.raw(`,"identify_ms":`)
	e.float(t.IdentifyMS)
	e.raw(`,"decode_ms":`)
	e.float(t.DecodeMS)
	e.raw(`,"yara_ms":`)
	e.float(t.YARAMS)
	e.raw(`,"indicators_ms":`)
	e.float(t.IndicatorsMS)
	e.raw(`,"ioc_ms":`)
	e.float(t.IOCMS)
	e.raw(`,"verdict_ms":`)
	e.float(t.VerdictMS)
	e.raw(`,"explain_ms":`)
	e.float(t.ExplainMS)
	e.b = append(e.b, '}')
}

func (e *jsonEncoder) email(m *analysis.EmailInfo) {
	// Every field is omitempty: the separator depends on what came before.
	start := len(e.b)
	e.b = append(e.b, '{')
	field := func(key string) {
		if len(e.b) > start+1 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, key...)
	}
	str := func(key, v string) {
		if v != "" {
			field(key)
			e.str(v)
		}
	}
	list := func(key string, v []string) {
		if len(v) > 0 {
			field(key)
			e.strs(v)
		}
	}
	str(`"message_id":`, m.MessageID)
	str(`"from":`, m.From)
	list(`"to":`, m.To)
	str(`"subject":`, m.Subject)
	str(`"date":`, m.Date)
	str(`"queue_id":`, m.QueueID)
	str(`"envelope_from":`, m.EnvelopeFrom)
	list(`"envelope_to":`, m.EnvelopeTo)
	str(`"quarantine_id":`, m.QuarantineID)
	str(`"attachment":`, m.Attachment)
	str(`"part":`, m.Part)
	str(`"archive_path":`, m.ArchivePath)
	e.b = append(e.b, '}')
}

func (e *jsonEncoder) raw(s string) { e.b = append(e.b, s...) }

func (e *jsonEncoder) optStr(key, v string) {
	if v != "" {
		e.b = append(e.b, key...)
		e.str(v)
	}
}

func (e *jsonEncoder) strs(list []string) {
	array(e, list, func(s *string) { e.str(*s) })
}

// array writes xs as a JSON array, each element by elem ("null" for a nil
// slice, as encoding/json does).
func array[T any](e *jsonEncoder, xs []T, elem func(*T)) {
	if xs == nil {
		e.raw("null")
		return
	}
	e.b = append(e.b, '[')
	for i := range xs {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		elem(&xs[i])
	}
	e.b = append(e.b, ']')
}

func (e *jsonEncoder) int(n int64) { e.b = strconv.AppendInt(e.b, n, 10) }

// float writes f as encoding/json's float64 encoder does: like %g, but with
// its own exponent cut-offs and without exponent padding.
func (e *jsonEncoder) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.bad = true
		return
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 && (f != 0 || !math.Signbit(f)) {
		// Most features are counts: a whole number below 2^53 is exact
		// as an int64 and 'f' formatting writes just its digits (-0 is
		// left to AppendFloat, which keeps the sign).
		e.b = strconv.AppendInt(e.b, int64(f), 10)
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9.
		n := len(e.b)
		if n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

// text writes a value encoding/json encodes through its MarshalText.
func (e *jsonEncoder) text(m encoding.TextMarshaler) {
	t, err := m.MarshalText()
	if err != nil {
		e.bad = true
		return
	}
	e.b = appendJSONString(e.b, string(t))
}

func (e *jsonEncoder) str(s string) { e.b = appendJSONString(e.b, s) }

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// hasZeroByte marks the zero bytes of w with their top bit (and possibly
// bytes above a zero byte; it is nonzero exactly when w has a zero byte).
func hasZeroByte(w uint64) uint64 { return (w - lsb) & ^w & msb }

// appendJSONString appends s quoted as encoding/json quotes strings with
// HTML escaping on (its default): ", \ and control characters escaped, <, >
// and & as \u003c, \u003e and \u0026, U+2028 and U+2029 as \u2028 and
// \u2029, and every byte of invalid UTF-8 as \ufffd.
//
// Scripts put a byte that needs a look (a quote, a newline, a < or &) every
// few dozen bytes, so copying clean runs with append cost a call each. dst
// is grown once for the plain text instead, and the text goes over eight
// bytes at a time, each word stored whole: a word with a marked byte keeps
// only the bytes before it, and the marked byte is written on its own.
func appendJSONString(dst []byte, s string) []byte {
	dst = slices.Grow(dst, len(s)+2)
	dst = append(dst, '"')
	i := 0
	for i < len(s) {
		// A byte needs a look when it is not ASCII, a control character,
		// or one of " \ < > &. Each term of special marks such bytes with
		// their top bit. A term may also mark bytes above one it rightly
		// marks (borrows run upwards), never below and never miss one; only
		// the lowest mark is taken, and a wrongly marked byte is plain ASCII
		// that jsonSafe lets through.
		if i+8 <= len(s) {
			c := s[i : i+8] // one 8-byte load: no bounds checks between the bytes
			w := uint64(c[0]) | uint64(c[1])<<8 | uint64(c[2])<<16 | uint64(c[3])<<24 |
				uint64(c[4])<<32 | uint64(c[5])<<40 | uint64(c[6])<<48 | uint64(c[7])<<56
			// " (0x22) and & (0x26) differ in one bit, as do < (0x3c) and
			// > (0x3e): setting it finds both with one comparison.
			special := w&msb | (w-0x20*lsb)&^w&msb | hasZeroByte(w^('\\'*lsb)) |
				hasZeroByte((w|0x04*lsb)^('&'*lsb)) | hasZeroByte((w|0x02*lsb)^('>'*lsb))
			n := len(dst)
			dst = binary.LittleEndian.AppendUint64(dst, w)
			if special == 0 {
				i += 8
				continue
			}
			k := bits.TrailingZeros64(special) / 8
			dst = dst[:n+k]
			i += k
			// Nearly all the bytes marked in scripts are quotes, line
			// ends, tabs and backslashes, whose escapes are two bytes:
			// written here, without the general case's tests.
			if e := shortEscape[s[i]]; e != 0 {
				dst = append(dst, '\\', e)
				i++
				continue
			}
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if jsonSafe[b] {
				dst = append(dst, b)
			} else {
				dst = appendEscape(dst, b)
			}
			i++
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// appendEscape appends the escape of b, an ASCII byte that is not jsonSafe.
func appendEscape(dst []byte, b byte) []byte {
	switch b {
	case '\\', '"':
		return append(dst, '\\', b)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	// Other control characters, and < > & for HTML's sake.
	return append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
}

const hexDigits = "0123456789abcdef"

// shortEscape is, for each byte with a two-byte escape, the letter after
// the backslash (what appendEscape writes); 0 for the others.
var shortEscape = [256]byte{'"': '"', '\\': '\\', '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't'}

// jsonSafe marks the ASCII bytes encoding/json copies as they are with HTML
// escaping on: everything from the space up, DEL included, except " \ < > &.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		switch c {
		case '"', '\\', '<', '>', '&':
		default:
			t[c] = true
		}
	}
	return t
}()

package render

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/verdict/builtin"
	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/internal/race"
	"github.com/automaldesc/automaldesc/rules"
)

// The hand-written report encoder (json.go) must write exactly what
// encoding/json writes. These tests compare the two on strings, on reports
// filled at random through reflection, on the dev corpus reports and under
// fuzzing.

// jsonStrings are strings that take every branch of the escaper, alone and
// around the eight-byte steps.
var jsonStrings = []string{
	"", "a", "plain ascii text that is longer than eight bytes",
	`"quoted"`, `back\slash`, "<script>alert(1)</script>", "a&b", "x>y",
	"\x00\x01\x07\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f", "\x7f", "DEL\x7fin the middle of a long run",
	"\u2028\u2029", "line\u2028sep in a longer string", "é ü ß 中文 🙂 \U0010FFFF",
	"\xff", "\xfe\xff", "abcdefg\xff", "abcdefgh\xe2\x80", "\xe2\x80\xa8", "\xe2\x80\xa9x", "\xed\xa0\x80 surrogate",
	"\xc0\xaf overlong", "\xf4\x90\x80\x80 too big", "trailing \xe4\xb8",
	strings.Repeat("0123456789abcdef", 20) + "<" + strings.Repeat("z", 13),
	strings.Repeat("é", 30),
}

func marshalString(t testing.TB, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("json.Marshal(%q): %v", s, err)
	}
	return string(b)
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	check := func(s string) {
		t.Helper()
		if got, want := string(appendJSONString(nil, s)), marshalString(t, s); got != want {
			t.Fatalf("string %q:\n got %s\nwant %s", s, got, want)
		}
	}
	for _, s := range jsonStrings {
		check(s)
		// Shift the string across the eight-byte steps.
		for pad := 1; pad < 9; pad++ {
			check(strings.Repeat("p", pad) + s)
			check(s + strings.Repeat("q", pad))
		}
	}
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 9; pos++ {
			check(strings.Repeat("a", pos) + string(rune(c)) + "bcdefghij")
			check(strings.Repeat("a", pos) + string([]byte{byte(c)}) + "bcdefghij")
		}
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		check(randomString(rnd))
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendJSONString(nil, s)), marshalString(t, s); got != want {
			t.Fatalf("string %q:\n got %s\nwant %s", s, got, want)
		}
	})
}

// randomString mixes plain text with the bytes the escaper treats apart.
func randomString(rnd *rand.Rand) string {
	if rnd.IntN(4) == 0 {
		return jsonStrings[rnd.IntN(len(jsonStrings))]
	}
	const special = "\"\\<>&\x00\x1f\n\t\x7f\x80\xbf\xc3\xe2\xf0\xff"
	pieces := []string{"é", "中", "🙂", "\u2028", "\u2029", "\xe2\x80", "abcdefgh"}
	var b strings.Builder
	for n := rnd.IntN(40); n > 0; n-- {
		switch r := rnd.IntN(10); {
		case r < 6:
			b.WriteByte(byte(' ' + rnd.IntN(95)))
		case r < 8:
			b.WriteByte(special[rnd.IntN(len(special))])
		default:
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
	}
	return b.String()
}

// filler sets every exported field of a value at random, so that a field
// added to a report type shows up in encoding/json's output and the
// comparison fails until json.go writes it too.
type filler struct {
	rnd  *rand.Rand
	str  func() string  // string source
	flt  func() float64 // float source
	bad  bool           // allow values encoding/json refuses
	miss []string       // kinds the filler does not know
}

func (f *filler) fill(v reflect.Value) {
	if v.Type() == reflect.TypeFor[time.Time]() {
		sec := f.rnd.Int64N(4e9) - 1e9
		tm := time.Unix(sec, f.rnd.Int64N(1e9)).In(time.FixedZone("", (f.rnd.IntN(48)-24)*1800))
		if f.rnd.IntN(2) == 0 {
			tm = tm.UTC()
		}
		if f.bad && f.rnd.IntN(50) == 0 {
			tm = time.Date(10000+f.rnd.IntN(5), 1, 1, 0, 0, 0, 0, time.UTC)
		}
		v.Set(reflect.ValueOf(tm))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.str())
	case reflect.Bool:
		v.SetBool(f.rnd.IntN(2) == 0)
	case reflect.Int, reflect.Int64, reflect.Int32:
		switch f.rnd.IntN(4) {
		case 0:
			v.SetInt(0)
		case 1:
			v.SetInt(f.rnd.Int64N(20) - 1)
		case 2:
			v.SetInt(f.rnd.Int64())
		default:
			v.SetInt(-f.rnd.Int64N(1 << 40))
		}
	case reflect.Uint8:
		// Labels, severities and languages: mostly valid names.
		if f.bad && f.rnd.IntN(20) == 0 {
			v.SetUint(uint64(f.rnd.IntN(256)))
		} else {
			v.SetUint(uint64(f.rnd.IntN(4)))
		}
	case reflect.Float64:
		v.SetFloat(f.flt())
	case reflect.Slice:
		if f.rnd.IntN(5) == 0 {
			return // nil
		}
		n := f.rnd.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.fill(s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		if f.rnd.IntN(5) == 0 {
			return // nil
		}
		m := reflect.MakeMap(v.Type())
		for n := f.rnd.IntN(7); n > 0; n-- {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k)
			f.fill(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		if f.rnd.IntN(3) == 0 {
			return // nil
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem())
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i))
			}
		}
	default:
		f.miss = append(f.miss, v.Type().String())
	}
}

func (f *filler) float() float64 {
	pool := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1e-6, 9.99e-7, 1e-7, 1.5e-300, 1e20, 1e21, 9.99e20, -1e21, 123456789.125,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 0.1 + 0.2, 2.538874737920289, 1e-10}
	switch r := f.rnd.IntN(10); {
	case r < 4:
		return pool[f.rnd.IntN(len(pool))]
	case r < 7:
		return f.rnd.NormFloat64() * math.Pow(10, float64(f.rnd.IntN(50)-25))
	case r < 9:
		return float64(f.rnd.IntN(1000))
	}
	if f.bad && f.rnd.IntN(10) == 0 {
		return []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[f.rnd.IntN(3)]
	}
	return f.rnd.Float64()
}

func randomReport(rnd *rand.Rand, bad bool) (*analysis.Report, []string) {
	f := &filler{rnd: rnd, bad: bad}
	f.str = func() string { return randomString(rnd) }
	f.flt = f.float
	r := new(analysis.Report)
	f.fill(reflect.ValueOf(r).Elem())
	return r, f.miss
}

// checkWriter compares the json and jsonl output of a Writer for r with what
// encoding/json writes (or the error it returns).
func checkWriter(t *testing.T, r *analysis.Report) {
	t.Helper()
	for _, f := range []Format{JSONL, JSON} {
		var want []byte
		var wantErr error
		if f == JSONL {
			b, err := json.Marshal(r)
			want, wantErr = append(b, '\n'), err
		} else {
			b, err := json.MarshalIndent(r, "  ", "  ")
			want, wantErr = append([]byte("[\n  "), b...), err
		}
		var out bytes.Buffer
		err := NewWriter(&out, f, false).Write(r)
		if wantErr != nil {
			if err == nil || err.Error() != wantErr.Error() {
				t.Fatalf("%s: got error %v, want %v", f, err, wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("%s output differs from encoding/json:\n got %s\nwant %s", f, out.Bytes(), want)
		}
	}
}

func TestReportJSONMatchesEncodingJSON(t *testing.T) {
	checkWriter(t, sampleReport())
	checkWriter(t, &analysis.Report{})
	rnd := rand.New(rand.NewPCG(3, 4))
	n := 3000
	if race.Enabled {
		n = 500
	}
	for i := range n {
		r, miss := randomReport(rnd, i%2 == 1)
		if len(miss) > 0 {
			t.Fatalf("the filler cannot set %v: teach it (and json.go) the new field types", miss)
		}
		checkWriter(t, r)
	}
}

// TestWriterReusesBuffers writes reports of very different sizes through one
// Writer: nothing of an earlier report may leak into a later one.
func TestWriterReusesBuffers(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, f := range []Format{JSONL, JSON} {
		var out, want bytes.Buffer
		w := NewWriter(&out, f, false)
		for i := range 20 {
			r, _ := randomReport(rnd, false)
			if i%7 == 3 {
				// Escaped, this text alone outgrows maxKeptBuffer.
				r.Layers = append(r.Layers, analysis.Layer{Text: strings.Repeat("x<", maxKeptBuffer/6)})
			}
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
			var b []byte
			if f == JSONL {
				b, _ = json.Marshal(r)
				want.Write(b)
				want.WriteByte('\n')
			} else {
				b, _ = json.MarshalIndent(r, "  ", "  ")
				if i == 0 {
					want.WriteString("[\n  ")
				} else {
					want.WriteString(",\n  ")
				}
				want.Write(b)
			}
		}
		if !bytes.Equal(out.Bytes(), want.Bytes()) {
			t.Fatalf("%s: stream differs from encoding/json", f)
		}
	}
}

// TestFeatureLayoutFollowsTheKeys writes feature maps through one Writer
// in an order that exercises the cached key layout: the same keys again,
// as many keys but one different, fewer, none, nil, and whole numbers at
// the edges of the integer fast path.
func TestFeatureLayoutFollowsTheKeys(t *testing.T) {
	maps := []map[string]float64{
		{"b": 1, "a": 2.5, "c": 0},
		{"a": 3, "b": 4, "c": 5},
		{"a": 3, "b": 4, "d<": 5},
		{"0": 9, "b": 4, "d<": 5},
		{"a": 3, "b": 4, "d<": 5},
		{"a": 1 << 53, "b": 1<<53 - 1, "d<": -(1<<53 - 1)},
		{"a": 1e15, "b": -1e20, "d<": 1e21},
		{"a": 0.1},
		{},
		nil,
		{},
		{"z": math.Copysign(0, -1), "y": 0, "x": -1, "w": 4503599627370496.5},
		{"z": 7, "y": 1e-7, "x": -1, "w": 123456789012},
	}
	for _, f := range []Format{JSONL, JSON} {
		var out, want bytes.Buffer
		w := NewWriter(&out, f, false)
		for i, m := range maps {
			r := sampleReport()
			r.Features = m
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
			if f == JSONL {
				b, _ := json.Marshal(r)
				want.Write(b)
				want.WriteByte('\n')
			} else {
				b, _ := json.MarshalIndent(r, "  ", "  ")
				if i == 0 {
					want.WriteString("[\n  ")
				} else {
					want.WriteString(",\n  ")
				}
				want.Write(b)
			}
		}
		if !bytes.Equal(out.Bytes(), want.Bytes()) {
			t.Fatalf("%s: stream differs from encoding/json:\n got %s\nwant %s", f, out.Bytes(), want.Bytes())
		}
	}
}

func FuzzReportJSON(f *testing.F) {
	f.Add(uint64(1), "", 0.0)
	f.Add(uint64(2), "<\u2028\xff>", 1e-7)
	f.Add(uint64(3), strings.Repeat("\\\"", 9), math.Inf(1))
	f.Fuzz(func(t *testing.T, seed uint64, s string, x float64) {
		rnd := rand.New(rand.NewPCG(seed, seed>>7))
		fl := &filler{rnd: rnd, bad: true}
		fl.str = func() string {
			if rnd.IntN(3) == 0 {
				return s
			}
			return randomString(rnd)
		}
		fl.flt = func() float64 {
			if rnd.IntN(3) == 0 {
				return x
			}
			return fl.float()
		}
		r := new(analysis.Report)
		fl.fill(reflect.ValueOf(r).Elem())
		checkWriter(t, r)
	})
}

// devEngine is the engine of `automaldesc scan` on its defaults.
func devEngine(t testing.TB) *analysis.Engine {
	t.Helper()
	live, err := rules.NewLive()
	if err != nil {
		t.Fatal(err)
	}
	model, err := builtin.Model()
	if err != nil {
		t.Fatal(err)
	}
	cat := indicators.Default()
	eng, err := analysis.New(analysis.Options{
		Version: "test",
		Limits: analysis.Limits{MaxFileSize: 8 << 20, SampleTimeout: 10 * time.Second,
			DecodeDepth: 8, DecodeRatio: 16, DecodeBytes: 64 << 20, MaxLayers: 64},
		Rules: live, Catalog: cat, Model: model, Explainer: explain.NewOffline(cat), TopK: 8,
	})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestReportJSONDevCorpus compares the encodings of the dev corpus reports.
func TestReportJSONDevCorpus(t *testing.T) {
	eng := devEngine(t)
	var got, want bytes.Buffer
	w := NewWriter(&got, JSONL, false)
	// Under the race detector a sample of the corpus: the encoder has no
	// concurrency to check.
	corpus.Sweep(t, corpus.Dev, func(name, text string) {
		r, _ := eng.Analyze(context.Background(), analysis.Sample{Data: []byte(text), Name: name, Path: name})
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		want.Write(b)
		want.WriteByte('\n')
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%s: report differs from encoding/json", name)
		}
	})
}

// benchReport is a report of the dev corpus's average shape: a 10 KB layer
// text, fifty features, a few findings.
func benchReport() *analysis.Report {
	r := sampleReport()
	r.AnalyzedAt = time.Date(2026, 11, 24, 9, 0, 0, 123456789, time.UTC)
	r.Layers[0].Text = strings.Repeat("$svc = Get-Service -Name 'svc' -ErrorAction SilentlyContinue\n\tif ($x -gt 1) { \"é\" }\n", 120)
	r.Features = map[string]float64{}
	for i := range 50 {
		r.Features["feature_"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26))] = float64(i) / 7
	}
	r.Verdict.Contributions = []analysis.Contribution{{Feature: "feat:lines", Value: 0.69, Weight: -1.41, Contribution: 2.53, Evidence: []string{"feature:lines"}}}
	return r
}

// BenchmarkWriteJSONLDev writes the reports of the whole dev corpus once
// per iteration: what `scan --format jsonl` spends rendering.
func BenchmarkWriteJSONLDev(b *testing.B) {
	eng := devEngine(b)
	var reports []*analysis.Report
	var size int64
	corpus.Sweep(b, corpus.Dev, func(name, text string) {
		r, _ := eng.Analyze(context.Background(), analysis.Sample{Data: []byte(text), Name: name, Path: name})
		reports = append(reports, r)
	})
	w := NewWriter(io.Discard, JSONL, false)
	for _, r := range reports {
		b, _ := w.marshal(r)
		size += int64(len(b)) + 1
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range reports {
			if err := w.Write(r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkWriteJSONL(b *testing.B) {
	r := benchReport()
	w := NewWriter(io.Discard, JSONL, false)
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteJSONLEncodingJSON is what Write cost with encoding/json.
func BenchmarkWriteJSONLEncodingJSON(b *testing.B) {
	r := benchReport()
	b.ReportAllocs()
	for b.Loop() {
		buf, err := json.Marshal(r)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(io.Discard, "%s\n", buf)
	}
}

// BenchmarkAppendJSONStringDev quotes every dev corpus sample once per
// iteration: scripts, with their quotes, newlines and < > &.
func BenchmarkAppendJSONStringDev(b *testing.B) {
	var texts []string
	var size int64
	corpus.Sweep(b, corpus.Dev, func(_, text string) {
		texts = append(texts, text)
		size += int64(len(text))
	})
	b.SetBytes(size)
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		for _, s := range texts {
			buf = appendJSONString(buf[:0], s)
		}
	}
}

// Package metrics is a small Prometheus text-exposition writer: counters,
// gauges and histograms with labels, registered once at startup and safe
// for concurrent updates. It exists so the sidecar's /metrics endpoint
// needs no client library; it implements only what the sidecar uses.
package metrics

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds the metrics of one process. Register during setup; Write
// and the metric updates may run concurrently.
type Registry struct {
	mu      sync.Mutex
	metrics []metric
	names   map[string]bool
}

type metric interface {
	name() string
	write(ctx context.Context, w io.Writer) error
}

// New returns an empty registry.
func New() *Registry { return &Registry{names: map[string]bool{}} }

func (r *Registry) add(m metric) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names[m.name()] {
		panic("metrics: duplicate metric " + m.name()) // programming error at setup
	}
	r.names[m.name()] = true
	r.metrics = append(r.metrics, m)
}

// Write renders every metric in the Prometheus text format (version 0.0.4),
// sorted by name.
func (r *Registry) Write(ctx context.Context, w io.Writer) error {
	r.mu.Lock()
	ms := append([]metric(nil), r.metrics...)
	r.mu.Unlock()
	sort.Slice(ms, func(i, j int) bool { return ms[i].name() < ms[j].name() })
	for _, m := range ms {
		if err := m.write(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

// ContentType is the media type of Write's output.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

type desc struct {
	n, help, kind string
	labels        []string
}

func (d desc) name() string { return d.n }

func (d desc) header(w io.Writer) error {
	_, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", d.n, escapeHelp(d.help), d.n, d.kind)
	return err
}

// labelString renders {k="v",...} for the values, in label order.
func (d desc) labelString(values []string, extra ...string) string {
	if len(d.labels) == 0 && len(extra) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, l := range d.labels {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l)
		b.WriteString(`="`)
		b.WriteString(escapeLabel(values[i]))
		b.WriteByte('"')
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(extra[i])
		b.WriteString(`="`)
		b.WriteString(escapeLabel(extra[i+1]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// key joins label values into a map key.
func key(values []string) string { return strings.Join(values, "\xff") }

// series holds one value per label combination.
type series[T any] struct {
	mu    sync.Mutex
	order []string
	vals  map[string]*T
	lv    map[string][]string
}

func (s *series[T]) get(d desc, values []string, mk func() *T) *T {
	if len(values) != len(d.labels) {
		panic(fmt.Sprintf("metrics: %s wants %d label values, got %d", d.n, len(d.labels), len(values)))
	}
	k := key(values)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vals == nil {
		s.vals, s.lv = map[string]*T{}, map[string][]string{}
	}
	v, ok := s.vals[k]
	if !ok {
		v = mk()
		s.vals[k] = v
		s.lv[k] = append([]string(nil), values...)
		s.order = append(s.order, k)
		sort.Strings(s.order)
	}
	return v
}

func (s *series[T]) each(fn func(values []string, v *T) error) error {
	s.mu.Lock()
	order := append([]string(nil), s.order...)
	s.mu.Unlock()
	for _, k := range order {
		s.mu.Lock()
		v, lv := s.vals[k], s.lv[k]
		s.mu.Unlock()
		if err := fn(lv, v); err != nil {
			return err
		}
	}
	return nil
}

// Counter is a monotonically increasing count per label combination.
type Counter struct {
	desc
	s series[atomic.Uint64]
}

// NewCounter registers a counter.
func (r *Registry) NewCounter(name, help string, labels ...string) *Counter {
	c := &Counter{desc: desc{n: name, help: help, kind: "counter", labels: labels}}
	r.add(c)
	return c
}

// Add adds n to the series with the label values (in registration order).
func (c *Counter) Add(n uint64, values ...string) {
	c.s.get(c.desc, values, func() *atomic.Uint64 { return new(atomic.Uint64) }).Add(n)
}

// Inc adds one.
func (c *Counter) Inc(values ...string) { c.Add(1, values...) }

// Value returns the current count of the series (tests and health checks).
func (c *Counter) Value(values ...string) uint64 {
	return c.s.get(c.desc, values, func() *atomic.Uint64 { return new(atomic.Uint64) }).Load()
}

func (c *Counter) write(_ context.Context, w io.Writer) error {
	if err := c.header(w); err != nil {
		return err
	}
	return c.s.each(func(lv []string, v *atomic.Uint64) error {
		_, err := fmt.Fprintf(w, "%s%s %d\n", c.n, c.labelString(lv), v.Load())
		return err
	})
}

// GaugeFunc is a gauge whose values are read when metrics are written.
type GaugeFunc struct {
	desc
	fn func(ctx context.Context) map[string]float64
}

// NewGaugeFunc registers a gauge with at most one label; fn returns the
// value per label value (the key "" when the gauge has no label). A
// missing value is not written.
func (r *Registry) NewGaugeFunc(name, help, label string, fn func(ctx context.Context) map[string]float64) *GaugeFunc {
	var labels []string
	if label != "" {
		labels = []string{label}
	}
	g := &GaugeFunc{desc: desc{n: name, help: help, kind: "gauge", labels: labels}, fn: fn}
	r.add(g)
	return g
}

func (g *GaugeFunc) write(ctx context.Context, w io.Writer) error {
	if err := g.header(w); err != nil {
		return err
	}
	vals := g.fn(ctx)
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ls := ""
		if len(g.labels) == 1 {
			ls = g.labelString([]string{k})
		}
		if _, err := fmt.Fprintf(w, "%s%s %s\n", g.n, ls, formatFloat(vals[k])); err != nil {
			return err
		}
	}
	return nil
}

// Histogram counts observations into cumulative buckets per label
// combination.
type Histogram struct {
	desc
	bounds []float64
	s      series[hist]
}

type hist struct {
	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; last = +Inf
	sum    float64
	n      uint64
}

// NewHistogram registers a histogram with the given upper bounds (sorted
// ascending; +Inf is implied).
func (r *Registry) NewHistogram(name, help string, bounds []float64, labels ...string) *Histogram {
	b := append([]float64(nil), bounds...)
	sort.Float64s(b)
	h := &Histogram{desc: desc{n: name, help: help, kind: "histogram", labels: labels}, bounds: b}
	r.add(h)
	return h
}

// Observe records v in the series with the label values.
func (h *Histogram) Observe(v float64, values ...string) {
	x := h.s.get(h.desc, values, func() *hist { return &hist{counts: make([]uint64, len(h.bounds)+1)} })
	i := sort.SearchFloat64s(h.bounds, v) // first bound >= v
	x.mu.Lock()
	x.counts[i]++
	x.sum += v
	x.n++
	x.mu.Unlock()
}

// Count returns the number of observations of the series.
func (h *Histogram) Count(values ...string) uint64 {
	x := h.s.get(h.desc, values, func() *hist { return &hist{counts: make([]uint64, len(h.bounds)+1)} })
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.n
}

func (h *Histogram) write(_ context.Context, w io.Writer) error {
	if err := h.header(w); err != nil {
		return err
	}
	return h.s.each(func(lv []string, x *hist) error {
		x.mu.Lock()
		counts := append([]uint64(nil), x.counts...)
		sum, n := x.sum, x.n
		x.mu.Unlock()
		var cum uint64
		for i, c := range counts {
			cum += c
			le := "+Inf"
			if i < len(h.bounds) {
				le = formatFloat(h.bounds[i])
			}
			if _, err := fmt.Fprintf(w, "%s_bucket%s %d\n", h.n, h.labelString(lv, "le", le), cum); err != nil {
				return err
			}
		}
		_, err := fmt.Fprintf(w, "%s_sum%s %s\n%s_count%s %d\n", h.n, h.labelString(lv), formatFloat(sum), h.n, h.labelString(lv), n)
		return err
	})
}

// LatencyBuckets are upper bounds in seconds from 1 ms to 30 s.
var LatencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

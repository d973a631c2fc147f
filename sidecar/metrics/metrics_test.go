package metrics

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestExposition(t *testing.T) {
	r := New()
	c := r.NewCounter("files_total", "Files by status.", "status")
	c.Inc("ok")
	c.Add(2, "error")
	c.Inc("we\"ird\n")
	h := r.NewHistogram("lat_seconds", "Latency.", []float64{0.1, 1})
	h.Observe(0.05)
	h.Observe(0.5)
	h.Observe(5)
	r.NewGaugeFunc("depth", "Queue depth.", "", func(context.Context) map[string]float64 { return map[string]float64{"": 7} })
	var b bytes.Buffer
	if err := r.Write(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"# TYPE files_total counter\n",
		`files_total{status="error"} 2` + "\n",
		`files_total{status="ok"} 1` + "\n",
		`files_total{status="we\"ird\n"} 1` + "\n",
		`lat_seconds_bucket{le="0.1"} 1` + "\n",
		`lat_seconds_bucket{le="1"} 2` + "\n",
		`lat_seconds_bucket{le="+Inf"} 3` + "\n",
		"lat_seconds_sum 5.55\n",
		"lat_seconds_count 3\n",
		"# TYPE depth gauge\ndepth 7\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("exposition lacks %q; got:\n%s", want, got)
		}
	}
	if i, j := strings.Index(got, "depth"), strings.Index(got, "files_total"); i > j {
		t.Errorf("metrics not sorted by name:\n%s", got)
	}
	if got, want := c.Value("ok"), uint64(1); got != want {
		t.Errorf("Value: got %d, want %d", got, want)
	}
}

func TestDuplicatePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("duplicate registration: got no panic, want one")
		}
	}()
	r := New()
	r.NewCounter("x", "x")
	r.NewCounter("x", "x")
}

package sqlite

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/store"
)

// benchReport is a typical 5 KB report JSON with a few IOCs.
var benchReport = []byte(`{"schema_version":"1.0.0","status":"ok","iocs":[` +
	`{"type":"domain","value":"cdn.bench-test.invalid"},{"type":"ipv4","value":"203.0.113.50"},` +
	`{"type":"url","value":"http://198.51.100.8/a.ps1"}],"explanation":{"summary":"` +
	strings.Repeat("downloads and runs a second stage; ", 140) + `"}}`)

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchRecord(i int64) store.Record {
	return store.Record{
		ID: fmt.Sprintf("rec-%08d", i), SHA256: fmt.Sprintf("%064x", i), Source: "watch:/q",
		Name: fmt.Sprintf("sample-%d.ps1", i), Path: fmt.Sprintf("/q/sample-%d.ps1", i),
		Status: "ok", Label: []string{"malicious", "benign", "suspicious", "unknown"}[i%4],
		Language: "powershell", Score: 0.5, RulesVersion: "r1", ModelVersion: "m1", Report: benchReport,
	}
}

// BenchmarkEnqueueComplete is the queue's full cycle for one file:
// Enqueue, Lease, Complete with a 5 KB report (budget: >= 2,000/s).
func BenchmarkEnqueueComplete(b *testing.B) {
	ctx := b.Context()
	s := benchStore(b)
	var i int64
	b.ReportAllocs()
	for b.Loop() {
		i++
		id := fmt.Sprintf("item-%08d", i)
		if _, err := s.Enqueue(ctx, store.Item{ID: id, Path: "/staging/" + id, Size: 5000, ClaimedAt: time.Now()}); err != nil {
			b.Fatal(err)
		}
		items, err := s.Lease(ctx, 1, time.Minute)
		if err != nil || len(items) != 1 {
			b.Fatalf("Lease: %v, %d items", err, len(items))
		}
		if _, err := s.Complete(ctx, items[0].ID, benchRecord(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkEnqueueCompleteParallel runs the cycle from GOMAXPROCS workers
// that share the single writer.
func BenchmarkEnqueueCompleteParallel(b *testing.B) {
	ctx := b.Context()
	s := benchStore(b)
	var next atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			id := fmt.Sprintf("item-%08d", i)
			if _, err := s.Enqueue(ctx, store.Item{ID: id, Path: "/staging/" + id}); err != nil {
				b.Error(err)
				return
			}
			items, err := s.Lease(ctx, 1, time.Minute)
			if err != nil {
				b.Error(err)
				return
			}
			for _, it := range items {
				if _, err := s.Complete(ctx, it.ID, benchRecord(i)); err != nil {
					b.Error(err)
					return
				}
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkListRecords queries a store of 10,000 records the way the API
// and the sinks do.
func BenchmarkListRecords(b *testing.B) {
	ctx := b.Context()
	s := benchStore(b)
	const n = 10000
	for i := range int64(n) {
		if _, err := s.PutRecord(ctx, benchRecord(i+1)); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		f    store.Filter
	}{
		{"newest100", store.Filter{Desc: true, Limit: 100}},
		{"label", store.Filter{Label: "suspicious", Desc: true, Limit: 100}},
		{"query_name", store.Filter{Query: "sample-9999.", Limit: 100}},
		{"query_ioc_nomatch", store.Filter{Query: "nothing-matches.invalid", Limit: 100}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.ListRecords(ctx, bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("records_after_page100", func(b *testing.B) {
		b.ReportAllocs()
		var seq int64
		for b.Loop() {
			recs, err := s.RecordsAfter(ctx, seq, 100)
			if err != nil {
				b.Fatal(err)
			}
			if len(recs) == 0 {
				seq = 0
				continue
			}
			seq = recs[len(recs)-1].Seq
		}
	})
}

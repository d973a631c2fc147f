package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/store"
)

// BenchmarkEnqueueLeaseComplete is the queue's hot path for one file:
// Enqueue, Lease (batches of 16) and Complete with a typical report.
func BenchmarkEnqueueLeaseComplete(b *testing.B) {
	s := openFresh(b)
	ctx := b.Context()
	rep := []byte(`{"schema_version":"1.0.0","status":"ok","iocs":[{"type":"domain","value":"update.contoso-test.invalid"},` +
		`{"type":"ipv4","value":"198.51.100.23"},{"type":"url","value":"http://203.0.113.7/stage2.ps1"}]}`)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		id := fmt.Sprintf("it-%d", n)
		n++
		if _, err := s.Enqueue(ctx, store.Item{ID: id, Name: "invoice.ps1", Size: 5000}); err != nil {
			b.Fatal(err)
		}
		if n%16 != 0 {
			continue
		}
		items, err := s.Lease(ctx, 16, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		for _, it := range items {
			if _, err := s.Complete(ctx, it.ID, store.Record{ID: "rec-" + it.ID, Name: it.Name, Status: "ok", Report: rep}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkQuery is Filter.Query (an infix ILIKE over names, paths, sha256
// and the IOC index) over 2,000 records.
func BenchmarkQuery(b *testing.B) {
	s := openFresh(b)
	ctx := b.Context()
	for i := range 2000 {
		rep := []byte(fmt.Sprintf(`{"iocs":[{"value":"host%d.example"},{"value":"198.51.100.%d"}]}`, i, i%250))
		if _, err := s.PutRecord(ctx, store.Record{ID: fmt.Sprintf("r%d", i), Name: fmt.Sprintf("f%d.js", i), Report: rep}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		recs, err := s.ListRecords(ctx, store.Filter{Query: "HOST1999.example"})
		if err != nil || len(recs) != 1 {
			b.Fatalf("got %d records, %v", len(recs), err)
		}
	}
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/automaldesc/automaldesc/store"
)

// Run runs the conformance suite. open must return a fresh, empty store
// for every call; Run closes it at the end of each subtest (Close must be
// idempotent, so open may register its own cleanup too).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"EnqueueIdempotent", testEnqueueIdempotent},
		{"EnqueueInvalid", testEnqueueInvalid},
		{"ItemRoundTrip", testItemRoundTrip},
		{"LeaseOrderAndLimit", testLeaseOrderAndLimit},
		{"LeaseExpiry", testLeaseExpiry},
		{"RecoverLeases", testRecoverLeases},
		{"Complete", testComplete},
		{"CompleteIdempotent", testCompleteIdempotent},
		{"CompleteSharedRecordID", testCompleteSharedRecordID},
		{"CompleteUnknownItemStoresNothing", testCompleteUnknownItem},
		{"ExactlyOnceConcurrent", testExactlyOnceConcurrent},
		{"PutRecordRoundTripAndIdempotent", testPutRecord},
		{"SupersedesRoundTrip", testSupersedes},
		{"FilterSupersedes", testFilterSupersedes},
		{"SeqIncreasingAndRecordsAfterPaging", testRecordsAfterPaging},
		{"NotFound", testNotFound},
		{"LatestBySHA256", testLatestBySHA256},
		{"Filters", testFilters},
		{"Cursors", testCursors},
		{"FeedbackAppendOnlyAndOrder", testFeedback},
		{"FeedbackInvalid", testFeedbackInvalid},
		{"ContextCanceled", testContextCanceled},
		{"UseAfterClose", testUseAfterClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// base is a fixed, microsecond-precise time (backends keep at least
// microseconds).
var base = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

func item(i int) store.Item {
	return store.Item{
		ID:        fmt.Sprintf("item-%05d", i),
		Path:      fmt.Sprintf("/var/lib/automaldesc/staging/item-%05d.ps1", i),
		Name:      fmt.Sprintf("invoice-%d.ps1", i),
		Source:    "watch:/quarantine",
		Signature: "Heuristic.Script.Test",
		Size:      int64(1000 + i),
		SHA256:    fmt.Sprintf("%064x", i+1),
		ClaimedAt: base.Add(time.Duration(i) * time.Second),
	}
}

// report is an inert report JSON with IOCs (TEST-NET, .invalid) and a
// summary word that appears nowhere else.
func report(id string) []byte {
	return []byte(`{"schema_version":"1.0.0","id":"` + id + `","status":"ok",` +
		`"iocs":[{"type":"domain","value":"update.contoso-test.invalid","defanged":"update[.]contoso-test[.]invalid"},` +
		`{"type":"ipv4","value":"198.51.100.23","defanged":"198[.]51[.]100[.]23"},` +
		`{"type":"url","value":"http://203.0.113.7/stage2.ps1","defanged":"hxxp://203[.]0[.]113[.]7/stage2.ps1"}],` +
		`"explanation":{"summary":"zebracorn downloads a second stage"}}`)
}

func record(id string, i int) store.Record {
	return store.Record{
		ID:           id,
		SHA256:       fmt.Sprintf("%064x", i+1),
		Source:       "watch:/quarantine",
		Signature:    "Heuristic.Script.Test",
		Name:         fmt.Sprintf("invoice-%d.ps1", i),
		Path:         fmt.Sprintf("/quarantine/invoice-%d.ps1", i),
		Status:       "ok",
		Label:        "malicious",
		Language:     "powershell",
		Score:        0.93,
		RulesVersion: "rules-1",
		ModelVersion: "model-1",
		CreatedAt:    base.Add(time.Duration(i) * time.Minute),
		Report:       report(id),
	}
}

func enqueue(t *testing.T, s store.Store, items ...store.Item) {
	t.Helper()
	for _, it := range items {
		added, err := s.Enqueue(t.Context(), it)
		if err != nil {
			t.Fatalf("Enqueue(%s): %v", it.ID, err)
		}
		if !added {
			t.Fatalf("Enqueue(%s): got added false, want true", it.ID)
		}
	}
}

func lease(t *testing.T, s store.Store, n int, d time.Duration) []store.Item {
	t.Helper()
	items, err := s.Lease(t.Context(), n, d)
	if err != nil {
		t.Fatalf("Lease(%d, %v): %v", n, d, err)
	}
	return items
}

func ids(items []store.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func recordIDs(recs []store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func pending(t *testing.T, s store.Store) int {
	t.Helper()
	n, err := s.PendingCount(t.Context())
	if err != nil {
		t.Fatalf("PendingCount: %v", err)
	}
	return n
}

func allRecords(t *testing.T, s store.Store) []store.Record {
	t.Helper()
	var (
		out []store.Record
		seq int64
	)
	for {
		page, err := s.RecordsAfter(t.Context(), seq, 500)
		if err != nil {
			t.Fatalf("RecordsAfter(%d): %v", seq, err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		seq = page[len(page)-1].Seq
	}
}

func put(t *testing.T, s store.Store, rec store.Record) store.Record {
	t.Helper()
	got, err := s.PutRecord(t.Context(), rec)
	if err != nil {
		t.Fatalf("PutRecord(%s): %v", rec.ID, err)
	}
	return got
}

func testEnqueueIdempotent(t *testing.T, s store.Store) {
	ctx := t.Context()
	it := item(1)
	for i, want := range []bool{true, false, false} {
		added, err := s.Enqueue(ctx, it)
		if err != nil {
			t.Fatalf("Enqueue #%d: %v", i+1, err)
		}
		if added != want {
			t.Errorf("Enqueue #%d: got added %v, want %v", i+1, added, want)
		}
		it.Name = "changed.ps1" // a re-enqueue must not overwrite
	}
	if got := pending(t, s); got != 1 {
		t.Errorf("PendingCount: got %d, want 1", got)
	}
	got := lease(t, s, 10, time.Hour)
	if len(got) != 1 || got[0].Name != item(1).Name {
		t.Errorf("Lease: got %+v, want the first enqueued version of %s", got, it.ID)
	}
	// Enqueue of a completed id is still a no-op.
	if _, err := s.Complete(ctx, it.ID, record("rec-1", 1)); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if added, err := s.Enqueue(ctx, it); err != nil || added {
		t.Errorf("Enqueue after Complete: got (%v, %v), want (false, nil)", added, err)
	}
	if got := pending(t, s); got != 0 {
		t.Errorf("PendingCount after Complete and re-Enqueue: got %d, want 0", got)
	}
}

func testEnqueueInvalid(t *testing.T, s store.Store) {
	tests := []struct {
		name string
		it   store.Item
	}{
		{"empty id", store.Item{Path: "/x"}},
		{"negative size", store.Item{ID: "neg", Size: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Enqueue(t.Context(), tc.it); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Enqueue: got %v, want ErrInvalid", err)
			}
		})
	}
	if got := pending(t, s); got != 0 {
		t.Errorf("PendingCount: got %d, want 0", got)
	}
}

func testItemRoundTrip(t *testing.T, s store.Store) {
	full := item(7)
	full.Name = "Rechnung ü\n\x00.js" // untrusted names are stored as given
	full.Meta = map[string]string{"from": "a@example.invalid", "subject": "Invoice", "x-spam": ""}
	bare := store.Item{ID: "bare", Path: "/staging/bare", ClaimedAt: base}
	enqueue(t, s, full, bare)

	got := lease(t, s, 10, time.Hour)
	full.Attempts, bare.Attempts = 1, 1
	if diff := cmp.Diff([]store.Item{full, bare}, got); diff != "" {
		t.Errorf("Lease round trip (-want +got):\n%s", diff)
	}

	before := time.Now().Add(-time.Second)
	enqueue(t, s, store.Item{ID: "no-claim-time"})
	got = lease(t, s, 1, time.Hour)
	if len(got) != 1 || got[0].ClaimedAt.Before(before) {
		t.Errorf("ClaimedAt default: got %+v, want about now", got)
	}
}

func testLeaseOrderAndLimit(t *testing.T, s store.Store) {
	for i := range 5 {
		enqueue(t, s, item(i))
	}
	tests := []struct {
		n    int
		want []string
	}{
		{2, []string{"item-00000", "item-00001"}},
		{10, []string{"item-00002", "item-00003", "item-00004"}},
		{10, nil},
		{0, nil},
	}
	for i, tc := range tests {
		if got := ids(lease(t, s, tc.n, time.Hour)); !slices.Equal(got, tc.want) {
			t.Errorf("Lease #%d (n=%d): got %v, want %v", i+1, tc.n, got, tc.want)
		}
	}
	if got := pending(t, s); got != 5 {
		t.Errorf("PendingCount with all leased: got %d, want 5", got)
	}
	for _, d := range []time.Duration{0, -time.Second} {
		if _, err := s.Lease(t.Context(), 1, d); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Lease(1, %v): got %v, want ErrInvalid", d, err)
		}
	}
}

func testLeaseExpiry(t *testing.T, s store.Store) {
	enqueue(t, s, item(1), item(2))
	first := lease(t, s, 1, 150*time.Millisecond)
	if len(first) != 1 || first[0].ID != "item-00001" || first[0].Attempts != 1 {
		t.Fatalf("first Lease: got %+v, want item-00001 with 1 attempt", first)
	}
	// item-00002 is free, item-00001 is leased: only item-00002 comes out.
	second := lease(t, s, 10, time.Hour)
	if got := ids(second); !slices.Equal(got, []string{"item-00002"}) {
		t.Fatalf("second Lease: got %v, want [item-00002]", got)
	}
	time.Sleep(200 * time.Millisecond)
	third := lease(t, s, 10, time.Hour)
	if len(third) != 1 || third[0].ID != "item-00001" || third[0].Attempts != 2 {
		t.Fatalf("Lease after expiry: got %+v, want item-00001 with 2 attempts", third)
	}
	if got := lease(t, s, 10, time.Hour); len(got) != 0 {
		t.Errorf("Lease with all leased for an hour: got %v, want none", ids(got))
	}
}

func testRecoverLeases(t *testing.T, s store.Store) {
	ctx := t.Context()
	enqueue(t, s, item(1), item(2), item(3))
	lease(t, s, 3, time.Hour)
	n, err := s.RecoverLeases(ctx)
	if err != nil || n != 3 {
		t.Fatalf("RecoverLeases: got (%d, %v), want (3, nil)", n, err)
	}
	got := lease(t, s, 10, time.Hour)
	if len(got) != 3 {
		t.Fatalf("Lease after RecoverLeases: got %v, want 3 items", ids(got))
	}
	for _, it := range got {
		if it.Attempts != 2 {
			t.Errorf("item %s: got %d attempts, want 2", it.ID, it.Attempts)
		}
	}
	if _, err := s.Complete(ctx, "item-00002", record("rec-2", 2)); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if n, err := s.RecoverLeases(ctx); err != nil || n != 2 {
		t.Errorf("RecoverLeases with one done: got (%d, %v), want (2, nil)", n, err)
	}
	if n, err := s.RecoverLeases(ctx); err != nil || n != 0 {
		t.Errorf("RecoverLeases with nothing leased: got (%d, %v), want (0, nil)", n, err)
	}
	if got := ids(lease(t, s, 10, time.Hour)); !slices.Equal(got, []string{"item-00001", "item-00003"}) {
		t.Errorf("Lease: got %v, want [item-00001 item-00003] (done items never come back)", got)
	}
}

func testComplete(t *testing.T, s store.Store) {
	ctx := t.Context()
	enqueue(t, s, item(1))
	it := lease(t, s, 1, time.Hour)[0]
	rec := record("rec-1", 1)
	rec.ItemID = "ignored: Complete sets it"
	got, err := s.Complete(ctx, it.ID, rec)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if got.Seq <= 0 {
		t.Errorf("Seq: got %d, want > 0", got.Seq)
	}
	rec.ItemID, rec.Seq = it.ID, got.Seq
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("Complete result (-want +got):\n%s", diff)
	}
	stored, err := s.GetRecord(ctx, rec.ID)
	if err != nil {
		t.Fatalf("GetRecord: %v", err)
	}
	if diff := cmp.Diff(rec, stored); diff != "" {
		t.Errorf("GetRecord (-want +got):\n%s", diff)
	}
	if n := pending(t, s); n != 0 {
		t.Errorf("PendingCount: got %d, want 0", n)
	}
	if _, err := s.RecoverLeases(ctx); err != nil {
		t.Fatalf("RecoverLeases: %v", err)
	}
	if got := lease(t, s, 10, time.Millisecond); len(got) != 0 {
		t.Errorf("Lease after Complete: got %v, want none", ids(got))
	}
	// Completing without a lease is allowed (the lease is a deadline).
	enqueue(t, s, item(2))
	if _, err := s.Complete(ctx, "item-00002", record("rec-2", 2)); err != nil {
		t.Errorf("Complete without lease: %v", err)
	}
	for _, tc := range []struct {
		name   string
		itemID string
		rec    store.Record
	}{
		{"empty item id", "", record("rec-3", 3)},
		{"empty record id", "item-00002", store.Record{}},
	} {
		if _, err := s.Complete(ctx, tc.itemID, tc.rec); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Complete %s: got %v, want ErrInvalid", tc.name, err)
		}
	}
}

func testCompleteIdempotent(t *testing.T, s store.Store) {
	ctx := t.Context()
	enqueue(t, s, item(1))
	first, err := s.Complete(ctx, "item-00001", record("rec-1", 1))
	if err != nil {
		t.Fatalf("Complete #1: %v", err)
	}
	again := record("rec-1", 1)
	again.Label = "benign" // a repeated analysis must not overwrite
	second, err := s.Complete(ctx, "item-00001", again)
	if err != nil {
		t.Fatalf("Complete #2: %v", err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("Complete twice (-first +second):\n%s", diff)
	}
	// A different record for a done item: the item keeps its record.
	third, err := s.Complete(ctx, "item-00001", record("rec-other", 9))
	if err != nil {
		t.Fatalf("Complete #3: %v", err)
	}
	if third.ID != "rec-1" {
		t.Errorf("Complete of a done item with another record: got record %s, want rec-1", third.ID)
	}
	if _, err := s.GetRecord(ctx, "rec-other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetRecord(rec-other): got %v, want ErrNotFound", err)
	}
	if got := recordIDs(allRecords(t, s)); !slices.Equal(got, []string{"rec-1"}) {
		t.Errorf("records: got %v, want [rec-1]", got)
	}
}

func testCompleteSharedRecordID(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Two claims of the same content from the same source and signature
	// map to one deterministic record id: one record, both items done.
	enqueue(t, s, item(1), item(2))
	a, err := s.Complete(ctx, "item-00001", record("rec-same", 1))
	if err != nil {
		t.Fatalf("Complete item-00001: %v", err)
	}
	b, err := s.Complete(ctx, "item-00002", record("rec-same", 1))
	if err != nil {
		t.Fatalf("Complete item-00002: %v", err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("second Complete must return the existing record (-first +second):\n%s", diff)
	}
	if b.ItemID != "item-00001" {
		t.Errorf("ItemID: got %s, want item-00001 (the record that was stored first)", b.ItemID)
	}
	if n := pending(t, s); n != 0 {
		t.Errorf("PendingCount: got %d, want 0", n)
	}
	if n := len(allRecords(t, s)); n != 1 {
		t.Errorf("records: got %d, want 1", n)
	}
}

func testCompleteUnknownItem(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.Complete(ctx, "no-such-item", record("rec-x", 1)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Complete(unknown): got %v, want ErrNotFound", err)
	}
	if _, err := s.GetRecord(ctx, "rec-x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetRecord after failed Complete: got %v, want ErrNotFound (one transaction)", err)
	}
}

// testExactlyOnceConcurrent: 8 workers lease and complete 2,000 items, half
// of them with leases so short that items are handed out again while a
// worker still holds them, so the same item is completed more than once.
func testExactlyOnceConcurrent(t *testing.T, s store.Store) {
	const (
		items   = 2000
		workers = 8
	)
	ctx := t.Context()
	// Enqueue concurrently, every item twice.
	var added atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for g := range 4 {
		wg.Go(func() {
			for i := range items {
				if i%4 != g && i%4 != (g+1)%4 {
					continue
				}
				ok, err := s.Enqueue(ctx, item(i))
				if err != nil {
					errs <- err
					return
				}
				if ok {
					added.Add(1)
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatalf("Enqueue: %v", err)
	default:
	}
	if added.Load() != items {
		t.Fatalf("Enqueue: got %d added, want %d", added.Load(), items)
	}

	var completions atomic.Int64
	for w := range workers {
		d := time.Minute
		if w%2 == 1 {
			d = time.Microsecond // expires at once: duplicate work
		}
		wg.Go(func() {
			for {
				got, err := s.Lease(ctx, 16, d)
				if err != nil {
					errs <- fmt.Errorf("worker %d: lease: %w", w, err)
					return
				}
				if len(got) == 0 {
					n, err := s.PendingCount(ctx)
					if err != nil {
						errs <- fmt.Errorf("worker %d: pending: %w", w, err)
						return
					}
					if n == 0 {
						return
					}
					time.Sleep(time.Millisecond)
					continue
				}
				for _, it := range got {
					rec, err := s.Complete(ctx, it.ID, record("rec-"+it.ID, 0))
					if err != nil {
						errs <- fmt.Errorf("worker %d: complete %s: %w", w, it.ID, err)
						return
					}
					if rec.ID != "rec-"+it.ID || rec.ItemID != it.ID {
						errs <- fmt.Errorf("worker %d: complete %s: got record %s of item %s", w, it.ID, rec.ID, rec.ItemID)
						return
					}
					completions.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	recs := allRecords(t, s)
	if len(recs) != items {
		t.Errorf("records: got %d, want %d (completions: %d)", len(recs), items, completions.Load())
	}
	seenItem := make(map[string]bool, items)
	seenID := make(map[string]bool, items)
	var last int64
	for _, r := range recs {
		if seenID[r.ID] {
			t.Errorf("record %s stored twice", r.ID)
		}
		if seenItem[r.ItemID] {
			t.Errorf("item %s has more than one record", r.ItemID)
		}
		seenID[r.ID], seenItem[r.ItemID] = true, true
		if r.Seq <= last {
			t.Errorf("record %s: Seq %d not above previous %d", r.ID, r.Seq, last)
		}
		last = r.Seq
	}
	for i := range items {
		if id := item(i).ID; !seenItem[id] {
			t.Errorf("item %s has no record", id)
		}
	}
	if n := pending(t, s); n != 0 {
		t.Errorf("PendingCount: got %d, want 0", n)
	}
	t.Logf("%d completions for %d items", completions.Load(), items)
}

func testPutRecord(t *testing.T, s store.Store) {
	ctx := t.Context()
	rec := record("rec-api", 1)
	rec.DuplicateOf = "rec-earlier"
	rec.Score = 0.123456789
	got := put(t, s, rec)
	rec.Seq = got.Seq
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("PutRecord (-want +got):\n%s", diff)
	}
	changed := rec
	changed.Label, changed.Report = "benign", []byte(`{}`)
	if again := put(t, s, changed); !cmp.Equal(again, got) {
		t.Errorf("PutRecord of an existing id: got %+v, want the stored record unchanged", again)
	}
	stored, err := s.GetRecord(ctx, rec.ID)
	if err != nil {
		t.Fatalf("GetRecord: %v", err)
	}
	if diff := cmp.Diff(rec, stored); diff != "" {
		t.Errorf("GetRecord (-want +got):\n%s", diff)
	}

	minimal := put(t, s, store.Record{ID: "rec-min"})
	if minimal.CreatedAt.IsZero() || minimal.Report != nil || minimal.Seq <= got.Seq {
		t.Errorf("minimal record: got %+v, want CreatedAt set, no report, Seq > %d", minimal, got.Seq)
	}
	big := record("rec-big", 2)
	big.Report = make([]byte, 1<<20)
	for i := range big.Report {
		big.Report[i] = byte('a' + i%26)
	}
	if r := put(t, s, big); len(r.Report) != 1<<20 {
		t.Errorf("1 MiB report: got %d bytes back", len(r.Report))
	}
	if stored, err := s.GetRecord(ctx, "rec-big"); err != nil || !slices.Equal(stored.Report, big.Report) {
		t.Errorf("GetRecord(rec-big): report differs (err %v)", err)
	}
	if _, err := s.PutRecord(ctx, store.Record{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("PutRecord(empty id): got %v, want ErrInvalid", err)
	}
}

// testSupersedes stores an original record through Complete and an update
// record (Supersedes set, same item and content) through PutRecord: every
// read returns the field, the original stays unchanged, the update comes
// after it in Seq order and storing it again changes nothing.
func testSupersedes(t *testing.T, s store.Store) {
	ctx := t.Context()
	it := item(1)
	enqueue(t, s, it)
	orig, err := s.Complete(ctx, it.ID, record("rec-orig", 1))
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	upd := record("rec-upd", 1)
	upd.ItemID, upd.Supersedes, upd.Label = it.ID, orig.ID, "suspicious"
	got := put(t, s, upd)
	upd.Seq = got.Seq
	if diff := cmp.Diff(upd, got); diff != "" {
		t.Errorf("PutRecord of an update (-want +got):\n%s", diff)
	}
	if got.Seq <= orig.Seq {
		t.Errorf("update Seq: got %d, want > %d (the original's)", got.Seq, orig.Seq)
	}
	again := upd
	again.Supersedes, again.Seq = "rec-other", 0
	if r := put(t, s, again); r.Supersedes != orig.ID || r.Seq != got.Seq {
		t.Errorf("PutRecord of an existing update: got supersedes %q seq %d, want %q %d", r.Supersedes, r.Seq, orig.ID, got.Seq)
	}
	reads := []struct {
		name string
		read func() (store.Record, error)
	}{
		{"GetRecord", func() (store.Record, error) { return s.GetRecord(ctx, upd.ID) }},
		{"LatestBySHA256", func() (store.Record, error) { return s.LatestBySHA256(ctx, upd.SHA256) }},
		{"RecordsAfter", func() (store.Record, error) {
			recs, err := s.RecordsAfter(ctx, orig.Seq, 10)
			if err != nil || len(recs) != 1 {
				return store.Record{}, fmt.Errorf("got %d records (%v), want 1", len(recs), err)
			}
			return recs[0], nil
		}},
		{"ListRecords", func() (store.Record, error) {
			recs, err := s.ListRecords(ctx, store.Filter{Label: "suspicious"})
			if err != nil || len(recs) != 1 {
				return store.Record{}, fmt.Errorf("got %d records (%v), want 1", len(recs), err)
			}
			return recs[0], nil
		}},
	}
	for _, rd := range reads {
		r, err := rd.read()
		if err != nil {
			t.Errorf("%s: %v", rd.name, err)
			continue
		}
		if r.Supersedes != orig.ID || r.ID != upd.ID {
			t.Errorf("%s: got record %s supersedes %q, want %s supersedes %q", rd.name, r.ID, r.Supersedes, upd.ID, orig.ID)
		}
	}
	if r, err := s.GetRecord(ctx, orig.ID); err != nil || r.Supersedes != "" || r.Label != "malicious" {
		t.Errorf("original after the update: got %+v (%v), want it unchanged", r, err)
	}
}

// testFilterSupersedes: Filter.Supersedes finds the update records of a
// record (the newest with Desc and Limit 1), exactly, and combines with
// the other filters.
func testFilterSupersedes(t *testing.T, s store.Store) {
	update := func(id string, orig store.Record, label string) store.Record {
		r := record(id, 0)
		r.SHA256, r.Name, r.Path, r.CreatedAt = orig.SHA256, orig.Name, orig.Path, orig.CreatedAt.Add(time.Second)
		r.Supersedes, r.Label = orig.ID, label
		return r
	}
	orig0 := put(t, s, record("orig-0", 0))
	orig1 := put(t, s, record("orig-1", 1))
	plain := put(t, s, record("plain-2", 2))
	upd0a := put(t, s, update("upd-0a", orig0, "suspicious"))
	upd1 := put(t, s, update("upd-1", orig1, "suspicious"))
	upd0b := put(t, s, update("upd-0b", orig0, "malicious")) // a second update (other stages)
	tests := []struct {
		name string
		f    store.Filter
		want []string
	}{
		{"updates of a record", store.Filter{Supersedes: orig0.ID}, []string{"upd-0a", "upd-0b"}},
		{"newest update", store.Filter{Supersedes: orig0.ID, Desc: true, Limit: 1}, []string{"upd-0b"}},
		{"one update", store.Filter{Supersedes: orig1.ID, Desc: true, Limit: 1}, []string{"upd-1"}},
		{"record without updates", store.Filter{Supersedes: plain.ID}, nil},
		{"unknown id", store.Filter{Supersedes: "no-such-record"}, nil},
		{"an update is not superseded", store.Filter{Supersedes: upd0a.ID}, nil},
		{"exact, not a prefix", store.Filter{Supersedes: "orig"}, nil},
		{"exact, not case-folded", store.Filter{Supersedes: "ORIG-0"}, nil},
		{"and label", store.Filter{Supersedes: orig0.ID, Label: "suspicious"}, []string{"upd-0a"}},
		{"and label of another update", store.Filter{Supersedes: orig1.ID, Label: "malicious"}, nil},
		{"and sha256", store.Filter{Supersedes: orig0.ID, SHA256: orig0.SHA256}, []string{"upd-0a", "upd-0b"}},
		{"and sha256 of another sample", store.Filter{Supersedes: orig0.ID, SHA256: orig1.SHA256}, nil},
		{"and query", store.Filter{Supersedes: orig1.ID, Query: "INVOICE-1"}, []string{"upd-1"}},
		{"and status", store.Filter{Supersedes: orig0.ID, Status: "error"}, nil},
		{"newest before seq", store.Filter{Supersedes: orig0.ID, BeforeSeq: upd0b.Seq, Desc: true, Limit: 1}, []string{"upd-0a"}},
		{"after seq", store.Filter{Supersedes: orig0.ID, AfterSeq: upd1.Seq}, []string{"upd-0b"}},
		{"and since", store.Filter{Supersedes: orig0.ID, Since: upd0a.CreatedAt}, []string{"upd-0a", "upd-0b"}},
		{"and until", store.Filter{Supersedes: orig1.ID, Until: upd1.CreatedAt}, nil},
		{"empty does not filter", store.Filter{Label: "suspicious"}, []string{"upd-0a", "upd-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListRecords(t.Context(), tc.f)
			if err != nil {
				t.Fatalf("ListRecords(%+v): %v", tc.f, err)
			}
			if ids := recordIDs(got); !slices.Equal(ids, tc.want) {
				t.Errorf("ListRecords(%+v): got %v, want %v", tc.f, ids, tc.want)
			}
		})
	}
	got, err := s.ListRecords(t.Context(), store.Filter{Supersedes: orig1.ID})
	if err != nil || len(got) != 1 {
		t.Fatalf("ListRecords(supersedes %s): got %d records, %v; want 1", orig1.ID, len(got), err)
	}
	if diff := cmp.Diff(upd1, got[0]); diff != "" {
		t.Errorf("listed update differs from stored (-want +got):\n%s", diff)
	}
}

func testRecordsAfterPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	var want []string
	var last int64
	for i := range 25 {
		id := fmt.Sprintf("rec-%02d", i)
		r := put(t, s, record(id, i))
		if r.Seq <= last {
			t.Errorf("record %s: Seq %d not above previous %d", id, r.Seq, last)
		}
		last = r.Seq
		want = append(want, id)
	}
	var got []string
	var seq int64
	pages := 0
	for {
		page, err := s.RecordsAfter(ctx, seq, 10)
		if err != nil {
			t.Fatalf("RecordsAfter(%d, 10): %v", seq, err)
		}
		if len(page) > 10 {
			t.Fatalf("RecordsAfter(%d, 10): got %d records", seq, len(page))
		}
		if len(page) == 0 {
			break
		}
		pages++
		for _, r := range page {
			if r.Seq <= seq {
				t.Errorf("RecordsAfter(%d): record %s has Seq %d", seq, r.ID, r.Seq)
			}
			seq = r.Seq
			got = append(got, r.ID)
		}
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("paged RecordsAfter: got %v in %d pages, want %v in 3", got, pages, want)
	}
	if all, err := s.RecordsAfter(ctx, 0, 0); err != nil || len(all) != 25 {
		t.Errorf("RecordsAfter(0, 0 = default): got %d records, err %v, want 25", len(all), err)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.GetRecord(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetRecord: got %v, want ErrNotFound", err)
	}
	if _, err := s.LatestBySHA256(ctx, fmt.Sprintf("%064x", 99)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LatestBySHA256: got %v, want ErrNotFound", err)
	}
	if recs, err := s.ListRecords(ctx, store.Filter{}); err != nil || len(recs) != 0 {
		t.Errorf("ListRecords on empty store: got %d, %v; want 0, nil", len(recs), err)
	}
	if recs, err := s.RecordsAfter(ctx, 0, 10); err != nil || len(recs) != 0 {
		t.Errorf("RecordsAfter on empty store: got %d, %v; want 0, nil", len(recs), err)
	}
}

func testLatestBySHA256(t *testing.T, s store.Store) {
	old := record("rec-old", 1)
	other := record("rec-other", 2)
	newer := record("rec-new", 1)
	newer.RulesVersion = "rules-2"
	newer.CreatedAt = old.CreatedAt.Add(-time.Hour) // "newest" is by insert order
	put(t, s, old)
	put(t, s, other)
	want := put(t, s, newer)
	got, err := s.LatestBySHA256(t.Context(), old.SHA256)
	if err != nil {
		t.Fatalf("LatestBySHA256: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LatestBySHA256 (-want +got):\n%s", diff)
	}
}

func testFilters(t *testing.T, s store.Store) {
	fixtures := []store.Record{
		record("r0", 0), record("r1", 1), record("r2", 2), record("r3", 3), record("r4", 4), record("r5", 5),
	}
	fixtures[1].Label, fixtures[1].Language, fixtures[1].Name = "benign", "bash", "Backup_Job.SH"
	fixtures[2].Source, fixtures[2].Status, fixtures[2].Label = "plugin", "skipped", "unknown"
	fixtures[3].Language, fixtures[3].Path, fixtures[3].Report = "javascript", `C:\Users\Public\drop_100%.js`, []byte(`{"iocs":[]}`)
	fixtures[4].Status, fixtures[4].Report = "error", nil
	fixtures[5].SHA256 = fixtures[0].SHA256
	fixtures[5].Report = []byte(`{"iocs":[{"type":"domain","value":"Mixed.Case-Host.invalid"}]}`)
	var recs []store.Record
	for _, r := range fixtures {
		recs = append(recs, put(t, s, r))
	}
	tests := []struct {
		name string
		f    func() store.Filter
		want []string
	}{
		{"none", func() store.Filter { return store.Filter{} }, []string{"r0", "r1", "r2", "r3", "r4", "r5"}},
		{"label", func() store.Filter { return store.Filter{Label: "benign"} }, []string{"r1"}},
		{"language", func() store.Filter { return store.Filter{Language: "javascript"} }, []string{"r3"}},
		{"source", func() store.Filter { return store.Filter{Source: "plugin"} }, []string{"r2"}},
		{"status", func() store.Filter { return store.Filter{Status: "error"} }, []string{"r4"}},
		{"sha256", func() store.Filter { return store.Filter{SHA256: fixtures[0].SHA256} }, []string{"r0", "r5"}},
		{"label is exact", func() store.Filter { return store.Filter{Label: "malic"} }, nil},
		{"query name case-insensitive", func() store.Filter { return store.Filter{Query: "backup_job.sh"} }, []string{"r1"}},
		{"query name substring", func() store.Filter { return store.Filter{Query: "INVOICE-4"} }, []string{"r4"}},
		{"query path", func() store.Filter { return store.Filter{Query: `public\drop`} }, []string{"r3"}},
		{"query percent is literal", func() store.Filter { return store.Filter{Query: "100%"} }, []string{"r3"}},
		{"query percent is not a wildcard", func() store.Filter { return store.Filter{Query: "e%4"} }, nil},
		{"query underscore is literal", func() store.Filter { return store.Filter{Query: "p_job"} }, []string{"r1"}},
		{"query underscore is not a wildcard", func() store.Filter { return store.Filter{Query: "e_4"} }, nil},
		{"query sha256 substring", func() store.Filter { return store.Filter{Query: fixtures[2].SHA256[50:]} }, []string{"r2"}},
		{"query ioc domain", func() store.Filter { return store.Filter{Query: "contoso-test.invalid"} }, []string{"r0", "r1", "r2"}},
		{"query ioc ip", func() store.Filter { return store.Filter{Query: "198.51.100.23"} }, []string{"r0", "r1", "r2"}},
		{"query ioc url", func() store.Filter { return store.Filter{Query: "203.0.113.7/stage2"} }, []string{"r0", "r1", "r2"}},
		{"query ioc case-insensitive", func() store.Filter { return store.Filter{Query: "mixed.case-HOST"} }, []string{"r5"}},
		{"query ignores other report text", func() store.Filter { return store.Filter{Query: "zebracorn"} }, nil},
		{"since inclusive", func() store.Filter { return store.Filter{Since: fixtures[3].CreatedAt} }, []string{"r3", "r4", "r5"}},
		{"until exclusive", func() store.Filter { return store.Filter{Until: fixtures[2].CreatedAt} }, []string{"r0", "r1"}},
		{"since and until", func() store.Filter {
			return store.Filter{Since: fixtures[1].CreatedAt, Until: fixtures[3].CreatedAt.Add(time.Microsecond)}
		}, []string{"r1", "r2", "r3"}},
		{"after seq", func() store.Filter { return store.Filter{AfterSeq: recs[3].Seq} }, []string{"r4", "r5"}},
		{"before seq", func() store.Filter { return store.Filter{BeforeSeq: recs[2].Seq} }, []string{"r0", "r1"}},
		{"limit", func() store.Filter { return store.Filter{Limit: 2} }, []string{"r0", "r1"}},
		{"desc", func() store.Filter { return store.Filter{Desc: true} }, []string{"r5", "r4", "r3", "r2", "r1", "r0"}},
		{"desc limit before seq", func() store.Filter { return store.Filter{Desc: true, Limit: 2, BeforeSeq: recs[4].Seq} }, []string{"r3", "r2"}},
		{"combined", func() store.Filter {
			return store.Filter{Label: "malicious", Language: "powershell", Status: "ok", Query: "invoice"}
		}, []string{"r0", "r5"}},
		{"no match", func() store.Filter { return store.Filter{Source: "nowhere"} }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListRecords(t.Context(), tc.f())
			if err != nil {
				t.Fatalf("ListRecords: %v", err)
			}
			if ids := recordIDs(got); !slices.Equal(ids, tc.want) {
				t.Errorf("got %v, want %v", ids, tc.want)
			}
		})
	}
	got, err := s.ListRecords(t.Context(), store.Filter{Label: "benign"})
	if err != nil || len(got) != 1 {
		t.Fatalf("ListRecords(label benign): got %d, %v", len(got), err)
	}
	if diff := cmp.Diff(recs[1], got[0]); diff != "" {
		t.Errorf("listed record differs from stored (-want +got):\n%s", diff)
	}
}

func testCursors(t *testing.T, s store.Store) {
	ctx := t.Context()
	steps := []struct {
		set  string // sink to set ("" = none)
		seq  int64
		sink string
		want int64
	}{
		{"", 0, "ndjson", 0},
		{"ndjson", 42, "ndjson", 42},
		{"", 0, "webhook", 0},
		{"webhook", 7, "ndjson", 42},
		{"ndjson", 100, "ndjson", 100},
		{"ndjson", 10, "ndjson", 10}, // replay: moving back is allowed
		{"", 0, "webhook", 7},
	}
	for i, st := range steps {
		if st.set != "" {
			if err := s.SetCursor(ctx, st.set, st.seq); err != nil {
				t.Fatalf("step %d: SetCursor(%s, %d): %v", i, st.set, st.seq, err)
			}
		}
		got, err := s.Cursor(ctx, st.sink)
		if err != nil {
			t.Fatalf("step %d: Cursor(%s): %v", i, st.sink, err)
		}
		if got != st.want {
			t.Errorf("step %d: Cursor(%s): got %d, want %d", i, st.sink, got, st.want)
		}
	}
	if err := s.SetCursor(ctx, "", 1); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SetCursor(empty sink): got %v, want ErrInvalid", err)
	}
	if err := s.SetCursor(ctx, "ndjson", -1); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SetCursor(negative): got %v, want ErrInvalid", err)
	}
	if _, err := s.Cursor(ctx, ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Cursor(empty sink): got %v, want ErrInvalid", err)
	}
}

func testFeedback(t *testing.T, s store.Store) {
	ctx := t.Context()
	r1 := put(t, s, record("rec-1", 1))
	r2 := put(t, s, record("rec-2", 2))

	before := time.Now().Add(-time.Second)
	a, err := s.AddFeedback(ctx, store.Feedback{RecordID: r1.ID, Analyst: "ana", Disposition: "confirm", Rating: 5})
	if err != nil {
		t.Fatalf("AddFeedback a: %v", err)
	}
	if a.ID == "" || a.CreatedAt.Before(before) || a.SHA256 != r1.SHA256 {
		t.Errorf("AddFeedback: got %+v, want ID and CreatedAt assigned and SHA256 %s from the record", a, r1.SHA256)
	}
	// b is older than a by CreatedAt although added later.
	b, err := s.AddFeedback(ctx, store.Feedback{
		ID: "fb-b", SHA256: r1.SHA256, IndicatorID: "ps.download_cradle", Analyst: "bo",
		Disposition: "benign", Category: "admin-script", Summary: "backup tool", Note: "known\ninternal tool",
		CreatedAt: base,
	})
	if err != nil {
		t.Fatalf("AddFeedback b: %v", err)
	}
	c, err := s.AddFeedback(ctx, store.Feedback{RecordID: r2.ID, Analyst: "ana", Disposition: "malicious", Rating: 3, CreatedAt: a.CreatedAt})
	if err != nil {
		t.Fatalf("AddFeedback c: %v", err)
	}
	d, err := s.AddFeedback(ctx, store.Feedback{SHA256: fmt.Sprintf("%064x", 77), Disposition: "suspicious"})
	if err != nil {
		t.Fatalf("AddFeedback d (sha256 only, no record): %v", err)
	}

	// Idempotent by ID; never overwritten.
	dup := b
	dup.Note = "overwritten?"
	if got, err := s.AddFeedback(ctx, dup); err != nil || got.Note != b.Note {
		t.Errorf("AddFeedback of an existing id: got (%+v, %v), want the stored entry", got, err)
	}

	tests := []struct {
		name        string
		record, sha string
		want        []store.Feedback
	}{
		{"by record", r1.ID, "", []store.Feedback{a}},
		{"by sha256", "", r1.SHA256, []store.Feedback{b, a}},
		{"by both", r1.ID, r1.SHA256, []store.Feedback{a}},
		{"other record", r2.ID, "", []store.Feedback{c}},
		{"neither: all", "", "", []store.Feedback{b, a, c, d}},
		{"unknown sha256", "", fmt.Sprintf("%064x", 1234), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListFeedback(ctx, tc.record, tc.sha)
			if err != nil {
				t.Fatalf("ListFeedback: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ListFeedback(%q, %q) (-want +got):\n%s", tc.record, tc.sha, diff)
			}
		})
	}
	all, err := s.AllFeedback(ctx)
	if err != nil {
		t.Fatalf("AllFeedback: %v", err)
	}
	if diff := cmp.Diff([]store.Feedback{b, a, c, d}, all); diff != "" {
		t.Errorf("AllFeedback (-want +got):\n%s", diff)
	}
}

func testFeedbackInvalid(t *testing.T, s store.Store) {
	sha := fmt.Sprintf("%064x", 5)
	tests := []struct {
		name string
		fb   store.Feedback
		want error
	}{
		{"unknown disposition", store.Feedback{SHA256: sha, Disposition: "evil"}, store.ErrInvalid},
		{"empty disposition", store.Feedback{SHA256: sha}, store.ErrInvalid},
		{"rating above 5", store.Feedback{SHA256: sha, Disposition: "benign", Rating: 6}, store.ErrInvalid},
		{"negative rating", store.Feedback{SHA256: sha, Disposition: "benign", Rating: -1}, store.ErrInvalid},
		{"no fingerprint", store.Feedback{Disposition: "benign"}, store.ErrInvalid},
		{"unknown record", store.Feedback{RecordID: "missing", Disposition: "benign"}, store.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.AddFeedback(t.Context(), tc.fb); !errors.Is(err, tc.want) {
				t.Errorf("AddFeedback: got %v, want %v", err, tc.want)
			}
		})
	}
	if all, err := s.AllFeedback(t.Context()); err != nil || len(all) != 0 {
		t.Errorf("AllFeedback after rejected adds: got %d, %v; want 0, nil", len(all), err)
	}
}

func testContextCanceled(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Enqueue(ctx, item(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Enqueue: got %v, want context.Canceled", err)
	}
	if _, err := s.PutRecord(ctx, record("rec-1", 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("PutRecord: got %v, want context.Canceled", err)
	}
	if _, err := s.GetRecord(ctx, "rec-1"); !errors.Is(err, context.Canceled) {
		t.Errorf("GetRecord: got %v, want context.Canceled", err)
	}
	if n := pending(t, s); n != 0 {
		t.Errorf("PendingCount: got %d, want 0 (canceled Enqueue must not store)", n)
	}
	if recs := allRecords(t, s); len(recs) != 0 {
		t.Errorf("records: got %d, want 0 (canceled PutRecord must not store)", len(recs))
	}
}

func testUseAfterClose(t *testing.T, s store.Store) {
	ctx := t.Context()
	enqueue(t, s, item(1))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	calls := map[string]func() error{
		"Enqueue":        func() error { _, err := s.Enqueue(ctx, item(2)); return err },
		"Lease":          func() error { _, err := s.Lease(ctx, 1, time.Hour); return err },
		"RecoverLeases":  func() error { _, err := s.RecoverLeases(ctx); return err },
		"Complete":       func() error { _, err := s.Complete(ctx, "item-00001", record("r", 1)); return err },
		"PendingCount":   func() error { _, err := s.PendingCount(ctx); return err },
		"PutRecord":      func() error { _, err := s.PutRecord(ctx, record("r", 1)); return err },
		"GetRecord":      func() error { _, err := s.GetRecord(ctx, "r"); return err },
		"LatestBySHA256": func() error { _, err := s.LatestBySHA256(ctx, "x"); return err },
		"ListRecords":    func() error { _, err := s.ListRecords(ctx, store.Filter{}); return err },
		"RecordsAfter":   func() error { _, err := s.RecordsAfter(ctx, 0, 1); return err },
		"Cursor":         func() error { _, err := s.Cursor(ctx, "sink"); return err },
		"SetCursor":      func() error { return s.SetCursor(ctx, "sink", 1) },
		"AddFeedback": func() error {
			_, err := s.AddFeedback(ctx, store.Feedback{SHA256: "x", Disposition: "benign"})
			return err
		},
		"ListFeedback": func() error { _, err := s.ListFeedback(ctx, "", ""); return err },
		"AllFeedback":  func() error { _, err := s.AllFeedback(ctx); return err },
	}
	for _, name := range slices.Sorted(maps.Keys(calls)) {
		t.Run(name, func(t *testing.T) {
			if err := calls[name](); !errors.Is(err, store.ErrClosed) {
				t.Errorf("got %v, want ErrClosed", err)
			}
		})
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
}

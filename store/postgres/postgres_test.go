package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sync/errgroup"

	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/storetest"
)

// openDSN opens a Store on dsn and closes it at the end of the test.
func openDSN(t testing.TB, dsn string, opts Options) *Store {
	t.Helper()
	s, err := OpenOptions(t.Context(), dsn, nil, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openFresh opens a Store on a fresh, empty schema.
func openFresh(t testing.TB) *Store {
	t.Helper()
	return openDSN(t, pg.DSN(t), Options{})
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openFresh(t) })
}

func TestRegistryConformance(t *testing.T) {
	storetest.RunRegistry(t, func(t *testing.T) store.ModelRegistry { return openFresh(t) })
}

func TestOpenInvalid(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		opts Options
	}{
		{"unparsable dsn", "host=127.0.0.1 port=notaport", Options{}},
		{"bad pool_max_conns", "host=127.0.0.1 pool_max_conns=zero", Options{}},
		{"negative max conns", "host=127.0.0.1", Options{MaxConns: -1}},
		{"owner not text", "host=127.0.0.1", Options{Owner: "a\x00b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := OpenOptions(t.Context(), tc.dsn, nil, tc.opts); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
}

// TestConcurrentOpenMigrates opens one empty database from several
// "hosts" at once: the advisory lock makes them take turns, exactly one
// applies the migrations, and all end at the current version.
func TestConcurrentOpenMigrates(t *testing.T) {
	dsn := pg.DSN(t)
	ms, err := migrations()
	if err != nil {
		t.Fatalf("migrations: %v", err)
	}
	const n = 5
	stores := make([]*Store, n)
	var g errgroup.Group
	for i := range n {
		g.Go(func() error {
			s, err := OpenOptions(t.Context(), dsn, nil, Options{Owner: fmt.Sprintf("host-%d", i), MaxConns: 2})
			stores[i] = s
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("concurrent Open: %v", err)
	}
	for i, s := range stores {
		defer s.Close()
		if v, err := s.SchemaVersion(t.Context()); err != nil || v != len(ms) {
			t.Errorf("store %d: SchemaVersion got (%d, %v), want (%d, nil)", i, v, err, len(ms))
		}
	}
	var rows int
	err = stores[0].conn(t.Context(), func(c *pgxConn) error {
		return c.QueryRow(t.Context(), "SELECT COUNT(*) FROM schema_migrations").Scan(&rows)
	})
	if err != nil || rows != len(ms) {
		t.Errorf("schema_migrations rows: got (%d, %v), want (%d, nil)", rows, err, len(ms))
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dsn := pg.DSN(t)
	s := openDSN(t, dsn, Options{})
	err := s.conn(t.Context(), func(c *pgxConn) error {
		_, err := c.Exec(t.Context(), "INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')")
		return err
	})
	if err != nil {
		t.Fatalf("insert future migration: %v", err)
	}
	if s2, err := Open(t.Context(), dsn, nil); err == nil {
		s2.Close()
		t.Fatal("Open of a newer schema: got nil error, want a refusal")
	} else if !strings.Contains(err.Error(), "newer than this binary") {
		t.Errorf("Open of a newer schema: got %v, want 'newer than this binary'", err)
	}
}

// TestRecoverLeasesOwnOnly: RecoverLeases of one host never releases the
// leases of another live host, and a restart with the same owner gets its
// own leases back at once.
func TestRecoverLeasesOwnOnly(t *testing.T) {
	ctx := t.Context()
	dsn := pg.DSN(t)
	a := openDSN(t, dsn, Options{Owner: "host-a"})
	b := openDSN(t, dsn, Options{Owner: "host-b"})
	for i := range 4 {
		if _, err := a.Enqueue(ctx, store.Item{ID: fmt.Sprintf("it-%d", i)}); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	la, err := a.Lease(ctx, 2, time.Hour)
	if err != nil || len(la) != 2 {
		t.Fatalf("a.Lease: got %d items, %v; want 2", len(la), err)
	}
	lb, err := b.Lease(ctx, 1, time.Hour)
	if err != nil || len(lb) != 1 {
		t.Fatalf("b.Lease: got %d items, %v; want 1", len(lb), err)
	}
	if n, err := b.RecoverLeases(ctx); err != nil || n != 1 {
		t.Errorf("b.RecoverLeases: got (%d, %v), want (1, nil): only b's own lease", n, err)
	}
	got, err := b.Lease(ctx, 10, time.Hour)
	if err != nil {
		t.Fatalf("b.Lease: %v", err)
	}
	if ids := itemIDs(got); !slices.Equal(ids, []string{"it-2", "it-3"}) {
		t.Errorf("b.Lease after its recovery: got %v, want [it-2 it-3] (a's leases must hold)", ids)
	}
	// host-a restarts: a new Store with the same owner recovers a's leases.
	a2 := openDSN(t, dsn, Options{Owner: "host-a"})
	if n, err := a2.RecoverLeases(ctx); err != nil || n != 2 {
		t.Errorf("restarted a.RecoverLeases: got (%d, %v), want (2, nil)", n, err)
	}
	got, err = a2.Lease(ctx, 10, time.Hour)
	if err != nil {
		t.Fatalf("a2.Lease: %v", err)
	}
	if ids := itemIDs(got); !slices.Equal(ids, []string{"it-0", "it-1"}) {
		t.Errorf("a2.Lease: got %v, want [it-0 it-1]", ids)
	}
}

func itemIDs(items []store.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// TestHostsExactlyOnce: several Stores (standing in for sidecars on
// different hosts, each with its own pool and owner) lease and complete
// 2,000 items, some with leases so short that items are handed out again
// while another host still works on them. Every item ends as exactly one
// record, and Seq order is the order RecordsAfter delivers.
func TestHostsExactlyOnce(t *testing.T) {
	ctx := t.Context()
	dsn := pg.DSN(t)
	const (
		hosts   = 4
		workers = 2 // per host
		items   = 2000
	)
	stores := make([]*Store, hosts)
	for h := range hosts {
		stores[h] = openDSN(t, dsn, Options{Owner: fmt.Sprintf("host-%d", h), MaxConns: workers + 1})
	}
	var g errgroup.Group
	for h, s := range stores {
		g.Go(func() error {
			for i := h; i < items; i += hosts {
				if _, err := s.Enqueue(ctx, store.Item{ID: fmt.Sprintf("item-%05d", i), Name: fmt.Sprintf("f%d.ps1", i)}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	var (
		mu          sync.Mutex
		completions = map[string]int{}
	)
	for h, s := range stores {
		for w := range workers {
			lease := time.Minute
			if (h+w)%3 == 0 {
				lease = time.Microsecond // expires at once: duplicate work across hosts
			}
			g.Go(func() error {
				for {
					got, err := s.Lease(ctx, 8, lease)
					if err != nil {
						return fmt.Errorf("host %d: lease: %w", h, err)
					}
					if len(got) == 0 {
						n, err := s.PendingCount(ctx)
						if err != nil || n == 0 {
							return err
						}
						time.Sleep(2 * time.Millisecond)
						continue
					}
					for _, it := range got {
						rec, err := s.Complete(ctx, it.ID, store.Record{ID: "rec-" + it.ID, Name: it.Name, Status: "ok"})
						if err != nil {
							return fmt.Errorf("host %d: complete %s: %w", h, it.ID, err)
						}
						if rec.ID != "rec-"+it.ID || rec.ItemID != it.ID {
							return fmt.Errorf("host %d: complete %s: got record %s of item %s", h, it.ID, rec.ID, rec.ItemID)
						}
						mu.Lock()
						completions[it.ID]++
						mu.Unlock()
					}
				}
			})
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	var (
		recs []store.Record
		seq  int64
	)
	for {
		page, err := stores[0].RecordsAfter(ctx, seq, 1000)
		if err != nil {
			t.Fatalf("RecordsAfter: %v", err)
		}
		if len(page) == 0 {
			break
		}
		recs = append(recs, page...)
		seq = page[len(page)-1].Seq
	}
	if len(recs) != items {
		t.Errorf("records: got %d, want %d", len(recs), items)
	}
	seen := map[string]bool{}
	var last int64
	for _, r := range recs {
		if seen[r.ItemID] {
			t.Errorf("item %s has more than one record", r.ItemID)
		}
		seen[r.ItemID] = true
		if r.Seq <= last {
			t.Errorf("record %s: Seq %d not above %d", r.ID, r.Seq, last)
		}
		last = r.Seq
	}
	for i := range items {
		if id := fmt.Sprintf("item-%05d", i); !seen[id] || completions[id] == 0 {
			t.Errorf("item %s: record %v, completions %d", id, seen[id], completions[id])
		}
	}
	total := 0
	for _, n := range completions {
		total += n
	}
	t.Logf("%d completions for %d items on %d hosts", total, items, hosts)
}

// TestSinkNeverSkips: while several hosts insert records concurrently, a
// sink reads RecordsAfter(cursor) and advances its cursor to the last Seq
// it got. If a record could become visible after one with a higher Seq,
// the sink would step over it; it must end up with every record exactly
// once.
func TestSinkNeverSkips(t *testing.T) {
	ctx := t.Context()
	dsn := pg.DSN(t)
	const (
		writers = 6
		per     = 150
	)
	sink := openDSN(t, dsn, Options{Owner: "sink"})
	var g errgroup.Group
	done := make(chan struct{})
	for w := range writers {
		s := openDSN(t, dsn, Options{Owner: fmt.Sprintf("writer-%d", w), MaxConns: 1})
		g.Go(func() error {
			for i := range per {
				rep := []byte(fmt.Sprintf(`{"iocs":[{"value":"w%d-%d.example"}]}`, w, i))
				if _, err := s.PutRecord(ctx, store.Record{ID: fmt.Sprintf("w%d-r%d", w, i), Report: rep}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	delivered := map[string]int{}
	var cursor int64
	read := func() error {
		page, err := sink.RecordsAfter(ctx, cursor, 50)
		if err != nil {
			return err
		}
		for _, r := range page {
			delivered[r.ID]++
			cursor = r.Seq
		}
		return nil
	}
	go func() {
		_ = g.Wait()
		close(done)
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		if err := read(); err != nil {
			t.Fatalf("RecordsAfter: %v", err)
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("PutRecord: %v", err)
	}
	for { // drain what committed after the last read
		before := cursor
		if err := read(); err != nil {
			t.Fatalf("RecordsAfter: %v", err)
		}
		if cursor == before {
			break
		}
	}
	if len(delivered) != writers*per {
		t.Errorf("sink delivered %d distinct records, want %d (a record was skipped)", len(delivered), writers*per)
	}
	for id, n := range delivered {
		if n != 1 {
			t.Errorf("record %s delivered %d times", id, n)
		}
	}
}

// TestUntrustedText: names, paths and notes that PostgreSQL text cannot
// hold (NUL, invalid UTF-8) round-trip exactly, are searchable in their
// sanitized form, and identifiers that cannot be stored are ErrInvalid.
func TestUntrustedText(t *testing.T) {
	ctx := t.Context()
	s := openFresh(t)
	it := store.Item{ID: "it-1", Path: "/staging/a\x00b", Name: "Rechnung\xff\xfe.js", Source: "mail\x00", Signature: "sig\xc3", SHA256: "ab\x00"}
	if _, err := s.Enqueue(ctx, it); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	got, err := s.Lease(ctx, 1, time.Hour)
	if err != nil || len(got) != 1 {
		t.Fatalf("Lease: got %d items, %v", len(got), err)
	}
	it.Attempts, it.ClaimedAt = 1, got[0].ClaimedAt
	if diff := cmp.Diff(it, got[0]); diff != "" {
		t.Errorf("item round trip (-want +got):\n%s", diff)
	}
	rec := store.Record{ID: "rec-1", Name: "Überweisung\x00\xff.ps1", Path: `C:\drop\€\xfe`, Source: "s\xff", Signature: "x",
		Report: []byte(`{"iocs":[{"value":"bad\u0000host.invalid"}]}`)}
	stored, err := s.Complete(ctx, "it-1", rec)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	back, err := s.GetRecord(ctx, "rec-1")
	if err != nil {
		t.Fatalf("GetRecord: %v", err)
	}
	if diff := cmp.Diff(stored, back); diff != "" {
		t.Errorf("record round trip (-want +got):\n%s", diff)
	}
	if back.Name != rec.Name || back.Path != rec.Path || back.Source != rec.Source {
		t.Errorf("record text: got %q %q %q, want %q %q %q", back.Name, back.Path, back.Source, rec.Name, rec.Path, rec.Source)
	}
	queries := []struct {
		q    string
		want []string
	}{
		{"überweisung", nil},                   // ASCII-case-insensitive only, like SQLite
		{"Überweisung\x00", []string{"rec-1"}}, // NUL searched as its sanitized form
		{"ÜBERWEISUNG", []string{"rec-1"}},     // Ü matches itself, the ASCII letters fold
		{"BERWEISUNG", []string{"rec-1"}},
		{`c:\DROP\€`, []string{"rec-1"}},
		{"bad\x00host", []string{"rec-1"}},
	}
	for _, tc := range queries {
		recs, err := s.ListRecords(ctx, store.Filter{Query: tc.q})
		if err != nil {
			t.Fatalf("ListRecords(%q): %v", tc.q, err)
		}
		var ids []string
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("Query %q: got %v, want %v", tc.q, ids, tc.want)
		}
	}
	fb := store.Feedback{SHA256: "ab", Disposition: "benign", Note: "n\x00te\xff", Analyst: "\xfe"}
	added, err := s.AddFeedback(ctx, fb)
	if err != nil {
		t.Fatalf("AddFeedback: %v", err)
	}
	all, err := s.AllFeedback(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("AllFeedback: got %d, %v", len(all), err)
	}
	if diff := cmp.Diff(added, all[0]); diff != "" || all[0].Note != fb.Note {
		t.Errorf("feedback round trip (-want +got):\n%s", diff)
	}

	invalid := map[string]func() error{
		"item id":   func() error { _, err := s.Enqueue(ctx, store.Item{ID: "x\x00"}); return err },
		"record id": func() error { _, err := s.PutRecord(ctx, store.Record{ID: "r\xff"}); return err },
		"label":     func() error { _, err := s.PutRecord(ctx, store.Record{ID: "r", Label: "\x00"}); return err },
		"sink":      func() error { return s.SetCursor(ctx, "s\x00", 1) },
		"feedback sha256": func() error {
			_, err := s.AddFeedback(ctx, store.Feedback{SHA256: "\xff", Disposition: "benign"})
			return err
		},
		"far future time": func() error {
			_, err := s.PutRecord(ctx, store.Record{ID: "r-future", CreatedAt: time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)})
			return err
		},
	}
	for name, call := range invalid {
		t.Run(name, func(t *testing.T) {
			if err := call(); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
}

// TestReopenPersists: state survives closing and reopening, and a reopen
// applies no migration.
func TestReopenPersists(t *testing.T) {
	ctx := t.Context()
	dsn := pg.DSN(t)
	s, err := Open(ctx, dsn, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := s.Enqueue(ctx, store.Item{ID: "queued", Meta: map[string]string{"k": "v"}}); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	rec, err := s.PutRecord(ctx, store.Record{ID: "rec", Report: []byte(`{"iocs":[{"value":"198.51.100.9"}]}`)})
	if err != nil {
		t.Fatalf("PutRecord: %v", err)
	}
	if err := s.SetCursor(ctx, "ndjson", rec.Seq); err != nil {
		t.Fatalf("SetCursor: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openDSN(t, dsn, Options{})
	if got, err := s.GetRecord(ctx, "rec"); err != nil || !cmp.Equal(got, rec) {
		t.Errorf("GetRecord after reopen: got %+v, %v; want %+v", got, err, rec)
	}
	if recs, err := s.ListRecords(ctx, store.Filter{Query: "198.51.100.9"}); err != nil || len(recs) != 1 {
		t.Errorf("IOC query after reopen: got %d records, %v; want 1", len(recs), err)
	}
	if c, err := s.Cursor(ctx, "ndjson"); err != nil || c != rec.Seq {
		t.Errorf("Cursor after reopen: got (%d, %v), want (%d, nil)", c, err, rec.Seq)
	}
	items, err := s.Lease(ctx, 10, time.Hour)
	if err != nil || len(items) != 1 || items[0].Meta["k"] != "v" {
		t.Errorf("Lease after reopen: got %+v, %v; want the queued item with its meta", items, err)
	}
	next, err := s.PutRecord(ctx, store.Record{ID: "rec-next"})
	if err != nil || next.Seq <= rec.Seq {
		t.Errorf("PutRecord after reopen: got Seq %d (%v), want > %d", next.Seq, err, rec.Seq)
	}
}

func TestPurgeDone(t *testing.T) {
	ctx := t.Context()
	s := openFresh(t)
	for _, id := range []string{"a", "b"} {
		if _, err := s.Enqueue(ctx, store.Item{ID: id}); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	if _, err := s.Complete(ctx, "a", store.Record{ID: "rec-a"}); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if n, err := s.PurgeDone(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("PurgeDone: got (%d, %v), want (1, nil)", n, err)
	}
	if _, err := s.GetRecord(ctx, "rec-a"); err != nil {
		t.Errorf("GetRecord after purge: %v (records stay)", err)
	}
	if n, err := s.PendingCount(ctx); err != nil || n != 1 {
		t.Errorf("PendingCount: got (%d, %v), want (1, nil)", n, err)
	}
}

// TestCloseWaitsAndRefuses: Close waits for a running call, and a call
// blocked on the pool when Close starts fails with ErrClosed instead of
// hanging.
func TestCloseWaitsAndRefuses(t *testing.T) {
	s := openDSN(t, pg.DSN(t), Options{MaxConns: 1})
	started := make(chan struct{})
	slept := make(chan error, 1)
	go func() {
		slept <- s.conn(context.Background(), func(c *pgxConn) error {
			close(started)
			_, err := c.Exec(context.Background(), "SELECT pg_sleep(0.2)")
			return err
		})
	}()
	<-started
	blocked := make(chan error, 1)
	go func() { _, err := s.PendingCount(context.Background()); blocked <- err }()
	time.Sleep(20 * time.Millisecond)
	t0 := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(t0); d < 100*time.Millisecond {
		t.Errorf("Close returned after %v, want it to wait for the running call", d)
	}
	if err := <-slept; err != nil {
		t.Errorf("running call: got %v, want nil (Close must let it finish)", err)
	}
	if err := <-blocked; !errors.Is(err, store.ErrClosed) {
		t.Errorf("call waiting for a connection: got %v, want ErrClosed", err)
	}
}

// TestSupersedesIndex: the lookup "newest update of a record" (the API's
// superseded_by) can use the partial index of migration 0004 even in a
// generic plan, where the parameter's value is unknown: listQuery repeats
// the index's WHERE term.
func TestSupersedesIndex(t *testing.T) {
	ctx := t.Context()
	s := openFresh(t)
	q, args := listQuery(store.Filter{Supersedes: "r-99", Desc: true, Limit: 1})
	if want := []any{"r-99", 1}; !slices.Equal(args, want) {
		t.Fatalf("listQuery args: got %v, want %v", args, want)
	}
	var plan []string
	err := s.conn(ctx, func(c *pgxConn) error {
		// 2,000 originals, every 100th followed by an update of it.
		for _, stmt := range []string{
			`INSERT INTO records (id, item_id, sha256, source, signature, name, path, status, label, language, score,
				rules_version, model_version, duplicate_of, supersedes, created_at)
			SELECT 'r-' || i, '', lpad(i::text, 64, '0'), 'test', '', 'f.ps1', '', 'ok', 'benign', 'powershell', 0, '', '', '',
				CASE WHEN i % 100 = 0 THEN 'r-' || (i - 1) ELSE '' END, now() FROM generate_series(1, 2000) AS i`,
			"ANALYZE records",
			// Plan once for any parameter value, and price a full scan out:
			// the plan then shows whether the index can be used at all.
			"SET plan_cache_mode = force_generic_plan",
			"SET enable_seqscan = off",
			"PREPARE supersedes_lookup AS " + q,
		} {
			if _, err := c.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("%.40s: %w", stmt, err)
			}
		}
		rows, err := c.Query(ctx, "EXPLAIN EXECUTE supersedes_lookup('r-99', 1)")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan = append(plan, line)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, stmt := range []string{"DEALLOCATE supersedes_lookup", "RESET plan_cache_mode", "RESET enable_seqscan"} {
			if _, err := c.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	if !slices.ContainsFunc(plan, func(l string) bool { return strings.Contains(l, "using records_supersedes") }) {
		t.Errorf("generic plan of a Supersedes lookup:\n%s\nwant a scan using records_supersedes", strings.Join(plan, "\n"))
	}
	if recs, err := s.ListRecords(ctx, store.Filter{Supersedes: "r-99", Desc: true, Limit: 1}); err != nil || len(recs) != 1 || recs[0].ID != "r-100" {
		t.Errorf("newest update of r-99: got %d records (%v), want [r-100]", len(recs), err)
	}
}

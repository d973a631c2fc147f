package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/storetest"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "automaldesc.db"), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestReopenPersists(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "a.db")
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	for _, id := range []string{"done", "leased", "queued"} {
		if _, err := s.Enqueue(ctx, store.Item{ID: id, Path: "/staging/" + id, Meta: map[string]string{"k": id}}); err != nil {
			t.Fatalf("Enqueue(%s): %v", id, err)
		}
	}
	if _, err := s.Lease(ctx, 2, time.Hour); err != nil {
		t.Fatalf("Lease: %v", err)
	}
	rec, err := s.Complete(ctx, "done", store.Record{ID: "rec-done", SHA256: "ab", Label: "malicious", Report: []byte(`{"iocs":[{"value":"198.51.100.9"}]}`)})
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if err := s.SetCursor(ctx, "ndjson", rec.Seq); err != nil {
		t.Fatalf("SetCursor: %v", err)
	}
	fb, err := s.AddFeedback(ctx, store.Feedback{RecordID: "rec-done", Disposition: "confirm"})
	if err != nil {
		t.Fatalf("AddFeedback: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if v, err := s.SchemaVersion(ctx); err != nil || v != len(mustMigrations(t)) {
		t.Errorf("SchemaVersion: got (%d, %v), want (%d, nil)", v, err, len(mustMigrations(t)))
	}
	got, err := s.GetRecord(ctx, "rec-done")
	if err != nil {
		t.Fatalf("GetRecord: %v", err)
	}
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("record after reopen (-want +got):\n%s", diff)
	}
	if recs, err := s.ListRecords(ctx, store.Filter{Query: "198.51.100.9"}); err != nil || len(recs) != 1 {
		t.Errorf("IOC query after reopen: got %d records, %v; want 1", len(recs), err)
	}
	if c, err := s.Cursor(ctx, "ndjson"); err != nil || c != rec.Seq {
		t.Errorf("Cursor after reopen: got (%d, %v), want (%d, nil)", c, err, rec.Seq)
	}
	if fbs, err := s.AllFeedback(ctx); err != nil || len(fbs) != 1 || fbs[0].ID != fb.ID {
		t.Errorf("feedback after reopen: got %+v, %v; want [%s]", fbs, err, fb.ID)
	}
	if n, err := s.PendingCount(ctx); err != nil || n != 2 {
		t.Errorf("PendingCount after reopen: got (%d, %v), want (2, nil)", n, err)
	}
	if items, err := s.Lease(ctx, 10, time.Hour); err != nil || len(items) != 1 || items[0].ID != "queued" {
		t.Errorf("Lease before RecoverLeases: got %+v, %v; want only the unleased item", items, err)
	}
	if n, err := s.RecoverLeases(ctx); err != nil || n != 2 {
		t.Errorf("RecoverLeases: got (%d, %v), want (2, nil)", n, err)
	}
	items, err := s.Lease(ctx, 10, time.Hour)
	if err != nil || len(items) != 2 || items[0].ID != "leased" || items[0].Attempts != 2 || items[0].Meta["k"] != "leased" {
		t.Errorf("Lease after RecoverLeases: got %+v, %v; want leased (2 attempts) and queued", items, err)
	}
	// A later record gets a higher Seq than any before the restart.
	next, err := s.PutRecord(ctx, store.Record{ID: "rec-next"})
	if err != nil || next.Seq <= rec.Seq {
		t.Errorf("PutRecord after reopen: got Seq %d (%v), want > %d", next.Seq, err, rec.Seq)
	}
}

func mustMigrations(t *testing.T) []migration {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatalf("migrations: %v", err)
	}
	return ms
}

func TestMigrations(t *testing.T) {
	ms := mustMigrations(t)
	if len(ms) == 0 {
		t.Fatal("no embedded migrations")
	}
	for i, m := range ms {
		if m.version != i+1 || strings.TrimSpace(m.sql) == "" {
			t.Errorf("migration %d: got version %d (%d bytes), want version %d with SQL", i, m.version, len(m.sql), i+1)
		}
	}

	t.Run("idempotent", func(t *testing.T) {
		ctx := t.Context()
		s := openTemp(t)
		v, applied, err := migrate(ctx, s.w)
		if err != nil || v != len(ms) || applied != 0 {
			t.Errorf("migrate on a current schema: got (%d, %d, %v), want (%d, 0, nil)", v, applied, err, len(ms))
		}
		var rows int
		if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&rows); err != nil || rows != len(ms) {
			t.Errorf("schema_migrations rows: got (%d, %v), want %d", rows, err, len(ms))
		}
	})

	t.Run("newer schema refused", func(t *testing.T) {
		ctx := t.Context()
		path := filepath.Join(t.TempDir(), "future.db")
		s, err := Open(ctx, path, nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if _, err := s.w.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)", len(ms)+1); err != nil {
			t.Fatalf("insert future version: %v", err)
		}
		s.Close()
		if s, err := Open(ctx, path, nil); err == nil || !strings.Contains(err.Error(), "newer") {
			if s != nil {
				s.Close()
			}
			t.Errorf("Open of a newer schema: got %v, want an error naming the newer version", err)
		}
	})

	t.Run("pragmas", func(t *testing.T) {
		ctx := t.Context()
		s := openTemp(t)
		for _, tc := range []struct {
			pragma string
			want   string
		}{
			{"journal_mode", "wal"},
			{"foreign_keys", "1"},
			{"synchronous", "1"}, // NORMAL
			{"busy_timeout", fmt.Sprint(busyTimeoutMS)},
		} {
			for name, q := range map[string]*sql.DB{"writer": s.w, "reader": s.r} {
				var got string
				if err := q.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
					t.Fatalf("%s: PRAGMA %s: %v", name, tc.pragma, err)
				}
				if !strings.EqualFold(got, tc.want) {
					t.Errorf("%s: PRAGMA %s: got %s, want %s", name, tc.pragma, got, tc.want)
				}
			}
		}
		if _, err := s.r.ExecContext(ctx, "DELETE FROM records"); err == nil {
			t.Error("reader pool accepted a write, want query_only")
		}
	})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
	}{
		{"empty", ""},
		{"memory", ":memory:"},
		{"uri", "file:x.db"},
		{"query", filepath.Join(dir, "x.db?mode=ro")},
		{"missing dir", filepath.Join(dir, "no", "such", "dir", "x.db")},
		{"directory", dir},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(t.Context(), tc.path, nil)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q): got nil error", tc.path)
			}
			if !strings.Contains(err.Error(), "sqlite") {
				t.Errorf("Open(%q): got %q, want an error naming the backend", tc.path, err)
			}
		})
	}
	// Not a database.
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(t.Context(), junk, nil); err == nil {
		s.Close()
		t.Error("Open(junk file): got nil error")
	}
}

func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mode.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("database file mode: got %v, want 0600", got)
	}
}

func TestTwoStoresOneFile(t *testing.T) {
	// Two processes (here: two Stores) on one file take turns through
	// BEGIN IMMEDIATE and busy_timeout instead of failing.
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("Open a: %v", err)
	}
	defer a.Close()
	b, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("Open b: %v", err)
	}
	defer b.Close()
	errs := make(chan error, 2)
	for _, s := range []*Store{a, b} {
		go func() {
			for i := range 200 {
				id := fmt.Sprintf("%p-%d", s, i)
				if _, err := s.Enqueue(ctx, store.Item{ID: id}); err != nil {
					errs <- err
					return
				}
				if _, err := s.Complete(ctx, id, store.Record{ID: "rec-" + id}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	recs, err := a.ListRecords(ctx, store.Filter{Limit: store.MaxLimit})
	if err != nil || len(recs) != 400 {
		t.Errorf("records: got %d, %v; want 400", len(recs), err)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Seq <= recs[i-1].Seq {
			t.Fatalf("Seq not increasing at %d: %d after %d", i, recs[i].Seq, recs[i-1].Seq)
		}
	}
}

func TestCloseWhileBusy(t *testing.T) {
	// Close during concurrent use: every call either succeeds or reports
	// ErrClosed; none hangs or panics.
	s := openTemp(t)
	ctx := t.Context()
	done := make(chan error, 4)
	for w := range 4 {
		go func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("w%d-%d", w, i)
				_, err := s.Enqueue(ctx, store.Item{ID: id})
				if err == nil {
					_, err = s.Complete(ctx, id, store.Record{ID: "rec-" + id})
				}
				if err == nil {
					_, err = s.ListRecords(ctx, store.Filter{Limit: 5, Desc: true})
				}
				if err != nil {
					if errors.Is(err, store.ErrClosed) {
						err = nil
					}
					done <- err
					return
				}
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Errorf("worker: got %v, want nil or ErrClosed", err)
		}
	}
}

// TestSupersedesIndex: the lookup "newest update of a record" (the API's
// superseded_by) is served by the partial index of migration 0004, which
// SQLite only uses because listQuery repeats the index's WHERE term.
func TestSupersedesIndex(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	// 2,000 originals, every 100th followed by an update of it.
	if _, err := s.w.ExecContext(ctx, `INSERT INTO records (id, item_id, sha256, source, signature, name, path, status,
		label, language, score, rules_version, model_version, duplicate_of, supersedes, created_at)
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
		SELECT 'r-' || i, '', printf('%064d', i), 'test', '', 'f.ps1', '', 'ok', 'benign', 'powershell', 0, '', '', '',
			CASE WHEN i % 100 = 0 THEN 'r-' || (i - 1) ELSE '' END, i FROM n`); err != nil {
		t.Fatalf("insert records: %v", err)
	}
	q, args := listQuery(store.Filter{Supersedes: "r-99", Desc: true, Limit: 1})
	rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatalf("scan plan: %v", err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("plan rows: %v", err)
	}
	if !slices.ContainsFunc(plan, func(d string) bool { return strings.Contains(d, "USING INDEX records_supersedes") }) {
		t.Errorf("plan of a Supersedes lookup: got %q, want a search USING INDEX records_supersedes", plan)
	}
	if recs, err := s.ListRecords(ctx, store.Filter{Supersedes: "r-99", Desc: true, Limit: 1}); err != nil || len(recs) != 1 || recs[0].ID != "r-100" {
		t.Errorf("newest update of r-99: got %v, %v; want [r-100]", recordIDs(recs), err)
	}
}

func recordIDs(recs []store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/automaldesc/automaldesc/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go)
)

var _ store.Store = (*Store)(nil)

// busyTimeoutMS is how long a connection waits for a lock held by another
// connection (another process on the same file, or a checkpoint) before
// failing with SQLITE_BUSY. Within one process writes are serialised by the
// single writer connection, so the wait only happens across processes.
const busyTimeoutMS = 10000

// readConns is the size of the read pool. WAL readers never block the
// writer nor each other.
const readConns = 4

// pragmas are applied to every connection of both pools.
//
// synchronous=NORMAL: in WAL mode a commit has written its frames to the WAL
// file (write(2) into the OS page cache) before it returns, so a committed
// transaction survives the death of the PROCESS (kill -9, panic, OOM kill);
// only an OS crash or power loss can lose the last commits, and never
// corrupts the database. That is the failure the queue has to survive
// cheaply: FULL would add an fsync per commit (milliseconds on most disks)
// and cap Enqueue+Complete far below the throughput budget. What a power
// loss can cost is bounded by the design: a lost Complete re-analyses the
// item into the same record id, a lost cursor re-delivers (at-least-once),
// and a lost Enqueue leaves the claimed file in staging for the sidecar's
// startup rescan.
var pragmas = []string{
	"busy_timeout(" + strconv.Itoa(busyTimeoutMS) + ")",
	"foreign_keys(1)",
	"synchronous(NORMAL)",
	"temp_store(MEMORY)",
}

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is the SQLite implementation of store.Store. It is safe for
// concurrent use: writes go through one connection (serialised in this
// process, BEGIN IMMEDIATE against other processes), reads through a small
// pool of WAL readers.
type Store struct {
	w      *sql.DB // writer: one connection
	r      *sql.DB // readers: query_only
	ws, rs stmts   // prepared statements of the writer and the readers
	log    *slog.Logger
	path   string
	closed atomic.Bool
	once   sync.Once
	cerr   error
}

// Open opens (creating it if needed) the database at path and applies the
// pending schema migrations. The file is created with mode 0600: records
// hold attacker-controlled text and analyst notes. A nil log discards.
func Open(ctx context.Context, path string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "store", "backend", "sqlite")
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite %q: open: need a plain file path (no URI, no '?', not :memory:): %w", path, store.ErrInvalid)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: open: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("sqlite %s: open: %w", path, err)
	}

	w, err := openPool(path, 1, "_txlock=immediate", "_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, err
	}
	s := &Store{w: w, log: log, path: path}
	// The writer first: it switches the file to WAL, which readers need.
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite %s: open: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		w.Close()
		return nil, fmt.Errorf("sqlite %s: open: journal mode is %q, want wal", path, mode)
	}
	version, applied, err := migrate(ctx, w)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	if s.ws, err = prepare(ctx, w, writeSQL); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	r, err := openPool(path, readConns, "_pragma=query_only(1)")
	if err != nil {
		s.ws.close()
		w.Close()
		return nil, err
	}
	s.r = r
	if s.rs, err = prepare(ctx, r, readSQL); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite %s: open readers: %w", path, err)
	}
	log.Info("store opened", "path", path, "schema_version", version, "migrations_applied", applied)
	return s, nil
}

func openPool(path string, conns int, extra ...string) (*sql.DB, error) {
	q := make([]string, 0, len(pragmas)+len(extra))
	for _, p := range pragmas {
		q = append(q, "_pragma="+p)
	}
	q = append(q, extra...)
	db, err := sql.Open("sqlite", path+"?"+strings.Join(q, "&"))
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: open: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	return db, nil
}

// Close waits for running operations, checkpoints the WAL and closes both
// pools. Later calls return nil.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.closed.Store(true)
		var errs []error
		if s.rs != nil {
			errs = append(errs, s.rs.close())
		}
		if s.r != nil {
			errs = append(errs, s.r.Close())
		}
		if s.ws != nil {
			errs = append(errs, s.ws.close())
		}
		// Best effort: fold the WAL back into the main file so a copy of
		// the database file alone is complete. Failure only costs space.
		if _, err := s.w.Exec("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			s.log.Debug("close: checkpoint", "err", err)
		}
		errs = append(errs, s.w.Close())
		if err := errors.Join(errs...); err != nil {
			s.cerr = fmt.Errorf("sqlite %s: close: %w", s.path, err)
		}
		s.log.Info("store closed", "path", s.path)
	})
	return s.cerr
}

// check fails fast after Close.
func (s *Store) check() error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return nil
}

// wrap adds the entity and maps errors from a pool closed under a running
// call to ErrClosed.
func (s *Store) wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if s.closed.Load() && !errors.Is(err, store.ErrClosed) {
		err = fmt.Errorf("%w: %w", store.ErrClosed, err)
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// tx runs fn in one write transaction (BEGIN IMMEDIATE via _txlock) and
// commits it, or rolls back when fn fails.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error that matters is fn's
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// migration is one embedded schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded files NNNN_name.sql in version order and
// checks that versions are unique and contiguous from 1.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", name)
		}
		b, err := migrationFS.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(name, ".sql"), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d (versions must be contiguous from 1)", m.name, m.version, i+1)
		}
	}
	return ms, nil
}

// migrate applies the pending migrations, each in its own transaction
// together with its schema_migrations row, so a crash leaves the schema at
// a known version. It returns the resulting version and how many were
// applied. BEGIN IMMEDIATE makes concurrent openers of one file take turns.
func migrate(ctx context.Context, db *sql.DB) (version, applied int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL)`); err != nil {
		return 0, 0, fmt.Errorf("schema_migrations: create: %w", err)
	}
	for _, m := range ms {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return version, applied, fmt.Errorf("migration %s: begin: %w", m.name, err)
		}
		var cur int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
			_ = tx.Rollback()
			return version, applied, fmt.Errorf("migration %s: current version: %w", m.name, err)
		}
		if cur >= m.version {
			_ = tx.Rollback()
			version = cur
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			_ = tx.Rollback()
			return version, applied, fmt.Errorf("migration %s: apply: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.version, m.name, time.Now().UnixNano()); err != nil {
			_ = tx.Rollback()
			return version, applied, fmt.Errorf("migration %s: record: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return version, applied, fmt.Errorf("migration %s: commit: %w", m.name, err)
		}
		version = m.version
		applied++
	}
	var cur int
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
		return version, applied, fmt.Errorf("schema_migrations: read: %w", err)
	}
	if cur > len(ms) {
		return cur, applied, fmt.Errorf("schema version %d is newer than this binary knows (%d): refusing to use it", cur, len(ms))
	}
	return cur, applied, nil
}

// SchemaVersion returns the schema version the database is at.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	var v int
	err := s.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, s.wrap(err, "schema version")
}

// Time helpers: unix nanoseconds in UTC; 0 is the zero time.

func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

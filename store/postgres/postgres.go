package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/automaldesc/automaldesc/store"
)

var (
	_ store.Store         = (*Store)(nil)
	_ store.ModelRegistry = (*Store)(nil)
)

// Advisory lock keys (per database). They spell "automal" followed by a
// purpose byte, so they do not collide with small integers other
// applications of the same database may use.
const (
	// lockMigrate (session level) makes concurrent Opens apply the
	// migrations one after the other.
	lockMigrate int64 = 0x6175746f6d616c01
	// lockRecords (transaction level) serialises record inserts so that
	// Seq order is commit order (records.go).
	lockRecords int64 = 0x6175746f6d616c02
	// lockModels (transaction level) serialises promotions and rollbacks.
	lockModels int64 = 0x6175746f6d616c03
)

// rollbackWait bounds the rollback of a failed transaction whose context
// may already be done.
const rollbackWait = 5 * time.Second

//go:embed migrations/*.sql
var migrationFS embed.FS

// Options tune a Store beyond its DSN. The zero value is ready to use.
type Options struct {
	// Owner names this process in the leases it takes: RecoverLeases
	// releases only the leases of its owner, never those of other live
	// processes. Default: the host name, so that a sidecar restarted on
	// its host recovers the leases of its previous run. Processes on one
	// host that share a database must set distinct owners (for example
	// "host/instance"); an owner that never comes back leaves its leases
	// to expire.
	Owner string
	// MaxConns caps the connections of this Store. Default: the DSN's
	// pool_max_conns parameter, else max(4, GOMAXPROCS).
	MaxConns int
}

// Store is the PostgreSQL implementation of store.Store and
// store.ModelRegistry. It is safe for concurrent use, and many Stores (in
// many processes on many hosts) may share one database.
type Store struct {
	p      *pool
	log    *slog.Logger
	owner  string
	where  string // host/database for errors and logs (no credentials)
	closed atomic.Bool
	once   sync.Once
	cerr   error
}

// Open connects to the database of the DSN (a libpq connection string or
// URL, as pgx parses it) and applies the pending schema migrations, with
// default Options. A nil log discards.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*Store, error) {
	return OpenOptions(ctx, dsn, log, Options{})
}

// OpenOptions is Open with Options.
func OpenOptions(ctx context.Context, dsn string, log *slog.Logger, opts Options) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "store", "backend", "postgres")
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx redacts the password in its parse errors.
		return nil, fmt.Errorf("postgres: parse dsn: %w: %w", store.ErrInvalid, err)
	}
	max, err := poolParams(cfg, opts.MaxConns)
	if err != nil {
		return nil, err
	}
	owner := opts.Owner
	if owner == "" {
		if owner, err = os.Hostname(); err != nil || owner == "" {
			owner = "host-" + uuid.NewString()
			log.Warn("no host name: leases get a random owner; RecoverLeases after a restart will not find them", "err", err)
		}
	}
	if err := validText("owner", owner); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	where := cfg.Host + ":" + strconv.Itoa(int(cfg.Port)) + "/" + cfg.Database
	s := &Store{p: newPool(cfg, max), log: log, owner: owner, where: where}
	version, applied, err := s.migrate(ctx)
	if err != nil {
		_ = s.p.close()
		return nil, fmt.Errorf("postgres %s: %w", where, err)
	}
	log.Info("store opened", "server", where, "schema_version", version, "migrations_applied", applied,
		"owner", owner, "max_conns", max)
	return s, nil
}

// poolParams takes the pool_* parameters (pgxpool's names) out of the
// runtime parameters, which would otherwise be sent to the server, and
// returns the pool size.
func poolParams(cfg *pgx.ConnConfig, maxConns int) (int, error) {
	max := max(4, runtime.GOMAXPROCS(0))
	for k, v := range cfg.RuntimeParams {
		if !strings.HasPrefix(k, "pool_") {
			continue
		}
		delete(cfg.RuntimeParams, k)
		if k != "pool_max_conns" {
			continue // pgxpool tuning without a counterpart here
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("postgres: dsn: pool_max_conns %q not a positive integer: %w", v, store.ErrInvalid)
		}
		max = n
	}
	if maxConns < 0 {
		return 0, fmt.Errorf("postgres: max conns %d negative: %w", maxConns, store.ErrInvalid)
	}
	if maxConns > 0 {
		max = maxConns
	}
	return max, nil
}

// Owner returns the owner id this Store tags its leases with.
func (s *Store) Owner() string { return s.owner }

// Close waits for running operations and closes the connections. Later
// calls return nil.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.closed.Store(true)
		if err := s.p.close(); err != nil {
			s.cerr = fmt.Errorf("postgres %s: close: %w", s.where, err)
		}
		s.log.Info("store closed", "server", s.where)
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

// wrap adds the entity, maps errors of a store closed under a running call
// to ErrClosed and data PostgreSQL refuses (bad encoding, out-of-range
// times and numbers) to ErrInvalid.
func (s *Store) wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if s.closed.Load() && !errors.Is(err, store.ErrClosed) {
		err = fmt.Errorf("%w: %w", store.ErrClosed, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && !errors.Is(err, store.ErrInvalid) {
		switch pe.Code {
		case "22021", // character_not_in_repertoire (invalid UTF-8, NUL)
			"22P05", // untranslatable_character
			"22008", // datetime_field_overflow
			"22003": // numeric_value_out_of_range
			err = fmt.Errorf("%w: %w", store.ErrInvalid, err)
		}
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// querier is what *pgx.Conn and pgx.Tx share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// conn runs fn on a borrowed connection (autocommit).
func (s *Store) conn(ctx context.Context, fn func(c *pgx.Conn) error) error {
	pc, err := s.p.acquire(ctx)
	if err != nil {
		return err
	}
	defer s.p.release(pc)
	return fn(pc.c)
}

// tx runs fn in one READ COMMITTED transaction and commits it, or rolls
// back when fn fails.
func (s *Store) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return s.conn(ctx, func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		if err := fn(tx); err != nil {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackWait)
			defer cancel()
			_ = tx.Rollback(rctx) // the error that matters is fn's; a broken connection is discarded
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	})
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

// migrate applies the pending migrations while holding the session-level
// advisory lock lockMigrate, so that many processes opening the database at
// once take turns: the first applies, the others find the schema current.
// Each migration runs in its own transaction together with its
// schema_migrations row (PostgreSQL DDL is transactional), so a crash
// leaves the schema at a known version. A schema newer than this binary is
// refused.
func (s *Store) migrate(ctx context.Context) (version, applied int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	pc, err := s.p.acquire(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("connect: %w", err)
	}
	c := pc.c
	defer func() {
		if err != nil {
			closeConn(c) // ends the session and with it the lock
		} else if _, uerr := c.Exec(ctx, "SELECT pg_advisory_unlock($1)", lockMigrate); uerr != nil {
			closeConn(c)
		}
		s.p.release(pc)
	}()
	if _, err := c.Exec(ctx, "SELECT pg_advisory_lock($1)", lockMigrate); err != nil {
		return 0, 0, fmt.Errorf("migrations: lock: %w", err)
	}
	if _, err := c.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, 0, fmt.Errorf("schema_migrations: create: %w", err)
	}
	if err := c.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&version); err != nil {
		return 0, 0, fmt.Errorf("schema_migrations: read: %w", err)
	}
	if version > len(ms) {
		return version, 0, fmt.Errorf("schema version %d is newer than this binary knows (%d): refusing to use it", version, len(ms))
	}
	for _, m := range ms[version:] {
		err := pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("apply: %w", err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
				return fmt.Errorf("record: %w", err)
			}
			return nil
		})
		if err != nil {
			return version, applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
		version = m.version
		applied++
	}
	return version, applied, nil
}

// SchemaVersion returns the schema version the database is at.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	var v int
	err := s.conn(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	})
	return v, s.wrap(err, "schema version")
}

// Times: PostgreSQL keeps microseconds; values are truncated to them
// before they are stored so that what a method returns equals what a
// later read returns, and read back in UTC.

func micro(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

// ceilMicro rounds up to the next microsecond: for stored (microsecond)
// values v, v >= t exactly when v >= ceilMicro(t), and likewise for <.
func ceilMicro(t time.Time) time.Time {
	c := t.Truncate(time.Microsecond)
	if c.Before(t) {
		c = c.Add(time.Microsecond)
	}
	return c.UTC()
}

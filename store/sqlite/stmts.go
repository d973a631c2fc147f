package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The SQL of the hot paths, prepared once at Open: parsing a statement
// costs about as much as running it.

const recordColumns = `r.seq, r.id, r.item_id, r.sha256, r.source, r.signature, r.name, r.path, r.status,
	r.label, r.language, r.score, r.rules_version, r.model_version, r.duplicate_of, r.supersedes, r.created_at,
	COALESCE(p.report, X'')`

// recordFrom joins each record with its report.
const recordFrom = ` FROM records r LEFT JOIN record_reports p ON p.record_seq = r.seq`

const (
	sqlEnqueue = `INSERT INTO items
		(id, path, name, source, signature, size, sha256, claimed_at, meta)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`
	sqlLease = `UPDATE items
		SET attempts = attempts + 1, lease_until = ?
		WHERE seq IN (
			SELECT seq FROM items
			WHERE done = 0 AND lease_until <= ?
			ORDER BY seq LIMIT ?)
		RETURNING seq, id, path, name, source, signature, size, sha256, claimed_at, meta, attempts`
	sqlItemState    = `SELECT done, record_id FROM items WHERE id = ?`
	sqlMarkDone     = `UPDATE items SET done = 1, lease_until = 0, done_at = ?, record_id = ? WHERE id = ?`
	sqlInsertRecord = `INSERT INTO records
		(id, item_id, sha256, source, signature, name, path, status, label, language,
		 score, rules_version, model_version, duplicate_of, supersedes, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING
		RETURNING seq`
	sqlInsertReport = `INSERT INTO record_reports (record_seq, report) VALUES (?, ?)`
	sqlInsertIOC    = `INSERT INTO record_iocs (record_seq, value) VALUES (?, ?) ON CONFLICT DO NOTHING`
	sqlGetRecord    = `SELECT ` + recordColumns + recordFrom + ` WHERE r.id = ?`
	sqlLatest       = `SELECT ` + recordColumns + recordFrom + ` WHERE r.sha256 = ? ORDER BY r.seq DESC LIMIT 1`
	sqlAfter        = `SELECT ` + recordColumns + recordFrom + ` WHERE r.seq > ? ORDER BY r.seq LIMIT ?`
	sqlPending      = `SELECT COUNT(*) FROM items WHERE done = 0`
	sqlCursor       = `SELECT seq FROM cursors WHERE sink = ?`
	sqlSetCursor    = `INSERT INTO cursors (sink, seq, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`
)

// writeSQL are prepared on the writer. They must be prepared before any
// transaction runs: the writer has one connection, which a transaction
// holds.
var writeSQL = []string{
	sqlEnqueue, sqlLease, sqlItemState, sqlMarkDone, sqlInsertRecord, sqlInsertReport, sqlInsertIOC,
	sqlGetRecord, sqlSetCursor,
}

// readSQL are prepared on the read pool (per connection, lazily by
// database/sql).
var readSQL = []string{sqlGetRecord, sqlLatest, sqlAfter, sqlPending, sqlCursor}

// stmts maps SQL text to its prepared statement; immutable after Open.
type stmts map[string]*sql.Stmt

func prepare(ctx context.Context, db *sql.DB, queries []string) (stmts, error) {
	m := make(stmts, len(queries))
	for _, q := range queries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			m.close()
			return nil, fmt.Errorf("prepare %.40q: %w", q, err)
		}
		m[q] = st
	}
	return m, nil
}

// get returns the prepared statement of q; q must be one of the lists.
func (m stmts) get(q string) *sql.Stmt {
	st, ok := m[q]
	if !ok {
		panic(fmt.Sprintf("sqlite: statement not prepared: %.60q", q)) // programming error
	}
	return st
}

// in returns q's statement bound to tx.
func (m stmts) in(ctx context.Context, tx *sql.Tx, q string) *sql.Stmt {
	return tx.StmtContext(ctx, m.get(q))
}

func (m stmts) close() error {
	var errs []error
	for _, st := range m {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/automaldesc/automaldesc/store"
)

// Seq order is commit order
//
// A sink reads RecordsAfter(cursor) and moves its cursor to the highest
// Seq it delivered. That is only safe if a record can never become visible
// after a record with a higher Seq: with a plain sequence, transaction A
// takes Seq 10, transaction B takes Seq 11 and commits first, a sink
// delivers 11 and moves its cursor past 10, and A's record, committed a
// moment later, is never delivered.
//
// Every record insert therefore runs under the transaction-level advisory
// lock lockRecords: the transaction takes the lock, draws its Seq from the
// identity sequence by inserting the row, and holds the lock until it
// commits or rolls back. Seq values are thus drawn in the order in which
// the lock is granted, and the transaction that holds Seq n has ended
// (committed: visible to every snapshot taken from then on; or rolled
// back: Seq n is a gap that never appears) before any transaction can
// draw a Seq above n. A reader whose snapshot shows record n was
// therefore taken after n's commit, hence after every lower Seq committed,
// and sees all of them. The lock is taken as the last step of Complete and
// PutRecord (after the item row is locked and the record is built), and
// the insert of the record, its report and its IOC index plus the marking
// of the item are sent in one pipelined batch, so the serialised section
// is about two round trips (batch, commit) per record. Rolled-back inserts
// and ON CONFLICT no-ops leave gaps: Seq is strictly increasing, not dense.

const recordColumns = `r.seq, r.id, r.item_id, r.sha256, r.source, r.signature, r.name, r.path, r.status,
	r.label, r.language, r.score, r.rules_version, r.model_version, r.duplicate_of, r.supersedes, r.created_at, r.raw,
	p.report`

// recordFrom joins each record with its report.
const recordFrom = ` FROM records r LEFT JOIN record_reports p ON p.record_seq = r.seq`

const (
	// sqlInsertRecord inserts the record, its report and its IOC values in
	// one statement and returns the new Seq, or no row when the id exists.
	sqlInsertRecord = `WITH r AS (
		INSERT INTO records
			(id, item_id, sha256, source, signature, name, path, status, label, language,
			 score, rules_version, model_version, duplicate_of, supersedes, created_at, raw)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (id) DO NOTHING
		RETURNING seq),
	rp AS (INSERT INTO record_reports (record_seq, report) SELECT seq, $18::bytea FROM r WHERE $18::bytea IS NOT NULL),
	ri AS (INSERT INTO record_iocs (record_seq, value) SELECT r.seq, v FROM r CROSS JOIN unnest($19::text[]) AS v)
	SELECT seq FROM r`
	sqlGetRecord = `SELECT ` + recordColumns + recordFrom + ` WHERE r.id = $1`
	sqlLatest    = `SELECT ` + recordColumns + recordFrom + ` WHERE r.sha256 = $1 ORDER BY r.seq DESC LIMIT 1`
	sqlAfter     = `SELECT ` + recordColumns + recordFrom + ` WHERE r.seq > $1 ORDER BY r.seq LIMIT $2`
	sqlCursor    = `SELECT seq FROM cursors WHERE sink = $1`
	sqlSetCursor = `INSERT INTO cursors (sink, seq, updated_at) VALUES ($1, $2, clock_timestamp())
		ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`
)

// likeMatch is a case-insensitive match of a store.LikePattern: ILIKE under
// the "C" collation folds ASCII letters only (the contract of
// Filter.Query), whatever the database's locale. E'\\' is one backslash
// whatever standard_conforming_strings says.
const likeMatch = ` ILIKE %s COLLATE "C" ESCAPE E'\\'`

// scanRecord reads one row of recordColumns.
func scanRecord(row pgx.Row) (store.Record, error) {
	var (
		r           store.Record
		raw, report []byte
	)
	err := row.Scan(&r.Seq, &r.ID, &r.ItemID, &r.SHA256, &r.Source, &r.Signature, &r.Name, &r.Path,
		&r.Status, &r.Label, &r.Language, &r.Score, &r.RulesVersion, &r.ModelVersion, &r.DuplicateOf,
		&r.Supersedes, &r.CreatedAt, &raw, &report)
	if err != nil {
		return store.Record{}, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	if err := restore(raw, map[string]*string{
		"source": &r.Source, "signature": &r.Signature, "name": &r.Name, "path": &r.Path,
	}); err != nil {
		return store.Record{}, fmt.Errorf("record %s: %w", r.ID, err)
	}
	if len(report) > 0 {
		r.Report = report
	}
	return r, nil
}

func getRecord(ctx context.Context, q querier, id string) (store.Record, error) {
	r, err := scanRecord(q.QueryRow(ctx, sqlGetRecord, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Record{}, store.ErrNotFound
	}
	return r, err
}

// insert is a record ready to be stored: validated, its times truncated
// and its text made storable.
type insert struct {
	rec  store.Record // what a successful insert returns (Seq set then)
	args []any
}

func newInsert(rec store.Record) (insert, error) {
	for _, f := range []struct{ what, v string }{
		{"record id", rec.ID}, {"item id", rec.ItemID}, {"sha256", rec.SHA256}, {"status", rec.Status},
		{"label", rec.Label}, {"language", rec.Language}, {"rules version", rec.RulesVersion},
		{"model version", rec.ModelVersion}, {"duplicate of", rec.DuplicateOf}, {"supersedes", rec.Supersedes},
	} {
		if err := validText(f.what, f.v); err != nil {
			return insert{}, err
		}
	}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = time.Now()
	}
	rec.CreatedAt = micro(rec.CreatedAt)
	if len(rec.Report) == 0 {
		rec.Report = nil
	}
	e := exact{}
	args := []any{rec.ID, rec.ItemID, rec.SHA256, e.text("source", rec.Source), e.text("signature", rec.Signature),
		e.text("name", rec.Name), e.text("path", rec.Path), rec.Status, rec.Label, rec.Language, rec.Score,
		rec.RulesVersion, rec.ModelVersion, rec.DuplicateOf, rec.Supersedes, rec.CreatedAt}
	args = append(args, e.raw(), rec.Report, iocIndex(rec.Report))
	return insert{rec: rec, args: args}, nil
}

// iocIndex returns the report's IOC values as storable, distinct text.
func iocIndex(report []byte) []string {
	vals := store.IOCValues(report)
	if len(vals) == 0 {
		return []string{}
	}
	seen := make(map[string]bool, len(vals))
	out := vals[:0]
	for _, v := range vals {
		v = sanitize(v)
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// run stores the record in tx unless its id exists, under the records
// lock (see "Seq order is commit order"), and returns the stored record:
// the new one, or the existing one unchanged. more queues further
// statements into the same batch (they run after the insert).
func (in insert) run(ctx context.Context, tx pgx.Tx, more func(*pgx.Batch)) (store.Record, error) {
	b := &pgx.Batch{}
	b.Queue("SELECT pg_advisory_xact_lock($1)", lockRecords)
	b.Queue(sqlInsertRecord, in.args...)
	if more != nil {
		more(b)
	}
	br := tx.SendBatch(ctx, b)
	var (
		seq      int64
		inserted = true
	)
	err := func() error {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("lock records: %w", err)
		}
		err := br.QueryRow().Scan(&seq)
		if errors.Is(err, pgx.ErrNoRows) {
			inserted = false
		} else if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		for range b.Len() - 2 {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		return nil
	}()
	if cerr := br.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return store.Record{}, err
	}
	if !inserted {
		// The id exists: keep the stored record (idempotent).
		r, err := getRecord(ctx, tx, in.rec.ID)
		if err != nil {
			return store.Record{}, fmt.Errorf("read existing: %w", err)
		}
		return r, nil
	}
	out := in.rec
	out.Seq = seq
	return out, nil
}

// PutRecord stores a record without a queue item; idempotent by ID.
func (s *Store) PutRecord(ctx context.Context, rec store.Record) (store.Record, error) {
	if err := s.check(); err != nil {
		return store.Record{}, err
	}
	if err := rec.Validate(); err != nil {
		return store.Record{}, err
	}
	ins, err := newInsert(rec)
	if err != nil {
		return store.Record{}, fmt.Errorf("record %s: put: %w", rec.ID, err)
	}
	var out store.Record
	err = s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = ins.run(ctx, tx, nil)
		return err
	})
	if err != nil {
		return store.Record{}, s.wrap(err, "record %s: put", rec.ID)
	}
	return out, nil
}

// GetRecord returns the record with the id.
func (s *Store) GetRecord(ctx context.Context, id string) (store.Record, error) {
	if err := s.check(); err != nil {
		return store.Record{}, err
	}
	var r store.Record
	err := s.conn(ctx, func(c *pgx.Conn) error {
		var err error
		r, err = getRecord(ctx, c, id)
		return err
	})
	if err != nil {
		return store.Record{}, s.wrap(err, "record %s: get", id)
	}
	return r, nil
}

// LatestBySHA256 returns the newest record for the content.
func (s *Store) LatestBySHA256(ctx context.Context, sha256 string) (store.Record, error) {
	if err := s.check(); err != nil {
		return store.Record{}, err
	}
	var r store.Record
	err := s.conn(ctx, func(c *pgx.Conn) error {
		var err error
		r, err = scanRecord(c.QueryRow(ctx, sqlLatest, sha256))
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return store.Record{}, s.wrap(err, "sha256 %s: latest record", sha256)
	}
	return r, nil
}

// ListRecords returns the records the filter selects.
func (s *Store) ListRecords(ctx context.Context, f store.Filter) ([]store.Record, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	q, args := listQuery(f)
	var recs []store.Record
	err := s.conn(ctx, func(c *pgx.Conn) error {
		var err error
		recs, err = scanRecords(c.Query(ctx, q, args...))
		return err
	})
	return recs, s.wrap(err, "records: list")
}

// listQuery builds the query of ListRecords and its arguments.
func listQuery(f store.Filter) (q string, args []any) {
	var where []string
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	eq := func(col, v string) {
		if v != "" {
			where = append(where, col+" = "+arg(sanitize(v)))
		}
	}
	eq("r.label", f.Label)
	eq("r.language", f.Language)
	eq("r.source", f.Source)
	eq("r.status", f.Status)
	eq("r.sha256", f.SHA256)
	if f.Supersedes != "" {
		// The repeated <> '' term lets a generic plan use the partial
		// index records_supersedes (migration 0004).
		where = append(where, "r.supersedes = "+arg(sanitize(f.Supersedes))+" AND r.supersedes <> ''")
	}
	if f.Query != "" {
		// Free text is stored sanitized: search the sanitized query.
		p := arg(store.LikePattern(sanitize(f.Query)))
		m := fmt.Sprintf(likeMatch, p)
		// No index serves an infix match: records and record_iocs are
		// scanned (pg_trgm GIN indexes would, where the extension exists).
		where = append(where, `(r.name`+m+` OR r.path`+m+` OR r.sha256`+m+
			` OR r.seq IN (SELECT record_seq FROM record_iocs WHERE value`+m+`))`)
	}
	if !f.Since.IsZero() {
		where = append(where, "r.created_at >= "+arg(ceilMicro(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, "r.created_at < "+arg(ceilMicro(f.Until)))
	}
	if f.AfterSeq > 0 {
		where = append(where, "r.seq > "+arg(f.AfterSeq))
	}
	if f.BeforeSeq > 0 {
		where = append(where, "r.seq < "+arg(f.BeforeSeq))
	}
	q = "SELECT " + recordColumns + recordFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Desc {
		q += " ORDER BY r.seq DESC"
	} else {
		q += " ORDER BY r.seq"
	}
	q += " LIMIT " + arg(store.PageLimit(f.Limit))
	return q, args
}

// RecordsAfter returns records with Seq > seq in ascending order.
func (s *Store) RecordsAfter(ctx context.Context, seq int64, limit int) ([]store.Record, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var recs []store.Record
	err := s.conn(ctx, func(c *pgx.Conn) error {
		var err error
		recs, err = scanRecords(c.Query(ctx, sqlAfter, seq, store.PageLimit(limit)))
		return err
	})
	return recs, s.wrap(err, "records after %d", seq)
}

// scanRecords reads every row of a query's result.
func scanRecords(rows pgx.Rows, err error) ([]store.Record, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Cursor returns the sink's cursor, 0 when unknown.
func (s *Store) Cursor(ctx context.Context, sink string) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	if sink == "" {
		return 0, fmt.Errorf("cursor: empty sink name: %w", store.ErrInvalid)
	}
	if err := validText("sink", sink); err != nil {
		return 0, err
	}
	var seq int64
	err := s.conn(ctx, func(c *pgx.Conn) error {
		err := c.QueryRow(ctx, sqlCursor, sink).Scan(&seq)
		if errors.Is(err, pgx.ErrNoRows) {
			seq = 0
			return nil
		}
		return err
	})
	return seq, s.wrap(err, "sink %s: cursor", sink)
}

// SetCursor stores the sink's cursor.
func (s *Store) SetCursor(ctx context.Context, sink string, seq int64) error {
	if err := s.check(); err != nil {
		return err
	}
	if sink == "" {
		return fmt.Errorf("cursor: empty sink name: %w", store.ErrInvalid)
	}
	if seq < 0 {
		return fmt.Errorf("sink %s: cursor %d negative: %w", sink, seq, store.ErrInvalid)
	}
	if err := validText("sink", sink); err != nil {
		return err
	}
	err := s.conn(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, sqlSetCursor, sink, seq)
		return err
	})
	return s.wrap(err, "sink %s: set cursor", sink)
}

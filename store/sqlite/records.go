package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/automaldesc/automaldesc/store"
)

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

func scanRecord(sc scanner) (store.Record, error) {
	var (
		r       store.Record
		created int64
		report  []byte
	)
	err := sc.Scan(&r.Seq, &r.ID, &r.ItemID, &r.SHA256, &r.Source, &r.Signature, &r.Name, &r.Path,
		&r.Status, &r.Label, &r.Language, &r.Score, &r.RulesVersion, &r.ModelVersion, &r.DuplicateOf,
		&r.Supersedes, &created, &report)
	if err != nil {
		return store.Record{}, err
	}
	r.CreatedAt = fromNanos(created)
	if len(report) > 0 {
		r.Report = report
	}
	return r, nil
}

// getRecord runs the prepared sqlGetRecord.
func getRecord(ctx context.Context, st *sql.Stmt, id string) (store.Record, error) {
	r, err := scanRecord(st.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Record{}, store.ErrNotFound
	}
	return r, err
}

// insertRecord stores rec unless a record with its id exists, and returns
// the stored one (the new row, or the existing one unchanged).
func (s *Store) insertRecord(ctx context.Context, tx *sql.Tx, rec store.Record) (store.Record, error) {
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = time.Now()
	}
	var seq int64
	err := s.ws.in(ctx, tx, sqlInsertRecord).QueryRowContext(ctx,
		rec.ID, rec.ItemID, rec.SHA256, rec.Source, rec.Signature, rec.Name, rec.Path, rec.Status,
		rec.Label, rec.Language, rec.Score, rec.RulesVersion, rec.ModelVersion, rec.DuplicateOf,
		rec.Supersedes, toNanos(rec.CreatedAt)).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		// The id exists: keep the stored record (idempotent).
		r, err := getRecord(ctx, s.ws.in(ctx, tx, sqlGetRecord), rec.ID)
		if err != nil {
			return store.Record{}, fmt.Errorf("read existing: %w", err)
		}
		return r, nil
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("insert: %w", err)
	}
	if len(rec.Report) > 0 {
		if _, err := s.ws.in(ctx, tx, sqlInsertReport).ExecContext(ctx, seq, rec.Report); err != nil {
			return store.Record{}, fmt.Errorf("insert report: %w", err)
		}
	}
	if iocs := store.IOCValues(rec.Report); len(iocs) > 0 {
		st := s.ws.in(ctx, tx, sqlInsertIOC)
		for _, v := range iocs {
			if _, err := st.ExecContext(ctx, seq, v); err != nil {
				return store.Record{}, fmt.Errorf("index ioc: %w", err)
			}
		}
	}
	rec.Seq = seq
	rec.CreatedAt = fromNanos(toNanos(rec.CreatedAt))
	if len(rec.Report) == 0 {
		rec.Report = nil
	}
	return rec, nil
}

// PutRecord stores a record without a queue item; idempotent by ID.
func (s *Store) PutRecord(ctx context.Context, rec store.Record) (store.Record, error) {
	if err := s.check(); err != nil {
		return store.Record{}, err
	}
	if err := rec.Validate(); err != nil {
		return store.Record{}, err
	}
	var out store.Record
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.insertRecord(ctx, tx, rec)
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
	r, err := getRecord(ctx, s.rs.get(sqlGetRecord), id)
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
	r, err := scanRecord(s.rs.get(sqlLatest).QueryRowContext(ctx, sha256))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
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
	recs, err := scanRecords(s.r.QueryContext(ctx, q, args...))
	return recs, s.wrap(err, "records: list")
}

// listQuery builds the query of ListRecords and its arguments.
func listQuery(f store.Filter) (q string, args []any) {
	var where []string
	eq := func(col, v string) {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	eq("r.label", f.Label)
	eq("r.language", f.Language)
	eq("r.source", f.Source)
	eq("r.status", f.Status)
	eq("r.sha256", f.SHA256)
	if f.Supersedes != "" {
		// The repeated <> '' term is what lets SQLite use the partial index
		// records_supersedes (migration 0004) for a bound parameter.
		where = append(where, "r.supersedes = ? AND r.supersedes <> ''")
		args = append(args, f.Supersedes)
	}
	if f.Query != "" {
		p := store.LikePattern(f.Query)
		// SQLite's LIKE is ASCII-case-insensitive already (the pattern is
		// lowercased too), so no lower() per row; PostgreSQL needs ILIKE.
		// The IOC subquery is not correlated: SQLite scans record_iocs once.
		where = append(where, `(r.name LIKE ? ESCAPE '\' OR r.path LIKE ? ESCAPE '\' OR r.sha256 LIKE ? ESCAPE '\'
			OR r.seq IN (SELECT record_seq FROM record_iocs WHERE value LIKE ? ESCAPE '\'))`)
		args = append(args, p, p, p, p)
	}
	if !f.Since.IsZero() {
		where = append(where, "r.created_at >= ?")
		args = append(args, f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		where = append(where, "r.created_at < ?")
		args = append(args, f.Until.UnixNano())
	}
	if f.AfterSeq > 0 {
		where = append(where, "r.seq > ?")
		args = append(args, f.AfterSeq)
	}
	if f.BeforeSeq > 0 {
		where = append(where, "r.seq < ?")
		args = append(args, f.BeforeSeq)
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
	q += " LIMIT ?"
	args = append(args, store.PageLimit(f.Limit))
	return q, args
}

// RecordsAfter returns records with Seq > seq in ascending order.
func (s *Store) RecordsAfter(ctx context.Context, seq int64, limit int) ([]store.Record, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	recs, err := scanRecords(s.rs.get(sqlAfter).QueryContext(ctx, seq, store.PageLimit(limit)))
	return recs, s.wrap(err, "records after %d", seq)
}

// scanRecords reads every row of a query's result.
func scanRecords(rows *sql.Rows, err error) ([]store.Record, error) {
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
	var seq int64
	err := s.rs.get(sqlCursor).QueryRowContext(ctx, sink).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
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
	_, err := s.ws.get(sqlSetCursor).ExecContext(ctx, sink, seq, time.Now().UnixNano())
	return s.wrap(err, "sink %s: set cursor", sink)
}

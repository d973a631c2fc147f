package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/automaldesc/automaldesc/store"
)

const feedbackColumns = `id, COALESCE(record_id, ''), sha256, indicator_id, analyst, disposition, category,
	summary, rating, note, created_at`

func scanFeedback(sc scanner) (store.Feedback, error) {
	var (
		fb      store.Feedback
		created int64
	)
	err := sc.Scan(&fb.ID, &fb.RecordID, &fb.SHA256, &fb.IndicatorID, &fb.Analyst, &fb.Disposition,
		&fb.Category, &fb.Summary, &fb.Rating, &fb.Note, &created)
	fb.CreatedAt = fromNanos(created)
	return fb, err
}

// AddFeedback appends analyst feedback; idempotent by ID.
func (s *Store) AddFeedback(ctx context.Context, fb store.Feedback) (store.Feedback, error) {
	if err := s.check(); err != nil {
		return store.Feedback{}, err
	}
	if err := fb.Validate(); err != nil {
		return store.Feedback{}, err
	}
	if fb.ID == "" {
		fb.ID = uuid.NewString()
	}
	if fb.CreatedAt.IsZero() {
		fb.CreatedAt = time.Now()
	}
	fb.CreatedAt = fromNanos(toNanos(fb.CreatedAt))
	var out store.Feedback
	err := s.tx(ctx, func(tx *sql.Tx) error {
		existing, err := scanFeedback(tx.QueryRowContext(ctx, "SELECT "+feedbackColumns+" FROM feedback WHERE id = ?", fb.ID))
		if err == nil {
			out = existing
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read existing: %w", err)
		}
		var recordID any // NULL when not about a record
		if fb.RecordID != "" {
			var sha string
			err := tx.QueryRowContext(ctx, "SELECT sha256 FROM records WHERE id = ?", fb.RecordID).Scan(&sha)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("record %s: %w", fb.RecordID, store.ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("record %s: %w", fb.RecordID, err)
			}
			if fb.SHA256 == "" {
				fb.SHA256 = sha
			}
			recordID = fb.RecordID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO feedback
			(id, record_id, sha256, indicator_id, analyst, disposition, category, summary, rating, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			fb.ID, recordID, fb.SHA256, fb.IndicatorID, fb.Analyst, fb.Disposition, fb.Category,
			fb.Summary, fb.Rating, fb.Note, toNanos(fb.CreatedAt)); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		out = fb
		return nil
	})
	if err != nil {
		return store.Feedback{}, s.wrap(err, "feedback %s: add", fb.ID)
	}
	return out, nil
}

// ListFeedback returns the feedback for a record and/or sha256, oldest first.
func (s *Store) ListFeedback(ctx context.Context, recordID, sha256 string) ([]store.Feedback, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	q := "SELECT " + feedbackColumns + " FROM feedback"
	var args []any
	switch {
	case recordID != "" && sha256 != "":
		q += " WHERE record_id = ? AND sha256 = ?"
		args = append(args, recordID, sha256)
	case recordID != "":
		q += " WHERE record_id = ?"
		args = append(args, recordID)
	case sha256 != "":
		q += " WHERE sha256 = ?"
		args = append(args, sha256)
	}
	fbs, err := s.queryFeedback(ctx, q+" ORDER BY created_at, seq", args...)
	return fbs, s.wrap(err, "feedback: list (record %q, sha256 %q)", recordID, sha256)
}

// AllFeedback returns every feedback entry, oldest first.
func (s *Store) AllFeedback(ctx context.Context) ([]store.Feedback, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	fbs, err := s.queryFeedback(ctx, "SELECT "+feedbackColumns+" FROM feedback ORDER BY created_at, seq")
	return fbs, s.wrap(err, "feedback: all")
}

func (s *Store) queryFeedback(ctx context.Context, q string, args ...any) ([]store.Feedback, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Feedback
	for rows.Next() {
		fb, err := scanFeedback(rows)
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		out = append(out, fb)
	}
	return out, rows.Err()
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/automaldesc/automaldesc/store"
)

const feedbackColumns = `id, COALESCE(record_id, ''), sha256, indicator_id, analyst, disposition, category,
	summary, rating, note, created_at, raw`

func scanFeedback(row pgx.Row) (store.Feedback, error) {
	var (
		fb  store.Feedback
		raw []byte
	)
	err := row.Scan(&fb.ID, &fb.RecordID, &fb.SHA256, &fb.IndicatorID, &fb.Analyst, &fb.Disposition,
		&fb.Category, &fb.Summary, &fb.Rating, &fb.Note, &fb.CreatedAt, &raw)
	if err != nil {
		return store.Feedback{}, err
	}
	fb.CreatedAt = fb.CreatedAt.UTC()
	if err := restore(raw, map[string]*string{
		"indicator_id": &fb.IndicatorID, "analyst": &fb.Analyst, "category": &fb.Category,
		"summary": &fb.Summary, "note": &fb.Note,
	}); err != nil {
		return store.Feedback{}, fmt.Errorf("feedback %s: %w", fb.ID, err)
	}
	return fb, nil
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
	for _, f := range []struct{ what, v string }{{"feedback id", fb.ID}, {"record id", fb.RecordID}, {"sha256", fb.SHA256}} {
		if err := validText(f.what, f.v); err != nil {
			return store.Feedback{}, err
		}
	}
	if fb.CreatedAt.IsZero() {
		fb.CreatedAt = time.Now()
	}
	fb.CreatedAt = micro(fb.CreatedAt)
	var out store.Feedback
	err := s.tx(ctx, func(tx pgx.Tx) error {
		existing, err := scanFeedback(tx.QueryRow(ctx, "SELECT "+feedbackColumns+" FROM feedback WHERE id = $1", fb.ID))
		if err == nil {
			out = existing
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("read existing: %w", err)
		}
		var recordID *string // NULL when not about a record
		if fb.RecordID != "" {
			var sha string
			err := tx.QueryRow(ctx, "SELECT sha256 FROM records WHERE id = $1", fb.RecordID).Scan(&sha)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("record %s: %w", fb.RecordID, store.ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("record %s: %w", fb.RecordID, err)
			}
			if fb.SHA256 == "" {
				fb.SHA256 = sha
			}
			recordID = &fb.RecordID
		}
		e := exact{}
		args := []any{fb.ID, recordID, fb.SHA256, e.text("indicator_id", fb.IndicatorID), e.text("analyst", fb.Analyst),
			fb.Disposition, e.text("category", fb.Category), e.text("summary", fb.Summary), fb.Rating,
			e.text("note", fb.Note), fb.CreatedAt}
		args = append(args, e.raw())
		tag, err := tx.Exec(ctx, `INSERT INTO feedback
			(id, record_id, sha256, indicator_id, analyst, disposition, category, summary, rating, note, created_at, raw)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (id) DO NOTHING`, args...)
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		if tag.RowsAffected() == 0 {
			// Added concurrently under the same id: that entry stands.
			if out, err = scanFeedback(tx.QueryRow(ctx, "SELECT "+feedbackColumns+" FROM feedback WHERE id = $1", fb.ID)); err != nil {
				return fmt.Errorf("read existing: %w", err)
			}
			return nil
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
		q += " WHERE record_id = $1 AND sha256 = $2"
		args = append(args, recordID, sha256)
	case recordID != "":
		q += " WHERE record_id = $1"
		args = append(args, recordID)
	case sha256 != "":
		q += " WHERE sha256 = $1"
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
	var out []store.Feedback
	err := s.conn(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			fb, err := scanFeedback(rows)
			if err != nil {
				return fmt.Errorf("scan: %w", err)
			}
			out = append(out, fb)
		}
		return rows.Err()
	})
	return out, err
}

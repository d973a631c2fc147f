package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/automaldesc/automaldesc/store"
)

var _ store.ModelRegistry = (*Store)(nil)

const modelColumns = `version, parent, created_at, summary, metrics`

func scanModel(sc scanner, withBlob bool) (store.ModelEntry, error) {
	var (
		m                store.ModelEntry
		created          int64
		summary, metrics string
	)
	dst := []any{&m.Version, &m.Parent, &created, &summary, &metrics}
	if withBlob {
		dst = append(dst, &m.Blob)
	}
	if err := sc.Scan(dst...); err != nil {
		return store.ModelEntry{}, err
	}
	m.CreatedAt = fromNanos(created)
	if summary != "" {
		m.Summary = json.RawMessage(summary)
	}
	if metrics != "" {
		m.Metrics = json.RawMessage(metrics)
	}
	return m, nil
}

// PutModel stores a model version; idempotent by version.
func (s *Store) PutModel(ctx context.Context, m store.ModelEntry) (store.ModelEntry, error) {
	if err := s.check(); err != nil {
		return store.ModelEntry{}, err
	}
	if err := m.Validate(); err != nil {
		return store.ModelEntry{}, err
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now()
	}
	m.CreatedAt = fromNanos(toNanos(m.CreatedAt))
	m.State, m.PromotedBy, m.PromotedAt = "", "", time.Time{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO models (version, parent, created_at, summary, metrics, blob)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (version) DO NOTHING`,
			m.Version, m.Parent, toNanos(m.CreatedAt), string(m.Summary), string(m.Metrics), m.Blob)
		return err
	})
	if err != nil {
		return store.ModelEntry{}, s.wrap(err, "model %s: put", m.Version)
	}
	return s.GetModel(ctx, m.Version)
}

// GetModel returns one version with its blob and state.
func (s *Store) GetModel(ctx context.Context, version string) (store.ModelEntry, error) {
	if err := s.check(); err != nil {
		return store.ModelEntry{}, err
	}
	m, err := scanModel(s.r.QueryRowContext(ctx, "SELECT "+modelColumns+", blob FROM models WHERE version = ?", version), true)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ModelEntry{}, fmt.Errorf("model %s: %w", version, store.ErrNotFound)
	}
	if err != nil {
		return store.ModelEntry{}, s.wrap(err, "model %s: get", version)
	}
	evs, err := s.events(ctx, s.r)
	if err != nil {
		return store.ModelEntry{}, s.wrap(err, "model %s: get", version)
	}
	store.ApplyModelStates(evs, []*store.ModelEntry{&m})
	return m, nil
}

// ListModels returns every version (without blobs), oldest first.
func (s *Store) ListModels(ctx context.Context) ([]store.ModelEntry, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	out, err := func() ([]store.ModelEntry, error) {
		rows, err := s.r.QueryContext(ctx, "SELECT "+modelColumns+" FROM models ORDER BY seq")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []store.ModelEntry
		for rows.Next() {
			m, err := scanModel(rows, false)
			if err != nil {
				return nil, fmt.Errorf("scan: %w", err)
			}
			out = append(out, m)
		}
		return out, rows.Err()
	}()
	if err != nil {
		return nil, s.wrap(err, "models: list")
	}
	evs, err := s.events(ctx, s.r)
	if err != nil {
		return nil, s.wrap(err, "models: list")
	}
	ptrs := make([]*store.ModelEntry, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	store.ApplyModelStates(evs, ptrs)
	return out, nil
}

// Promote puts a stored version in force.
func (s *Store) Promote(ctx context.Context, version, by string) error {
	if err := s.check(); err != nil {
		return err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM models WHERE version = ?", version).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		evs, err := s.events(ctx, tx)
		if err != nil {
			return err
		}
		cur := store.CurrentModel(evs)
		if cur == version {
			return nil
		}
		return insertEvent(ctx, tx, store.ModelEvent{Action: store.ActionPromote, Version: version, From: cur, By: by, At: time.Now()})
	})
	return s.wrap(err, "model %s: promote", version)
}

// Rollback pops the version in force and returns the one before it.
func (s *Store) Rollback(ctx context.Context, by string) (store.ModelEntry, error) {
	if err := s.check(); err != nil {
		return store.ModelEntry{}, err
	}
	var back string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		evs, err := s.events(ctx, tx)
		if err != nil {
			return err
		}
		st := store.PromotionStack(evs)
		if len(st) < 2 {
			return fmt.Errorf("no earlier promoted model to return to: %w", store.ErrInvalid)
		}
		cur := st[len(st)-1]
		back = st[len(st)-2]
		return insertEvent(ctx, tx, store.ModelEvent{Action: store.ActionRollback, Version: back, From: cur, By: by, At: time.Now()})
	})
	if err != nil {
		return store.ModelEntry{}, s.wrap(err, "models: rollback")
	}
	return s.GetModel(ctx, back)
}

// Current returns the version in force.
func (s *Store) Current(ctx context.Context) (store.ModelEntry, error) {
	if err := s.check(); err != nil {
		return store.ModelEntry{}, err
	}
	var v string
	err := s.r.QueryRowContext(ctx, "SELECT version FROM model_events ORDER BY seq DESC LIMIT 1").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) || err == nil && v == "" {
		return store.ModelEntry{}, fmt.Errorf("models: current: none promoted: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.ModelEntry{}, s.wrap(err, "models: current")
	}
	return s.GetModel(ctx, v)
}

// History returns the promotion log, oldest first.
func (s *Store) History(ctx context.Context) ([]store.ModelEvent, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	evs, err := s.events(ctx, s.r)
	return evs, s.wrap(err, "models: history")
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func (s *Store) events(ctx context.Context, q querier) ([]store.ModelEvent, error) {
	rows, err := q.QueryContext(ctx, "SELECT action, version, from_ver, by_whom, at FROM model_events ORDER BY seq")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ModelEvent
	for rows.Next() {
		var (
			e  store.ModelEvent
			at int64
		)
		if err := rows.Scan(&e.Action, &e.Version, &e.From, &e.By, &at); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		e.At = fromNanos(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func insertEvent(ctx context.Context, tx *sql.Tx, e store.ModelEvent) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO model_events (action, version, from_ver, by_whom, at) VALUES (?, ?, ?, ?, ?)",
		e.Action, e.Version, e.From, e.By, toNanos(e.At))
	if err != nil {
		return fmt.Errorf("log %s: %w", e.Action, err)
	}
	return nil
}

package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/automaldesc/automaldesc/store"
)

const modelColumns = `version, parent, created_at, summary, metrics`

func scanModel(row pgx.Row, withBlob bool) (store.ModelEntry, error) {
	var (
		m                store.ModelEntry
		summary, metrics []byte
	)
	dst := []any{&m.Version, &m.Parent, &m.CreatedAt, &summary, &metrics}
	if withBlob {
		dst = append(dst, &m.Blob)
	}
	if err := row.Scan(dst...); err != nil {
		return store.ModelEntry{}, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	if len(summary) > 0 {
		m.Summary = json.RawMessage(summary)
	}
	if len(metrics) > 0 {
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
	for _, f := range []struct{ what, v string }{{"model version", m.Version}, {"parent version", m.Parent}} {
		if err := validText(f.what, f.v); err != nil {
			return store.ModelEntry{}, err
		}
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now()
	}
	err := s.conn(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO models (version, parent, created_at, summary, metrics, blob)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (version) DO NOTHING`,
			m.Version, m.Parent, micro(m.CreatedAt), append([]byte{}, m.Summary...), append([]byte{}, m.Metrics...), m.Blob)
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
	var m store.ModelEntry
	err := s.conn(ctx, func(c *pgx.Conn) error {
		var err error
		m, err = getModel(ctx, c, version)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.ModelEntry{}, fmt.Errorf("model %s: %w", version, err)
	}
	if err != nil {
		return store.ModelEntry{}, s.wrap(err, "model %s: get", version)
	}
	return m, nil
}

// getModel reads one version and its state from one snapshot (a
// REPEATABLE READ transaction), so state and log agree.
func getModel(ctx context.Context, c *pgx.Conn, version string) (store.ModelEntry, error) {
	var m store.ModelEntry
	err := pgx.BeginTxFunc(ctx, c, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		m, err = scanModel(tx.QueryRow(ctx, "SELECT "+modelColumns+", blob FROM models WHERE version = $1", version), true)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		evs, err := events(ctx, tx)
		if err != nil {
			return err
		}
		store.ApplyModelStates(evs, []*store.ModelEntry{&m})
		return nil
	})
	return m, err
}

// ListModels returns every version (without blobs), oldest first.
func (s *Store) ListModels(ctx context.Context) ([]store.ModelEntry, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var out []store.ModelEntry
	err := s.conn(ctx, func(c *pgx.Conn) error {
		return pgx.BeginTxFunc(ctx, c, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, "SELECT "+modelColumns+" FROM models ORDER BY seq")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				m, err := scanModel(rows, false)
				if err != nil {
					return fmt.Errorf("scan: %w", err)
				}
				out = append(out, m)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			evs, err := events(ctx, tx)
			if err != nil {
				return err
			}
			ptrs := make([]*store.ModelEntry, len(out))
			for i := range out {
				ptrs[i] = &out[i]
			}
			store.ApplyModelStates(evs, ptrs)
			return nil
		})
	})
	if err != nil {
		return nil, s.wrap(err, "models: list")
	}
	return out, nil
}

// Promote puts a stored version in force. Promotions and rollbacks of all
// processes take turns on the models advisory lock, so each reads the log
// it appends to as the last writer left it.
func (s *Store) Promote(ctx context.Context, version, by string) error {
	if err := s.check(); err != nil {
		return err
	}
	if err := validText("promoted by", by); err != nil {
		return err
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockModels); err != nil {
			return fmt.Errorf("lock models: %w", err)
		}
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM models WHERE version = $1", version).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		evs, err := events(ctx, tx)
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
	if err := validText("rolled back by", by); err != nil {
		return store.ModelEntry{}, err
	}
	var back string
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockModels); err != nil {
			return fmt.Errorf("lock models: %w", err)
		}
		evs, err := events(ctx, tx)
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
	var m store.ModelEntry
	err := s.conn(ctx, func(c *pgx.Conn) error {
		var v string
		err := c.QueryRow(ctx, "SELECT version FROM model_events ORDER BY seq DESC LIMIT 1").Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && v == "" {
			return fmt.Errorf("none promoted: %w", store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		m, err = getModel(ctx, c, v)
		return err
	})
	if err != nil {
		return store.ModelEntry{}, s.wrap(err, "models: current")
	}
	return m, nil
}

// History returns the promotion log, oldest first.
func (s *Store) History(ctx context.Context) ([]store.ModelEvent, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var evs []store.ModelEvent
	err := s.conn(ctx, func(c *pgx.Conn) error {
		var err error
		evs, err = events(ctx, c)
		return err
	})
	return evs, s.wrap(err, "models: history")
}

func events(ctx context.Context, q querier) ([]store.ModelEvent, error) {
	rows, err := q.Query(ctx, "SELECT action, version, from_ver, by_whom, at FROM model_events ORDER BY seq")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ModelEvent
	for rows.Next() {
		var e store.ModelEvent
		if err := rows.Scan(&e.Action, &e.Version, &e.From, &e.By, &e.At); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

func insertEvent(ctx context.Context, tx pgx.Tx, e store.ModelEvent) error {
	_, err := tx.Exec(ctx, "INSERT INTO model_events (action, version, from_ver, by_whom, at) VALUES ($1, $2, $3, $4, $5)",
		e.Action, e.Version, e.From, e.By, micro(e.At))
	if err != nil {
		return fmt.Errorf("log %s: %w", e.Action, err)
	}
	return nil
}

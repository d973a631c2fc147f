package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/automaldesc/automaldesc/store"
)

// Enqueue adds a claimed file to the queue; idempotent by it.ID.
func (s *Store) Enqueue(ctx context.Context, it store.Item) (bool, error) {
	if err := s.check(); err != nil {
		return false, err
	}
	if err := it.Validate(); err != nil {
		return false, err
	}
	meta := []byte("{}")
	if len(it.Meta) > 0 {
		var err error
		if meta, err = json.Marshal(it.Meta); err != nil {
			return false, fmt.Errorf("item %s: meta: %w", it.ID, err)
		}
	}
	claimed := it.ClaimedAt
	if claimed.IsZero() {
		claimed = time.Now()
	}
	res, err := s.ws.get(sqlEnqueue).ExecContext(ctx,
		it.ID, it.Path, it.Name, it.Source, it.Signature, it.Size, it.SHA256, toNanos(claimed), string(meta))
	if err != nil {
		return false, s.wrap(err, "item %s: enqueue", it.ID)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, s.wrap(err, "item %s: enqueue", it.ID)
	}
	return n == 1, nil
}

// Lease hands out up to n pending items for the lease duration.
func (s *Store) Lease(ctx context.Context, n int, lease time.Duration) ([]store.Item, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if lease <= 0 {
		return nil, fmt.Errorf("lease: duration %v not positive: %w", lease, store.ErrInvalid)
	}
	if n <= 0 {
		return nil, nil
	}
	n = min(n, store.MaxLease)
	now := time.Now()
	type seqItem struct {
		seq int64
		it  store.Item
	}
	var got []seqItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		got = got[:0]
		rows, err := s.ws.in(ctx, tx, sqlLease).QueryContext(ctx, now.Add(lease).UnixNano(), now.UnixNano(), n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				si      seqItem
				claimed int64
				meta    string
			)
			if err := rows.Scan(&si.seq, &si.it.ID, &si.it.Path, &si.it.Name, &si.it.Source, &si.it.Signature,
				&si.it.Size, &si.it.SHA256, &claimed, &meta, &si.it.Attempts); err != nil {
				return fmt.Errorf("scan: %w", err)
			}
			si.it.ClaimedAt = fromNanos(claimed)
			if meta != "" && meta != "{}" {
				if err := json.Unmarshal([]byte(meta), &si.it.Meta); err != nil {
					return fmt.Errorf("item %s: meta: %w", si.it.ID, err)
				}
			}
			got = append(got, si)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return rows.Close()
	})
	if err != nil {
		return nil, s.wrap(err, "lease")
	}
	sort.Slice(got, func(i, j int) bool { return got[i].seq < got[j].seq })
	items := make([]store.Item, len(got))
	for i, si := range got {
		items[i] = si.it
	}
	return items, nil
}

// RecoverLeases releases every lease held on pending items.
func (s *Store) RecoverLeases(ctx context.Context) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	res, err := s.w.ExecContext(ctx, "UPDATE items SET lease_until = 0 WHERE done = 0 AND lease_until <> 0")
	if err != nil {
		return 0, s.wrap(err, "recover leases")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.wrap(err, "recover leases")
	}
	if n > 0 {
		s.log.Info("released leases of a previous run", "items", n)
	}
	return int(n), nil
}

// Complete stores rec and marks the item done in one transaction.
func (s *Store) Complete(ctx context.Context, itemID string, rec store.Record) (store.Record, error) {
	if err := s.check(); err != nil {
		return store.Record{}, err
	}
	if itemID == "" {
		return store.Record{}, fmt.Errorf("complete: empty item id: %w", store.ErrInvalid)
	}
	if err := rec.Validate(); err != nil {
		return store.Record{}, fmt.Errorf("item %s: complete: %w", itemID, err)
	}
	rec.ItemID = itemID
	var out store.Record
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var (
			done     int
			recordID sql.NullString
		)
		err := s.ws.in(ctx, tx, sqlItemState).QueryRowContext(ctx, itemID).Scan(&done, &recordID)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("read item: %w", err)
		}
		if done != 0 && recordID.Valid {
			// Already completed: the record it was completed with stands.
			out, err = getRecord(ctx, s.ws.in(ctx, tx, sqlGetRecord), recordID.String)
			return err
		}
		if out, err = s.insertRecord(ctx, tx, rec); err != nil {
			return err
		}
		if _, err := s.ws.in(ctx, tx, sqlMarkDone).ExecContext(ctx, time.Now().UnixNano(), out.ID, itemID); err != nil {
			return fmt.Errorf("mark done: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.Record{}, s.wrap(err, "item %s: complete record %s", itemID, rec.ID)
	}
	return out, nil
}

// PendingCount counts items not done yet.
func (s *Store) PendingCount(ctx context.Context) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	var n int
	err := s.rs.get(sqlPending).QueryRowContext(ctx).Scan(&n)
	return n, s.wrap(err, "pending count")
}

// PurgeDone deletes the queue rows of items completed before the given
// time and returns how many it deleted. Their records stay; an Enqueue of
// a purged claim id would add it again, so purge only what no intake can
// re-enqueue (e.g. items done more than a day ago). Not part of
// store.Store: retention is a backend operation.
func (s *Store) PurgeDone(ctx context.Context, before time.Time) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	res, err := s.w.ExecContext(ctx, "DELETE FROM items WHERE done = 1 AND done_at < ?", before.UnixNano())
	if err != nil {
		return 0, s.wrap(err, "purge items")
	}
	n, err := res.RowsAffected()
	return int(n), s.wrap(err, "purge items")
}

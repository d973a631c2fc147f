package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/automaldesc/automaldesc/store"
)

const (
	sqlEnqueue = `INSERT INTO items
		(id, path, name, source, signature, size, sha256, claimed_at, meta, raw)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO NOTHING`
	// sqlLease picks free items in enqueue order and leases them in one
	// statement. FOR UPDATE SKIP LOCKED lets concurrent leasers (other
	// connections, other hosts) pass over the rows one of them is taking
	// instead of queueing behind it; a row another leaser committed
	// meanwhile is re-checked against the WHERE clause (READ COMMITTED
	// re-evaluates locked rows) and dropped, so an item is never handed to
	// two callers while its lease runs. Deadlines use the database clock,
	// which all hosts share, never the hosts' clocks.
	sqlLease = `UPDATE items i
		SET attempts = i.attempts + 1,
		    lease_until = clock_timestamp() + $1::float8 * interval '1 microsecond',
		    leased_by = $2
		FROM (SELECT seq FROM items
		      WHERE NOT done AND (lease_until IS NULL OR lease_until <= clock_timestamp())
		      ORDER BY seq
		      LIMIT $3
		      FOR UPDATE SKIP LOCKED) AS free
		WHERE i.seq = free.seq
		RETURNING i.seq, i.id, i.path, i.name, i.source, i.signature, i.size, i.sha256, i.claimed_at,
		          i.meta, i.raw, i.attempts`
	sqlRecover = `UPDATE items SET lease_until = NULL, leased_by = NULL
		WHERE NOT done AND leased_by = $1`
	sqlItemState = `SELECT done, record_id FROM items WHERE id = $1 FOR UPDATE`
	sqlMarkDone  = `UPDATE items
		SET done = true, lease_until = NULL, leased_by = NULL, done_at = clock_timestamp(), record_id = $2
		WHERE id = $1`
)

// Enqueue adds a claimed file to the queue; idempotent by it.ID.
func (s *Store) Enqueue(ctx context.Context, it store.Item) (bool, error) {
	if err := s.check(); err != nil {
		return false, err
	}
	if err := it.Validate(); err != nil {
		return false, err
	}
	if err := validText("item id", it.ID); err != nil {
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
	e := exact{}
	args := []any{it.ID, e.text("path", it.Path), e.text("name", it.Name), e.text("source", it.Source),
		e.text("signature", it.Signature), it.Size, e.text("sha256", it.SHA256), micro(claimed), meta}
	args = append(args, e.raw())
	var added bool
	err := s.conn(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, sqlEnqueue, args...)
		added = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, s.wrap(err, "item %s: enqueue", it.ID)
	}
	return added, nil
}

// Lease hands out up to n pending items for the lease duration, tagged
// with this Store's owner.
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
	type seqItem struct {
		seq int64
		it  store.Item
	}
	var got []seqItem
	err := s.conn(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, sqlLease, float64(lease.Microseconds()), s.owner, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				si        seqItem
				meta, raw []byte
			)
			it := &si.it
			if err := rows.Scan(&si.seq, &it.ID, &it.Path, &it.Name, &it.Source, &it.Signature,
				&it.Size, &it.SHA256, &it.ClaimedAt, &meta, &raw, &it.Attempts); err != nil {
				return fmt.Errorf("scan: %w", err)
			}
			it.ClaimedAt = it.ClaimedAt.UTC()
			if err := restore(raw, map[string]*string{
				"path": &it.Path, "name": &it.Name, "source": &it.Source, "signature": &it.Signature, "sha256": &it.SHA256,
			}); err != nil {
				return fmt.Errorf("item %s: %w", it.ID, err)
			}
			if len(meta) > 0 && string(meta) != "{}" {
				if err := json.Unmarshal(meta, &it.Meta); err != nil {
					return fmt.Errorf("item %s: meta: %w", it.ID, err)
				}
			}
			got = append(got, si)
		}
		return rows.Err()
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

// RecoverLeases releases the leases held by this Store's owner (see
// Options.Owner) on pending items and returns how many it released.
// Leases of other owners — other live processes, on this host or others —
// are left alone: they end when they expire. A sidecar calls it at
// startup: with the default owner (the host name) it gets back at once
// what its previous run on this host had leased when it died.
func (s *Store) RecoverLeases(ctx context.Context) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	var n int64
	err := s.conn(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, sqlRecover, s.owner)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, s.wrap(err, "recover leases")
	}
	if n > 0 {
		s.log.Info("released leases of this owner", "owner", s.owner, "items", n)
	}
	return int(n), nil
}

// Complete stores rec and marks the item done in one transaction.
//
// The item row is locked first (SELECT ... FOR UPDATE): two holders of one
// item (an expired lease) complete one after the other, and the second
// finds the item done and returns the first one's record.
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
	if err := validText("item id", itemID); err != nil {
		return store.Record{}, err
	}
	rec.ItemID = itemID
	ins, err := newInsert(rec)
	if err != nil {
		return store.Record{}, fmt.Errorf("item %s: complete: %w", itemID, err)
	}
	var out store.Record
	err = s.tx(ctx, func(tx pgx.Tx) error {
		var (
			done     bool
			recordID *string
		)
		err := tx.QueryRow(ctx, sqlItemState, itemID).Scan(&done, &recordID)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("read item: %w", err)
		}
		if done && recordID != nil {
			// Already completed: the record it was completed with stands.
			out, err = getRecord(ctx, tx, *recordID)
			return err
		}
		out, err = ins.run(ctx, tx, func(b *pgx.Batch) {
			// The record id is rec.ID whether it was inserted now or existed.
			b.Queue(sqlMarkDone, itemID, rec.ID)
		})
		return err
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
	err := s.conn(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, "SELECT COUNT(*) FROM items WHERE NOT done").Scan(&n)
	})
	return n, s.wrap(err, "pending count")
}

// PurgeDone deletes the queue rows of items completed before the given
// time and returns how many it deleted. Their records stay; an Enqueue of
// a purged claim id would add it again, so purge only what no intake can
// re-enqueue. Not part of store.Store: retention is a backend operation.
func (s *Store) PurgeDone(ctx context.Context, before time.Time) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	var n int64
	err := s.conn(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, "DELETE FROM items WHERE done AND done_at < $1", ceilMicro(before))
		n = tag.RowsAffected()
		return err
	})
	return int(n), s.wrap(err, "purge items")
}

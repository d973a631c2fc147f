// Package store defines automaldesc's durable state behind one interface,
// Store, implemented by store/sqlite (embedded, the single-host default)
// and store/postgres (shared by many sidecars); store/storetest is the
// conformance suite every backend runs.
//
// # The guarantee
//
// Every claimed file ends as exactly one record, also across crashes
// (kill -9 at any point). The sidecar gets there with three steps, each of
// them a single committed transaction:
//
//  1. claim the file (rename into staging), then Enqueue an Item with a
//     fresh claim id; Enqueue is idempotent by that id;
//  2. Lease items (a lease is a deadline, not a lock held by a process:
//     if the process dies, the item becomes leasable again when the lease
//     expires, or at once after RecoverLeases at the next startup);
//  3. analyse, then Complete(itemID, record): inserting the record and
//     marking the item done happen in one transaction, so a crash leaves
//     either both or neither.
//
// A crash between 2 and 3 only repeats the analysis. Because record ids
// are deterministic (analysis.RecordID over sha256, source, signature) and
// Complete keeps an existing record, a repeated analysis, or two workers
// completing the same item after a lease expired, never yields a second
// record. A crash between claiming and Enqueue leaves a file in staging
// that the sidecar's startup rescan must enqueue.
//
// # Delivery
//
// Records get a Seq that increases strictly in insert order, and a record
// becomes visible only after every record with a lower Seq (backends must
// guarantee this: SQLite does by having one writer, store/postgres
// by serialising inserts under a transaction-level advisory lock). Sinks read RecordsAfter(cursor) and advance their
// Cursor only after delivery: at-least-once delivery, deduplicated
// downstream by the record id.
//
// # Feedback
//
// Feedback is append-only: AddFeedback never overwrites, and each entry is
// keyed by the sample's sha256 (+ indicator id), the stable fingerprint the
// learning loop joins on.
//
// # Conventions
//
// All methods are safe for concurrent use. Times are stored with at least
// microsecond precision and returned in UTC. Errors wrap the sentinels
// ErrNotFound, ErrClosed and ErrInvalid together with the entity they
// concern. The interface carries no backend types.
package store

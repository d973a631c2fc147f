// Package postgres is the PostgreSQL store.Store (and store.ModelRegistry)
// backend, for deployments where many sidecars on many hosts share one
// queue, one record log and one set of sink cursors. It passes the same
// conformance suites as store/sqlite (storetest.Run, storetest.RunRegistry).
//
// # Connections
//
// Open parses the DSN with pgx (libpq keyword/value or URL form; the pool
// size comes from Options.MaxConns, else the DSN's pool_max_conns, else
// max(4, GOMAXPROCS)) and keeps a small bounded pool of pgx connections
// (pool.go: pgxpool would need a module this repository does not
// require). Statements are prepared and cached per connection by pgx. All
// SQL is unqualified: a search_path in the DSN selects the schema.
//
// # Schema
//
// Migrations are the embedded files migrations/NNNN_name.sql, applied in
// version order, each in one transaction with its schema_migrations row,
// while the opener holds a session advisory lock: many sidecars starting
// at once take turns, the first migrates and the others find the schema
// current. A schema newer than the binary is refused.
//
// Times are timestamptz, kept to the microsecond (values are truncated
// before they are stored, so what a call returns equals what a later read
// returns) and returned in UTC. PostgreSQL text holds only valid UTF-8
// without NUL: identifiers and keys that are not (ids, sha256, labels,
// sink names, model versions) are rejected with store.ErrInvalid, while
// untrusted free text (file names, paths, sources, signatures, analyst
// notes) is stored sanitized for display and search, its exact bytes kept
// in the row's raw column, so it round-trips exactly (text.go).
//
// # Queue and leases
//
// Lease is one UPDATE over a SELECT ... FOR UPDATE SKIP LOCKED in enqueue
// order, so concurrent leasers on any host skip the rows another is
// taking instead of waiting or double-leasing. Lease deadlines are set and
// compared with the database clock, never a host's. Each lease is tagged
// with the Store's owner (Options.Owner, default the host name).
// RecoverLeases releases only the leases of its own owner: a sidecar
// restarted on its host gets its previous run's items back at once, and
// never takes items from another live sidecar; the leases of a host that
// does not come back end when they expire. Two sidecars on one host that
// share a database need distinct owners.
//
// Complete locks the item row (FOR UPDATE), then inserts the record, its
// report and IOC index and marks the item done in one transaction: two
// holders of one item complete one after the other and leave one record.
//
// # Seq order is commit order
//
// Record inserts (Complete, PutRecord) take a transaction-level advisory
// lock before drawing the Seq and hold it until commit, so a record never
// becomes visible after one with a higher Seq and a sink cursor never
// steps over a record that commits late. The argument is written out in
// records.go; the cost is one serialised section of about two round trips
// per record across all hosts.
//
// # Query
//
// Filter.Query is ILIKE under the "C" collation (ASCII case folding only,
// like SQLite's LIKE) over name, path and sha256 and the record_iocs index
// of IOC values; no index serves an infix match, so it scans.
package postgres

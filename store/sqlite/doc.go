// Package sqlite is the embedded store.Store backend, the single-host
// default: one database file, pure Go (modernc.org/sqlite, no cgo).
//
// # Connections
//
// Open creates two database/sql pools on the file:
//
//   - the writer: exactly one connection (SetMaxOpenConns(1)), so writes of
//     this process are serialised in Go instead of fighting over SQLite's
//     lock (no SQLITE_BUSY storms); its transactions start with BEGIN
//     IMMEDIATE, so another process on the same file waits (busy_timeout)
//     instead of failing on a lock upgrade;
//   - the readers: a few query_only connections; in WAL mode they read a
//     consistent snapshot without blocking the writer or each other.
//
// Hot statements are prepared once per connection at Open.
//
// # Durability
//
// journal_mode=WAL with synchronous=NORMAL: a transaction is committed once
// its frames are in the WAL file, which survives the death of the process
// (kill -9) because the data is in the operating system's page cache; an OS
// crash or power loss may lose the last commits but never corrupts the
// file. Why NORMAL and not FULL, and what a lost commit costs, is written
// beside the pragmas in sqlite.go. The crash test kills a writer process
// with SIGKILL at random points and checks that every acknowledged Enqueue
// and Complete survived and every item ends as exactly one record.
//
// Complete is one transaction (item state, record, report, IOC index, item
// done), Lease is one UPDATE ... RETURNING; leases are deadlines stored in
// the row, so a crashed process holds nothing that needs cleaning up.
//
// # Schema
//
// Migrations are the embedded files migrations/NNNN_name.sql, applied in
// version order, each in its own transaction together with its row in
// schema_migrations; reopening a current database applies nothing, and a
// database from a newer binary is refused. Times are unix nanoseconds
// (UTC). The report JSON is kept in its own table so that scans over
// records stay compact; the IOC values of each report are indexed in
// record_iocs for Filter.Query. The SQL sticks to what PostgreSQL also
// accepts where that is easy (ON CONFLICT, RETURNING, LIKE ... ESCAPE);
// the differences are noted where they occur.
//
// The database file is created with mode 0600. Paths must be plain file
// paths (no URI parameters, not ":memory:"): both pools must reach the same file.
package sqlite

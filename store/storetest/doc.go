// Package storetest is the conformance suite of store.Store: every backend
// (store/sqlite, later PostgreSQL) runs Run against fresh stores, so they
// all honour the same contract — queue idempotency, leases and their
// expiry and recovery, the one-transaction Complete and its idempotency,
// exactly one record per item under concurrent workers with overlapping
// leases, strictly increasing Seq and RecordsAfter paging, sink cursors,
// every Filter field, append-only feedback and its ordering, ErrNotFound,
// ErrInvalid, canceled contexts, and ErrClosed after Close.
//
// Times used by the suite have microsecond precision, the least a backend
// must keep.
package storetest

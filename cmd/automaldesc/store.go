package main

import (
	"context"
	"log/slog"
	"strings"

	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/postgres"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// backend is what the commands need of a store: the queue, records,
// cursors and feedback, and the model registry.
type backend interface {
	store.Store
	store.ModelRegistry
}

var (
	_ backend = (*sqlite.Store)(nil)
	_ backend = (*postgres.Store)(nil)
)

// openStore opens the store named by where: a PostgreSQL URL
// (postgres://... or postgresql://..., shared by many sidecars) or the path
// of an SQLite database file (the embedded default).
func openStore(ctx context.Context, where string, log *slog.Logger) (backend, error) {
	if isPostgres(where) {
		return postgres.Open(ctx, where, log)
	}
	return sqlite.Open(ctx, where, log)
}

func isPostgres(where string) bool {
	return strings.HasPrefix(where, "postgres://") || strings.HasPrefix(where, "postgresql://")
}

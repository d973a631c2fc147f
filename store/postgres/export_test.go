package postgres

import "github.com/jackc/pgx/v5"

// pgxConn shortens test signatures.
type pgxConn = pgx.Conn

package postgres

import (
	"os"
	"testing"

	"github.com/automaldesc/automaldesc/internal/pgtest"
)

// pg is the package's one PostgreSQL server, started on first use and
// stopped after the last test.
var pg = pgtest.New()

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

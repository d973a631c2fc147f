// Package pgtest gives tests a real PostgreSQL server: a throwaway one it
// starts itself from the installed binaries (initdb and postgres, found on
// PATH or under /usr/lib/postgresql/*/bin, as Debian installs them), or an
// existing one named by AUTOMALDESC_TEST_PG_DSN.
//
// The throwaway server lives in a temporary directory: its data directory,
// its unix socket directory and its log. It listens on a free port of
// 127.0.0.1 only, trusts local connections (it holds nothing but test
// data), runs without fsync, and is stopped and removed by Stop. As root
// (tests in CI and on the development machines run as root) initdb and
// postgres, which refuse to run as root, run as the "postgres" user with
// the directory handed to it.
//
// A test package starts one server lazily and shares it:
//
//	var pg = pgtest.New()
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		pg.Stop()
//		os.Exit(code)
//	}
//
// and each test takes a fresh, empty schema with pg.DSN(t). Without
// binaries and without AUTOMALDESC_TEST_PG_DSN a test is skipped, except
// when the CI environment variable is set: CI always has PostgreSQL, so
// there it fails.
package pgtest

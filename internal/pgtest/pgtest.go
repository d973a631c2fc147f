package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable with the DSN of an existing
// server to use instead of starting one. Its user must be allowed to
// create schemas in its database.
const EnvDSN = "AUTOMALDESC_TEST_PG_DSN"

// ErrUnavailable: no PostgreSQL binaries and no EnvDSN.
var ErrUnavailable = errors.New("no PostgreSQL: install the postgresql package or set " + EnvDSN)

const (
	startTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
	logTail      = 4000 // bytes of the server log quoted in errors
)

// Server is a PostgreSQL server for tests; see the package doc.
type Server struct {
	once  sync.Once
	err   error
	admin string // DSN of a superuser (or EnvDSN) connection, keyword/value or URL form
	ext   bool   // an existing server (EnvDSN): schemas are dropped after each test
	n     atomic.Int64

	dir  string
	cmd  *exec.Cmd
	exit chan struct{}
}

// New returns a server that starts on first use.
func New() *Server { return &Server{} }

// DSN returns the DSN of a fresh, empty schema (search_path set to it) on
// the server, starting the server on first use. It skips the test when no
// PostgreSQL is available, unless CI is set, and fails it when the server
// could not be started.
func (s *Server) DSN(t testing.TB) string {
	t.Helper()
	s.once.Do(func() { s.err = s.start() })
	if errors.Is(s.err, ErrUnavailable) && os.Getenv("CI") == "" {
		t.Skipf("pgtest: %v", s.err)
	}
	if s.err != nil {
		t.Fatalf("pgtest: %v", s.err)
	}
	schema := fmt.Sprintf("pgtest_%d_%d", os.Getpid(), s.n.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := s.exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	if s.ext {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
			defer cancel()
			if err := s.exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				t.Errorf("pgtest: drop schema: %v", err)
			}
		})
	}
	dsn, err := withParam(s.admin, "search_path", schema)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dsn
}

// exec runs one statement on a short-lived admin connection.
func (s *Server) exec(ctx context.Context, sql string) error {
	c, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	_, err = c.Exec(ctx, sql)
	return err
}

// withParam adds a connection parameter to a DSN in either form.
func withParam(dsn, key, value string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("dsn: %w", err)
		}
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return dsn + " " + key + "=" + value, nil
}

// start uses EnvDSN or starts a throwaway server.
func (s *Server) start() error {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		s.admin, s.ext = dsn, true
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		if err := s.exec(ctx, "SELECT 1"); err != nil {
			return fmt.Errorf("%s: %w", EnvDSN, err)
		}
		return nil
	}
	bin, err := findBin()
	if err != nil {
		return err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root, and postgres refuses to: need the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	if s.dir, err = os.MkdirTemp("", "automaldesc-pgtest-"); err != nil {
		return err
	}
	sock := filepath.Join(s.dir, "sock")
	if err := os.Mkdir(sock, 0o700); err != nil {
		return err
	}
	if cred != nil {
		for _, p := range []string{s.dir, sock} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return err
			}
		}
	}
	data := filepath.Join(s.dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = sysProcAttr(cred)
	initdb.Env = append(os.Environ(), "LC_ALL=C")
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, tail(out))
	}
	// A free port can be taken between probing and binding: retry.
	for attempt := 1; ; attempt++ {
		err := s.run(bin, data, sock, cred)
		if err == nil || attempt == 3 || !strings.Contains(err.Error(), "could not bind") {
			return err
		}
	}
}

// run starts postgres on a free port and waits until it accepts
// connections.
func (s *Server) run(bin, data, sock string, cred *syscall.Credential) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logPath := filepath.Join(s.dir, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close() // the child has its own descriptor
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", sock,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=100", "-c", "shared_buffers=64MB")
	s.cmd.SysProcAttr = sysProcAttr(cred)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.Env = append(os.Environ(), "LC_ALL=C")
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	exit := make(chan struct{})
	s.exit = exit
	go func() {
		_ = s.cmd.Wait()
		close(exit)
	}()
	s.admin = fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable", port)
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := s.exec(ctx, "SELECT 1")
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exit:
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("postgres exited at startup: %s", tail(log))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			s.Stop()
			return fmt.Errorf("postgres not ready after %v: %v\n%s", startTimeout, err, tail(log))
		}
	}
}

// Stop shuts a started server down (fast shutdown, then kill) and removes
// its directory. It does nothing for an existing server or one never
// started, and may be called more than once.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		select {
		case <-s.exit:
		default:
			_ = s.cmd.Process.Signal(syscall.SIGINT)
			select {
			case <-s.exit:
			case <-time.After(stopTimeout):
				_ = s.cmd.Process.Kill()
				<-s.exit
			}
		}
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
		s.dir = ""
	}
}

// findBin returns the directory with initdb and postgres: PATH first, then
// Debian's /usr/lib/postgresql/<version>/bin, the highest version.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		_, e1 := os.Stat(filepath.Join(d, "initdb"))
		_, e2 := os.Stat(filepath.Join(d, "postgres"))
		if e1 == nil && e2 == nil {
			return d, nil
		}
	}
	return "", ErrUnavailable
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte) string {
	if len(b) > logTail {
		b = b[len(b)-logTail:]
	}
	return string(b)
}

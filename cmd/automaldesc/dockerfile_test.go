package main

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/config"
)

// No container engine runs in CI or on the development machines, so the
// Dockerfile is checked statically: its stages, the install script it
// shares with `make`, the runtime user, the health check, and that its
// environment is a valid configuration that writes only below the volume.

type instruction struct {
	cmd  string // upper case
	args string
}

type stage struct {
	from, name string
	ins        []instruction
}

// parseDockerfile splits a Dockerfile into stages of instructions
// (continuation lines joined, comments dropped). ARGs before the first
// FROM are returned separately.
func parseDockerfile(t *testing.T, path string) (globalArgs map[string]string, stages []stage) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	globalArgs = map[string]string{}
	var lines []string
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (l == "" || strings.HasPrefix(l, "#")) {
			continue
		}
		if strings.HasPrefix(l, "#") {
			continue // a comment inside a continued instruction
		}
		if c, ok := strings.CutSuffix(l, "\\"); ok {
			cur.WriteString(c + " ")
			continue
		}
		cur.WriteString(l)
		lines = append(lines, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		t.Fatalf("%s: dangling line continuation", path)
	}
	for _, l := range lines {
		cmd, args, _ := strings.Cut(l, " ")
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		switch {
		case in.cmd == "FROM":
			f := strings.Fields(in.args)
			s := stage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			stages = append(stages, s)
		case len(stages) == 0 && in.cmd == "ARG":
			k, v, _ := strings.Cut(in.args, "=")
			globalArgs[k] = v
		case len(stages) == 0:
			t.Fatalf("%s: %s before the first FROM", path, in.cmd)
		default:
			stages[len(stages)-1].ins = append(stages[len(stages)-1].ins, in)
		}
	}
	return globalArgs, stages
}

func (s stage) all(cmd string) []string {
	var out []string
	for _, in := range s.ins {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// envPairs parses ENV k=v [k=v ...] instructions.
func envPairs(args []string) []string {
	var out []string
	for _, a := range args {
		out = append(out, strings.Fields(a)...)
	}
	return out
}

func TestDockerfile(t *testing.T) {
	root := filepath.Join("..", "..")
	args, stages := parseDockerfile(t, filepath.Join(root, "Dockerfile"))
	if len(stages) != 2 {
		t.Fatalf("stages: got %d, want 2 (build, runtime)", len(stages))
	}
	build, run := stages[0], stages[1]

	t.Run("build stage", func(t *testing.T) {
		if build.name != "build" || !strings.HasPrefix(build.from, "golang:") || !strings.HasSuffix(build.from, "-bookworm") {
			t.Errorf("got FROM %s AS %s, want golang:<version>-bookworm AS build", build.from, build.name)
		}
		gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
		if m == nil || args["GO_VERSION"] != string(m[1]) {
			t.Errorf("ARG GO_VERSION=%q, want go.mod's %q", args["GO_VERSION"], m[1])
		}
		runs := strings.Join(build.all("RUN"), "\n")
		for _, want := range []string{"scripts/install-deps.sh build", "make build"} {
			if !strings.Contains(runs, want) {
				t.Errorf("build stage does not run %q", want)
			}
		}
		mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(mk), "scripts/install-deps.sh build") {
			t.Error("Makefile no longer installs with scripts/install-deps.sh build: the image and make would diverge")
		}
		if _, err := os.Stat(filepath.Join(root, "scripts", "install-deps.sh")); err != nil {
			t.Error(err)
		}
	})

	t.Run("runtime stage", func(t *testing.T) {
		if run.from != "debian:bookworm-slim" {
			t.Errorf("got FROM %s, want debian:bookworm-slim", run.from)
		}
		runs := strings.Join(run.all("RUN"), "\n")
		install := regexp.MustCompile(`apt-get install -y --no-install-recommends ([^&]+)`).FindStringSubmatch(runs)
		if install == nil {
			t.Fatal("runtime stage installs no packages with apt-get install -y --no-install-recommends")
		}
		pkgs := strings.Fields(install[1])
		slices.Sort(pkgs)
		if want := []string{"ca-certificates", "libyara9"}; !slices.Equal(pkgs, want) {
			t.Errorf("runtime packages: got %v, want %v", pkgs, want)
		}
		// libyara9 must be the runtime library of the libyara-dev the
		// build links against (Debian: libyara-dev Depends libyara9 (= v)).
		if out, err := exec.Command("dpkg-query", "-W", "-f=${Depends}", "libyara-dev").Output(); err == nil {
			if !strings.Contains(string(out), "libyara9 (=") {
				t.Errorf("libyara-dev depends on %q, want libyara9 (= ...)", out)
			}
		}
		copies := strings.Join(run.all("COPY"), "\n")
		if !strings.Contains(copies, "--from=build /src/bin/automaldesc ") {
			t.Errorf("runtime stage does not copy the binary make built: %q", copies)
		}
	})

	t.Run("non-root user", func(t *testing.T) {
		users := run.all("USER")
		if len(users) == 0 {
			t.Fatal("no USER in the runtime stage")
		}
		u := users[len(users)-1]
		name, _, _ := strings.Cut(u, ":")
		if name == "" || name == "0" || name == "root" {
			t.Errorf("USER %q, want a non-root user", u)
		}
		// A numeric uid lets Kubernetes' runAsNonRoot verify it.
		if strings.Trim(name, "0123456789") != "" {
			t.Errorf("USER %q, want a numeric uid", u)
		}
		// Nothing after USER switches back.
		i := slices.IndexFunc(run.ins, func(in instruction) bool { return in.cmd == "USER" })
		for _, in := range run.ins[i+1:] {
			if in.cmd == "RUN" {
				t.Errorf("RUN after USER: %q", in.args)
			}
		}
	})

	t.Run("healthcheck, port, entrypoint", func(t *testing.T) {
		hc := run.all("HEALTHCHECK")
		if len(hc) != 1 || !strings.Contains(hc[0], `"automaldesc", "health"`) && !strings.Contains(hc[0], `/automaldesc", "health"`) {
			t.Errorf("HEALTHCHECK %q, want one calling automaldesc health", hc)
		}
		if ex := run.all("EXPOSE"); len(ex) != 1 || ex[0] != "8089" {
			t.Errorf("EXPOSE %q, want 8089", ex)
		}
		if v := run.all("VOLUME"); len(v) != 1 || !strings.Contains(v[0], "/var/lib/automaldesc") {
			t.Errorf("VOLUME %q, want /var/lib/automaldesc", v)
		}
	})

	t.Run("environment is a valid configuration below the volume", func(t *testing.T) {
		env := envPairs(run.all("ENV"))
		var cfgEnv []string
		for _, kv := range env {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("ENV %q is not k=v", kv)
			}
			if strings.HasPrefix(k, config.EnvPrefix+"_") {
				cfgEnv = append(cfgEnv, kv)
				if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "/var/lib/automaldesc/") {
					t.Errorf("%s=%s writes outside the volume", k, v)
				}
			}
		}
		c, _, err := config.Load(config.Options{Environ: cfgEnv})
		if err != nil {
			t.Fatalf("the image's environment is not a valid configuration: %v", err)
		}
		paths := []string{c.Store.Path, c.Watch.Staging, c.Sinks.NDJSON.Path}
		for _, f := range c.Watch.Folders {
			paths = append(paths, f.Path)
		}
		for _, p := range paths {
			if !strings.HasPrefix(p, "/var/lib/automaldesc/") {
				t.Errorf("path %q is outside the volume /var/lib/automaldesc", p)
			}
		}
		// The API binds beyond loopback there, so a token is mandatory.
		if c.API.TokenEnv == "" || strings.HasPrefix(c.API.TokenEnv, config.EnvPrefix+"_") {
			t.Errorf("api.token_env %q, want a variable outside the %s_ namespace", c.API.TokenEnv, config.EnvPrefix)
		}
		if hp, err := healthURL(c.API.Listen, false); err != nil || hp != "http://127.0.0.1:8089/healthz" {
			t.Errorf("health check URL: got %q %v, want http://127.0.0.1:8089/healthz", hp, err)
		}
	})

	t.Run("dockerignore keeps what the build needs", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
		if err != nil {
			t.Fatal(err)
		}
		var pats []string
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				pats = append(pats, strings.TrimPrefix(l, "/"))
			}
		}
		for _, want := range []string{".git", "bin", ".cache"} {
			if !slices.Contains(pats, want) {
				t.Errorf(".dockerignore does not exclude %s", want)
			}
		}
		needed := []string{"go.mod", "go.sum", "Makefile", "scripts", "README.md"}
		entries, _ := os.ReadDir(root)
		for _, e := range entries {
			if e.IsDir() && hasGo(filepath.Join(root, e.Name())) {
				needed = append(needed, e.Name())
			}
		}
		for _, n := range needed {
			for _, p := range pats {
				if ok, _ := filepath.Match(p, n); ok {
					t.Errorf(".dockerignore pattern %q excludes %s, which the build needs", p, n)
				}
			}
		}
	})
}

// hasGo reports whether a directory tree holds a .go file.
func hasGo(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

func TestHealthURL(t *testing.T) {
	tests := []struct {
		listen string
		ready  bool
		want   string // "" = error
	}{
		{"127.0.0.1:8089", false, "http://127.0.0.1:8089/healthz"},
		{"0.0.0.0:8089", true, "http://127.0.0.1:8089/readyz"},
		{"[::]:9000", false, "http://[::1]:9000/healthz"},
		{":8089", false, "http://127.0.0.1:8089/healthz"},
		{"10.0.0.5:8089", false, "http://10.0.0.5:8089/healthz"},
		{"127.0.0.1:0", false, ""},
		{"", false, ""},
		{"nonsense", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.listen, func(t *testing.T) {
			got, err := healthURL(tc.listen, tc.ready)
			if tc.want == "" {
				if err == nil {
					t.Errorf("got %q, want an error", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q %v, want %q", got, err, tc.want)
			}
		})
	}
}

func TestHealthCommand(t *testing.T) {
	status := map[string]int{"/healthz": 200, "/readyz": 503}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status[r.URL.Path])
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	closed := httptest.NewServer(http.NotFoundHandler())
	deadAddr := strings.TrimPrefix(closed.URL, "http://")
	closed.Close()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"healthy", []string{"health", "--api", addr}, 0},
		{"not ready", []string{"health", "--api", addr, "--ready"}, 1},
		{"nothing listening", []string{"health", "--api", deadAddr, "--timeout", "1s"}, 1},
		{"api off", []string{"health", "--api", ""}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := []string{}
			if tc.name == "api off" {
				env = append(env, "AUTOMALDESC_API_LISTEN=")
			}
			r := runBin(t, "", env, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			if tc.code == 0 && strings.TrimSpace(r.stdout) != "ok" {
				t.Errorf("stdout: got %q, want ok", r.stdout)
			}
		})
	}
}

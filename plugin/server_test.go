package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	pb "github.com/automaldesc/automaldesc/plugin/proto/automaldesc/v1"
	"github.com/automaldesc/automaldesc/rules"
)

// fakeServer answers by sample name, for the protocol tests that need no
// engine.
type fakeServer struct {
	feedback []Feedback
	mu       sync.Mutex
}

var _ Server = (*fakeServer)(nil)

func (f *fakeServer) Info(context.Context) (Info, error) {
	return Info{Versions: Versions{Engine: "fake", Schema: analysis.SchemaVersion, Protocol: ProtocolVersion},
		Limits: Limits{MaxFileSize: 1 << 20, MaxConcurrency: 4}}, nil
}

func (f *fakeServer) Analyze(ctx context.Context, req Request) (*analysis.Report, error) {
	r := &analysis.Report{SchemaVersion: analysis.SchemaVersion, ID: "id-" + req.Name, Status: analysis.StatusOK,
		Sample: analysis.SampleInfo{Name: req.Name, Source: req.Source}, Language: lang.Result{Language: lang.Python},
		Verdict: analysis.Verdict{Label: verdict.Suspicious, Score: 0.6}}
	switch req.Name {
	case "panic":
		panic("boom")
	case "deadline":
		r.Status, r.Reason = analysis.StatusError, "deadline"
		return r, fmt.Errorf("%w (10s) during decode", analysis.ErrDeadline)
	case "internal":
		r.Status = analysis.StatusError
		return r, fmt.Errorf("%w: yara: broken", analysis.ErrInternal)
	case "refuse":
		return nil, fmt.Errorf("%w: no", ErrInvalidInput)
	case "nothing":
		return nil, nil
	case "wait":
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return r, nil
}

func (f *fakeServer) Feedback(_ context.Context, fb Feedback) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.feedback = append(f.feedback, fb)
	return nil
}

// serveInProcess serves srv over an in-memory connection and returns a
// Client without a process behind it.
func serveInProcess(t *testing.T, srv Server) *Client {
	t.Helper()
	info, err := srv.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lis := bufconn.Listen(1 << 20)
	log := slog.New(slog.DiscardHandler)
	gs := grpc.NewServer(grpc.ChainUnaryInterceptor(recoverUnary(log)), grpc.ChainStreamInterceptor(recoverStream(log)))
	pb.RegisterAnalyzerServer(gs, &grpcServer{srv: srv, log: log, maxFileSize: info.Limits.MaxFileSize, workers: info.Limits.MaxConcurrency})
	go gs.Serve(lis)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); gs.Stop() })
	return &Client{rpc: pb.NewAnalyzerClient(conn), info: info, maxData: info.Limits.MaxFileSize}
}

func TestServerErrors(t *testing.T) {
	c := serveInProcess(t, &fakeServer{})
	tests := []struct {
		name       string
		wantReport bool
		want       []error
	}{
		{"ok.py", true, nil},
		{"deadline", true, []error{analysis.ErrDeadline, context.DeadlineExceeded}},
		{"internal", true, []error{analysis.ErrInternal}},
		{"panic", false, []error{analysis.ErrInternal}},
		{"refuse", false, []error{ErrInvalidInput}},
		{"nothing", false, []error{analysis.ErrInternal}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Analyze(context.Background(), Request{Data: []byte("x"), Name: tt.name})
			if (r != nil) != tt.wantReport {
				t.Errorf("got report %v, want one: %v", r != nil, tt.wantReport)
			}
			if r != nil && (r.Sample.Name != tt.name || r.Verdict.Label != verdict.Suspicious) {
				t.Errorf("got report for %q labelled %s, want %q, suspicious", r.Sample.Name, r.Verdict.Label, tt.name)
			}
			if tt.want == nil && err != nil {
				t.Errorf("got %v, want no error", err)
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("got %v, want it to wrap %v", err, w)
				}
			}
		})
	}
	t.Run("server-side size check", func(t *testing.T) {
		raw := *c
		raw.maxData = 0
		_, err := raw.Analyze(context.Background(), Request{Data: make([]byte, 1<<20+1), Name: "big"})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("got %v, want ErrTooLarge", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.Analyze(ctx, Request{Name: "wait"})
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, analysis.ErrDeadline) {
			t.Errorf("got %v, want context.DeadlineExceeded and analysis.ErrDeadline", err)
		}
	})
}

func TestServerBatch(t *testing.T) {
	c := serveInProcess(t, &fakeServer{})
	names := []string{"panic", "deadline", "refuse", "internal", "nothing"}
	reqs := make([]Request, 203)
	for i := range reqs {
		reqs[i] = Request{Data: []byte("print(1)"), Name: fmt.Sprintf("s%d.py", i)}
		if i < len(names) {
			reqs[i].Name = names[i]
		}
	}
	res, err := c.AnalyzeBatch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	wantErr := map[string]error{"panic": analysis.ErrInternal, "deadline": analysis.ErrDeadline, "refuse": ErrInvalidInput,
		"internal": analysis.ErrInternal, "nothing": analysis.ErrInternal}
	for i, r := range res {
		if w, ok := wantErr[reqs[i].Name]; ok {
			if !errors.Is(r.Err, w) {
				t.Errorf("item %d (%s): got %v, want %v", i, reqs[i].Name, r.Err, w)
			}
			continue
		}
		if r.Err != nil || r.Report == nil || r.Report.Sample.Name != reqs[i].Name {
			t.Errorf("item %d: got %v, %v; want the report of %s", i, r.Report, r.Err, reqs[i].Name)
		}
	}
}

func TestServerFeedback(t *testing.T) {
	f := &fakeServer{}
	c := serveInProcess(t, f)
	at := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	fb := Feedback{ID: "fb1", RecordID: "rec", SHA256: strings.Repeat("0f", 32), IndicatorID: "ps.exec.iex", Analyst: "ana",
		Disposition: DispositionBenign, Category: "admin-tool", Summary: "backup script", Rating: 5, Note: "seen before", CreatedAt: at}
	if err := c.Feedback(context.Background(), fb); err != nil {
		t.Fatal(err)
	}
	if len(f.feedback) != 1 || f.feedback[0] != fb {
		t.Errorf("got %+v, want %+v", f.feedback, fb)
	}
	// The server validates too: hosts in other languages skip the Go check.
	_, err := c.rpc.Feedback(context.Background(), &pb.FeedbackRequest{Feedback: &pb.Feedback{Disposition: "evil", Sha256: fb.SHA256}})
	if err := fromStatus(context.Background(), err, nil); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("got %v, want ErrInvalidInput", err)
	}
}

// sink counts feedback.
type sink struct{ n atomic.Int32 }

func (s *sink) AddFeedback(context.Context, Feedback) error { s.n.Add(1); return nil }

func newTestEngine(t testing.TB) *analysis.Engine {
	t.Helper()
	live, err := rules.NewLive()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := analysis.New(analysis.Options{Version: "test", Rules: live, Catalog: indicators.Default(),
		Limits: analysis.Limits{MaxFileSize: 1 << 20, SampleTimeout: 5 * time.Second, DecodeDepth: 8, DecodeRatio: 16, DecodeBytes: 64 << 20, MaxLayers: 64}})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func TestEngineServer(t *testing.T) {
	eng := newTestEngine(t)
	if _, err := NewEngineServer(eng, EngineOptions{}); err == nil {
		t.Error("got no error for a zero max file size")
	}
	sk := &sink{}
	srv, err := NewEngineServer(eng, EngineOptions{MaxFileSize: 1 << 20, SampleTimeout: 5 * time.Second, MaxConcurrency: 1, Feedback: sk})
	if err != nil {
		t.Fatal(err)
	}
	c := serveInProcess(t, srv)
	t.Run("info", func(t *testing.T) {
		info, err := c.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !info.Capabilities.Feedback || info.Versions.Engine != "test" || info.Limits.MaxConcurrency != 1 || len(info.Indicators) == 0 {
			t.Errorf("got %+v %+v %+v, want feedback, engine test, concurrency 1, indicators", info.Capabilities, info.Versions, info.Limits)
		}
	})
	t.Run("analyze", func(t *testing.T) {
		r, err := c.Analyze(context.Background(), Request{Data: []byte(cradle), Name: "c.ps1"})
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, r, analysis.StatusOK, verdict.Malicious, lang.PowerShell)
	})
	t.Run("feedback", func(t *testing.T) {
		if err := c.Feedback(context.Background(), Feedback{RecordID: "r", Disposition: DispositionConfirm}); err != nil {
			t.Fatal(err)
		}
		if sk.n.Load() != 1 {
			t.Errorf("got %d feedback entries in the sink, want 1", sk.n.Load())
		}
	})
	t.Run("slot wait honours ctx", func(t *testing.T) {
		srv.sem <- struct{}{} // the only slot is taken
		defer func() { <-srv.sem }()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := srv.Analyze(ctx, Request{Data: []byte(cradle)})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestServerDrain(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	gs := &grpcServer{srv: &fakeServer{}, log: log, maxFileSize: 1 << 20, workers: 2}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := gs.Analyze(ctx, &pb.AnalyzeRequest{Sample: &pb.Sample{Name: "wait"}})
		done <- err
	}()
	for gs.inflight.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if n := gs.drain(50 * time.Millisecond); n != 1 {
		t.Errorf("got %d calls running after the grace, want 1", n)
	}
	_, err := gs.Analyze(context.Background(), &pb.AnalyzeRequest{Sample: &pb.Sample{Name: "late.py"}})
	if err := fromStatus(context.Background(), err, nil); !errors.Is(err, ErrUnavailable) {
		t.Errorf("call while stopping: got %v, want ErrUnavailable", err)
	}
	cancel()
	<-done
	if n := gs.drain(time.Second); n != 0 {
		t.Errorf("got %d calls running, want 0", n)
	}
}

package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/automaldesc/automaldesc/analysis"
	pb "github.com/automaldesc/automaldesc/plugin/proto/automaldesc/v1"
)

// messageHeadroom is what a request may carry beyond the sample's bytes
// (names, metadata, framing).
const messageHeadroom = 1 << 20

// stopGrace is how long in-flight calls may run after the plugin was told
// to stop (signal, host gone) before they are cut.
const stopGrace = 5 * time.Second

// stopFlush is how long answers of finished calls get to be written at
// shutdown.
const stopFlush = 250 * time.Millisecond

// Serve serves srv to the go-plugin host that started this process and
// returns when the host shuts the plugin down, ctx ends (e.g. SIGTERM), or
// the host process goes away. It returns ErrNotStartedByHost, without
// touching stdout, when the process was not started by a host. Nothing but
// the handshake may be written to stdout; log must write to stderr (see
// NewLogHandler).
func Serve(ctx context.Context, srv Server, log *slog.Logger) error {
	if err := RequireHost(); err != nil {
		return err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	info, err := srv.Info(ctx)
	if err != nil {
		return fmt.Errorf("plugin: info: %w", err)
	}
	if info.Limits.MaxFileSize <= 0 {
		return errors.New("plugin: info: limits.max_file_size must be positive")
	}
	maxRecv := int64(math.MaxInt32)
	if m := info.Limits.MaxFileSize + messageHeadroom; m < maxRecv {
		maxRecv = m
	}
	workers := info.Limits.MaxConcurrency
	if workers <= 0 {
		workers = 1
	}
	gs := &grpcServer{srv: srv, log: log.With("component", "plugin"), maxFileSize: info.Limits.MaxFileSize, workers: workers}

	var (
		mu    sync.Mutex
		once  sync.Once
		gsrv  *grpc.Server
		ready = make(chan struct{})
	)
	newServer := func(opts []grpc.ServerOption) *grpc.Server {
		opts = append(opts,
			grpc.MaxRecvMsgSize(int(maxRecv)),
			grpc.MaxSendMsgSize(math.MaxInt32), // reports can outgrow samples (decoded layers)
			grpc.ChainUnaryInterceptor(recoverUnary(gs.log)),
			grpc.ChainStreamInterceptor(recoverStream(gs.log)),
		)
		s := grpc.NewServer(opts...)
		once.Do(func() {
			mu.Lock()
			gsrv = s
			mu.Unlock()
			close(ready)
		})
		return s
	}

	// stop ends serving when ctx ends or the host process disappears (the
	// plugin is re-parented). go-plugin itself only stops on the host's
	// Shutdown call.
	served := make(chan struct{})
	var watchers sync.WaitGroup
	watchers.Add(1)
	go func() {
		defer watchers.Done()
		ppid := os.Getppid()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		why := ""
		for why == "" {
			select {
			case <-served:
				return
			case <-ctx.Done():
				why = "stop requested: " + context.Cause(ctx).Error()
			case <-tick.C:
				if os.Getppid() != ppid {
					why = "host process went away"
				}
			}
		}
		select {
		case <-ready:
		case <-served:
			return
		}
		mu.Lock()
		s := gsrv
		mu.Unlock()
		gs.log.Info("plugin stopping", "reason", why)
		// GracefulStop alone would wait for go-plugin's stdio and broker
		// streams, open as long as the host is. Let running calls finish,
		// give their answers a moment to be written, then stop.
		if n := gs.drain(stopGrace); n > 0 {
			gs.log.Warn("calls cut at shutdown", "calls", n)
		}
		done := make(chan struct{})
		go func() { s.GracefulStop(); close(done) }()
		select {
		case <-done:
		case <-time.After(stopFlush):
			s.Stop()
			<-done
		}
	}()

	gs.log.Info("plugin serving", "protocol", ProtocolVersion, "engine", info.Versions.Engine, "rules", info.Versions.Rules,
		"model", info.Versions.Model, "max_file_size", info.Limits.MaxFileSize, "concurrency", workers)
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: pluginSets(ProtocolVersion, &grpcPlugin{server: gs}),
		GRPCServer:       newServer,
		Logger:           newHCLogger(log.With("component", "go-plugin")),
	})
	close(served)
	watchers.Wait()
	select {
	case <-ready:
	default:
		return errors.New("plugin: go-plugin did not start the gRPC server (see the log)")
	}
	gs.log.Info("plugin stopped")
	return nil
}

// grpcServer adapts a Server to the generated service.
type grpcServer struct {
	pb.UnimplementedAnalyzerServer
	srv         Server
	log         *slog.Logger
	maxFileSize int64
	workers     int // concurrent analyses per stream

	inflight atomic.Int64 // calls running (Analyze, AnalyzeStream, Feedback)
	stopping atomic.Bool  // new calls are refused
}

// enter admits a call unless the plugin is stopping; leave ends it.
func (s *grpcServer) enter() error {
	if s.stopping.Load() {
		return toStatus(fmt.Errorf("%w: plugin is stopping", ErrUnavailable))
	}
	s.inflight.Add(1)
	return nil
}

func (s *grpcServer) leave() { s.inflight.Add(-1) }

// drain refuses new calls and waits up to grace for the running ones; it
// returns how many still run.
func (s *grpcServer) drain(grace time.Duration) int64 {
	s.stopping.Store(true)
	end := time.Now().Add(grace)
	for s.inflight.Load() > 0 && time.Now().Before(end) {
		time.Sleep(10 * time.Millisecond)
	}
	return s.inflight.Load()
}

var _ pb.AnalyzerServer = (*grpcServer)(nil)

func (s *grpcServer) Info(ctx context.Context, _ *pb.InfoRequest) (*pb.InfoResponse, error) {
	info, err := s.srv.Info(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	return toProtoInfo(info), nil
}

func (s *grpcServer) Analyze(ctx context.Context, req *pb.AnalyzeRequest) (*pb.AnalyzeResponse, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	rep, fail, err := s.analyze(ctx, req.GetSample())
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.AnalyzeResponse{Report: rep, Failure: fail}, nil
}

// analyze runs one sample. A refused request, or one whose caller went
// away, is err (it becomes the RPC's status or the item's failure); an
// analysis that failed with a report is the report plus its failure.
func (s *grpcServer) analyze(ctx context.Context, smp *pb.Sample) (_ *pb.Report, _ *pb.Failure, err error) {
	if smp == nil {
		return nil, nil, fmt.Errorf("%w: request holds no sample", ErrInvalidInput)
	}
	req := fromProtoSample(smp)
	if err := req.validate(s.maxFileSize); err != nil {
		return nil, nil, err
	}
	s.log.Debug("analysis started", "sample", req)
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in analysis", "sample", req, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: panic: %v", analysis.ErrInternal, p)
		}
	}()
	r, aerr := s.srv.Analyze(ctx, req)
	elapsed := time.Since(start)
	if aerr != nil {
		switch {
		case ctx.Err() != nil:
			// The host cancelled the call or its deadline passed: it no
			// longer waits for an answer.
			s.log.Info("analysis stopped", "sample", req, "cause", context.Cause(ctx).Error(), "elapsed_ms", elapsed.Milliseconds())
			return nil, nil, fmt.Errorf("%w (%w)", aerr, ctx.Err())
		case r == nil:
			return nil, nil, aerr
		}
		s.log.Warn("analysis failed", "sample", req, "err", aerr, "elapsed_ms", elapsed.Milliseconds())
	}
	if r == nil {
		return nil, nil, fmt.Errorf("%w: server returned neither report nor error", analysis.ErrInternal)
	}
	p, err := toProtoReport(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", analysis.ErrInternal, err)
	}
	s.log.Debug("analyzed", "sample", req, "id", r.ID, "status", r.Status, "label", r.Verdict.Label, "elapsed_ms", elapsed.Milliseconds())
	if aerr != nil {
		return p, toFailure(aerr), nil
	}
	return p, nil, nil
}

// AnalyzeStream answers every request of the stream with its seq, running
// up to s.workers analyses at once. It ends after the host half-closed the
// stream and every item was answered, or when the stream breaks.
func (s *grpcServer) AnalyzeStream(stream pb.Analyzer_AnalyzeStreamServer) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	g, ctx := errgroup.WithContext(stream.Context())
	jobs := make(chan *pb.AnalyzeStreamRequest)
	out := make(chan *pb.AnalyzeStreamResponse)
	g.Go(func() error {
		defer close(jobs)
		for {
			req, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			select {
			case jobs <- req:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
	var workers sync.WaitGroup
	for range s.workers {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			for req := range jobs {
				resp := &pb.AnalyzeStreamResponse{Seq: req.GetSeq()}
				rep, fail, err := s.analyze(ctx, req.GetSample())
				if err != nil {
					fail = toFailure(err)
				}
				resp.Report, resp.Failure = rep, fail
				select {
				case out <- resp:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		workers.Wait()
		close(out)
		return nil
	})
	g.Go(func() error {
		for resp := range out {
			if err := stream.Send(resp); err != nil {
				return err
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		if stream.Context().Err() != nil {
			return toStatus(stream.Context().Err())
		}
		return toStatus(err)
	}
	return nil
}

func (s *grpcServer) Feedback(ctx context.Context, req *pb.FeedbackRequest) (*pb.FeedbackResponse, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if req.GetFeedback() == nil {
		return nil, toStatus(fmt.Errorf("%w: request holds no feedback", ErrInvalidInput))
	}
	fb := fromProtoFeedback(req.GetFeedback())
	if err := fb.Validate(); err != nil {
		return nil, toStatus(err)
	}
	if err := s.srv.Feedback(ctx, fb); err != nil {
		return nil, toStatus(err)
	}
	return &pb.FeedbackResponse{}, nil
}

// recoverUnary turns a panic in a handler into an Internal status instead
// of a crashed plugin.
func recoverUnary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic in rpc", "method", info.FullMethod, "panic", p, "stack", string(debug.Stack()))
				err = toStatus(fmt.Errorf("%w: panic in %s: %v", analysis.ErrInternal, info.FullMethod, p))
			}
		}()
		return h(ctx, req)
	}
}

func recoverStream(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) (err error) {
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic in rpc", "method", info.FullMethod, "panic", p, "stack", string(debug.Stack()))
				err = toStatus(fmt.Errorf("%w: panic in %s: %v", analysis.ErrInternal, info.FullMethod, p))
			}
		}()
		return h(srv, ss)
	}
}

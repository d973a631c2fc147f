package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/decode"
	"github.com/automaldesc/automaldesc/analysis/features"
	"github.com/automaldesc/automaldesc/analysis/lang"
)

// EngineOptions configure an EngineServer.
type EngineOptions struct {
	// MaxFileSize is limits.max_file_size: larger samples get ErrTooLarge.
	// Required.
	MaxFileSize int64
	// SampleTimeout is limits.sample_timeout, reported by Info (the engine
	// enforces it).
	SampleTimeout time.Duration
	// MaxConcurrency bounds the analyses running at once; further calls
	// wait (and give up when their context ends). 0 = GOMAXPROCS.
	MaxConcurrency int
	// Feedback stores feedback; nil answers ErrNoStore.
	Feedback FeedbackSink
	// Recorder, when set, keeps every report (for instance in a sidecar's
	// store, so plugin analyses join the same history). A recording failure
	// is logged; the report still reaches the host.
	Recorder Recorder
	Logger   *slog.Logger
}

// Recorder keeps reports. Record may be called concurrently.
type Recorder interface {
	Record(ctx context.Context, r *analysis.Report) error
}

// EngineServer serves an analysis.Engine. Its methods may be called
// concurrently.
type EngineServer struct {
	eng  *analysis.Engine
	opt  EngineOptions
	sem  chan struct{}
	log  *slog.Logger
	info Info // the static part: catalogs, limits, capabilities
}

var _ Server = (*EngineServer)(nil)

// NewEngineServer adapts eng to Server.
func NewEngineServer(eng *analysis.Engine, opt EngineOptions) (*EngineServer, error) {
	if eng == nil {
		return nil, errors.New("plugin: engine server: no engine")
	}
	if opt.MaxFileSize <= 0 {
		return nil, errors.New("plugin: engine server: max file size must be positive")
	}
	if opt.MaxConcurrency <= 0 {
		opt.MaxConcurrency = runtime.GOMAXPROCS(0)
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &EngineServer{eng: eng, opt: opt, sem: make(chan struct{}, opt.MaxConcurrency), log: opt.Logger.With("component", "engine-server")}
	s.info = s.catalog()
	return s, nil
}

// catalog builds the parts of Info that do not change while serving.
func (s *EngineServer) catalog() Info {
	info := Info{
		Languages: lang.All(),
		Limits: Limits{MaxFileSize: s.opt.MaxFileSize, SampleTimeout: s.opt.SampleTimeout,
			MaxConcurrency: s.opt.MaxConcurrency, MaxMessageBytes: s.opt.MaxFileSize + messageHeadroom},
		Capabilities: Capabilities{Feedback: s.opt.Feedback != nil},
	}
	for _, in := range s.eng.Catalog().Indicators() {
		info.Indicators = append(info.Indicators, Indicator{ID: in.ID, Title: in.Title, Description: in.Description,
			Severity: in.Severity.String(), Tactic: in.Tactic, Techniques: in.Techniques, Languages: in.Languages})
	}
	for _, f := range features.Schema() {
		info.Features = append(info.Features, Feature{Name: f.Name, Description: f.Description})
	}
	for _, d := range decode.Decoders() {
		info.Decoders = append(info.Decoders, Decoder{ID: d.ID, Description: d.Description, Languages: d.Languages})
	}
	return info
}

// Info returns the catalogs with the versions in force (rules may have
// been reloaded since the last call).
func (s *EngineServer) Info(context.Context) (Info, error) {
	info := s.info
	ei := s.eng.Info()
	info.Versions = Versions{Engine: ei.Version, Rules: ei.RulesVersion, Model: ei.ModelVersion,
		Schema: analysis.SchemaVersion, Protocol: ProtocolVersion}
	return info, nil
}

// Analyze analyses req once a slot is free. Request metadata is not part of
// the report (the report schema has no place for it yet).
func (s *EngineServer) Analyze(ctx context.Context, req Request) (*analysis.Report, error) {
	if err := req.validate(s.opt.MaxFileSize); err != nil {
		return nil, err
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for an analysis slot: %w", ctx.Err())
	}
	defer func() { <-s.sem }()
	r, err := s.eng.Analyze(ctx, req.sample())
	if s.opt.Recorder != nil && r != nil && ctx.Err() == nil {
		if rerr := s.opt.Recorder.Record(ctx, r); rerr != nil {
			s.log.Warn("report not recorded", "id", r.ID, "err", rerr)
		}
	}
	return r, err
}

// Feedback hands fb to the sink.
func (s *EngineServer) Feedback(ctx context.Context, fb Feedback) error {
	if err := fb.Validate(); err != nil {
		return err
	}
	if s.opt.Feedback == nil {
		return fmt.Errorf("%w: feedback needs a store (see the store configuration)", ErrNoStore)
	}
	if err := s.opt.Feedback.AddFeedback(ctx, fb); err != nil {
		return fmt.Errorf("store feedback: %w", err)
	}
	return nil
}

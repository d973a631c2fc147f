package main

import (
	"context"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/plugin"
	"github.com/automaldesc/automaldesc/sidecar"
	"github.com/automaldesc/automaldesc/store"
)

// storeRecorder keeps plugin reports in a sidecar's store.
type storeRecorder struct{ st store.Store }

func (s storeRecorder) Record(ctx context.Context, r *analysis.Report) error {
	rec, err := sidecar.NewRecord(r, "", r.Sample.Source, r.Sample.Signature)
	if err != nil {
		return err
	}
	_, err = s.st.PutRecord(ctx, rec)
	return err
}

// storeFeedback stores plugin feedback, resolving a sha256 to its latest
// record when the host gave no record id.
type storeFeedback struct{ st store.Store }

func (s storeFeedback) AddFeedback(ctx context.Context, fb plugin.Feedback) error {
	if fb.RecordID == "" {
		rec, err := s.st.LatestBySHA256(ctx, fb.SHA256)
		if err != nil {
			return err
		}
		fb.RecordID = rec.ID
	}
	_, err := s.st.AddFeedback(ctx, store.Feedback{
		ID: fb.ID, RecordID: fb.RecordID, SHA256: fb.SHA256, IndicatorID: fb.IndicatorID,
		Analyst: fb.Analyst, Disposition: fb.Disposition, Category: fb.Category,
		Summary: fb.Summary, Rating: fb.Rating, Note: fb.Note, CreatedAt: fb.CreatedAt,
	})
	return err
}

func newPluginCmd(a *app) *cobra.Command {
	var rules []string
	var concurrency int
	var db string
	cmd := &cobra.Command{
		Use:   "plugin",
		Short: "Serve the analyzer to a host program (hashicorp/go-plugin, gRPC, AutoMTLS)",
		Long: "Serve the analyzer to the program that started this process, over hashicorp/go-plugin\n" +
			"(protocol version 1, gRPC only, AutoMTLS). Scanners and EDR agents embed it with the Go\n" +
			"package github.com/automaldesc/automaldesc/plugin; see integrations/plugin-host-example.\n\n" +
			"Standard output carries only the go-plugin handshake; logs go to standard error as JSON\n" +
			"lines the host re-levels. The command refuses to run unless a host started it.\n" +
			"SIGINT is ignored (the host stops its plugins); SIGTERM stops gracefully.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Before anything else: without the host's cookie stdout is
			// not a handshake channel (most likely a terminal).
			if err := plugin.RequireHost(); err != nil {
				return usageError("plugin: %v", err)
			}
			boot := slog.New(plugin.NewLogHandler(a.stderr, slog.LevelInfo))
			cfg, err := a.loadConfig(cmd.Flags(), map[string]string{"max-size": "limits.max_file_size", "timeout": "limits.sample_timeout"})
			if err != nil {
				boot.Error("plugin cannot start", "err", err)
				return err
			}
			var lvl slog.Level
			if err := lvl.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
				lvl = slog.LevelInfo
			}
			log := slog.New(plugin.NewLogHandler(a.stderr, lvl))
			eng, err := newEngine(cfg, log, rules)
			if err != nil {
				log.Error("plugin cannot start", "err", err)
				return &exitError{code: exitFailure, err: err}
			}
			opts := plugin.EngineOptions{
				MaxFileSize:    int64(cfg.Limits.MaxFileSize),
				SampleTimeout:  cfg.Limits.SampleTimeout,
				MaxConcurrency: concurrency,
				Logger:         log,
			}
			if db != "" {
				st, err := openStore(cmd.Context(), db, log)
				if err != nil {
					log.Error("plugin cannot start", "err", err)
					return &exitError{code: exitFailure, err: err}
				}
				defer st.Close()
				opts.Feedback = storeFeedback{st}
				opts.Recorder = storeRecorder{st}
			}
			srv, err := plugin.NewEngineServer(eng, opts)
			if err != nil {
				log.Error("plugin cannot start", "err", err)
				return &exitError{code: exitFailure, err: err}
			}
			// go-plugin's convention: an interrupt from the host's terminal
			// reaches the whole process group, and the host shuts its
			// plugins down itself. Only SIGTERM stops the plugin here.
			ctx, stop := signal.NotifyContext(context.WithoutCancel(cmd.Context()), syscall.SIGTERM)
			defer stop()
			if err := plugin.Serve(ctx, srv, log); err != nil {
				log.Error("plugin failed", "err", err)
				return &exitError{code: exitFailure, err: err}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&rules, "rules", nil, "extra YARA rule directory (repeatable)")
	fl.IntVar(&concurrency, "concurrency", 0, "analyses at once (0 = CPUs); further calls wait")
	fl.StringVar(&db, "db", "", "a sidecar's database file: record every analysis there and accept feedback")
	fl.String("max-size", "", "largest sample analysed, e.g. 8MiB (config limits.max_file_size)")
	fl.String("timeout", "", "per-sample deadline, e.g. 10s (config limits.sample_timeout)")
	return cmd
}

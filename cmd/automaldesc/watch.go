package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/sidecar"
	"github.com/automaldesc/automaldesc/sidecar/queue"
)

func newWatchCmd(a *app) *cobra.Command {
	var extraRules []string
	cmd := &cobra.Command{
		Use:   "watch [flags]",
		Short: "Run the sidecar: watch quarantine folders, analyse, store and deliver records",
		Long: "Run the sidecar daemon. Files dropped into the quarantine folders (watch.folders;\n" +
			"default ./var/quarantine) are claimed once they stop changing, analysed, stored in\n" +
			"the database (store.path) and delivered to the sinks (ECS NDJSON file, stdout,\n" +
			"webhook). The HTTP API (api.listen, default 127.0.0.1:8089) serves the records,\n" +
			"feedback, on-demand scans, /metrics, /healthz and /readyz.\n\n" +
			"With llm.url set, records are explained offline, stored and delivered at once; the\n" +
			"LLM's explanation (watch.slow_workers at a time) follows as an update record that\n" +
			"supersedes the first (ECS event.action \"update\", automaldesc.supersedes).\n\n" +
			"SIGHUP, or a change to a file under rules.dirs, reloads the YARA rules; when a\n" +
			"file does not compile, the previous rule set stays in force whole.\n" +
			"SIGINT or SIGTERM stops intake, lets analyses in progress finish\n" +
			"(watch.shutdown_timeout), flushes the sinks and exits 0.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig(cmd.Flags(), map[string]string{
				"folder": "watch.folders", "api": "api.listen", "workers": "watch.workers",
				"db": "store.path", "staging": "watch.staging", "ndjson": "sinks.ndjson.path",
				"queue": "queue.url", "role": "watch.role",
			})
			if err != nil {
				return err
			}
			log := a.logger(cfg)
			for _, f := range cfg.Watch.Folders {
				if cfg.Queue.URL != "" && cfg.Watch.Role == config.RoleWorker {
					break // a worker watches nothing
				}
				if _, err := os.Stat(f.Path); os.IsNotExist(err) {
					if err := os.MkdirAll(f.Path, 0o750); err != nil {
						return &exitError{code: exitFailure, err: fmt.Errorf("watch folder %s: %w", f.Path, err)}
					}
					log.Info("created watch folder", "path", f.Path)
				}
			}
			if !isPostgres(cfg.Store.Path) {
				if err := os.MkdirAll(filepath.Dir(cfg.Store.Path), 0o750); err != nil {
					return &exitError{code: exitFailure, err: fmt.Errorf("store %s: %w", cfg.Store.Path, err)}
				}
			}
			hangup := make(chan os.Signal, 1)
			signal.Notify(hangup, syscall.SIGHUP) // before loading: an early SIGHUP must not kill the daemon
			defer signal.Stop(hangup)
			// The workers explain offline; the LLM (llm.url) runs on stored
			// records and its answers become update records.
			eng, live, ruleDirs, err := newLiveEngine(cfg, log, extraRules, true)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			slow, err := llmStages(cfg, log, eng.Catalog())
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			st, err := openStore(cmd.Context(), cfg.Store.Path, log)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			defer st.Close()
			var q queue.Queue
			if cfg.Queue.URL != "" {
				nq, err := dialQueue(cmd.Context(), cfg, log)
				if err != nil {
					return &exitError{code: exitFailure, err: err}
				}
				defer nq.Close()
				q = nq
			}
			err = sidecar.Run(cmd.Context(), sidecar.Options{
				Config:      cfg,
				Engine:      eng,
				Store:       st,
				Slow:        slow,
				Stdout:      a.stdout,
				Logger:      log,
				Queue:       q,
				ReloadRules: func() error { return live.Reload(ruleDirs...) },
				RuleDirs:    ruleDirs,
				Hangup:      hangup,
				OnReady: func(addr string) {
					if q != nil && cfg.Watch.Role != config.RoleAll {
						fmt.Fprintln(a.stderr, roleBanner(cfg, addr))
						return
					}
					fmt.Fprintln(a.stderr, banner(cfg.Watch.Folders, cfg.Sinks.NDJSON.Path, addr))
				},
			})
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringSlice("folder", nil, "quarantine folder to watch, recursively (repeatable; config watch.folders)")
	fl.String("api", "", "API listen address host:port, empty to disable (config api.listen)")
	fl.Int("workers", 0, "analysis workers (0 = CPUs; config watch.workers)")
	fl.String("db", "", "database file (config store.path)")
	fl.String("staging", "", "staging directory for claimed files (config watch.staging)")
	fl.String("ndjson", "", "ECS NDJSON alert file, empty to disable (config sinks.ndjson.path)")
	fl.String("queue", "", "NATS JetStream URL of the work queue between intake and workers, nats://host:4222 (config queue.url)")
	fl.String("role", "", "intake (watch and publish), worker (consume, analyse, store) or all (config watch.role)")
	fl.StringSliceVar(&extraRules, "rules", nil, "extra YARA rule directory (repeatable)")
	return cmd
}

// dialQueue connects to the work queue of a scale-out deployment.
func dialQueue(ctx context.Context, cfg config.Config, log *slog.Logger) (*queue.NATS, error) {
	host, _ := os.Hostname()
	return queue.Dial(ctx, queue.Options{
		URL: cfg.Queue.URL, Stream: cfg.Queue.Stream, Subject: cfg.Queue.Subject, AlertsSubject: cfg.Queue.AlertsSubject,
		AckWait: cfg.Queue.AckWait, MaxDeliver: cfg.Queue.MaxDeliver,
		Name:   fmt.Sprintf("automaldesc %s %s/%d", cfg.Watch.Role, host, os.Getpid()),
		Logger: log.With("component", "queue"),
	})
}

// roleBanner is the banner of an intake or worker of a scale-out
// deployment.
func roleBanner(cfg config.Config, addr string) string {
	api := ""
	if addr != "" {
		api = "; API http://" + addr + "/v1/records"
	}
	if cfg.Watch.Role == config.RoleIntake {
		paths := make([]string, 0, len(cfg.Watch.Folders))
		for _, f := range cfg.Watch.Folders {
			paths = append(paths, f.Path)
		}
		return fmt.Sprintf("automaldesc watch: intake: drop a file into %s; it is published to %s%s", strings.Join(paths, ", "), cfg.Queue.Subject, api)
	}
	return fmt.Sprintf("automaldesc watch: worker: analysing claims from %s%s", cfg.Queue.Subject, api)
}

// banner is the one line that tells a new user where to drop a file and
// where its record shows up.
func banner(folders []config.WatchFolder, ndjson, addr string) string {
	paths := make([]string, 0, len(folders))
	for _, f := range folders {
		paths = append(paths, f.Path)
	}
	where := []string{}
	if ndjson != "" {
		where = append(where, ndjson)
	}
	if addr != "" {
		where = append(where, "http://"+addr+"/ui/ (API: /v1/records)")
	}
	if len(where) == 0 {
		where = append(where, "the store only (no sink or API configured)")
	}
	return fmt.Sprintf("automaldesc watch: drop a file into %s; its record appears in %s", strings.Join(paths, ", "), strings.Join(where, " and "))
}

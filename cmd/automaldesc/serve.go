package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/sidecar/api"
)

func newServeCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Serve the API and the analysts' triage UI over an existing database",
		Long: "Serve the HTTP API and the triage UI (http://<api.listen>/ui/) over the records of an\n" +
			"existing database (store.path), for example one written by `automaldesc watch`, which\n" +
			"may keep running. Analysts browse and search records and store feedback (the database\n" +
			"is opened read-write for that); nothing is analysed (no POST /v1/scan).\n\n" +
			"The server binds to loopback by default; any other address needs a token\n" +
			"(api.token_env names the environment variable holding it). SIGINT or SIGTERM stops it.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig(cmd.Flags(), map[string]string{"api": "api.listen", "db": "store.path"})
			if err != nil {
				return err
			}
			log := a.logger(cfg)
			if cfg.API.Listen == "" {
				return usageError("serve: api.listen is empty; pass --api host:port")
			}
			token := ""
			if cfg.API.TokenEnv != "" {
				if token = os.Getenv(cfg.API.TokenEnv); token == "" {
					return usageError("api.token_env names %s, which is empty or unset", cfg.API.TokenEnv)
				}
			}
			if err := api.CheckBind(cfg.API.Listen, token); err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			if fi, err := os.Stat(cfg.Store.Path); err != nil || !fi.Mode().IsRegular() {
				return usageError("store %s: no database there (run `automaldesc watch` first or pass --db)", cfg.Store.Path)
			}
			st, err := openStore(cmd.Context(), cfg.Store.Path, log)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			defer st.Close()
			ln, err := net.Listen("tcp", cfg.API.Listen)
			if err != nil {
				return &exitError{code: exitFailure, err: fmt.Errorf("api: %w", err)}
			}
			srv := api.NewServer(api.Handler(api.Options{
				Store:  st,
				Token:  token,
				Logger: log.With("component", "api"),
				Ready: func(ctx context.Context) map[string]string {
					if _, err := st.PendingCount(ctx); err != nil {
						return map[string]string{"store": "unreachable"}
					}
					return nil
				},
			}))
			fmt.Fprintf(a.stderr, "automaldesc serve: triage UI at http://%s/ui/ (records of %s)\n", ln.Addr(), cfg.Store.Path)
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return &exitError{code: exitFailure, err: fmt.Errorf("api: %w", err)}
			case <-cmd.Context().Done():
			}
			sctx, cancel := context.WithTimeout(context.WithoutCancel(cmd.Context()), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				log.Warn("serve: shutdown", "err", err)
			}
			if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
				return &exitError{code: exitFailure, err: fmt.Errorf("api: %w", err)}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.String("api", "", "listen address host:port (config api.listen, default 127.0.0.1:8089)")
	fl.String("db", "", "database file (config store.path)")
	return cmd
}

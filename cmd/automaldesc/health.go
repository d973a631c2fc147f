package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// exitUnhealthy is the health command's failure status: Docker's
// HEALTHCHECK knows 0 (healthy) and 1 (unhealthy) and reserves 2, the
// other commands' exitFailure.
const exitUnhealthy = 1

// newHealthCmd is the container health check: no curl in the image, the
// binary asks its own running sidecar.
func newHealthCmd(a *app) *cobra.Command {
	var ready bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "health [flags]",
		Short: "Exit 0 when the sidecar's API answers /healthz (or /readyz with --ready), else 1",
		Long: "Ask the running sidecar at api.listen (or --api) whether it is alive: GET /healthz,\n" +
			"or /readyz with --ready (store reachable, rules loaded, queue connected). Exit status\n" +
			"0 when it answers 200, 1 otherwise; for container HEALTHCHECKs and probes. A wildcard\n" +
			"listen address (0.0.0.0, [::]) is asked on loopback.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig(cmd.Flags(), map[string]string{"api": "api.listen"})
			if err != nil {
				return err
			}
			url, err := healthURL(cfg.API.Listen, ready)
			if err != nil {
				return &exitError{code: exitUnhealthy, err: err}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if err := probe(ctx, url); err != nil {
				return &exitError{code: exitUnhealthy, err: err}
			}
			fmt.Fprintln(a.stdout, "ok")
			return nil
		},
	}
	fl := cmd.Flags()
	fl.String("api", "", "API address host:port (config api.listen)")
	fl.BoolVar(&ready, "ready", false, "ask /readyz instead of /healthz")
	fl.DurationVar(&timeout, "timeout", 3*time.Second, "give up after this long")
	return cmd
}

// healthURL turns the listen address into the URL to ask.
func healthURL(listen string, ready bool) (string, error) {
	if listen == "" {
		return "", errors.New("health: the API is off (api.listen is empty)")
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil || port == "" || port == "0" {
		return "", fmt.Errorf("health: api.listen %q has no fixed port", listen)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	path := "/healthz"
	if ready {
		path = "/readyz"
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}

func probe(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %s", url, resp.Status)
	}
	return nil
}

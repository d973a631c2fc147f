// Command plugin-host-example is a small scanner-side host for the
// automaldesc plugin, meant to be copied: it starts `automaldesc plugin`
// (checksum-pinned, AutoMTLS), analyses the files named on its command line
// in one batch, restarts the plugin once if it crashes, and prints one line
// (or one JSON report) per file. See README.md beside it.
//
//	plugin-host-example -plugin /usr/local/bin/automaldesc -sha256 $(sha256sum ... | cut -d' ' -f1) FILE...
//
// Exit status: 0 nothing found, 1 something malicious or suspicious, 2 error.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/plugin"
)

var errDetection = errors.New("detection")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errDetection):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "plugin-host-example:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plugin-host-example", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("plugin", "automaldesc", "automaldesc binary (a path, or a name looked up in PATH)")
	sum := fs.String("sha256", "", "expected SHA-256 of the binary; strongly recommended in production")
	config := fs.String("config", "", "automaldesc config file for the plugin")
	timeout := fs.Duration("timeout", time.Minute, "deadline for the whole batch")
	signature := fs.String("signature", "", "the scanner's signature name to record in the reports")
	asJSON := fs.Bool("json", false, "print whole reports as JSON lines")
	verbose := fs.Bool("v", false, "show the plugin's debug logs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("no files given")
	}
	path, err := exec.LookPath(*bin)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	opts := plugin.Options{
		// go-plugin's logs and the plugin's own JSON log lines, re-levelled.
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if *sum != "" {
		opts.SecureConfig = &plugin.SecureConfig{SHA256: *sum}
	}
	if *config != "" {
		opts.Args = []string{"plugin", "--config", *config}
	}

	c, err := plugin.Open(ctx, path, opts)
	if err != nil {
		return err
	}
	defer func() { c.Close() }()
	info, err := c.Info(ctx)
	if err != nil {
		return err
	}
	opts.Logger.Info("automaldesc plugin ready", "pid", c.PID(), "engine", info.Versions.Engine,
		"rules", info.Versions.Rules, "model", info.Versions.Model, "max_file_size", info.Limits.MaxFileSize)

	reqs := make([]plugin.Request, fs.NArg())
	readErr := make([]error, fs.NArg())
	for i, name := range fs.Args() {
		// Read at most one byte over the limit: the client refuses the
		// sample with plugin.ErrTooLarge without loading a huge file.
		data, err := readUpTo(name, info.Limits.MaxFileSize+1)
		readErr[i] = err
		reqs[i] = plugin.Request{Data: data, Name: filepath.Base(name), Path: name,
			Source: "plugin-host-example", Signature: *signature}
	}

	bctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	results, err := c.AnalyzeBatch(bctx, reqs)
	if errors.Is(err, plugin.ErrPluginExited) {
		// The plugin crashed (or was killed): start a fresh one and retry
		// once. A sample that crashes it every time fails the second run.
		opts.Logger.Warn("plugin exited; restarting it once", "err", err)
		c.Close()
		if c, err = plugin.Open(ctx, path, opts); err != nil {
			return err
		}
		results, err = c.AnalyzeBatch(bctx, reqs)
	}
	if err != nil && results == nil {
		return err
	}

	found := false
	enc := json.NewEncoder(stdout)
	for i, r := range results {
		name := fs.Arg(i)
		switch {
		case readErr[i] != nil:
			fmt.Fprintf(stdout, "%s\terror\t%v\n", name, readErr[i])
			continue
		case r.Report == nil:
			fmt.Fprintf(stdout, "%s\terror\t%v\n", name, r.Err)
			continue
		case r.Err != nil && errors.Is(r.Err, analysis.ErrDeadline):
			// The partial report is still worth an alert.
			opts.Logger.Warn("analysis hit its deadline; partial report", "file", name)
		}
		found = found || r.Report.Malicious()
		if *asJSON {
			if err := enc.Encode(r.Report); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(stdout, "%s\t%s\t%.2f\t%s\t%s\n", name, r.Report.Verdict.Label, r.Report.Verdict.Score,
			r.Report.Language.Language, r.Report.ID)
	}
	if err != nil {
		return err
	}
	if found {
		return errDetection
	}
	return nil
}

// readUpTo reads at most n bytes of the file.
func readUpTo(name string, n int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}

package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/automaldesc/automaldesc/config"
)

// app holds what every command shares: the streams and the global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	configFile     string
	logLevel       string
	logFormat      string
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "automaldesc",
		Short: "Static analysis and explanation of flagged scripts",
		Long: "automaldesc turns flagged scripts (PowerShell, JavaScript, VBScript, Batch, Bash, Python)\n" +
			"into enriched alert records: language, decoded layers, YARA matches, ATT&CK-mapped\n" +
			"indicators, IOCs, a verdict and an explanation. Nothing is ever executed.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitFailure, err: err}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.configFile, "config", "", "config file (YAML, JSON or TOML); also AUTOMALDESC_CONFIG")
	pf.StringVar(&a.logLevel, "log-level", "", "log level: debug, info, warn, error (config log.level)")
	pf.StringVar(&a.logFormat, "log-format", "", "log format: text or json (config log.format)")
	root.AddCommand(
		newScanCmd(a),
		newRulesCmd(a),
		newConfigCmd(a),
		newCatalogCmd(a),
		newVersionCmd(a),
		newPluginCmd(a),
		newWatchCmd(a),
		newHealthCmd(a),
		newClamavHookCmd(a),
		newServeCmd(a),
		newTrainCmd(a),
		newEvalCmd(a),
		newLearnCmd(a),
		newModelCmd(a),
		newFeedbackCmd(a),
		newExportCmd(a),
		newCortexCmd(a),
	)
	return root
}

// globalFlagKeys maps persistent flags onto config keys.
var globalFlagKeys = map[string]string{"log-level": "log.level", "log-format": "log.format"}

// loadConfig reads the configuration with the command's flags on top.
func (a *app) loadConfig(flags *pflag.FlagSet, keys map[string]string) (config.Config, error) {
	all := make(map[string]string, len(keys)+len(globalFlagKeys))
	for k, v := range globalFlagKeys {
		all[k] = v
	}
	for k, v := range keys {
		all[k] = v
	}
	c, _, err := config.Load(config.Options{File: a.configFile, Flags: flags, FlagKey: all})
	if err != nil {
		return config.Config{}, &exitError{code: exitFailure, err: err}
	}
	return c, nil
}

// logger builds the process logger: stderr, level and format from config.
func (a *app) logger(c config.Config) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.Log.Level)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(a.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(a.stderr, opts))
}

func usageError(format string, args ...any) error {
	return &exitError{code: exitFailure, err: fmt.Errorf(format, args...)}
}

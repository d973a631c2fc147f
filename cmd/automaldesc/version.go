package main

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/analysis"
)

func newVersionCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the versions of the binary, report schema, rules and model",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig(cmd.Flags(), nil)
			if err != nil {
				return err
			}
			eng, err := newEngine(cfg, a.logger(cfg), nil)
			if err != nil {
				return err
			}
			info := eng.Info()
			v := map[string]string{
				"version":        info.Version,
				"schema_version": analysis.SchemaVersion,
				"rules_version":  info.RulesVersion,
				"model_version":  info.ModelVersion,
				"go":             runtime.Version(),
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			_, err = fmt.Fprintf(a.stdout, "automaldesc %s (schema %s, rules %s, model %s, %s)\n",
				v["version"], v["schema_version"], v["rules_version"], v["model_version"], v["go"])
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/config"
)

func newConfigCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Show the effective configuration"}
	cmd.AddCommand(&cobra.Command{
		Use:   "print",
		Short: "Print the effective configuration (defaults < file < environment < flags) as YAML",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig(c.Flags(), nil)
			if err != nil {
				return err
			}
			b, err := cfg.YAML()
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(b)
			return err
		},
	}, &cobra.Command{
		Use:   "keys",
		Short: "List every configuration key with its environment variable",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			for _, k := range config.Keys() {
				env := config.EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
				if _, err := fmt.Fprintf(a.stdout, "%-40s %s\n", k, env); err != nil {
					return err
				}
			}
			return nil
		},
	})
	return cmd
}

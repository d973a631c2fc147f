package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/rules"
)

func newRulesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "Check and list YARA rules"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check DIR...",
		Short: "Compile every rule file under DIR on its own and report each problem with file and line",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, dirs []string) error {
			errs := rules.Check(dirs...)
			for _, err := range errs {
				fmt.Fprintln(a.stdout, err)
			}
			if len(errs) > 0 {
				return &exitError{code: exitFailure, err: fmt.Errorf("%d problem(s) in rule files", len(errs))}
			}
			_, err := fmt.Fprintln(a.stdout, "all rule files compile")
			return err
		},
	})
	var asJSON bool
	list := &cobra.Command{
		Use:   "list [DIR...]",
		Short: "List the bundled rules (and those under DIR) with their metadata",
		RunE: func(_ *cobra.Command, dirs []string) error {
			set, err := rules.Load(dirs...)
			if set == nil {
				return &exitError{code: exitFailure, err: err}
			}
			if err != nil {
				fmt.Fprintln(a.stderr, "warning:", errors.Unwrap(err))
			}
			infos := set.Infos()
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(infos)
			}
			for _, r := range infos {
				fmt.Fprintf(a.stdout, "%-10s %-45s %-9s %s\n", r.Namespace, r.Name, r.Meta["severity"], r.Meta["attack"])
			}
			_, err = fmt.Fprintf(a.stdout, "%d rules, version %s\n", len(infos), set.Version())
			return err
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	cmd.AddCommand(list)
	return cmd
}

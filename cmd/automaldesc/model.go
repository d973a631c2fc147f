package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/store"
)

func newModelCmd(a *app) *cobra.Command {
	var db, by string
	cmd := &cobra.Command{
		Use:   "model list|show [VERSION]|promote VERSION|rollback|history",
		Short: "Inspect and manage the verdict model registry in the store",
		Long: "The registry keeps every model the learning loop trained: version, parent, training-set summary\n" +
			"and validation metrics per language. 'promote' puts a version in force, 'rollback' returns to\n" +
			"the version promoted before the one in force. A running sidecar picks up the version in force.",
	}
	cmd.PersistentFlags().StringVar(&db, "db", "", "store database (default: config store.path)")
	withRegistry := func(fn func(cmd *cobra.Command, reg store.ModelRegistry, args []string) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			c, err := a.loadConfig(cmd.Flags(), nil)
			if err != nil {
				return err
			}
			path := db
			if path == "" {
				path = c.Store.Path
			}
			s, err := openStore(cmd.Context(), path, a.logger(c))
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			defer s.Close()
			if err := fn(cmd, s, args); err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			return nil
		}
	}
	list := &cobra.Command{
		Use: "list", Short: "List model versions, oldest first", Args: cobra.NoArgs,
		RunE: withRegistry(func(cmd *cobra.Command, reg store.ModelRegistry, _ []string) error {
			ms, err := reg.ListModels(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tSTATE\tPARENT\tCREATED\tACCURACY\tPROMOTED BY")
			for _, m := range ms {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Version, m.State, orDash(m.Parent),
					m.CreatedAt.Format("2006-01-02T15:04:05Z"), pooledAccuracy(m.Metrics), orDash(m.PromotedBy))
			}
			return tw.Flush()
		}),
	}
	show := &cobra.Command{
		Use: "show [VERSION]", Short: "Show one version (default: the one in force) as JSON", Args: cobra.MaximumNArgs(1),
		RunE: withRegistry(func(cmd *cobra.Command, reg store.ModelRegistry, args []string) error {
			var m store.ModelEntry
			var err error
			if len(args) == 1 {
				m, err = reg.GetModel(cmd.Context(), args[0])
			} else {
				m, err = reg.Current(cmd.Context())
			}
			if err != nil {
				return err
			}
			out := map[string]any{"version": m.Version, "parent": m.Parent, "state": m.State, "created_at": m.CreatedAt,
				"promoted_by": m.PromotedBy, "summary": m.Summary, "metrics": m.Metrics, "bytes": len(m.Blob)}
			if !m.PromotedAt.IsZero() {
				out["promoted_at"] = m.PromotedAt
			}
			if vm, err := verdict.Load(bytes.NewReader(m.Blob)); err == nil {
				out["features"] = vm.NumFeatures()
			} else {
				out["blob_error"] = err.Error()
			}
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}),
	}
	promote := &cobra.Command{
		Use: "promote VERSION", Short: "Put a stored version in force", Args: cobra.ExactArgs(1),
		RunE: withRegistry(func(cmd *cobra.Command, reg store.ModelRegistry, args []string) error {
			m, err := reg.GetModel(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if _, err := verdict.Load(bytes.NewReader(m.Blob)); err != nil {
				return fmt.Errorf("model %s: refusing to promote an unreadable model: %w", m.Version, err)
			}
			if err := reg.Promote(cmd.Context(), args[0], by); err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.stdout, "promoted %s\n", args[0])
			return err
		}),
	}
	rollback := &cobra.Command{
		Use: "rollback", Short: "Return to the version promoted before the one in force", Args: cobra.NoArgs,
		RunE: withRegistry(func(cmd *cobra.Command, reg store.ModelRegistry, _ []string) error {
			m, err := reg.Rollback(cmd.Context(), by)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.stdout, "rolled back; in force: %s\n", m.Version)
			return err
		}),
	}
	history := &cobra.Command{
		Use: "history", Short: "Print the promotion log", Args: cobra.NoArgs,
		RunE: withRegistry(func(cmd *cobra.Command, reg store.ModelRegistry, _ []string) error {
			evs, err := reg.History(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "AT\tACTION\tIN FORCE\tBEFORE\tBY")
			for _, e := range evs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.At.Format("2006-01-02T15:04:05Z"), e.Action, orDash(e.Version), orDash(e.From), orDash(e.By))
			}
			return tw.Flush()
		}),
	}
	for _, c := range []*cobra.Command{promote, rollback} {
		c.Flags().StringVar(&by, "by", "analyst", "who promotes or rolls back")
	}
	cmd.AddCommand(list, show, promote, rollback, history)
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// pooledAccuracy reads metrics["all"]["accuracy"].
func pooledAccuracy(raw json.RawMessage) string {
	var m map[string]map[string]float64
	if json.Unmarshal(raw, &m) != nil || m["all"] == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", 100*m["all"]["accuracy"])
}

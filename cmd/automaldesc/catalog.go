package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/analysis/decode"
	"github.com/automaldesc/automaldesc/analysis/features"
	"github.com/automaldesc/automaldesc/analysis/indicators"
)

// catalogEntry is the JSON shape of one indicator in `catalog --json`.
type catalogEntry struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    string   `json:"severity"`
	Tactic      string   `json:"tactic,omitempty"`
	Techniques  []string `json:"techniques,omitempty"`
	Languages   []string `json:"languages,omitempty"`
}

type decoderEntry struct {
	ID          string   `json:"id"`
	Description string   `json:"description"`
	Languages   []string `json:"languages,omitempty"`
}

func newCatalogCmd(a *app) *cobra.Command {
	var asJSON bool
	var only string
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Print every indicator, decoder and feature the engine knows",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			var inds []catalogEntry
			for _, in := range indicators.Default().Indicators() {
				e := catalogEntry{ID: in.ID, Title: in.Title, Description: in.Description, Severity: in.Severity.String(),
					Tactic: in.Tactic, Techniques: in.Techniques}
				for _, l := range in.Languages {
					e.Languages = append(e.Languages, l.String())
				}
				inds = append(inds, e)
			}
			var decs []decoderEntry
			for _, d := range decode.Decoders() {
				e := decoderEntry{ID: d.ID, Description: d.Description}
				for _, l := range d.Languages {
					e.Languages = append(e.Languages, l.String())
				}
				decs = append(decs, e)
			}
			feats := features.Schema()
			if asJSON {
				v := map[string]any{}
				if only == "" || only == "indicators" {
					v["indicators"] = inds
				}
				if only == "" || only == "decoders" {
					v["decoders"] = decs
				}
				if only == "" || only == "features" {
					v["features"] = feats
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			if only == "" || only == "indicators" {
				fmt.Fprintf(tw, "INDICATOR\tSEVERITY\tTACTIC\tATT&CK\tLANGUAGES\tTITLE\n")
				for _, e := range inds {
					langs := strings.Join(e.Languages, ",")
					if langs == "" {
						langs = "all"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.Severity, e.Tactic, strings.Join(e.Techniques, ","), langs, e.Title)
				}
				fmt.Fprintf(tw, "\t\t\t\t\t\n")
			}
			if only == "" || only == "decoders" {
				fmt.Fprintf(tw, "DECODER\tLANGUAGES\tDESCRIPTION\n")
				for _, e := range decs {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", e.ID, strings.Join(e.Languages, ","), e.Description)
				}
				fmt.Fprintf(tw, "\t\t\n")
			}
			if only == "" || only == "features" {
				fmt.Fprintf(tw, "FEATURE\tDESCRIPTION\n")
				for _, f := range feats {
					fmt.Fprintf(tw, "%s\t%s\n", f.Name, f.Description)
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	cmd.Flags().StringVar(&only, "only", "", "print one section: indicators, decoders or features")
	return cmd
}

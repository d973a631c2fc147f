package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/learning/loop"
	"github.com/automaldesc/automaldesc/store"
)

var sha256Re = regexp.MustCompile(`^[0-9a-f]{64}$`)

func newFeedbackCmd(a *app) *cobra.Command {
	var (
		label, category, note, analyst, summary, db string
		rating                                      int
	)
	cmd := &cobra.Command{
		Use:   "feedback SHA256 --label malicious|benign|suspicious|confirm [--category C] [--note N] [--db FILE]",
		Short: "Record an analyst's verdict on a sample (append-only; enters the next learning round)",
		Long: "Record analyst feedback on the newest record of a sample. Feedback is append-only and keyed\n" +
			"by the sample's sha256; the sample's disposition is the latest feedback, at once, and the next\n" +
			"'automaldesc learn' trains on it with the feedback weight.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sha := strings.ToLower(strings.TrimSpace(args[0]))
			if !sha256Re.MatchString(sha) {
				return usageError("feedback: %q is not a sha256 (64 hex digits)", args[0])
			}
			switch label {
			case store.DispositionMalicious, store.DispositionBenign, store.DispositionSuspicious, store.DispositionConfirm:
			default:
				return usageError("feedback: --label must be malicious, benign, suspicious or confirm")
			}
			c, err := a.loadConfig(cmd.Flags(), nil)
			if err != nil {
				return err
			}
			if db == "" {
				db = c.Store.Path
			}
			ctx := cmd.Context()
			s, err := openStore(ctx, db, a.logger(c))
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			defer s.Close()
			rec, err := s.LatestBySHA256(ctx, sha)
			if errors.Is(err, store.ErrNotFound) {
				return &exitError{code: exitFailure, err: fmt.Errorf("feedback: no record of sample %s in %s: scan it into the store first", sha, db)}
			}
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			fb, err := s.AddFeedback(ctx, store.Feedback{RecordID: rec.ID, SHA256: sha, Analyst: analyst, Disposition: label,
				Category: category, Summary: summary, Rating: rating, Note: note})
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			disp, err := loop.Disposition(ctx, s, sha)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			_, err = fmt.Fprintf(a.stdout, "feedback %s on record %s: disposition %s (record verdict %s)\n", fb.ID, rec.ID, disp, rec.Label)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&label, "label", "", "malicious, benign, suspicious or confirm (the record's verdict is right)")
	fl.StringVar(&category, "category", "", "category (downloader, miner, admin-script, ...)")
	fl.StringVar(&note, "note", "", "free-form note")
	fl.StringVar(&summary, "summary", "", "the analyst's own summary of the sample")
	fl.StringVar(&analyst, "analyst", "", "who gives the feedback")
	fl.IntVar(&rating, "rating", 0, "rating of the explanation, 1..5 (0: none)")
	fl.StringVar(&db, "db", "", "store database (default: config store.path)")
	return cmd
}

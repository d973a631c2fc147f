package loop

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the result as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteMarkdown writes the round-by-round tables: per language, the pool
// size, pseudo-labels kept, rejections by filter, validation accuracy of
// V_t and V_t+1 and McNemar's p-value.
func (r *Result) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Self-paced learning run\n\n")
	fmt.Fprintf(&b, "Inputs: %d seeds, %d feedback, %d pool (labels ignored), %d validation.\n\n",
		r.Inputs["seeds"], r.Inputs["feedback"], r.Inputs["pool"], r.Inputs["validation"])
	fmt.Fprintf(&b, "Initial model (seeds + feedback): `%s`. Final model: `%s`. Stopped: %s.\n\n", r.Initial, r.Final, r.StopReason)
	for _, rd := range r.Rounds {
		state := "promoted"
		if !rd.Promoted {
			state = "refused: " + rd.GateReason
		}
		fmt.Fprintf(&b, "## Round %d (threshold %.2f, %d pseudo-labels, gain %+.2f points, %s)\n\n",
			rd.Round, rd.Threshold, rd.Examples["pseudo"], 100*rd.Gain, state)
		fmt.Fprintf(&b, "`%s` -> `%s`, %.1f s\n\n", rd.Parent, rd.Candidate, rd.Seconds)
		b.WriteString("| language | pool | kept (mal/ben) |")
		for _, f := range Filters {
			fmt.Fprintf(&b, " %s |", f)
		}
		b.WriteString(" val n | acc before | acc after | FPR before | FPR after | lost/won | McNemar p |\n|---|---|---|")
		for range Filters {
			b.WriteString("---|")
		}
		b.WriteString("---|---|---|---|---|---|---|\n")
		for _, l := range rd.Languages {
			fmt.Fprintf(&b, "| %s | %d | %d (%d/%d) |", l.Language, l.Pool, l.Kept, l.KeptMalicious, l.KeptBenign)
			for _, f := range Filters {
				fmt.Fprintf(&b, " %d |", l.Rejected[f])
			}
			fmt.Fprintf(&b, " %d | %.2f%% | %.2f%% | %.2f%% | %.2f%% | %d/%d | %.3g |\n", l.Validation,
				100*l.AccuracyBefore, 100*l.AccuracyAfter, 100*l.FPRBefore, 100*l.FPRAfter, l.Lost, l.Won, l.PValue)
		}
		b.WriteString("\n")
	}
	if len(r.Supervised) > 0 {
		b.WriteString("## Supervised upper bound (pool with its true labels + seeds)\n\n| language | accuracy | FPR |\n|---|---|---|\n")
		for _, l := range sortedNames(r.Supervised) {
			s := r.Supervised[l]
			fmt.Fprintf(&b, "| %s | %.2f%% | %.2f%% |\n", l, 100*s.Accuracy, 100*s.FPR)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sortedNames[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		if k != "all" {
			out = append(out, k)
		}
	}
	sortStrings(out)
	if _, ok := m["all"]; ok {
		out = append(out, "all")
	}
	return out
}

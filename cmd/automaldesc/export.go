package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/learning/dataset"
	"github.com/automaldesc/automaldesc/learning/loop"
)

func newExportCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export training data",
	}
	var (
		kept, out    string
		includeSeeds bool
		maxChars     int
	)
	sft := &cobra.Command{
		Use:   "sft --kept DIR/kept.jsonl [--include-seeds] --out FILE",
		Short: "Write kept (script, answer) pairs as chat-format JSONL for supervised fine-tuning",
		Long: "Write one chat record per pair: a system prompt, the script as the user turn and, as the\n" +
			"assistant turn, the JSON answer {\"language\",\"label\" (1 malicious, 0 benign),\"summary\"}.\n" +
			"Pairs come from the pseudo-labels a learn run kept (kept.jsonl, with their grounded\n" +
			"explanations) and, with --include-seeds, from the seed set's expert summaries.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" || (kept == "" && !includeSeeds) {
				return usageError("export sft needs --out and --kept and/or --include-seeds")
			}
			n, skipped, err := exportSFT(kept, includeSeeds, out, maxChars)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			_, err = fmt.Fprintf(a.stdout, "wrote %d records to %s (%d skipped)\n", n, out, skipped)
			return err
		},
	}
	fl := sft.Flags()
	fl.StringVar(&kept, "kept", "", "kept.jsonl written by 'automaldesc learn --out DIR'")
	fl.BoolVar(&includeSeeds, "include-seeds", false, "also export the seed set with its expert summaries")
	fl.StringVar(&out, "out", "", "JSONL file to write")
	fl.IntVar(&maxChars, "max-chars", 16000, "cut scripts to this many bytes (0: no cut)")
	cmd.AddCommand(sft, newExportAlertsCmd(a))
	return cmd
}

// exportSFT writes the records and returns how many were written and
// skipped (unreadable script, no summary).
func exportSFT(keptPath string, includeSeeds bool, out string, maxChars int) (int, int, error) {
	var recs []loop.SFTRecord
	skipped := 0
	if includeSeeds {
		items, err := loadDatasets([]string{"seeds"})
		if err != nil {
			return 0, 0, err
		}
		for _, it := range items {
			data, _, err := it.Read(0)
			if err != nil {
				skipped++
				continue
			}
			r, err := loop.NewSFTRecord(data, it.Language, it.Label, it.Extra["summary"], maxChars)
			if err != nil {
				skipped++
				continue
			}
			recs = append(recs, r)
		}
	}
	if keptPath != "" {
		f, err := os.Open(keptPath)
		if err != nil {
			return 0, 0, err
		}
		ks, err := loop.ReadKept(bufio.NewReader(f))
		f.Close()
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", keptPath, err)
		}
		for _, k := range ks {
			data, err := readCapped(k.Where, 64<<20)
			if err != nil {
				skipped++
				continue
			}
			r, err := loop.NewSFTRecord(data, k.Language, dataset.Label(k.Label), k.Summary, maxChars)
			if err != nil {
				skipped++
				continue
			}
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return 0, skipped, errors.New("export sft: nothing to write")
	}
	f, err := os.Create(out)
	if err != nil {
		return 0, skipped, err
	}
	w := bufio.NewWriter(f)
	if err := loop.WriteSFT(w, recs); err != nil {
		f.Close()
		return 0, skipped, err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, skipped, err
	}
	return len(recs), skipped, f.Close()
}

// readCapped reads at most limit bytes of a file.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	buf := make([]byte, min(fi.Size(), limit))
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return buf[:n], nil
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/integrations/formats"
	"github.com/automaldesc/automaldesc/sidecar"
)

// maxReportLine caps one line of a reports JSONL file.
const maxReportLine = 64 << 20

// exportPage is the number of records read from the store at a time
// (records carry the full report, so pages stay small).
const exportPage = 500

type exportAlertsOptions struct {
	format, db, in, out string
	labels              []string
}

// newExportAlertsCmd is `automaldesc export alerts`: stored records or
// scanned reports rendered as ECS, OCSF, STIX or MISP, one document per
// line (STIX: one bundle per report).
func newExportAlertsCmd(a *app) *cobra.Command {
	var o exportAlertsOptions
	cmd := &cobra.Command{
		Use:   "alerts --format ecs|ocsf|stix|misp [--db FILE | --in reports.jsonl] [--out FILE]",
		Short: "Write records as SIEM/threat-intel documents (ECS, OCSF, STIX 2.1, MISP), one per line",
		Long: "Render analysis records for a SIEM or a threat-intel platform, one JSON document per line:\n" +
			"  ecs   Elastic Common Schema alert (the sidecar's NDJSON shape)\n" +
			"  ocsf  OCSF 1.1.0 Detection Finding (class 2004)\n" +
			"  stix  STIX 2.1 bundle per report (file, malware-analysis, indicators, attack patterns)\n" +
			"  misp  MISP event per report (attributes, ATT&CK galaxy tags)\n\n" +
			"Records come from the store (--db, default store.path of the configuration; a\n" +
			"postgres:// URL works too) or from a JSONL file of reports written by\n" +
			"'automaldesc scan --format jsonl' (--in, '-' for standard input). Documents are\n" +
			"deterministic: exporting a record twice gives the same ids. Lines that cannot be read\n" +
			"are reported on standard error and make the exit status 2; the rest is still written.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exportAlerts(cmd, a, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.format, "format", "", "output format: "+strings.Join(formats.Names(), ", ")+" (required)")
	fl.StringVar(&o.db, "db", "", "store to read: SQLite file or postgres:// URL (default: store.path)")
	fl.StringVar(&o.in, "in", "", "JSONL file of reports ('-' = standard input) instead of the store")
	fl.StringVar(&o.out, "out", "", "file to write (default: standard output)")
	fl.StringSliceVar(&o.labels, "label", nil, "only records with these verdict labels (e.g. malicious,suspicious)")
	return cmd
}

func exportAlerts(cmd *cobra.Command, a *app, o exportAlertsOptions) error {
	if o.format == "" {
		return usageError("export alerts: --format is required (%s)", strings.Join(formats.Names(), ", "))
	}
	if !slices.Contains(formats.Names(), strings.ToLower(o.format)) {
		return usageError("export alerts: --format %q: want one of %s", o.format, strings.Join(formats.Names(), ", "))
	}
	o.format = strings.ToLower(o.format)
	if o.db != "" && o.in != "" {
		return usageError("export alerts: give --db or --in, not both")
	}
	for i, l := range o.labels {
		o.labels[i] = strings.ToLower(strings.TrimSpace(l))
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}

	out := a.stdout
	var file *os.File
	if o.out != "" && o.out != "-" {
		f, err := os.Create(o.out)
		if err != nil {
			return &exitError{code: exitFailure, err: err}
		}
		file, out = f, f
		defer file.Close()
	}
	w := bufio.NewWriterSize(out, 256<<10)
	e := &alertExporter{w: w, format: o.format, labels: o.labels, stderr: a.stderr}

	var err error
	if o.in != "" {
		err = e.fromJSONL(o.in, a.stdin)
	} else {
		where := o.db
		if where == "" {
			cfg, cerr := a.loadConfig(cmd.Flags(), nil)
			if cerr != nil {
				return cerr
			}
			where = cfg.Store.Path
		}
		err = e.fromStore(ctx, where)
	}
	if ferr := w.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if file != nil {
		if cerr := file.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	fmt.Fprintf(a.stderr, "exported %d records as %s (%d skipped by --label, %d unreadable)\n", e.written, o.format, e.filtered, e.bad)
	if e.bad > 0 {
		return &exitError{code: exitFailure, err: fmt.Errorf("export alerts: %d records could not be read", e.bad)}
	}
	return nil
}

// alertExporter writes one document per record.
type alertExporter struct {
	w                      *bufio.Writer
	format                 string
	labels                 []string
	stderr                 io.Writer
	written, filtered, bad int
}

func (e *alertExporter) keep(label string) bool {
	if len(e.labels) > 0 && !slices.Contains(e.labels, label) {
		e.filtered++
		return false
	}
	return true
}

func (e *alertExporter) write(doc []byte) error {
	e.w.Write(doc)
	if err := e.w.WriteByte('\n'); err != nil {
		return err
	}
	e.written++
	return nil
}

func (e *alertExporter) warn(format string, args ...any) {
	e.bad++
	fmt.Fprintf(e.stderr, "export alerts: "+format+"\n", args...)
}

// fromStore pages through every record in Seq order.
func (e *alertExporter) fromStore(ctx context.Context, where string) error {
	if !isPostgres(where) {
		// Opening creates a missing SQLite file: refuse instead.
		if _, err := os.Stat(where); err != nil {
			return fmt.Errorf("store %s: %w", where, err)
		}
	}
	st, err := openStore(ctx, where, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	var seq int64
	for {
		recs, err := st.RecordsAfter(ctx, seq, exportPage)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return nil
		}
		for _, rec := range recs {
			seq = rec.Seq
			if !e.keep(rec.Label) {
				continue
			}
			var doc []byte
			if e.format == "ecs" {
				doc, err = sidecar.EncodeECS(rec) // keeps the record's duplicate_of
			} else {
				var r *analysis.Report
				if r, err = sidecar.DecodeReport(rec); err == nil {
					doc, err = formats.Encode(e.format, r)
				}
			}
			if err != nil {
				e.warn("record %s (seq %d): %v", rec.ID, rec.Seq, err)
				continue
			}
			if err := e.write(doc); err != nil {
				return err
			}
		}
	}
}

// fromJSONL reads reports, one JSON object per line.
func (e *alertExporter) fromJSONL(path string, stdin io.Reader) error {
	in := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxReportLine)
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var r analysis.Report
		if err := json.Unmarshal(b, &r); err != nil {
			e.warn("%s:%d: not a report (want 'scan --format jsonl' output): %v", path, line, err)
			continue
		}
		if r.ID == "" && r.Sample.SHA256 == "" {
			e.warn("%s:%d: not an automaldesc report (no id, no sample sha256; use 'scan --format jsonl')", path, line)
			continue
		}
		if !e.keep(r.Verdict.Label.String()) {
			continue
		}
		doc, err := formats.Encode(e.format, &r)
		if err != nil {
			e.warn("%s:%d: %v", path, line, err)
			continue
		}
		if err := e.write(doc); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s: a line is longer than %d bytes", path, maxReportLine)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

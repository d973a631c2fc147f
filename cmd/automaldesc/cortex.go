package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/intake"
)

// The Cortex analyzer job runner (TheHive project's Cortex): Cortex runs
// `automaldesc cortex JOBDIR` with JOBDIR/input/input.json (and the
// observable's file under JOBDIR/input/) and reads JOBDIR/output/output.json.
// See integrations/cortex.

// cortexInput is the part of input.json the runner reads.
type cortexInput struct {
	DataType string          `json:"dataType"`
	Data     string          `json:"data"`
	File     string          `json:"file"`     // the file's name inside JOBDIR/input
	Filename string          `json:"filename"` // the observable's original file name
	Config   json.RawMessage `json:"config"`
}

// CortexTaxonomy is one short result shown by TheHive.
type CortexTaxonomy struct {
	Level     string `json:"level"` // info|safe|suspicious|malicious
	Namespace string `json:"namespace"`
	Predicate string `json:"predicate"`
	Value     string `json:"value"`
}

// CortexArtifact is one observable extracted for TheHive.
type CortexArtifact struct {
	DataType string   `json:"dataType"`
	Data     string   `json:"data"`
	Tags     []string `json:"tags,omitempty"`
}

// cortexOutput is output.json.
type cortexOutput struct {
	Success      bool              `json:"success"`
	ErrorMessage string            `json:"errorMessage,omitempty"`
	Summary      *cortexSummary    `json:"summary,omitempty"`
	Full         *analysis.Report  `json:"full,omitempty"`
	Artifacts    []CortexArtifact  `json:"artifacts,omitzero"`
	Operations   []json.RawMessage `json:"operations,omitzero"`
}

type cortexSummary struct {
	Taxonomies []CortexTaxonomy `json:"taxonomies"`
}

func newCortexCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "cortex JOBDIR",
		Short: "Run as a Cortex analyzer on a job directory (input/input.json -> output/output.json)",
		Long: "Analyse the file observable of a Cortex job and write the analyzer report to\n" +
			"JOBDIR/output/output.json: taxonomies (verdict, language), the full automaldesc\n" +
			"report and the IOCs as artifacts. Only dataType \"file\" can be analysed; other\n" +
			"observables get a failure report. Exit status 0 whenever output.json was written.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			jobDir := args[0]
			cfg, err := a.loadConfig(cmd.Flags(), nil)
			if err != nil {
				return writeCortexFailure(jobDir, err.Error())
			}
			eng, err := newEngine(cfg, a.logger(cfg), nil)
			if err != nil {
				return writeCortexFailure(jobDir, fmt.Sprintf("engine: %v", err))
			}
			out := runCortex(cmd.Context(), eng, jobDir, int64(cfg.Limits.MaxFileSize))
			return writeCortexOutput(jobDir, out)
		},
	}
}

// runCortex analyses the job's observable; failures become an output with
// success false.
func runCortex(ctx context.Context, eng *analysis.Engine, jobDir string, maxSize int64) cortexOutput {
	fail := func(format string, args ...any) cortexOutput {
		return cortexOutput{Success: false, ErrorMessage: fmt.Sprintf(format, args...)}
	}
	b, err := os.ReadFile(filepath.Join(jobDir, "input", "input.json"))
	if err != nil {
		return fail("read input: %v", unwrapPathErr(err))
	}
	var in cortexInput
	if err := json.Unmarshal(b, &in); err != nil {
		return fail("input.json: %v", err)
	}
	if in.DataType != "file" {
		return fail("dataType %q cannot be analysed: automaldesc analyses script files (dataType file) only", in.DataType)
	}
	// The name comes from input.json: it must stay inside JOBDIR/input.
	if in.File == "" || !filepath.IsLocal(in.File) {
		return fail("input.json: file %q is not a file name inside the job's input directory", in.File)
	}
	s, err := intake.ReadFile(filepath.Join(jobDir, "input", in.File), maxSize)
	var rej *intake.Rejection
	if errors.As(err, &rej) {
		return fail("file %s: %s", in.File, rej.Reason)
	}
	s.Name = in.Filename
	if s.Name == "" {
		s.Name = in.File
	}
	s.Path, s.Source = "", "cortex"
	rep, err := eng.Analyze(ctx, s)
	if err != nil {
		return fail("analysis: %v", err)
	}
	return cortexReport(rep)
}

// cortexLevel maps a verdict onto Cortex's taxonomy levels.
func cortexLevel(l verdict.Label) string {
	switch l {
	case verdict.Malicious:
		return "malicious"
	case verdict.Suspicious:
		return "suspicious"
	case verdict.Benign:
		return "safe"
	}
	return "info"
}

// cortexDataType maps IOC types onto TheHive observable types ("" = not
// exported).
var cortexDataType = map[ioc.Type]string{
	ioc.URL: "url", ioc.Domain: "domain", ioc.IPv4: "ip", ioc.IPv6: "ip", ioc.Email: "mail",
	ioc.FilePath: "filename", ioc.RegistryKey: "registry", ioc.MD5: "hash", ioc.SHA1: "hash", ioc.SHA256: "hash",
}

// maxCortexArtifacts caps the artifacts of one report.
const maxCortexArtifacts = 500

func cortexReport(rep *analysis.Report) cortexOutput {
	out := cortexOutput{Success: true, Full: rep, Artifacts: []CortexArtifact{}, Operations: []json.RawMessage{}}
	value := rep.Verdict.Label.String()
	if rep.Status != analysis.StatusOK {
		value = string(rep.Status)
	} else {
		value = fmt.Sprintf("%s (%.2f)", value, rep.Verdict.Score)
	}
	tax := []CortexTaxonomy{{Level: cortexLevel(rep.Verdict.Label), Namespace: "automaldesc", Predicate: "verdict", Value: value}}
	if rep.Status == analysis.StatusOK {
		tax = append(tax, CortexTaxonomy{Level: "info", Namespace: "automaldesc", Predicate: "language", Value: rep.Language.Language.String()})
		if n := len(rep.Techniques); n > 0 {
			tax = append(tax, CortexTaxonomy{Level: cortexLevel(rep.Verdict.Label), Namespace: "automaldesc", Predicate: "attack", Value: fmt.Sprintf("%d techniques", n)})
		}
	}
	out.Summary = &cortexSummary{Taxonomies: tax}
	seen := map[string]bool{}
	for _, i := range rep.IOCs {
		dt := cortexDataType[i.Type]
		if dt == "" || seen[dt+"\x00"+i.Value] || len(out.Artifacts) == maxCortexArtifacts {
			continue
		}
		seen[dt+"\x00"+i.Value] = true
		out.Artifacts = append(out.Artifacts, CortexArtifact{DataType: dt, Data: i.Value,
			Tags: []string{"automaldesc", "ioc:" + string(i.Type), "verdict:" + rep.Verdict.Label.String()}})
	}
	return out
}

func writeCortexFailure(jobDir, msg string) error {
	return writeCortexOutput(jobDir, cortexOutput{Success: false, ErrorMessage: msg})
}

// writeCortexOutput writes output.json atomically (temp file + rename).
func writeCortexOutput(jobDir string, out cortexOutput) error {
	dir := filepath.Join(jobDir, "output")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("cortex output: %w", err)}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("cortex output: %w", err)}
	}
	tmp, err := os.CreateTemp(dir, ".output-*.json")
	if err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("cortex output: %w", err)}
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return &exitError{code: exitFailure, err: fmt.Errorf("cortex output: %w", err)}
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, "output.json")); err != nil {
		os.Remove(tmp.Name())
		return &exitError{code: exitFailure, err: fmt.Errorf("cortex output: %w", err)}
	}
	return nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

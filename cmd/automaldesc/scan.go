package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/intake"
	"github.com/automaldesc/automaldesc/render"
)

type scanOptions struct {
	format   string
	out      string
	rules    []string
	color    string
	stats    bool
	stdinAs  string
	source   string
	sigature string
	cpuProf  string
}

func newScanCmd(a *app) *cobra.Command {
	var o scanOptions
	cmd := &cobra.Command{
		Use:   "scan [flags] PATH...",
		Short: "Analyse files and directories (recursively); '-' reads standard input",
		Long: "Analyse scripts statically and print one report per file.\n\n" +
			"Exit status: 0 when nothing is malicious or suspicious, 1 when something is,\n" +
			"2 on usage, configuration or I/O errors (a detection takes precedence:\n" +
			"unreadable files still get an error record in the output).",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig(cmd.Flags(), map[string]string{"workers": "scan.workers", "max-size": "limits.max_file_size", "timeout": "limits.sample_timeout",
				"llm-url": "llm.url", "llm-model": "llm.model"})
			if err != nil {
				return err
			}
			f, err := render.ParseFormat(o.format)
			if err != nil {
				return usageError("%v", err)
			}
			if o.cpuProf != "" {
				stop, err := startCPUProfile(o.cpuProf)
				if err != nil {
					return &exitError{code: exitFailure, err: err}
				}
				defer stop()
			}
			gogc := os.Getenv("GOGC") == ""
			if gogc {
				// The engine's tables (~25 MB: verdict model, indicator
				// automaton, rules) live until the end; collecting while
				// they are built only marks them again and again.
				debug.SetGCPercent(-1)
			}
			log := a.logger(cfg)
			eng, err := newEngine(cfg, log, o.rules)
			if gogc {
				// A scan is a batch job whose heap is a few reports in
				// flight: ~20 MB more peak memory for 5-10% less CPU
				// over the dev corpus (docs/BENCHMARKS.md).
				debug.SetGCPercent(scanGCPercent)
			}
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			out := a.stdout
			var file *os.File // the --out file
			durable := false  // file is a regular file, synced at the end
			if o.out != "" && o.out != "-" {
				if file, err = os.Create(o.out); err != nil {
					return &exitError{code: exitFailure, err: err}
				}
				defer file.Close()
				// A device or a pipe (/dev/null, /dev/stdout, a FIFO) takes
				// the reports but has nothing to fsync: fsync fails there
				// with EINVAL, which is no lost report.
				fi, serr := file.Stat()
				durable = serr == nil && fi.Mode().IsRegular()
				out = &writeBehind{f: file}
			}
			color := false
			switch o.color {
			case "always":
				color = true
			case "auto":
				if fd, ok := out.(interface{ Fd() uintptr }); ok {
					color = term.IsTerminal(int(fd.Fd())) && os.Getenv("NO_COLOR") == ""
				}
			case "never":
			default:
				return usageError("--color %q: want auto, always or never", o.color)
			}
			// Reports are ~12 KB each on average: buffered, a corpus scan
			// makes a few hundred writes instead of one per file. The
			// pipeline flushes whenever it has no finished report waiting,
			// so output still appears as soon as the workers produce it.
			bw := bufio.NewWriterSize(out, 256<<10)
			w := render.NewWriter(bw, f, color)
			sum, err := scan(cmd.Context(), a, eng, args, cfg.Scan.EffectiveWorkers(), int64(cfg.Limits.MaxFileSize), o, w, bw.Flush)
			if cerr := w.Close(); err == nil && cerr != nil {
				err = cerr
			}
			if ferr := bw.Flush(); err == nil && ferr != nil {
				err = fmt.Errorf("write report: %w", ferr)
			}
			if durable {
				if serr := file.Sync(); err == nil && serr != nil {
					err = serr
				}
			}
			if o.stats {
				sum.print(a.stderr)
			}
			switch {
			case err != nil:
				return &exitError{code: exitFailure, err: err}
			case sum.detections > 0:
				return errDetection
			case sum.errors > 0:
				return &exitError{code: exitFailure, err: fmt.Errorf("%d of %d files could not be analysed (see their error records)", sum.errors, sum.files)}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.format, "format", "text", "output format: text, json, jsonl or paper")
	fl.StringVarP(&o.out, "out", "o", "", "write reports to FILE instead of standard output")
	fl.StringSliceVar(&o.rules, "rules", nil, "extra YARA rule directory (repeatable)")
	fl.StringVar(&o.color, "color", "auto", "colour in text output: auto, always or never")
	fl.BoolVar(&o.stats, "stats", false, "print throughput, per-stage time and peak memory to standard error")
	fl.StringVar(&o.stdinAs, "stdin-name", "stdin", "file name to report for '-' (used as language evidence)")
	fl.StringVar(&o.source, "source", "cli", "source name recorded in reports")
	fl.StringVar(&o.sigature, "signature", "", "scanner signature name to record in reports")
	fl.StringVar(&o.cpuProf, "cpuprofile", "", "write a Go CPU profile of the whole run (start-up included) to FILE")
	_ = fl.MarkHidden("cpuprofile")
	fl.Int("workers", 0, "analysis workers (0 = CPUs; config scan.workers)")
	fl.String("max-size", "", "largest file analysed, e.g. 8MiB (config limits.max_file_size)")
	fl.String("timeout", "", "per-sample deadline, e.g. 10s (config limits.sample_timeout)")
	fl.String("llm-url", "", "OpenAI-compatible API root for LLM explanations, e.g. http://127.0.0.1:8000/v1 (config llm.url)")
	fl.String("llm-model", "", "model for LLM explanations (config llm.model)")
	return cmd
}

// scanGCPercent is the GOGC of a scan unless the environment sets one.
const scanGCPercent = 200

// startCPUProfile profiles the process into path until the returned stop
// function runs (docs/BENCHMARKS.md: where the CPU of a corpus pass goes).
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// job is one path to analyse, numbered so output keeps input order.
type job struct {
	seq   int
	entry intake.Entry
	stdin bool
}

type scanResult struct {
	seq    int
	report *analysis.Report
}

type scanSummary struct {
	files, detections, errors, skipped int
	bytes                              int64
	elapsed                            time.Duration
	stages                             analysis.Timings
}

func (s scanSummary) print(w io.Writer) {
	sec := s.elapsed.Seconds()
	if sec <= 0 {
		sec = 1e-9
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Fprintf(w, "files=%d bytes=%d elapsed=%.3fs files/s=%.1f MB/s=%.2f detections=%d skipped=%d errors=%d peak_rss_mb=%.1f\n",
		s.files, s.bytes, sec, float64(s.files)/sec, float64(s.bytes)/1e6/sec, s.detections, s.skipped, s.errors, float64(ru.Maxrss)/1024)
	st := s.stages
	fmt.Fprintf(w, "stage_ms identify=%.0f decode=%.0f yara=%.0f indicators=%.0f ioc=%.0f verdict=%.0f explain=%.0f total=%.0f (summed over workers)\n",
		st.IdentifyMS, st.DecodeMS, st.YARAMS, st.IndicatorsMS, st.IOCMS, st.VerdictMS, st.ExplainMS, st.TotalMS)
}

// scan runs a bounded pipeline: one walker, N analysis workers, and a
// writer that restores input order. At most window reports wait to be
// written, so memory stays flat on any number of files.
//
// flush pushes out what w has buffered; scan calls it whenever no finished
// report is waiting, and the caller flushes once more after the last one.
func scan(ctx context.Context, a *app, eng *analysis.Engine, paths []string, workers int, maxSize int64, o scanOptions, w *render.Writer, flush func() error) (scanSummary, error) {
	start := time.Now()
	workers = max(1, workers)
	window := workers * 8
	jobs := make(chan job, workers)
	results := make(chan scanResult, window)
	slots := make(chan struct{}, window)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var walkErr error
	go func() {
		defer close(jobs)
		seq := 0
		send := func(j job) error {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			j.seq = seq
			seq++
			jobs <- j
			return nil
		}
		for _, p := range paths {
			if p == "-" {
				if err := send(job{stdin: true}); err != nil {
					walkErr = err
					return
				}
				continue
			}
			if err := intake.Walk(p, func(e intake.Entry) error { return send(job{entry: e}) }); err != nil {
				walkErr = err
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- scanResult{seq: j.seq, report: analyzeJob(ctx, a, eng, j, maxSize, o)}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	var sum scanSummary
	pending := map[int]*analysis.Report{}
	next := 0
	var writeErr error
	for res := range results {
		pending[res.seq] = res.report
		for r, ok := pending[next]; ok; r, ok = pending[next] {
			delete(pending, next)
			next++
			<-slots
			sum.add(r)
			if writeErr == nil {
				if writeErr = w.Write(r); writeErr != nil {
					cancel()
				}
			}
		}
		if len(results) == 0 && writeErr == nil {
			if writeErr = flush(); writeErr != nil {
				cancel()
			}
		}
	}
	sum.elapsed = time.Since(start)
	if writeErr != nil {
		return sum, fmt.Errorf("write report: %w", writeErr)
	}
	if walkErr != nil && !errors.Is(walkErr, context.Canceled) {
		return sum, walkErr
	}
	return sum, ctx.Err()
}

func (s *scanSummary) add(r *analysis.Report) {
	s.files++
	s.bytes += r.Sample.Size
	switch r.Status {
	case analysis.StatusError:
		s.errors++
	case analysis.StatusSkipped:
		s.skipped++
	}
	if r.Malicious() {
		s.detections++
	}
	t := r.Timings
	s.stages.IdentifyMS += t.IdentifyMS
	s.stages.DecodeMS += t.DecodeMS
	s.stages.YARAMS += t.YARAMS
	s.stages.IndicatorsMS += t.IndicatorsMS
	s.stages.IOCMS += t.IOCMS
	s.stages.VerdictMS += t.VerdictMS
	s.stages.ExplainMS += t.ExplainMS
	s.stages.TotalMS += t.TotalMS
}

func analyzeJob(ctx context.Context, a *app, eng *analysis.Engine, j job, maxSize int64, o scanOptions) *analysis.Report {
	var (
		s   analysis.Sample
		err error
	)
	switch {
	case j.stdin:
		s, err = intake.ReadStdin(a.stdin, o.stdinAs, maxSize)
	case j.entry.Reject != nil:
		s, err = analysis.Sample{Name: filepath.Base(j.entry.Path), Path: j.entry.Path}, j.entry.Reject
	default:
		s, err = intake.ReadFile(j.entry.Target, maxSize)
		s.Path, s.Name = j.entry.Path, filepath.Base(j.entry.Path)
	}
	s.Source, s.Signature = o.source, o.sigature
	var rej *intake.Rejection
	if errors.As(err, &rej) {
		return eng.Reject(s, rej.Status, rej.Reason)
	}
	r, _ := eng.Analyze(ctx, s) // the report carries the status and reason
	return r
}

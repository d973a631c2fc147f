// Command sidecarbench measures the sidecar (`automaldesc watch`) end to end:
//
//   - latency: files are renamed into the watched folder at a steady rate
//     (each with an old mtime, as a quarantining scanner's atomic move
//     leaves it); the time from the rename to the file's record line in the
//     NDJSON sink gives p50/p95/p99/max and the sustained records/s;
//   - drain: the sidecar starts on a folder already holding N queued files;
//     the time until N records are written gives files/s, and the process's
//     VmHWM (/proc/PID/status) its peak RSS.
//
// Usage: go run ./scripts/sidecarbench -bin bin/automaldesc -samples DIR
//
// It never edits the repository: every file it writes lives in a temporary
// directory that it removes. Samples are read from DIR (e.g. the unpacked
// dev corpus); the drain phase makes each queued file distinct by appending
// newlines, so no two share a sha256.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	bin      string
	samples  string
	rate     float64
	duration time.Duration
	queued   int
	workers  int
	timeout  time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/automaldesc", "automaldesc binary")
	flag.StringVar(&o.samples, "samples", "", "folder of sample files (required)")
	flag.Float64Var(&o.rate, "rate", 100, "drop rate of the latency phase, files/s")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "length of the latency phase")
	flag.IntVar(&o.queued, "queued", 10000, "files queued before the drain phase starts (0 = skip)")
	flag.IntVar(&o.workers, "workers", 0, "watch.workers (0 = CPUs)")
	flag.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up on a phase after this long")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "sidecarbench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.samples == "" {
		return errors.New("-samples is required")
	}
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	o.bin = bin
	samples, err := readSamples(o.samples)
	if err != nil {
		return err
	}
	if o.rate > 0 && o.duration > 0 {
		if err := latency(o, samples); err != nil {
			return fmt.Errorf("latency phase: %w", err)
		}
	}
	if o.queued > 0 {
		if err := drain(o, samples); err != nil {
			return fmt.Errorf("drain phase: %w", err)
		}
	}
	return nil
}

type sample struct {
	name string
	data []byte
}

func readSamples(dir string) ([]sample, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []sample
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			continue
		}
		out = append(out, sample{name: e.Name(), data: b})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no sample files in %s", dir)
	}
	return out, nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// sidecar is one running `automaldesc watch`.
type sidecar struct {
	cmd    *exec.Cmd
	dir    string // its temporary root
	queue  string // the watched folder
	ndjson string
	start  time.Time
	ready  time.Time
	exited chan error // receives the process's exit, once
	stderr bytes.Buffer
}

func newDirs(prefix string) (*sidecar, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	s := &sidecar{dir: dir, queue: filepath.Join(dir, "quarantine"), ndjson: filepath.Join(dir, "alerts.ndjson")}
	for _, d := range []string{s.queue, filepath.Join(dir, "staging"), filepath.Join(dir, "drop")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	return s, nil
}

// launch starts the sidecar and waits for its ready banner.
func (s *sidecar) launch(o options) error {
	args := []string{"watch", "--folder", s.queue, "--staging", filepath.Join(s.dir, "staging"),
		"--db", filepath.Join(s.dir, "automaldesc.db"), "--ndjson", s.ndjson, "--api", ""}
	if o.workers > 0 {
		args = append(args, "--workers", strconv.Itoa(o.workers))
	}
	s.cmd = exec.Command(o.bin, args...)
	s.cmd.Dir = s.dir
	s.cmd.Env = append(os.Environ(), "AUTOMALDESC_LOG_LEVEL=warn")
	pr, pw := io.Pipe()
	s.cmd.Stderr = pw
	s.start = time.Now()
	if err := s.cmd.Start(); err != nil {
		return err
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		once := false
		for sc.Scan() {
			line := sc.Text()
			if len(s.stderr.String()) < 1<<16 {
				s.stderr.WriteString(line + "\n")
			}
			if !once && strings.HasPrefix(line, "automaldesc watch:") {
				once = true
				s.ready = time.Now()
				close(ready)
			}
		}
	}()
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait(); pw.Close() }()
	select {
	case <-ready:
		return nil
	case err := <-s.exited:
		return fmt.Errorf("sidecar exited before it was ready: %v\n%s", err, s.stderr.String())
	case <-time.After(o.timeout):
		s.cmd.Process.Kill()
		return fmt.Errorf("sidecar not ready after %s\n%s", o.timeout, s.stderr.String())
	}
}

// vmHWM returns the process's peak resident set size in KiB.
func (s *sidecar) vmHWM() int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/status")
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return -1
}

// stop sends SIGTERM, waits for a clean exit and removes the directory.
func (s *sidecar) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	os.RemoveAll(s.dir)
}

// tail reads record lines from the NDJSON sink as they are written and
// sends the sha256 of each with the time it was seen.
type seen struct {
	sha string
	at  time.Time
}

func tail(ctx context.Context, path string, out chan<- seen) {
	var f *os.File
	for f == nil {
		var err error
		if f, err = os.Open(path); err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}
	defer func() { f.Close() }()
	r := bufio.NewReaderSize(f, 1<<20)
	var partial []byte
	rotated := false
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			partial = append(partial, line...)
			// The sink rotates the file at sinks.ndjson.max_size: once the
			// old one is read to its end, follow the path to the new one.
			// It reads the old one to its end once more after seeing the
			// rotation, for lines written just before it.
			if len(partial) == 0 {
				if rotated {
					if nf, err := os.Open(path); err == nil {
						f.Close()
						f, rotated = nf, false
						r.Reset(f)
						continue
					}
				} else if cur, err := f.Stat(); err == nil {
					if now, err := os.Stat(path); err == nil && !os.SameFile(cur, now) {
						rotated = true
						continue
					}
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Millisecond):
			}
			continue
		}
		if err != nil {
			return
		}
		if len(partial) > 0 {
			line = append(partial, line...)
			partial = nil
		}
		now := time.Now()
		var rec struct {
			File struct {
				Hash struct {
					SHA256 string `json:"sha256"`
				} `json:"hash"`
			} `json:"file"`
		}
		if json.Unmarshal(line, &rec) == nil {
			select {
			case out <- seen{sha: rec.File.Hash.SHA256, at: now}:
			case <-ctx.Done():
				return
			}
		}
	}
}

func latency(o options, samples []sample) error {
	n := int(o.rate * o.duration.Seconds())
	n = min(n, len(samples))
	s, err := newDirs("sidecarbench-latency-")
	if err != nil {
		return err
	}
	defer s.stop()
	// Stage the files beside the watched folder (same file system), with
	// an mtime an hour old, so each drop is one atomic rename.
	old := time.Now().Add(-time.Hour)
	shas := make([]string, n)
	for i := range n {
		p := filepath.Join(s.dir, "drop", samples[i].name)
		if err := os.WriteFile(p, samples[i].data, 0o640); err != nil {
			return err
		}
		if err := os.Chtimes(p, old, old); err != nil {
			return err
		}
		shas[i] = sum(samples[i].data)
	}
	if err := s.launch(o); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	recs := make(chan seen, n+16)
	go tail(ctx, s.ndjson, recs)

	dropped := make(map[string]time.Time, n)
	interval := time.Duration(float64(time.Second) / o.rate)
	begin := time.Now()
	for i := range n {
		if d := time.Until(begin.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		t := time.Now()
		if err := os.Rename(filepath.Join(s.dir, "drop", samples[i].name), filepath.Join(s.queue, samples[i].name)); err != nil {
			return err
		}
		if _, dup := dropped[shas[i]]; !dup {
			dropped[shas[i]] = t
		}
	}
	dropEnd := time.Now()

	var lat []time.Duration
	var last time.Time
	deadline := time.After(o.timeout)
	for want := len(dropped); len(lat) < want; {
		select {
		case r := <-recs:
			if t, ok := dropped[r.sha]; ok {
				lat = append(lat, r.at.Sub(t))
				delete(dropped, r.sha)
				last = r.at
			}
		case <-deadline:
			return fmt.Errorf("%d of %d records after %s", len(lat), len(lat)+len(dropped), o.timeout)
		}
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		i := int(p*float64(len(lat))+0.5) - 1
		i = max(0, min(len(lat)-1, i))
		return float64(lat[i].Microseconds()) / 1000
	}
	offered := float64(n) / dropEnd.Sub(begin).Seconds()
	fmt.Printf("sidecar drop->record: %d files at %.0f files/s offered (%.1fs): p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms (budget p99 <= 250 ms)\n",
		len(lat), offered, dropEnd.Sub(begin).Seconds(), pct(0.50), pct(0.95), pct(0.99), pct(1.0))
	fmt.Printf("sidecar sustained:    %.0f records/s over the run, peak RSS %.1f MB\n",
		float64(len(lat))/last.Sub(begin).Seconds(), float64(s.vmHWM())/1024)
	return nil
}

func drain(o options, samples []sample) error {
	s, err := newDirs("sidecarbench-drain-")
	if err != nil {
		return err
	}
	defer s.stop()
	old := time.Now().Add(-time.Hour)
	var bytesQueued int64
	shas := make(map[string]bool, o.queued)
	for i := range o.queued {
		sm := samples[i%len(samples)]
		data := append(append([]byte(nil), sm.data...), bytes.Repeat([]byte("\n"), i/len(samples))...)
		// One subfolder per thousand files, as a busy quarantine looks.
		sub := filepath.Join(s.queue, fmt.Sprintf("q%02d", i/1000))
		if err := os.MkdirAll(sub, 0o750); err != nil {
			return err
		}
		p := filepath.Join(sub, fmt.Sprintf("%05d-%s", i, sm.name))
		if err := os.WriteFile(p, data, 0o640); err != nil {
			return err
		}
		if err := os.Chtimes(p, old, old); err != nil {
			return err
		}
		shas[sum(data)] = true
		bytesQueued += int64(len(data))
	}
	want := len(shas)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	recs := make(chan seen, 1024)
	go tail(ctx, s.ndjson, recs)
	if err := s.launch(o); err != nil {
		return err
	}
	got, lines := 0, 0
	var last time.Time
	deadline := time.After(o.timeout)
	progress := time.NewTicker(10 * time.Second)
	defer progress.Stop()
	for got < want {
		select {
		case r := <-recs:
			lines++
			if shas[r.sha] {
				delete(shas, r.sha)
				got++
				last = r.at
			}
		case <-progress.C:
			fmt.Fprintf(os.Stderr, "sidecarbench: drain: %d of %d records (%d lines) after %.0fs, RSS peak %.1f MB\n",
				got, want, lines, time.Since(s.start).Seconds(), float64(s.vmHWM())/1024)
		case <-deadline:
			left, _ := countFiles(s.queue)
			staged, _ := countFiles(filepath.Join(s.dir, "staging"))
			return fmt.Errorf("%d of %d records after %s (peak RSS %.1f MB; %d files still in the folder, %d in staging)\nsidecar stderr:\n%s",
				got, want, o.timeout, float64(s.vmHWM())/1024, left, staged, tailLines(s.stderr.String(), 20))
		}
	}
	hwm := s.vmHWM()
	took := last.Sub(s.start)
	fmt.Printf("sidecar drain:        %d queued files (%.1f MB) -> %d records in %.1fs from process start: %.0f files/s (%.0f files/s after ready)\n",
		o.queued, float64(bytesQueued)/1e6, got, took.Seconds(), float64(got)/took.Seconds(), float64(got)/last.Sub(s.ready).Seconds())
	fmt.Printf("sidecar drain peak RSS (VmHWM): %.1f MB (budget <= 200 MB)\n", float64(hwm)/1024)
	return nil
}

// countFiles counts the regular files under dir.
func countFiles(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n, err
}

// tailLines returns the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

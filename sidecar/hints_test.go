package sidecar

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/integrations/clamav"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/sidecar/watch"
	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// hintEngine analyses nothing: it reports the sample it was handed.
type hintEngine struct{}

func (hintEngine) Analyze(_ context.Context, s analysis.Sample) (*analysis.Report, error) {
	return &analysis.Report{Status: analysis.StatusOK, Sample: analysis.SampleInfo{SHA256: s.Hashes.SHA256,
		Name: s.Name, Signature: s.Signature, Size: int64(len(s.Data))}}, nil
}

func (hintEngine) Reject(s analysis.Sample, st analysis.Status, reason string) *analysis.Report {
	return &analysis.Report{Status: st, Reason: reason, Sample: analysis.SampleInfo{Name: s.Name, Signature: s.Signature}}
}

func (hintEngine) Info() analysis.EngineInfo {
	return analysis.EngineInfo{RulesVersion: "r", ModelVersion: "m"}
}

func TestWorkerHints(t *testing.T) {
	const body = "Write-Output 'quarantined by clamav'\n"
	sha := analysis.HashBytes([]byte(body)).SHA256
	tests := []struct {
		name     string
		folder   config.WatchFolder
		seenAgo  time.Duration
		hintAt   time.Duration // when the hint is added after the worker starts; <0: before; 0: never
		hint     clamav.Hint
		want     string
		minWait  time.Duration
		maxWait  time.Duration
		itemName string
	}{
		{name: "hint before, no wait folder", folder: config.WatchFolder{Path: "/q/plain"}, hintAt: -1,
			hint: clamav.Hint{Path: "/home/u/a.ps1", Signature: "Sig.Before", SHA256: sha}, want: "Sig.Before",
			maxWait: time.Second, itemName: "x.ps1"},
		{name: "hint by name with clash suffix", folder: config.WatchFolder{Path: "/q/plain"}, hintAt: -1,
			hint: clamav.Hint{Path: "/home/u/a.ps1", Signature: "Sig.Name", Size: int64(len(body))}, want: "Sig.Name",
			maxWait: time.Second, itemName: "a.ps1.001"},
		{name: "hint arrives while waiting", folder: config.WatchFolder{Path: "/q/clam", Source: "clamav", HintWait: 3 * time.Second},
			hintAt: 150 * time.Millisecond, hint: clamav.Hint{Path: "/home/u/b.ps1", Signature: "Sig.Late", SHA256: sha},
			want: "Sig.Late", minWait: 100 * time.Millisecond, maxWait: 2 * time.Second, itemName: "b.ps1"},
		{name: "no hint, waits hint_wait", folder: config.WatchFolder{Path: "/q/clam", Source: "clamav", HintWait: 300 * time.Millisecond},
			want: "", minWait: 250 * time.Millisecond, maxWait: 2 * time.Second, itemName: "c.ps1"},
		{name: "seen long ago, no wait", folder: config.WatchFolder{Path: "/q/clam", Source: "clamav"}, seenAgo: time.Minute,
			want: "", maxWait: 500 * time.Millisecond, itemName: "d.ps1"},
		{name: "no wait outside clamav folders", folder: config.WatchFolder{Path: "/q/plain"},
			want: "", maxWait: 500 * time.Millisecond, itemName: "e.ps1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			hints := clamav.NewHints(0, 0, nil)
			p := &pool{st: st, eng: hintEngine{}, log: slog.New(slog.DiscardHandler), m: newSidecarMetrics(metrics.New()),
				maxSize: 1 << 20, staging: dir, hints: hints, hintWait: hintWaits([]config.WatchFolder{tc.folder}),
				recorded: func() {}}
			path := filepath.Join(dir, "in")
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			seen := time.Now().Add(-tc.seenAgo)
			it := store.Item{ID: "item-1", Path: path, Name: tc.itemName, Source: tc.folder.Source, Size: int64(len(body)),
				Meta: map[string]string{watch.MetaFolder: tc.folder.Path, watch.MetaMode: watch.ModeReadOnly,
					watch.MetaOrigPath: path, watch.MetaSeen: strconv.FormatInt(seen.UnixNano(), 10)}}
			add := func() {
				h := tc.hint
				h.Time = time.Now()
				if err := hints.Add(h); err != nil {
					t.Errorf("Add: %v", err)
				}
			}
			switch {
			case tc.hintAt < 0:
				add()
			case tc.hintAt > 0:
				time.AfterFunc(tc.hintAt, add)
			}
			start := time.Now()
			j := job{item: it}
			p.analyze(context.Background(), &j)
			took := time.Since(start)
			if j.report == nil {
				t.Fatal("no report")
			}
			if got := j.report.Sample.Signature; got != tc.want {
				t.Errorf("report signature: got %q, want %q", got, tc.want)
			}
			if got := j.item.Signature; got != tc.want {
				t.Errorf("item signature: got %q, want %q", got, tc.want)
			}
			if took < tc.minWait || took > tc.maxWait {
				t.Errorf("analyze took %s, want %s..%s", took, tc.minWait, tc.maxWait)
			}
		})
	}
}

func TestEffectiveHintWait(t *testing.T) {
	tests := []struct {
		name string
		f    config.WatchFolder
		want time.Duration
	}{
		{"clamav default", config.WatchFolder{Source: "clamav"}, config.DefaultHintWait},
		{"clamav set", config.WatchFolder{Source: "clamav", HintWait: 5 * time.Second}, 5 * time.Second},
		{"clamav off", config.WatchFolder{Source: "clamav", HintWait: -1}, 0},
		{"other source", config.WatchFolder{Source: "edr"}, 0},
		{"other source set", config.WatchFolder{Source: "edr", HintWait: time.Second}, time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.EffectiveHintWait(); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestECSRuleNameCarriesSignature(t *testing.T) {
	r := sampleReport()
	r.Sample.Signature = "Test.Automaldesc.Cradle.UNOFFICIAL"
	d := ECS(r)
	if !slices.Contains(d.Rule.Name, r.Sample.Signature) {
		t.Errorf("rule.name: got %v, want it to contain %q", d.Rule.Name, r.Sample.Signature)
	}
	if !slices.IsSorted(d.Rule.Name) {
		t.Errorf("rule.name: got %v, want sorted", d.Rule.Name)
	}
}

func TestHintSpoolDirWithSharedStore(t *testing.T) {
	cfg := config.Defaults()
	cfg.Store.Path = "/var/lib/automaldesc/automaldesc.db"
	if got, want := HintSpoolDir(cfg), "/var/lib/automaldesc/hints"; got != want {
		t.Errorf("sqlite store: got %s, want %s", got, want)
	}
	cfg.Store.Path = "postgres://amd@db.example:5432/amd"
	cfg.Watch.Staging = "/var/lib/automaldesc/staging"
	if got, want := HintSpoolDir(cfg), "/var/lib/automaldesc/hints"; got != want {
		t.Errorf("postgres store: got %s, want %s (beside staging, not inside the URL)", got, want)
	}
}

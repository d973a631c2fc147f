package sidecar

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// modelEngine is an Engine whose only real part is the model in use.
type modelEngine struct {
	mu sync.Mutex
	m  *verdict.Model
}

func (e *modelEngine) Analyze(context.Context, analysis.Sample) (*analysis.Report, error) {
	return nil, nil
}

func (e *modelEngine) Reject(analysis.Sample, analysis.Status, string) *analysis.Report { return nil }

func (e *modelEngine) Info() analysis.EngineInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		return analysis.EngineInfo{ModelVersion: "rules"}
	}
	return analysis.EngineInfo{ModelVersion: e.m.Version()}
}

func (e *modelEngine) SetModel(m *verdict.Model) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.m = m
}

func tinyModel(t *testing.T, bias float64) []byte {
	t.Helper()
	var ex []verdict.Example
	for i := range 40 {
		mal := i%2 == 0
		x := map[string]float64{"feat:a": float64(i%7) + bias, "ind:x": 0}
		if mal {
			x["ind:x"] = 1
		}
		ex = append(ex, verdict.Example{Features: x, Malicious: mal, Language: lang.Bash})
	}
	opt := verdict.DefaultTrainOptions()
	opt.MinFeatureCount = 1
	m, err := verdict.Train(ex, opt)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := m.Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFollowModels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := &modelEngine{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		followModels(ctx, eng, st, 20*time.Millisecond, slog.New(slog.DiscardHandler))
	}()
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for eng.Info().ModelVersion != want {
			if time.Now().After(deadline) {
				t.Fatalf("engine model: got %s, want %s", eng.Info().ModelVersion, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	put := func(blob []byte) string {
		m, err := verdict.Load(bytes.NewReader(blob))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.PutModel(ctx, store.ModelEntry{Version: m.Version(), Blob: blob}); err != nil {
			t.Fatal(err)
		}
		return m.Version()
	}
	v1, v2 := put(tinyModel(t, 0)), put(tinyModel(t, 3))
	time.Sleep(60 * time.Millisecond)
	if got := eng.Info().ModelVersion; got != "rules" {
		t.Fatalf("no promoted model yet: got %s, want the engine's own (rules)", got)
	}
	if err := st.Promote(ctx, v1, "test"); err != nil {
		t.Fatal(err)
	}
	waitFor(v1)
	if err := st.Promote(ctx, v2, "test"); err != nil {
		t.Fatal(err)
	}
	waitFor(v2)
	if _, err := st.Rollback(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	waitFor(v1)
	cancel()
	<-done
}

package sidecar

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/store"
)

// ModelSetter is the optional engine capability followModels needs:
// switching the verdict model while analyses run (analysis.Engine has it).
type ModelSetter interface {
	SetModel(m *verdict.Model)
}

// followModels polls the store's model registry every `every` and switches
// the engine to the promoted model when it differs from the one in use
// (`automaldesc model promote` or `rollback` on any host takes effect here
// without a restart; analyses in flight finish with the model they started
// with). It returns when ctx ends. A registry without a promoted model
// leaves the engine's model alone; a model that fails to load is logged and
// retried at the next poll, the current one staying in force.
func followModels(ctx context.Context, eng Engine, st store.Store, every time.Duration, log *slog.Logger) {
	reg, ok := st.(store.ModelRegistry)
	setter, ok2 := eng.(ModelSetter)
	if !ok || !ok2 || every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		syncModel(ctx, eng, setter, reg, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func syncModel(ctx context.Context, eng Engine, setter ModelSetter, reg store.ModelRegistry, log *slog.Logger) {
	cur, err := reg.Current(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return
	case err != nil:
		if ctx.Err() == nil {
			log.Warn("model registry unavailable", "err", err)
		}
		return
	}
	if cur.Version == eng.Info().ModelVersion {
		return
	}
	m, err := verdict.Load(bytes.NewReader(cur.Blob))
	if err != nil {
		log.Error("promoted model does not load; keeping the current one", "version", cur.Version, "err", err)
		return
	}
	setter.SetModel(m)
	log.Info("switched to the promoted model", "version", m.Version(), "promoted_by", cur.PromotedBy)
}

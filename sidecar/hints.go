package sidecar

import (
	"context"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/integrations/clamav"
	"github.com/automaldesc/automaldesc/sidecar/watch"
)

// Hints supplies signatures a scanner reported out of band (the ClamAV
// VirusEvent hook, package integrations/clamav). Lookup may be called
// concurrently; it returns the signature of the hint matching the file
// (base name in the folder, size, SHA-256, first sighting), waiting for
// one until `until` passes or ctx ends.
type Hints interface {
	Lookup(ctx context.Context, name string, size int64, sha256 string, seen, until time.Time) (signature string, ok bool)
}

var _ Hints = (*clamav.Hints)(nil)

// HintSpoolDir is the directory the sidecar reads hint files from when
// the hook cannot reach the API: "hints" next to the database file.
func HintSpoolDir(cfg config.Config) string {
	if strings.Contains(cfg.Store.Path, "://") {
		// A shared database (postgres://...) has no local folder: the
		// spool goes beside the staging area, which is local to the host.
		return filepath.Join(filepath.Dir(cfg.Watch.Staging), "hints")
	}
	return filepath.Join(filepath.Dir(cfg.Store.Path), "hints")
}

// hintSpoolPoll is how often the spool directory is read.
const hintSpoolPoll = 200 * time.Millisecond

// pollHintSpool moves spooled hint files into hints until ctx ends.
func pollHintSpool(ctx context.Context, dir string, hints *clamav.Hints, log *slog.Logger) {
	t := time.NewTicker(hintSpoolPoll)
	defer t.Stop()
	for {
		n, err := clamav.LoadSpool(dir, hints)
		if err != nil {
			log.Warn("hint spool: files dropped", "dir", dir, "err", err)
		}
		if n > 0 {
			log.Debug("hint spool: hints loaded", "dir", dir, "hints", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// applyHint gives the item the signature of a matching scanner hint,
// waiting for one until the folder's hint_wait has passed since the file
// was first seen (so a burst of files waits once, not once per file).
func (p *pool) applyHint(ctx context.Context, j *job, s *analysis.Sample) {
	if p.hints == nil || s.Hashes == nil {
		return
	}
	it := j.item
	seen := time.Now()
	if ns, err := strconv.ParseInt(it.Meta[watch.MetaSeen], 10, 64); err == nil && ns > 0 {
		seen = time.Unix(0, ns)
	}
	until := seen.Add(p.hintWait[it.Meta[watch.MetaFolder]])
	size := s.Size
	if size == 0 {
		size = int64(len(s.Data))
	}
	sig, ok := p.hints.Lookup(ctx, it.Name, size, s.Hashes.SHA256, seen, until)
	if !ok {
		if p.hintWait[it.Meta[watch.MetaFolder]] > 0 {
			p.log.Debug("no scanner hint for the file; analysed without a signature", "item", it.ID)
		}
		return
	}
	p.log.Debug("scanner hint matched", "item", it.ID, "signature", sig)
	j.item.Signature = sig
	s.Signature = sig
}

// hintWaits maps each folder (as configured, watch.MetaFolder) to its
// effective hint wait.
func hintWaits(fs []config.WatchFolder) map[string]time.Duration {
	m := make(map[string]time.Duration, len(fs))
	for _, f := range fs {
		m[f.Path] = f.EffectiveHintWait()
	}
	return m
}

package sidecar

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/automaldesc/automaldesc/rules"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
)

// Outcomes of a rules reload (label "outcome" of
// automaldesc_rules_reloads_total).
const (
	ReloadReloaded  = "reloaded"  // a new rule set is in force
	ReloadUnchanged = "unchanged" // the files compiled to the set in force
	ReloadKeptOld   = "kept_old"  // a file is broken: the previous set stays in force whole
	ReloadFailed    = "failed"    // any other error
)

// DefaultRulesDebounce is how long the rule folders must stay quiet after
// a change before the rules are reloaded: an editor's save (truncate,
// write, rename) is one reload, not three.
const DefaultRulesDebounce = 500 * time.Millisecond

// rulesReloader reloads the YARA rules on SIGHUP and when a file under the
// rule folders changes. It owns no rules itself: reload is rules.Live's
// Reload bound to the folders, which keeps the old set whole when any file
// is broken, so analyses always run with a complete set.
type rulesReloader struct {
	reload   func() error
	version  func() string // rules version in force
	dirs     []string
	hangup   <-chan os.Signal
	debounce time.Duration
	log      *slog.Logger
	outcomes *metrics.Counter
}

// registerRulesMetrics adds the rules version gauge (always) and returns
// the reload counter.
func registerRulesMetrics(reg *metrics.Registry, version func() string) *metrics.Counter {
	reg.NewGaugeFunc("automaldesc_rules_version_info", "The YARA rule set in force (value 1, version in the label).", "version",
		func(context.Context) map[string]float64 {
			if v := version(); v != "" {
				return map[string]float64{v: 1}
			}
			return nil
		})
	return reg.NewCounter("automaldesc_rules_reloads_total", "YARA rule reloads (SIGHUP or a change under rules.dirs), by outcome.", "outcome")
}

// run waits for triggers until ctx ends. A folder that cannot be watched
// is logged; SIGHUP still reloads.
func (r *rulesReloader) run(ctx context.Context) error {
	var (
		events <-chan fsnotify.Event
		errs   <-chan error
		fsw    *fsnotify.Watcher
	)
	if len(r.dirs) > 0 {
		w, err := fsnotify.NewWatcher()
		if err != nil {
			r.log.Warn("cannot watch the rule folders; reload them with SIGHUP", "err", err)
		} else {
			defer w.Close()
			fsw, events, errs = w, w.Events, w.Errors
			r.watchDirs(fsw)
		}
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-r.hangup:
			if !ok {
				r.hangup = nil
				continue
			}
			r.do("signal")
			if fsw != nil {
				r.watchDirs(fsw)
			}
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if relevantRuleEvent(ev) {
				timer.Reset(r.debounce)
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			r.log.Warn("rule folder watcher", "err", err)
			timer.Reset(r.debounce) // events may have been lost
		case <-timer.C:
			if fsw != nil {
				r.watchDirs(fsw) // new subfolders, a folder that was replaced
			}
			r.do("change")
		}
	}
}

// watchDirs (re)adds every directory under the rule folders; adding a
// watched directory again is a no-op.
func (r *rulesReloader) watchDirs(fsw *fsnotify.Watcher) {
	for _, d := range r.dirs {
		err := filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil || !e.IsDir() {
				return nil
			}
			return fsw.Add(p)
		})
		if err != nil {
			r.log.Warn("cannot watch rule folder; reload it with SIGHUP", "path", d, "err", err)
		}
	}
}

// relevantRuleEvent reports whether ev may change the rule set: a rule
// file, or a directory (which may hold rule files) created, removed or
// renamed. Editor swap and backup files are not.
func relevantRuleEvent(ev fsnotify.Event) bool {
	ext := strings.ToLower(filepath.Ext(ev.Name))
	if ext == ".yar" || ext == ".yara" {
		return true
	}
	return ext == "" && ev.Op&(fsnotify.Create|fsnotify.Remove|fsnotify.Rename) != 0
}

// do reloads once, then logs and counts the outcome.
func (r *rulesReloader) do(trigger string) {
	before := r.version()
	err := r.reload()
	after := r.version()
	switch {
	case err == nil && before == after:
		r.outcomes.Inc(ReloadUnchanged)
		r.log.Info("rules reloaded: unchanged", "version", after, "trigger", trigger)
	case err == nil:
		r.outcomes.Inc(ReloadReloaded)
		r.log.Info("rules reloaded", "version", after, "previous", before, "trigger", trigger)
	case errors.Is(err, rules.ErrKeptOld):
		r.outcomes.Inc(ReloadKeptOld)
		r.log.Error("rules reload failed; the previous rule set stays in force", "version", after, "trigger", trigger, "err", err)
	default:
		r.outcomes.Inc(ReloadFailed)
		r.log.Error("rules reload failed", "version", after, "trigger", trigger, "err", err)
	}
}

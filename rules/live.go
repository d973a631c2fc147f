package rules

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/automaldesc/automaldesc/analysis/yarascan"
)

// Live holds the rule set in force and swaps it atomically on Reload.
//
// Contract:
//   - Get may be called concurrently with Reload and never blocks; it returns
//     the set in force (nil before the first successful load).
//   - The first load (NewLive) accepts a partial set: broken or unreadable
//     user files are left out and reported in the error (file:line), so one
//     bad file never stops the service from starting with the rest.
//   - A later Reload is all or nothing: when every file compiles, the new set
//     replaces the old one at once; when any file is broken (say, replaced by
//     garbage while being edited), the old set stays in force whole and the
//     error names the broken files and wraps ErrKeptOld. A half-written rule
//     file therefore never silently drops rules that were in force.
//   - Reloads are serialised. A *yarascan.Rules is immutable: scanners made
//     from an older set keep working on it until the worker drops them, so a
//     worker compares Get() with its scanner's Rules() and makes a new
//     scanner when they differ.
type Live struct {
	base []yarascan.Source // nil: Bundled()
	mu   sync.Mutex        // serialises Reload
	cur  atomic.Pointer[yarascan.Rules]
}

// ErrKeptOld is wrapped by Reload's error when the new set did not compile
// and the previous one stays in force.
var ErrKeptOld = errors.New("previous rule set kept")

// NewLive loads the bundled rules and the user folders. The returned Live is
// usable whenever its error is not fatal, i.e. when Get() is not nil.
func NewLive(userDirs ...string) (*Live, error) {
	l := &Live{}
	err := l.Reload(userDirs...)
	return l, err
}

// Get returns the rule set in force.
func (l *Live) Get() *yarascan.Rules { return l.cur.Load() }

// Reload compiles a new set and swaps it in; see the type's contract.
func (l *Live) Reload(userDirs ...string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	base := l.base
	if base == nil {
		base = Bundled()
	}
	r, err := load(base, userDirs)
	old := l.cur.Load()
	if old != nil && err != nil {
		return fmt.Errorf("rules: reload: %w (version %s): %w", ErrKeptOld, old.Version(), err)
	}
	if r == nil {
		if old != nil {
			return fmt.Errorf("rules: reload: %w (version %s): %w", ErrKeptOld, old.Version(), err)
		}
		return fmt.Errorf("rules: load: %w", err)
	}
	l.cur.Store(r)
	if err != nil {
		return fmt.Errorf("rules: reload: some files left out: %w", err)
	}
	return nil
}

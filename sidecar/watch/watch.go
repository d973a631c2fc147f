package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/store"
)

// Item metadata keys the watcher sets and the sidecar's workers read.
const (
	MetaOrigPath     = "orig_path"      // where the file was found
	MetaFolder       = "folder"         // the watched folder it was found in
	MetaMode         = "mode"           // ModeClaim, ModeReadOnly or ModeReject
	MetaSeen         = "seen_unix_nano" // when the watcher first saw the file
	MetaRejectStatus = "reject_status"  // skipped|error, for ModeReject
	MetaRejectReason = "reject_reason"  // why, for ModeReject
	MetaInode        = "inode"          // inode of the original file when claimed
	MetaMtime        = "mtime_unix_nano"
)

// Item modes.
const (
	// ModeClaim: the file is (or is about to be) renamed to Item.Path in
	// the staging directory.
	ModeClaim = "claim"
	// ModeReadOnly: Item.Path is the original file, which must not be
	// touched.
	ModeReadOnly = "read_only"
	// ModeReject: the entry cannot be read (symlink, FIFO, permission);
	// it stays in place and gets a record with the reject status/reason.
	ModeReject = "reject"
)

// Folder is one watched quarantine folder.
type Folder struct {
	Path      string
	Source    string // empty = "watch:<path>"
	Signature string
	ReadOnly  bool
	Recursive bool
}

// Queue receives claims. Enqueue may be called concurrently; it is
// idempotent by item id (store.Store satisfies it).
type Queue interface {
	Enqueue(ctx context.Context, it store.Item) (added bool, err error)
}

// Options configure a Watcher.
type Options struct {
	Folders []Folder
	Staging string        // staging directory (same file system as claiming folders)
	Settle  time.Duration // quiet period before a file is claimed
	Rescan  time.Duration // periodic rescan; 0 = startup only
	Queue   Queue
	// Done reports whether the item with the id already has its record (a
	// claim of a file seen before a crash). nil: never.
	Done func(ctx context.Context, itemID string) (bool, error)
	// Notify is called after every enqueue (wake the workers); it must not
	// block.
	Notify  func()
	Metrics *metrics.Registry // nil: a private registry
	Logger  *slog.Logger
}

// Watcher claims settled files from the folders into the queue. Run it
// once.
type Watcher struct {
	opt      Options
	log      *slog.Logger
	folders  []*folder
	outcomes *metrics.Counter

	mu      sync.Mutex
	cands   map[string]*candidate // path -> candidate
	seen    map[string]string     // path -> key of entries left in place and already enqueued
	dirs    map[string]*folder    // watched directory -> its folder
	fsw     *fsnotify.Watcher
	rescan  chan struct{}
	claims  chan *candidate
	tick    time.Duration
	nowFunc func() time.Time
}

type folder struct {
	Folder
	real   string // resolved absolute path
	source string
}

type state struct {
	mode       fs.FileMode
	size       int64
	mtime      time.Time
	dev, ino   uint64
	ctime      int64
	unreadable bool
}

func stateOf(fi fs.FileInfo) state {
	dev, ino, ct := sysIdentity(fi)
	return state{mode: fi.Mode(), size: fi.Size(), mtime: fi.ModTime(), dev: dev, ino: ino, ctime: ct}
}

func (s state) same(o state) bool {
	return s.mode == o.mode && s.size == o.size && s.mtime.Equal(o.mtime) && s.dev == o.dev && s.ino == o.ino && s.ctime == o.ctime
}

type candidate struct {
	path        string
	folder      *folder
	firstSeen   time.Time
	st          state
	stableSince time.Time
	observed    int
	inflight    bool
}

// Outcomes counted by the watcher (label "outcome" of
// automaldesc_watch_files_total).
const (
	OutcomeClaimed  = "claimed"  // enqueued and moved into staging
	OutcomeTracked  = "tracked"  // enqueued in place (read-only folder)
	OutcomeRejected = "rejected" // enqueued as a reject (symlink, FIFO, unreadable)
	OutcomeVanished = "vanished" // removed before it could be claimed
	OutcomeError    = "error"    // enqueue or rename failed; retried
)

// New checks the folders and staging directory and returns a watcher.
func New(opt Options) (*Watcher, error) {
	if opt.Queue == nil {
		return nil, errors.New("watch: no queue")
	}
	if opt.Settle <= 0 {
		return nil, errors.New("watch: settle must be positive")
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Metrics == nil {
		opt.Metrics = metrics.New()
	}
	if opt.Notify == nil {
		opt.Notify = func() {}
	}
	w := &Watcher{
		opt:     opt,
		log:     opt.Logger,
		cands:   map[string]*candidate{},
		seen:    map[string]string{},
		dirs:    map[string]*folder{},
		rescan:  make(chan struct{}, 1),
		claims:  make(chan *candidate, 64),
		tick:    min(max(opt.Settle/5, 10*time.Millisecond), 100*time.Millisecond),
		nowFunc: time.Now,
	}
	w.outcomes = opt.Metrics.NewCounter("automaldesc_watch_files_total", "Files seen by the watcher, by outcome.", "outcome")
	staging, err := filepath.Abs(opt.Staging)
	if err != nil {
		return nil, fmt.Errorf("watch: staging %s: %w", opt.Staging, err)
	}
	var stagingDev uint64
	if fi, err := os.Stat(staging); err == nil && fi.IsDir() {
		if real, err := filepath.EvalSymlinks(staging); err == nil {
			staging = real
		}
		stagingDev, _, _ = sysIdentity(fi)
	} else if len(opt.Folders) > 0 && hasClaiming(opt.Folders) {
		return nil, fmt.Errorf("watch: staging %s: not a directory", opt.Staging)
	}
	w.opt.Staging = staging
	for _, f := range opt.Folders {
		abs, err := filepath.Abs(f.Path)
		if err != nil {
			return nil, fmt.Errorf("watch: folder %s: %w", f.Path, err)
		}
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return nil, fmt.Errorf("watch: folder %s: %w", f.Path, err)
		}
		fi, err := os.Stat(real)
		if err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("watch: folder %s: not a directory", f.Path)
		}
		if within(real, staging) || within(staging, real) {
			return nil, fmt.Errorf("watch: folder %s and staging %s overlap", f.Path, opt.Staging)
		}
		if dev, _, _ := sysIdentity(fi); !f.ReadOnly && dev != stagingDev {
			return nil, fmt.Errorf("watch: folder %s is not on the file system of staging %s (claiming is a rename); use a staging directory there or read_only", f.Path, opt.Staging)
		}
		src := f.Source
		if src == "" {
			src = "watch:" + f.Path
		}
		for _, o := range w.folders {
			if within(o.real, real) || within(real, o.real) {
				return nil, fmt.Errorf("watch: folders %s and %s overlap", o.Path, f.Path)
			}
		}
		w.folders = append(w.folders, &folder{Folder: f, real: real, source: src})
	}
	return w, nil
}

func hasClaiming(fs []Folder) bool {
	for _, f := range fs {
		if !f.ReadOnly {
			return true
		}
	}
	return false
}

// within reports whether p is root or below it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Outcomes returns the counter of file outcomes (for tests and health).
func (w *Watcher) Outcomes() *metrics.Counter { return w.outcomes }

// Rescan asks for a full rescan of every folder; it does not block.
func (w *Watcher) Rescan() {
	select {
	case w.rescan <- struct{}{}:
	default:
	}
}

// Run watches until ctx ends; it returns nil then, or the error that
// stopped the watcher. Claims in progress finish; settling candidates are
// left for the next start.
func (w *Watcher) Run(ctx context.Context) error {
	fsw, err := fsnotify.NewBufferedWatcher(4096)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	w.fsw = fsw
	defer fsw.Close()
	for _, f := range w.folders {
		if err := w.addDir(f, f.real); err != nil {
			return err
		}
		w.log.Info("watching folder", "path", f.Path, "read_only", f.ReadOnly, "recursive", f.Recursive, "source", f.source)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return w.events(gctx) })
	g.Go(func() error { w.settleLoop(gctx); return nil })
	for range 2 {
		g.Go(func() error { w.claimer(gctx); return nil })
	}
	g.Go(func() error { w.rescanLoop(gctx); return nil })
	err = g.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// addDir watches dir (and, for recursive folders, every directory below)
// and makes every file in it a candidate. Watching before listing closes
// the race with files created meanwhile.
func (w *Watcher) addDir(f *folder, dir string) error {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			w.log.Warn("cannot read directory; retried at the next rescan", "path", p, "err", err)
			return nil
		}
		if d.IsDir() {
			if p != f.real && !f.Recursive {
				return filepath.SkipDir
			}
			w.mu.Lock()
			_, ok := w.dirs[p]
			w.mu.Unlock()
			if !ok {
				if err := w.fsw.Add(p); err != nil {
					if p == f.real {
						return fmt.Errorf("watch: folder %s: %w", f.Path, err)
					}
					w.log.Error("cannot watch directory (raise fs.inotify.max_user_watches?); it is still rescanned", "path", p, "err", err)
				} else {
					w.mu.Lock()
					w.dirs[p] = f
					w.mu.Unlock()
				}
			}
			return nil
		}
		w.candidate(f, p)
		return nil
	})
	if err != nil && dir == f.real {
		return fmt.Errorf("watch: folder %s: %w", f.Path, err)
	}
	return nil
}

// folderOf returns the folder a path belongs to, or nil.
func (w *Watcher) folderOf(p string) *folder {
	w.mu.Lock()
	f := w.dirs[filepath.Dir(p)]
	w.mu.Unlock()
	if f != nil {
		return f
	}
	for _, f := range w.folders {
		if within(f.real, p) && p != f.real {
			if !f.Recursive && filepath.Dir(p) != f.real {
				return nil
			}
			return f
		}
	}
	return nil
}

func (w *Watcher) candidate(f *folder, p string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.cands[p]; ok {
		return
	}
	w.cands[p] = &candidate{path: p, folder: f, firstSeen: w.nowFunc()}
}

func (w *Watcher) events(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return nil
			}
			w.event(ev)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.log.Warn("file system event queue overflowed; rescanning")
				w.Rescan()
				continue
			}
			w.log.Error("file system watcher", "err", err)
		}
	}
}

func (w *Watcher) event(ev fsnotify.Event) {
	p := ev.Name
	f := w.folderOf(p)
	if f == nil {
		return
	}
	fi, err := os.Lstat(p)
	if err != nil {
		if !w.forget(p) && ev.Has(fsnotify.Create) && errors.Is(err, fs.ErrNotExist) {
			// It entered the folder and left before the watcher could
			// look: never a candidate, but not silently gone either. (A
			// create event that lags behind a rescan's claim of the same
			// file would count it here too: a metric off by one, never a
			// lost file.)
			w.vanished(p)
		}
		return
	}
	if fi.IsDir() {
		if f.Recursive {
			// A new (or moved-in) subfolder: watch it and take what it
			// already holds.
			if err := w.addDir(f, p); err != nil {
				w.log.Warn("cannot watch new directory", "path", p, "err", err)
			}
		}
		return
	}
	w.candidate(f, p)
}

// forget drops a path that disappeared. A candidate that was never claimed
// counts as vanished; forget reports whether p was one.
func (w *Watcher) forget(p string) (gone bool) {
	w.mu.Lock()
	c, ok := w.cands[p]
	gone = ok && !c.inflight // decided under the lock: claim() writes inflight
	if gone {
		delete(w.cands, p)
	}
	delete(w.seen, p)
	if _, isDir := w.dirs[p]; isDir {
		for d := range w.dirs {
			if within(p, d) {
				delete(w.dirs, d)
			}
		}
	}
	w.mu.Unlock()
	if gone {
		w.vanished(p)
	}
	return gone
}

func (w *Watcher) vanished(p string) {
	w.outcomes.Inc(OutcomeVanished)
	w.log.Debug("file removed before it could be claimed", "path", p)
}

func (w *Watcher) rescanLoop(ctx context.Context) {
	var tick <-chan time.Time
	if w.opt.Rescan > 0 {
		t := time.NewTicker(w.opt.Rescan)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		case <-w.rescan:
		}
		for _, f := range w.folders {
			if ctx.Err() != nil {
				return
			}
			if err := w.addDir(f, f.real); err != nil {
				w.log.Error("rescan", "folder", f.Path, "err", err)
			}
		}
	}
}

// settleLoop stats candidates and hands settled ones to the claimers.
func (w *Watcher) settleLoop(ctx context.Context) {
	t := time.NewTicker(w.tick)
	defer t.Stop()
	var batch []*candidate
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		batch = batch[:0]
		w.mu.Lock()
		for _, c := range w.cands {
			if !c.inflight {
				batch = append(batch, c)
			}
		}
		w.mu.Unlock()
		for _, c := range batch {
			if ctx.Err() != nil {
				return
			}
			w.observe(ctx, c)
		}
	}
}

func (w *Watcher) observe(ctx context.Context, c *candidate) {
	fi, err := os.Lstat(c.path)
	now := w.nowFunc()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			w.forget(c.path)
			return
		}
		w.log.Warn("cannot stat file; retried at the next rescan", "path", c.path, "err", err)
		w.drop(c)
		return
	}
	if fi.IsDir() {
		w.drop(c)
		if c.folder.Recursive {
			if err := w.addDir(c.folder, c.path); err != nil {
				w.log.Warn("cannot watch new directory", "path", c.path, "err", err)
			}
		}
		return
	}
	st := stateOf(fi)
	if c.observed == 0 || !st.same(c.st) {
		c.st, c.stableSince, c.observed = st, now, 1
		return
	}
	c.observed++
	quiet := now.Sub(c.st.mtime) >= w.opt.Settle || now.Sub(c.stableSince) >= w.opt.Settle
	if !quiet {
		return
	}
	w.mu.Lock()
	if k, ok := w.seen[c.path]; ok && k == w.key(c, modeFor(c)) {
		delete(w.cands, c.path)
		w.mu.Unlock()
		return
	}
	c.inflight = true
	w.mu.Unlock()
	select {
	case w.claims <- c:
	case <-ctx.Done():
	default:
		w.mu.Lock()
		c.inflight = false // claimers busy: next tick
		w.mu.Unlock()
	}
}

func (w *Watcher) drop(c *candidate) {
	w.mu.Lock()
	if w.cands[c.path] == c {
		delete(w.cands, c.path)
	}
	w.mu.Unlock()
}

// modeFor says how a settled candidate is enqueued.
func modeFor(c *candidate) string {
	switch {
	case !c.st.mode.IsRegular() || c.st.unreadable:
		return ModeReject
	case c.folder.ReadOnly:
		return ModeReadOnly
	}
	return ModeClaim
}

// itemNamespace is the UUIDv5 namespace of claim ids.
var itemNamespace = uuid.MustParse("3f0e2a51-6c1d-5b8e-a4f7-77617463685f")

// key is the identity of the candidate's current state for the mode: it
// changes whenever the file is a different file or a different version.
func (w *Watcher) key(c *candidate, mode string) string {
	rel, _ := filepath.Rel(c.folder.real, c.path)
	s := c.st
	k := mode + "\x00" + c.folder.real + "\x00" + rel + "\x00" + strconv.FormatInt(s.size, 10) + "\x00" + strconv.FormatInt(s.mtime.UnixNano(), 10)
	if mode != ModeReadOnly {
		k += "\x00" + strconv.FormatUint(s.dev, 10) + "\x00" + strconv.FormatUint(s.ino, 10) + "\x00" + strconv.FormatInt(s.ctime, 10) + "\x00" + s.mode.Type().String()
	}
	return k
}

// ItemID returns the deterministic claim id of an identity key.
func itemID(key string) string { return uuid.NewSHA1(itemNamespace, []byte(key)).String() }

func (w *Watcher) claimer(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-w.claims:
			w.claim(ctx, c)
		}
	}
}

// claim enqueues one settled candidate and, in claiming folders, renames
// it into staging. Every exit path either removes the candidate or makes
// it observable again.
func (w *Watcher) claim(ctx context.Context, c *candidate) {
	retry := func() {
		w.mu.Lock()
		c.inflight, c.observed = false, 0
		w.mu.Unlock()
	}
	fi, err := os.Lstat(c.path)
	if err != nil {
		w.mu.Lock()
		c.inflight = false
		w.mu.Unlock()
		if errors.Is(err, fs.ErrNotExist) {
			w.forget(c.path)
			return
		}
		retry()
		return
	}
	if st := stateOf(fi); !st.same(c.st) {
		retry() // changed since it settled
		return
	}
	status, reason := "", ""
	switch typ := fi.Mode().Type(); {
	case typ&fs.ModeSymlink != 0:
		status, reason = "skipped", "symbolic link; links are never followed (the watcher reads only regular files inside the folder); left in place"
	case !fi.Mode().IsRegular():
		status, reason = "skipped", fmt.Sprintf("not a regular file (%s); never opened; left in place", typeName(typ))
	default:
		if err := checkReadable(c.path, c.st); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				w.mu.Lock()
				c.inflight = false
				w.mu.Unlock()
				w.forget(c.path)
				return
			}
			if errors.Is(err, errChanged) {
				retry()
				return
			}
			status, reason = "error", fmt.Sprintf("open: %v; left in place", err)
			c.st.unreadable = true
		}
	}
	mode := modeFor(c)
	key := w.key(c, mode)
	id := itemID(key)
	it := store.Item{
		ID:        id,
		Path:      c.path,
		Name:      filepath.Base(c.path),
		Source:    c.folder.source,
		Signature: c.folder.Signature,
		Size:      c.st.size,
		ClaimedAt: w.nowFunc().UTC(),
		Meta: map[string]string{
			MetaOrigPath: c.path,
			MetaFolder:   c.folder.Path,
			MetaMode:     mode,
			MetaSeen:     strconv.FormatInt(c.firstSeen.UnixNano(), 10),
			MetaInode:    strconv.FormatUint(c.st.ino, 10),
			MetaMtime:    strconv.FormatInt(c.st.mtime.UnixNano(), 10),
		},
	}
	if mode == ModeReject {
		it.Meta[MetaRejectStatus], it.Meta[MetaRejectReason] = status, reason
	}
	if mode == ModeClaim {
		it.Path = StagingPath(w.opt.Staging, id)
	}
	added, err := w.opt.Queue.Enqueue(ctx, it)
	if err != nil {
		if ctx.Err() == nil {
			w.outcomes.Inc(OutcomeError)
			w.log.Error("enqueue failed; retried", "path", c.path, "err", err)
		}
		retry()
		return
	}
	if mode != ModeClaim {
		w.mu.Lock()
		w.seen[c.path] = key
		if w.cands[c.path] == c {
			delete(w.cands, c.path)
		}
		w.mu.Unlock()
		if added {
			w.outcomes.Inc(map[string]string{ModeReadOnly: OutcomeTracked, ModeReject: OutcomeRejected}[mode])
			w.log.Debug("tracked in place", "path", c.path, "mode", mode, "item", id)
			w.opt.Notify()
		}
		return
	}
	if !added && w.opt.Done != nil {
		// The same file instance was enqueued before (a crash between
		// enqueue and rename, or a rename that failed). If its record is
		// written, leave it alone; else finish the claim.
		if done, err := w.opt.Done(ctx, id); err == nil && done {
			w.mu.Lock()
			w.seen[c.path] = key
			delete(w.cands, c.path)
			w.mu.Unlock()
			return
		}
	}
	err = os.Rename(c.path, it.Path)
	w.mu.Lock()
	if w.cands[c.path] == c {
		delete(w.cands, c.path)
	}
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		// Removed between enqueue and rename: the worker finds neither
		// file and records it as such.
	default:
		// The worker retries the rename and falls back to reading the
		// file in place; do not claim it again meanwhile.
		w.seen[c.path] = key
	}
	w.mu.Unlock()
	switch {
	case err == nil:
		w.outcomes.Inc(OutcomeClaimed)
		w.log.Debug("claimed", "path", c.path, "item", id)
	case errors.Is(err, fs.ErrNotExist):
		w.vanished(c.path)
	default:
		w.outcomes.Inc(OutcomeError)
		w.log.Warn("cannot move file into staging; it will be analysed in place", "path", c.path, "err", err)
	}
	w.opt.Notify()
}

// SameFile reports whether fi is still the file an item was claimed from
// (same inode, size and mtime as recorded in its metadata).
func SameFile(fi fs.FileInfo, meta map[string]string, size int64) bool {
	st := stateOf(fi)
	return fi.Mode().IsRegular() && st.size == size &&
		strconv.FormatUint(st.ino, 10) == meta[MetaInode] &&
		strconv.FormatInt(st.mtime.UnixNano(), 10) == meta[MetaMtime]
}

// StagingPath is where the file of a claim id waits for analysis.
func StagingPath(staging, id string) string { return filepath.Join(staging, id) }

var errChanged = errors.New("file changed while claiming")

// checkReadable opens path without following a symlink and without
// blocking (O_NONBLOCK: a FIFO swapped in must not hang the claimer), and
// checks it is still the regular file that settled.
func checkReadable(path string, st state) error {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return errChanged // became a symlink
		}
		return err
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || !stateOf(fi).same(st) {
		return errChanged
	}
	return nil
}

func typeName(t fs.FileMode) string {
	switch {
	case t&fs.ModeNamedPipe != 0:
		return "named pipe"
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeCharDevice != 0:
		return "character device"
	case t&fs.ModeDevice != 0:
		return "device"
	}
	return "irregular file"
}

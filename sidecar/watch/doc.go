// Package watch is the sidecar's intake: it watches quarantine folders
// (recursively with fsnotify, plus startup and periodic rescans), waits for
// each file to stop changing, and claims it into the durable queue.
//
// fsnotify events are only hints. A path becomes a candidate; the settle
// loop stats candidates every few milliseconds and claims one once two
// consecutive observations agree and the file has been unchanged for the
// settle period (by its mtime, or by observation when the mtime is in the
// future). A file moved in atomically with an old mtime is therefore
// claimed at once, a file written in place only after it went quiet.
//
// Claiming (see the sidecar package documentation for the crash argument):
// the item is enqueued first, with a deterministic id derived from the
// file's identity (folder, relative path, device, inode, size, mtime,
// ctime) and the staging path named after that id; only then is the file
// renamed into the staging directory. Read-only folders are never touched:
// their items point at the original path and their id derives from
// (path, size, mtime), so an unchanged file is never analysed twice.
// Symlinks, FIFOs, sockets, devices and unreadable files are never opened
// for reading (a FIFO would block) and never followed; each gets one
// skipped or error record and is left in place.
package watch

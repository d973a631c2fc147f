//go:build !linux

package watch

import "io/fs"

// sysIdentity is not available here: identity falls back to size and mtime.
func sysIdentity(fs.FileInfo) (dev, ino uint64, ctime int64) { return 0, 0, 0 }

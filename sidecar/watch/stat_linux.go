package watch

import (
	"io/fs"
	"syscall"
)

// sysIdentity returns the device, inode and ctime (ns) of fi.
func sysIdentity(fi fs.FileInfo) (dev, ino uint64, ctime int64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0
	}
	return uint64(st.Dev), st.Ino, st.Ctim.Nano() //nolint:unconvert // Dev is uint64 on most, not all, architectures
}

package intake

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/automaldesc/automaldesc/analysis"
)

// readFileOS is ReadFile as it was before it read through the bare
// descriptor (an *os.File), frozen for the differential test.
func readFileOS(path string, maxSize int64) (analysis.Sample, error) {
	s := analysis.Sample{Name: filepath.Base(path), Path: path}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return s, &Rejection{analysis.StatusError, fmt.Sprintf("open: %v", unwrapPath(err))}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return s, &Rejection{analysis.StatusError, fmt.Sprintf("stat: %v", unwrapPath(err))}
	}
	if !fi.Mode().IsRegular() {
		return s, &Rejection{analysis.StatusSkipped, fmt.Sprintf("%v (%s)", ErrNotRegular, fi.Mode().Type())}
	}
	return read(s, f, maxSize, fi.Size())
}

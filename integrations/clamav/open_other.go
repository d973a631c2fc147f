//go:build !unix

package clamav

import (
	"fmt"
	"os"
)

// openNoFollow opens p for reading unless it is not a regular file.
func openNoFollow(p string) (*os.File, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file", ErrInvalid)
	}
	return os.Open(p)
}

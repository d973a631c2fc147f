// Package race reports whether the binary was built with the race
// detector. Tests that sweep a whole corpus through a differential check
// (a replaced regexp against its hand-written matcher, say) are
// single-goroutine and gain nothing from the detector but a 10-20x
// slow-down; under -race they take a deterministic subset instead (see
// Sample), so `make test` stays within its time budget while the full
// sweep runs in every non-race `go test`.
package race

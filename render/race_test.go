//go:build race

package render

// raceEnabled: the race detector slows the engine down about tenfold.
const raceEnabled = true

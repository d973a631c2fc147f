// Package yarascan is the only adapter between automaldesc and libyara
// (through github.com/hillu/go-yara/v4). No go-yara type crosses its API.
//
// Compile turns rule sources into an immutable *Rules. Every source is first
// compiled on its own, so that a broken file is reported as a *CompileError
// naming file and line and left out, while the good sources are compiled
// together. A *Rules is safe for concurrent use by many goroutines.
//
// Scanning goes through a *Scanner, obtained with Rules.NewScanner: one per
// worker goroutine, because a Scanner is not safe for concurrent use. Scan
// bounds its work with the context's deadline (libyara's timeout, in whole
// seconds, rounded up) and caps the matched strings kept per rule, so that a
// hostile file cannot blow up a report.
package yarascan

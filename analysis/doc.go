// Package analysis is the engine: Engine.Analyze turns a Sample into a
// Report by identifying the language and encoding, decoding obfuscation
// layers, running YARA, the indicator catalog and IOC extraction on every
// layer, computing features, deciding a verdict and writing an explanation.
//
// It is a pure library: no flags, no globals, no I/O beyond the sample it
// is handed. Every analysis runs under a per-sample deadline and a panic
// fence, and always yields a report (status ok, skipped or error).
package analysis

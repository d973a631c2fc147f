// Package rules ships automaldesc's bundled YARA rules (bundled/*.yar,
// embedded in the binary) and loads them together with user rule folders.
//
// Every bundled rule carries the meta fields description, severity
// (info|low|medium|high|critical), attack (comma-separated ATT&CK technique
// ids) and author. Each family file has true-positive and false-positive
// fixtures under testdata/<family>/{tp,fp} that the tests run.
//
// Load compiles the bundled set plus user folders; a broken user file is
// reported as file:line and left out while everything else still loads. Live
// holds the rule set in force and swaps it atomically on Reload.
//
// Without user rules, Load does not compile: bundled.yarc holds the bundled
// set compiled ahead of time (yarascan.Precompile), which loads in a few
// milliseconds instead of ~15 ms of compiling at every process start. Its
// header names the sources and the libyara version it was built from, so a
// stale or foreign file is never used (the set is compiled instead) and
// TestBundledPrecompiled fails until it is regenerated. After changing a
// bundled rule, run:
//
//	go test ./rules -run TestBundledPrecompiled -update
package rules

// Package attack is the part of MITRE ATT&CK Enterprise that automaldesc
// maps its findings to: the techniques its indicators, bundled YARA rules
// and seeds name (id, name, tactics) and the fourteen tactics.
//
// The project carries only the ids and names it uses, as facts in
// catalog_gen.go; the full reference lives outside the repository
// (../shared/attack) and TestCatalog checks the catalog against it:
// every entry exists there, is active and has the same name and tactics,
// and every id the project emits is in the catalog. Regenerate with
//
//	go test ./analysis/attack -run TestCatalog -update
//
// ATT&CK is © The MITRE Corporation. Everything here is immutable and safe
// for concurrent use.
package attack

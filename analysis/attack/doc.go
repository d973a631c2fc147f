// Package attack is the MITRE ATT&CK Enterprise reference that automaldesc
// maps its findings to: every technique and sub-technique with its name,
// tactics and status, and the fourteen tactics.
//
// The data is an embedded copy of MITRE's public STIX repository as
// extracted to TSV (enterprise-techniques.tsv, enterprise-tactics.tsv).
// ATT&CK is © The MITRE Corporation. It is parsed once, on first use, and
// never changes afterwards: every function here is safe for concurrent use.
package attack

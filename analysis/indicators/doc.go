// Package indicators is automaldesc's catalog of static behaviour
// indicators: download cradles, in-memory execution, security-tool and
// logging tampering, persistence, credential access, discovery, lateral
// movement, reverse shells, mining, ransomware precursors, LOLBins,
// obfuscation markers, packaging-hook abuse, exfiltration and prompt
// injection aimed at AI analysis, each mapped to MITRE ATT&CK.
//
// Every indicator is listed explicitly in one of the registry files
// (download.go, execution.go, ...; registry.go joins them) with inline
// true-positive and false-positive fixtures that the tests run.
//
// Matching is static and bounded. Scan makes one Aho-Corasick pass over a
// layer to find where the prefilter literals occur (ASCII case-folded), and
// only then evaluates an indicator's regular expression, on the lines that
// hold one of its literals. Each regexp is split into branches with literal
// prefixes (match.go), so that the regexp engine runs only from candidate
// positions; the differential tests hold the result to a frozen copy of the
// plain evaluation (reference_test.go). A Catalog is immutable and safe for
// concurrent use.
package indicators

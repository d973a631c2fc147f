// Package explain writes the natural-language explanation of a report.
//
// Offline is the default explainer: a grounded, deterministic generator that
// needs no network and no model. It reads only the report - language,
// decoded layers, YARA matches, indicator hits, IOCs, ATT&CK techniques and
// the verdict - and writes three to five sentences an analyst can act on:
// what the script is, what it does step by step in execution order (decode,
// evade, download, drop, execute, escalate, persist, steal, collect,
// discover, spread, contact C2, exfiltrate, impact), why the verdict is what
// it is and, for benign scripts, their apparent purpose.
//
// Every sentence is an analysis.Claim that lists the evidence it rests on.
// Evidence ids are:
//
//	<indicator id>        an indicator hit, as in indicators.Hit.ID
//	yara:<rule>           a YARA match
//	ioc:<type>:<value>    an IOC, raw value
//	layer:<n>             a decoded layer (layer:0 is the original text)
//	language:<name>       the report's language
//	feature:<name>        a model feature of the report (feat:<name> in contributions)
//	verdict               the report's verdict
//	status                the report's status and reason
//
// Validate checks any explanation (offline or from an LLM) against these
// rules: every claim has evidence, every id resolves in the report, every
// IOC and ATT&CK id named in the text is in the report, no live URL scheme
// and no control or invisible character appears.
//
// Attacker-controlled text never reaches the summary raw. Commands and APIs
// are named from the package's own vocabulary (found in the hit's excerpt,
// never copied from it), IOCs are shown in their defanged form and escaped,
// and the only script text quoted is a short, escaped, prose-free fragment
// of the strongest finding.
package explain

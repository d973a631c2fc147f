// Package formats renders a report as the documents SIEM and threat-intel
// platforms ingest: Elastic Common Schema (ECS, the sidecar's own alert
// shape), an OCSF 1.1.0 Detection Finding (class 2004), a STIX 2.1 bundle
// and a MISP event.
//
// Every renderer is a pure, deterministic function of the report: object
// ids are UUIDv5 values derived from the report id (STIX cyber-observable
// ids follow the STIX 2.1 rule: UUIDv5 in the STIX namespace over the
// canonical JSON of the object's id-contributing properties), and every
// timestamp is the report's AnalyzedAt. Rendering the same report twice
// yields the same bytes, so receivers can deduplicate re-deliveries.
//
// IOCs stay raw in machine fields (STIX patterns, MISP attribute values,
// OCSF observables) and are defanged in human-facing text (titles,
// descriptions, notes). Indicators for threat-intel sharing (STIX indicator
// objects, MISP to_ids) are only emitted for malicious and suspicious
// verdicts: the IOCs of a benign script are context, not detections.
//
// Encode is the single entry point by format name; the registry of formats
// is the table in formats.go. All functions are safe for concurrent use.
package formats

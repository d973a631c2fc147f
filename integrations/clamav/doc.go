// Package clamav correlates ClamAV detections with the files that ClamAV
// moved into a quarantine folder, so that the records automaldesc writes
// for them carry the ClamAV signature name.
//
// clamscan/clamdscan --move=DIR renames a detected file into DIR (flat,
// adding ".001", ".002", ... on name clashes). The quarantined file says
// nothing about why it was moved. clamd's VirusEvent command (automaldesc
// clamav-hook) learns the signature and the path BEFORE the move; it hashes
// the file while it still exists and hands a Hint to the sidecar (HTTP
// POST /v1/hints, or a JSON file in the hints spool directory when the API
// is unreachable). The sidecar keeps hints in a Hints set for Window and
// matches each quarantined file against them before analysing it:
//
//  1. by SHA-256 (content identity; the best key);
//  2. else by base name, ignoring ClamAV's ".NNN" clash suffix, and size;
//  3. else by base name alone (the hook saw no file to measure).
//
// A hint and a file match only when their times lie within Window of each
// other. When both sides know a SHA-256 and the hashes differ, the names are
// not consulted: the content is not the one ClamAV flagged.
//
// clamd 1.4 runs VirusEvent synchronously, before answering the scanning
// client, so a hint normally exists before clamdscan moves the file. The
// spool directory and other scanners can be later; the sidecar therefore
// waits up to the folder's hint_wait for a hint before analysing a file
// of a `source: clamav` folder (see Hints.Lookup). The store is
// append-only: a hint that arrives after the record was written cannot
// change it.
//
// The package does no I/O except in spool.go (reading and writing hint
// files). Hints is safe for concurrent use.
package clamav

// Package sidecar is the daemon behind `automaldesc watch`: it claims
// files from quarantine folders (package watch), analyses them with a
// bounded worker pool, stores one record per file (package store), delivers
// records to sinks (package sink) and serves the HTTP API (package api).
// Run owns every goroutine through one errgroup.
//
// # Claim protocol
//
// A settled file P in a claiming folder is claimed in two steps:
//
//  1. Enqueue(item): id = UUIDv5 of the file's identity (folder, relative
//     path, device, inode, size, mtime, ctime), Path = staging/<id>,
//     metadata = original path, inode, mtime, first sighting.
//  2. rename(P, staging/<id>) — same file system, so atomic.
//
// A worker then leases the item, reads staging/<id> (intake.ReadFile, size
// limited), analyses it (or reuses the newest record of the same content
// made by the same rules and model: DuplicateOf), and calls
// Complete(item, record) — record and "item done" in ONE transaction, the
// record id being UUIDv5(item id) — and finally removes staging/<id>.
//
// # Crash recovery
//
// Whatever step a crash interrupts, no file is lost and none is recorded
// twice:
//
//   - before 1: nothing happened; the startup rescan finds P and claims it.
//   - between 1 and 2: the item is pending, P still in place. The startup
//     rescan computes the same identity for P (rename has not changed its
//     ctime), so Enqueue reports "already known" and the watcher finishes
//     the rename; a worker that leases the item first finishes it itself
//     (only if P still has the recorded inode, size and mtime). Both race
//     on one atomic rename of one inode to one name: either wins.
//   - between 2 and Complete: the item is pending (its lease is released
//     by RecoverLeases at startup) and the staged file is there: it is
//     analysed again. Analyses are deterministic up to timestamps.
//   - between Complete and the removal: the startup reconciliation finds a
//     staged file whose record exists and removes it.
//   - a lease that expires while a slow worker still holds the item: two
//     workers may analyse it, but Complete is idempotent by record id
//     (a function of the item id), so one record remains.
//   - staged files without an item (a store restored from a backup) are
//     re-enqueued at startup.
//
// A file removed by someone else between Enqueue and rename yields a
// skipped record "file removed before it could be claimed"; removed
// before Enqueue it is only counted (automaldesc_watch_files_total
// {outcome="vanished"}) and logged at debug. An item leased more than
// watch.max_attempts times becomes an error record, so a poison file
// cannot loop. Read-only folders are never touched: the item points at P
// and its id derives from (path, size, mtime), so an unchanged file is
// analysed once; symlinks, FIFOs and unreadable files are never opened or
// followed and get one skipped/error record each, left in place.
//
// One sidecar process per queue: RecoverLeases assumes no other process
// holds leases.
//
// # Scanner hints
//
// A scanner may report a detection out of band (the ClamAV VirusEvent hook,
// `automaldesc clamav-hook`): POST /v1/hints, or a JSON file in the spool
// directory "hints" next to store.path. Before analysing an item, a worker
// matches it against these hints (package integrations/clamav: SHA-256,
// else name without ClamAV's ".NNN" suffix and size, within 10 minutes) and
// records the hint's signature. For `source: clamav` folders it waits up to
// the folder's hint_wait, counted from the file's first sighting, because a
// record cannot be changed once it is stored.
//
// Hints enter through hintRelay (hints.go). With a queue, the process that
// receives a hint (usually an intake, on the scanner's host) keeps it and
// publishes it in the background to the queue's hints stream, retrying
// until the hint is older than its window; every worker reads the whole
// stream from one window back into its own set, checking each message as
// it checks an API body (clamav.ParseHint), and a worker waiting in Lookup
// wakes when a hint arrives. The intake's hint_wait travels in the
// envelope. A process reads its own publications back: clamav.Hints ignores
// a hint it already took in (same ID), even one matched and used up since.
//
// # Scale-out
//
// With Options.Queue (queue.url) the hand-off between claiming and
// analysis moves onto a NATS JetStream work queue (package queue) and
// watch.role splits the process: intake claims as above but logs claims
// in the staging directory and publishes them; workers consume, store
// with PutRecord under the same ItemRecordID and acknowledge after the
// store. Scanner hints reach every worker through the queue (above). The
// crash argument for that path is in scaleout.go and docs/DEPLOYMENT.md.
//
// # Sinks
//
// Each sink has its own goroutine and its own cursor (the Seq of the last
// record it confirmed). Delivery is at least once: the cursor moves after
// the NDJSON batch was fsynced or the webhook answered 2xx, so a crash
// re-delivers at most one batch and receivers dedupe on event.id /
// X-Automaldesc-Record-Id. A sink that is down holds back only its own
// cursor: the store is the spool. The SQLite store makes a record visible
// only after every lower Seq, so cursors never skip.
//
// # LLM updates
//
// The LLM explainer (llm.url) is a slow stage (Options.Slow) and never
// holds a record back: the workers explain offline, store the record and
// the sinks deliver it at once. The updater (update.go) then follows the
// stored records in Seq order with its own cursor ("llm"), like a sink,
// watch.slow_workers records at a time, and runs the LLM on each stored
// report. When the LLM's explanation differs or its advisory label raises
// the verdict (never lowers it), it stores an update record: a new record
// with id UpdateID(original id, "llm:"+prompt version) (UUIDv5),
// Supersedes = the original's id and the enriched report. The original is
// never changed; sinks deliver the update like any record (ECS event.id =
// the update's id, event.action "update", automaldesc.supersedes). Readers
// find the update from the original through store.Filter.Supersedes: the
// API's GET /v1/records/{id} answers superseded_by (the newest update) and
// the triage UI links the two records both ways.
//
// Update records, records that were not analysed (skipped, error), reports
// already explained by the LLM and records older than UpdateWindow are
// skipped. On any failure the offline explanation stands: an attempt that
// fails (the LLM fell back) is retried UpdateAttempts times with backoff,
// then the record is left as it is (logged, automaldesc_updates_total
// {outcome="failed"}) and the cursor moves on. The cursor moves after a
// batch is done (at least once); a crash or shutdown midway redoes the
// batch, and the deterministic update id (checked before the LLM is asked,
// and PutRecord is idempotent by id) means no record gets two updates
// for one prompt version (a new prompt version may add a second). A
// cursor never stored starts at the first record of UpdateWindow. The
// LLM reads the sample's text from its original path when it is still
// there with the same SHA-256 (read-only folders); for claimed files it
// sees the report's decoded layers and excerpts. In a scale-out
// deployment every worker runs an updater on the shared store: they share
// the cursor name, so records may be explained more than once (never
// updated twice).
//
// # Rules hot reload
//
// SIGHUP, or a change under a rule folder (rules.dirs, --rules; fsnotify,
// debounced 500 ms), recompiles the user rules (rules.go). rules.Live
// swaps the set all or nothing: a file that does not compile keeps the
// previous set in force whole, logged with file:line. Records carry the
// rules version they were analysed with; /metrics has
// automaldesc_rules_version_info{version} and
// automaldesc_rules_reloads_total{outcome=reloaded|unchanged|kept_old|failed}.
//
// # Shutdown
//
// When ctx ends, the watcher and the leaser stop at once; analyses in
// progress get watch.shutdown_timeout (items not finished stay leased and
// are redone after the restart); sinks then deliver what was stored for a
// few seconds at most; the API stops last. Run returns nil.
package sidecar

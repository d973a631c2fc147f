// Package queue moves claimed samples from the sidecars that watch
// quarantine folders (intake) to the sidecars that analyse them (workers)
// when one host is not enough: Queue is the hand-off, NATS its JetStream
// implementation.
//
// # Streams
//
// Dial makes sure four streams exist (it never changes one an operator
// created, so replicas and limits set by hand stay):
//
//   - <stream> (queue.stream), WorkQueue retention, subject queue.subject:
//     one message per claimed sample, removed when a worker acknowledges
//     it. Every worker binds to the one durable pull consumer
//     "<stream>_workers", so each message goes to one worker at a time.
//   - <stream>_DEAD, subject <queue.subject>.dead: the envelopes of samples
//     that kept failing (DeadLetter), kept for operators.
//   - <stream>_ALERTS, subject queue.alerts_subject: ECS alerts of stored
//     records (PublishAlert); consumers (SIEM shippers) read it at their pace.
//   - <stream>_HINTS, subject <queue.subject>.hints, limits retention, max
//     age Options.HintWindow (the hint window, 10 minutes): scanner hints
//     (PublishHint, message id = the hint's content id). Every worker reads
//     all of it (ConsumeHints) through an ephemeral consumer of its own,
//     without acknowledgements, starting one window back so that a worker
//     that starts late still sees recent hints; a lost consumer is replaced
//     by one that resumes after the last hint read (one window back again
//     when the stream was created anew). Messages are bytes
//     here: the reader validates them (clamav.ParseHint). An existing
//     stream of that name without limits retention is refused.
//
// # Exactly one record per sample
//
// Publish sets the JetStream message id to "<sha256>:<claim id>": within
// the stream's duplicate window (2 minutes) the server drops a
// republication (an intake that crashed after the server stored the
// message but before it removed its claim). Outside the window a duplicate
// is harmless: the worker derives the record id from the claim id alone,
// so the store keeps one record. Alerts carry the record id as message id
// for the same reason.
//
// Delivery is at least once. A worker acknowledges only after the record
// is stored (and its alert published); a worker that dies holds nothing:
// after ack_wait the server redelivers the message to another worker.
// While it analyses, a worker signals progress (InProgress) so that a slow
// analysis is not redelivered. The consumer allows max_deliver+1
// deliveries: the sidecar turns the last one into an error record and a
// dead letter without analysing the sample again, so a sample that kills
// its worker cannot loop and still ends as a record.
//
// Envelope is the wire format: JSON, versioned, samples inline up to
// queue.inline_max (base64), larger ones by reference to a file name
// under queue.shared_dir, a directory every host mounts.
package queue

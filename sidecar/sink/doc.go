// Package sink delivers stored records to their destinations: a rotated
// NDJSON file, standard output and a signed webhook.
//
// Every sink runs in its own goroutine (a Runner) with its own cursor in
// the store: the Seq of the last record it delivered. The runner reads the
// records after the cursor in Seq order, hands a batch to the sink, and
// advances the cursor only past what the sink confirmed (after the NDJSON
// file was fsynced, after the webhook answered 2xx). Delivery is therefore
// at least once: a crash between delivery and SetCursor delivers the batch
// again, so receivers deduplicate on the record id (event.id,
// X-Automaldesc-Record-Id). A slow or failing sink only holds its own
// cursor back; the store is its spool, so nothing is lost while a webhook
// endpoint is down.
package sink

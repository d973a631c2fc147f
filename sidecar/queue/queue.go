package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// EnvelopeVersion is the version of the Envelope wire format.
const EnvelopeVersion = 1

// MaxHintWait caps Envelope.HintWaitMS (as config caps a folder's hint_wait).
const MaxHintWait = time.Minute

// ErrInvalid is wrapped by envelope validation errors.
var ErrInvalid = errors.New("invalid envelope")

// Envelope is one claimed sample on its way from intake to a worker.
type Envelope struct {
	Version   int               `json:"v"`
	ClaimID   string            `json:"claim_id"`            // the intake's claim id; the record id derives from it
	Name      string            `json:"name"`                // original file name (untrusted)
	Path      string            `json:"path"`                // where the intake found it (untrusted, display only)
	Source    string            `json:"source"`              // intake source, e.g. "quarantine"
	Signature string            `json:"signature,omitempty"` // scanner signature, if known
	Host      string            `json:"host,omitempty"`      // the intake host
	Meta      map[string]string `json:"meta,omitempty"`      // the claim's metadata
	Size      int64             `json:"size"`
	SHA256    string            `json:"sha256,omitempty"`
	SHA1      string            `json:"sha1,omitempty"`
	MD5       string            `json:"md5,omitempty"`
	ClaimedAt time.Time         `json:"claimed_at"`
	// HintWaitMS is how long the worker waits for a scanner hint, counted
	// from the file's first sighting (the folder's hint_wait, which only
	// the intake knows); at most MaxHintWait.
	HintWaitMS int64 `json:"hint_wait_ms,omitempty"`
	// Exactly one of the following says where the bytes are.
	Data     []byte  `json:"data,omitempty"`     // inline bytes (base64 in JSON)
	Shared   string  `json:"shared,omitempty"`   // file name under queue.shared_dir
	Oversize bool    `json:"oversize,omitempty"` // above limits.max_file_size: hashes only
	Reject   *Reject `json:"reject,omitempty"`   // the intake could not read it
}

// Reject is an intake-side refusal the worker records as is.
type Reject struct {
	Status string `json:"status"` // skipped|error
	Reason string `json:"reason"`
}

// MsgID is the JetStream message id: sha256 and claim id, so the server's
// duplicate window drops a republication of the same claim.
func (e Envelope) MsgID() string {
	h := e.SHA256
	if h == "" {
		h = "-"
	}
	return h + ":" + e.ClaimID
}

// Validate checks what a worker relies on.
func (e Envelope) Validate() error {
	if e.Version != EnvelopeVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrInvalid, e.Version, EnvelopeVersion)
	}
	if e.ClaimID == "" || len(e.ClaimID) > 128 || strings.ContainsAny(e.ClaimID, "/\\\x00 ") {
		return fmt.Errorf("%w: claim id %q", ErrInvalid, e.ClaimID)
	}
	if e.Size < 0 {
		return fmt.Errorf("%w: claim %s: negative size", ErrInvalid, e.ClaimID)
	}
	if e.HintWaitMS < 0 || e.HintWaitMS > MaxHintWait.Milliseconds() {
		return fmt.Errorf("%w: claim %s: hint wait %dms outside 0..%dms", ErrInvalid, e.ClaimID, e.HintWaitMS, MaxHintWait.Milliseconds())
	}
	n := 0
	if len(e.Data) > 0 {
		n++
		if int64(len(e.Data)) != e.Size {
			return fmt.Errorf("%w: claim %s: %d inline bytes, size says %d", ErrInvalid, e.ClaimID, len(e.Data), e.Size)
		}
	}
	if e.Shared != "" {
		n++
		// A bare file name: a message must not make a worker read
		// anywhere but inside the shared directory.
		if strings.ContainsAny(e.Shared, "/\\\x00") || e.Shared == "." || e.Shared == ".." {
			return fmt.Errorf("%w: claim %s: shared name %q is not a plain file name", ErrInvalid, e.ClaimID, e.Shared)
		}
	}
	if e.Oversize {
		n++
	}
	if e.Reject != nil {
		n++
		if e.Reject.Status != "skipped" && e.Reject.Status != "error" {
			return fmt.Errorf("%w: claim %s: reject status %q", ErrInvalid, e.ClaimID, e.Reject.Status)
		}
	}
	if n > 1 {
		return fmt.Errorf("%w: claim %s: more than one of data, shared, oversize, reject", ErrInvalid, e.ClaimID)
	}
	if e.Size > 0 && n == 0 {
		return fmt.Errorf("%w: claim %s: %d bytes but neither data nor shared", ErrInvalid, e.ClaimID, e.Size)
	}
	return nil
}

// HintWait is HintWaitMS as a duration.
func (e Envelope) HintWait() time.Duration { return time.Duration(e.HintWaitMS) * time.Millisecond }

// LogValue keeps sample bytes out of logs.
func (e Envelope) LogValue() slog.Value {
	return slog.GroupValue(slog.String("claim", e.ClaimID), slog.String("sha256", e.SHA256),
		slog.Int64("size", e.Size), slog.Bool("inline", e.Data != nil), slog.String("shared", e.Shared))
}

// Delivery is one message handed to a Handler. Its methods may be called
// from the handler's goroutine and from one helper goroutine (progress).
type Delivery interface {
	// Envelope is the decoded, validated message.
	Envelope() Envelope
	// Attempt is 1 for the first delivery, 2 for the first redelivery, ...
	Attempt() int
	// InProgress resets the server's ack timer (a long analysis).
	InProgress() error
	// Ack acknowledges the message and waits until the server confirmed
	// it: the message is gone from the work queue.
	Ack(ctx context.Context) error
	// Retry asks for a redelivery after delay (it counts as an attempt).
	Retry(delay time.Duration) error
	// DeadLetter copies the message with the reason to the dead-letter
	// subject; the caller still records the sample and acknowledges it.
	DeadLetter(ctx context.Context, reason string) error
}

// Handler processes one delivery; it must Ack, Retry or leave the message
// to be redelivered after the ack wait (a shutdown).
type Handler func(ctx context.Context, d Delivery)

// Queue is the hand-off between intake and workers. Publish and Consume
// may be called concurrently.
type Queue interface {
	// Publish returns once the server stored the envelope (or dropped it
	// as a duplicate of one it stored).
	Publish(ctx context.Context, e Envelope) error
	// Consume runs h on up to n goroutines, each holding one message at a
	// time, until ctx ends; it returns nil then. Messages that are not a
	// valid envelope are dead-lettered and terminated, not handed to h.
	Consume(ctx context.Context, n int, h Handler) error
}

// Alerts publishes the alerts of stored records; PublishAlert is safe for
// concurrent use and idempotent by id within the duplicate window.
type Alerts interface {
	PublishAlert(ctx context.Context, id string, doc []byte) error
}

// Hints carries scanner hints between sidecars: every process publishes
// the hints it receives, every worker reads all of them. A message is one
// hint as the API takes it (clamav.EncodeHint, read back with
// clamav.ParseHint); this package moves bytes and leaves validation to the
// reader, which treats them as untrusted.
type Hints interface {
	// PublishHint returns once the server stored the hint (or dropped it
	// as a duplicate of id within the duplicate window). It is safe for
	// concurrent use.
	PublishHint(ctx context.Context, id string, body []byte) error
	// ConsumeHints calls f, on one goroutine and in publication order,
	// with every hint published during the last hint window and every one
	// published later, until ctx ends; it returns nil then.
	ConsumeHints(ctx context.Context, f func(body []byte)) error
}

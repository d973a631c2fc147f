package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors, checked with errors.Is. Backends wrap them with the
// entity they concern ("record 1234: get: not found").
var (
	// ErrNotFound: the record, item or feedback target does not exist.
	ErrNotFound = errors.New("not found")
	// ErrClosed: the store was closed; no method works after Close.
	ErrClosed = errors.New("store closed")
	// ErrInvalid: the argument breaks the contract (empty id, unknown
	// disposition, rating out of range, non-positive lease, ...).
	ErrInvalid = errors.New("invalid argument")
)

// Limits shared by every backend.
const (
	// DefaultLimit is the page size of ListRecords and RecordsAfter when the
	// caller passes a limit <= 0.
	DefaultLimit = 100
	// MaxLimit caps every page; larger limits are clamped (page with
	// AfterSeq/BeforeSeq to read more).
	MaxLimit = 10000
	// MaxLease caps the number of items one Lease call returns.
	MaxLease = 1000
	// MaxIOCsPerRecord caps the IOC values indexed for Filter.Query per record.
	MaxIOCsPerRecord = 1000
	// MaxIOCLen caps the length of one indexed IOC value (longer values are
	// truncated for the index; the report keeps them whole).
	MaxIOCLen = 2048
)

// Item is a claimed file waiting for analysis: one entry of the durable
// queue.
type Item struct {
	ID        string // claim id chosen by the caller (e.g. a UUID); unique
	Path      string // where the claimed bytes are (staging path), or the original path in read-only mode
	Name      string // original file name (untrusted)
	Source    string
	Signature string
	Size      int64
	SHA256    string // may be empty when not known at claim time
	ClaimedAt time.Time
	Attempts  int               // incremented by every Lease that hands the item out
	Meta      map[string]string // free-form source metadata (e-mail headers, ...)
}

// Validate checks what every backend requires of an item.
func (it Item) Validate() error {
	if it.ID == "" {
		return fmt.Errorf("item: empty id: %w", ErrInvalid)
	}
	if it.Size < 0 {
		return fmt.Errorf("item %s: negative size %d: %w", it.ID, it.Size, ErrInvalid)
	}
	return nil
}

// Record is one stored analysis result.
type Record struct {
	Seq          int64  // assigned by the store, strictly increasing in insert (and commit) order
	ID           string // report id (UUIDv5, analysis.RecordID); records are unique by ID
	ItemID       string // the queue item that produced it ("" for API/CLI/plugin submissions)
	SHA256       string
	Source       string
	Signature    string
	Name         string
	Path         string
	Status       string // ok|skipped|error
	Label        string // verdict label
	Language     string
	Score        float64
	RulesVersion string
	ModelVersion string
	DuplicateOf  string // id of the earlier record whose analysis this one re-uses
	// Supersedes is the id of the record this one updates ("" for an
	// original record): a later, enriched version of the same analysis
	// (the LLM's explanation, a raised verdict). The original is kept;
	// both are delivered, the update with a higher Seq.
	Supersedes string
	CreatedAt  time.Time
	Report     []byte // the full report JSON
}

// Validate checks what every backend requires of a record.
func (r Record) Validate() error {
	if r.ID == "" {
		return fmt.Errorf("record: empty id: %w", ErrInvalid)
	}
	return nil
}

// Filter selects records for ListRecords. Zero fields do not filter.
type Filter struct {
	Label, Language, Source, Status, SHA256 string // exact matches
	// Supersedes keeps the update records of the record with this id (an
	// exact match of Record.Supersedes): with Desc and Limit 1, the newest
	// record that supersedes it.
	Supersedes string
	// Query is an ASCII-case-insensitive substring of the record's name,
	// path or sha256, or of an IOC value of the report (see IOCValues).
	Query string
	// Since (inclusive) and Until (exclusive) bound CreatedAt.
	Since, Until time.Time
	// AfterSeq keeps records with Seq > AfterSeq; BeforeSeq (when > 0)
	// keeps records with Seq < BeforeSeq (paging newest-first with Desc).
	AfterSeq  int64
	BeforeSeq int64
	// Limit is the page size: <= 0 means DefaultLimit, above MaxLimit is
	// clamped to MaxLimit.
	Limit int
	// Desc orders by Seq descending (newest first); the default is ascending.
	Desc bool
}

// PageLimit returns the effective page size for a requested limit.
func PageLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultLimit
	case limit > MaxLimit:
		return MaxLimit
	}
	return limit
}

// Feedback dispositions.
const (
	DispositionConfirm    = "confirm" // the record's verdict is right
	DispositionMalicious  = "malicious"
	DispositionBenign     = "benign"
	DispositionSuspicious = "suspicious"
)

// Feedback is one analyst statement about a sample (append-only). Its
// fingerprint is SHA256 (+ IndicatorID when the statement is about one
// finding).
type Feedback struct {
	ID          string // assigned by AddFeedback when empty
	RecordID    string // optional: the record the analyst looked at
	SHA256      string // the sample; filled from the record when empty
	IndicatorID string // optional: the finding the statement is about
	Analyst     string
	Disposition string // confirm|malicious|benign|suspicious
	Category    string
	Summary     string
	Rating      int // 0 = unrated, else 1..5
	Note        string
	CreatedAt   time.Time // assigned by AddFeedback when zero
}

// Validate checks what every backend requires of feedback (after the
// backend filled SHA256 from the record).
func (fb Feedback) Validate() error {
	switch fb.Disposition {
	case DispositionConfirm, DispositionMalicious, DispositionBenign, DispositionSuspicious:
	default:
		return fmt.Errorf("feedback: disposition %q not one of confirm|malicious|benign|suspicious: %w", fb.Disposition, ErrInvalid)
	}
	if fb.Rating < 0 || fb.Rating > 5 {
		return fmt.Errorf("feedback: rating %d not in 0..5: %w", fb.Rating, ErrInvalid)
	}
	if fb.RecordID == "" && fb.SHA256 == "" {
		return fmt.Errorf("feedback: neither record id nor sha256: %w", ErrInvalid)
	}
	return nil
}

// Store is the durable state of automaldesc: the queue of claimed files,
// the records, the sinks' delivery cursors and analyst feedback.
//
// All methods are safe for concurrent use by multiple goroutines. Every
// method returns an error wrapping ErrClosed after Close, and the context's
// error when ctx ends first.
type Store interface {
	// Enqueue adds a claimed file to the queue. It is idempotent by it.ID:
	// enqueueing an id that is already known (pending or done) changes
	// nothing and reports added == false. ClaimedAt defaults to now.
	Enqueue(ctx context.Context, it Item) (added bool, err error)
	// Lease hands out up to n (capped at MaxLease) items that are not done
	// and not leased (or whose lease expired), oldest enqueued first, each
	// leased for the given duration (> 0) and with Attempts incremented. An
	// item is handed to one caller at a time until its lease expires. After
	// a crash every unfinished item becomes leasable again once its lease
	// expires, or at once after RecoverLeases. Callers should turn items
	// whose Attempts exceeds their retry budget into error records (Complete)
	// so that a poison file cannot loop forever.
	Lease(ctx context.Context, n int, lease time.Duration) ([]Item, error)
	// RecoverLeases releases the leases a previous run of this process left
	// behind (call it at startup) and returns how many were released. The
	// single-host SQLite backend releases every lease; shared backends
	// (PostgreSQL) release only the leases tagged with the caller's owner
	// id, so a restarting sidecar never steals work from a live one.
	RecoverLeases(ctx context.Context) (int, error)
	// Complete, in ONE transaction, stores rec (ItemID set to itemID) and
	// marks the item done; it returns the stored record with its Seq. It is
	// idempotent: if a record with rec.ID exists it is kept and returned
	// unchanged, and if the item is already done the record it was
	// completed with is returned and rec is not stored. Completing an
	// unknown item fails with ErrNotFound and stores nothing. Complete does
	// not require a live lease: two holders of one item (an expired lease)
	// both succeed and still leave exactly one record.
	Complete(ctx context.Context, itemID string, rec Record) (Record, error)
	// PendingCount counts items not done yet, leased or not.
	PendingCount(ctx context.Context) (int, error)

	// PutRecord stores a record that has no queue item (API/CLI/plugin
	// submissions); idempotent by ID like Complete.
	PutRecord(ctx context.Context, rec Record) (Record, error)
	// GetRecord returns the record with the id, or ErrNotFound.
	GetRecord(ctx context.Context, id string) (Record, error)
	// LatestBySHA256 returns the newest (highest Seq) record for the
	// content, or ErrNotFound (dedupe: reuse it unless rules or model
	// versions changed).
	LatestBySHA256(ctx context.Context, sha256 string) (Record, error)
	// ListRecords returns the records the filter selects, ordered by Seq.
	ListRecords(ctx context.Context, f Filter) ([]Record, error)
	// RecordsAfter returns up to limit (see PageLimit) records with Seq >
	// seq in ascending Seq order. A record is never visible before every
	// record with a lower Seq is, so a sink that advances its cursor to the
	// last Seq it delivered never skips a record.
	RecordsAfter(ctx context.Context, seq int64, limit int) ([]Record, error)

	// Cursor returns the last Seq the sink delivered, 0 when unknown.
	Cursor(ctx context.Context, sink string) (int64, error)
	// SetCursor stores the sink's cursor (after delivery: at-least-once).
	// Moving it backwards is allowed (replay).
	SetCursor(ctx context.Context, sink string, seq int64) error

	// AddFeedback appends feedback. It assigns ID (a UUID) and CreatedAt
	// when empty, fills SHA256 from the record when RecordID is set (an
	// unknown RecordID is ErrNotFound), and validates the rest (ErrInvalid).
	// It is idempotent by ID: an existing ID returns the stored entry
	// unchanged. Stored feedback is never modified.
	AddFeedback(ctx context.Context, fb Feedback) (Feedback, error)
	// ListFeedback returns the feedback for the record and/or sha256 (an
	// empty argument does not filter), oldest first (CreatedAt, then insert
	// order).
	ListFeedback(ctx context.Context, recordID, sha256 string) ([]Feedback, error)
	// AllFeedback returns every feedback entry, oldest first.
	AllFeedback(ctx context.Context) ([]Feedback, error)

	// Close waits for running operations and releases the store. Calling it
	// again returns nil.
	Close() error
}

// IOCValues returns the IOC values ("iocs"[].value) of a report JSON, the
// values Filter.Query searches besides name, path and sha256. At most
// MaxIOCsPerRecord distinct values of at most MaxIOCLen bytes each are
// returned; a report that is not JSON or has no IOCs yields nil.
//
// Only the "iocs" array is decoded, not the whole report: the first
// `"iocs":` key whose value decodes as an array of objects is used. In
// JSON text a quote inside a string is always escaped, so the key cannot
// be forged by attacker text held in string values.
func IOCValues(report []byte) []string {
	key := []byte(`"iocs"`)
	for rest := report; ; {
		i := bytes.Index(rest, key)
		if i < 0 {
			return nil
		}
		rest = rest[i+len(key):]
		v := bytes.TrimLeft(rest, " \t\r\n")
		if len(v) == 0 || v[0] != ':' {
			continue
		}
		v = bytes.TrimLeft(v[1:], " \t\r\n")
		if len(v) == 0 || v[0] != '[' {
			continue
		}
		var iocs []struct {
			Value string `json:"value"`
		}
		// The decoder reads one value (the array) and stops there.
		if err := json.NewDecoder(bytes.NewReader(v)).Decode(&iocs); err != nil {
			continue
		}
		return iocValues(iocs)
	}
}

func iocValues(iocs []struct {
	Value string `json:"value"`
}) []string {
	seen := make(map[string]bool, len(iocs))
	var out []string
	for _, i := range iocs {
		v := i.Value
		if len(v) > MaxIOCLen {
			v = strings.ToValidUTF8(v[:MaxIOCLen], "")
		}
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
		if len(out) == MaxIOCsPerRecord {
			break
		}
	}
	return out
}

// LikePattern turns a Filter.Query into a LIKE pattern (with '\' as the
// escape character) that matches it as a substring of ASCII-lowercased
// text: compare it against lower(column) ... ESCAPE '\'.
func LikePattern(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 4)
	b.WriteByte('%')
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '%' || c == '_' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('%')
	return b.String()
}

// Model states reported by ListModels and GetModel.
const (
	ModelCandidate  = "candidate"   // stored, never promoted
	ModelPromoted   = "promoted"    // the version in force (Current)
	ModelRetired    = "retired"     // was promoted, superseded by a later promotion
	ModelRolledBack = "rolled-back" // was in force and was rolled back
)

// ModelEntry is one verdict model version in the registry.
type ModelEntry struct {
	Version   string          // model version (content-derived); unique
	Parent    string          // version it was trained from ("" for a first model)
	CreatedAt time.Time       // assigned by PutModel when zero
	Summary   json.RawMessage // training-set summary (JSON object); optional
	Metrics   json.RawMessage // validation metrics per language (JSON object); optional
	Blob      []byte          // the model file (verdict.Model.Save)
	// Filled by the registry, ignored by PutModel:
	State      string    // ModelCandidate|ModelPromoted|ModelRetired|ModelRolledBack
	PromotedBy string    // who or what promoted it last ("" when never)
	PromotedAt time.Time // when it was promoted last
}

// Validate checks what every backend requires of a model entry.
func (m ModelEntry) Validate() error {
	if m.Version == "" {
		return fmt.Errorf("model: empty version: %w", ErrInvalid)
	}
	if len(m.Blob) == 0 {
		return fmt.Errorf("model %s: empty blob: %w", m.Version, ErrInvalid)
	}
	for name, raw := range map[string]json.RawMessage{"summary": m.Summary, "metrics": m.Metrics} {
		if len(raw) > 0 && !json.Valid(raw) {
			return fmt.Errorf("model %s: %s is not JSON: %w", m.Version, name, ErrInvalid)
		}
	}
	return nil
}

// ModelEvent is one entry of the registry's append-only promotion log.
type ModelEvent struct {
	Action  string // "promote" or "rollback"
	Version string // the version in force after the event ("" when none)
	From    string // the version in force before it
	By      string
	At      time.Time
}

// ModelRegistry keeps verdict model versions and which one is in force.
// Promotions form a stack: Promote pushes a version, Rollback pops the
// one in force and returns to the one promoted before it. Every change is
// logged (History). A sidecar polls Current and rebuilds its engine when
// the version changes.
//
// All methods are safe for concurrent use; they return an error wrapping
// ErrClosed after the store is closed.
type ModelRegistry interface {
	// PutModel stores a version. It is idempotent by Version: storing a
	// known version changes nothing and returns the stored entry. Invalid
	// entries fail with ErrInvalid.
	PutModel(ctx context.Context, m ModelEntry) (ModelEntry, error)
	// GetModel returns the version with its blob, or ErrNotFound.
	GetModel(ctx context.Context, version string) (ModelEntry, error)
	// ListModels returns every version without blobs, oldest first.
	ListModels(ctx context.Context) ([]ModelEntry, error)
	// Promote puts a stored version in force (ErrNotFound when unknown);
	// promoting the version already in force changes nothing.
	Promote(ctx context.Context, version, by string) error
	// Rollback takes the version in force out of force and returns the
	// one promoted before it, which is in force again. With no earlier
	// promotion it fails with ErrInvalid and changes nothing.
	Rollback(ctx context.Context, by string) (ModelEntry, error)
	// Current returns the version in force with its blob, or ErrNotFound
	// when none was promoted.
	Current(ctx context.Context) (ModelEntry, error)
	// History returns the promotion log, oldest first.
	History(ctx context.Context) ([]ModelEvent, error)
}

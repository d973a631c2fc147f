package plugin

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/lang"
)

// Server is what Serve exposes to the host. Every method may be called
// concurrently from many goroutines; ctx is the RPC's context and ends when
// the host cancels the call or its deadline passes.
type Server interface {
	// Info describes the server. Serve calls it once at start (for the
	// limits) and again for every Info RPC.
	Info(ctx context.Context) (Info, error)
	// Analyze analyses one sample. Like analysis.Engine.Analyze it returns
	// a report whenever the sample was looked at; on failure the report
	// holds the partial findings and the error wraps analysis.ErrDeadline,
	// analysis.ErrInternal or ctx's error. Requests it refuses get a nil
	// report and an error wrapping ErrTooLarge or ErrInvalidInput.
	Analyze(ctx context.Context, req Request) (*analysis.Report, error)
	// Feedback records an analyst's statement; ErrNoStore when the server
	// keeps none, ErrInvalidInput when fb is malformed.
	Feedback(ctx context.Context, fb Feedback) error
}

// FeedbackSink stores feedback for EngineServer. AddFeedback may be called
// concurrently. A store adapter implements it.
type FeedbackSink interface {
	AddFeedback(ctx context.Context, fb Feedback) error
}

// Request is one sample for the plugin. Text fields are untrusted; the
// report escapes them.
type Request struct {
	// Data is the sample's bytes. An in-process EngineServer may return a
	// report that shares this memory (analysis.Sample.Data): do not modify
	// it while the report is in use. Over gRPC the server gets a copy.
	Data      []byte
	Name      string            // file name as received (its extension is language evidence)
	Path      string            // where the host found the file, if anywhere
	Source    string            // the intake, e.g. "clamav"; "plugin" when empty
	Signature string            // the flagging scanner's signature name, if known
	Meta      map[string]string // host metadata, handed to the Server as is
}

// Limits on the request's text fields.
const (
	MaxTextBytes      = 4096 // Name, Path, Source, Signature
	MaxMetaEntries    = 64
	MaxMetaKeyBytes   = 128
	MaxMetaValueBytes = 1024
)

// LogValue keeps sample bytes and metadata values out of logs.
func (r Request) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", r.Name),
		slog.String("source", r.Source),
		slog.Int("size", len(r.Data)),
	)
}

// validate checks r against the limits; maxFileSize <= 0 skips the size
// check.
func (r Request) validate(maxFileSize int64) error {
	if maxFileSize > 0 && int64(len(r.Data)) > maxFileSize {
		return fmt.Errorf("%w: sample is %d bytes, over the plugin's limits.max_file_size (%d bytes)", ErrTooLarge, len(r.Data), maxFileSize)
	}
	for _, f := range []struct{ name, v string }{{"name", r.Name}, {"path", r.Path}, {"source", r.Source}, {"signature", r.Signature}} {
		if len(f.v) > MaxTextBytes {
			return fmt.Errorf("%w: %s is %d bytes, over %d", ErrInvalidInput, f.name, len(f.v), MaxTextBytes)
		}
	}
	if len(r.Meta) > MaxMetaEntries {
		return fmt.Errorf("%w: %d metadata entries, over %d", ErrInvalidInput, len(r.Meta), MaxMetaEntries)
	}
	for k, v := range r.Meta {
		if k == "" || len(k) > MaxMetaKeyBytes {
			return fmt.Errorf("%w: metadata key of %d bytes, want 1..%d", ErrInvalidInput, len(k), MaxMetaKeyBytes)
		}
		if len(v) > MaxMetaValueBytes {
			return fmt.Errorf("%w: metadata %q: value is %d bytes, over %d", ErrInvalidInput, k, len(v), MaxMetaValueBytes)
		}
	}
	return nil
}

// sample is the engine's view of r.
func (r Request) sample() analysis.Sample {
	src := r.Source
	if src == "" {
		src = "plugin"
	}
	return analysis.Sample{Data: r.Data, Name: r.Name, Path: r.Path, Source: src, Signature: r.Signature}
}

// Result is the outcome of one item of AnalyzeBatch: a report, an error,
// or both (a failed analysis keeps its partial findings).
type Result struct {
	Report *analysis.Report
	Err    error
}

// Info describes a plugin.
type Info struct {
	Versions     Versions
	Languages    []lang.Language
	Indicators   []Indicator
	Features     []Feature
	Decoders     []Decoder
	Limits       Limits
	Capabilities Capabilities
}

// Versions name what produced the plugin's reports.
type Versions struct {
	Engine   string // the automaldesc binary
	Rules    string // the YARA rule set in force
	Model    string // the verdict model ("rules" when none is loaded)
	Schema   string // the report JSON schema
	Protocol int    // the plugin protocol version
}

// Indicator is one entry of the indicator catalog.
type Indicator struct {
	ID          string
	Title       string
	Description string
	Severity    string // info, low, medium, high, critical
	Tactic      string
	Techniques  []string
	Languages   []lang.Language // empty: all
}

// Feature is one input of the verdict model.
type Feature struct {
	Name        string
	Description string
}

// Decoder is one static decoder.
type Decoder struct {
	ID          string
	Description string
	Languages   []lang.Language
}

// Limits bound what the plugin accepts and how long it works on a sample.
type Limits struct {
	MaxFileSize     int64 // largest sample, bytes
	SampleTimeout   time.Duration
	MaxConcurrency  int   // analyses at once; further calls wait
	MaxMessageBytes int64 // largest gRPC message the plugin accepts
}

// Capabilities say which optional features the plugin has.
type Capabilities struct {
	Feedback bool // Feedback is stored
}

// Feedback dispositions.
const (
	DispositionConfirm    = "confirm" // the record's verdict is right
	DispositionMalicious  = "malicious"
	DispositionBenign     = "benign"
	DispositionSuspicious = "suspicious"
)

// Feedback is one analyst statement about a sample. Its fingerprint is
// SHA256 (+ IndicatorID when the statement is about one finding).
type Feedback struct {
	ID          string // idempotency key; the store assigns one when empty
	RecordID    string // the record the analyst looked at (or SHA256)
	SHA256      string // the sample, hex (or RecordID)
	IndicatorID string // the finding the statement is about, if any
	Analyst     string
	Disposition string // confirm, malicious, benign or suspicious
	Category    string
	Summary     string
	Rating      int // 0 = unrated, else 1..5
	Note        string
	CreatedAt   time.Time // zero: the store's clock
}

// Limits on feedback text.
const (
	maxFeedbackField = 1024      // ids, analyst, category
	maxFeedbackText  = 16 * 1024 // summary, note
)

// Validate checks fb; errors wrap ErrInvalidInput.
func (fb Feedback) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: feedback: %s", ErrInvalidInput, fmt.Sprintf(format, args...))
	}
	switch fb.Disposition {
	case DispositionConfirm, DispositionMalicious, DispositionBenign, DispositionSuspicious:
	default:
		return bad("disposition %q is not one of confirm, malicious, benign, suspicious", fb.Disposition)
	}
	if fb.Rating < 0 || fb.Rating > 5 {
		return bad("rating %d is outside 0..5", fb.Rating)
	}
	if fb.RecordID == "" && fb.SHA256 == "" {
		return bad("neither record id nor sha256")
	}
	if fb.SHA256 != "" {
		if b, err := hex.DecodeString(fb.SHA256); err != nil || len(b) != 32 {
			return bad("sha256 %.80q is not 64 hex digits", fb.SHA256)
		}
	}
	for _, f := range []struct{ name, v string }{{"id", fb.ID}, {"record id", fb.RecordID}, {"indicator id", fb.IndicatorID},
		{"analyst", fb.Analyst}, {"category", fb.Category}} {
		if len(f.v) > maxFeedbackField {
			return bad("%s is %d bytes, over %d", f.name, len(f.v), maxFeedbackField)
		}
	}
	for _, f := range []struct{ name, v string }{{"summary", fb.Summary}, {"note", fb.Note}} {
		if len(f.v) > maxFeedbackText {
			return bad("%s is %d bytes, over %d", f.name, len(f.v), maxFeedbackText)
		}
	}
	return nil
}

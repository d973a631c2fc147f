package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/sidecar/ui"
	"github.com/automaldesc/automaldesc/store"
)

// ErrInsecureBind is returned by CheckBind for a non-loopback address
// without a token.
var ErrInsecureBind = errors.New("refusing to serve the API on a non-loopback address without a token (set api.token_env)")

// Engine is what the API needs of analysis.Engine (concurrent use).
type Engine interface {
	Analyze(ctx context.Context, s analysis.Sample) (*analysis.Report, error)
	Reject(s analysis.Sample, st analysis.Status, reason string) *analysis.Report
}

// Options configure the API handler.
type Options struct {
	Store   store.Store
	Engine  Engine // nil = no POST /v1/scan (automaldesc serve)
	Metrics *metrics.Registry
	Token   string // bearer token; empty = no authentication (loopback only)
	MaxSize int64  // largest body of POST /v1/scan
	// Ready reports readiness problems (nil or empty = ready).
	Ready func(ctx context.Context) map[string]string
	// Encode renders a report as a record (sidecar.NewRecord).
	Encode   func(r *analysis.Report) (store.Record, error)
	Recorded func() // a record was stored (wake the sinks)
	Hints    Hints  // takes POST /v1/hints; nil = 404
	Logger   *slog.Logger
}

// CheckBind refuses a non-loopback listen address without a token.
func CheckBind(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("api.listen %q: %w", addr, err)
	}
	if token != "" {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("api.listen %q: %w", addr, ErrInsecureBind)
}

// NewServer returns an http.Server with timeouts and size limits around
// the handler.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

type handler struct {
	opt       Options
	tokenHash [32]byte
	log       *slog.Logger
}

// Handler returns the API's routes.
func Handler(opt Options) http.Handler {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Recorded == nil {
		opt.Recorded = func() {}
	}
	h := &handler{opt: opt, tokenHash: sha256.Sum256([]byte(opt.Token)), log: opt.Logger}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", h.healthz)
	mux.HandleFunc("GET /readyz", h.readyz)
	mux.Handle("GET /metrics", h.auth(http.HandlerFunc(h.metrics)))
	mux.Handle("GET /v1/records", h.auth(http.HandlerFunc(h.list)))
	mux.Handle("GET /v1/records/{id}", h.auth(http.HandlerFunc(h.get)))
	mux.Handle("POST /v1/records/{id}/feedback", h.auth(http.HandlerFunc(h.feedback)))
	if opt.Engine != nil {
		mux.Handle("POST /v1/scan", h.auth(http.HandlerFunc(h.scan)))
		mux.Handle("POST /v1/ingest/rspamd", h.authBasicToo(h.rspamd())) // rspamd.go
	}
	mux.Handle("POST /v1/hints", h.auth(http.HandlerFunc(h.hint)))
	// The triage UI: same token, presented once on /ui/login and then held
	// in a session cookie; it sets its own stricter headers.
	mux.Handle(ui.Prefix, ui.Handler(ui.Options{Store: opt.Store, Token: opt.Token, Logger: opt.Logger.With("component", "ui")}))
	mux.Handle("GET /{$}", http.RedirectHandler(ui.Prefix, http.StatusFound))
	return headers(mux)
}

func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		next.ServeHTTP(w, r)
	})
}

// auth requires "Authorization: Bearer <token>" when a token is set. The
// comparison is constant-time over digests, so neither content nor length
// leaks.
func (h *handler) auth(next http.Handler) http.Handler {
	if h.opt.Token == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], h.tokenHash[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="automaldesc"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func (h *handler) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *handler) readyz(w http.ResponseWriter, r *http.Request) {
	var problems map[string]string
	if h.opt.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		problems = h.opt.Ready(ctx)
		cancel()
	}
	if len(problems) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not ready", "problems": problems})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (h *handler) metrics(w http.ResponseWriter, r *http.Request) {
	if h.opt.Metrics == nil {
		writeError(w, http.StatusNotFound, "no metrics")
		return
	}
	w.Header().Set("Content-Type", metrics.ContentType)
	if err := h.opt.Metrics.Write(r.Context(), w); err != nil {
		h.log.Warn("write metrics", "err", err)
	}
}

// Summary is a record as listed by the API (the report is fetched by id).
type Summary struct {
	Seq         int64     `json:"seq"`
	ID          string    `json:"id"`
	ItemID      string    `json:"item_id,omitempty"`
	SHA256      string    `json:"sha256"`
	Source      string    `json:"source"`
	Signature   string    `json:"signature,omitempty"`
	Name        string    `json:"name"`
	Path        string    `json:"path,omitempty"`
	Status      string    `json:"status"`
	Label       string    `json:"label"`
	Language    string    `json:"language"`
	Score       float64   `json:"score"`
	DuplicateOf string    `json:"duplicate_of,omitempty"`
	Supersedes  string    `json:"supersedes,omitempty"` // an update record: the record it updates
	CreatedAt   time.Time `json:"created_at"`
}

func summary(r store.Record) Summary {
	return Summary{Seq: r.Seq, ID: r.ID, ItemID: r.ItemID, SHA256: r.SHA256, Source: r.Source, Signature: r.Signature,
		Name: r.Name, Path: r.Path, Status: r.Status, Label: r.Label, Language: r.Language, Score: r.Score,
		DuplicateOf: r.DuplicateOf, Supersedes: r.Supersedes, CreatedAt: r.CreatedAt}
}

// ListResponse is the answer of GET /v1/records.
type ListResponse struct {
	Records []Summary `json:"records"`
	// Next is the "after" value of the next page (0 when this one is the last).
	Next int64 `json:"next,omitempty"`
}

const maxQuery = 256

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.Filter{Label: q.Get("label"), Language: q.Get("language"), Source: q.Get("source"), Status: q.Get("status"), Query: q.Get("q")}
	if f.Label != "" {
		var l verdict.Label
		if err := l.UnmarshalText([]byte(f.Label)); err != nil {
			writeError(w, http.StatusBadRequest, "label: want unknown, benign, suspicious or malicious")
			return
		}
	}
	if f.Language != "" {
		var l lang.Language
		if err := l.UnmarshalText([]byte(f.Language)); err != nil {
			writeError(w, http.StatusBadRequest, "language: want powershell, javascript, vbscript, batch, bash, python or unknown")
			return
		}
	}
	switch f.Status {
	case "", "ok", "skipped", "error":
	default:
		writeError(w, http.StatusBadRequest, "status: want ok, skipped or error")
		return
	}
	for name, v := range map[string]string{"q": f.Query, "source": f.Source} {
		if len(v) > maxQuery || !utf8.ValidString(v) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("%s: at most %d bytes of UTF-8", name, maxQuery))
			return
		}
	}
	if s := q.Get("since"); s != "" {
		t, err := parseSince(s, time.Now())
		if err != nil {
			writeError(w, http.StatusBadRequest, "since: want an RFC 3339 time or a duration such as 1h")
			return
		}
		f.Since = t
	}
	f.Limit = 100
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit: want 1..1000")
			return
		}
		f.Limit = n
	}
	if s := q.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "after: want a record seq (non-negative integer)")
			return
		}
		f.AfterSeq = n
	}
	recs, err := h.opt.Store.ListRecords(r.Context(), f)
	if err != nil {
		h.log.Error("list records", "err", err)
		writeError(w, http.StatusInternalServerError, "cannot list records")
		return
	}
	resp := ListResponse{Records: make([]Summary, 0, len(recs))}
	for _, rec := range recs {
		resp.Records = append(resp.Records, summary(rec))
	}
	if len(recs) == f.Limit {
		resp.Next = recs[len(recs)-1].Seq
	}
	writeJSON(w, http.StatusOK, resp)
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, errors.New("bad since")
	}
	return now.Add(-d), nil
}

// RecordResponse is the answer of GET /v1/records/{id}.
type RecordResponse struct {
	Summary
	// SupersededBy is the id of the newest record that supersedes this one
	// (an update record with the enriched analysis); omitted when none.
	SupersededBy string           `json:"superseded_by,omitempty"`
	Report       json.RawMessage  `json:"report"`
	Feedback     []store.Feedback `json:"feedback"`
}

func validID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		writeError(w, http.StatusBadRequest, "id: want a record id")
		return
	}
	rec, err := h.opt.Store.GetRecord(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no such record")
		return
	}
	if err != nil {
		h.log.Error("get record", "err", err)
		writeError(w, http.StatusInternalServerError, "cannot read the record")
		return
	}
	fb, err := h.opt.Store.ListFeedback(r.Context(), id, "")
	if err != nil {
		h.log.Error("list feedback", "err", err)
		fb = nil
	}
	if fb == nil {
		fb = []store.Feedback{}
	}
	writeJSON(w, http.StatusOK, RecordResponse{Summary: summary(rec), SupersededBy: h.supersededBy(r.Context(), id),
		Report: rec.Report, Feedback: fb})
}

// supersededBy returns the id of the newest record that supersedes the
// record id, "" when none. Like the feedback, it annotates a record that
// was read: a failed lookup is logged and leaves the field out rather than
// withholding the record itself.
func (h *handler) supersededBy(ctx context.Context, id string) string {
	recs, err := h.opt.Store.ListRecords(ctx, store.Filter{Supersedes: id, Desc: true, Limit: 1})
	if err != nil {
		h.log.Error("find superseding record", "record", id, "err", err)
		return ""
	}
	if len(recs) == 0 {
		return ""
	}
	return recs[0].ID
}

// FeedbackRequest is the body of POST /v1/records/{id}/feedback.
type FeedbackRequest struct {
	Analyst     string `json:"analyst"`
	Disposition string `json:"disposition"` // confirm|malicious|benign|suspicious
	Category    string `json:"category"`
	Summary     string `json:"summary"`
	Rating      int    `json:"rating"` // 0 = unrated, 1..5
	Note        string `json:"note"`
	IndicatorID string `json:"indicator_id"`
}

const maxFeedbackBody = 64 << 10

func (h *handler) feedback(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		writeError(w, http.StatusBadRequest, "id: want a record id")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "want Content-Type application/json")
		return
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFeedbackBody))
	dec.DisallowUnknownFields()
	var req FeedbackRequest
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", maxFeedbackBody))
			return
		}
		writeError(w, http.StatusBadRequest, "body: want one JSON object with analyst, disposition, category, summary, rating, note, indicator_id")
		return
	}
	switch req.Disposition {
	case store.DispositionConfirm, store.DispositionMalicious, store.DispositionBenign, store.DispositionSuspicious:
	default:
		writeError(w, http.StatusBadRequest, "disposition: want confirm, malicious, benign or suspicious")
		return
	}
	if req.Rating < 0 || req.Rating > 5 {
		writeError(w, http.StatusBadRequest, "rating: want 0..5 (0 = unrated)")
		return
	}
	for name, v := range map[string]string{"analyst": req.Analyst, "category": req.Category, "indicator_id": req.IndicatorID} {
		if len(v) > 256 || !utf8.ValidString(v) {
			writeError(w, http.StatusBadRequest, name+": at most 256 bytes of UTF-8")
			return
		}
	}
	fb, err := h.opt.Store.AddFeedback(r.Context(), store.Feedback{RecordID: id, IndicatorID: req.IndicatorID, Analyst: req.Analyst,
		Disposition: req.Disposition, Category: req.Category, Summary: req.Summary, Rating: req.Rating, Note: req.Note})
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such record")
		return
	case errors.Is(err, store.ErrInvalid):
		writeError(w, http.StatusBadRequest, "feedback is invalid")
		return
	case err != nil:
		h.log.Error("add feedback", "err", err)
		writeError(w, http.StatusInternalServerError, "cannot store the feedback")
		return
	}
	writeJSON(w, http.StatusCreated, fb)
}

func (h *handler) scan(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "upload"
	}
	if len(name) > 255 || strings.ContainsAny(name, "/\x00") {
		writeError(w, http.StatusBadRequest, "name: a file name of at most 255 bytes without '/'")
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opt.MaxSize))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over limits.max_file_size (%d bytes)", h.opt.MaxSize))
			return
		}
		writeError(w, http.StatusBadRequest, "cannot read the body")
		return
	}
	rep, err := h.opt.Engine.Analyze(r.Context(), analysis.Sample{Data: data, Name: name, Source: "api"})
	if err != nil && r.Context().Err() != nil {
		return // client went away
	}
	if h.opt.Encode != nil {
		rec, err := h.opt.Encode(rep)
		if err == nil {
			_, err = h.opt.Store.PutRecord(r.Context(), rec)
		}
		if err != nil {
			h.log.Error("store scan record", "err", err)
			writeError(w, http.StatusInternalServerError, "cannot store the record")
			return
		}
		h.opt.Recorded()
	}
	writeJSON(w, http.StatusOK, rep)
}

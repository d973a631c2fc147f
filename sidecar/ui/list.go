package ui

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/internal/safetext"
	"github.com/automaldesc/automaldesc/store"
)

// maxQuery caps free-text filter values (search, source), like the API.
const maxQuery = 256

// listForm is the list page's query string, as typed (for re-rendering the
// form) and as a store.Filter.
type listForm struct {
	Label, Language, Source, Status, Q, Range, From, To string
	Before, After                                       int64
	N                                                   int
}

// timeRanges are the presets of the "range" filter.
var timeRanges = []struct{ Value, Text string }{
	{"", "any time"}, {"1h", "last hour"}, {"24h", "last 24 hours"}, {"7d", "last 7 days"}, {"30d", "last 30 days"},
}

func rangeDuration(v string) (time.Duration, bool) {
	switch v {
	case "":
		return 0, true
	case "1h":
		return time.Hour, true
	case "24h":
		return 24 * time.Hour, true
	case "7d":
		return 7 * 24 * time.Hour, true
	case "30d":
		return 30 * 24 * time.Hour, true
	}
	return 0, false
}

// parseListForm validates the query string. The error text is shown to
// the user and names the field, never echoes the value.
func parseListForm(q url.Values, now time.Time) (listForm, store.Filter, error) {
	lf := listForm{Label: q.Get("label"), Language: q.Get("language"), Source: strings.TrimSpace(q.Get("source")),
		Status: q.Get("status"), Q: strings.TrimSpace(q.Get("q")), Range: q.Get("range"), From: q.Get("from"), To: q.Get("to"),
		N: DefaultPageSize}
	f := store.Filter{Label: lf.Label, Language: lf.Language, Source: lf.Source, Status: lf.Status, Query: lf.Q}
	if lf.Label != "" {
		if _, err := verdict.ParseLabel(lf.Label); err != nil || lf.Label != strings.ToLower(lf.Label) {
			return lf, f, errors.New("verdict: choose unknown, benign, suspicious or malicious")
		}
	}
	if lf.Language != "" {
		var l lang.Language
		if err := l.UnmarshalText([]byte(lf.Language)); err != nil {
			return lf, f, errors.New("language: choose one of the listed languages")
		}
	}
	switch lf.Status {
	case "", "ok", "skipped", "error":
	default:
		return lf, f, errors.New("status: choose ok, skipped or error")
	}
	for name, v := range map[string]string{"search": lf.Q, "source": lf.Source} {
		if len(v) > maxQuery || !utf8.ValidString(v) {
			return lf, f, errors.New(name + ": at most 256 bytes of text")
		}
	}
	d, ok := rangeDuration(lf.Range)
	if !ok {
		return lf, f, errors.New("time range: choose one of the listed ranges")
	}
	if d > 0 {
		f.Since = now.Add(-d)
	}
	if lf.From != "" {
		t, err := time.Parse(time.DateOnly, lf.From)
		if err != nil {
			return lf, f, errors.New("from: want a date YYYY-MM-DD")
		}
		if t.After(f.Since) {
			f.Since = t
		}
	}
	if lf.To != "" {
		t, err := time.Parse(time.DateOnly, lf.To)
		if err != nil {
			return lf, f, errors.New("to: want a date YYYY-MM-DD")
		}
		f.Until = t.AddDate(0, 0, 1) // the whole day
	}
	for name, p := range map[string]*int64{"before": &lf.Before, "after": &lf.After} {
		if s := q.Get(name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return lf, f, errors.New("paging: bad " + name + " value")
			}
			*p = n
		}
	}
	if s := q.Get("n"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return lf, f, errors.New("page size: want 1..500")
		}
		lf.N = n
	}
	return lf, f, nil
}

// values renders the filter part of the form (without paging) as a query.
func (lf listForm) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"label": lf.Label, "language": lf.Language, "source": lf.Source, "status": lf.Status,
		"q": lf.Q, "range": lf.Range, "from": lf.From, "to": lf.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if lf.N != DefaultPageSize {
		v.Set("n", strconv.Itoa(lf.N))
	}
	return v
}

type listRow struct {
	Seq         int64
	URL         string
	Time        string
	Name        string
	Language    string
	Label       string
	LabelClass  string
	Score       string
	Status      string
	Source      string
	SHA256      string
	Disposition string
	DispClass   string
	Update      bool // an update record (it supersedes an earlier one)
}

type option struct {
	Value, Text string
	Selected    bool
}

type listPage struct {
	page
	Form                                listForm
	Labels, Languages, Statuses, Ranges []option
	Rows                                []listRow
	Newer, Older, Newest                string
	Error                               string
	Filtered                            bool
}

func options(values []string, selected string, anyText string) []option {
	out := []option{{Value: "", Text: anyText, Selected: selected == ""}}
	for _, v := range values {
		out = append(out, option{Value: v, Text: v, Selected: v == selected})
	}
	return out
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	lf, f, err := parseListForm(r.URL.Query(), h.now())
	langs := make([]string, 0, 8)
	for _, l := range lang.All() {
		langs = append(langs, l.String())
	}
	p := listPage{page: h.base(sess, "Records"), Form: lf,
		Labels:    options([]string{"malicious", "suspicious", "benign", "unknown"}, lf.Label, "any verdict"),
		Languages: options(langs, lf.Language, "any language"),
		Statuses:  options([]string{"ok", "skipped", "error"}, lf.Status, "any status"),
	}
	for _, tr := range timeRanges {
		p.Ranges = append(p.Ranges, option{Value: tr.Value, Text: tr.Text, Selected: tr.Value == lf.Range})
	}
	p.Filtered = len(lf.values()) > 0
	if err != nil {
		p.Error = err.Error()
		h.render(w, http.StatusBadRequest, "list", p)
		return
	}
	recs, newer, older, err := h.readPage(r, lf, f)
	if err != nil {
		h.log.Error("ui list records", "err", err)
		p.Error = "The records cannot be read right now."
		h.render(w, http.StatusInternalServerError, "list", p)
		return
	}
	base := lf.values()
	link := func(key string, seq int64) string {
		v := url.Values{}
		for k, s := range base {
			v[k] = s
		}
		v.Set(key, strconv.FormatInt(seq, 10))
		return Prefix + "?" + v.Encode()
	}
	if len(recs) > 0 {
		if newer {
			p.Newer = link("after", recs[0].Seq)
		}
		if older {
			p.Older = link("before", recs[len(recs)-1].Seq)
		}
	}
	if lf.Before > 0 || lf.After > 0 {
		p.Newest = Prefix
		if len(base) > 0 {
			p.Newest += "?" + base.Encode()
		}
	}
	disp := h.dispositions(r, recs)
	for _, rec := range recs {
		row := listRow{Seq: rec.Seq, URL: recordURL(rec.ID), Time: fmtTime(rec.CreatedAt), Name: safetext.Escape(rec.Name),
			Language: rec.Language, Label: rec.Label, LabelClass: labelClass(rec.Label), Score: strconv.FormatFloat(rec.Score, 'f', 2, 64),
			Status: rec.Status, Source: safetext.Escape(rec.Source), SHA256: rec.SHA256, Update: rec.Supersedes != ""}
		if fb, ok := disp[rec.SHA256]; ok {
			row.Disposition, row.DispClass = dispositionText(fb, rec.Label)
		}
		p.Rows = append(p.Rows, row)
	}
	h.render(w, http.StatusOK, "list", p)
}

// readPage reads one page of records, newest first, and whether newer and
// older records exist beyond it.
func (h *handler) readPage(r *http.Request, lf listForm, f store.Filter) (recs []store.Record, newer, older bool, err error) {
	ctx := r.Context()
	f.Limit = lf.N + 1
	switch {
	case lf.After > 0: // the page just newer than After, read upwards
		f.AfterSeq = lf.After
		recs, err = h.st.ListRecords(ctx, f)
		if err != nil {
			return nil, false, false, err
		}
		newer = len(recs) > lf.N
		recs = recs[:min(len(recs), lf.N)]
		slices.Reverse(recs)
		older, err = h.exists(r, f, lf.After+1, false)
	default:
		f.Desc = true
		f.BeforeSeq = lf.Before
		recs, err = h.st.ListRecords(ctx, f)
		if err != nil {
			return nil, false, false, err
		}
		older = len(recs) > lf.N
		recs = recs[:min(len(recs), lf.N)]
		if lf.Before > 0 {
			newer, err = h.exists(r, f, lf.Before-1, true)
		}
	}
	return recs, newer, older, err
}

// exists reports whether a record matching f lies above (up) or below seq.
func (h *handler) exists(r *http.Request, f store.Filter, seq int64, up bool) (bool, error) {
	f.Limit, f.AfterSeq, f.BeforeSeq, f.Desc = 1, 0, 0, false
	if up {
		f.AfterSeq = seq
	} else {
		f.BeforeSeq, f.Desc = seq, true
		if seq <= 0 {
			return false, nil
		}
	}
	recs, err := h.st.ListRecords(r.Context(), f)
	return len(recs) > 0, err
}

// dispositions returns the latest sample-level feedback per sha256.
func (h *handler) dispositions(r *http.Request, recs []store.Record) map[string]store.Feedback {
	out := map[string]store.Feedback{}
	seen := map[string]bool{}
	for _, rec := range recs {
		if rec.SHA256 == "" || seen[rec.SHA256] {
			continue
		}
		seen[rec.SHA256] = true
		fbs, err := h.st.ListFeedback(r.Context(), "", rec.SHA256)
		if err != nil {
			h.log.Warn("ui list feedback", "err", err)
			continue
		}
		if fb, ok := latest(fbs); ok {
			out[rec.SHA256] = fb
		}
	}
	return out
}

// latest is the disposition: the newest feedback about the whole sample
// (not about one indicator).
func latest(fbs []store.Feedback) (store.Feedback, bool) {
	for i := len(fbs) - 1; i >= 0; i-- {
		if fbs[i].IndicatorID == "" {
			return fbs[i], true
		}
	}
	return store.Feedback{}, false
}

// dispositionText renders a disposition for a record with the given
// verdict label, with its CSS class.
func dispositionText(fb store.Feedback, label string) (text, class string) {
	if fb.Disposition == store.DispositionConfirm {
		return "confirmed " + label, labelClass(label)
	}
	return "analyst: " + fb.Disposition, labelClass(fb.Disposition)
}

// labelClass maps a verdict label to a CSS class from a fixed set.
func labelClass(label string) string {
	switch label {
	case "malicious", "suspicious", "benign":
		return "lbl lbl-" + label
	}
	return "lbl lbl-unknown"
}

func recordURL(id string) string { return Prefix + "records/" + url.PathEscape(id) }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

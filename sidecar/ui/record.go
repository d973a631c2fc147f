package ui

import (
	"cmp"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/internal/safetext"
	"github.com/automaldesc/automaldesc/store"
)

// View limits: a hostile report cannot make the page unbounded.
const (
	maxLayerViewBytes = 256 << 10 // per decoded layer
	maxLayerViewLines = 5000      // per decoded layer
	maxViewLayers     = 64
	maxFieldLen       = 256      // analyst, category
	maxTextLen        = 16 << 10 // summary, note
)

// Categories suggested in the feedback form (free text is accepted).
var categories = []string{
	"admin", "backup", "build", "credential-theft", "defense-evasion", "deployment", "discovery", "downloader",
	"dropper", "exfiltration", "installer", "lateral-movement", "loader", "maintenance", "miner", "monitoring",
	"persistence", "privilege-escalation", "ransomware", "reverse-shell",
}

var techniqueID = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

// link is a piece of evidence: its text and, when it names something on
// the page, the anchor.
type link struct {
	Text string
	Href string
}

type kv struct{ Key, Value string }

type contribView struct {
	Feature, Value, Weight, Contribution, Detail string
	Positive                                     bool
	Bar                                          string // CSS class w0..w20
	Evidence                                     []link
}

type claimView struct {
	Text     string
	Evidence []link
}

type techView struct {
	ID, Name, URL string
	Tactics       []string
	Evidence      []link
}

type indicatorView struct {
	Anchor, ID, Title, Severity, SevClass, Tactic string
	Techniques                                    []techView
	Layer, Line, Column, Count                    int
	Excerpt                                       string
}

type iocView struct {
	Type, Defanged string
	Layer, Offset  int
}

type yaraStringView struct {
	ID, Data string
	Offset   int64
}

type yaraView struct {
	Anchor, Rule, Namespace, Severity, SevClass string
	Tags                                        []string
	Techniques                                  []techView
	Layer                                       int
	Meta                                        []kv
	Strings                                     []yaraStringView
}

type codeLine struct {
	N    int
	Text string
	Hit  string // evidence ids on this line, "" when none
}

type layerView struct {
	Anchor                     string
	Index, Parent, Size        int
	Method, Language, Note     string
	SpanStart, SpanEnd         int
	Truncated, Clipped, NoText bool
	Lines                      []codeLine
}

type feedbackView struct {
	Time, Analyst, Disposition, DispClass, Category, Summary, Note, Indicator string
	Rating                                                                    int
	OtherRecord                                                               bool
}

type feedbackForm struct {
	Analyst, Category, Summary, Note string
	Rating                           int
}

type recordPage struct {
	page
	ID, URL, FeedbackURL                               string
	Name, Path, SHA256, SHA1, MD5, Source, Signature   string
	Size                                               int64
	Status, Reason, Language, LangConfidence, Encoding string
	AnalyzedAt, CreatedAt, EngineVersion, Rules, Model string
	DuplicateOf, DuplicateURL                          string
	SupersededBy, SupersededByURL                      string // the newest update of this record
	Supersedes, SupersedesURL                          string // an update: the record it updates
	LangEvidence                                       []string
	ReportError                                        string
	Label, LabelClass, Score, VerdictSource            string
	Reasons                                            []string
	Contributions                                      []contribView
	Summary, ExplSource                                string
	Claims                                             []claimView
	Techniques                                         []techView
	Indicators                                         []indicatorView
	IOCs                                               []iocView
	YARA                                               []yaraView
	Original                                           []codeLine
	OriginalExcerpts                                   bool   // the report carries no original text: lines are indicator excerpts
	OriginalNote                                       string // e.g. the original was cut to its first 64 KiB
	Layers                                             []layerView
	LayersClipped                                      bool
	Disposition, DispClass                             string
	Feedback                                           []feedbackView
	Form                                               feedbackForm
	Ratings                                            []option
	Categories                                         []string
	Saved                                              bool
	FormError                                          string
}

// validID matches the API's record id rule.
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

func (h *handler) record(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		h.renderError(w, r, http.StatusBadRequest, "That is not a record id.")
		return
	}
	p, status := h.recordPage(r, id)
	if status != http.StatusOK {
		return404or500(h, w, r, status)
		return
	}
	p.Saved = r.URL.Query().Get("saved") == "1"
	h.render(w, http.StatusOK, "record", p)
}

func return404or500(h *handler, w http.ResponseWriter, r *http.Request, status int) {
	if status == http.StatusNotFound {
		h.renderError(w, r, status, "No such record.")
		return
	}
	h.renderError(w, r, status, "The record cannot be read right now.")
}

// recordPage builds the page of a record; status is 200, 404 or 500.
func (h *handler) recordPage(r *http.Request, id string) (*recordPage, int) {
	ctx := r.Context()
	rec, err := h.st.GetRecord(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, http.StatusNotFound
	}
	if err != nil {
		h.log.Error("ui get record", "err", err)
		return nil, http.StatusInternalServerError
	}
	sess := sessionOf(r)
	p := &recordPage{page: h.base(sess, "Record "+safetext.Escape(rec.Name)), ID: rec.ID, URL: recordURL(rec.ID),
		FeedbackURL: recordURL(rec.ID) + "/feedback", Name: safetext.Escape(rec.Name), Path: safetext.Escape(rec.Path),
		SHA256: rec.SHA256, Source: safetext.Escape(rec.Source), Signature: safetext.Escape(rec.Signature),
		Status: rec.Status, Language: rec.Language, Label: rec.Label, LabelClass: labelClass(rec.Label),
		Score: strconv.FormatFloat(rec.Score, 'f', 3, 64), CreatedAt: fmtTime(rec.CreatedAt),
		Rules: rec.RulesVersion, Model: rec.ModelVersion, Categories: categories}
	if rec.DuplicateOf != "" && validID(rec.DuplicateOf) {
		p.DuplicateOf, p.DuplicateURL = rec.DuplicateOf, recordURL(rec.DuplicateOf)
	}
	if rec.Supersedes != "" && validID(rec.Supersedes) {
		p.Supersedes, p.SupersedesURL = rec.Supersedes, recordURL(rec.Supersedes)
	}
	if id := h.supersededBy(r, rec.ID); id != "" {
		p.SupersededBy, p.SupersededByURL = id, recordURL(id)
	}
	var rep analysis.Report
	if err := json.Unmarshal(rec.Report, &rep); err != nil {
		p.ReportError = "The stored report cannot be decoded; only the record's summary is shown."
	} else {
		fillReport(p, &rep)
	}
	fbs, err := h.st.ListFeedback(ctx, "", rec.SHA256)
	if err != nil {
		h.log.Warn("ui list feedback", "err", err)
	}
	if fb, ok := latest(fbs); ok {
		p.Disposition, p.DispClass = dispositionText(fb, rec.Label)
	}
	for i := len(fbs) - 1; i >= 0; i-- { // newest first
		fb := fbs[i]
		p.Feedback = append(p.Feedback, feedbackView{Time: fmtTime(fb.CreatedAt), Analyst: safetext.Escape(fb.Analyst),
			Disposition: fb.Disposition, DispClass: labelClass(fb.Disposition), Category: safetext.Escape(fb.Category),
			Summary: safetext.EscapeMultiline(fb.Summary), Note: safetext.EscapeMultiline(fb.Note), Rating: fb.Rating,
			Indicator: safetext.Escape(fb.IndicatorID), OtherRecord: fb.RecordID != "" && fb.RecordID != rec.ID})
	}
	p.Form = feedbackForm{Analyst: h.sess.analyst(sess), Summary: rep.Explanation.Summary}
	if fb, ok := latest(fbs); ok {
		p.Form.Category = fb.Category
		if fb.Summary != "" {
			p.Form.Summary = fb.Summary
		}
	}
	p.Ratings = ratingOptions(0)
	return p, http.StatusOK
}

// supersededBy returns the id of the newest record that supersedes the
// record id (an update with the enriched analysis), "" when none or when
// the lookup failed (logged: the page still shows the record).
func (h *handler) supersededBy(r *http.Request, id string) string {
	recs, err := h.st.ListRecords(r.Context(), store.Filter{Supersedes: id, Desc: true, Limit: 1})
	if err != nil {
		h.log.Warn("ui find superseding record", "record", id, "err", err)
		return ""
	}
	if len(recs) == 0 || !validID(recs[0].ID) {
		return ""
	}
	return recs[0].ID
}

func ratingOptions(sel int) []option {
	out := []option{{Value: "0", Text: "not rated", Selected: sel == 0}}
	for i := 1; i <= 5; i++ {
		s := strconv.Itoa(i)
		out = append(out, option{Value: s, Text: s + " / 5", Selected: sel == i})
	}
	return out
}

// fillReport turns the report into view data. Every string that came from
// the sample, the rules or a model passes through safetext (invisible and
// control characters become visible escapes) and is rendered as text by
// html/template; IOCs only ever appear defanged.
func fillReport(p *recordPage, rep *analysis.Report) {
	s := rep.Sample
	p.SHA1, p.MD5, p.Size = s.SHA1, s.MD5, s.Size
	if p.Name == "" {
		p.Name = safetext.Escape(s.Name)
	}
	p.Reason = safetext.Escape(rep.Reason)
	p.LangConfidence = strconv.FormatFloat(rep.Language.Confidence*100, 'f', 0, 64) + "%"
	for _, e := range rep.Language.Evidence {
		p.LangEvidence = append(p.LangEvidence, safetext.Escape(e))
	}
	p.Encoding = string(rep.Encoding)
	p.AnalyzedAt = fmtTime(rep.AnalyzedAt)
	p.EngineVersion = safetext.Escape(rep.Engine.Version)
	p.VerdictSource = safetext.Escape(rep.Verdict.Source)
	for _, re := range rep.Verdict.Reasons {
		p.Reasons = append(p.Reasons, display(re))
	}
	ev := evidenceLinker(rep)
	var maxAbs float64
	for _, c := range rep.Verdict.Contributions {
		maxAbs = math.Max(maxAbs, math.Abs(c.Contribution))
	}
	for _, c := range rep.Verdict.Contributions {
		cv := contribView{Feature: safetext.Escape(c.Feature), Value: fmtNum(c.Value), Weight: fmtNum(c.Weight),
			Contribution: fmtSigned(c.Contribution), Positive: c.Contribution >= 0, Detail: display(c.Detail), Bar: "w0"}
		if maxAbs > 0 {
			cv.Bar = "w" + strconv.Itoa(int(math.Round(math.Abs(c.Contribution)/maxAbs*20)))
		}
		for _, e := range c.Evidence {
			cv.Evidence = append(cv.Evidence, ev(e))
		}
		p.Contributions = append(p.Contributions, cv)
	}
	p.Summary = display(rep.Explanation.Summary)
	p.ExplSource = safetext.Escape(rep.Explanation.Source)
	for _, c := range rep.Explanation.Claims {
		cv := claimView{Text: display(c.Text)}
		for _, e := range c.Evidence {
			cv.Evidence = append(cv.Evidence, ev(e))
		}
		p.Claims = append(p.Claims, cv)
	}
	names := map[string]string{}
	for _, t := range rep.Techniques {
		tv := technique(t.ID, t.Name)
		names[t.ID] = tv.Name
		for _, ta := range t.Tactics {
			tv.Tactics = append(tv.Tactics, safetext.Escape(ta))
		}
		for _, e := range t.Evidence {
			tv.Evidence = append(tv.Evidence, ev(e))
		}
		p.Techniques = append(p.Techniques, tv)
	}
	techs := func(ids []string) []techView {
		var out []techView
		for _, id := range ids {
			out = append(out, technique(id, names[id]))
		}
		return out
	}
	for _, hit := range rep.Indicators {
		p.Indicators = append(p.Indicators, indicatorView{Anchor: "ind-" + anchor(hit.ID), ID: safetext.Escape(hit.ID),
			Title: safetext.Escape(hit.Title), Severity: hit.Severity.String(), SevClass: sevClass(hit.Severity.String()),
			Tactic: safetext.Escape(hit.Tactic), Techniques: techs(hit.Techniques), Layer: hit.Layer, Line: hit.Line,
			Column: hit.Column, Count: hit.Count, Excerpt: safetext.Escape(hit.Excerpt)})
	}
	for _, i := range rep.IOCs {
		d := i.Defanged
		if d == "" {
			d = ioc.Defang(i.Value)
		}
		p.IOCs = append(p.IOCs, iocView{Type: safetext.Escape(string(i.Type)), Defanged: safetext.Escape(d), Layer: i.Layer, Offset: i.Offset})
	}
	for _, m := range rep.YARA {
		yv := yaraView{Anchor: "yara-" + anchor(m.Rule), Rule: safetext.Escape(m.Rule), Namespace: safetext.Escape(m.Namespace),
			Severity: safetext.Escape(m.Severity), SevClass: sevClass(m.Severity), Techniques: techs(m.Techniques), Layer: m.Layer}
		for _, t := range m.Tags {
			yv.Tags = append(yv.Tags, safetext.Escape(t))
		}
		keys := make([]string, 0, len(m.Meta))
		for k := range m.Meta {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			yv.Meta = append(yv.Meta, kv{safetext.Escape(k), display(m.Meta[k])})
		}
		for _, st := range m.Strings {
			yv.Strings = append(yv.Strings, yaraStringView{ID: safetext.Escape(st.ID), Data: safetext.Escape(st.Data), Offset: st.Offset})
		}
		p.YARA = append(p.YARA, yv)
	}
	p.Original, p.Layers, p.LayersClipped = scriptView(rep)
	p.OriginalExcerpts = len(rep.Layers) == 0 || rep.Layers[0].Text == ""
	if len(rep.Layers) > 0 {
		p.OriginalNote = safetext.Escape(rep.Layers[0].Note)
	}
}

// scriptView builds the original with line numbers and evidence lines
// marked (reports carry up to 64 KiB of it; older reports without it get
// their indicator excerpts, with their line numbers, instead) and the full
// text of every decoded layer with evidence lines marked.
func scriptView(rep *analysis.Report) (original []codeLine, layers []layerView, clipped bool) {
	hits := map[int]map[int][]string{} // layer -> line -> ids
	mark := func(layer, line int, id string) {
		if hits[layer] == nil {
			hits[layer] = map[int][]string{}
		}
		if !slices.Contains(hits[layer][line], id) {
			hits[layer][line] = append(hits[layer][line], id)
		}
	}
	excerpts := map[int]string{}
	for _, hit := range rep.Indicators {
		mark(hit.Layer, hit.Line, hit.ID)
		if hit.Layer == 0 {
			if _, ok := excerpts[hit.Line]; !ok {
				excerpts[hit.Line] = hit.Excerpt
			}
		}
	}
	texts := map[int]string{}
	for _, l := range rep.Layers {
		if l.Text != "" {
			texts[l.Index] = l.Text
		}
	}
	for _, m := range rep.YARA {
		t, ok := texts[m.Layer]
		if !ok {
			continue
		}
		for _, s := range m.Strings {
			if s.Offset >= 0 && s.Offset <= int64(len(t)) {
				mark(m.Layer, 1+strings.Count(t[:s.Offset], "\n"), "yara:"+m.Rule)
			}
		}
	}
	if t, ok := texts[0]; ok {
		if len(t) > maxLayerViewBytes {
			t = strings.ToValidUTF8(t[:maxLayerViewBytes], "")
		}
		lines := strings.Split(strings.TrimSuffix(safetext.EscapeMultiline(t), "\n"), "\n")
		if len(lines) > maxLayerViewLines {
			lines, clipped = lines[:maxLayerViewLines], true
		}
		for i, line := range lines {
			original = append(original, codeLine{N: i + 1, Text: line, Hit: strings.Join(hits[0][i+1], ", ")})
		}
	} else {
		for n, ex := range excerpts {
			original = append(original, codeLine{N: n, Text: safetext.Escape(ex), Hit: strings.Join(hits[0][n], ", ")})
		}
		slices.SortFunc(original, func(a, b codeLine) int { return cmp.Compare(a.N, b.N) })
	}
	for _, l := range rep.Layers {
		if l.Index == 0 {
			continue
		}
		if len(layers) == maxViewLayers {
			clipped = true
			break
		}
		lv := layerView{Anchor: "layer-" + strconv.Itoa(l.Index), Index: l.Index, Parent: l.Parent, Size: l.Size,
			Method: safetext.Escape(l.Method), Language: l.Language.String(), Note: safetext.Escape(l.Note),
			SpanStart: l.Span.Start, SpanEnd: l.Span.End, Truncated: l.Truncated, NoText: l.Text == ""}
		text := l.Text
		if len(text) > maxLayerViewBytes {
			text, lv.Clipped = strings.ToValidUTF8(text[:maxLayerViewBytes], ""), true
		}
		lines := strings.Split(strings.TrimSuffix(safetext.EscapeMultiline(text), "\n"), "\n")
		if len(lines) > maxLayerViewLines {
			lines, lv.Clipped = lines[:maxLayerViewLines], true
		}
		if !lv.NoText {
			for i, s := range lines {
				lv.Lines = append(lv.Lines, codeLine{N: i + 1, Text: s, Hit: strings.Join(hits[l.Index][i+1], ", ")})
			}
		}
		layers = append(layers, lv)
	}
	return original, layers, clipped
}

// evidenceLinker renders evidence ids ("exec.ps_iex", "yara:Rule",
// "ioc:value", "layer:2", "token:...") as text with an in-page anchor when
// the page shows the thing named.
func evidenceLinker(rep *analysis.Report) func(string) link {
	inds := map[string]bool{}
	for _, h := range rep.Indicators {
		inds[h.ID] = true
	}
	rules := map[string]bool{}
	for _, m := range rep.YARA {
		rules[m.Rule] = true
	}
	return func(e string) link {
		switch {
		case inds[e]:
			return link{Text: safetext.Escape(e), Href: "#ind-" + anchor(e)}
		case strings.HasPrefix(e, "yara:") && rules[e[5:]]:
			return link{Text: safetext.Escape(e), Href: "#yara-" + anchor(e[5:])}
		case strings.HasPrefix(e, "ioc:"):
			return link{Text: "ioc:" + safetext.Escape(ioc.Defang(e[4:])), Href: "#iocs"}
		case strings.HasPrefix(e, "layer:"):
			if n, err := strconv.Atoi(e[6:]); err == nil && n > 0 {
				return link{Text: e, Href: "#layer-" + strconv.Itoa(n)}
			}
		}
		return link{Text: display(e)}
	}
}

// technique renders an ATT&CK id with its link on attack.mitre.org; a
// malformed id gets no link.
func technique(id, name string) techView {
	tv := techView{ID: safetext.Escape(id), Name: safetext.Escape(name)}
	if techniqueID.MatchString(id) {
		tv.URL = "https://attack.mitre.org/techniques/" + strings.ReplaceAll(id, ".", "/") + "/"
	}
	return tv
}

// display makes free text (LLM or generator output, rule metadata) safe
// to show: IOCs defanged, invisible characters escaped.
func display(s string) string { return safetext.EscapeMultiline(ioc.Defang(s)) }

// anchor turns an id into a fragment-safe token.
func anchor(s string) string {
	if len(s) > 128 {
		s = s[:128]
	}
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}

func sevClass(s string) string {
	switch s {
	case "info", "low", "medium", "high", "critical":
		return "sev sev-" + s
	}
	return "sev"
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }
func fmtSigned(f float64) string {
	if f >= 0 {
		return "+" + strconv.FormatFloat(f, 'f', 3, 64)
	}
	return strconv.FormatFloat(f, 'f', 3, 64)
}

// feedback stores one analyst statement posted by the record page's form
// and redirects back to the page (post/redirect/get), which then shows the
// new disposition.
func (h *handler) feedback(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		h.renderError(w, r, http.StatusBadRequest, "That is not a record id.")
		return
	}
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	form := r.PostForm
	in := feedbackForm{Analyst: strings.TrimSpace(form.Get("analyst")), Category: strings.TrimSpace(form.Get("category")),
		Summary: strings.ReplaceAll(form.Get("summary"), "\r\n", "\n"), Note: strings.ReplaceAll(form.Get("note"), "\r\n", "\n")}
	disp := form.Get("disposition")
	var problem string
	switch disp {
	case store.DispositionConfirm, store.DispositionMalicious, store.DispositionBenign, store.DispositionSuspicious:
	default:
		problem = "Choose confirm, malicious, suspicious or benign."
	}
	if s := form.Get("rating"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 5 {
			problem = "The rating is 1 to 5 (or not rated)."
		}
		in.Rating = n
	}
	for name, v := range map[string]string{"analyst": in.Analyst, "category": in.Category} {
		if len(v) > maxFieldLen || !utf8.ValidString(v) {
			problem = "The " + name + " is at most 256 bytes of text."
		}
	}
	for name, v := range map[string]string{"summary": in.Summary, "note": in.Note} {
		if len(v) > maxTextLen || !utf8.ValidString(v) {
			problem = "The " + name + " is at most 16 KiB of text."
		}
	}
	if problem != "" {
		p, status := h.recordPage(r, id)
		if status != http.StatusOK {
			return404or500(h, w, r, status)
			return
		}
		p.FormError, p.Form, p.Ratings = problem, in, ratingOptions(max(0, min(in.Rating, 5)))
		h.render(w, http.StatusBadRequest, "record", p)
		return
	}
	// The summary is stored only when the analyst changed it: an untouched
	// field is the generated explanation, not a reference summary.
	summary := strings.TrimSpace(in.Summary)
	if rec, err := h.st.GetRecord(r.Context(), id); err == nil {
		var rep struct {
			Explanation struct {
				Summary string `json:"summary"`
			} `json:"explanation"`
		}
		if json.Unmarshal(rec.Report, &rep) == nil && summary == strings.TrimSpace(rep.Explanation.Summary) {
			summary = ""
		}
	}
	_, err := h.st.AddFeedback(r.Context(), store.Feedback{RecordID: id, Analyst: in.Analyst, Disposition: disp,
		Category: in.Category, Summary: summary, Rating: in.Rating, Note: strings.TrimSpace(in.Note)})
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.renderError(w, r, http.StatusNotFound, "No such record.")
		return
	case err != nil:
		h.log.Error("ui add feedback", "err", err)
		h.renderError(w, r, http.StatusInternalServerError, "The feedback could not be stored.")
		return
	}
	if in.Analyst != "" {
		h.sess.setAnalyst(sessionOf(r), in.Analyst)
	}
	http.Redirect(w, r, recordURL(id)+"?saved=1#feedback", http.StatusSeeOther)
}

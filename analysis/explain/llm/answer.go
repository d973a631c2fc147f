package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/internal/safetext"
)

// answerSchema is the strict JSON schema of an explanation (and of the
// notes of the map step). It uses only the keywords OpenAI's strict mode,
// vLLM's guided decoding, Ollama and llama.cpp's grammar conversion all
// understand; lengths and counts are capped by the validator.
const answerSchema = `{
  "type": "object",
  "properties": {
    "language": {"type": "string", "enum": ["powershell", "javascript", "vbscript", "batch", "bash", "python", "unknown"]},
    "label": {"type": "string", "enum": ["benign", "suspicious", "malicious", "unknown"]},
    "summary": {"type": "string"},
    "behaviours": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "text": {"type": "string"},
          "evidence": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["text", "evidence"],
        "additionalProperties": false
      }
    },
    "iocs": {"type": "array", "items": {"type": "string"}},
    "techniques": {"type": "array", "items": {"type": "string"}}
  },
  "required": ["language", "label", "summary", "behaviours", "iocs", "techniques"],
  "additionalProperties": false
}`

// labelSchema is the strict JSON schema of Label's and JudgeSummary's answers.
const labelSchema = `{
  "type": "object",
  "properties": {"label": {"type": "string", "enum": ["benign", "malicious"]}},
  "required": ["label"],
  "additionalProperties": false
}`

// AnswerSchema returns the JSON schema explanations are asked in.
func AnswerSchema() []byte { return []byte(answerSchema) }

var (
	answerValidator = compileStrictSchema(answerSchema)
	labelValidator  = compileStrictSchema(labelSchema)
)

// Caps on what is kept of an answer.
const (
	maxAnswerBytes   = 256 << 10
	maxSummaryBytes  = 1500
	maxBehaviourText = 300
	maxBehaviours    = 12
	maxAnswerIOCs    = 100
	maxAnswerTechs   = 32
	maxClaimEvidence = 8
)

// answer is the model's JSON answer.
type answer struct {
	Language   string      `json:"language"`
	Label      string      `json:"label"`
	Summary    string      `json:"summary"`
	Behaviours []behaviour `json:"behaviours"`
	IOCs       []string    `json:"iocs"`
	Techniques []string    `json:"techniques"`
}

type behaviour struct {
	Text     string   `json:"text"`
	Evidence []string `json:"evidence"`
}

// jsonObject returns the JSON object in content: the whole of it, or the
// part between the first '{' and the last '}' (servers without a response
// format sometimes wrap it in prose or a code fence).
func jsonObject(content string) (string, error) {
	s := strings.TrimSpace(content)
	if len(s) > maxAnswerBytes {
		return "", fmt.Errorf("%w: %d bytes", ErrInvalidAnswer, len(s))
	}
	if !strings.HasPrefix(s, "{") {
		i, j := strings.IndexByte(s, '{'), strings.LastIndexByte(s, '}')
		if i < 0 || j < i {
			return "", fmt.Errorf("%w: no JSON object", ErrInvalidAnswer)
		}
		s = s[i : j+1]
	}
	return s, nil
}

// validateJSON checks s against a schema.
func validateJSON(s string, sch *strictSchema) error {
	if err := sch.validate(s); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalidAnswer, clip(oneLine(err.Error()), 300))
	}
	return nil
}

// parseAnswer reads and schema-checks an explanation answer.
func parseAnswer(content string) (answer, error) {
	s, err := jsonObject(content)
	if err != nil {
		return answer{}, err
	}
	if err := validateJSON(s, answerValidator); err != nil {
		return answer{}, err
	}
	var a answer
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return answer{}, fmt.Errorf("%w: %v", ErrInvalidAnswer, err)
	}
	return a, nil
}

// parseLabel reads a label answer.
func parseLabel(content string) (verdict.Label, error) {
	s, err := jsonObject(content)
	if err != nil {
		return verdict.Unknown, err
	}
	if err := validateJSON(s, labelValidator); err != nil {
		return verdict.Unknown, err
	}
	var v struct {
		Label string `json:"label"`
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return verdict.Unknown, fmt.Errorf("%w: %v", ErrInvalidAnswer, err)
	}
	return verdict.ParseLabel(v.Label)
}

func (a answer) marshal() []byte {
	b, _ := json.Marshal(a)
	return b
}

var techniqueID = regexp.MustCompile(`^T\d{4}(?:\.\d{3})?$`)
var techniqueInText = regexp.MustCompile(`\bT\d{4}(?:\.\d{3})?\b`)

// networkTypes are the IOC kinds the text may only name when the report has them.
var networkTypes = map[ioc.Type]bool{ioc.URL: true, ioc.Domain: true, ioc.IPv4: true, ioc.IPv6: true, ioc.Email: true}

// grounding answers whether a value occurs in the sample or a decoded layer.
type grounding struct {
	corpus []string // lower-cased, refanged texts
	iocs   map[string]bool
}

func newGrounding(r *analysis.Report, script string) *grounding {
	g := &grounding{iocs: map[string]bool{}}
	if script != "" {
		g.corpus = append(g.corpus, strings.ToLower(ioc.Refang(script)))
	}
	for _, l := range r.Layers {
		if l.Text != "" {
			g.corpus = append(g.corpus, strings.ToLower(ioc.Refang(l.Text)))
		}
	}
	for _, c := range r.IOCs {
		g.iocs[strings.ToLower(c.Value)] = true
	}
	return g
}

// has reports whether v (raw or defanged) is the value of a report IOC or
// occurs in the sample or a decoded layer.
func (g *grounding) has(v string) bool {
	lv := strings.ToLower(ioc.Refang(strings.TrimSpace(v)))
	if lv == "" {
		return false
	}
	if g.iocs[lv] {
		return true
	}
	for _, t := range g.corpus {
		if strings.Contains(t, lv) {
			return true
		}
	}
	return false
}

// reportIOC reports whether the text may name value: the report holds it,
// or holds a longer IOC containing it (explain.Validate's rule).
func reportIOC(r *analysis.Report, v string) bool {
	lv := strings.ToLower(v)
	for _, c := range r.IOCs {
		if strings.Contains(strings.ToLower(c.Value), lv) {
			return true
		}
	}
	return false
}

// knownTechniques are the ATT&CK ids the report's evidence supports.
func knownTechniques(r *analysis.Report) map[string][]string {
	k := map[string][]string{}
	for _, t := range r.Techniques {
		k[t.ID] = append(k[t.ID], t.Evidence...)
	}
	for _, h := range r.Indicators {
		for _, t := range h.Techniques {
			k[t] = appendUnique(k[t], h.ID)
		}
	}
	for _, m := range r.YARA {
		for _, t := range m.Techniques {
			k[t] = appendUnique(k[t], "yara:"+m.Rule)
		}
	}
	return k
}

// supported reports whether the technique id is in the report, or is the
// parent of a sub-technique that is.
func supported(known map[string][]string, id string) ([]string, bool) {
	if ev, ok := known[id]; ok {
		return ev, true
	}
	if !strings.Contains(id, ".") {
		for k, ev := range known {
			if strings.HasPrefix(k, id+".") {
				return ev, true
			}
		}
	}
	return nil, false
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// scrubber cleans one answer's text for an explanation.
type scrubber struct {
	r       *analysis.Report
	known   map[string][]string
	dropped int // IOC mentions removed from the text
}

// clean returns s as one line, without IOCs the report does not hold and
// without technique ids it does not support, defanged and escaped, at most
// n bytes. mentioned lists the evidence ids of the IOCs and techniques that
// stayed.
func (sc *scrubber) clean(s string, n int) (text string, mentioned []string) {
	s = oneLine(strings.ToValidUTF8(s, "\uFFFD"))
	s = stripInvisible(s)
	s = clip(s, n*2)
	// IOC mentions the report does not hold go. A replacement can remove
	// more than one mention (the host inside a URL): each pass extracts
	// again, and a mention that cannot be replaced drops the whole text.
	for pass := 0; ; pass++ {
		changed, stuck := false, false
		for _, c := range ioc.Extract(s, 0) {
			if !networkTypes[c.Type] || reportIOC(sc.r, c.Value) {
				continue
			}
			hit := false
			for _, form := range []string{c.Value, c.Defanged} {
				if form != "" && strings.Contains(s, form) {
					s = strings.ReplaceAll(s, form, "[unverified indicator removed]")
					hit = true
				}
			}
			if hit {
				sc.dropped++
				changed = true
			} else {
				stuck = true
			}
		}
		if !changed {
			if stuck {
				sc.dropped++
				return "", nil
			}
			break
		}
		if pass == 4 {
			return "", nil
		}
	}
	for _, c := range ioc.Extract(s, 0) {
		if networkTypes[c.Type] {
			for _, x := range sc.r.IOCs {
				if strings.EqualFold(x.Value, c.Value) {
					mentioned = appendUnique(mentioned, "ioc:"+string(x.Type)+":"+x.Value)
				}
			}
		}
	}
	s = techniqueInText.ReplaceAllStringFunc(s, func(t string) string {
		if _, ok := sc.known[t]; ok {
			for _, id := range sc.known[t] {
				mentioned = appendUnique(mentioned, id)
			}
			return t
		}
		return "an unverified technique"
	})
	s = defangAll(s)
	s = safetext.Escape(s)
	s = clip(s, n)
	return strings.TrimSpace(s), mentioned
}

// stripInvisible drops invisible and control characters (the text is
// shown to people; the model has no business writing them).
func stripInvisible(s string) string {
	if !strings.ContainsFunc(s, func(c rune) bool { return c < 0x20 || c == 0x7f || safetext.Invisible(c) }) {
		return s
	}
	return strings.Map(func(c rune) rune {
		if c < 0x20 || c == 0x7f || safetext.Invisible(c) {
			return -1
		}
		return c
	}, s)
}

var schemeDefang = []struct{ live, dead string }{
	{"https://", "hxxps://"}, {"http://", "hxxp://"}, {"ftp://", "fxp://"},
}

// defangAll defangs IOCs and any leftover live URL scheme.
func defangAll(s string) string {
	s = ioc.Defang(s)
	lower := strings.ToLower(s)
	for _, sc := range schemeDefang {
		for {
			i := strings.Index(lower, sc.live)
			if i < 0 {
				break
			}
			s = s[:i] + sc.dead + s[i+len(sc.live):]
			lower = lower[:i] + sc.dead + lower[i+len(sc.live):]
		}
	}
	return s
}

// bind turns a schema-valid answer into a result for r: the checks of the
// package documentation, then explain.Validate.
func (e *Explainer) bind(r *analysis.Report, a answer, script string) (Result, error) {
	res := Result{Verdict: r.Verdict, Language: a.Language}
	if l, err := verdict.ParseLabel(a.Label); err == nil {
		res.Advisory = l
	}
	g := newGrounding(r, script)
	known := knownTechniques(r)

	seen := map[string]bool{}
	for i, v := range a.IOCs {
		v = strings.TrimSpace(ioc.Refang(v))
		if i >= maxAnswerIOCs || v == "" || len(v) > ioc.MaxValueLen || !utf8.ValidString(v) || !g.has(v) {
			res.DroppedIOCs++
			continue
		}
		if !seen[strings.ToLower(v)] {
			seen[strings.ToLower(v)] = true
			res.IOCs = append(res.IOCs, v)
		}
	}
	for i, t := range a.Techniques {
		t = strings.ToUpper(strings.TrimSpace(t))
		if i >= maxAnswerTechs || !techniqueID.MatchString(t) {
			if t != "" && i < maxAnswerTechs {
				res.Unverified = appendUnique(res.Unverified, clip(escape(t), 32))
			}
			continue
		}
		if _, ok := supported(known, t); ok {
			res.Techniques = appendUnique(res.Techniques, t)
		} else {
			res.Unverified = appendUnique(res.Unverified, t)
		}
	}

	sc := &scrubber{r: r, known: known}
	var claims []analysis.Claim
	var all []string
	for i, b := range a.Behaviours {
		if i >= maxBehaviours {
			res.DroppedClaims += len(a.Behaviours) - i
			break
		}
		text, mentioned := sc.clean(b.Text, maxBehaviourText)
		if text == "" {
			res.DroppedClaims++
			continue
		}
		var ev []string
		for _, id := range b.Evidence {
			if len(ev) < maxClaimEvidence && explain.Resolves(r, id) && id != "status" {
				ev = appendUnique(ev, id)
			}
		}
		for _, id := range mentioned {
			if len(ev) < maxClaimEvidence && explain.Resolves(r, id) {
				ev = appendUnique(ev, id)
			}
		}
		if len(ev) == 0 {
			res.DroppedClaims++ // a behaviour nothing in the report supports
			continue
		}
		claims = append(claims, analysis.Claim{Text: sentence(text), Evidence: ev})
		for _, id := range ev {
			all = appendUnique(all, id)
		}
	}
	summary, mentioned := sc.clean(a.Summary, maxSummaryBytes)
	var x analysis.Explanation
	if summary != "" {
		ev := []string{"language:" + r.Language.Language.String(), "verdict"}
		for _, id := range append(mentioned, all...) {
			if len(ev) < maxClaimEvidence && explain.Resolves(r, id) {
				ev = appendUnique(ev, id)
			}
		}
		x.Claims = append(x.Claims, analysis.Claim{Text: sentence(summary), Evidence: ev})
	}
	x.Claims = append(x.Claims, claims...)
	res.DroppedIOCs += sc.dropped
	if c, ok := injectionClaim(r); ok {
		x.Claims = append(x.Claims, c)
		res.Injection = c.Evidence
	}
	if c, ok := advisoryClaim(r, res.Advisory); ok {
		x.Claims = append(x.Claims, c)
	}
	if summary == "" && len(claims) == 0 {
		return res, fmt.Errorf("%w: nothing grounded in the answer", ErrInvalidAnswer)
	}
	texts := make([]string, len(x.Claims))
	for i, c := range x.Claims {
		texts[i] = c.Text
	}
	x.Summary = strings.Join(texts, " ")
	x.Source = "llm:" + escape(e.opt.Model)
	if err := explain.Validate(r, x); err != nil {
		return res, fmt.Errorf("%w: %v", ErrInvalidAnswer, err)
	}
	res.Explanation = x
	res.Verdict, res.Raised = Raise(r.Verdict, res.Advisory)
	return res, nil
}

// sentence ends s with a full stop when it has no final punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	switch s[len(s)-1] {
	case '.', '!', '?', ')', '"', '\'':
		return s
	}
	return s + "."
}

// injectionClaim restates the report's prompt-injection findings: they stay
// in every explanation whatever the answer says.
func injectionClaim(r *analysis.Report) (analysis.Claim, bool) {
	var ids, titles []string
	for _, h := range r.Indicators {
		if strings.HasPrefix(h.ID, "prompt.") {
			ids = append(ids, h.ID)
			titles = append(titles, strings.ToLower(escape(h.Title)))
		}
	}
	if len(ids) == 0 {
		return analysis.Claim{}, false
	}
	text := "The script carries text aimed at automated or AI analysis (" + strings.Join(titles, "; ") +
		"); it was treated as data and cannot change the verdict."
	return analysis.Claim{Text: text, Evidence: ids}, true
}

// advisoryClaim says where the model's advisory label departs from the verdict.
func advisoryClaim(r *analysis.Report, adv verdict.Label) (analysis.Claim, bool) {
	v := r.Verdict.Label
	if adv == verdict.Unknown || adv == v {
		return analysis.Claim{}, false
	}
	text := fmt.Sprintf("The language model's advisory reading is %s, above the %s verdict.", adv, v)
	if adv < v {
		text = fmt.Sprintf("The language model's advisory reading is %s; it cannot lower the %s verdict.", adv, v)
	}
	return analysis.Claim{Text: text, Evidence: []string{"verdict"}}, true
}

// Raise applies an advisory label to a verdict: the LLM may raise, never
// lower. A benign or unknown verdict becomes suspicious when the advisory
// label is malicious, with "+llm" added to its source and a reason; every
// other verdict is returned unchanged.
func Raise(v analysis.Verdict, advisory verdict.Label) (analysis.Verdict, bool) {
	if advisory != verdict.Malicious || (v.Label != verdict.Benign && v.Label != verdict.Unknown) {
		return v, false
	}
	out := v
	out.Label = verdict.Suspicious
	if out.Source == "" || out.Source == "none" {
		out.Source = "llm"
	} else if !strings.HasSuffix(out.Source, "+llm") {
		out.Source += "+llm"
	}
	out.Reasons = append(append([]string(nil), v.Reasons...), "raised to suspicious: the LLM's advisory label is malicious")
	return out, true
}

// notesText renders map answers for the reduce prompt.
func notesText(parts []answer, first, total int, each int) string {
	var b bytes.Buffer
	for i, a := range parts {
		var n strings.Builder
		fmt.Fprintf(&n, "[notes on part %d of %d, label %s, language %s]\n%s\n", first+i+1, total, a.Label, a.Language, oneLine(a.Summary))
		for j, bh := range a.Behaviours {
			if j == maxBehaviours {
				break
			}
			fmt.Fprintf(&n, "- %s (evidence: %s)\n", oneLine(bh.Text), strings.Join(bh.Evidence, ", "))
		}
		if len(a.IOCs) > 0 {
			fmt.Fprintf(&n, "iocs: %s\n", strings.Join(a.IOCs, " "))
		}
		if len(a.Techniques) > 0 {
			fmt.Fprintf(&n, "techniques: %s\n", strings.Join(a.Techniques, " "))
		}
		b.WriteString(neutralize(clip(n.String(), each)))
		b.WriteByte('\n')
	}
	return b.String()
}

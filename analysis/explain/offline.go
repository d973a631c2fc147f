package explain

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/internal/safetext"
)

// Source is the Explanation.Source of the offline explainer.
const Source = "offline"

// Caps that keep the text short and the work bounded on reports with very
// many findings.
const (
	maxFindings    = 64 // distinct findings read per report; the rest are counted
	maxIOCsScanned = 16 // IOCs placed in the story (first appearances)
	maxIOCsNamed   = 4  // IOCs named in the whole summary
	maxIOCsClause  = 3  // IOCs named in one clause
	maxCmdsClause  = 3  // commands named in one clause
	maxTechsClause = 3  // technique ids named in one clause
	maxLayersNamed = 3  // decoding methods named
	maxReasonLen   = 160
	maxIOCLen      = 100 // longer IOCs are counted, not shown
)

// Offline is the grounded offline explainer. It is immutable and safe for
// concurrent use.
type Offline struct {
	cat    *indicators.Catalog
	catLen int
	// info caches, per catalog indicator id, what explaining a hit of it
	// needs (an *indInfo). It is filled on first use rather than in
	// NewOffline: a scan hits a small part of the catalog, and the work for
	// the whole catalog was a visible share of a one-file scan's start-up.
	// Entries are a pure function of the catalog, so two goroutines that
	// race to fill one store equal values.
	info sync.Map
	// actions caches action of YARA rule titles, which repeat from report
	// to report; nActions bounds it (rule sets are finite, but a server may
	// load many over its life).
	actions  sync.Map
	nActions atomic.Int64
}

// maxCachedActions bounds Offline.actions.
const maxCachedActions = 4096

// titleAction is a cached result of action.
type titleAction struct {
	act  string
	verb bool
}

// yaraAction is action(title) for the title of a YARA rule.
func (o *Offline) yaraAction(title string) (string, bool) {
	if v, ok := o.actions.Load(title); ok {
		a := v.(titleAction)
		return a.act, a.verb
	}
	act, verb := action(title)
	if o.nActions.Load() < maxCachedActions {
		if _, loaded := o.actions.LoadOrStore(title, titleAction{act, verb}); !loaded {
			o.nActions.Add(1)
		}
	}
	return act, verb
}

// indInfo is what the explainer derives from one catalog indicator.
type indInfo struct {
	st    stage
	cands []uint16 // vocabulary entries that occur in the indicator's fixtures
	act   string   // the title as a verb phrase or noun phrase
	verb  bool     // act is a verb phrase
}

var _ analysis.Explainer = (*Offline)(nil)

// NewOffline returns an explainer that knows the indicators of cat (it may
// be nil: hits are then placed by their tactic and techniques alone).
func NewOffline(cat *indicators.Catalog) *Offline {
	o := &Offline{cat: cat}
	if cat != nil {
		o.catLen = cat.Len()
	}
	return o
}

// lookup returns the information on the catalog indicator id, or false when
// the catalog does not hold it.
func (o *Offline) lookup(id string) (*indInfo, bool) {
	if v, ok := o.info.Load(id); ok {
		return v.(*indInfo), true
	}
	if o.cat == nil {
		return nil, false
	}
	ind, ok := o.cat.Lookup(id)
	if !ok {
		return nil, false
	}
	act, verb := action(ind.Title)
	info := &indInfo{
		st:    classifyHit(ind.ID, ind.Tactic, ind.Techniques),
		cands: commandsIn(asciiLower(strings.Join(ind.TruePositives, "\n"))),
		act:   act,
		verb:  verb,
	}
	v, _ := o.info.LoadOrStore(id, info)
	return v.(*indInfo), true
}

// Explain writes the explanation of r. It reads r and never changes it.
func (o *Offline) Explain(ctx context.Context, r *analysis.Report) (analysis.Explanation, error) {
	if r == nil {
		return analysis.Explanation{}, errors.New("explain: nil report")
	}
	if err := ctx.Err(); err != nil {
		return analysis.Explanation{}, fmt.Errorf("explain %s: %w", r.Sample.SHA256, err)
	}
	w := newWriter(o, r)
	buf := texts.Get().(*[]byte)
	w.text = (*buf)[:0]
	x := w.explain() // copies the text
	if cap(w.text) <= maxPooledText {
		*buf = w.text[:0]
		texts.Put(buf)
	}
	return x, nil
}

// texts recycles the writers' text buffers.
var texts = sync.Pool{New: func() any {
	b := make([]byte, 0, textSize)
	return &b
}}

// textSize is the capacity a text buffer starts with: most summaries fit;
// maxPooledText bounds the buffers texts keeps.
const (
	textSize      = 1024
	maxPooledText = 16 << 10
)

// finding is one distinct indicator hit or YARA match.
type finding struct {
	id      string // evidence id
	title   string
	sev     indicators.Severity
	st      stage
	layer   int
	line    int
	techs   []string
	cmds    []uint16
	excerpt string
	act     string // title as a phrase (see action)
	verb    bool
	yara    bool
	mask    uint32 // stages the finding contributed to
	order   int
}

// step is what the story says about one stage.
type step struct {
	fs      []int    // findings placed here
	ev      []string // evidence ids
	cmds    []string // command names, deduplicated
	techs   []string
	iocs    []int // indices into r.IOCs
	layers  []int // decode: layer indices
	actions []string
	verbs   int // how many of actions are verb phrases
}

func (s *step) empty() bool { return len(s.fs) == 0 && len(s.layers) == 0 && len(s.iocs) == 0 }

func (s *step) addEv(id string) {
	if !contains(s.ev, id) {
		s.ev = appendSmall(s.ev, id)
	}
}

// appendSmall appends v to list, giving a new list room for four: the
// lists of a step mostly stay that short, and growing them one by one
// costs an allocation per doubling.
func appendSmall[T any](list []T, v T) []T {
	if list == nil {
		list = make([]T, 0, 4)
	}
	return append(list, v)
}

// writer builds one explanation.
type writer struct {
	o      *Offline
	r      *analysis.Report
	seed   uint64
	fs     []finding
	extra  int // distinct findings beyond maxFindings
	steps  [numStages]step
	refs   []int // IOCs not placed in a step
	named  int   // IOCs named so far
	claims []analysis.Claim
	// text is the summary so far: the claims' sentences, a blank between
	// two; ends[i] is where the sentence of claims[i] ends in it. The
	// sentences are written there (see begin), and the claims' texts are
	// cut from the summary once it is made: one allocation for all the
	// text of a report, where a builder per sentence made one each.
	text  []byte
	ends  []int
	hand  int  // index of the layer told as a hand-off, or -1
	feats bool // a sentence already named the statistical features
}

func newWriter(o *Offline, r *analysis.Report) *writer {
	key := r.Sample.SHA256
	if key == "" {
		key = r.ID
	}
	return &writer{o: o, r: r, seed: fnv64a(key), hand: -1, claims: make([]analysis.Claim, 0, 6), ends: make([]int, 0, 6)}
}

// fnv64a is the 64-bit FNV-1a hash of s, as hash/fnv computes it, without
// the allocations of a hash.Hash64.
func fnv64a(s string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= prime
	}
	return h
}

// pick chooses one of n phrasings for a slot, from the sample's hash.
func (w *writer) pick(slot, n int) int {
	x := w.seed + uint64(slot+1)*0x9e3779b97f4a7c15
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return int(x % uint64(n))
}

// begin starts the sentence of the next claim, which end adds. No other
// sentence may start in between.
func (w *writer) begin() sentence {
	if len(w.claims) > 0 {
		w.text = append(w.text, ' ')
	}
	return sentence{w}
}

// end adds the claim of the sentence begun last, with its evidence ev.
func (w *writer) end(ev []string) {
	w.claims = append(w.claims, analysis.Claim{Evidence: ev})
	w.ends = append(w.ends, len(w.text))
}

// sentence writes a sentence at the end of its writer's text, with the
// methods of strings.Builder the sentences use.
type sentence struct{ w *writer }

// WriteString appends x.
func (s sentence) WriteString(x string) { s.w.text = append(s.w.text, x...) }

// WriteByte appends c; its error, for io.ByteWriter, is always nil.
func (s sentence) WriteByte(c byte) error {
	s.w.text = append(s.w.text, c)
	return nil
}

// Len is the length of the text, for Truncate.
func (s sentence) Len() int { return len(s.w.text) }

// Truncate drops what was written since the text was n bytes long.
func (s sentence) Truncate(n int) { s.w.text = s.w.text[:n] }

func (w *writer) explain() analysis.Explanation {
	r := w.r
	switch r.Status {
	case analysis.StatusOK, "": // the engine sets StatusOK after the explanation
		w.collect()
		if w.story() {
			w.identity()
			w.behaviour()
			w.verdictLine()
		} else {
			w.identity()
			w.purpose()
			w.dualUse()
			w.verdictLine()
		}
	default:
		w.notAnalysed()
	}
	// The summary is the sentences joined by blanks, and each claim's
	// text is its sentence in it.
	summary := string(w.text)
	start := 0
	for i, end := range w.ends {
		w.claims[i].Text = summary[start:end]
		start = end + 1
	}
	return analysis.Explanation{Summary: summary, Source: Source, Claims: w.claims}
}

// notAnalysed is the one sentence of a skipped or failed report.
func (w *writer) notAnalysed() {
	r := w.r
	// The reason is quoted machine output, not a statement about the
	// sample; it is defanged like any human-facing text, and Validate does
	// not ground it against the findings (see quotesStatus).
	reason := clip(safetext.Escape(ioc.Defang(strings.TrimSpace(r.Reason))), maxReasonLen)
	reason = strings.TrimRight(reason, ".")
	if reason == "" {
		reason = "no reason was recorded"
	}
	b := w.begin()
	if r.Status == analysis.StatusSkipped {
		b.WriteString("The sample was skipped and not analysed: ")
	} else {
		b.WriteString("Analysis did not finish (status ")
		b.WriteString(safetext.Escape(string(r.Status)))
		b.WriteString("): ")
	}
	b.WriteString(reason)
	ev := []string{"status"}
	if n := len(r.Indicators) + len(r.YARA); n > 0 && r.Status == analysis.StatusError {
		b.WriteString("; ")
		b.WriteString(plural(distinctFindings(r), "partial finding", "partial findings"))
		b.WriteString(" were kept and the verdict is ")
		b.WriteString(r.Verdict.Label.String())
		ev = append(ev, "verdict")
	}
	b.WriteByte('.')
	w.end(ev)
}

func distinctFindings(r *analysis.Report) int {
	seen := map[string]bool{}
	for _, h := range r.Indicators {
		seen[h.ID] = true
	}
	for _, m := range r.YARA {
		seen["yara:"+m.Rule] = true
	}
	return len(seen)
}

// collect reads the findings, places them, their commands and the IOCs in
// steps.
func (w *writer) collect() {
	r := w.r
	seen := make(map[string]bool, min(len(r.Indicators)+len(r.YARA), 1024))
	w.fs = make([]finding, 0, min(len(r.Indicators)+len(r.YARA), maxFindings))
	for i := range r.Indicators {
		h := &r.Indicators[i] // not a copy: hits are large
		if seen[h.ID] {
			continue
		}
		seen[h.ID] = true
		if len(w.fs) >= maxFindings {
			w.extra++
			continue
		}
		var info indInfo
		ip, known := w.o.lookup(h.ID)
		if known {
			info = *ip
		} else {
			info.st = classifyHit(h.ID, h.Tactic, h.Techniques)
		}
		f := finding{id: h.ID, title: h.Title, sev: h.Severity, st: info.st, layer: h.Layer, line: h.Line,
			techs: h.Techniques, excerpt: h.Excerpt, order: len(w.fs), act: info.act, verb: info.verb}
		if !known || h.Title != "" && info.act == "" {
			f.act, f.verb = action(h.Title)
		}
		if h.Excerpt != "" && !strings.HasPrefix(h.ID, "prompt.") {
			var buf [256]byte // excerpts are short: no allocation for the copy
			lower := newLowerText(buf[:0], h.Excerpt)
			if known && info.cands != nil {
				f.cmds = commandsFor(&lower, info.cands, maxCmdsClause)
			}
			if len(f.cmds) == 0 {
				f.cmds = commandsFor(&lower, stageCommands[f.st], maxCmdsClause)
			}
		}
		w.fs = append(w.fs, f)
	}
	for i := range r.YARA {
		m := &r.YARA[i]
		id := "yara:" + m.Rule
		if seen[id] {
			continue
		}
		seen[id] = true
		if len(w.fs) >= maxFindings {
			w.extra++
			continue
		}
		title := m.Meta["description"]
		if title == "" {
			title = m.Rule
		}
		sev, err := indicators.ParseSeverity(m.Severity)
		if err != nil || sev == indicators.SeverityUnknown {
			sev = indicators.SeverityMedium
		}
		f := finding{id: id, title: title, sev: sev, st: classifyYARA(m.Rule, m.Techniques), layer: m.Layer,
			techs: m.Techniques, yara: true, order: len(w.fs)}
		f.act, f.verb = w.o.yaraAction(title)
		if len(m.Strings) > 0 {
			var strs [8]string // the data of the first four strings, each with a newline
			n := 0
			for _, s := range m.Strings[:min(len(m.Strings), 4)] {
				strs[n], strs[n+1] = s.Data, "\n"
				n += 2
			}
			var buf [512]byte
			data := newLowerText(buf[:0], strs[:n]...)
			f.cmds = commandsFor(&data, stageCommands[f.st], maxCmdsClause)
		}
		w.fs = append(w.fs, f)
	}

	// Place findings, in order of appearance, and route their commands.
	order := make([]int, len(w.fs))
	for i := range order {
		order[i] = i
	}
	lineKey := func(f *finding) int {
		if f.line <= 0 {
			return int(^uint(0) >> 1) // YARA matches: after the hits of their layer
		}
		return f.line
	}
	slices.SortStableFunc(order, func(a, b int) int {
		fa, fb := &w.fs[a], &w.fs[b]
		if fa.layer != fb.layer {
			return cmp.Compare(fa.layer, fb.layer)
		}
		return cmp.Compare(lineKey(fa), lineKey(fb))
	})
	for _, i := range order {
		f := &w.fs[i]
		// novel marks the steps this finding adds something to; only those
		// (and the first few findings of a step) cite it, which keeps the
		// evidence lists short on reports with very many findings.
		var novel [numStages]bool
		s := &w.steps[f.st]
		s.fs = appendSmall(s.fs, i)
		f.mask |= 1 << f.st
		novel[f.st] = len(s.ev) < 8
		if f.act != "" && len(s.actions) < 4 && !contains(s.actions, f.act) {
			s.actions = appendAction(s.actions, f.act, f.verb, &s.verbs)
			novel[f.st] = true
		}
		for _, c := range f.cmds {
			cs := commands[c].st
			dst := f.st
			if cs == stDecode || cs == stDownload || cs == stDrop || cs == stExecute {
				// Mechanical steps are told where they happen, whichever
				// finding named the command.
				dst = cs
			}
			d := &w.steps[dst]
			if !contains(d.cmds, commands[c].name) {
				d.cmds = appendSmall(d.cmds, commands[c].name)
				novel[dst] = true
			}
			if dst != f.st {
				if !containsInt(d.fs, i) {
					d.fs = append(d.fs, i)
				}
				f.mask |= 1 << dst
			}
		}
		for _, t := range f.techs {
			dst := f.st
			if ts, ok := techniqueStage([]string{t}); ok && f.mask&(1<<ts) != 0 {
				dst = ts
			}
			if d := &w.steps[dst]; !contains(d.techs, t) {
				d.techs = appendSmall(d.techs, t)
				novel[dst] = true
			}
		}
		for st := range novel {
			if novel[st] {
				w.steps[st].addEv(f.id)
			}
		}
	}

	// Decoded layers.
	for i := range r.Layers {
		l := &r.Layers[i]
		if i == 0 || l.Index == 0 {
			continue
		}
		if _, ok := handoff[l.Method]; ok {
			// A hand-off launches a command; it is not obfuscation.
			if l.Parent == 0 && w.hand < 0 {
				w.hand = i
			}
			continue
		}
		w.steps[stDecode].layers = append(w.steps[stDecode].layers, i)
	}

	w.placeIOCs()
}

func appendAction(list []string, a string, verb bool, verbs *int) []string {
	if contains(list, a) {
		return list
	}
	if verb {
		// Verb phrases first: they read as steps.
		list = append(list, "")
		copy(list[*verbs+1:], list[*verbs:])
		list[*verbs] = a
		*verbs++
		return list
	}
	return append(list, a)
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// placeIOCs puts each of the first IOCs in the step whose finding quotes it,
// else in the step its type belongs to, else in refs.
func (w *writer) placeIOCs() {
	r := w.r
	n := min(len(r.IOCs), maxIOCsScanned)
	for i := 0; i < n; i++ {
		c := &r.IOCs[i]
		if w.hostOfURL(c, n) {
			continue
		}
		var mask uint32
		for j := range w.fs {
			if j == 24 {
				break
			}
			f := &w.fs[j]
			if f.excerpt != "" && c.Value != "" && strings.Contains(f.excerpt, c.Value) {
				mask |= f.mask
			}
		}
		// prefs are the steps an IOC of this type belongs to, best first;
		// fallback says whether it may go there without a finding that
		// quotes it.
		var prefs []stage
		fallback := true
		switch c.Type {
		case ioc.URL:
			prefs = []stage{stDownload, stC2, stExfil, stPersist, stExecute, stImpact}
		case ioc.Domain, ioc.IPv4, ioc.IPv6:
			prefs = []stage{stC2, stDownload, stExfil, stLateral, stImpact}
		case ioc.Email:
			prefs = []stage{stExfil, stImpact, stC2}
		case ioc.FilePath:
			// A path is only part of a step when a finding quotes it;
			// scripts name many system paths in passing.
			prefs = []stage{stDrop, stPersist, stPrivEsc, stEvade, stCredential, stCollect, stImpact, stExecute, stLateral}
			fallback = false
		case ioc.RegistryKey:
			prefs = []stage{stPersist, stEvade, stPrivEsc, stCredential, stDiscover}
		}
		placed := false
		for _, st := range prefs {
			if mask&(1<<st) != 0 {
				w.steps[st].iocs = append(w.steps[st].iocs, i)
				placed = true
				break
			}
		}
		if !placed && fallback {
			for _, st := range prefs {
				if len(w.steps[st].fs) > 0 {
					w.steps[st].iocs = append(w.steps[st].iocs, i)
					placed = true
					break
				}
			}
		}
		if !placed {
			w.refs = append(w.refs, i)
		}
	}
}

// hostOfURL reports a domain or IP address inside one of the first n URLs,
// paths (UNC, /dev/tcp) or e-mail addresses: that IOC already names it.
func (w *writer) hostOfURL(c *ioc.IOC, n int) bool {
	if c.Type != ioc.Domain && c.Type != ioc.IPv4 && c.Type != ioc.IPv6 {
		return false
	}
	for i := 0; i < n; i++ {
		u := &w.r.IOCs[i]
		if (u.Type == ioc.URL || u.Type == ioc.FilePath || u.Type == ioc.Email) && strings.Contains(u.Value, c.Value) {
			return true
		}
	}
	return false
}

// story reports whether the report is told as an attack: any finding of
// medium severity or more, or a malicious/suspicious verdict.
func (w *writer) story() bool {
	if w.r.Malicious() {
		return true
	}
	for i := range w.fs {
		if w.fs[i].sev >= indicators.SeverityMedium {
			return true
		}
	}
	return false
}

// langName is the display name of a language in a sentence.
func langName(l lang.Language) string {
	if l == lang.Bash {
		return "shell (Bash/sh)"
	}
	return l.Title()
}

func sizeClass(n int) string {
	switch {
	case n < 256:
		return "tiny"
	case n < 2048:
		return "short"
	case n < 16384:
		return "medium-sized"
	case n < 131072:
		return "long"
	}
	return "very large"
}

func humanBytes(n int) string {
	if n < 1024 {
		return plural(n, "byte", "bytes")
	}
	if n < 1024*1024 {
		return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64) + " MB"
}

// role names what the script is, from the steps it takes.
func (w *writer) role() (string, []string) {
	if !w.story() {
		return "script", nil
	}
	if w.hand >= 0 {
		return "launcher", nil
	}
	first := func(st stage) string { return w.fs[w.steps[st].fs[0]].id }
	for _, st := range []stage{stImpact} {
		for _, i := range w.steps[st].fs {
			id := strings.ToLower(w.fs[i].id)
			switch {
			case strings.Contains(id, "ransom") || strings.Contains(id, "encrypt"):
				return "ransomware script", []string{w.fs[i].id}
			case strings.Contains(id, "miner"):
				return "cryptominer installer", []string{w.fs[i].id}
			}
		}
	}
	for _, i := range w.steps[stC2].fs {
		if id := w.fs[i].id; strings.HasPrefix(id, "shell.") || strings.HasPrefix(id, "yara:RS_") {
			return "reverse shell", []string{id}
		}
	}
	switch {
	case len(w.steps[stCredential].fs) > 0:
		return "credential stealer", []string{first(stCredential)}
	case len(w.steps[stDownload].fs) > 0:
		return "downloader", []string{first(stDownload)}
	case len(w.steps[stPersist].fs) > 0:
		return "persistence script", []string{first(stPersist)}
	case len(w.steps[stEvade].fs) > 0:
		return "defence-tampering script", []string{first(stEvade)}
	case len(w.steps[stImpact].fs) > 0:
		return "destructive script", []string{first(stImpact)}
	case len(w.steps[stDiscover].fs) > 0:
		return "reconnaissance script", []string{first(stDiscover)}
	case len(w.steps[stLateral].fs) > 0:
		return "lateral-movement script", []string{first(stLateral)}
	case len(w.steps[stDecode].fs) > 0 || len(w.steps[stDecode].layers) > 0:
		return "obfuscated script", nil
	}
	return "script", nil
}

// identity is the first sentence: what the script is.
func (w *writer) identity() {
	r := w.r
	ev := make([]string, 1, 4)
	ev[0] = languageEv(r.Language.Language)
	b := w.begin()
	switch w.pick(1, 3) {
	case 0:
		b.WriteString("This is a ")
	case 1:
		b.WriteString("The sample is a ")
	default:
		b.WriteString("Static analysis shows a ")
	}
	size := int(r.Sample.Size)
	if len(r.Layers) > 0 {
		size = r.Layers[0].Size
		ev = append(ev, "layer:0")
	}
	b.WriteString(sizeClass(size))
	b.WriteString(" (")
	b.WriteString(humanBytes(size))
	b.WriteString(") ")
	role, rev := w.role()
	ev = append(ev, rev...)
	name := langName(r.Language.Language)
	if role == "script" && strings.HasSuffix(name, "Script") {
		role = "file"
	}
	if name == "" {
		b.WriteString(role)
		b.WriteString(" in an unrecognised language")
	} else {
		b.WriteString(name)
		b.WriteByte(' ')
		b.WriteString(role)
	}
	if w.hand >= 0 {
		l := r.Layers[w.hand]
		ho := handoff[l.Method]
		b.WriteString(" that hands ")
		b.WriteString(ho.what)
		if n := langName(l.Language); n != "" {
			b.WriteByte(' ')
			b.WriteString(n)
		}
		b.WriteString(" command to ")
		b.WriteString(ho.to)
		ev = append(ev, layerEv(w.hand))
	}
	if n := len(r.Layers) - 1; n > 0 {
		switch w.pick(2, 3) {
		case 0:
			b.WriteString("; static decoding peeled off ")
			b.WriteString(plural(n, "layer", "layers"))
		case 1:
			b.WriteString(", wrapped in ")
			if n == 1 {
				b.WriteString("one encoded layer that was decoded statically")
			} else {
				b.WriteString(count(n))
				b.WriteString(" encoded layers that were decoded statically")
			}
		default:
			b.WriteString("; ")
			b.WriteString(plural(n, "layer was", "layers were"))
			b.WriteString(" recovered by static decoding")
		}
		if !w.story() {
			// The story names the methods in its decode step; here the
			// identity is the only place.
			b.WriteString(" (")
			b.WriteString(w.layerMethods(w.allLayers(), &ev))
			b.WriteByte(')')
		} else if w.hand >= 0 && len(w.steps[stDecode].layers) == 0 && n > 1 {
			b.WriteString(" (")
			b.WriteString(w.layerMethods(w.allLayers(), &ev))
			b.WriteByte(')')
		}
		trunc := 0
		for _, l := range r.Layers {
			if l.Truncated {
				trunc++
			}
		}
		if trunc > 0 {
			b.WriteString(", ")
			b.WriteString(plural(trunc, "layer", "layers"))
			b.WriteString(" cut short by a decoding limit")
			for i, l := range r.Layers {
				if l.Truncated {
					addUnique(&ev, layerEv(i))
				}
			}
		}
	}
	b.WriteByte('.')
	w.end(ev)
}

func (w *writer) allLayers() []int {
	out := make([]int, 0, len(w.r.Layers))
	for i := 1; i < len(w.r.Layers); i++ {
		out = append(out, i)
	}
	return out
}

// layerMethods names the decoding methods of layers, deduplicated.
func (w *writer) layerMethods(layers []int, ev *[]string) string {
	var names []string
	for _, i := range layers {
		p := methodPhrase(w.r.Layers[i].Method)
		if !contains(names, p) {
			names = append(names, p)
			if len(names) <= maxLayersNamed {
				addUnique(ev, layerEv(i))
			}
		}
	}
	return joinList(names, maxLayersNamed, "")
}

// languageEvs and layerEvs hold the evidence ids of the languages and of
// the first layers, which every explanation cites.
var (
	languageEvs = func() (ids [16]string) {
		for i := range ids {
			ids[i] = "language:" + lang.Language(i).String()
		}
		return ids
	}()
	layerEvs = func() (ids [64]string) {
		for i := range ids {
			ids[i] = "layer:" + itoa(i)
		}
		return ids
	}()
)

// languageEv is the evidence id of language l.
func languageEv(l lang.Language) string {
	if int(l) < len(languageEvs) {
		return languageEvs[l]
	}
	return "language:" + l.String()
}

// layerEv is the evidence id of layer i.
func layerEv(i int) string {
	if i >= 0 && i < len(layerEvs) {
		return layerEvs[i]
	}
	return "layer:" + itoa(i)
}

func addUnique(list *[]string, s string) {
	if !contains(*list, s) {
		*list = append(*list, s)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "one " + one
	}
	return count(n) + " " + many
}

func itoa(n int) string { return strconv.Itoa(n) }

// clip cuts s to at most n bytes on a rune boundary, adding an ellipsis.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// appendLower appends s to b in ASCII lower case.
func appendLower(b []byte, s string) []byte {
	n := len(b)
	b = append(b, s...)
	for i, c := range b[n:] {
		b[n+i] = lowerTable[c]
	}
	return b
}

// lowerTable maps a byte to its ASCII lower case, without a branch.
var lowerTable = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
		if c >= 'A' && c <= 'Z' {
			t[c] += 'a' - 'A'
		}
	}
	return t
}()

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

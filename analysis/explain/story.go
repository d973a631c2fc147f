package explain

import (
	"sort"
	"strconv"
	"strings"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/internal/safetext"
)

// stageVerbs are the phrasings of each step; one is picked per sample.
var stageVerbs = [numStages][]string{
	stDecode:     {"decodes", "unpacks", "peels off"},
	stEvade:      {"weakens defences", "tampers with security controls", "works to stay undetected"},
	stDownload:   {"downloads", "fetches", "pulls down"},
	stDrop:       {"writes", "saves", "drops"},
	stExecute:    {"runs", "executes", "launches"},
	stPrivEsc:    {"elevates its privileges", "escalates privileges", "seeks higher privileges"},
	stPersist:    {"persists", "installs persistence", "sets itself up to survive a reboot"},
	stCredential: {"steals credentials", "goes after stored credentials", "harvests secrets"},
	stCollect:    {"collects user data", "captures data from the desktop", "gathers user data"},
	stDiscover:   {"surveys the host", "gathers system information", "runs reconnaissance"},
	stLateral:    {"spreads to other hosts", "moves laterally", "reaches out to other machines"},
	stC2:         {"opens a reverse shell", "connects back to its operator", "hands a remote shell to its operator"},
	stExfil:      {"sends data out", "exfiltrates data", "uploads what it collected"},
	stImpact:     {"damages the host", "acts on its objective", "causes impact"},
	stOther:      {"also shows", "also shows", "also shows"},
}

var (
	firstOpeners = []string{"Once run, it ", "When executed, it ", "In execution order, it first ", "Step by step, it first "}
	midOpeners   = []string{"It then ", "Next, it ", "After that it "}
	lastOpeners  = []string{"Finally, it ", "Lastly, it ", "In the end it "}
	joiners      = []string{", then ", "; it then ", ", next "}
	withWords    = []string{" with ", " using ", " via "}
)

// behaviour tells the steps in execution order, in one to three sentences.
func (w *writer) behaviour() {
	var sts []stage
	for st := stage(0); st < numStages; st++ {
		if !w.steps[st].empty() {
			sts = append(sts, st)
		}
	}
	if len(sts) == 0 {
		w.modelOnly()
		return
	}
	n := 1
	switch {
	case len(sts) > 6:
		n = 3
	case len(sts) > 3:
		n = 2
	}
	base, rem := len(sts)/n, len(sts)%n
	at := 0
	for k := 0; k < n; k++ {
		size := base
		if k < rem {
			size++
		}
		chunk := sts[at : at+size]
		at += size
		b := w.begin()
		var ev []string
		switch {
		case k == 0 && len(chunk) == 1:
			b.WriteString(firstOpeners[w.pick(10, 2)]) // "first" needs a second step
		case k == 0:
			b.WriteString(firstOpeners[w.pick(10, len(firstOpeners))])
		case k == n-1:
			b.WriteString(lastOpeners[w.pick(11, len(lastOpeners))])
		default:
			b.WriteString(midOpeners[w.pick(12, len(midOpeners))])
		}
		join := joiners[w.pick(13+k, len(joiners))]
		for i, st := range chunk {
			switch {
			case i == 0:
			case i == len(chunk)-1 && len(chunk) > 2:
				b.WriteString(" and ")
			default:
				b.WriteString(join)
			}
			cev := w.clause(b, st)
			for _, e := range cev {
				addUnique(&ev, e)
			}
		}
		if k == n-1 {
			w.refsTail(b, &ev)
		}
		b.WriteByte('.')
		w.end(ev)
	}
}

// refsTail names IOCs no step claimed.
func (w *writer) refsTail(b sentence, ev *[]string) {
	if len(w.refs) == 0 && len(w.r.IOCs) <= maxIOCsScanned {
		return
	}
	list := w.iocList(w.refs, ev)
	hidden := len(w.r.IOCs) - maxIOCsScanned
	if list == "" && hidden <= 0 {
		return
	}
	if list != "" {
		b.WriteString("; the script also references ")
		b.WriteString(list)
	}
	if hidden > 0 {
		if list == "" {
			b.WriteString("; ")
		} else {
			b.WriteString(", and ")
		}
		b.WriteString(plural(hidden, "further IOC is", "further IOCs are"))
		b.WriteString(" listed in the report")
		for _, c := range w.r.IOCs[maxIOCsScanned:min(len(w.r.IOCs), maxIOCsScanned+4)] {
			addUnique(ev, iocID(c))
		}
	}
}

// clause writes one step to b: a verb phrase in the third person without a
// subject, with its commands, IOCs and technique ids. It returns the
// step's evidence.
func (w *writer) clause(b sentence, st stage) []string {
	s := &w.steps[st]
	var ev []string // nil when the step cites nothing, as before
	if len(s.ev) > 0 {
		ev = make([]string, len(s.ev), len(s.ev)+4)
		copy(ev, s.ev)
	}
	verb := stageVerbs[st][w.pick(20+int(st), len(stageVerbs[st]))]
	start := b.Len()
	with := withWords[w.pick(40+int(st), len(withWords))]
	cmds := joinList(s.cmds, maxCmdsClause, "")
	iocs := w.iocList(s.iocs, &ev)
	switch st {
	case stDecode:
		switch {
		case len(s.layers) > 0:
			b.WriteString(verb)
			b.WriteByte(' ')
			methods := w.layerMethods(s.layers, &ev)
			b.WriteString(methods)
			var extra []string
			for _, c := range s.cmds {
				if !strings.Contains(methods, c) {
					extra = append(extra, c)
				}
			}
			if cmds = joinList(extra, maxCmdsClause, ""); cmds != "" {
				b.WriteString(with)
				b.WriteString(cmds)
			}
		case w.hand >= 0 && len(s.fs) > 0:
			b.WriteString(verb)
			b.WriteByte(' ')
			b.WriteString(methodPhrase(w.r.Layers[w.hand].Method))
			addUnique(&ev, layerEv(w.hand))
		case cmds != "":
			b.WriteString("decodes data")
			b.WriteString(with)
			b.WriteString(cmds)
		default:
			b.WriteString("hides its logic: ")
			b.WriteString(joinList(s.actions, 2, ""))
		}
	case stDownload:
		b.WriteString(verb)
		switch n := len(s.iocs); {
		case iocs == "":
			b.WriteString(" a payload")
		case n == 1:
			b.WriteString(" a payload from ")
			b.WriteString(iocs)
		case n == 2 && !strings.Contains(iocs, "more") && w.pick(31, 2) == 0:
			b.WriteString(" two payloads from ")
			b.WriteString(iocs)
		default:
			b.WriteString(" content from ")
			b.WriteString(iocs)
		}
		w.detail(b, cmds, with, s)
	case stDrop:
		switch w.pick(30, 3) {
		case 0:
			b.WriteString("writes it to ")
		case 1:
			b.WriteString("saves the payload as ")
		default:
			b.WriteString("drops ")
		}
		if iocs == "" {
			b.Truncate(start)
			b.WriteString(verb)
			b.WriteString(" the payload to disk")
		} else {
			b.WriteString(iocs)
		}
		if cmds != "" {
			b.WriteString(with)
			b.WriteString(cmds)
		}
	case stExecute:
		switch {
		case cmds != "":
			b.WriteString(verb)
			if !w.steps[stDownload].empty() || !w.steps[stDecode].empty() || !w.steps[stDrop].empty() {
				b.WriteString(" it")
			} else {
				b.WriteString(" code")
			}
			b.WriteString(with)
			b.WriteString(cmds)
		case s.verbs > 0:
			b.WriteString(joinList(s.actions[:s.verbs], 2, ""))
		default:
			b.WriteString(verb)
			b.WriteString(" code: ")
			b.WriteString(joinList(s.actions, 2, ""))
		}
		if iocs != "" {
			b.WriteString(", involving ")
			b.WriteString(iocs)
		}
	case stC2:
		if iocs != "" {
			b.WriteString([]string{"opens a reverse shell to ", "connects back to ", "hands a remote shell to "}[w.pick(32, 3)])
			b.WriteString(iocs)
		} else {
			b.WriteString(verb)
		}
		w.detail(b, cmds, with, s)
	case stExfil:
		b.WriteString(verb)
		if iocs != "" {
			b.WriteString(" to ")
			b.WriteString(iocs)
		}
		w.detail(b, cmds, with, s)
	case stImpact:
		if s.verbs > 0 && cmds == "" {
			b.WriteString(joinList(s.actions[:s.verbs], 3, ""))
		} else {
			b.WriteString(verb)
			w.detail(b, cmds, with, s)
		}
		if iocs != "" {
			b.WriteString(", touching ")
			b.WriteString(iocs)
		}
	case stOther:
		b.WriteString("also shows ")
		b.WriteString(joinList(s.actions, 2, ""))
	case stPersist, stPrivEsc:
		b.WriteString(verb)
		w.detail(b, cmds, with, s)
		if iocs != "" {
			if len(s.actions) > 0 && cmds == "" || !w.allLocal(s.iocs) {
				b.WriteString(",")
			}
			if w.allLocal(s.iocs) {
				b.WriteString(" under ")
			} else {
				b.WriteString(" involving ")
			}
			b.WriteString(iocs)
		}
	default:
		if cmds == "" && s.verbs > 0 {
			// "steals browser password or cookie store" says more than
			// "steals credentials" followed by it.
			b.WriteString(joinList(s.actions[:s.verbs], 2, ""))
		} else {
			b.WriteString(verb)
			w.detail(b, cmds, with, s)
		}
		if iocs != "" {
			b.WriteString(", involving ")
			b.WriteString(iocs)
		}
	}
	b.WriteString(techSuffix(s.techs))
	return ev
}

// detail adds the commands of a step, or its actions when no command was
// recognised.
func (w *writer) detail(b sentence, cmds, with string, s *step) {
	switch {
	case cmds != "":
		b.WriteString(with)
		b.WriteString(cmds)
	case len(s.actions) > 0 && (len(s.iocs) == 0 || s.verbs > 0):
		b.WriteString(": ")
		b.WriteString(joinList(s.actions, 2, ""))
	}
}

func techSuffix(techs []string) string {
	if len(techs) == 0 {
		return ""
	}
	t := append([]string(nil), techs...)
	sort.Strings(t)
	var b strings.Builder
	b.Grow(3 + 11*min(len(t), maxTechsClause+1)) // " (" T1234.567, ... ")"
	b.WriteString(" (")
	for i, id := range t {
		if i == maxTechsClause {
			b.WriteString(" +")
			b.WriteString(strconv.Itoa(len(t) - i))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(id)
	}
	b.WriteByte(')')
	return b.String()
}

func iocID(c ioc.IOC) string { return "ioc:" + string(c.Type) + ":" + c.Value }

// iocList names the IOCs at idx, defanged and escaped, within the summary's
// budget, and adds their evidence ids.
func (w *writer) iocList(idx []int, ev *[]string) string {
	var names []string
	more := 0
	for _, i := range idx {
		if w.named >= maxIOCsNamed || len(names) >= maxIOCsClause {
			more++
			continue
		}
		c := w.r.IOCs[i]
		d, ok := showIOC(c)
		if !ok {
			more++
			continue
		}
		names = append(names, d)
		w.named++
		addUnique(ev, iocID(c))
	}
	if len(names) == 0 {
		return ""
	}
	if more > 0 {
		return joinList(names, len(names), "") + " and " + strconv.Itoa(more) + " more"
	}
	return joinList(names, len(names), "")
}

// showIOC returns the human form of an IOC: defanged, escaped, never a live
// scheme. Long or prose-like values are not shown.
func showIOC(c ioc.IOC) (string, bool) {
	if c.Value == "" || len(c.Value) > maxIOCLen {
		return "", false
	}
	d := c.Defanged
	if d == "" || c.Type == ioc.FilePath || c.Type == ioc.RegistryKey {
		// Paths and keys may hold hosts (UNC, /dev/tcp/<ip>/<port>) that
		// the extractor leaves as they are.
		d = ioc.Defang(c.Value)
	}
	d = safetext.Escape(d)
	d = defangSchemes(d)
	if proseLike(d) || techRef(d) || (c.Type == ioc.FilePath || c.Type == ioc.RegistryKey) && !tidyPath(d) {
		return "", false
	}
	return d, true
}

// allLocal reports whether the IOCs at idx are all paths or registry keys.
func (w *writer) allLocal(idx []int) bool {
	for _, i := range idx {
		if t := w.r.IOCs[i].Type; t != ioc.FilePath && t != ioc.RegistryKey {
			return false
		}
	}
	return true
}

// tidyPath reports a path made mostly of the characters paths are made of;
// the extractor sometimes returns fragments of obfuscated code.
func tidyPath(s string) bool {
	odd := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(`\/:._- ~$%()`, c) >= 0) {
			odd++
		}
	}
	if odd*10 > len(s) || strings.Contains(s, "%%") || strings.Contains(s, "@#") {
		return false
	}
	if strings.HasPrefix(s, "HK") && strings.Count(s, `\`) < 2 {
		return false // a cut-off key such as HKCU\Sof
	}
	return true
}

// defangSchemes rewrites any live scheme left in s (case-insensitive).
func defangSchemes(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	lower := asciiLower(s)
	var b strings.Builder
	last := 0
	for i := 0; i+3 <= len(s); i++ {
		if s[i:i+3] != "://" {
			continue
		}
		for _, sch := range [...]struct{ raw, def string }{{"https", "hxxps"}, {"http", "hxxp"}, {"ftp", "fxp"}} {
			if i >= len(sch.raw) && lower[i-len(sch.raw):i] == sch.raw {
				b.WriteString(s[last : i-len(sch.raw)])
				b.WriteString(sch.def)
				last = i
				break
			}
		}
	}
	b.WriteString(s[last:])
	return b.String()
}

// modelOnly is the behaviour sentence when nothing matched but the verdict
// still calls the sample malicious or suspicious.
func (w *writer) modelOnly() {
	b := w.begin()
	ev := []string{"verdict"}
	b.WriteString("No indicator or YARA rule matched, so no concrete behaviour can be named")
	if feats := w.positiveFeatures(&ev); feats != "" {
		b.WriteString("; the call rests on statistical features such as ")
		b.WriteString(feats)
		w.feats = true
	}
	b.WriteByte('.')
	w.end(ev)
}

// featurePhrase names a schema feature in the text, one phrase for each
// side of the training average. A positive contribution can come from
// either side: a negative weight on a value below average (a one-line
// script of a few bytes, when short samples were mostly malicious in
// training) pushes towards malicious as much as a positive weight on a
// value above it. Naming the side the value is on keeps the sentence true:
// "very long lines" for an eight-byte file would be false.
type featurePhrase struct {
	high, low string // low == "": the feature is not named when below average
}

// featurePhrases describe the model's schema features that the text may name.
var featurePhrases = map[string]featurePhrase{
	"feat:obfuscation_score":     {"a high obfuscation score", "a low obfuscation score"},
	"feat:entropy":               {"high text entropy", "low text entropy"},
	"feat:literal_entropy_max":   {"high-entropy string literals", ""},
	"feat:base64_blobs":          {"Base64 blobs", ""},
	"feat:hex_blobs":             {"hex blobs", ""},
	"feat:char_code_runs":        {"character-code runs", ""},
	"feat:layers":                {"decoded layers", ""},
	"feat:size":                  {"a large size", "a small size"},
	"feat:lines":                 {"many lines", "few lines"},
	"feat:line_length_max":       {"very long lines", "short lines"},
	"feat:line_length_mean":      {"long lines on average", "short lines on average"},
	"feat:token_length_max":      {"very long tokens", "short tokens"},
	"feat:symbol_ratio":          {"dense symbols", "sparse symbols"},
	"feat:whitespace_ratio":      {"much whitespace", "little whitespace"},
	"feat:comment_ratio":         {"many comments", "few comments"},
	"feat:decoded_ratio":         {"a high decoded-to-original ratio", ""},
	"feat:iocs_url":              {"URLs", ""},
	"feat:iocs_ip":               {"IP addresses", ""},
	"feat:non_ascii_ratio":       {"non-ASCII text", ""},
	"feat:indicators_in_decoded": {"findings inside decoded layers", ""},
}

// featureName is the phrase for contribution c (a positive one), or "".
func featureName(c analysis.Contribution) string {
	p, ok := featurePhrases[c.Feature]
	if !ok || c.Weight == 0 {
		return ""
	}
	// contribution = weight * standardized value: their signs agree when
	// the value is above the training average.
	if (c.Contribution > 0) == (c.Weight > 0) {
		return p.high
	}
	return p.low
}

// positiveFeatures names up to three schema features that pushed the model
// towards malicious, adding "feature:<name>" evidence ids.
func (w *writer) positiveFeatures(ev *[]string) string {
	var names []string
	for _, c := range w.r.Verdict.Contributions {
		if c.Contribution <= 0 || len(names) == 3 {
			continue
		}
		if n := featureName(c); n != "" && !contains(names, n) {
			names = append(names, n)
			addUnique(ev, "feature:"+strings.TrimPrefix(c.Feature, "feat:"))
		}
	}
	return joinList(names, 3, "")
}

// ranked returns the findings by strength: the model's positive
// contributions first when the model decided, then severity, then order.
func (w *writer) ranked() []int {
	idx := make([]int, len(w.fs))
	for i := range idx {
		idx[i] = i
	}
	weight := map[string]float64{}
	if strings.HasPrefix(w.r.Verdict.Source, "model") {
		for _, c := range w.r.Verdict.Contributions {
			if c.Contribution <= 0 {
				continue
			}
			switch {
			case strings.HasPrefix(c.Feature, "ind:"):
				weight[c.Feature[4:]] += c.Contribution
			case strings.HasPrefix(c.Feature, "yara:"):
				weight[c.Feature] += c.Contribution
			}
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		fa, fb := &w.fs[idx[a]], &w.fs[idx[b]]
		if wa, wb := weight[fa.id], weight[fb.id]; wa != wb {
			return wa > wb
		}
		if fa.sev != fb.sev {
			return fa.sev > fb.sev
		}
		return fa.order < fb.order
	})
	return idx
}

func score(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// findingName names a finding for the verdict sentence.
func (w *writer) findingName(f *finding) string {
	if f.yara {
		return "YARA rule " + safetext.Escape(strings.TrimPrefix(f.id, "yara:"))
	}
	return "\"" + clip(safetext.Escape(f.title), 80) + "\" (" + f.sev.String() + ")"
}

// verdictLine is the last sentence: the verdict, who made it and why.
func (w *writer) verdictLine() {
	r := w.r
	v := r.Verdict
	ev := []string{"verdict"}
	b := w.begin()
	label := v.Label.String()
	var src string
	switch {
	case v.Source == "rules":
		src = "rule-based"
	case strings.HasPrefix(v.Source, "model"):
		src = "model"
	default:
		src = ""
	}
	rank := w.ranked()
	var top []string
	var quoted string
	for _, i := range rank {
		f := &w.fs[i]
		if len(top) == 3 || f.sev < indicators.SeverityMedium && len(top) > 0 {
			break
		}
		name := w.findingName(f)
		if len(top) == 0 {
			if frag := fragment(f); frag != "" {
				quoted = frag
			}
		}
		top = append(top, name)
		addUnique(&ev, f.id)
	}
	topText := joinList(top, 3, "")
	if len(top) > 0 && quoted != "" {
		topText = top[0] + ", matching \"" + quoted + "\""
		if len(top) > 1 {
			rest := joinList(top[1:], 2, "")
			topText += ", together with " + rest
		}
	}
	switch {
	case v.Label == verdict.Unknown:
		b.WriteString("The verdict is unknown")
		if len(v.Reasons) > 0 {
			b.WriteString(": ")
			b.WriteString(strings.TrimRight(clip(safetext.Escape(v.Reasons[0]), 120), "."))
		} else if src == "" {
			b.WriteString(": no verdict was reached")
		}
		if len(top) > 0 {
			b.WriteString("; the strongest finding is ")
			b.WriteString(top[0])
		}
	case v.Source == "model+rules":
		b.WriteString("The model scored it ")
		b.WriteString(score(v.Score))
		b.WriteString(", but a critical finding raised the verdict to ")
		b.WriteString(label)
		if topText != "" {
			b.WriteString(": ")
			b.WriteString(topText)
		}
	case v.Label == verdict.Benign && w.story():
		switch w.pick(50, 2) {
		case 0:
			b.WriteString("Despite these findings the ")
			b.WriteString(src)
			b.WriteString(" verdict is benign (score ")
		default:
			b.WriteString("Even so, it is judged benign by the ")
			b.WriteString(srcNoun(src))
			b.WriteString(" (score ")
		}
		b.WriteString(score(v.Score))
		b.WriteString(")")
		if topText != "" {
			b.WriteString("; the strongest finding is ")
			b.WriteString(top[0])
		}
	case v.Label == verdict.Benign:
		switch w.pick(51, 2) {
		case 0:
			b.WriteString("Verdict: benign (")
			b.WriteString(src)
			b.WriteString(" score ")
		default:
			b.WriteString("It is judged benign (")
			b.WriteString(src)
			b.WriteString(" score ")
		}
		b.WriteString(score(v.Score))
		b.WriteString("): ")
		b.WriteString(w.checked(&ev))
	default:
		switch w.pick(52, 3) {
		case 0:
			b.WriteString("Verdict: ")
			b.WriteString(label)
			b.WriteString(" (")
			b.WriteString(src)
			b.WriteString(" score ")
			b.WriteString(score(v.Score))
			b.WriteString(")")
			if topText != "" {
				b.WriteString(", driven mainly by ")
			}
		case 1:
			b.WriteString("It is rated ")
			b.WriteString(label)
			b.WriteString(" with a ")
			b.WriteString(src)
			b.WriteString(" score of ")
			b.WriteString(score(v.Score))
			if topText != "" {
				b.WriteString("; the strongest evidence is ")
			}
		default:
			b.WriteString("The ")
			b.WriteString(srcNoun(src))
			b.WriteString(" calls it ")
			b.WriteString(label)
			b.WriteString(" at ")
			b.WriteString(score(v.Score))
			if topText != "" {
				b.WriteString(", chiefly because of ")
			}
		}
		b.WriteString(topText)
		if len(top) == 0 && !w.feats {
			if feats := w.positiveFeatures(&ev); feats != "" {
				b.WriteString(", on statistical features such as ")
				b.WriteString(feats)
			}
		}
	}
	if w.extra > 0 {
		b.WriteString(" (")
		b.WriteString(plural(w.extra, "further finding is", "further findings are"))
		b.WriteString(" listed in the report)")
	}
	b.WriteByte('.')
	w.end(ev)
}

func srcNoun(src string) string {
	switch src {
	case "rule-based":
		return "rule engine"
	case "":
		return "engine"
	}
	return src
}

// checked says what found nothing, for benign verdicts.
func (w *writer) checked(ev *[]string) string {
	var b strings.Builder
	b.Grow(128) // the longest form is about 110 bytes
	if w.o.catLen > 0 {
		b.WriteString("the ")
		b.WriteString(strconv.Itoa(w.o.catLen))
		b.WriteString(" behaviour indicators")
	} else {
		b.WriteString("the behaviour indicators")
	}
	b.WriteString(", the YARA rules and IOC extraction ran over ")
	n := len(w.r.Layers)
	if n == 0 {
		n = 1
	}
	b.WriteString(plural(n, "layer", "layers"))
	if len(w.fs) == 0 {
		b.WriteString(" without a single finding")
	} else {
		b.WriteString(" and found nothing above low severity")
	}
	if len(w.r.Layers) > 0 {
		addUnique(ev, "layer:0")
	}
	return b.String()
}

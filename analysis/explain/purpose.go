package explain

import (
	"strings"

	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/internal/safetext"
)

// hitPurposes infer what a benign script is for from its low-severity
// findings (admin scripts trip dual-use indicators).
var hitPurposes = []struct{ prefix, phrase string }{
	{"disc.", "collects inventory or diagnostic information about the host"},
	{"persist.schtasks", "registers a scheduled task"},
	{"persist.ps_scheduled_task", "registers a scheduled task"},
	{"persist.run_key", "sets up an autostart entry"},
	{"persist.account_create", "manages local accounts"},
	{"persist.admin_group_add", "manages local accounts"},
	{"persist.systemd_unit", "installs a system service"},
	{"persist.service_create", "installs a system service"},
	{"persist.cron", "schedules a cron job"},
	{"evasion.firewall_rule_allow", "configures firewall rules"},
	{"lateral.", "administers remote machines"},
	{"download.", "downloads files"},
	{"exec.", "starts other programs"},
}

// iocPurposes infer the purpose from the paths, hosts and URLs a script
// works with. Keys are lower-case substrings of the IOC value.
var iocPurposes = []struct {
	keys   []string
	phrase string
}{
	{[]string{"backup", "pg_dump", "mysqldump", ".bak", "snapshot"}, "backs up data"},
	{[]string{"pypi", "npmjs", "nuget", "chocolatey", "packages", "/repo", "releases", "download", "github", "apt.", "dl."}, "installs or updates software"},
	{[]string{"deploy", "release", "inetpub", "/var/www", "wwwroot", "artifact", "/build", "\\build"}, "builds or deploys an application"},
	{[]string{"\\logs", "/logs", "/var/log", ".log"}, "manages log files"},
	{[]string{"\\temp", "/tmp", "cache"}, "handles temporary files"},
	{[]string{"cert", "letsencrypt", ".pem", ".crt"}, "maintains certificates"},
	{[]string{"report", ".csv", ".html"}, "produces a report"},
}

// iocPurposeKeys holds the keys of iocPurposes, in the same order, for
// lowerText.has.
var iocPurposeKeys = func() [][]pairKey {
	out := make([][]pairKey, len(iocPurposes))
	for i, p := range iocPurposes {
		for _, k := range p.keys {
			out[i] = append(out[i], newPairKey(k))
		}
	}
	return out
}()

// purpose is the benign story: what the script appears to be for, or what
// was checked when nothing stands out.
func (w *writer) purpose() {
	var phrases []string
	var ev []string
	for i := range w.fs {
		f := &w.fs[i]
		for _, p := range hitPurposes {
			if strings.HasPrefix(f.id, p.prefix) {
				if !contains(phrases, p.phrase) {
					phrases = append(phrases, p.phrase)
				}
				addUnique(&ev, f.id)
				break
			}
		}
	}
	n := min(len(w.r.IOCs), maxIOCsScanned)
	all := make([]int, 0, n)
	for i := 0; i < n; i++ {
		c := w.r.IOCs[i]
		all = append(all, i)
		var buf [256]byte
		lower := newLowerText(buf[:0], c.Value)
		for pi, p := range iocPurposes {
			for ki := range p.keys {
				if lower.has(&iocPurposeKeys[pi][ki]) {
					if !contains(phrases, p.phrase) {
						phrases = append(phrases, p.phrase)
					}
					addUnique(&ev, iocID(c))
					break
				}
			}
		}
	}
	b := w.begin()
	list := ""
	if len(all) > 0 {
		list = w.iocList(all, &ev)
		if hidden := len(w.r.IOCs) - n; hidden > 0 && list != "" {
			list += " (" + plural(hidden, "further IOC", "further IOCs") + " in the report)"
		}
	}
	if len(phrases) > 0 {
		switch w.pick(60, 3) {
		case 0:
			b.WriteString("Its apparent purpose is routine work: it ")
		case 1:
			b.WriteString("It reads as an administrative or maintenance script that ")
		default:
			b.WriteString("Taken as a whole, it ")
		}
		b.WriteString(joinList(phrases, 3, ""))
		if list != "" {
			b.WriteString(", working with ")
			b.WriteString(list)
		}
	} else {
		if len(ev) == 0 {
			ev = append(ev, "verdict")
			if len(w.r.Layers) > 0 {
				ev = append(ev, "layer:0")
			}
		}
		switch w.pick(61, 2) {
		case 0:
			if len(w.fs) > 0 {
				b.WriteString("No malicious behaviour stands out: beyond low-severity findings, nothing in it matched a download cradle, persistence, defence tampering, credential theft or a reverse shell")
				break
			}
			b.WriteString("No malicious behaviour was found: nothing in it matched a download cradle, persistence, defence tampering, credential theft or a reverse shell")
		default:
			if len(w.fs) > 0 {
				b.WriteString("Apart from low-severity findings, nothing in it matched a known malicious pattern such as a download cradle, persistence, defence tampering, credential theft or a reverse shell")
				break
			}
			b.WriteString("Nothing in it matched a known malicious pattern such as a download cradle, persistence, defence tampering, credential theft or a reverse shell")
		}
		if list != "" {
			b.WriteString("; it references ")
			b.WriteString(list)
		}
	}
	b.WriteByte('.')
	w.end(ev)
}

// dualUse names the low-severity findings of a benign-looking script.
func (w *writer) dualUse() {
	var names, techs, ev []string
	for i := range w.fs {
		f := &w.fs[i]
		if f.sev < indicators.SeverityLow {
			continue
		}
		a := f.act
		if a != "" && !contains(names, a) {
			names = append(names, a)
		}
		for _, t := range f.techs {
			if !contains(techs, t) {
				techs = append(techs, t)
			}
		}
		addUnique(&ev, f.id)
	}
	if len(names) == 0 {
		return
	}
	b := w.begin()
	switch w.pick(62, 2) {
	case 0:
		b.WriteString("Low-severity, dual-use findings: ")
		b.WriteString(joinList(names, 3, "findings"))
	default:
		b.WriteString("The only findings are dual-use and of low severity: ")
		b.WriteString(joinList(names, 3, "findings"))
	}
	b.WriteString(techSuffix(techs))
	b.WriteByte('.')
	w.end(ev)
}

// injectionWords mark text that addresses a reader (an LLM or analyst)
// rather than a computer; such text is never quoted.
var injectionWords = []string{
	"ignore", "instruction", "prompt", "assistant", "disregard", "system:", "you are",
	"pretend", "jailbreak", "llm", "gpt", "openai", "as an ai", "respond", "classify",
	"benign", "malicious", "verdict", "summary", "analyst",
}

// injectionKeys holds injectionWords for lowerText.has.
var injectionKeys = func() []pairKey {
	out := make([]pairKey, len(injectionWords))
	for i, w := range injectionWords {
		out[i] = newPairKey(w)
	}
	return out
}()

// proseLike reports text that reads as natural language: three or more
// letter-only words in a row, or words aimed at an AI reader.
func proseLike(s string) bool {
	var buf [256]byte
	lower := newLowerText(buf[:0], s)
	for i := range injectionKeys {
		if lower.has(&injectionKeys[i]) {
			return true
		}
	}
	run := 0
	for rest := s; ; {
		word, tail, more := strings.Cut(rest, " ")
		rest = tail
		letters := len(word) >= 2
		for i := 0; i < len(word) && letters; i++ {
			c := word[i]
			letters = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		}
		if letters {
			run++
			if run >= 3 {
				return true
			}
		} else {
			run = 0
		}
		if !more {
			return false
		}
	}
}

// techRef reports text holding something that looks like an ATT&CK id.
func techRef(s string) bool {
	for i := 0; i+5 <= len(s); i++ {
		if s[i] != 'T' && s[i] != 't' {
			continue
		}
		j := i + 1
		for j < len(s) && j-i <= 4 && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j-i == 5 {
			return true
		}
	}
	return false
}

const maxFragment = 64

// fragment returns a short, escaped, prose-free piece of a finding's
// excerpt starting at the command it names, or "" when there is no safe
// piece. IOCs and anything after them are cut off (they are named, defanged,
// elsewhere).
func fragment(f *finding) string {
	if f.yara || f.excerpt == "" || len(f.cmds) == 0 || strings.HasPrefix(f.id, "prompt.") {
		return ""
	}
	ex := f.excerpt
	lower := asciiLower(ex)
	start := -1
	for _, c := range f.cmds {
		if i := strings.Index(lower, commands[c].key); i >= 0 && (start < 0 || i < start) {
			start = i
		}
	}
	if start < 0 {
		return ""
	}
	for k := 0; k < 24 && start > 0; k++ {
		c := ex[start-1]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c == '.' || c == '-' || c == '[' || c == ']') {
			break
		}
		start--
	}
	end := min(len(ex), start+maxFragment)
	for end < len(ex) && end > start && ex[end]&0xC0 == 0x80 {
		end--
	}
	frag := ex[start:end]
	cut := len(frag)
	if found := ioc.Extract(frag, 0); len(found) > 0 {
		for _, c := range found {
			cut = min(cut, c.Offset)
		}
	}
	for _, stop := range []string{"://", "\\\\", ". ", "? ", "! ", "\"", "`"} {
		if i := strings.Index(frag[:cut], stop); i >= 0 {
			cut = i
			if stop == "://" {
				for cut > 0 && (frag[cut-1] >= 'a' && frag[cut-1] <= 'z' || frag[cut-1] >= 'A' && frag[cut-1] <= 'Z') {
					cut--
				}
			}
		}
	}
	cut = blobStart(frag[:cut])
	frag = strings.Join(strings.Fields(frag[:cut]), " ")
	frag = strings.TrimRight(frag, " ,;")
	if len(frag) < 6 || proseLike(frag) || techRef(frag) {
		return ""
	}
	frag = safetext.Escape(frag)
	if cut < len(ex[start:end]) || end < len(ex) {
		frag += "…"
	}
	return frag
}

// blobStart returns where a long Base64, hex or character-code run starts
// in s (keeping a few of its characters), or len(s): blobs say nothing to a
// reader.
func blobStart(s string) int {
	run, num := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+' || c == '/' || c == '=':
			run++
			num = 0
		case c >= '0' && c <= '9':
			run++
			num++
		case c == ',' || c == ' ':
			run = 0
			if c == ',' {
				num++
			}
		default:
			run, num = 0, 0
		}
		if run == 24 {
			return i - 24 + 5
		}
		if num == 16 {
			return i - 16 + 5
		}
	}
	return len(s)
}

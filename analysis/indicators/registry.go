package indicators

import "github.com/automaldesc/automaldesc/analysis/lang"

// registry lists every indicator of the default catalog, area by area. Each
// area lives in its own file; adding an indicator means adding it there.
func registry() []Indicator {
	var all []Indicator
	for _, area := range [][]Indicator{
		downloadIndicators(),
		executionIndicators(),
		evasionIndicators(),
		persistenceIndicators(),
		credentialIndicators(),
		discoveryIndicators(),
		lateralIndicators(),
		shellIndicators(),
		impactIndicators(),
		lolbinIndicators(),
		obfuscationIndicators(),
		packagingIndicators(),
		injectionIndicators(),
		exfiltrationIndicators(),
		promptIndicators(),
	} {
		all = append(all, area...)
	}
	return all
}

// Language scopes used by the registry files.
var (
	psOnly  = []lang.Language{lang.PowerShell}
	jsOnly  = []lang.Language{lang.JavaScript}
	vbsOnly = []lang.Language{lang.VBScript}
	batOnly = []lang.Language{lang.Batch}
	shOnly  = []lang.Language{lang.Bash}
	pyOnly  = []lang.Language{lang.Python}
	// winCmd: Windows command lines, written directly (batch, PowerShell) or
	// spawned from a script host or a Python dropper.
	winCmd = []lang.Language{lang.PowerShell, lang.Batch, lang.VBScript, lang.JavaScript, lang.Python}
	// winHost: Windows Script Host languages.
	winHost = []lang.Language{lang.VBScript, lang.JavaScript}
	// unixCmd: Unix command lines, written in shell or spawned from Python
	// or Node.js.
	unixCmd = []lang.Language{lang.Bash, lang.Python, lang.JavaScript}
	// psBat: PowerShell and batch.
	psBat = []lang.Language{lang.PowerShell, lang.Batch}
)

// rx is a rule whose regexp (case-insensitive) must match on a line holding
// one of the anchors. An empty pattern means the anchor alone is the match.
func rx(pattern string, anchors ...string) rule {
	return rule{cond: cond{anchors: anchors, re: pattern}}
}

// rxc is rx with a case-sensitive regexp.
func rxc(pattern string, anchors ...string) rule {
	return rule{cond: cond{anchors: anchors, re: pattern, cs: true}}
}

// fnr is a rule computed by fn, run only when one of anchors occurs (always
// when there are none).
func fnr(fn func(text, lower string) int, anchors ...string) rule {
	return rule{cond: cond{anchors: anchors}, fn: fn}
}

// and adds a condition that must also hold somewhere in the layer.
func (r rule) and(pattern string, anchors ...string) rule {
	r.with = append(append([]cond(nil), r.with...), cond{anchors: anchors, re: pattern})
	return r
}

// andc is and with a case-sensitive regexp.
func (r rule) andc(pattern string, anchors ...string) rule {
	r.with = append(append([]cond(nil), r.with...), cond{anchors: anchors, re: pattern, cs: true})
	return r
}

// not adds a condition that suppresses the indicator when it holds anywhere
// in the layer.
func (r rule) not(pattern string, anchors ...string) rule {
	r.without = append(append([]cond(nil), r.without...), cond{anchors: anchors, re: pattern})
	return r
}

func techs(ids ...string) []string { return ids }
func fx(s ...string) []string      { return s }

package indicators

import (
	"github.com/automaldesc/automaldesc/analysis/lang"
)

// Indicator is one static behaviour the catalog recognises.
type Indicator struct {
	ID          string   // stable dotted id, e.g. "ps.exec.iex_download"
	Title       string   // short human title
	Description string   // what it means and why it matters
	Severity    Severity // how strongly it points at malicious intent on its own
	Techniques  []string // active ATT&CK technique ids
	Tactic      string   // primary tactic short name, e.g. "execution"
	Languages   []lang.Language
	// TruePositives and FalsePositives are inline fixtures, written for this
	// project and inert. In a true positive, "§" marks where the hit must
	// start (it is removed before scanning); without it the hit must start
	// at line 1, column 1.
	TruePositives  []string
	FalsePositives []string

	m rule
}

// rule is how an indicator matches. The primary condition locates the hit;
// every "with" condition must also hold somewhere in the layer and no
// "without" condition may hold.
type rule struct {
	cond
	with    []cond
	without []cond
	// fn, when set, replaces the primary condition's regexp: it gets the
	// layer and its ASCII-lower-cased copy and returns the hit offset or -1.
	// It runs only when one of the primary anchors occurs (or always when
	// there are none). It must be linear in the text.
	fn func(text, lower string) int
}

// cond is a set of lower-case anchor literals (any of them) and an optional
// regexp that must match on a line holding one of them.
type cond struct {
	anchors []string
	re      string
	cs      bool // the regexp is case-sensitive (default: case-insensitive)
}

// appliesTo reports whether the indicator is scoped to l. Unknown layers get
// every indicator.
func (ind *Indicator) appliesTo(l lang.Language) bool {
	if len(ind.Languages) == 0 || l == lang.Unknown {
		return true
	}
	for _, x := range ind.Languages {
		if x == l {
			return true
		}
	}
	return false
}

// Hit is one indicator found in one layer, at its first occurrence.
type Hit struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Severity   Severity `json:"severity"`
	Techniques []string `json:"techniques,omitempty"`
	Tactic     string   `json:"tactic,omitempty"`
	Layer      int      `json:"layer"`
	Line       int      `json:"line"`   // 1-based, in that layer
	Column     int      `json:"column"` // 1-based, in Unicode code points
	// Excerpt is the matched line, trimmed to at most 160 bytes around the
	// match. It is attacker-controlled text: escape it wherever it is shown.
	Excerpt string `json:"excerpt"`
	// Count is a lower bound on how many lines of the layer match: lines are
	// counted from the first hit until a line with the anchor does not
	// match, capped at MaxCount. Statistical indicators report 1.
	Count int `json:"count"`
}

package explain

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/internal/safetext"
)

// Resolves reports whether the evidence id names something in r: an
// indicator hit id, "yara:<rule>", "ioc:<type>:<value>", "layer:<n>",
// "language:<name>" (the report's language), "feature:<name>" (a model
// feature), "verdict" or "status".
func Resolves(r *analysis.Report, id string) bool {
	switch {
	case id == "verdict":
		return true
	case id == "status":
		return r.Status != analysis.StatusOK || r.Reason != ""
	case strings.HasPrefix(id, "yara:"):
		rule := id[len("yara:"):]
		for _, m := range r.YARA {
			if m.Rule == rule {
				return true
			}
		}
		return false
	case strings.HasPrefix(id, "ioc:"):
		typ, val, ok := strings.Cut(id[len("ioc:"):], ":")
		if !ok {
			return false
		}
		for _, c := range r.IOCs {
			if string(c.Type) == typ && c.Value == val {
				return true
			}
		}
		return false
	case strings.HasPrefix(id, "layer:"):
		n, err := strconv.Atoi(id[len("layer:"):])
		return err == nil && n >= 0 && n < len(r.Layers)
	case strings.HasPrefix(id, "feature:"):
		name := id[len("feature:"):]
		if _, ok := r.Features[name]; ok {
			return true
		}
		for _, c := range r.Verdict.Contributions {
			if c.Feature == "feat:"+name {
				return true
			}
		}
		return false
	case strings.HasPrefix(id, "language:"):
		return id[len("language:"):] == r.Language.Language.String()
	}
	for _, h := range r.Indicators {
		if h.ID == id {
			return true
		}
	}
	return false
}

var techniqueRe = regexp.MustCompile(`\bT\d{4}(?:\.\d{3})?\b`)

// liveSchemes must never appear in human-facing text.
var liveSchemes = []string{"http://", "https://", "ftp://"}

// networkTypes are the IOC kinds Validate looks for in the text.
var networkTypes = map[ioc.Type]bool{ioc.URL: true, ioc.Domain: true, ioc.IPv4: true, ioc.IPv6: true, ioc.Email: true}

// quotesStatus reports a claim whose only evidence is the report's status
// (and verdict): it quotes the engine's reason for a skipped or failed
// analysis.
func quotesStatus(c analysis.Claim) bool {
	if len(c.Evidence) == 0 {
		return false
	}
	for _, e := range c.Evidence {
		if e != "status" && e != "verdict" {
			return false
		}
	}
	return slices.Contains(c.Evidence, "status")
}

// Validate checks that x is grounded in r: the summary is the claims'
// texts joined by spaces, every claim cites evidence and every id resolves,
// every ATT&CK id and every network IOC in the text is in the report, no
// live URL scheme is shown and no control or invisible character appears.
// It applies to any explainer's output; the error joins every problem.
func Validate(r *analysis.Report, x analysis.Explanation) error {
	var errs []error
	texts := make([]string, len(x.Claims))
	for i, c := range x.Claims {
		texts[i] = c.Text
		if len(c.Evidence) == 0 {
			errs = append(errs, fmt.Errorf("claim %d %q: no evidence", i, clip(c.Text, 60)))
		}
		for _, id := range c.Evidence {
			if !Resolves(r, id) {
				errs = append(errs, fmt.Errorf("claim %d: evidence %q not in the report", i, clip(safetext.Escape(id), 120)))
			}
		}
	}
	if len(x.Claims) == 0 {
		errs = append(errs, errors.New("no claims"))
	}
	if j := strings.Join(texts, " "); j != x.Summary {
		errs = append(errs, errors.New("summary is not the claims' texts joined by spaces"))
	}
	// Grounding applies to what the explanation says about the sample;
	// a claim that only quotes the report's status reason is exempt.
	grounded := make([]string, 0, len(x.Claims))
	for _, c := range x.Claims {
		if !quotesStatus(c) {
			grounded = append(grounded, c.Text)
		}
	}
	if len(x.Claims) == 0 {
		grounded = append(grounded, x.Summary)
	}
	s := strings.Join(grounded, " ")
	known := map[string]bool{}
	for _, t := range r.Techniques {
		known[t.ID] = true
	}
	for _, h := range r.Indicators {
		for _, t := range h.Techniques {
			known[t] = true
		}
	}
	for _, m := range r.YARA {
		for _, t := range m.Techniques {
			known[t] = true
		}
	}
	for _, t := range techniqueRe.FindAllString(s, -1) {
		if !known[t] {
			errs = append(errs, fmt.Errorf("technique %s is not in the report", t))
		}
	}
	lower := strings.ToLower(x.Summary)
	for _, sch := range liveSchemes {
		if strings.Contains(lower, sch) {
			errs = append(errs, fmt.Errorf("live scheme %q in the text", sch))
		}
	}
	for _, c := range ioc.Extract(s, 0) {
		if !networkTypes[c.Type] {
			continue
		}
		if !iocInReport(r, c.Value) {
			errs = append(errs, fmt.Errorf("%s %q is not in the report", c.Type, clip(safetext.Escape(c.Value), 120)))
		}
	}
	if !utf8.ValidString(x.Summary) {
		errs = append(errs, errors.New("summary is not valid UTF-8"))
	}
	for _, c := range x.Summary {
		if c < 0x20 || c == 0x7f || safetext.Invisible(c) {
			errs = append(errs, fmt.Errorf("control or invisible character %U in the text", c))
			break
		}
	}
	return errors.Join(errs...)
}

// iocInReport accepts a value found in the text when the report holds it,
// or holds a longer IOC that contains it (the host of a reported URL).
func iocInReport(r *analysis.Report, v string) bool {
	lv := strings.ToLower(v)
	for _, c := range r.IOCs {
		if c.Value == v || strings.Contains(strings.ToLower(c.Value), lv) {
			return true
		}
	}
	return false
}

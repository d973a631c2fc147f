package loop

import (
	"context"
	"regexp"
	"strings"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

// Judge reaches a label from an explanation's text alone (the coherence
// filter). JudgeSummary may be called concurrently.
type Judge interface {
	JudgeSummary(ctx context.Context, summary string) (verdict.Label, error)
}

// LLMView is what the loop needs of an LLM: a label for a report at a
// sampling temperature (with the LLM's confidence), and a summary-only
// judgement. (*llm.Explainer) of analysis/explain/llm is meant to satisfy
// it. Both methods may be called concurrently.
type LLMView interface {
	Judge
	Label(ctx context.Context, r *analysis.Report, temperature float64) (verdict.Label, float64, error)
}

// verdictWords are masked before a summary is judged, so that the judge
// reads the evidence the summary gives, not the label it states.
var verdictWords = regexp.MustCompile(`(?i)\b(malicious|benign|suspicious|malware|harmless)\b`)

// MaskVerdict replaces the label words of a summary with "[label]".
func MaskVerdict(summary string) string {
	return verdictWords.ReplaceAllString(summary, "[label]")
}

// OfflineJudge is the coherence judge used without an LLM: a keyword and
// severity reading of the (masked) explanation text.
//
// It scores each sentence: a severity marker "(critical)" counts 3,
// "(high)" 2, "(medium)" 1; every distinct ATT&CK id 0.5 (at most 3 in
// all); every distinct behaviour phrase (download, persistence, injection,
// credential theft, hidden window, reverse shell, ...) 1 (at most 4).
// Sentences that deny (e.g. "nothing in it matched a download cradle")
// score nothing and count as a clean statement instead. The summary reads
// malicious at a score of at least 2, benign when it scores below 1 and
// states that nothing of concern was found, and unknown otherwise.
//
// Limits: it knows English phrasing and is tuned to the offline
// explainer's vocabulary; an LLM's free wording with the same meaning may
// read unknown (the sample is then rejected - conservative, never a wrong
// label); it cannot tell a well-argued explanation from a keyword-stuffed
// one, which is why grounding (explain.Validate) runs before it; a
// malicious verdict resting only on statistical features ("no concrete
// behaviour can be named") reads unknown by design.
type OfflineJudge struct{}

var _ Judge = OfflineJudge{}

var (
	techRe     = regexp.MustCompile(`\bT\d{4}(?:\.\d{3})?\b`)
	sentenceRe = regexp.MustCompile(`[.;:]\s+`)
)

// behaviour phrases, lower case; each counts once.
var behaviours = []string{
	"download", "fetches", "retriev", "drops ", "writes a payload", "launches", "runs it", "executes", "starts it",
	"persist", "scheduled task", "run key", "startup folder", "service", "cron", "autorun",
	"inject", "shellcode", "virtualalloc", "reflective", "process hollow",
	"credential", "password", "lsass", "mimikatz", "keylog", "cookie", "wallet", "token",
	"exfiltrat", "uploads", "sends ", "c2", "command-and-control", "beacon", "reverse shell", "bind shell",
	"disables", "tamper", "bypass", "amsi", "defender", "hidden", "obfuscat", "encoded", "decodes", "unpacks",
	"miner", "stratum", "ransom", "encrypts files", "shadow cop", "wipe", "deletes",
	"lateral", "remote execution", "psexec", "wmi", "privilege", "escalat", "uac",
	"discovery", "enumerat", "reconnaissance",
}

// denials mark a sentence that says nothing was found.
var denials = []string{
	"nothing in it matched", "without a single finding", "no [label] behaviour",
	"no rule or indicator matched", "found nothing above low severity",
	"no indicator or yara rule matched", "no concrete behaviour",
}

// cleanStatements are denials that positively state a clean result (the
// last two denials only say nothing could be named).
var cleanStatements = []string{
	"nothing in it matched", "without a single finding", "no [label] behaviour",
	"no rule or indicator matched", "found nothing above low severity",
	"apparent purpose is routine", "administrative or maintenance script",
	"dual-use and of low severity", "low-severity, dual-use findings",
}

// JudgeSummary reads the masked summary and returns malicious, benign or
// unknown. It never fails.
func (OfflineJudge) JudgeSummary(_ context.Context, summary string) (verdict.Label, error) {
	return judgeText(MaskVerdict(summary)), nil
}

func judgeText(masked string) verdict.Label {
	lower := strings.ToLower(masked)
	var score float64
	clean := false
	for _, c := range cleanStatements {
		if strings.Contains(lower, c) {
			clean = true
			break
		}
	}
	seenB := map[string]bool{}
	seenT := map[string]bool{}
	for _, sent := range sentenceRe.Split(masked, -1) {
		ls := strings.ToLower(sent)
		denied := false
		for _, d := range denials {
			if strings.Contains(ls, d) {
				denied = true
				break
			}
		}
		if denied {
			continue
		}
		score += 3*float64(strings.Count(ls, "(critical)")) + 2*float64(strings.Count(ls, "(high)")) + float64(strings.Count(ls, "(medium)"))
		for _, t := range techRe.FindAllString(sent, -1) {
			seenT[t] = true
		}
		for _, b := range behaviours {
			if strings.Contains(ls, b) {
				seenB[b] = true
			}
		}
	}
	score += 0.5*float64(min(len(seenT), 6)) + float64(min(len(seenB), 4))
	switch {
	case score >= 2:
		return verdict.Malicious
	case score < 1 && clean:
		return verdict.Benign
	}
	return verdict.Unknown
}

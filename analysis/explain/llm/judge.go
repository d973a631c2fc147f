package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/verdict"
)

// Label asks the LLM for its own label of r at the given temperature, for
// the self-paced learning loop (an independent view to check pseudo-labels
// against; several calls at a temperature above 0 measure consistency).
// The label is verdict.Benign or verdict.Malicious. The probability is the
// model's probability of that label computed from the token logprobs when
// the server returns them (OpenAI, vLLM, llama.cpp do; reasoning models and
// some Ollama versions do not), else -1. Long scripts are read through the
// map step's notes (cached per sample), like Explain. Label is not cached
// and does not fall back: any failure, including an open circuit breaker,
// is returned as an error.
func (e *Explainer) Label(ctx context.Context, r *analysis.Report, temperature float64) (verdict.Label, float64, error) {
	if r == nil {
		return verdict.Unknown, -1, errors.New("llm label: nil report")
	}
	if temperature < 0 || temperature > 2 {
		return verdict.Unknown, -1, fmt.Errorf("llm label: temperature %g is outside 0..2", temperature)
	}
	script := ""
	if e.opt.Script != nil {
		if s, err := e.opt.Script.Script(ctx, r); err == nil {
			script = s
		}
	}
	maxTokens := 32
	p := newPrompt(r, 0)
	bud := e.budgetFor(systemLabel, len(p.findings), maxTokens)
	p = newPrompt(r, bud.evidence)
	text := neutralize(script)
	var data string
	switch {
	case text == "":
		data = "[the original script text is not available; use the excerpts and decoded layers]\n"
	case len(text) <= bud.data:
		data = fmt.Sprintf("[script, %d bytes]\n%s", len(script), text)
	default:
		notes, n, err := e.notes(ctx, r, p, text)
		if err != nil {
			return verdict.Unknown, -1, fmt.Errorf("llm label %s: %w", r.Sample.SHA256, err)
		}
		data = fmt.Sprintf("[the script was too long for one reading: notes on its %d parts follow]\n%s", n,
			clip(notesText(notes, 0, len(notes), max(256, bud.data/max(1, len(notes)))), bud.data))
	}
	l, prob, err := e.askLabel(ctx, request{kind: "label", system: p.system(systemLabel),
		user: p.user(data, "Answer with the JSON object only."), maxTokens: maxTokens, temperature: temperature, logprobs: true})
	if err != nil {
		return verdict.Unknown, -1, fmt.Errorf("llm label %s: %w", r.Sample.SHA256, err)
	}
	return l, prob, nil
}

// JudgeSummary asks the LLM to label a sample from its explanation alone
// (a summary-only judge, at temperature 0): the learning loop uses it to
// keep pseudo-labels whose explanation supports them. The label is
// verdict.Benign or verdict.Malicious. The summary is treated as untrusted
// data. Failures are returned as errors.
func (e *Explainer) JudgeSummary(ctx context.Context, summary string) (verdict.Label, error) {
	summary = strings.TrimSpace(summary)
	if summary == "" {
		return verdict.Unknown, errors.New("llm judge: empty summary")
	}
	p := prompt{token: newToken()}
	data := "[explanation of the script]\n" + neutralize(clip(summary, 16<<10))
	l, _, err := e.askLabel(ctx, request{kind: "judge", system: p.system(systemJudge),
		user: p.user(data, "Answer with the JSON object only."), maxTokens: 32, temperature: 0})
	if err != nil {
		return verdict.Unknown, fmt.Errorf("llm judge: %w", err)
	}
	return l, nil
}

func (e *Explainer) askLabel(ctx context.Context, q request) (verdict.Label, float64, error) {
	q.schemaName, q.schema = "script_label", json.RawMessage(labelSchema)
	rep, err := e.completeWhole(ctx, q)
	if err != nil {
		return verdict.Unknown, -1, err
	}
	l, err := parseLabel(rep.content)
	if err != nil {
		return verdict.Unknown, -1, err
	}
	return l, labelProb(rep, l.String()), nil
}

// labelProb is the probability of the label's value in the answer: the
// product of the probabilities of the tokens that spell it, or -1 when the
// answer has no logprobs or they do not line up with the content.
func labelProb(rep reply, label string) float64 {
	if len(rep.logprobs) == 0 {
		return -1
	}
	var b strings.Builder
	type span struct{ start, end int }
	spans := make([]span, len(rep.logprobs))
	for i, t := range rep.logprobs {
		spans[i].start = b.Len()
		b.WriteString(t.token)
		spans[i].end = b.Len()
	}
	content := b.String()
	if content != rep.content && strings.TrimSpace(content) != strings.TrimSpace(rep.content) {
		return -1
	}
	key := strings.Index(content, `"label"`)
	if key < 0 {
		return -1
	}
	at := strings.Index(content[key+len(`"label"`):], label)
	if at < 0 {
		return -1
	}
	start := key + len(`"label"`) + at
	end := start + len(label)
	sum, n := 0.0, 0
	for i, s := range spans {
		if s.end > start && s.start < end {
			sum += rep.logprobs[i].logprob
			n++
		}
	}
	if n == 0 {
		return -1
	}
	return math.Exp(sum)
}

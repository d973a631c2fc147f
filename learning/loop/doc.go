// Package loop is the self-paced learning loop: it grows the verdict model
// from the expert seed set, analyst feedback and the unlabeled stream.
//
// Each round t annotates the unlabeled pool with model V_t (verdict and
// explanation) and keeps a pseudo-label only when every filter passes, in
// this order (the first failing filter is the one a rejection is counted
// under):
//
//	malformed   status ok, model input present, language known, a decided
//	            verdict, a non-empty explanation with claims
//	grounding   explain.Validate accepts the explanation against the report
//	confidence  the model's confidence in its binary label clears the
//	            self-paced threshold of the round (Schedule: strict first,
//	            relaxed each round, so easy examples enter first)
//	views       the rules-only view (analysis.RulesView) reaches the same
//	            binary label
//	coherence   a judge that reads only the explanation (verdict words
//	            masked) reaches the same label: the LLM's JudgeSummary when
//	            an LLM is configured, else OfflineJudge
//	llm         when an LLM is configured, its label at every temperature
//	            (0.4/0.6/0.8 by default) agrees
//
// and then, over the survivors, two set-level caps:
//
//	duplicate   at most MaxPerFamily pseudo-labels per (language, label,
//	            template family): same normalised content hash or a simhash
//	            of token shingles within Hamming distance 3
//	balance     per language, neither class may outnumber the other by more
//	            than BalanceRatio, counting seeds and feedback too
//
// V_{t+1} is trained on seeds ∪ feedback ∪ kept pseudo-labels with the
// learning.Weights of each provenance, scored on the validation set beside
// V_t (accuracy per language, McNemar per language and pooled) and promoted
// only when the Gate passes. The loop stops at the round limit or after a
// round without gain. Every candidate can be stored in a
// store.ModelRegistry with its parent, training summary and metrics.
//
// Binary labels: malicious and suspicious verdicts count as malicious
// (as in learning/evaluate); unknown is never a pseudo-label.
package loop

// Package llm explains reports with a large language model behind any
// OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama,
// llama.cpp server), and checks every answer before anything of it reaches a
// report.
//
// The LLM is advisory. Explainer embeds the offline explainer and returns
// the offline explanation, with a note in its Source, whenever the LLM is
// disabled, slow, failing, tripped by the circuit breaker or answers
// something that does not validate: no alert is lost or held hostage to the
// LLM.
//
// # Prompt
//
// The prompt (PromptVersion) carries the analyzer's findings (language,
// verdict, indicator hits, YARA matches, ATT&CK techniques) and, inside a
// block fenced by a random per-request boundary token and declared
// UNTRUSTED DATA, the attacker-controlled text: indicator excerpts, IOCs,
// decoded layers (capped) and the script. Invisible characters are shown as
// visible escapes and chat-template control tokens are broken up, so hidden
// or forged instructions reach the model as inert text. A script longer than
// the context budget is cut into chunks that are read one by one (map:
// per-chunk notes) and then summarised (reduce: the final answer), so no
// script is refused for its length.
//
// # Validator
//
// The answer must be strict JSON {language, label, summary, behaviours[],
// iocs[], techniques[]} that validates against AnswerSchema, and complete
// (finish_reason "length" is retried once with a larger token budget). Then:
//
//   - every IOC the answer states, in its list or in its text, must occur
//     (refanged, case-insensitive) in the script or a decoded layer; others
//     are dropped and counted, and the text only names IOCs of the report;
//   - ATT&CK ids the report's evidence does not support are kept apart as
//     unverified and removed from the text;
//   - every behaviour becomes a claim whose evidence ids (the offline
//     explainer's scheme, see package explain) resolve in the report;
//     a behaviour with no evidence is dropped and counted;
//   - the text is defanged and escaped, and the whole explanation must pass
//     explain.Validate;
//   - the answer's label is advisory: it never lowers the verdict. Enrich
//     raises a benign or unknown verdict to suspicious (source "<src>+llm")
//     when the LLM says malicious;
//   - prompt-injection findings of the report (catalog indicators
//     prompt.*) are always restated in the explanation, and the answer has
//     no way to remove an indicator.
//
// # Operations
//
// Each HTTP attempt has its own timeout; 429 and 5xx answers, timeouts and
// transport errors are retried with exponential backoff and full jitter,
// honouring Retry-After (seconds or HTTP-date). A semaphore bounds the
// requests in flight, a circuit breaker fails fast for a cool-down after
// consecutive failures, and answers are cached by (sha256, model, prompt
// version) in a bounded LRU (Cache is an interface so a shared store can
// back it). A server that rejects the json_schema response format with 400
// is asked again with json_object (and then with no response format),
// and the explainer remembers the downgrade. Prompts and sample text are
// never logged above debug level.
//
// Label and JudgeSummary serve the self-paced learning loop: an
// independent label with its probability from logprobs, and a judge that
// labels a sample from its summary alone.
package llm

package llm

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/automaldesc/automaldesc/analysis"
)

// Options configure an Explainer. BaseURL and Model are required; every
// other zero value takes the default named in its comment.
type Options struct {
	// BaseURL is the API root that "/chat/completions" is appended to,
	// e.g. https://api.openai.com/v1, http://127.0.0.1:8000/v1 (vLLM),
	// http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:8080/v1 (llama.cpp).
	BaseURL string
	// Model is the model name sent with every request.
	Model string
	// APIKey is sent as a bearer token when not empty (local servers
	// usually need none). The caller reads it from the environment.
	APIKey string
	// Temperature of explanations; 0 (the default) asks for greedy decoding.
	Temperature float64
	// MaxTokens bounds one answer (default 1024). A truncated answer is
	// asked for once more with twice the budget.
	MaxTokens int
	// ContextTokens is the model's context window that prompts are fitted
	// into (default 8192); longer scripts are read in chunks.
	ContextTokens int
	// Timeout bounds one HTTP attempt (default 60s). The caller's context
	// bounds the whole explanation.
	Timeout time.Duration
	// Concurrency bounds requests in flight (default 2).
	Concurrency int
	// Retries is how many times a failed attempt is retried (default 2; -1
	// means none).
	Retries int
	// BackoffBase and BackoffMax shape the exponential backoff between
	// retries (defaults 500ms and 20s); each wait is drawn uniformly from
	// [d/2, d]. MaxRetryAfter caps a server's Retry-After (default 60s).
	BackoffBase, BackoffMax, MaxRetryAfter time.Duration
	// BreakerFailures consecutive failed attempts open the circuit breaker
	// (default 5) for BreakerCooldown (default 30s).
	BreakerFailures int
	BreakerCooldown time.Duration
	// MaxChunks caps the chunks of one script read in the map step
	// (default 512); beyond it, evenly spaced chunks are read and the prompt
	// says how many were left out.
	MaxChunks int
	// Cache holds validated answers; nil means an in-memory LRU of
	// CacheEntries entries (default 1024). Use NoCache to turn caching off.
	Cache        Cache
	CacheEntries int
	// Offline is the explainer whose explanation stands whenever the LLM
	// cannot give one; nil means explain.NewOffline(nil). Build it with the
	// engine's catalog for the best fallback.
	Offline analysis.Explainer
	// Script supplies the sample's text for the prompt (reports hold the
	// decoded layers but not the original text); nil means none: the
	// prompt then carries the decoded layers and excerpts only.
	Script ScriptSource
	// HTTPClient sends the requests; nil means a client without its own
	// timeout (each attempt has a deadline).
	HTTPClient *http.Client
	// Logger receives warnings and, at debug level, request details.
	Logger *slog.Logger
}

// Defaults for Options.
const (
	DefaultMaxTokens       = 1024
	DefaultContextTokens   = 8192
	DefaultTimeout         = 60 * time.Second
	DefaultConcurrency     = 2
	DefaultRetries         = 2
	DefaultBackoffBase     = 500 * time.Millisecond
	DefaultBackoffMax      = 20 * time.Second
	DefaultMaxRetryAfter   = 60 * time.Second
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = 30 * time.Second
	DefaultMaxChunks       = 512
	DefaultCacheEntries    = 1024
)

// minContextTokens is the smallest context window that leaves room for the
// instructions, the findings and a useful piece of script.
const minContextTokens = 1024

func (o *Options) setDefaults() {
	if o.MaxTokens == 0 {
		o.MaxTokens = DefaultMaxTokens
	}
	if o.ContextTokens == 0 {
		o.ContextTokens = DefaultContextTokens
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.BackoffBase == 0 {
		o.BackoffBase = DefaultBackoffBase
	}
	if o.BackoffMax == 0 {
		o.BackoffMax = DefaultBackoffMax
	}
	if o.MaxRetryAfter == 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.BreakerFailures == 0 {
		o.BreakerFailures = DefaultBreakerFailures
	}
	if o.BreakerCooldown == 0 {
		o.BreakerCooldown = DefaultBreakerCooldown
	}
	if o.MaxChunks == 0 {
		o.MaxChunks = DefaultMaxChunks
	}
	if o.CacheEntries == 0 {
		o.CacheEntries = DefaultCacheEntries
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

func (o *Options) validate() error {
	var errs []error
	if u, err := url.Parse(o.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("base url %q is not an http(s) URL", o.BaseURL))
	}
	if o.Model == "" {
		errs = append(errs, errors.New("no model"))
	}
	if o.Temperature < 0 || o.Temperature > 2 {
		errs = append(errs, fmt.Errorf("temperature %g is outside 0..2", o.Temperature))
	}
	if o.MaxTokens < 16 {
		errs = append(errs, fmt.Errorf("max tokens %d is below 16", o.MaxTokens))
	}
	if o.ContextTokens < o.MaxTokens+minContextTokens {
		errs = append(errs, fmt.Errorf("context tokens %d leave no room for a prompt (want at least max tokens + %d)", o.ContextTokens, minContextTokens))
	}
	if o.Timeout < 0 || o.Concurrency < 0 || o.BackoffBase < 0 || o.BackoffMax < 0 || o.MaxRetryAfter < 0 ||
		o.BreakerFailures < 0 || o.BreakerCooldown < 0 || o.MaxChunks < 0 || o.CacheEntries < 0 {
		errs = append(errs, errors.New("negative limit"))
	}
	return errors.Join(errs...)
}

package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Errors of the transport, wrapped; Explain never returns them (the
// offline explanation stands) but Label and JudgeSummary do.
var (
	// ErrCircuitOpen: the breaker refuses calls after consecutive failures.
	ErrCircuitOpen = errors.New("llm circuit breaker open")
	// ErrTruncated: the answer hit the token limit even with the larger budget.
	ErrTruncated = errors.New("llm answer truncated")
	// ErrInvalidAnswer: the answer is not the JSON the schema asks for.
	ErrInvalidAnswer = errors.New("llm answer invalid")
)

// StatusError is an HTTP error answer of the server.
type StatusError struct {
	Code int
	Msg  string // the server's message, escaped and clipped
}

func (e *StatusError) Error() string { return fmt.Sprintf("llm server: http %d: %s", e.Code, e.Msg) }

// Response formats, from the most to the least constrained. A server that
// rejects one with 400 is asked with the next, and the explainer remembers.
const (
	formatSchema = iota // response_format json_schema, strict
	formatObject        // response_format json_object
	formatNone          // no response_format: the prompt asks for JSON
)

// maxResponseBytes bounds what is read of one HTTP answer.
const maxResponseBytes = 4 << 20

// request is one chat completion to make.
type request struct {
	kind        string // for logs: explain, map, reduce, label, judge
	system      string
	user        string
	schemaName  string
	schema      json.RawMessage
	maxTokens   int
	temperature float64
	logprobs    bool
}

// reply is the first choice of an answer.
type reply struct {
	content  string
	finish   string
	logprobs []tokenProb // nil when the server gave none
}

type tokenProb struct {
	token   string
	logprob float64
}

// capture receives, through the request's context, what go-openai does not
// expose of an error answer.
type capture struct {
	status     int
	retryAfter string
}

type captureKey struct{}

// doer is the HTTP client handed to go-openai: it records the status and
// Retry-After header for the attempt in progress and bounds the body.
type doer struct{ c *http.Client }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if err != nil {
		return nil, err
	}
	if c, ok := req.Context().Value(captureKey{}).(*capture); ok {
		c.status = resp.StatusCode
		c.retryAfter = resp.Header.Get("Retry-After")
	}
	resp.Body = limitedBody{io.LimitReader(resp.Body, maxResponseBytes), resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	io.Closer
}

// reasoningModel reports models that refuse max_tokens, temperature and
// logprobs (the o-series and gpt-5 at OpenAI).
func reasoningModel(m string) bool {
	for _, p := range []string{"o1", "o3", "o4", "gpt-5"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}

func (e *Explainer) chatRequest(q request, format int) openai.ChatCompletionRequest {
	cr := openai.ChatCompletionRequest{
		Model: e.opt.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: q.system},
			{Role: openai.ChatMessageRoleUser, Content: q.user},
		},
	}
	if reasoningModel(e.opt.Model) {
		// Reasoning tokens count against the limit: leave room for them.
		cr.MaxCompletionTokens = max(q.maxTokens, 4096)
	} else {
		cr.MaxTokens = q.maxTokens
		// go-openai omits a zero temperature (the server would use its
		// default, 1): the smallest float32 asks for greedy decoding.
		cr.Temperature = float32(q.temperature)
		if q.temperature <= 0 {
			cr.Temperature = math.SmallestNonzeroFloat32
		}
		if q.logprobs {
			cr.LogProbs, cr.TopLogProbs = true, 5
		}
	}
	switch format {
	case formatSchema:
		cr.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name: q.schemaName, Schema: q.schema, Strict: true,
			},
		}
	case formatObject:
		cr.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	}
	return cr
}

// complete makes one chat completion with retries, backoff, the breaker and
// the concurrency limit. A truncated answer is returned as it is (finish
// "length"); the caller decides.
func (e *Explainer) complete(ctx context.Context, q request) (reply, error) {
	var last error
	for attempt := 0; ; attempt++ {
		format := int(e.format.Load())
		rep, retryAfter, err := e.attempt(ctx, q, format)
		if err == nil {
			return rep, nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return reply{}, fmt.Errorf("llm %s: %w", q.kind, cerr)
		}
		var se *StatusError
		if errors.As(err, &se) && se.Code == http.StatusBadRequest && format < formatNone && aboutFormat(se.Msg) {
			// The server may not know the response format: ask again with
			// a looser one. This does not use up a retry.
			e.format.CompareAndSwap(int32(format), int32(format+1))
			e.log.Warn("llm server refused the response format; downgrading", "format", formatName(format), "status", se.Code)
			attempt--
			last = err
			continue
		}
		last = err
		if !retryable(err) || attempt >= e.opt.Retries {
			return reply{}, fmt.Errorf("llm %s: %w", q.kind, last)
		}
		wait := e.backoff(attempt)
		if retryAfter > 0 {
			wait = min(retryAfter, e.opt.MaxRetryAfter)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return reply{}, fmt.Errorf("llm %s: retry after %s would pass the deadline: %w", q.kind, wait.Round(time.Millisecond), last)
		}
		e.log.Debug("llm attempt failed; retrying", "kind", q.kind, "attempt", attempt+1, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return reply{}, fmt.Errorf("llm %s: %w", q.kind, ctx.Err())
		case <-t.C:
		}
	}
}

// aboutFormat reports whether a 400 answer's message is about the response
// format (servers word it differently); other 400s, such as a prompt over
// the context window, must not downgrade the format.
func aboutFormat(msg string) bool {
	m := strings.ToLower(msg)
	for _, w := range []string{"response_format", "response format", "json_schema", "json_object", "schema", "guided", "grammar"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

func formatName(f int) string {
	switch f {
	case formatSchema:
		return "json_schema"
	case formatObject:
		return "json_object"
	}
	return "none"
}

// attempt is one HTTP request, under the breaker and the semaphore.
func (e *Explainer) attempt(ctx context.Context, q request, format int) (reply, time.Duration, error) {
	if !e.breaker.allow() {
		return reply{}, 0, ErrCircuitOpen
	}
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		e.breaker.release()
		return reply{}, 0, ctx.Err()
	}
	if n := e.inflight.Add(1); n > e.maxInflight.Load() {
		for m := e.maxInflight.Load(); n > m && !e.maxInflight.CompareAndSwap(m, n); m = e.maxInflight.Load() {
		}
	}
	cp := &capture{}
	actx, cancel := context.WithTimeout(context.WithValue(ctx, captureKey{}, cp), e.opt.Timeout)
	start := time.Now()
	resp, err := e.client.CreateChatCompletion(actx, e.chatRequest(q, format))
	cancel()
	e.inflight.Add(-1)
	<-e.sem
	e.calls.Add(1)

	if err != nil {
		switch {
		case ctx.Err() != nil:
			e.breaker.release()
			return reply{}, 0, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(actx.Err(), context.DeadlineExceeded):
			e.breaker.done(false)
			return reply{}, 0, fmt.Errorf("%w after %s", errAttemptTimeout, e.opt.Timeout)
		}
		if se := statusError(err, cp); se != nil {
			// A 400 is about the request, not the server's health.
			e.breaker.done(se.Code == http.StatusBadRequest)
			return reply{}, parseRetryAfter(cp.retryAfter, time.Now()), se
		}
		e.breaker.done(false)
		return reply{}, 0, fmt.Errorf("llm request: %w", err)
	}
	e.breaker.done(true)
	e.log.Debug("llm answer", "kind", q.kind, "ms", time.Since(start).Milliseconds(), "prompt_tokens", resp.Usage.PromptTokens, "completion_tokens", resp.Usage.CompletionTokens)
	if len(resp.Choices) == 0 {
		return reply{}, 0, fmt.Errorf("%w: no choices", ErrInvalidAnswer)
	}
	ch := resp.Choices[0]
	rep := reply{content: ch.Message.Content, finish: string(ch.FinishReason)}
	if ch.LogProbs != nil {
		rep.logprobs = make([]tokenProb, len(ch.LogProbs.Content))
		for i, t := range ch.LogProbs.Content {
			rep.logprobs[i] = tokenProb{t.Token, t.LogProb}
		}
	}
	return rep, 0, nil
}

var errAttemptTimeout = errors.New("llm attempt timed out")

// statusError turns go-openai's error answers into a StatusError.
func statusError(err error, c *capture) *StatusError {
	var ae *openai.APIError
	if errors.As(err, &ae) && ae.HTTPStatusCode > 0 {
		return &StatusError{Code: ae.HTTPStatusCode, Msg: clipMsg(ae.Message)}
	}
	var re *openai.RequestError
	if errors.As(err, &re) && re.HTTPStatusCode > 0 {
		return &StatusError{Code: re.HTTPStatusCode, Msg: clipMsg(string(re.Body))}
	}
	if c.status >= 400 {
		return &StatusError{Code: c.status, Msg: clipMsg(err.Error())}
	}
	return nil
}

func clipMsg(s string) string { return clip(escape(s), 200) }

// retryable reports failures worth another attempt: rate limits, server
// errors, timeouts and transport errors.
func retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code == http.StatusTooManyRequests || se.Code == http.StatusRequestTimeout || se.Code >= 500
	}
	if errors.Is(err, ErrCircuitOpen) || errors.Is(err, ErrInvalidAnswer) {
		return false
	}
	var ne net.Error
	return errors.Is(err, errAttemptTimeout) || errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF)
}

// backoff is the wait before retry attempt+1: base*2^attempt capped at
// max, drawn uniformly from [d/2, d].
func (e *Explainer) backoff(attempt int) time.Duration {
	d := e.opt.BackoffBase << min(attempt, 30)
	if d <= 0 || d > e.opt.BackoffMax {
		d = e.opt.BackoffMax
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP-date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n <= 0 || math.IsNaN(n) || n > 86400 {
			return 0
		}
		return time.Duration(n * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

package llm_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeRequest is one request the fake server accepted, decoded.
type fakeRequest struct {
	Model     string
	System    string
	User      string
	MaxTokens int
	Format    string // json_schema, json_object or ""
	Logprobs  bool
	Kind      string // explain, map, merge, label, judge (from the system prompt)
}

// fakeReply is what the fake answers to one request.
type fakeReply struct {
	Status   int               // 0: 200
	Header   map[string]string // extra response headers
	Content  string
	Finish   string // "" = "stop"
	Logprobs []fakeToken
	Delay    time.Duration
}

type fakeToken struct {
	Token   string
	Logprob float64
}

// fakeServer is an OpenAI-compatible chat-completions server. It checks
// each request the way the real API would (method, path, JSON body shape,
// field types, strict json_schema rules) and answers 400 with an OpenAI
// error body when the request is malformed; the test fails too.
type fakeServer struct {
	t      *testing.T
	model  string
	srv    *httptest.Server
	answer func(n int, q fakeRequest) fakeReply

	noSchema bool // answer 400 to response_format json_schema, like older servers

	mu       sync.Mutex
	requests []fakeRequest
	inflight atomic.Int64
	peak     atomic.Int64
}

func newFake(t *testing.T, answer func(n int, q fakeRequest) fakeReply) *fakeServer {
	f := &fakeServer{t: t, model: "test-model", answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) url() string { return f.srv.URL + "/v1" }

func (f *fakeServer) count(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, q := range f.requests {
		if kind == "" || q.Kind == kind {
			n++
		}
	}
	return n
}

func (f *fakeServer) all() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}})
}

func (f *fakeServer) reject(w http.ResponseWriter, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	f.t.Errorf("fake server: bad request: %s", msg)
	apiError(w, http.StatusBadRequest, "invalid_request_error", msg)
}

func (f *fakeServer) serve(w http.ResponseWriter, req *http.Request) {
	n := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
	if req.Method != http.MethodPost || req.URL.Path != "/v1/chat/completions" {
		f.reject(w, "%s %s", req.Method, req.URL.Path)
		return
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/json" {
		f.reject(w, "content type %q", ct)
		return
	}
	if got := req.Header.Get("Authorization"); got != "Bearer test-key" {
		f.reject(w, "authorization %q", got)
		return
	}
	dec := json.NewDecoder(req.Body)
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		f.reject(w, "body: %v", err)
		return
	}
	q, err := f.check(body)
	if err != nil {
		if strings.HasPrefix(err.Error(), "json_schema unsupported") {
			apiError(w, http.StatusBadRequest, "invalid_request_error", err.Error())
			return
		}
		f.reject(w, "%v", err)
		return
	}
	f.mu.Lock()
	idx := len(f.requests)
	f.requests = append(f.requests, q)
	f.mu.Unlock()

	rep := f.answer(idx, q)
	if rep.Delay > 0 {
		select {
		case <-time.After(rep.Delay):
		case <-req.Context().Done():
			return
		}
	}
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	if rep.Status != 0 && rep.Status != http.StatusOK {
		apiError(w, rep.Status, "server_error", "fake failure")
		return
	}
	finish := rep.Finish
	if finish == "" {
		finish = "stop"
	}
	choice := map[string]any{
		"index":         0,
		"message":       map[string]any{"role": "assistant", "content": rep.Content},
		"finish_reason": finish,
	}
	if q.Logprobs && rep.Logprobs != nil {
		var content []map[string]any
		for _, t := range rep.Logprobs {
			content = append(content, map[string]any{"token": t.Token, "logprob": t.Logprob, "bytes": []byte(t.Token), "top_logprobs": []any{}})
		}
		choice["logprobs"] = map[string]any{"content": content}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": fmt.Sprintf("chatcmpl-%d", idx), "object": "chat.completion", "created": time.Now().Unix(),
		"model": f.model, "choices": []any{choice},
		"usage": map[string]any{"prompt_tokens": len(q.System+q.User) / 4, "completion_tokens": len(rep.Content) / 4, "total_tokens": 1},
	})
}

var allowedFields = map[string]bool{"model": true, "messages": true, "max_tokens": true, "max_completion_tokens": true,
	"temperature": true, "response_format": true, "logprobs": true, "top_logprobs": true}

// check validates a request body like the real API.
func (f *fakeServer) check(body map[string]any) (fakeRequest, error) {
	var q fakeRequest
	for k := range body {
		if !allowedFields[k] {
			return q, fmt.Errorf("non-standard field %q", k)
		}
	}
	q.Model, _ = body["model"].(string)
	if q.Model != f.model {
		return q, fmt.Errorf("model %q, want %q", body["model"], f.model)
	}
	msgs, ok := body["messages"].([]any)
	if !ok || len(msgs) < 2 {
		return q, fmt.Errorf("messages: %T of %d", body["messages"], len(msgs))
	}
	for i, m := range msgs {
		mm, ok := m.(map[string]any)
		if !ok {
			return q, fmt.Errorf("message %d: %T", i, m)
		}
		role, _ := mm["role"].(string)
		content, ok := mm["content"].(string)
		if !ok || content == "" {
			return q, fmt.Errorf("message %d: content %T", i, mm["content"])
		}
		switch {
		case i == 0 && role == "system":
			q.System = content
		case i == len(msgs)-1 && role == "user":
			q.User = content
		case role == "assistant" || role == "user" && i > 0:
		default:
			return q, fmt.Errorf("message %d: role %q", i, role)
		}
	}
	if q.System == "" || q.User == "" {
		return q, fmt.Errorf("want a system then a user message")
	}
	mt, ok := body["max_tokens"].(json.Number)
	if !ok || strings.ContainsAny(mt.String(), ".eE") {
		return q, fmt.Errorf("max_tokens %v (%T) is not an integer", body["max_tokens"], body["max_tokens"])
	}
	v, _ := mt.Int64()
	if v <= 0 || v > 1<<20 {
		return q, fmt.Errorf("max_tokens %d", v)
	}
	q.MaxTokens = int(v)
	if t, present := body["temperature"]; present {
		tn, ok := t.(json.Number)
		if !ok {
			return q, fmt.Errorf("temperature %T is not a number", t)
		}
		tv, err := tn.Float64()
		if err != nil || tv < 0 || tv > 2 {
			return q, fmt.Errorf("temperature %v", t)
		}
	}
	if lp, present := body["logprobs"]; present {
		b, ok := lp.(bool)
		if !ok {
			return q, fmt.Errorf("logprobs %T", lp)
		}
		q.Logprobs = b
		if tl, ok := body["top_logprobs"].(json.Number); ok {
			if n, _ := tl.Int64(); n < 0 || n > 20 {
				return q, fmt.Errorf("top_logprobs %v", tl)
			}
		}
	}
	if rf, present := body["response_format"]; present {
		m, ok := rf.(map[string]any)
		if !ok {
			return q, fmt.Errorf("response_format %T", rf)
		}
		q.Format, _ = m["type"].(string)
		switch q.Format {
		case "json_object":
			if !strings.Contains(strings.ToLower(q.System+q.User), "json") {
				return q, fmt.Errorf("json_object needs the word JSON in the messages")
			}
		case "json_schema":
			if f.noSchema {
				return q, fmt.Errorf("json_schema unsupported by this server")
			}
			js, ok := m["json_schema"].(map[string]any)
			if !ok {
				return q, fmt.Errorf("json_schema %T", m["json_schema"])
			}
			if name, _ := js["name"].(string); name == "" || strings.ContainsAny(name, " .") {
				return q, fmt.Errorf("json_schema name %q", js["name"])
			}
			if strict, _ := js["strict"].(bool); !strict {
				return q, fmt.Errorf("json_schema not strict")
			}
			if err := strictSchema("$", js["schema"]); err != nil {
				return q, err
			}
		default:
			return q, fmt.Errorf("response_format type %q", q.Format)
		}
	}
	switch {
	case strings.Contains(q.System, "too long for one reading"):
		q.Kind = "map"
		if strings.Contains(q.User, "merge them") {
			q.Kind = "merge"
		}
	case strings.Contains(q.System, "only the written explanation"):
		q.Kind = "judge"
	case strings.Contains(q.System, "decide whether the script is malicious or benign"):
		q.Kind = "label"
	default:
		q.Kind = "explain"
	}
	return q, nil
}

// strictSchema applies OpenAI's strict-mode rules: every object lists all
// its properties as required and forbids additional ones.
func strictSchema(path string, s any) error {
	m, ok := s.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: schema %T", path, s)
	}
	switch m["type"] {
	case "object":
		props, ok := m["properties"].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: no properties", path)
		}
		if ap, ok := m["additionalProperties"].(bool); !ok || ap {
			return fmt.Errorf("%s: additionalProperties must be false", path)
		}
		req, _ := m["required"].([]any)
		var got, want []string
		for _, r := range req {
			s, _ := r.(string)
			got = append(got, s)
		}
		for k, v := range props {
			want = append(want, k)
			if err := strictSchema(path+"."+k, v); err != nil {
				return err
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			return fmt.Errorf("%s: required %v, want every property %v", path, got, want)
		}
	case "array":
		return strictSchema(path+"[]", m["items"])
	case "string", "number", "integer", "boolean":
	default:
		return fmt.Errorf("%s: type %v", path, m["type"])
	}
	return nil
}

// content marshals an answer object.
func content(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}

// ans is an explanation answer.
type ans struct {
	Language   string   `json:"language"`
	Label      string   `json:"label"`
	Summary    string   `json:"summary"`
	Behaviours []beh    `json:"behaviours"`
	IOCs       []string `json:"iocs"`
	Techniques []string `json:"techniques"`
}

type beh struct {
	Text     string   `json:"text"`
	Evidence []string `json:"evidence"`
}

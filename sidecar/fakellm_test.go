package sidecar

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeLLM is a small OpenAI-compatible chat-completions server: it checks
// the request shape and answers what reply says for the request's kind
// (explain, label, judge, map: read from the system prompt).
type fakeLLM struct {
	srv      *httptest.Server
	reply    func(kind string) (status int, content string, delay time.Duration)
	requests atomic.Int64 // requests received
	answered atomic.Int64 // 200 answers sent
}

const fakeModel = "fake-model"

func newFakeLLM(t *testing.T, reply func(kind string) (int, string, time.Duration)) *fakeLLM {
	t.Helper()
	f := &fakeLLM{reply: reply}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLLM) url() string { return f.srv.URL + "/v1" }

func (f *fakeLLM) serve(w http.ResponseWriter, req *http.Request) {
	f.requests.Add(1)
	var body struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	if req.Method != http.MethodPost || req.URL.Path != "/v1/chat/completions" ||
		json.NewDecoder(req.Body).Decode(&body) != nil || body.Model != fakeModel ||
		len(body.Messages) < 2 || body.Messages[0].Role != "system" {
		http.Error(w, `{"error":{"message":"bad request","type":"invalid_request_error"}}`, http.StatusBadRequest)
		return
	}
	sys := body.Messages[0].Content
	kind := "explain"
	switch {
	case strings.Contains(sys, "too long for one reading"):
		kind = "map"
	case strings.Contains(sys, "only the written explanation"):
		kind = "judge"
	case strings.Contains(sys, "decide whether the script is malicious or benign"):
		kind = "label"
	}
	status, content, delay := f.reply(kind)
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-req.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if status != http.StatusOK {
		w.WriteHeader(status)
		fmt.Fprint(w, `{"error":{"message":"fake failure","type":"server_error"}}`)
		return
	}
	f.answered.Add(1)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": time.Now().Unix(), "model": fakeModel,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content}}},
		"usage": map[string]any{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
	})
}

// llmSummary is the fake LLM's explanation summary; its label raises a
// benign verdict to suspicious.
const llmSummary = "The script downloads a second stage and runs it in memory"

func llmAnswer() string {
	b, _ := json.Marshal(map[string]any{"language": "powershell", "label": "malicious", "summary": llmSummary,
		"behaviours": []any{}, "iocs": []any{}, "techniques": []any{}})
	return string(b)
}

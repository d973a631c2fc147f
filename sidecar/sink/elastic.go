package sink

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Elasticsearch indexes records through the _bulk API, one "create"
// action per record with _id = the record id, so a record delivered twice
// (at-least-once) is stored once and data streams are supported.
//
// Per-item results decide what happens to each record: 2xx is delivered;
// 409 (version conflict: the _id exists) means an earlier delivery
// succeeded and counts as delivered; 429 and 5xx items are retried, and
// only they are sent again; 400 items (mapping or parsing errors) are
// logged and skipped; 403/404 items (index blocked, missing and not
// auto-created) are configuration problems and retried until fixed.
// Request-level answers: 429, 5xx, 401 and 403 retry the whole request
// with backoff; 413 and other 4xx split the request in halves down to
// single records, a single record refused that way is skipped.
type Elasticsearch struct {
	URL      string // cluster URL, e.g. https://es:9200
	Index    string // index or data stream name
	Username string // basic auth when set (with Password)
	Password string
	APIKey   string // "Authorization: ApiKey <key>" when set (the base64 id:key form)
	Client   *http.Client
	// MaxBatchBytes caps a request body; 0 = 5 MiB.
	MaxBatchBytes int
	MinBackoff    time.Duration // 0 = 200ms
	MaxBackoff    time.Duration // 0 = 30s
	Log           *slog.Logger
	Metrics       *Metrics
	// OnRetry, when set, is called with each retry's wait (tests).
	OnRetry func(wait time.Duration, status int)
}

var (
	_ Sink          = (*Elasticsearch)(nil)
	_ MetricsSetter = (*Elasticsearch)(nil)
)

// Name implements Sink.
func (s *Elasticsearch) Name() string { return "elasticsearch" }

// SetMetrics implements MetricsSetter.
func (s *Elasticsearch) SetMetrics(m *Metrics) { s.Metrics = m }

// Close implements Sink.
func (s *Elasticsearch) Close() error {
	if s.Client != nil {
		s.Client.CloseIdleConnections()
	}
	return nil
}

// bulkAnswer is the part of a _bulk response the sink reads.
type bulkAnswer struct {
	Errors bool                          `json:"errors"`
	Items  []map[string]bulkItemResponse `json:"items"`
}

type bulkItemResponse struct {
	ID     string `json:"_id"`
	Status int    `json:"status"`
	Error  *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

// Deliver implements Sink.
func (s *Elasticsearch) Deliver(ctx context.Context, batch []Encoded) (int, error) {
	r := newRetrier(s.Name(), s.MinBackoff, s.MaxBackoff, s.Log, s.Metrics, s.OnRetry)
	lines := make([][]byte, len(batch))
	for i, e := range batch {
		lines[i] = s.action(e)
	}
	limit := s.MaxBatchBytes
	if limit <= 0 {
		limit = 5 << 20
	}
	done := 0
	for done < len(batch) {
		end, size := done, 0
		for end < len(batch) && (end == done || size+len(lines[end]) <= limit) {
			size += len(lines[end])
			end++
		}
		if err := s.send(ctx, r, batch[done:end], lines[done:end]); err != nil {
			return done, err
		}
		done = end
	}
	return len(batch), nil
}

// action renders the two NDJSON lines of one record.
func (s *Elasticsearch) action(e Encoded) []byte {
	meta, _ := json.Marshal(map[string]map[string]string{"create": {"_index": s.Index, "_id": e.ID}})
	body := e.Body
	if !json.Valid(body) {
		body, _ = json.Marshal(map[string]string{"message": string(e.Body)})
	}
	out := make([]byte, 0, len(meta)+len(body)+2)
	out = append(out, meta...)
	out = append(out, '\n')
	out = append(out, body...)
	return append(out, '\n')
}

// send delivers the records, retrying failed items only; it returns an
// error only when ctx ends.
func (s *Elasticsearch) send(ctx context.Context, r *retrier, recs []Encoded, lines [][]byte) error {
	for attempt := 0; len(recs) > 0; {
		status, ans, after, hasAfter, err := s.post(ctx, lines)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
		case status >= 200 && status < 300:
			if len(ans.Items) != len(recs) {
				err = fmt.Errorf("bulk answer has %d items for %d actions", len(ans.Items), len(recs))
				break
			}
			var retryRecs []Encoded
			var retryLines [][]byte
			for i, item := range ans.Items {
				var res bulkItemResponse
				for _, v := range item { // one key: the action ("create")
					res = v
				}
				switch st := res.Status; {
				case st >= 200 && st < 300, st == http.StatusConflict:
				case st == http.StatusTooManyRequests || st >= 500 || st == http.StatusForbidden || st == http.StatusNotFound:
					retryRecs, retryLines = append(retryRecs, recs[i]), append(retryLines, lines[i])
					if st == http.StatusForbidden || st == http.StatusNotFound {
						r.log.Error("elasticsearch refuses the index; retrying until fixed", "index", s.Index, "status", st, "reason", itemReason(res))
					}
				default:
					r.rejected(recs[i].ID, st, itemReason(res))
				}
			}
			if len(retryRecs) < len(recs) {
				attempt = 0 // progress: start the backoff over
			}
			recs, lines = retryRecs, retryLines
			if len(recs) == 0 {
				return nil
			}
			status = http.StatusTooManyRequests // for the retry hook: item-level throttling or failure
		case status == http.StatusUnauthorized || status == http.StatusForbidden:
			r.log.Error("elasticsearch refuses the credentials; retrying until fixed", "status", status)
		case retryable(status):
		default: // 413, other 4xx: isolate the culprit
			if len(recs) == 1 {
				r.rejected(recs[0].ID, status, "request refused")
				return nil
			}
			h := len(recs) / 2
			if err := s.send(ctx, r, recs[:h], lines[:h]); err != nil {
				return err
			}
			return s.send(ctx, r, recs[h:], lines[h:])
		}
		if !r.wait(ctx, attempt, status, after, hasAfter, "elasticsearch delivery failed; retrying", "records", len(recs), "err", err) {
			return ctx.Err()
		}
		attempt++
	}
	return nil
}

func itemReason(res bulkItemResponse) string {
	if res.Error == nil {
		return ""
	}
	return res.Error.Type + ": " + res.Error.Reason
}

func (s *Elasticsearch) post(ctx context.Context, lines [][]byte) (int, bulkAnswer, time.Duration, bool, error) {
	var ans bulkAnswer
	url := strings.TrimRight(s.URL, "/")
	if !strings.HasSuffix(url, "/_bulk") {
		url += "/_bulk"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(bytes.Join(lines, nil)))
	if err != nil {
		return 0, ans, 0, false, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("User-Agent", "automaldesc-elasticsearch/1")
	switch {
	case s.APIKey != "":
		req.Header.Set("Authorization", "ApiKey "+s.APIKey)
	case s.Username != "":
		req.SetBasicAuth(s.Username, s.Password)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, ans, 0, false, err
	}
	defer resp.Body.Close()
	d, ok := retryAfter(resp.Header.Get("Retry-After"))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// A bulk answer lists every item: allow for large batches.
		if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&ans); err != nil {
			return resp.StatusCode, ans, d, ok, fmt.Errorf("bulk answer: %w", err)
		}
		return resp.StatusCode, ans, d, ok, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, ans, d, ok, nil
}

package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

type fakeEngine struct{}

func (fakeEngine) Analyze(_ context.Context, s analysis.Sample) (*analysis.Report, error) {
	h := analysis.HashBytes(s.Data)
	return &analysis.Report{ID: analysis.RecordID(h.SHA256, s.Source, "", ""), Status: analysis.StatusOK,
		Sample: analysis.SampleInfo{SHA256: h.SHA256, Name: s.Name, Size: int64(len(s.Data))}}, nil
}

func (fakeEngine) Reject(s analysis.Sample, st analysis.Status, reason string) *analysis.Report {
	return &analysis.Report{Status: st, Reason: reason}
}

func newAPI(t *testing.T, token string) (*httptest.Server, store.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i, lbl := range []string{"malicious", "benign", "malicious"} {
		_, err := st.PutRecord(context.Background(), store.Record{ID: fmt.Sprintf("rec-%d", i), SHA256: fmt.Sprintf("%064d", i),
			Label: lbl, Status: "ok", Language: "powershell", Source: "test", Name: fmt.Sprintf("f%d.ps1", i), Report: []byte(`{"x":1}`)})
		if err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(Handler(Options{Store: st, Engine: fakeEngine{}, Token: token, MaxSize: 64,
		Encode: func(r *analysis.Report) (store.Record, error) {
			b, _ := json.Marshal(r)
			return store.Record{ID: r.ID, SHA256: r.Sample.SHA256, Source: "api", Status: string(r.Status), Report: b}, nil
		}}))
	t.Cleanup(srv.Close)
	return srv, st
}

func do(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("%s %s: content type %q", method, url, ct)
	}
	return resp.StatusCode, string(b)
}

func TestCheckBind(t *testing.T) {
	tests := []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:8089", "", true},
		{"[::1]:8089", "", true},
		{"localhost:8089", "", true},
		{"0.0.0.0:8089", "", false},
		{":8089", "", false},
		{"192.0.2.1:8089", "", false},
		{"0.0.0.0:8089", "t", true},
	}
	for _, tc := range tests {
		t.Run(tc.addr+"/"+tc.token, func(t *testing.T) {
			err := CheckBind(tc.addr, tc.token)
			if (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrInsecureBind) {
				t.Errorf("got %v, want ErrInsecureBind", err)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	srv, _ := newAPI(t, "right-token")
	tests := []struct {
		name, path, token string
		want              int
	}{
		{"health needs no token", "/healthz", "", 200},
		{"ready needs no token", "/readyz", "", 200},
		{"no token", "/v1/records", "", 401},
		{"wrong token", "/v1/records", "wrong-token", 401},
		{"prefix of the token", "/v1/records", "right", 401},
		{"right token", "/v1/records", "right-token", 200},
		{"metrics need the token", "/metrics", "", 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, body := do(t, "GET", srv.URL+tc.path, tc.token, ""); got != tc.want {
				t.Errorf("got %d, want %d: %s", got, tc.want, body)
			}
		})
	}
}

func TestListFilters(t *testing.T) {
	srv, _ := newAPI(t, "")
	tests := []struct {
		name, query string
		code, n     int
	}{
		{"all", "", 200, 3},
		{"label", "label=malicious", 200, 2},
		{"language", "language=powershell&label=benign", 200, 1},
		{"after", "after=2", 200, 1},
		{"limit", "limit=1", 200, 1},
		{"query", "q=f1.ps1", 200, 1},
		{"bad label", "label=<script>", 400, 0},
		{"bad status", "status=maybe", 400, 0},
		{"bad limit", "limit=0", 400, 0},
		{"bad since", "since=yesterday", 400, 0},
		{"since duration", "since=1h", 200, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(t, "GET", srv.URL+"/v1/records?"+tc.query, "", "")
			if code != tc.code {
				t.Fatalf("got %d, want %d: %s", code, tc.code, body)
			}
			if strings.Contains(body, "<script>") {
				t.Errorf("attacker text reflected raw: %s", body)
			}
			if code != 200 {
				return
			}
			var resp ListResponse
			if err := json.Unmarshal([]byte(body), &resp); err != nil {
				t.Fatal(err)
			}
			if len(resp.Records) != tc.n {
				t.Errorf("records: got %d, want %d", len(resp.Records), tc.n)
			}
		})
	}
}

func TestGetAndFeedback(t *testing.T) {
	srv, st := newAPI(t, "")
	if code, body := do(t, "GET", srv.URL+"/v1/records/rec-1", "", ""); code != 200 || !strings.Contains(body, `"report":{"x":1}`) {
		t.Errorf("get: got %d %s", code, body)
	}
	if code, _ := do(t, "GET", srv.URL+"/v1/records/nope", "", ""); code != 404 {
		t.Errorf("unknown id: got %d, want 404", code)
	}
	if code, _ := do(t, "GET", srv.URL+"/v1/records/a%3Cb", "", ""); code != 400 {
		t.Errorf("bad id: got %d, want 400", code)
	}
	tests := []struct {
		name, id, body string
		want           int
	}{
		{"ok", "rec-0", `{"analyst":"ann","disposition":"benign","rating":4,"note":"admin script"}`, 201},
		{"confirm", "rec-0", `{"disposition":"confirm"}`, 201},
		{"bad disposition", "rec-0", `{"disposition":"evil"}`, 400},
		{"rating high", "rec-0", `{"disposition":"benign","rating":6}`, 400},
		{"rating negative", "rec-0", `{"disposition":"benign","rating":-1}`, 400},
		{"unknown field", "rec-0", `{"disposition":"benign","x":1}`, 400},
		{"not json", "rec-0", `disposition=benign`, 400},
		{"unknown record", "rec-9", `{"disposition":"benign"}`, 404},
		{"too big", "rec-0", `{"disposition":"benign","note":"` + strings.Repeat("a", 70000) + `"}`, 413},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, body := do(t, "POST", srv.URL+"/v1/records/"+tc.id+"/feedback", "", tc.body); got != tc.want {
				t.Errorf("got %d, want %d: %s", got, tc.want, body)
			}
		})
	}
	fb, err := st.ListFeedback(context.Background(), "rec-0", "")
	if err != nil || len(fb) != 2 {
		t.Errorf("stored feedback: got %d, %v; want 2", len(fb), err)
	}
}

func TestScan(t *testing.T) {
	srv, st := newAPI(t, "")
	code, body := do(t, "POST", srv.URL+"/v1/scan?name=a.ps1", "", "Write-Host hi")
	if code != 200 {
		t.Fatalf("scan: got %d %s", code, body)
	}
	var r analysis.Report
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.Sample.Name != "a.ps1" {
		t.Fatalf("scan answer: %v %s", err, body)
	}
	if _, err := st.GetRecord(context.Background(), r.ID); err != nil {
		t.Errorf("scan record not stored: %v", err)
	}
	if code, _ := do(t, "POST", srv.URL+"/v1/scan", "", strings.Repeat("x", 65)); code != 413 {
		t.Errorf("oversized body: got %d, want 413", code)
	}
	if code, _ := do(t, "POST", srv.URL+"/v1/scan?name=a/b", "", "x"); code != 400 {
		t.Errorf("name with a slash: got %d, want 400", code)
	}
	if code, _ := do(t, "GET", srv.URL+"/v1/scan", "", ""); code != 405 {
		t.Errorf("GET /v1/scan: got %d, want 405", code)
	}
}

// failingLists is a store whose ListRecords fails (a broken lookup of the
// superseding record).
type failingLists struct{ store.Store }

func (failingLists) ListRecords(context.Context, store.Filter) ([]store.Record, error) {
	return nil, errors.New("list: database is locked")
}

func TestGetSupersededBy(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, rec := range []store.Record{
		{ID: "rec-orig", SHA256: strings.Repeat("a", 64), Label: "benign", Status: "ok", Report: []byte(`{"x":1}`)},
		{ID: "rec-plain", SHA256: strings.Repeat("b", 64), Label: "benign", Status: "ok", Report: []byte(`{"x":2}`)},
		{ID: "rec-upd-1", SHA256: strings.Repeat("a", 64), Label: "suspicious", Status: "ok", Supersedes: "rec-orig", Report: []byte(`{"x":3}`)},
		{ID: "rec-upd-2", SHA256: strings.Repeat("a", 64), Label: "malicious", Status: "ok", Supersedes: "rec-orig", Report: []byte(`{"x":4}`)},
	} {
		if _, err := st.PutRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name             string
		st               store.Store
		id               string
		wantSupersededBy string // "" = field absent
		wantSupersedes   string // "" = field absent
		wantLog          string // "" = nothing logged
	}{
		{"original names its newest update", st, "rec-orig", "rec-upd-2", "", ""},
		{"update names the record it updates", st, "rec-upd-1", "", "rec-orig", ""},
		{"newest update", st, "rec-upd-2", "", "rec-orig", ""},
		{"record without updates", st, "rec-plain", "", "", ""},
		{"lookup fails: record without the field", failingLists{st}, "rec-orig", "", "", "find superseding record"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs strings.Builder
			h := Handler(Options{Store: tc.st, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/records/"+tc.id, nil))
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s: got status %d, want 200: %s", tc.id, w.Code, w.Body)
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatalf("decode: %v: %s", err, w.Body)
			}
			for field, want := range map[string]string{"superseded_by": tc.wantSupersededBy, "supersedes": tc.wantSupersedes} {
				raw, present := got[field]
				switch {
				case want == "" && present:
					t.Errorf("%s: got %s, want the field omitted", field, raw)
				case want != "" && string(raw) != strconv.Quote(want):
					t.Errorf("%s: got %s, want %q", field, raw, want)
				}
			}
			if id := string(got["id"]); id != strconv.Quote(tc.id) {
				t.Errorf("id: got %s, want %q", id, tc.id)
			}
			if got["report"] == nil || got["feedback"] == nil {
				t.Errorf("answer lacks the report or the feedback: %s", w.Body)
			}
			if tc.wantLog == "" && logs.Len() > 0 {
				t.Errorf("logged %q, want nothing", logs.String())
			}
			if tc.wantLog != "" && !strings.Contains(logs.String(), tc.wantLog) {
				t.Errorf("log: got %q, want it to contain %q", logs.String(), tc.wantLog)
			}
		})
	}
}

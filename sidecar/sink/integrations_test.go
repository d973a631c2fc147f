package sink

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// ecsBatch is a batch of ECS-shaped documents (the sidecar's Encode).
func ecsBatch(from, n, severity int) []Encoded {
	out := make([]Encoded, n)
	for i := range out {
		id := fmt.Sprintf("id-%d", from+i)
		out[i] = Encoded{Seq: int64(from + i), ID: id, Body: []byte(fmt.Sprintf(
			`{"@timestamp":"2026-03-04T05:06:07.123Z","message":"m","event":{"id":%q,"severity":%d},"automaldesc":{"pad":"%s"}}`,
			id, severity, strings.Repeat("x", 200)))}
	}
	return out
}

func ids(b []Encoded) []string {
	out := make([]string, len(b))
	for i, e := range b {
		out[i] = e.ID
	}
	return out
}

// --- Splunk HEC ---

// fakeHEC is an HTTP Event Collector: it checks the request shape, parses
// the concatenated events and lets a test decide each answer.
type fakeHEC struct {
	t       *testing.T
	mu      sync.Mutex
	indexed []string   // event ids in indexing order
	reqs    [][]string // event ids of each request
	answer  func(n int, ids []string) (status int, body string, indexUpTo int)
}

func (f *fakeHEC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/services/collector/event" {
		f.t.Errorf("path: got %s, want /services/collector/event", r.URL.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Splunk s3cret" {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"text":"Token is required","code":2}`)
		return
	}
	dec := json.NewDecoder(r.Body)
	var got []string
	for dec.More() {
		var ev struct {
			Time       float64 `json:"time"`
			Index      string  `json:"index"`
			SourceType string  `json:"sourcetype"`
			Source     string  `json:"source"`
			Event      struct {
				Event struct {
					ID string `json:"id"`
				} `json:"event"`
			} `json:"event"`
		}
		if err := dec.Decode(&ev); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"text":"Invalid data format","code":6,"invalid-event-number":0}`)
			return
		}
		if ev.Index != "alerts" || ev.SourceType != "_json" || ev.Source != "automaldesc" {
			f.t.Errorf("event metadata: got index %q sourcetype %q source %q", ev.Index, ev.SourceType, ev.Source)
		}
		if want := float64(time.Date(2026, 3, 4, 5, 6, 7, 123e6, time.UTC).UnixMilli()) / 1000; ev.Time != want {
			f.t.Errorf("time: got %f, want %f", ev.Time, want)
		}
		got = append(got, ev.Event.Event.ID)
	}
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, got)
	status, body, upTo := 200, `{"text":"Success","code":0}`, len(got)
	if f.answer != nil {
		status, body, upTo = f.answer(n, got)
	}
	f.indexed = append(f.indexed, got[:upTo]...)
	f.mu.Unlock()
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func newSplunk(t *testing.T, f *fakeHEC) (*Splunk, *[]int) {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	var statuses []int
	return &Splunk{URL: srv.URL, Token: "s3cret", Index: "alerts", Client: srv.Client(),
		MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond,
		OnRetry: func(_ time.Duration, status int) { statuses = append(statuses, status) }}, &statuses
}

func TestSplunk(t *testing.T) {
	tests := []struct {
		name        string
		batchBytes  int
		answer      func(n int, ids []string) (int, string, int)
		wantIndexed []string
		wantRetries []int
		wantReqs    int
	}{
		{name: "batched", batchBytes: 1200,
			wantIndexed: ids(ecsBatch(1, 6, 73)), wantReqs: 3},
		{name: "503 busy retried",
			answer: func(n int, _ []string) (int, string, int) {
				if n < 2 {
					return 503, `{"text":"Server is busy","code":9}`, 0
				}
				return 200, `{"text":"Success","code":0}`, -1
			},
			wantIndexed: ids(ecsBatch(1, 6, 73)), wantRetries: []int{503, 503}, wantReqs: 3},
		{name: "403 invalid token retried until fixed",
			answer: func(n int, _ []string) (int, string, int) {
				if n == 0 {
					return 403, `{"text":"Invalid token","code":4}`, 0
				}
				return 200, `{"text":"Success","code":0}`, -1
			},
			wantIndexed: ids(ecsBatch(1, 6, 73)), wantRetries: []int{403}, wantReqs: 2},
		{name: "400 incorrect index is configuration: retried",
			answer: func(n int, _ []string) (int, string, int) {
				if n == 0 {
					return 400, `{"text":"Incorrect index","code":7,"invalid-event-number":0}`, 0
				}
				return 200, `{"text":"Success","code":0}`, -1
			},
			wantIndexed: ids(ecsBatch(1, 6, 73)), wantRetries: []int{400}, wantReqs: 2},
		{name: "invalid event number skips that event only",
			answer: func(_ int, got []string) (int, string, int) {
				if i := slices.Index(got, "id-3"); i >= 0 {
					return 400, fmt.Sprintf(`{"text":"Invalid data format","code":6,"invalid-event-number":%d}`, i), i
				}
				return 200, `{"text":"Success","code":0}`, -1
			},
			wantIndexed: []string{"id-1", "id-2", "id-4", "id-5", "id-6"}, wantReqs: 2},
		{name: "400 without event number bisects to the poison event",
			answer: func(_ int, got []string) (int, string, int) {
				if slices.Contains(got, "id-5") {
					return 400, `{"text":"No data","code":5}`, 0
				}
				return 200, `{"text":"Success","code":0}`, -1
			},
			// [1..6] refused -> [1..3] ok, [4..6] refused -> [4] ok, [5,6] refused -> [5] refused, [6] ok
			wantIndexed: []string{"id-1", "id-2", "id-3", "id-4", "id-6"}, wantReqs: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeHEC{t: t}
			if tt.answer != nil {
				f.answer = func(n int, got []string) (int, string, int) {
					st, body, upTo := tt.answer(n, got)
					if upTo < 0 {
						upTo = len(got)
					}
					return st, body, upTo
				}
			}
			s, retries := newSplunk(t, f)
			s.MaxBatchBytes = tt.batchBytes
			n, err := s.Deliver(context.Background(), ecsBatch(1, 6, 73))
			if n != 6 || err != nil {
				t.Fatalf("Deliver: got %d, %v; want 6, nil", n, err)
			}
			if d := cmp.Diff(tt.wantIndexed, f.indexed); d != "" {
				t.Errorf("indexed events (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantRetries, *retries); d != "" {
				t.Errorf("retries (-want +got):\n%s", d)
			}
			if len(f.reqs) != tt.wantReqs {
				t.Errorf("requests: got %d %v, want %d", len(f.reqs), f.reqs, tt.wantReqs)
			}
		})
	}
}

func TestSplunkDownHoldsUntilCancel(t *testing.T) {
	f := &fakeHEC{t: t, answer: func(int, []string) (int, string, int) { return 503, `{"text":"Server is busy","code":9}`, 0 }}
	s, _ := newSplunk(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if n, err := s.Deliver(ctx, ecsBatch(1, 3, 73)); n != 0 || err == nil {
		t.Errorf("got %d, %v; want 0 and the context error (cursor must not move)", n, err)
	}
}

// --- Elasticsearch _bulk ---

// fakeES is a _bulk endpoint over an in-memory index that refuses
// duplicate ids with 409, like a create action does.
type fakeES struct {
	t      *testing.T
	mu     sync.Mutex
	docs   map[string]json.RawMessage
	reqs   [][]string
	item   func(id string, attempt int) (int, string) // per-item status and error type
	status func(n int) int                            // request-level status
	seen   map[string]int
}

func (f *fakeES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/_bulk" || r.Method != http.MethodPost {
		f.t.Errorf("request: got %s %s, want POST /_bulk", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		f.t.Errorf("content type: got %q", ct)
	}
	if got := r.Header.Get("Authorization"); got != "ApiKey a2V5OnNlY3JldA==" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, nil)
	if f.status != nil {
		if st := f.status(n); st != 200 {
			w.WriteHeader(st)
			io.WriteString(w, `{"error":{"type":"es_rejected_execution_exception"},"status":429}`)
			return
		}
	}
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	type result struct {
		ID     string         `json:"_id"`
		Status int            `json:"status"`
		Error  map[string]any `json:"error,omitempty"`
	}
	var items []map[string]result
	errs := false
	for sc.Scan() {
		var action map[string]struct {
			Index string `json:"_index"`
			ID    string `json:"_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &action); err != nil {
			f.t.Fatalf("action line: %v", err)
		}
		a, ok := action["create"]
		if !ok || a.Index != "automaldesc-alerts" {
			f.t.Errorf("action: got %s, want create into automaldesc-alerts", sc.Text())
		}
		if !sc.Scan() {
			f.t.Fatal("action without a document")
		}
		doc := json.RawMessage(slices.Clone(sc.Bytes()))
		f.reqs[n] = append(f.reqs[n], a.ID)
		f.seen[a.ID]++
		st, typ := 201, ""
		if f.item != nil {
			st, typ = f.item(a.ID, f.seen[a.ID])
		}
		if st == 201 {
			if _, dup := f.docs[a.ID]; dup {
				st, typ = 409, "version_conflict_engine_exception"
			} else {
				f.docs[a.ID] = doc
			}
		}
		res := result{ID: a.ID, Status: st}
		if typ != "" {
			res.Error = map[string]any{"type": typ, "reason": "test"}
			errs = true
		}
		items = append(items, map[string]result{"create": res})
	}
	json.NewEncoder(w).Encode(map[string]any{"took": 1, "errors": errs, "items": items})
}

func TestElasticsearch(t *testing.T) {
	tests := []struct {
		name     string
		seed     []string
		item     func(id string, attempt int) (int, string)
		status   func(n int) int
		wantDocs []string
		wantReqs [][]string
	}{
		{name: "all created",
			wantDocs: []string{"id-1", "id-2", "id-3", "id-4"},
			wantReqs: [][]string{{"id-1", "id-2", "id-3", "id-4"}}},
		{name: "409 means already delivered", seed: []string{"id-2"},
			wantDocs: []string{"id-1", "id-2", "id-3", "id-4"},
			wantReqs: [][]string{{"id-1", "id-2", "id-3", "id-4"}}},
		{name: "partial failures: only failed items retried, mapping errors skipped",
			item: func(id string, attempt int) (int, string) {
				switch {
				case id == "id-2":
					return 400, "mapper_parsing_exception"
				case id == "id-3" && attempt == 1:
					return 429, "es_rejected_execution_exception"
				case id == "id-4" && attempt <= 2:
					return 503, "unavailable_shards_exception"
				}
				return 201, ""
			},
			wantDocs: []string{"id-1", "id-3", "id-4"},
			wantReqs: [][]string{{"id-1", "id-2", "id-3", "id-4"}, {"id-3", "id-4"}, {"id-4"}}},
		{name: "request-level 429 retries the whole request",
			status:   func(n int) int { return map[bool]int{true: 429, false: 200}[n == 0] },
			wantDocs: []string{"id-1", "id-2", "id-3", "id-4"},
			wantReqs: [][]string{nil, {"id-1", "id-2", "id-3", "id-4"}}},
		{name: "request-level 400 bisects",
			status:   func(n int) int { return map[bool]int{true: 400, false: 200}[n == 0] },
			wantDocs: []string{"id-1", "id-2", "id-3", "id-4"},
			wantReqs: [][]string{nil, {"id-1", "id-2"}, {"id-3", "id-4"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeES{t: t, docs: map[string]json.RawMessage{}, seen: map[string]int{}, item: tt.item, status: tt.status}
			for _, id := range tt.seed {
				f.docs[id] = json.RawMessage(`{}`)
			}
			srv := httptest.NewServer(f)
			defer srv.Close()
			es := &Elasticsearch{URL: srv.URL + "/", Index: "automaldesc-alerts", APIKey: "a2V5OnNlY3JldA==", Client: srv.Client(),
				MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond}
			n, err := es.Deliver(context.Background(), ecsBatch(1, 4, 73))
			if n != 4 || err != nil {
				t.Fatalf("Deliver: got %d, %v; want 4, nil", n, err)
			}
			var docs []string
			for id := range f.docs {
				docs = append(docs, id)
			}
			slices.Sort(docs)
			if d := cmp.Diff(tt.wantDocs, docs); d != "" {
				t.Errorf("stored documents (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantReqs, f.reqs); d != "" {
				t.Errorf("requests (-want +got):\n%s", d)
			}
			if tt.seed == nil {
				if doc := f.docs["id-1"]; !strings.Contains(string(doc), `"id":"id-1"`) {
					t.Errorf("stored document: got %s, want the record body", doc)
				}
			}
		})
	}
}

func TestElasticsearchDownHoldsUntilCancel(t *testing.T) {
	f := &fakeES{t: t, docs: map[string]json.RawMessage{}, seen: map[string]int{}, status: func(int) int { return 503 }}
	srv := httptest.NewServer(f)
	defer srv.Close()
	es := &Elasticsearch{URL: srv.URL, Index: "automaldesc-alerts", APIKey: "a2V5OnNlY3JldA==", Client: srv.Client(),
		MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if n, err := es.Deliver(ctx, ecsBatch(1, 2, 73)); n != 0 || err == nil {
		t.Errorf("got %d, %v; want 0 and the context error", n, err)
	}
}

// --- syslog ---

// syslogServer accepts connections and parses octet-counted frames.
type syslogServer struct {
	ln     net.Listener
	mu     sync.Mutex
	frames []string
	conns  int
	// closeAfter, when > 0, closes each connection after that many frames.
	closeAfter int
	got        chan struct{}
}

func startSyslog(t *testing.T, tlsConf *tls.Config, closeAfter int) *syslogServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	s := &syslogServer{ln: ln, closeAfter: closeAfter, got: make(chan struct{}, 100)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
			go s.serve(c)
		}
	}()
	return s
}

func (s *syslogServer) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for n := 0; s.closeAfter == 0 || n < s.closeAfter; n++ {
		lenStr, err := br.ReadString(' ')
		if err != nil {
			return
		}
		size, err := strconv.Atoi(strings.TrimSuffix(lenStr, " "))
		if err != nil || size <= 0 {
			return
		}
		msg := make([]byte, size)
		if _, err := io.ReadFull(br, msg); err != nil {
			return
		}
		s.mu.Lock()
		s.frames = append(s.frames, string(msg))
		s.mu.Unlock()
		s.got <- struct{}{}
	}
}

func (s *syslogServer) wait(t *testing.T, n int) []string {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-s.got:
		case <-time.After(5 * time.Second):
			t.Fatalf("syslog: got %d frames, want %d", i, n)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.frames)
}

var rfc5424 = regexp.MustCompile(`^<(\d{1,3})>1 (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z) (\S{1,255}) automaldesc (\d+) alert \[automaldesc@32473 id="([^"]*)"\] \x{FEFF}(\{.*\})$`)

func TestSyslogTCP(t *testing.T) {
	srv := startSyslog(t, nil, 0)
	s := &Syslog{Address: srv.ln.Addr().String(), Hostname: "sensor 1\n", Facility: 10}
	defer s.Close()
	batch := append(ecsBatch(1, 1, 73), append(ecsBatch(2, 1, 47), append(ecsBatch(3, 1, 21), ecsBatch(4, 1, 0)...)...)...)
	if n, err := s.Deliver(context.Background(), batch); n != 4 || err != nil {
		t.Fatalf("Deliver: got %d, %v", n, err)
	}
	frames := srv.wait(t, 4)
	wantPRI := []int{10*8 + 2, 10*8 + 4, 10*8 + 5, 10*8 + 6}
	for i, f := range frames {
		m := rfc5424.FindStringSubmatch(f)
		if m == nil {
			t.Fatalf("frame %d is not RFC 5424 as documented: %q", i, f)
		}
		if pri, _ := strconv.Atoi(m[1]); pri != wantPRI[i] {
			t.Errorf("frame %d: got PRI %d, want %d", i, pri, wantPRI[i])
		}
		if m[2] != "2026-03-04T05:06:07.123000Z" || m[3] != "sensor1" || m[5] != batch[i].ID {
			t.Errorf("frame %d header: got time %s host %s id %s", i, m[2], m[3], m[5])
		}
		if m[6] != string(batch[i].Body) {
			t.Errorf("frame %d: body altered", i)
		}
	}
}

func TestSyslogTLSAndReconnect(t *testing.T) {
	cert, caFile := selfSigned(t)
	srv := startSyslog(t, &tls.Config{Certificates: []tls.Certificate{cert}}, 2)
	conf, err := SyslogTLSConfig(srv.ln.Addr().String(), caFile)
	if err != nil {
		t.Fatal(err)
	}
	s := &Syslog{Address: srv.ln.Addr().String(), TLS: conf, MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond}
	defer s.Close()
	// The server drops every connection after two frames; each batch
	// starts by noticing that and reconnecting.
	for i := 0; i < 3; i++ {
		if n, err := s.Deliver(context.Background(), ecsBatch(1+2*i, 2, 73)); n != 2 || err != nil {
			t.Fatalf("batch %d: got %d, %v", i, n, err)
		}
		srv.wait(t, 2)
	}
	frames := srv.wait(t, 0)
	var got []string
	for _, f := range frames {
		if m := rfc5424.FindStringSubmatch(f); m != nil {
			got = append(got, m[5])
		}
	}
	if want := ids(ecsBatch(1, 6, 73)); !slices.Equal(got, want) {
		t.Errorf("ids received: got %v, want %v", got, want)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.conns != 3 {
		t.Errorf("connections: got %d, want 3", srv.conns)
	}
}

func TestSyslogTLSRefusesUnknownCA(t *testing.T) {
	cert, _ := selfSigned(t)
	srv := startSyslog(t, &tls.Config{Certificates: []tls.Certificate{cert}}, 0)
	conf, err := SyslogTLSConfig(srv.ln.Addr().String(), "")
	if err != nil {
		t.Fatal(err)
	}
	s := &Syslog{Address: srv.ln.Addr().String(), TLS: conf, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if n, err := s.Deliver(ctx, ecsBatch(1, 1, 73)); n != 0 || err == nil {
		t.Errorf("got %d, %v; want 0 and an error (untrusted certificate)", n, err)
	}
}

func TestSyslogOversize(t *testing.T) {
	srv := startSyslog(t, nil, 0)
	s := &Syslog{Address: srv.ln.Addr().String(), MaxMessage: 220}
	defer s.Close()
	big := ecsBatch(1, 1, 73)
	huge := Encoded{Seq: 2, ID: "id-2", Body: []byte(`{"message":"` + strings.Repeat("y", 400) + `"}`)}
	if n, err := s.Deliver(context.Background(), append(big, huge)); n != 2 || err != nil {
		t.Fatalf("Deliver: got %d, %v; want 2, nil (the oversize record skipped)", n, err)
	}
	frames := srv.wait(t, 1)
	if len(frames) != 1 || strings.Contains(frames[0], `"pad"`) || !strings.Contains(frames[0], `"automaldesc_omitted":true`) {
		t.Errorf("got frames %q, want one without the full report", frames)
	}
}

// selfSigned returns a certificate for 127.0.0.1 and a PEM file of it.
func selfSigned(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "syslog test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, path
}

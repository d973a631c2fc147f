package sink

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

func batch(from, n int) []Encoded {
	out := make([]Encoded, n)
	for i := range out {
		out[i] = Encoded{Seq: int64(from + i), ID: fmt.Sprintf("id-%d", from+i), Body: []byte(fmt.Sprintf(`{"n":%d,"pad":"%s"}`, from+i, strings.Repeat("x", 80)))}
	}
	return out
}

func TestWebhookSignatureAndRetries(t *testing.T) {
	secret := []byte("k3y")
	var mu sync.Mutex
	calls, failFor := 0, 3
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls <= failFor {
			if calls == 2 {
				w.Header().Set("Retry-After", "0")
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		m := hmac.New(sha256.New, secret)
		m.Write(body)
		if want := "sha256=" + hex.EncodeToString(m.Sum(nil)); r.Header.Get("X-Automaldesc-Signature") != want {
			t.Errorf("signature: got %q, want %q", r.Header.Get("X-Automaldesc-Signature"), want)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("content type: got %q, want application/json", ct)
		}
		got = append(got, r.Header.Get("X-Automaldesc-Record-Id"))
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	var waits []time.Duration
	wh := &Webhook{URL: srv.URL, Secret: secret, Client: srv.Client(), MinBackoff: time.Millisecond, MaxBackoff: 8 * time.Millisecond,
		OnRetry: func(d time.Duration, status int) {
			if status != 503 {
				t.Errorf("retry status: got %d, want 503", status)
			}
			waits = append(waits, d)
		}}
	n, err := wh.Deliver(context.Background(), batch(1, 3))
	if err != nil || n != 3 {
		t.Fatalf("Deliver: got %d, %v; want 3, nil", n, err)
	}
	if want := []string{"id-1", "id-2", "id-3"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("delivered ids: got %v, want %v", got, want)
	}
	if len(waits) != failFor {
		t.Fatalf("retries: got %d, want %d", len(waits), failFor)
	}
	if waits[1] != 0 {
		t.Errorf("Retry-After: 0 not honoured: waited %s", waits[1])
	}
	for _, d := range waits {
		if d > 8*time.Millisecond {
			t.Errorf("backoff %s over the 8ms cap", d)
		}
	}
}

func TestWebhookPermanentRefusalSkips(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Automaldesc-Record-Id") == "id-2" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	wh := &Webhook{URL: srv.URL, Client: srv.Client()}
	if n, err := wh.Deliver(context.Background(), batch(1, 3)); n != 3 || err != nil {
		t.Errorf("got %d, %v; want 3, nil (the refused record is skipped)", n, err)
	}
}

func TestWebhookDownHoldsUntilCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	wh := &Webhook{URL: srv.URL, Client: srv.Client(), MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}
	if n, err := wh.Deliver(ctx, batch(1, 2)); n != 0 || err == nil {
		t.Errorf("got %d, %v; want 0 and the context error (cursor must not move)", n, err)
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
		ok   bool
	}{
		{"none", "", 0, false}, {"seconds", "3", 3 * time.Second, true}, {"zero", "0", 0, true}, {"negative", "-1", 0, false},
		{"garbage", "soon", 0, false}, {"past date", "Mon, 02 Jan 2006 15:04:05 GMT", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := retryAfter(tc.in); got != tc.want || ok != tc.ok {
				t.Errorf("got %s %v, want %s %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestNDJSONRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "alerts.ndjson")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	n, err := NewNDJSON(path, 1024, time.Hour, 2)
	if err != nil {
		t.Fatal(err)
	}
	n.now = func() time.Time { now = now.Add(time.Second); return now }
	total := 0
	for i := range 10 { // 10 x 5 lines of ~100 bytes: about 5 KB
		got, err := n.Deliver(context.Background(), batch(i*5, 5))
		if err != nil || got != 5 {
			t.Fatalf("Deliver: %d, %v", got, err)
		}
		total += 5
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	rot, err := Rotated(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rot) != 2 {
		t.Errorf("rotated files kept: got %d (%v), want 2", len(rot), rot)
	}
	for _, p := range append(rot, path) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 1024 {
			t.Errorf("%s: %d bytes, over max_size 1024", p, fi.Size())
		}
	}
	// Age rotation: a file older than max_age rotates on the next write.
	n2, err := NewNDJSON(path, 0, time.Minute, 5)
	if err != nil {
		t.Fatal(err)
	}
	n2.now = func() time.Time { return now }
	n2.opened = now
	before, _ := Rotated(path)
	now = now.Add(2 * time.Minute)
	if _, err := n2.Deliver(context.Background(), batch(100, 1)); err != nil {
		t.Fatal(err)
	}
	n2.Close()
	after, _ := Rotated(path)
	if len(after) != len(before)+1 {
		t.Errorf("age rotation: rotated files %d -> %d, want one more", len(before), len(after))
	}
}

func TestNDJSONRepairsPartialLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.ndjson")
	if err := os.WriteFile(path, []byte("{\"a\":1}\n{\"b\":"), 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := NewNDJSON(path, 0, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Deliver(context.Background(), batch(1, 1)); err != nil {
		t.Fatal(err)
	}
	n.Close()
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 || lines[0] != `{"a":1}` || !strings.HasPrefix(lines[1], `{"n":1`) {
		t.Errorf("got %q, want the partial line cut and the new line appended", b)
	}
}

// flaky fails its first deliveries, then records what it gets.
type flaky struct {
	mu    sync.Mutex
	fails int
	got   []int64
}

func (f *flaky) Name() string { return "flaky" }
func (f *flaky) Close() error { return nil }
func (f *flaky) Deliver(_ context.Context, b []Encoded) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		// deliver one, then fail: the cursor must move past exactly one
		f.got = append(f.got, b[0].Seq)
		return 1, fmt.Errorf("down")
	}
	for _, e := range b {
		f.got = append(f.got, e.Seq)
	}
	return len(b), nil
}

func TestRunnerCursorAtLeastOnce(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := range 20 {
		if _, err := st.PutRecord(ctx, store.Record{ID: fmt.Sprintf("r%02d", i), Report: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	f := &flaky{fails: 2}
	r := &Runner{Sink: f, Source: st, Batch: 7, Poll: 10 * time.Millisecond, Encode: func(rec store.Record) ([]byte, error) {
		if rec.ID == "r05" {
			return nil, fmt.Errorf("cannot encode")
		}
		return rec.Report, nil
	}}
	stop := make(chan struct{})
	close(stop) // deliver what is there, then return
	if err := r.Run(ctx, stop); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]int{}
	for _, s := range f.got {
		seen[s]++
	}
	for i := int64(1); i <= 20; i++ {
		if i == 6 {
			if seen[i] != 0 {
				t.Errorf("unencodable record delivered")
			}
			continue
		}
		if seen[i] != 1 {
			t.Errorf("seq %d delivered %d times, want 1", i, seen[i])
		}
	}
	if cur, _ := st.Cursor(ctx, "flaky"); cur != 20 {
		t.Errorf("cursor: got %d, want 20", cur)
	}
}

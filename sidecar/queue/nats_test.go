package queue

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// startServer runs a real JetStream server in-process.
func startServer(t testing.TB) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

func dial(t testing.TB, url string, ackWait time.Duration, maxDeliver int) *NATS {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q, err := Dial(ctx, Options{URL: url, Stream: "T", Subject: "t.samples", AlertsSubject: "t.alerts", AckWait: ackWait, MaxDeliver: maxDeliver})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

func env(id, body string) Envelope {
	return Envelope{Version: EnvelopeVersion, ClaimID: id, Name: id + ".ps1", Source: "test", Size: int64(len(body)),
		SHA256: strings.Repeat("a", 64), Data: []byte(body)}
}

// msgs counts the messages a stream holds.
func msgs(t *testing.T, q *NATS, stream string) uint64 {
	t.Helper()
	s, err := q.js.Stream(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// consume runs Consume until stop returns true for the deliveries so far.
func consume(t *testing.T, q *NATS, h func(d Delivery) bool, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	var mu sync.Mutex
	done := false
	err := q.Consume(ctx, 2, func(ctx context.Context, d Delivery) {
		mu.Lock()
		defer mu.Unlock()
		if !done && h(d) {
			done = true
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !done {
		t.Fatalf("consume: condition not met within %s", within)
	}
}

func TestPublishConsumeDedup(t *testing.T) {
	q := dial(t, startServer(t), 5*time.Second, 3)
	ctx := context.Background()
	for _, e := range []Envelope{env("c1", "one"), env("c2", "two"), env("c1", "one")} {
		if err := q.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if got := msgs(t, q, "T"); got != 2 {
		t.Fatalf("work stream after a republication: got %d messages, want 2", got)
	}
	got := map[string]string{}
	consume(t, q, func(d Delivery) bool {
		e := d.Envelope()
		got[e.ClaimID] = string(e.Data)
		if d.Attempt() != 1 {
			t.Errorf("%s: attempt %d, want 1", e.ClaimID, d.Attempt())
		}
		if err := d.Ack(context.Background()); err != nil {
			t.Error(err)
		}
		return len(got) == 2
	}, 10*time.Second)
	if got["c1"] != "one" || got["c2"] != "two" {
		t.Errorf("delivered: got %v, want c1=one c2=two", got)
	}
	if n := msgs(t, q, "T"); n != 0 {
		t.Errorf("work stream after acks: got %d messages, want 0", n)
	}
}

func TestRedeliveryAfterAckWait(t *testing.T) {
	q := dial(t, startServer(t), time.Second, 3)
	if err := q.Publish(context.Background(), env("c1", "x")); err != nil {
		t.Fatal(err)
	}
	var attempts []int
	start := time.Now()
	consume(t, q, func(d Delivery) bool {
		attempts = append(attempts, d.Attempt())
		if d.Attempt() == 1 {
			return false // a worker that died: no ack
		}
		if err := d.Ack(context.Background()); err != nil {
			t.Error(err)
		}
		return true
	}, 10*time.Second)
	if len(attempts) != 2 || attempts[1] != 2 {
		t.Errorf("attempts: got %v, want [1 2]", attempts)
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Errorf("redelivered after %s, want after the 1s ack wait", el)
	}
}

func TestMaxDeliverDeadLetter(t *testing.T) {
	q := dial(t, startServer(t), time.Second, 1)
	if err := q.Publish(context.Background(), env("poison", "x")); err != nil {
		t.Fatal(err)
	}
	consume(t, q, func(d Delivery) bool {
		if d.Attempt() <= 1 {
			_ = d.Retry(0)
			return false
		}
		if err := d.DeadLetter(context.Background(), "gave up\nafter 1"); err != nil {
			t.Fatal(err)
		}
		if err := d.Ack(context.Background()); err != nil {
			t.Error(err)
		}
		return true
	}, 10*time.Second)
	if n := msgs(t, q, "T_DEAD"); n != 1 {
		t.Fatalf("dead letters: got %d, want 1", n)
	}
	s, _ := q.js.Stream(context.Background(), "T_DEAD")
	m, err := s.GetMsg(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if r := m.Header.Get("Automaldesc-Reason"); r != "gave up after 1" {
		t.Errorf("reason header: got %q, want %q", r, "gave up after 1")
	}
	if n := msgs(t, q, "T"); n != 0 {
		t.Errorf("work stream: got %d messages, want 0", n)
	}
}

func TestInvalidMessageIsDeadLettered(t *testing.T) {
	url := startServer(t)
	q := dial(t, url, time.Second, 3)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	for _, body := range []string{"not json", `{"v":1,"claim_id":"../x","size":0}`} {
		if _, err := js.Publish(context.Background(), "t.samples", []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Publish(context.Background(), env("good", "x")); err != nil {
		t.Fatal(err)
	}
	var got []string
	consume(t, q, func(d Delivery) bool {
		got = append(got, d.Envelope().ClaimID)
		_ = d.Ack(context.Background())
		return true
	}, 10*time.Second)
	if len(got) != 1 || got[0] != "good" {
		t.Errorf("handled: got %v, want [good]", got)
	}
	waitN := func() uint64 { return msgs(t, q, "T_DEAD") }
	deadline := time.Now().Add(5 * time.Second)
	for waitN() != 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := waitN(); n != 2 {
		t.Errorf("dead letters: got %d, want 2", n)
	}
}

func TestAlertsDedupByID(t *testing.T) {
	q := dial(t, startServer(t), time.Second, 3)
	for range 3 {
		if err := q.PublishAlert(context.Background(), "rec-1", []byte(`{"event":{"id":"rec-1"}}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.PublishAlert(context.Background(), "rec-2", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if n := msgs(t, q, "T_ALERTS"); n != 2 {
		t.Errorf("alerts: got %d, want 2 (one per record id)", n)
	}
}

func TestDialRefusesNonWorkQueueStream(t *testing.T) {
	url := startServer(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(context.Background(), jetstream.StreamConfig{Name: "T", Subjects: []string{"t.samples"}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = Dial(ctx, Options{URL: url, Stream: "T", Subject: "t.samples", AckWait: time.Second, MaxDeliver: 1})
	if !errors.Is(err, errConfig) {
		t.Errorf("got %v, want the stream configuration error", err)
	}
}

func TestDialGivesUpWhenCtxEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	_, err := Dial(ctx, Options{URL: "nats://127.0.0.1:1", Stream: "T", Subject: "t.samples", AckWait: time.Second, MaxDeliver: 1})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's deadline", err)
	}
}

func TestEnvelopeValidate(t *testing.T) {
	ok := env("c", "data")
	tests := []struct {
		name string
		mod  func(*Envelope)
		want bool
	}{
		{"inline", func(*Envelope) {}, true},
		{"shared", func(e *Envelope) { e.Data, e.Shared = nil, "c" }, true},
		{"reject", func(e *Envelope) { e.Data, e.Reject = nil, &Reject{Status: "skipped", Reason: "symlink"} }, true},
		{"empty file", func(e *Envelope) { e.Data, e.Size = nil, 0 }, true},
		{"oversize", func(e *Envelope) { e.Data, e.Oversize = nil, true }, true},
		{"wrong version", func(e *Envelope) { e.Version = 2 }, false},
		{"no claim", func(e *Envelope) { e.ClaimID = "" }, false},
		{"claim with slash", func(e *Envelope) { e.ClaimID = "a/b" }, false},
		{"shared traversal", func(e *Envelope) { e.Data, e.Shared = nil, "../etc/passwd" }, false},
		{"shared dotdot", func(e *Envelope) { e.Data, e.Shared = nil, ".." }, false},
		{"data and shared", func(e *Envelope) { e.Shared = "c" }, false},
		{"bytes nowhere", func(e *Envelope) { e.Data = nil }, false},
		{"bad reject status", func(e *Envelope) { e.Data, e.Reject = nil, &Reject{Status: "ok"} }, false},
		{"negative size", func(e *Envelope) { e.Size = -1 }, false},
		{"hint wait", func(e *Envelope) { e.HintWaitMS = MaxHintWait.Milliseconds() }, true},
		{"negative hint wait", func(e *Envelope) { e.HintWaitMS = -1 }, false},
		{"hint wait too long", func(e *Envelope) { e.HintWaitMS = MaxHintWait.Milliseconds() + 1 }, false},
		{"size differs from data", func(e *Envelope) { e.Size = 99 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.mod(&e)
			err := e.Validate()
			if (err == nil) != tt.want {
				t.Errorf("got %v, want valid=%v", err, tt.want)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want it to wrap ErrInvalid", err)
			}
		})
	}
}

func TestMsgID(t *testing.T) {
	if got, want := env("c", "x").MsgID(), strings.Repeat("a", 64)+":c"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e := env("c", "")
	e.SHA256 = ""
	if got := e.MsgID(); got != "-:c" {
		t.Errorf("got %q, want %q", got, "-:c")
	}
}

func BenchmarkPublish(b *testing.B) {
	q := dial(b, startServer(b), time.Minute, 3)
	e := env("c", strings.Repeat("Write-Output 'x'\n", 100))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e.ClaimID = "c" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Now().Format("150405.000000000")
		if err := q.Publish(context.Background(), e); err != nil {
			b.Fatal(err)
		}
	}
}

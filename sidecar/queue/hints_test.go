package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/automaldesc/automaldesc/integrations/clamav"
)

// hintReader runs ConsumeHints in the background and collects the bodies.
type hintReader struct {
	mu     sync.Mutex
	bodies []string
	cancel context.CancelFunc
	done   chan error
}

func readHints(t *testing.T, q *NATS) *hintReader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &hintReader{cancel: cancel, done: make(chan error, 1)}
	go func() {
		r.done <- q.ConsumeHints(ctx, func(b []byte) {
			r.mu.Lock()
			r.bodies = append(r.bodies, string(b))
			r.mu.Unlock()
		})
	}()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop ends ConsumeHints and checks that it returns nil, promptly.
func (r *hintReader) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok && err != nil {
			t.Errorf("ConsumeHints: got %v, want nil", err)
		}
		if ok {
			close(r.done)
		}
	case <-time.After(5 * time.Second):
		t.Error("ConsumeHints did not return within 5s of its context ending")
	}
}

// wait returns the bodies once there are n (failing after 10s).
func (r *hintReader) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		got := append([]string(nil), r.bodies...)
		r.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				t.Fatalf("hints read: got %d %q, want %d", len(got), got, n)
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func dialHints(t *testing.T, url string, window time.Duration) *NATS {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q, err := Dial(ctx, Options{URL: url, Stream: "T", Subject: "t.samples", AckWait: time.Second, MaxDeliver: 1, HintWindow: window})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

func streamConfig(t *testing.T, q *NATS, name string) jetstream.StreamConfig {
	t.Helper()
	s, err := q.js.Stream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return s.CachedInfo().Config
}

func TestHintsStreamCreated(t *testing.T) {
	q := dial(t, startServer(t), time.Second, 3)
	got := streamConfig(t, q, "T_HINTS")
	if got.Retention != jetstream.LimitsPolicy || got.MaxAge != clamav.DefaultWindow ||
		len(got.Subjects) != 1 || got.Subjects[0] != "t.samples.hints" || got.MaxMsgSize != clamav.MaxHintSize ||
		got.Duplicates != DuplicateWindow {
		t.Errorf("hints stream: got retention %s, max age %s, subjects %v, max msg size %d, duplicates %s; "+
			"want limits, %s, [t.samples.hints], %d, %s", got.Retention, got.MaxAge, got.Subjects, got.MaxMsgSize,
			got.Duplicates, clamav.DefaultWindow, clamav.MaxHintSize, DuplicateWindow)
	}
	if err := q.PublishHint(context.Background(), "big", make([]byte, clamav.MaxHintSize+1)); err == nil {
		t.Error("publishing a hint larger than clamav.MaxHintSize: got nil, want the server's refusal")
	}
}

func TestHintsEveryReaderGetsEveryHint(t *testing.T) {
	url := startServer(t)
	pub := dialHints(t, url, 0)
	ctx := context.Background()
	// Published before any reader exists: a late worker still gets them.
	for _, h := range []struct{ id, body string }{{"1", "one"}, {"2", "two"}, {"1", "one again"}} {
		if err := pub.PublishHint(ctx, h.id, []byte(h.body)); err != nil {
			t.Fatal(err)
		}
	}
	a := readHints(t, dialHints(t, url, 0))
	b := readHints(t, dialHints(t, url, 0))
	for name, r := range map[string]*hintReader{"a": a, "b": b} {
		if got := r.wait(t, 2); got[0] != "one" || got[1] != "two" {
			t.Errorf("reader %s before: got %q, want [one two] (the republished id dropped)", name, got)
		}
	}
	if err := pub.PublishHint(ctx, "3", []byte("three")); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*hintReader{"a": a, "b": b} {
		if got := r.wait(t, 3); got[2] != "three" {
			t.Errorf("reader %s after: got %q, want three last", name, got)
		}
	}
}

// An operator's hints stream keeps its limits, and a reader still starts
// only one hint window back.
func TestHintsStartOneWindowBack(t *testing.T) {
	url := startServer(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T_HINTS", Subjects: []string{"t.samples.hints"}, MaxAge: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "t.samples.hints", []byte("old")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	q := dialHints(t, url, time.Second)
	if got := streamConfig(t, q, "T_HINTS").MaxAge; got != time.Hour {
		t.Errorf("operator's hints stream: got max age %s, want it left at 1h", got)
	}
	if err := q.PublishHint(ctx, "new", []byte("new")); err != nil {
		t.Fatal(err)
	}
	r := readHints(t, q)
	if got := r.wait(t, 1); got[0] != "new" {
		t.Errorf("got %q, want [new] (the old hint is outside the window)", got)
	}
}

func TestHintsResumeAfterConsumerLoss(t *testing.T) {
	url := startServer(t)
	q := dialHints(t, url, 0)
	ctx := context.Background()
	r := readHints(t, q)
	if err := q.PublishHint(ctx, "1", []byte("one")); err != nil {
		t.Fatal(err)
	}
	r.wait(t, 1)
	s, err := q.js.Stream(ctx, "T_HINTS")
	if err != nil {
		t.Fatal(err)
	}
	deleted := 0
	for name := range s.ListConsumers(ctx).Info() {
		if err := s.DeleteConsumer(ctx, name.Name); err != nil {
			t.Fatal(err)
		}
		deleted++
	}
	if deleted != 1 {
		t.Fatalf("hint consumers: got %d, want 1", deleted)
	}
	for i := 2; i <= 4; i++ {
		if err := q.PublishHint(ctx, fmt.Sprint(i), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.wait(t, 4); strings.Join(got, ",") != "one,2,3,4" {
		t.Errorf("after the consumer was deleted: got %q, want [one 2 3 4] (each once, in order)", got)
	}
}

func TestDialRefusesHintsStreamWithoutLimits(t *testing.T) {
	url := startServer(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(context.Background(), jetstream.StreamConfig{Name: "T_HINTS", Subjects: []string{"t.samples.hints"},
		Retention: jetstream.WorkQueuePolicy}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = Dial(ctx, Options{URL: url, Stream: "T", Subject: "t.samples", AckWait: time.Second, MaxDeliver: 1})
	if !errors.Is(err, errConfig) {
		t.Errorf("got %v, want the stream configuration error", err)
	}
}

func TestConsumeHintsWhileServerDown(t *testing.T) {
	url := startServer(t)
	q := dialHints(t, url, 0)
	q.nc.Close() // as good as a server that went away for good
	r := readHints(t, q)
	time.Sleep(300 * time.Millisecond)
	r.stop(t) // returns promptly, nil
}

// A hints stream deleted and created anew (an operator adding replicas)
// starts at sequence 1 again: the reader starts over one window back.
func TestHintsStreamRecreated(t *testing.T) {
	url := startServer(t)
	q := dialHints(t, url, 0)
	ctx := context.Background()
	r := readHints(t, q)
	for i := 1; i <= 3; i++ {
		if err := q.PublishHint(ctx, fmt.Sprint(i), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	r.wait(t, 3)
	cfg := streamConfig(t, q, "T_HINTS")
	if err := q.js.DeleteStream(ctx, "T_HINTS"); err != nil {
		t.Fatal(err)
	}
	if _, err := q.js.CreateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if err := q.PublishHint(ctx, "new", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got := r.wait(t, 4); got[3] != "new" {
		t.Errorf("after the stream was created anew: got %q, want new last", got)
	}
}

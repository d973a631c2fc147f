package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/automaldesc/automaldesc/integrations/clamav"
)

// DuplicateWindow is the window in which the streams Dial creates drop a
// message whose id they already stored.
const DuplicateWindow = 2 * time.Minute

// fetchWait bounds one pull request: how long Consume and ConsumeHints
// take to notice that ctx ended when nothing arrives.
const fetchWait = time.Second

// Limits of the hints stream Dial creates: a flood of hints cannot fill
// the server (a worker holds clamav.DefaultMaxHints anyway).
const (
	hintStreamMaxMsgs = 16 * clamav.DefaultMaxHints
	hintFetchBatch    = 256
)

// Options configure a NATS queue.
type Options struct {
	URL           string        // nats://host:4222, comma-separated for a cluster
	Stream        string        // work-queue stream
	Subject       string        // subject of envelopes; dead letters on <Subject>.dead
	AlertsSubject string        // "" = no alert stream
	AckWait       time.Duration // redelivery after this long without Ack or InProgress
	MaxDeliver    int           // the consumer allows MaxDeliver+1 deliveries (see the package doc)
	HintWindow    time.Duration // max age of the hints stream, and how far back ConsumeHints starts; 0 = clamav.DefaultWindow
	Name          string        // client connection name (shown by the server)
	Logger        *slog.Logger
}

// NATS is the JetStream Queue (and Alerts).
type NATS struct {
	opt  Options
	nc   *nats.Conn
	js   jetstream.JetStream
	log  *slog.Logger
	mu   sync.Mutex
	cons jetstream.Consumer // created on the first Consume
}

var (
	_ Queue  = (*NATS)(nil)
	_ Alerts = (*NATS)(nil)
	_ Hints  = (*NATS)(nil)
)

// Dial connects (reconnecting forever after a loss) and makes sure the
// streams exist, retrying until ctx ends while the server is unreachable.
func Dial(ctx context.Context, opt Options) (*NATS, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.URL == "" || opt.Stream == "" || opt.Subject == "" || opt.AckWait <= 0 || opt.MaxDeliver < 1 {
		return nil, errors.New("queue: url, stream, subject, ack wait and max deliver are required")
	}
	if opt.HintWindow <= 0 {
		opt.HintWindow = clamav.DefaultWindow
	}
	log := opt.Logger
	nc, err := nats.Connect(opt.URL,
		nats.Name(opt.Name),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected; reconnecting", "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("nats reconnected", "server", c.ConnectedUrlRedacted()) }),
	)
	if err != nil {
		return nil, fmt.Errorf("queue: connect %s: %w", redact(opt.URL), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("queue: %w", err)
	}
	q := &NATS{opt: opt, nc: nc, js: js, log: log}
	streams := []jetstream.StreamConfig{
		{Name: opt.Stream, Subjects: []string{opt.Subject}, Retention: jetstream.WorkQueuePolicy,
			Storage: jetstream.FileStorage, Duplicates: DuplicateWindow,
			Description: "automaldesc: claimed samples waiting for analysis"},
		{Name: opt.Stream + "_DEAD", Subjects: []string{opt.Subject + ".dead"}, Retention: jetstream.LimitsPolicy,
			Storage: jetstream.FileStorage, Duplicates: DuplicateWindow, MaxAge: 30 * 24 * time.Hour,
			Description: "automaldesc: samples that kept failing"},
		{Name: q.HintsStream(), Subjects: []string{q.HintsSubject()}, Retention: jetstream.LimitsPolicy,
			Storage: jetstream.FileStorage, Duplicates: min(DuplicateWindow, opt.HintWindow), MaxAge: opt.HintWindow,
			MaxMsgs: hintStreamMaxMsgs, MaxMsgSize: clamav.MaxHintSize, Discard: jetstream.DiscardOld,
			Description: "automaldesc: scanner hints, read by every worker"},
	}
	if opt.AlertsSubject != "" {
		streams = append(streams, jetstream.StreamConfig{Name: opt.Stream + "_ALERTS", Subjects: []string{opt.AlertsSubject},
			Retention: jetstream.LimitsPolicy, Storage: jetstream.FileStorage, Duplicates: DuplicateWindow,
			MaxAge: 7 * 24 * time.Hour, Description: "automaldesc: ECS alerts of stored records"})
	}
	for backoff := 250 * time.Millisecond; ; backoff = min(backoff*2, 5*time.Second) {
		err = q.ensureStreams(ctx, streams)
		if err == nil {
			return q, nil
		}
		if errors.Is(err, errConfig) {
			nc.Close()
			return nil, err
		}
		log.Warn("queue not ready; retrying", "url", redact(opt.URL), "err", err)
		select {
		case <-ctx.Done():
			nc.Close()
			return nil, fmt.Errorf("queue: %w (last error: %v)", ctx.Err(), err)
		case <-time.After(backoff):
		}
	}
}

var errConfig = errors.New("queue: stream configuration")

// ensureStreams creates the streams that are missing; existing ones are
// left as they are, but the work stream must be a work queue and the
// hints stream must keep its messages for every reader (limits).
func (q *NATS) ensureStreams(ctx context.Context, cfgs []jetstream.StreamConfig) error {
	for _, c := range cfgs {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		s, err := q.js.Stream(cctx, c.Name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			s, err = q.js.CreateStream(cctx, c)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				s, err = q.js.Stream(cctx, c.Name) // another sidecar was faster
			}
		}
		cancel()
		if err != nil {
			return fmt.Errorf("stream %s: %w", c.Name, err)
		}
		if c.Retention == jetstream.WorkQueuePolicy && s.CachedInfo().Config.Retention != jetstream.WorkQueuePolicy {
			return fmt.Errorf("%w: stream %s exists without work-queue retention; delete it or name another (queue.stream)", errConfig, c.Name)
		}
		if c.Name == q.HintsStream() && s.CachedInfo().Config.Retention != jetstream.LimitsPolicy {
			return fmt.Errorf("%w: stream %s exists with %s retention, want limits (every worker reads every hint); delete it or name another (queue.stream)",
				errConfig, c.Name, s.CachedInfo().Config.Retention)
		}
	}
	return nil
}

// Close drains nothing: in-flight messages not acknowledged are redelivered.
func (q *NATS) Close() error {
	q.nc.Close()
	return nil
}

// Connected reports whether the client holds a server connection.
func (q *NATS) Connected() bool { return q.nc.IsConnected() }

// Publish stores the envelope in the work stream.
func (q *NATS) Publish(ctx context.Context, e Envelope) error {
	e.Version = EnvelopeVersion
	if err := e.Validate(); err != nil {
		return fmt.Errorf("queue: publish: %w", err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("queue: claim %s: encode: %w", e.ClaimID, err)
	}
	if _, err := q.js.Publish(ctx, q.opt.Subject, b, jetstream.WithMsgID(e.MsgID()), jetstream.WithExpectStream(q.opt.Stream)); err != nil {
		return fmt.Errorf("queue: claim %s: publish: %w", e.ClaimID, err)
	}
	return nil
}

// PublishAlert stores one alert document, deduplicated by id.
func (q *NATS) PublishAlert(ctx context.Context, id string, doc []byte) error {
	if q.opt.AlertsSubject == "" {
		return nil
	}
	if _, err := q.js.Publish(ctx, q.opt.AlertsSubject, doc, jetstream.WithMsgID(id)); err != nil {
		return fmt.Errorf("queue: alert %s: publish: %w", id, err)
	}
	return nil
}

// HintsStream is the stream of scanner hints: <stream>_HINTS.
func (q *NATS) HintsStream() string { return q.opt.Stream + "_HINTS" }

// HintsSubject is the subject of scanner hints: <subject>.hints.
func (q *NATS) HintsSubject() string { return q.opt.Subject + ".hints" }

// PublishHint stores one encoded hint in the hints stream; id (the hint's
// content id) makes a republication within the duplicate window a no-op.
func (q *NATS) PublishHint(ctx context.Context, id string, body []byte) error {
	if _, err := q.js.Publish(ctx, q.HintsSubject(), body, jetstream.WithMsgID("hint:"+id),
		jetstream.WithExpectStream(q.HintsStream())); err != nil {
		return fmt.Errorf("queue: hint %.16s: publish: %w", id, err)
	}
	return nil
}

// ConsumeHints reads the hints stream through an ephemeral consumer of
// this process (no acknowledgements, in memory, removed by the server a
// minute after the process stops reading). It starts HintWindow back, so
// a worker that starts late still sees recent hints, and when the
// consumer is lost (server restart, a gap in the deliveries) it makes a
// new one that resumes after the last hint handed to f.
func (q *NATS) ConsumeHints(ctx context.Context, f func(body []byte)) error {
	var next uint64 // stream sequence to resume from; 0 = HintWindow back
	backoff := 250 * time.Millisecond
	for ctx.Err() == nil {
		c, err := q.hintConsumer(ctx, next)
		if err == nil {
			before := next
			next, err = q.pullHints(ctx, c, next, f)
			if next != before {
				backoff = 250 * time.Millisecond
			}
		}
		if ctx.Err() != nil {
			break
		}
		q.log.Warn("hints: consumer lost; resuming", "next_seq", next, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
	return nil
}

// hintConsumer creates an ephemeral consumer of the hints stream from
// stream sequence next, or HintWindow back when next is 0 or beyond the
// stream's end (the stream was deleted and created anew).
func (q *NATS) hintConsumer(ctx context.Context, next uint64) (jetstream.Consumer, error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if next > 0 {
		s, err := q.js.Stream(cctx, q.HintsStream())
		if err != nil {
			return nil, fmt.Errorf("queue: stream %s: %w", q.HintsStream(), err)
		}
		if s.CachedInfo().State.LastSeq+1 < next {
			next = 0
		}
	}
	cfg := jetstream.ConsumerConfig{
		Description:       "automaldesc: scanner hints for one worker",
		AckPolicy:         jetstream.AckNonePolicy,
		FilterSubject:     q.HintsSubject(),
		InactiveThreshold: time.Minute,
		MemoryStorage:     true,
		Replicas:          1,
	}
	if next > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, next
	} else {
		start := time.Now().Add(-q.opt.HintWindow)
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &start
	}
	c, err := q.js.CreateConsumer(cctx, q.HintsStream(), cfg)
	if err != nil {
		return nil, fmt.Errorf("queue: hints consumer on %s: %w", q.HintsStream(), err)
	}
	return c, nil
}

// pullHints hands the hints of c to f until ctx ends or c fails; it
// returns the stream sequence to resume from. Without acknowledgements a
// pull lost on the way leaves a gap in the consumer's sequence: that ends
// the consumer too, and the next one delivers the lost hints again.
func (q *NATS) pullHints(ctx context.Context, c jetstream.Consumer, next uint64, f func([]byte)) (uint64, error) {
	var delivered uint64 // consumer sequence of the last message
	for ctx.Err() == nil {
		batch, err := c.Fetch(hintFetchBatch, jetstream.FetchMaxWait(fetchWait))
		if err != nil {
			return next, fmt.Errorf("queue: fetch hints: %w", err)
		}
		for m := range batch.Messages() {
			md, err := m.Metadata()
			if err != nil {
				return next, fmt.Errorf("queue: hint metadata: %w", err)
			}
			if md.Sequence.Consumer != delivered+1 {
				return next, fmt.Errorf("queue: hints: delivery %d after %d", md.Sequence.Consumer, delivered)
			}
			delivered, next = md.Sequence.Consumer, md.Sequence.Stream+1
			f(m.Data())
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) && ctx.Err() == nil {
			return next, fmt.Errorf("queue: fetch hints: %w", err)
		}
	}
	return next, nil
}

// ConsumerName is the durable consumer every worker binds to.
func (q *NATS) ConsumerName() string { return q.opt.Stream + "_workers" }

func (q *NATS) consumer(ctx context.Context) (jetstream.Consumer, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.cons != nil {
		return q.cons, nil
	}
	c, err := q.js.CreateOrUpdateConsumer(ctx, q.opt.Stream, jetstream.ConsumerConfig{
		Durable:       q.ConsumerName(),
		Description:   "automaldesc workers",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       q.opt.AckWait,
		MaxDeliver:    q.opt.MaxDeliver + 1,
		FilterSubject: q.opt.Subject,
		MaxAckPending: 10000,
	})
	if err != nil {
		return nil, fmt.Errorf("queue: consumer %s: %w", q.ConsumerName(), err)
	}
	q.cons = c
	return c, nil
}

// Consume pulls one message at a time on each of n goroutines: nothing
// waits in a client buffer while its ack timer runs.
func (q *NATS) Consume(ctx context.Context, n int, h Handler) error {
	var c jetstream.Consumer
	for backoff := 250 * time.Millisecond; ; backoff = min(backoff*2, 5*time.Second) {
		var err error
		if c, err = q.consumer(ctx); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		q.log.Warn("cannot bind the worker consumer; retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
	}
	var wg sync.WaitGroup
	for range max(n, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.pull(ctx, c, h)
		}()
	}
	wg.Wait()
	return nil
}

func (q *NATS) pull(ctx context.Context, c jetstream.Consumer, h Handler) {
	backoff := 250 * time.Millisecond
	for ctx.Err() == nil {
		batch, err := c.Fetch(1, jetstream.FetchMaxWait(fetchWait))
		if err != nil {
			q.log.Warn("fetch", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 250 * time.Millisecond
		for m := range batch.Messages() {
			if ctx.Err() != nil {
				return // not acknowledged: redelivered after the ack wait
			}
			q.handle(ctx, m, h)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) && ctx.Err() == nil {
			q.log.Debug("fetch batch", "err", err)
		}
	}
}

func (q *NATS) handle(ctx context.Context, m jetstream.Msg, h Handler) {
	d := &delivery{q: q, m: m, attempt: 1}
	if md, err := m.Metadata(); err == nil {
		d.attempt = int(md.NumDelivered)
	}
	err := json.Unmarshal(m.Data(), &d.env)
	if err == nil {
		err = d.env.Validate()
	}
	if err != nil {
		// Not ours or corrupt: no claim id to record it under. Keep a
		// copy for operators and drop it from the work queue.
		q.log.Error("message is not a valid envelope; dead-lettered", "err", err, "bytes", len(m.Data()))
		if derr := d.DeadLetter(ctx, "invalid envelope: "+err.Error()); derr != nil {
			q.log.Error("dead letter", "err", derr)
			return // redelivered later; dead-lettering is retried then
		}
		_ = m.Term()
		return
	}
	h(ctx, d)
}

type delivery struct {
	q       *NATS
	m       jetstream.Msg
	env     Envelope
	attempt int
}

func (d *delivery) Envelope() Envelope { return d.env }
func (d *delivery) Attempt() int       { return d.attempt }
func (d *delivery) InProgress() error  { return d.m.InProgress() }

func (d *delivery) Ack(ctx context.Context) error {
	if err := d.m.DoubleAck(ctx); err != nil && !errors.Is(err, jetstream.ErrMsgAlreadyAckd) {
		return fmt.Errorf("queue: claim %s: ack: %w", d.env.ClaimID, err)
	}
	return nil
}

func (d *delivery) Retry(delay time.Duration) error { return d.m.NakWithDelay(delay) }

func (d *delivery) DeadLetter(ctx context.Context, reason string) error {
	msg := nats.NewMsg(d.q.opt.Subject + ".dead")
	msg.Data = d.m.Data()
	msg.Header.Set("Automaldesc-Reason", strings.ToValidUTF8(strings.ReplaceAll(reason, "\n", " "), "?"))
	msg.Header.Set("Automaldesc-Attempts", fmt.Sprint(d.attempt))
	id := d.env.MsgID()
	if d.env.ClaimID == "" {
		if md, err := d.m.Metadata(); err == nil {
			id = fmt.Sprintf("seq:%d", md.Sequence.Stream)
		}
	}
	if _, err := d.q.js.PublishMsg(ctx, msg, jetstream.WithMsgID(id+":dead")); err != nil {
		return fmt.Errorf("queue: dead letter: %w", err)
	}
	return nil
}

// redact hides a password in a URL list for logs.
func redact(u string) string {
	parts := strings.Split(u, ",")
	for i, p := range parts {
		if at := strings.LastIndex(p, "@"); at >= 0 {
			if s := strings.Index(p, "://"); s >= 0 && s < at {
				parts[i] = p[:s+3] + "REDACTED" + p[at:]
			}
		}
	}
	return strings.Join(parts, ",")
}

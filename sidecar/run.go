package sidecar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/integrations/clamav"
	"github.com/automaldesc/automaldesc/sidecar/api"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/sidecar/queue"
	"github.com/automaldesc/automaldesc/sidecar/sink"
	"github.com/automaldesc/automaldesc/sidecar/watch"
	"github.com/automaldesc/automaldesc/store"
)

// Options are what Run needs besides the configuration.
type Options struct {
	Config config.Config
	Engine Engine
	Store  store.Store
	// Slow are the slow stages (the LLM explainer). They run on stored
	// records, watch.slow_workers at a time, and store their work as
	// update records (update.go); the records themselves never wait.
	Slow   []SlowStage
	Stdout io.Writer           // for sinks.stdout
	Getenv func(string) string // nil = os.Getenv
	Logger *slog.Logger
	// OnReady is called once everything runs, with the API's address ("" when off).
	OnReady func(apiAddr string)
	// Queue, when set, is the work queue between intake and workers on
	// many hosts (scale-out.go; watch.role says which half runs here);
	// nil keeps the single-host path through the store's queue.
	Queue queue.Queue
	// ReloadRules, when set, hot-reloads the YARA rules (rules.Live's
	// Reload bound to RuleDirs): Run calls it on every value from Hangup
	// (SIGHUP) and, debounced, when a file under RuleDirs changes (rules.go).
	ReloadRules func() error
	RuleDirs    []string
	Hangup      <-chan os.Signal
}

// notifier wakes any number of waiters without blocking the notifier.
type notifier struct {
	mu   sync.Mutex
	subs []chan struct{}
}

func (n *notifier) subscribe() <-chan struct{} {
	c := make(chan struct{}, 1)
	n.mu.Lock()
	n.subs = append(n.subs, c)
	n.mu.Unlock()
	return c
}

func (n *notifier) notify() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range n.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// Run is the sidecar: watcher, analysis pools, sinks and API, until ctx
// ends. Shutdown: intake stops at once, analyses in progress get
// watch.shutdown_timeout to finish (unfinished items are redone after a
// restart), sinks then deliver what was stored (a few seconds at most),
// and Run returns nil. Any component failing stops the others and Run
// returns its error.
func Run(ctx context.Context, o Options) error {
	cfg := o.Config
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if o.Engine == nil || o.Store == nil {
		return errors.New("sidecar: engine and store are required")
	}

	// API: refuse an insecure bind before touching anything.
	var ln net.Listener
	token := ""
	if cfg.API.TokenEnv != "" {
		token = getenv(cfg.API.TokenEnv)
		if token == "" {
			return fmt.Errorf("api.token_env names %s, which is empty or unset", cfg.API.TokenEnv)
		}
	}
	if cfg.API.Listen != "" {
		if err := api.CheckBind(cfg.API.Listen, token); err != nil {
			return err
		}
		var err error
		if ln, err = net.Listen("tcp", cfg.API.Listen); err != nil {
			return fmt.Errorf("api: %w", err)
		}
		defer ln.Close()
	}
	var secret []byte
	if wh := cfg.Sinks.Webhook; wh.URL != "" && wh.SecretEnv != "" {
		if secret = []byte(getenv(wh.SecretEnv)); len(secret) == 0 {
			return fmt.Errorf("sinks.webhook.secret_env names %s, which is empty or unset", wh.SecretEnv)
		}
	}
	siem, err := buildSIEMSinks(cfg, getenv, log)
	if err != nil {
		return err
	}

	reg := metrics.New()
	m := newSidecarMetrics(reg)
	runIntake, runWorker := roles(cfg, o.Queue)
	if runIntake {
		if err := os.MkdirAll(cfg.Watch.Staging, 0o700); err != nil {
			return fmt.Errorf("staging %s: %w", cfg.Watch.Staging, err)
		}
	}
	if o.Queue == nil {
		if err := recoverState(ctx, o.Store, cfg.Watch.Staging, log.With("component", "recover")); err != nil {
			return err
		}
	}

	workWake, recordWake := &notifier{}, &notifier{}
	hints := clamav.NewHints(0, 0, nil)
	if err := os.MkdirAll(HintSpoolDir(cfg), 0o700); err != nil {
		log.Warn("hint spool unavailable; scanner hints only through the API", "err", err)
	}
	// In scale-out, hints taken in here reach every worker through the
	// queue's hints stream (hintRelay).
	hintBus, _ := o.Queue.(queue.Hints)
	relay := newHintRelay(hints, hintBus, reg, m.errors, log.With("component", "hints"))
	folders := make([]watch.Folder, 0, len(cfg.Watch.Folders))
	for _, f := range cfg.Watch.Folders {
		folders = append(folders, watch.Folder{Path: f.Path, Source: f.Source, Signature: f.Signature, ReadOnly: f.ReadOnly, Recursive: f.Recursive})
	}
	wopt := watch.Options{
		Folders: folders,
		Staging: cfg.Watch.Staging,
		Settle:  cfg.Watch.Settle,
		Rescan:  cfg.Watch.Rescan,
		Queue:   o.Store,
		Done: func(ctx context.Context, itemID string) (bool, error) {
			_, err := o.Store.GetRecord(ctx, ItemRecordID(itemID))
			if errors.Is(err, store.ErrNotFound) {
				return false, nil
			}
			return err == nil, err
		},
		Notify:  workWake.notify,
		Metrics: reg,
		Logger:  log.With("component", "watch"),
	}
	var pub *publisher
	if o.Queue != nil && runIntake {
		if pub, err = newPublisher(cfg, o.Queue, reg, m, log.With("component", "publish")); err != nil {
			return err
		}
		wopt.Queue, wopt.Done, wopt.Notify = pub, nil, pub.notify
	}
	var w *watch.Watcher
	if runIntake {
		if w, err = watch.New(wopt); err != nil {
			return err
		}
	}
	p := &pool{
		st:          o.Store,
		eng:         o.Engine,
		log:         log.With("component", "worker"),
		m:           m,
		maxSize:     int64(cfg.Limits.MaxFileSize),
		lease:       cfg.Watch.Lease,
		batch:       cfg.Watch.Batch,
		workers:     cfg.Watch.EffectiveWorkers(),
		maxAttempts: cfg.Watch.MaxAttempts,
		staging:     cfg.Watch.Staging,
		wake:        workWake.subscribe(),
		recorded:    recordWake.notify,
		hints:       hints,
		hintWait:    hintWaits(cfg.Watch.Folders),
		mailFolders: mailFolders(cfg.Watch.Folders),
	}
	if abs, err := filepath.Abs(cfg.Watch.Staging); err == nil {
		p.staging = abs
	}

	sinks, err := buildSinks(cfg, o.Stdout, secret, log)
	if err != nil {
		return err
	}
	sinks = append(sinks, siem...)
	if !runWorker {
		// Intake-only: no records are made here; the workers deliver.
		for _, s := range sinks {
			s.Close()
		}
		sinks = nil
	}
	defer func() {
		for _, s := range sinks {
			if err := s.Close(); err != nil {
				log.Warn("close sink", "sink", s.Name(), "err", err)
			}
		}
	}()
	sm := sink.NewMetrics(reg)
	for _, s := range sinks {
		if wh, ok := s.(*sink.Webhook); ok {
			wh.Metrics = sm
		}
		if ms, ok := s.(sink.MetricsSetter); ok {
			ms.SetMetrics(sm)
		}
	}
	cursors := map[string]bool{}
	for _, s := range sinks {
		cursors[s.Name()] = true
	}
	registerGauges(reg, o.Store, cursors)
	reloads := registerRulesMetrics(reg, func() string { return o.Engine.Info().RulesVersion })

	var stopping sync.Once
	shuttingDown := make(chan struct{})
	ready := func(ctx context.Context) map[string]string {
		problems := map[string]string{}
		select {
		case <-shuttingDown:
			problems["sidecar"] = "shutting down"
		default:
		}
		if _, err := o.Store.PendingCount(ctx); err != nil {
			problems["store"] = "unreachable"
		}
		if c, ok := o.Queue.(interface{ Connected() bool }); ok && !c.Connected() {
			problems["queue"] = "unreachable"
		}
		if o.Engine.Info().RulesVersion == "" {
			problems["rules"] = "not loaded"
		}
		return problems
	}

	g, gctx := errgroup.WithContext(ctx)
	// hard ends analyses in progress shutdown_timeout after intake stopped.
	hard, cancelHard := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHard()
	stopHard := context.AfterFunc(gctx, func() {
		stopping.Do(func() { close(shuttingDown) })
		time.AfterFunc(cfg.Watch.ShutdownTimeout, cancelHard)
	})
	defer stopHard()

	if w != nil {
		g.Go(func() error { return w.Run(gctx) })
	}
	if pub != nil {
		g.Go(func() error { return pub.run(gctx) })
	}
	g.Go(func() error {
		pollHintSpool(gctx, HintSpoolDir(cfg), relay, log.With("component", "hints"))
		return nil
	})
	if hintBus != nil {
		g.Go(func() error {
			relay.run(gctx)
			return nil
		})
		if runWorker {
			g.Go(func() error { return relay.follow(gctx) })
		}
	}
	if o.ReloadRules != nil {
		rr := &rulesReloader{reload: o.ReloadRules, version: func() string { return o.Engine.Info().RulesVersion },
			dirs: o.RuleDirs, hangup: o.Hangup, debounce: DefaultRulesDebounce, log: log.With("component", "rules"), outcomes: reloads}
		g.Go(func() error { return rr.run(gctx) })
	}
	g.Go(func() error {
		followModels(gctx, o.Engine, o.Store, cfg.Watch.ModelPoll, log.With("component", "models"))
		return nil
	})
	// Slow stages follow the stored records (update.go); sinks drain
	// after both the pool and the updater stopped.
	slowDone := make(chan struct{})
	if len(o.Slow) > 0 && runWorker {
		u := newUpdater(o.Store, o.Slow, cfg.Watch.SlowWorkers, recordWake.subscribe(), recordWake.notify,
			reg, m, log.With("component", "update"))
		g.Go(func() error {
			defer close(slowDone)
			return u.run(gctx, hard)
		})
	} else {
		close(slowDone)
	}
	poolDone := make(chan struct{})
	g.Go(func() error {
		defer close(poolDone)
		defer func() { <-slowDone }()
		switch {
		case o.Queue == nil:
			return p.run(gctx, hard)
		case runWorker:
			return newConsumer(cfg, p, o.Queue).run(gctx, hard)
		}
		<-gctx.Done()
		return nil
	})
	// Sinks drain after the pool stopped, for at most flush.
	flush := min(max(cfg.Watch.ShutdownTimeout/2, time.Second), 5*time.Second)
	sinkHard, cancelSinks := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSinks()
	go func() {
		<-poolDone
		time.AfterFunc(flush, cancelSinks)
	}()
	var sinkWG sync.WaitGroup
	for _, s := range sinks {
		r := &sink.Runner{Sink: s, Source: o.Store, Encode: EncodeECS, Wake: recordWake.subscribe(),
			Log: log.With("component", "sink", "sink", s.Name()), Metrics: sm}
		sinkWG.Add(1)
		g.Go(func() error {
			defer sinkWG.Done()
			return r.Run(sinkHard, poolDone)
		})
	}
	if ln != nil {
		srv := api.NewServer(api.Handler(api.Options{
			Store: o.Store, Engine: o.Engine, Metrics: reg, Token: token, MaxSize: int64(cfg.Limits.MaxFileSize),
			Ready: ready, Encode: func(r *analysis.Report) (store.Record, error) { return NewRecord(r, "", "api", "") },
			Recorded: recordWake.notify, Hints: relay, Logger: log.With("component", "api"),
		}))
		g.Go(func() error {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("api: %w", err)
			}
			return nil
		})
		g.Go(func() error {
			<-gctx.Done()
			<-poolDone
			sinkWG.Wait()
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		})
	}
	addr := ""
	if ln != nil {
		addr = ln.Addr().String()
	}
	log.Info("sidecar running", "workers", p.workers, "api", addr, "sinks", len(sinks))
	if o.OnReady != nil {
		o.OnReady(addr)
	}
	err = g.Wait()
	if ctx.Err() != nil && err == nil {
		log.Info("sidecar stopped")
	}
	return err
}

func buildSinks(cfg config.Config, stdout io.Writer, secret []byte, log *slog.Logger) ([]sink.Sink, error) {
	var out []sink.Sink
	if n := cfg.Sinks.NDJSON; n.Path != "" {
		s, err := sink.NewNDJSON(n.Path, int64(n.MaxSize), n.MaxAge, n.Keep)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if cfg.Sinks.Stdout {
		if stdout == nil {
			stdout = os.Stdout
		}
		out = append(out, sink.NewStdout(stdout))
	}
	if wh := cfg.Sinks.Webhook; wh.URL != "" {
		out = append(out, &sink.Webhook{
			URL:    wh.URL,
			Secret: secret,
			Client: &http.Client{Timeout: wh.Timeout},
			Log:    log.With("component", "sink", "sink", "webhook"),
		})
	}
	return out, nil
}

// buildSIEMSinks builds the Splunk HEC, Elasticsearch and syslog sinks
// that are configured, reading their secrets from the environment.
func buildSIEMSinks(cfg config.Config, getenv func(string) string, log *slog.Logger) ([]sink.Sink, error) {
	var out []sink.Sink
	secret := func(key, env string) (string, error) {
		if env == "" {
			return "", nil
		}
		v := getenv(env)
		if v == "" {
			return "", fmt.Errorf("%s names %s, which is empty or unset", key, env)
		}
		return v, nil
	}
	if sp := cfg.Sinks.Splunk; sp.URL != "" {
		token, err := secret("sinks.splunk.token_env", sp.TokenEnv)
		if err != nil {
			return nil, err
		}
		out = append(out, &sink.Splunk{URL: sp.URL, Token: token, Index: sp.Index, SourceType: sp.SourceType,
			Client: &http.Client{Timeout: sp.Timeout}, Log: log.With("component", "sink", "sink", "splunk")})
	}
	if es := cfg.Sinks.Elasticsearch; es.URL != "" {
		pw, err := secret("sinks.elasticsearch.password_env", es.PasswordEnv)
		if err != nil {
			return nil, err
		}
		key, err := secret("sinks.elasticsearch.api_key_env", es.APIKeyEnv)
		if err != nil {
			return nil, err
		}
		out = append(out, &sink.Elasticsearch{URL: es.URL, Index: es.Index, Username: es.Username, Password: pw, APIKey: key,
			Client: &http.Client{Timeout: es.Timeout}, Log: log.With("component", "sink", "sink", "elasticsearch")})
	}
	if sl := cfg.Sinks.Syslog; sl.Address != "" {
		s := &sink.Syslog{Address: sl.Address, Log: log.With("component", "sink", "sink", "syslog")}
		if sl.TLS {
			tc, err := sink.SyslogTLSConfig(sl.Address, sl.CAFile)
			if err != nil {
				return nil, err
			}
			s.TLS = tc
		}
		out = append(out, s)
	}
	return out, nil
}

// registerGauges adds the gauges read from the store at scrape time.
func registerGauges(reg *metrics.Registry, st store.Store, sinks map[string]bool) {
	reg.NewGaugeFunc("automaldesc_queue_depth", "Queued files without a record yet.", "", func(ctx context.Context) map[string]float64 {
		n, err := st.PendingCount(ctx)
		if err != nil {
			return nil
		}
		return map[string]float64{"": float64(n)}
	})
	reg.NewGaugeFunc("automaldesc_sink_lag_records", "Records stored but not yet delivered, by sink (Seq distance).", "sink", func(ctx context.Context) map[string]float64 {
		head, err := st.ListRecords(ctx, store.Filter{Desc: true, Limit: 1})
		if err != nil {
			return nil
		}
		var last int64
		if len(head) > 0 {
			last = head[0].Seq
		}
		out := map[string]float64{}
		for name := range sinks {
			if cur, err := st.Cursor(ctx, name); err == nil {
				out[name] = float64(max(last-cur, 0))
			}
		}
		return out
	})
}

// recoverState runs once at startup, before the watcher: it releases the
// previous process's leases and reconciles the staging directory with the
// queue. A staged file whose item has its record is removed (a crash
// between Complete and the removal); a staged file without an item is
// enqueued (a store restored from an older backup); a staged file whose
// item is pending is left for the workers.
func recoverState(ctx context.Context, st store.Store, staging string, log *slog.Logger) error {
	n, err := st.RecoverLeases(ctx)
	if err != nil {
		return fmt.Errorf("recover leases: %w", err)
	}
	if n > 0 {
		log.Info("released leases of the previous run", "items", n)
	}
	abs, err := filepath.Abs(staging)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return fmt.Errorf("staging %s: %w", staging, err)
	}
	removed, requeued := 0, 0
	for _, e := range entries {
		id := e.Name()
		if _, err := uuid.Parse(id); err != nil || e.IsDir() {
			log.Warn("unexpected entry in staging; left alone", "name", id)
			continue
		}
		p := filepath.Join(abs, id)
		_, err := st.GetRecord(ctx, ItemRecordID(id))
		switch {
		case err == nil:
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				log.Warn("remove staged file", "path", p, "err", err)
			}
			removed++
			continue
		case !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("recover staged %s: %w", id, err)
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		added, err := st.Enqueue(ctx, store.Item{ID: id, Path: p, Name: id, Source: "recovered", Size: fi.Size(),
			Meta: map[string]string{watch.MetaMode: watch.ModeClaim, watch.MetaOrigPath: p}})
		if err != nil {
			return fmt.Errorf("recover staged %s: %w", id, err)
		}
		if added {
			requeued++
		}
	}
	if removed+requeued > 0 {
		log.Info("reconciled staging", "removed_done", removed, "requeued_orphans", requeued)
	}
	return nil
}

// Package config loads automaldesc's configuration in two stages: a raw
// struct read by a local viper instance from defaults, an optional file,
// AUTOMALDESC_* environment variables and command-line flags; then
// validation into the values the rest of the program uses. Unknown keys, in
// the file or in the environment, are errors that name the key.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// EnvPrefix is the prefix of every environment variable automaldesc reads.
const EnvPrefix = "AUTOMALDESC"

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("invalid configuration")

// Config is the validated configuration. Treat it as read-only once Load
// has returned it.
type Config struct {
	Log     Log     `mapstructure:"log" yaml:"log"`
	Limits  Limits  `mapstructure:"limits" yaml:"limits"`
	Rules   Rules   `mapstructure:"rules" yaml:"rules"`
	Verdict Verdict `mapstructure:"verdict" yaml:"verdict"`
	Scan    Scan    `mapstructure:"scan" yaml:"scan"`
	Watch   Watch   `mapstructure:"watch" yaml:"watch"`
	Sinks   Sinks   `mapstructure:"sinks" yaml:"sinks"`
	API     API     `mapstructure:"api" yaml:"api"`
	Store   Store   `mapstructure:"store" yaml:"store"`
	LLM     LLM     `mapstructure:"llm" yaml:"llm"`
	Queue   Queue   `mapstructure:"queue" yaml:"queue"`
}

// Log configures the structured logger.
type Log struct {
	Level  string `mapstructure:"level" yaml:"level"`   // debug|info|warn|error
	Format string `mapstructure:"format" yaml:"format"` // text|json
}

// Limits bound the work spent on one sample.
type Limits struct {
	MaxFileSize   ByteSize      `mapstructure:"max_file_size" yaml:"max_file_size"`
	SampleTimeout time.Duration `mapstructure:"sample_timeout" yaml:"sample_timeout"`
	DecodeDepth   int           `mapstructure:"decode_depth" yaml:"decode_depth"`
	DecodeRatio   int           `mapstructure:"decode_ratio" yaml:"decode_ratio"`
	DecodeBytes   ByteSize      `mapstructure:"decode_max_bytes" yaml:"decode_max_bytes"`
	MaxLayers     int           `mapstructure:"max_layers" yaml:"max_layers"`
}

// Rules configures YARA rules beyond the bundled set.
type Rules struct {
	Dirs []string `mapstructure:"dirs" yaml:"dirs"`
}

// Threshold holds the verdict cut-offs of one language.
type Threshold struct {
	Malicious   float64 `mapstructure:"malicious" yaml:"malicious"`
	Suspicious  float64 `mapstructure:"suspicious" yaml:"suspicious"`
	MinEvidence float64 `mapstructure:"min_evidence" yaml:"min_evidence"`
}

// Thresholds holds a default and per-language overrides. A language whose
// values are all zero uses Default.
type Thresholds struct {
	Default    Threshold `mapstructure:"default" yaml:"default"`
	PowerShell Threshold `mapstructure:"powershell" yaml:"powershell"`
	JavaScript Threshold `mapstructure:"javascript" yaml:"javascript"`
	VBScript   Threshold `mapstructure:"vbscript" yaml:"vbscript"`
	Batch      Threshold `mapstructure:"batch" yaml:"batch"`
	Bash       Threshold `mapstructure:"bash" yaml:"bash"`
	Python     Threshold `mapstructure:"python" yaml:"python"`
}

// For returns the thresholds that apply to l.
func (t Thresholds) For(l lang.Language) Threshold {
	var v Threshold
	switch l {
	case lang.PowerShell:
		v = t.PowerShell
	case lang.JavaScript:
		v = t.JavaScript
	case lang.VBScript:
		v = t.VBScript
	case lang.Batch:
		v = t.Batch
	case lang.Bash:
		v = t.Bash
	case lang.Python:
		v = t.Python
	}
	if v == (Threshold{}) {
		return t.Default
	}
	return v
}

// Verdict configures the verdict model.
type Verdict struct {
	Model            string     `mapstructure:"model" yaml:"model"` // path to a model file; empty = embedded default
	TopContributions int        `mapstructure:"top_contributions" yaml:"top_contributions"`
	Thresholds       Thresholds `mapstructure:"thresholds" yaml:"thresholds"`
}

// Scan configures the scan command.
type Scan struct {
	Workers int `mapstructure:"workers" yaml:"workers"` // 0 = number of CPUs
}

// WatchFolder is one quarantine folder the sidecar watches.
type WatchFolder struct {
	Path      string `mapstructure:"path" yaml:"path"`
	Source    string `mapstructure:"source" yaml:"source"`       // recorded in reports; empty = "watch:<path>"
	Signature string `mapstructure:"signature" yaml:"signature"` // scanner signature recorded in reports
	ReadOnly  bool   `mapstructure:"read_only" yaml:"read_only"` // never move or delete files here
	Recursive bool   `mapstructure:"recursive" yaml:"recursive"` // watch subfolders too
	// HintWait is how long a worker waits for a scanner hint (the ClamAV
	// VirusEvent hook) before analysing a file of this folder, counted from
	// when the file was first seen. 0 = DefaultHintWait for `source: clamav`
	// folders and no wait otherwise; negative = never wait.
	HintWait time.Duration `mapstructure:"hint_wait" yaml:"hint_wait"`
	// Format says what the files are: "file" (default; each file is one
	// sample) or "amavis" (amavisd-new quarantine files: each is an e-mail
	// whose script attachments become samples of their own).
	Format string `mapstructure:"format" yaml:"format"`
}

// Watch folder formats.
const (
	FormatFile   = "file"
	FormatAmavis = "amavis"
)

// DefaultHintWait is the hint wait of `source: clamav` folders.
const DefaultHintWait = 2 * time.Second

// EffectiveHintWait resolves HintWait's default (see WatchFolder.HintWait).
func (f WatchFolder) EffectiveHintWait() time.Duration {
	switch {
	case f.HintWait > 0:
		return f.HintWait
	case f.HintWait == 0 && f.Source == "clamav":
		return DefaultHintWait
	}
	return 0
}

// UnmarshalText reads a folder given as a plain path (environment variable
// or --folder flag): a recursive, claiming folder.
func (f *WatchFolder) UnmarshalText(b []byte) error {
	p := strings.TrimSpace(string(b))
	if p == "" {
		return errors.New("empty folder path")
	}
	*f = WatchFolder{Path: p, Recursive: true}
	return nil
}

// Watch configures the sidecar daemon (automaldesc watch).
type Watch struct {
	Folders         []WatchFolder `mapstructure:"folders" yaml:"folders"`
	Staging         string        `mapstructure:"staging" yaml:"staging"`                   // claimed files wait here; same file system as the folders
	Settle          time.Duration `mapstructure:"settle" yaml:"settle"`                     // a file is claimed once unchanged this long
	Rescan          time.Duration `mapstructure:"rescan" yaml:"rescan"`                     // periodic full rescan; 0 = startup only
	Workers         int           `mapstructure:"workers" yaml:"workers"`                   // analysis workers; 0 = CPUs
	SlowWorkers     int           `mapstructure:"slow_workers" yaml:"slow_workers"`         // workers of slow stages (LLM explainer)
	Batch           int           `mapstructure:"batch" yaml:"batch"`                       // queue items leased at once
	Lease           time.Duration `mapstructure:"lease" yaml:"lease"`                       // how long a leased item is held before it is handed out again
	MaxAttempts     int           `mapstructure:"max_attempts" yaml:"max_attempts"`         // leases before an item becomes an error record
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout" yaml:"shutdown_timeout"` // in-flight work allowed to finish on shutdown
	Role            string        `mapstructure:"role" yaml:"role"`                         // intake|worker|all; intake and worker need queue.url
	ModelPoll       time.Duration `mapstructure:"model_poll" yaml:"model_poll"`             // how often to look for a newly promoted model in the store's registry; 0 = never
}

// Sidecar roles (watch.role).
const (
	RoleAll    = "all"    // watch folders and analyse (the default)
	RoleIntake = "intake" // watch folders and publish claims to the queue
	RoleWorker = "worker" // consume claims from the queue, analyse, store, deliver
)

// Queue configures the NATS JetStream work queue between intake and
// analysis (scale-out). An empty URL keeps the single-host path: the
// store's own queue.
type Queue struct {
	URL           string        `mapstructure:"url" yaml:"url"`                       // nats://host:4222[,nats://...]; empty = off
	Stream        string        `mapstructure:"stream" yaml:"stream"`                 // JetStream work-queue stream of claimed samples
	Subject       string        `mapstructure:"subject" yaml:"subject"`               // subject of claimed samples; dead letters go to <subject>.dead
	AlertsSubject string        `mapstructure:"alerts_subject" yaml:"alerts_subject"` // ECS alerts of stored records; empty = off
	InlineMax     ByteSize      `mapstructure:"inline_max" yaml:"inline_max"`         // larger samples travel by reference through shared_dir
	SharedDir     string        `mapstructure:"shared_dir" yaml:"shared_dir"`         // storage every host mounts; empty = larger samples are skipped
	MaxDeliver    int           `mapstructure:"max_deliver" yaml:"max_deliver"`       // deliveries before a sample becomes an error record and a dead letter
	AckWait       time.Duration `mapstructure:"ack_wait" yaml:"ack_wait"`             // silence after which a worker's message is redelivered
}

// EffectiveWorkers returns the watch worker count, resolving 0 to the CPU count.
func (w Watch) EffectiveWorkers() int {
	if w.Workers > 0 {
		return w.Workers
	}
	return runtime.NumCPU()
}

// Sinks configures where the sidecar delivers records.
type Sinks struct {
	NDJSON  NDJSONSink  `mapstructure:"ndjson" yaml:"ndjson"`
	Stdout  bool        `mapstructure:"stdout" yaml:"stdout"` // ECS NDJSON on standard output (containers)
	Webhook WebhookSink `mapstructure:"webhook" yaml:"webhook"`
	// Splunk, Elasticsearch and Syslog deliver the same ECS documents to a
	// SIEM; each is off while its url/address is empty.
	Splunk        SplunkSink        `mapstructure:"splunk" yaml:"splunk"`
	Elasticsearch ElasticsearchSink `mapstructure:"elasticsearch" yaml:"elasticsearch"`
	Syslog        SyslogSink        `mapstructure:"syslog" yaml:"syslog"`
}

// NDJSONSink is the rotated ECS NDJSON alert file.
type NDJSONSink struct {
	Path    string        `mapstructure:"path" yaml:"path"` // empty = off
	MaxSize ByteSize      `mapstructure:"max_size" yaml:"max_size"`
	MaxAge  time.Duration `mapstructure:"max_age" yaml:"max_age"` // 0 = no age rotation
	Keep    int           `mapstructure:"keep" yaml:"keep"`       // rotated files kept
}

// WebhookSink POSTs each record as signed JSON.
type WebhookSink struct {
	URL       string        `mapstructure:"url" yaml:"url"`               // empty = off
	SecretEnv string        `mapstructure:"secret_env" yaml:"secret_env"` // env var holding the HMAC secret
	Timeout   time.Duration `mapstructure:"timeout" yaml:"timeout"`
}

// SplunkSink sends records to a Splunk HTTP Event Collector.
type SplunkSink struct {
	URL        string        `mapstructure:"url" yaml:"url"`             // https://host:8088; empty = off
	TokenEnv   string        `mapstructure:"token_env" yaml:"token_env"` // env var holding the HEC token (required)
	Index      string        `mapstructure:"index" yaml:"index"`         // empty = the token's default index
	SourceType string        `mapstructure:"sourcetype" yaml:"sourcetype"`
	Timeout    time.Duration `mapstructure:"timeout" yaml:"timeout"`
}

// ElasticsearchSink indexes records through the _bulk API.
type ElasticsearchSink struct {
	URL         string        `mapstructure:"url" yaml:"url"` // https://host:9200; empty = off
	Index       string        `mapstructure:"index" yaml:"index"`
	Username    string        `mapstructure:"username" yaml:"username"`         // basic auth, with password_env
	PasswordEnv string        `mapstructure:"password_env" yaml:"password_env"` // env var holding the password
	APIKeyEnv   string        `mapstructure:"api_key_env" yaml:"api_key_env"`   // env var holding an API key (base64 id:key)
	Timeout     time.Duration `mapstructure:"timeout" yaml:"timeout"`
}

// SyslogSink sends RFC 5424 messages over TCP or TLS (octet counting).
type SyslogSink struct {
	Address string `mapstructure:"address" yaml:"address"` // host:port; empty = off
	TLS     bool   `mapstructure:"tls" yaml:"tls"`
	CAFile  string `mapstructure:"ca_file" yaml:"ca_file"` // PEM CA bundle; empty = system roots
}

// API configures the sidecar's HTTP API.
type API struct {
	Listen   string `mapstructure:"listen" yaml:"listen"`       // host:port; empty = off
	TokenEnv string `mapstructure:"token_env" yaml:"token_env"` // env var holding the bearer token
}

// Store configures the durable store.
type Store struct {
	Path string `mapstructure:"path" yaml:"path"` // SQLite database file, or a postgres:// URL
}

// LLM configures the optional LLM explainer (any OpenAI-compatible
// chat-completions endpoint). An empty URL turns it off.
type LLM struct {
	URL           string        `mapstructure:"url" yaml:"url"`                       // API root, e.g. http://127.0.0.1:8000/v1; empty = off
	Model         string        `mapstructure:"model" yaml:"model"`                   // model name; required with url
	APIKeyEnv     string        `mapstructure:"api_key_env" yaml:"api_key_env"`       // env var holding the API key (may be unset for local servers)
	Temperature   float64       `mapstructure:"temperature" yaml:"temperature"`       // 0..2
	MaxTokens     int           `mapstructure:"max_tokens" yaml:"max_tokens"`         // answer budget
	Timeout       time.Duration `mapstructure:"timeout" yaml:"timeout"`               // per HTTP attempt
	Concurrency   int           `mapstructure:"concurrency" yaml:"concurrency"`       // requests in flight
	Retries       int           `mapstructure:"retries" yaml:"retries"`               // retries on 429/5xx/timeouts
	ContextTokens int           `mapstructure:"context_tokens" yaml:"context_tokens"` // model context window; longer scripts are chunked
}

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{
		Log: Log{Level: "info", Format: "text"},
		Limits: Limits{
			MaxFileSize:   8 * MiB,
			SampleTimeout: 10 * time.Second,
			DecodeDepth:   8,
			DecodeRatio:   16,
			DecodeBytes:   64 * MiB,
			MaxLayers:     64,
		},
		Rules: Rules{Dirs: []string{}},
		Verdict: Verdict{
			TopContributions: 8,
			Thresholds: Thresholds{
				Default: Threshold{Malicious: 0.80, Suspicious: 0.50, MinEvidence: 0.5},
				// Batch one-liners (`defrag c: /h` vs `shutdown /r /t 1`) are
				// the least separable inputs; 0.60 keeps benign admin
				// one-liners unflagged (dev split, see
				// analysis/verdict/builtin/TRAINING.md).
				Batch: Threshold{Malicious: 0.80, Suspicious: 0.60, MinEvidence: 0.5},
			},
		},
		Watch: Watch{
			Folders:         []WatchFolder{{Path: "./var/quarantine", Source: "quarantine", Recursive: true}},
			Staging:         "./var/staging",
			Settle:          500 * time.Millisecond,
			Rescan:          time.Minute,
			SlowWorkers:     2,
			Batch:           16,
			Lease:           5 * time.Minute,
			MaxAttempts:     5,
			ShutdownTimeout: 10 * time.Second,
			ModelPoll:       30 * time.Second,
			Role:            RoleAll,
		},
		Sinks: Sinks{
			NDJSON:        NDJSONSink{Path: "./var/alerts.ndjson", MaxSize: 100 * MiB, MaxAge: 24 * time.Hour, Keep: 7},
			Webhook:       WebhookSink{Timeout: 10 * time.Second},
			Splunk:        SplunkSink{SourceType: "_json", Timeout: 10 * time.Second},
			Elasticsearch: ElasticsearchSink{Index: "automaldesc-alerts", Timeout: 10 * time.Second},
		},
		API:   API{Listen: "127.0.0.1:8089"},
		Store: Store{Path: "./var/automaldesc.db"},
		LLM: LLM{APIKeyEnv: "OPENAI_API_KEY", MaxTokens: 1024, Timeout: 60 * time.Second,
			Concurrency: 2, Retries: 2, ContextTokens: 8192},
		Queue: Queue{Stream: "AUTOMALDESC_SAMPLES", Subject: "automaldesc.samples", AlertsSubject: "automaldesc.alerts",
			InlineMax: 512 * KiB, MaxDeliver: 5, AckWait: 30 * time.Second},
	}
}

// Options say where Load looks.
type Options struct {
	File    string            // config file; empty = none (AUTOMALDESC_CONFIG also names one)
	Flags   *pflag.FlagSet    // parsed command-line flags; may be nil
	FlagKey map[string]string // flag name -> config key, for flags that were set
	Environ []string          // environment; nil = os.Environ()
}

// Load builds the effective configuration: defaults < file < environment < flags.
func Load(opt Options) (Config, *viper.Viper, error) {
	v := viper.New()
	setDefaults(v, "", reflect.ValueOf(Defaults()))
	env := opt.Environ
	if env == nil {
		env = os.Environ()
	}
	file := opt.File
	if file == "" {
		file = lookupEnv(env, EnvPrefix+"_CONFIG")
	}
	if file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return Config{}, nil, fmt.Errorf("config file %s: %w", file, err)
		}
	}
	if err := applyEnv(v, env); err != nil {
		return Config{}, nil, err
	}
	if opt.Flags != nil {
		for name, key := range opt.FlagKey {
			if f := opt.Flags.Lookup(name); f != nil && f.Changed {
				// Set, not BindPFlag: environment values are Set too, and
				// Set is viper's highest layer, so flags must be Set last.
				if sv, ok := f.Value.(pflag.SliceValue); ok {
					v.Set(key, sv.GetSlice())
				} else {
					v.Set(key, f.Value.String())
				}
			}
		}
	}
	var c Config
	err := v.Unmarshal(&c, func(dc *mapstructure.DecoderConfig) {
		dc.ErrorUnused = true
		dc.DecodeHook = mapstructure.ComposeDecodeHookFunc(
			mapstructure.TextUnmarshallerHookFunc(),
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.StringToSliceHookFunc(","),
		)
	})
	if err != nil {
		return Config{}, nil, fmt.Errorf("%w: %v", ErrInvalid, unusedKeyMessage(err))
	}
	if err := c.Validate(); err != nil {
		return Config{}, nil, err
	}
	return c, v, nil
}

// Validate checks ranges and enumerations.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalid, key, fmt.Sprintf(format, args...)))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "%q is not one of text, json", c.Log.Format)
	}
	l := c.Limits
	if l.MaxFileSize < 1 || l.MaxFileSize > 1*GiB {
		bad("limits.max_file_size", "%s is outside 1B..1GiB", l.MaxFileSize)
	}
	if l.SampleTimeout < 10*time.Millisecond || l.SampleTimeout > 10*time.Minute {
		bad("limits.sample_timeout", "%s is outside 10ms..10m", l.SampleTimeout)
	}
	if l.DecodeDepth < 0 || l.DecodeDepth > 64 {
		bad("limits.decode_depth", "%d is outside 0..64", l.DecodeDepth)
	}
	if l.DecodeRatio < 1 || l.DecodeRatio > 1024 {
		bad("limits.decode_ratio", "%d is outside 1..1024", l.DecodeRatio)
	}
	if l.DecodeBytes < 1*KiB || l.DecodeBytes > 1*GiB {
		bad("limits.decode_max_bytes", "%s is outside 1KiB..1GiB", l.DecodeBytes)
	}
	if l.MaxLayers < 1 || l.MaxLayers > 10000 {
		bad("limits.max_layers", "%d is outside 1..10000", l.MaxLayers)
	}
	if c.Verdict.TopContributions < 0 || c.Verdict.TopContributions > 100 {
		bad("verdict.top_contributions", "%d is outside 0..100", c.Verdict.TopContributions)
	}
	t := c.Verdict.Thresholds
	for name, th := range map[string]Threshold{"default": t.Default, "powershell": t.PowerShell,
		"javascript": t.JavaScript, "vbscript": t.VBScript, "batch": t.Batch, "bash": t.Bash, "python": t.Python} {
		if name != "default" && th == (Threshold{}) {
			continue
		}
		key := "verdict.thresholds." + name
		if th.Suspicious <= 0 || th.Suspicious > th.Malicious || th.Malicious >= 1 {
			bad(key, "want 0 < suspicious (%g) <= malicious (%g) < 1", th.Suspicious, th.Malicious)
		}
		if th.MinEvidence < 0 {
			bad(key+".min_evidence", "%g is negative", th.MinEvidence)
		}
	}
	if c.Scan.Workers < 0 || c.Scan.Workers > 1024 {
		bad("scan.workers", "%d is outside 0..1024", c.Scan.Workers)
	}
	w := c.Watch
	seen := map[string]bool{}
	for i, f := range w.Folders {
		key := fmt.Sprintf("watch.folders[%d].path", i)
		switch {
		case strings.TrimSpace(f.Path) == "":
			bad(key, "empty")
		case seen[filepath.Clean(f.Path)]:
			bad(key, "%q is listed twice", f.Path)
		}
		seen[filepath.Clean(f.Path)] = true
		switch f.Format {
		case "", FormatFile, FormatAmavis:
		default:
			bad(fmt.Sprintf("watch.folders[%d].format", i), "%q is not one of file, amavis", f.Format)
		}
		if f.HintWait > time.Minute {
			bad(fmt.Sprintf("watch.folders[%d].hint_wait", i), "%s is above 1m (negative = never wait)", f.HintWait)
		}
	}
	if w.Staging == "" {
		bad("watch.staging", "empty")
	}
	if w.Settle < 10*time.Millisecond || w.Settle > time.Minute {
		bad("watch.settle", "%s is outside 10ms..1m", w.Settle)
	}
	if w.Rescan != 0 && (w.Rescan < time.Second || w.Rescan > 24*time.Hour) {
		bad("watch.rescan", "%s is outside 1s..24h (or 0 for startup only)", w.Rescan)
	}
	if w.Workers < 0 || w.Workers > 1024 {
		bad("watch.workers", "%d is outside 0..1024", w.Workers)
	}
	if w.SlowWorkers < 1 || w.SlowWorkers > 256 {
		bad("watch.slow_workers", "%d is outside 1..256", w.SlowWorkers)
	}
	if w.Batch < 1 || w.Batch > 1000 {
		bad("watch.batch", "%d is outside 1..1000", w.Batch)
	}
	if w.Lease < time.Second || w.Lease > 24*time.Hour {
		bad("watch.lease", "%s is outside 1s..24h", w.Lease)
	}
	if w.MaxAttempts < 1 || w.MaxAttempts > 100 {
		bad("watch.max_attempts", "%d is outside 1..100", w.MaxAttempts)
	}
	if w.ShutdownTimeout < 0 || w.ShutdownTimeout > 10*time.Minute {
		bad("watch.shutdown_timeout", "%s is outside 0..10m", w.ShutdownTimeout)
	}
	if w.ModelPoll != 0 && (w.ModelPoll < time.Second || w.ModelPoll > 24*time.Hour) {
		bad("watch.model_poll", "%s is outside 1s..24h (0 = never)", w.ModelPoll)
	}
	n := c.Sinks.NDJSON
	if n.MaxSize != 0 && n.MaxSize < 1*KiB {
		bad("sinks.ndjson.max_size", "%s is below 1KiB (0 turns size rotation off)", n.MaxSize)
	}
	if n.MaxAge < 0 {
		bad("sinks.ndjson.max_age", "%s is negative", n.MaxAge)
	}
	if n.Keep < 0 || n.Keep > 10000 {
		bad("sinks.ndjson.keep", "%d is outside 0..10000", n.Keep)
	}
	if wh := c.Sinks.Webhook; wh.URL != "" {
		if u, err := url.Parse(wh.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("sinks.webhook.url", "%q is not an http(s) URL", wh.URL)
		}
		if wh.Timeout < 100*time.Millisecond || wh.Timeout > 5*time.Minute {
			bad("sinks.webhook.timeout", "%s is outside 100ms..5m", wh.Timeout)
		}
	}
	if sp := c.Sinks.Splunk; sp.URL != "" {
		if !httpURL(sp.URL) {
			bad("sinks.splunk.url", "%q is not an http(s) URL", sp.URL)
		}
		if sp.TokenEnv == "" {
			bad("sinks.splunk.token_env", "empty: name the environment variable holding the HEC token")
		}
		if strings.ContainsAny(sp.Index, " \t\n") || strings.ContainsAny(sp.SourceType, " \t\n") {
			bad("sinks.splunk", "index %q / sourcetype %q must not contain white space", sp.Index, sp.SourceType)
		}
		if sp.Timeout < 100*time.Millisecond || sp.Timeout > 5*time.Minute {
			bad("sinks.splunk.timeout", "%s is outside 100ms..5m", sp.Timeout)
		}
	}
	if es := c.Sinks.Elasticsearch; es.URL != "" {
		if !httpURL(es.URL) {
			bad("sinks.elasticsearch.url", "%q is not an http(s) URL", es.URL)
		}
		if es.Index == "" || es.Index != strings.ToLower(es.Index) || strings.ContainsAny(es.Index, ` \/*?"<>|,#:`) ||
			strings.IndexAny(es.Index[:1], "-_+.") == 0 {
			bad("sinks.elasticsearch.index", "%q is not a valid index name (lower case, no \\/*?\"<>|,#: or space, not starting with -_+.)", es.Index)
		}
		if (es.Username == "") != (es.PasswordEnv == "") {
			bad("sinks.elasticsearch.username", "username and password_env go together")
		}
		if es.APIKeyEnv != "" && es.Username != "" {
			bad("sinks.elasticsearch.api_key_env", "set either api_key_env or username/password_env, not both")
		}
		if es.Timeout < 100*time.Millisecond || es.Timeout > 5*time.Minute {
			bad("sinks.elasticsearch.timeout", "%s is outside 100ms..5m", es.Timeout)
		}
	}
	if sl := c.Sinks.Syslog; sl.Address != "" {
		if _, port, err := net.SplitHostPort(sl.Address); err != nil || port == "" {
			bad("sinks.syslog.address", "%q is not host:port", sl.Address)
		}
	}
	if sl := c.Sinks.Syslog; sl.CAFile != "" && !sl.TLS {
		bad("sinks.syslog.ca_file", "set, but sinks.syslog.tls is off")
	}
	if c.API.Listen != "" {
		if _, port, err := net.SplitHostPort(c.API.Listen); err != nil || port == "" {
			bad("api.listen", "%q is not host:port", c.API.Listen)
		}
	}
	if c.Store.Path == "" {
		bad("store.path", "empty")
	}
	m := c.LLM
	if m.URL != "" {
		if u, err := url.Parse(m.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("llm.url", "%q is not an http(s) URL", m.URL)
		}
		if strings.TrimSpace(m.Model) == "" {
			bad("llm.model", "empty while llm.url is set")
		}
	}
	if m.APIKeyEnv != "" && strings.ContainsAny(m.APIKeyEnv, "= \t\n") {
		bad("llm.api_key_env", "%q is not an environment variable name", m.APIKeyEnv)
	}
	if m.Temperature < 0 || m.Temperature > 2 {
		bad("llm.temperature", "%g is outside 0..2", m.Temperature)
	}
	if m.MaxTokens < 16 || m.MaxTokens > 131072 {
		bad("llm.max_tokens", "%d is outside 16..131072", m.MaxTokens)
	}
	if m.Timeout < time.Second || m.Timeout > 10*time.Minute {
		bad("llm.timeout", "%s is outside 1s..10m", m.Timeout)
	}
	if m.Concurrency < 1 || m.Concurrency > 256 {
		bad("llm.concurrency", "%d is outside 1..256", m.Concurrency)
	}
	if m.Retries < 0 || m.Retries > 10 {
		bad("llm.retries", "%d is outside 0..10", m.Retries)
	}
	if m.ContextTokens < m.MaxTokens+1024 || m.ContextTokens > 10_000_000 {
		bad("llm.context_tokens", "%d is outside llm.max_tokens+1024 (%d)..10000000", m.ContextTokens, m.MaxTokens+1024)
	}
	errs = append(errs, c.Queue.validate(w.Role, w.Folders)...)
	return errors.Join(errs...)
}

// natsName is what a stream name may hold (JetStream forbids white space,
// '.', '*', '>', path separators).
func natsName(s string) bool {
	return s != "" && len(s) <= 64 && !strings.ContainsAny(s, " \t\r\n.*>/\\")
}

// natsSubject reports whether s is a literal subject: dot-separated
// non-empty tokens without wildcards or white space.
func natsSubject(s string) bool {
	if s == "" || len(s) > 255 || strings.ContainsAny(s, " \t\r\n*>") {
		return false
	}
	for _, tok := range strings.Split(s, ".") {
		if tok == "" {
			return false
		}
	}
	return true
}

func (q Queue) validate(role string, folders []WatchFolder) []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalid, key, fmt.Sprintf(format, args...)))
	}
	switch role {
	case RoleAll:
	case RoleIntake, RoleWorker:
		if q.URL == "" {
			bad("watch.role", "%q needs queue.url (the work queue between intake and workers)", role)
		}
	default:
		bad("watch.role", "%q is not one of all, intake, worker", role)
	}
	if q.URL != "" && role != RoleWorker {
		for i, f := range folders {
			if f.Format == FormatAmavis {
				// Workers expand mail messages only from the store's queue.
				bad(fmt.Sprintf("watch.folders[%d].format", i), "amavis folders are not supported with queue.url yet; run a single-host sidecar for them")
			}
		}
	}
	if q.URL != "" {
		for _, u := range strings.Split(q.URL, ",") {
			p, err := url.Parse(strings.TrimSpace(u))
			if err != nil || (p.Scheme != "nats" && p.Scheme != "tls") || p.Host == "" {
				bad("queue.url", "%q is not a nats:// or tls:// URL", u)
			}
		}
	}
	if !natsName(q.Stream) {
		bad("queue.stream", "%q is not a stream name (1..64 characters, no white space, '.', '*', '>', '/' or '\\')", q.Stream)
	}
	if !natsSubject(q.Subject) {
		bad("queue.subject", "%q is not a literal subject (dot-separated tokens, no wildcards)", q.Subject)
	}
	if q.AlertsSubject != "" && !natsSubject(q.AlertsSubject) {
		bad("queue.alerts_subject", "%q is not a literal subject (dot-separated tokens, no wildcards)", q.AlertsSubject)
	}
	if q.AlertsSubject != "" && (q.AlertsSubject == q.Subject || q.AlertsSubject == q.Subject+".dead") {
		bad("queue.alerts_subject", "%q must differ from queue.subject and its dead-letter subject", q.AlertsSubject)
	}
	// The envelope carries inline bytes as base64 (4/3) in a message that
	// must fit NATS's default max_payload of 1MiB.
	if q.InlineMax < 1*KiB || q.InlineMax > 640*KiB {
		bad("queue.inline_max", "%s is outside 1KiB..640KiB (base64 in a message under the 1MiB NATS payload limit)", q.InlineMax)
	}
	if q.MaxDeliver < 1 || q.MaxDeliver > 100 {
		bad("queue.max_deliver", "%d is outside 1..100", q.MaxDeliver)
	}
	if q.AckWait < time.Second || q.AckWait > time.Hour {
		bad("queue.ack_wait", "%s is outside 1s..1h", q.AckWait)
	}
	return errs
}

// EffectiveWorkers returns the scan worker count, resolving 0 to the CPU count.
func (s Scan) EffectiveWorkers() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return runtime.NumCPU()
}

// YAML renders the configuration as YAML (for `automaldesc config print`).
func (c Config) YAML() ([]byte, error) { return yaml.Marshal(c) }

// Keys returns every configuration key in dotted form, sorted.
func Keys() []string {
	v := viper.New()
	setDefaults(v, "", reflect.ValueOf(Defaults()))
	k := v.AllKeys()
	sort.Strings(k)
	return k
}

// setDefaults registers every leaf of the default struct, so that keys are
// known to viper (AutomaticEnv and Unmarshal only see keys with defaults).
func setDefaults(v *viper.Viper, prefix string, rv reflect.Value) {
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		key := f.Tag.Get("mapstructure")
		if prefix != "" {
			key = prefix + "." + key
		}
		fv := rv.Field(i)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
			setDefaults(v, key, fv)
			continue
		}
		v.SetDefault(key, fv.Interface())
	}
}

// applyEnv maps AUTOMALDESC_SECTION_KEY variables onto known keys and
// rejects unknown ones, naming the variable.
func applyEnv(v *viper.Viper, env []string) error {
	known := make(map[string]string)
	for _, k := range v.AllKeys() {
		known[EnvPrefix+"_"+strings.ToUpper(strings.ReplaceAll(k, ".", "_"))] = k
	}
	var errs []error
	for _, kv := range env {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix+"_") || name == EnvPrefix+"_CONFIG" || name == EnvPrefix+"_CORPORA" {
			continue
		}
		key, ok := known[name]
		if !ok {
			errs = append(errs, fmt.Errorf("%w: unknown environment variable %s", ErrInvalid, name))
			continue
		}
		v.Set(key, val)
	}
	return errors.Join(errs...)
}

func lookupEnv(env []string, name string) string {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	return ""
}

// unusedKeyMessage rewrites mapstructure's "has invalid keys" errors into
// one that names the keys as a user writes them.
func unusedKeyMessage(err error) string {
	msg := err.Error()
	msg = strings.ReplaceAll(msg, "'' has invalid keys:", "unknown key:")
	msg = strings.ReplaceAll(msg, "has invalid keys:", "has unknown key:")
	return msg
}

// httpURL reports whether u is an absolute http(s) URL with a host.
func httpURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

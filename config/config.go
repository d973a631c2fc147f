// Package config loads automaldesc's configuration in two stages: a raw
// struct read by a local viper instance from defaults, an optional file,
// AUTOMALDESC_* environment variables and command-line flags; then
// validation into the values the rest of the program uses. Unknown keys, in
// the file or in the environment, are errors that name the key.
package config

import (
	"errors"
	"fmt"
	"os"
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
			},
		},
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
	return errors.Join(errs...)
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

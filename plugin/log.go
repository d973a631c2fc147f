package plugin

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// hclogTime is the timestamp layout go-plugin's host expects in
// "@timestamp"; a line whose timestamp does not parse is not re-levelled.
const hclogTime = "2006-01-02T15:04:05.000000Z07:00"

// NewLogHandler returns a slog handler that writes JSON lines in hclog's
// shape ("@level", "@message", "@timestamp" and the attributes), which a
// go-plugin host parses and re-levels into its own logger. The plugin
// process logs through it to stderr; stdout carries the handshake.
func NewLogHandler(w io.Writer, level slog.Leveler) slog.Handler {
	return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: hclogAttr})
}

func hclogAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		if a.Value.Kind() == slog.KindTime {
			return slog.String("@timestamp", a.Value.Time().UTC().Format(hclogTime))
		}
	case slog.LevelKey:
		if l, ok := a.Value.Any().(slog.Level); ok {
			return slog.String("@level", levelName(l))
		}
	case slog.MessageKey:
		return slog.String("@message", a.Value.String())
	}
	if strings.HasPrefix(a.Key, "@") {
		// The host reads "@"-keys as hclog's own and would choke on a
		// non-string value: keep attributes out of that namespace.
		a.Key = "_" + a.Key
	}
	return a
}

// levelName maps slog levels onto hclog's names.
func levelName(l slog.Level) string {
	switch {
	case l < slog.LevelDebug:
		return "trace"
	case l < slog.LevelInfo:
		return "debug"
	case l < slog.LevelWarn:
		return "info"
	case l < slog.LevelError:
		return "warn"
	default:
		return "error"
	}
}

// slogLevel maps hclog levels onto slog's.
func slogLevel(l hclog.Level) slog.Level {
	switch l {
	case hclog.Trace:
		return slog.LevelDebug - 4
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// hclogger adapts a *slog.Logger to hclog.Logger, so go-plugin's own logs
// and the plugin's re-levelled stderr lines reach the host's slog logger.
// The slog handler owns the level: SetLevel does nothing.
type hclogger struct {
	l       *slog.Logger
	name    string
	implied []any
}

var _ hclog.Logger = (*hclogger)(nil)

// newHCLogger adapts l; nil discards everything.
func newHCLogger(l *slog.Logger) hclog.Logger {
	if l == nil {
		return hclog.NewNullLogger()
	}
	return &hclogger{l: l}
}

func (h *hclogger) Log(level hclog.Level, msg string, args ...any) {
	if level == hclog.Off {
		return
	}
	h.l.Log(context.Background(), slogLevel(level), msg, args...)
}

func (h *hclogger) enabled(level hclog.Level) bool {
	return h.l.Enabled(context.Background(), slogLevel(level))
}

func (h *hclogger) Trace(msg string, args ...any) { h.Log(hclog.Trace, msg, args...) }
func (h *hclogger) Debug(msg string, args ...any) { h.Log(hclog.Debug, msg, args...) }
func (h *hclogger) Info(msg string, args ...any)  { h.Log(hclog.Info, msg, args...) }
func (h *hclogger) Warn(msg string, args ...any)  { h.Log(hclog.Warn, msg, args...) }
func (h *hclogger) Error(msg string, args ...any) { h.Log(hclog.Error, msg, args...) }
func (h *hclogger) IsTrace() bool                 { return h.enabled(hclog.Trace) }
func (h *hclogger) IsDebug() bool                 { return h.enabled(hclog.Debug) }
func (h *hclogger) IsInfo() bool                  { return h.enabled(hclog.Info) }
func (h *hclogger) IsWarn() bool                  { return h.enabled(hclog.Warn) }
func (h *hclogger) IsError() bool                 { return h.enabled(hclog.Error) }
func (h *hclogger) ImpliedArgs() []any            { return h.implied }
func (h *hclogger) Name() string                  { return h.name }
func (h *hclogger) SetLevel(hclog.Level)          {}

func (h *hclogger) With(args ...any) hclog.Logger {
	return &hclogger{l: h.l.With(args...), name: h.name, implied: append(append([]any{}, h.implied...), args...)}
}

func (h *hclogger) Named(name string) hclog.Logger {
	if h.name != "" {
		name = h.name + "." + name
	}
	return h.ResetNamed(name)
}

func (h *hclogger) ResetNamed(name string) hclog.Logger {
	return &hclogger{l: h.l.With("logger", name), name: name, implied: h.implied}
}

// GetLevel returns the lowest level the slog handler takes.
func (h *hclogger) GetLevel() hclog.Level {
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if h.enabled(l) {
			return l
		}
	}
	return hclog.Off
}

func (h *hclogger) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(h.StandardWriter(opts), "", 0)
}

func (h *hclogger) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		h.Info(string(bytes.TrimRight(p, "\n")))
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

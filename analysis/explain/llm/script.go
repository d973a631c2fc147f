package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/charset"
)

// ScriptSource supplies the full text of a report's sample (reports carry
// only its first 64 KiB, see ReportText). Script may be called
// concurrently. An error means "no text": the prompt then carries the
// decoded layers and excerpts only.
type ScriptSource interface {
	Script(ctx context.Context, r *analysis.Report) (string, error)
}

// ScriptFunc adapts a function to ScriptSource.
type ScriptFunc func(ctx context.Context, r *analysis.Report) (string, error)

// Script calls f.
func (f ScriptFunc) Script(ctx context.Context, r *analysis.Report) (string, error) { return f(ctx, r) }

// FileScript reads the sample again from the report's path, at most
// MaxSize bytes, and uses it only when its SHA-256 is the report's (the
// file may have changed or moved since it was analysed). It suits the CLI,
// which leaves files where they are.
type FileScript struct {
	MaxSize int64
}

var _ ScriptSource = FileScript{}

// Script implements ScriptSource.
func (f FileScript) Script(_ context.Context, r *analysis.Report) (string, error) {
	if r.Sample.Path == "" || r.Sample.SHA256 == "" {
		return "", errors.New("report has no path or hash")
	}
	if f.MaxSize > 0 && r.Sample.Size > f.MaxSize {
		return "", fmt.Errorf("sample is %d bytes, over %d", r.Sample.Size, f.MaxSize)
	}
	fh, err := os.Open(r.Sample.Path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	limit := f.MaxSize
	if limit <= 0 {
		limit = r.Sample.Size
	}
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > limit {
		return "", errors.New("file grew since it was analysed")
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != r.Sample.SHA256 {
		return "", errors.New("file changed since it was analysed")
	}
	text, _, err := charset.Decode(b)
	return text, err
}

// ReportText is the original text the report itself carries (layer 0, up
// to analysis.OriginalTextLimit bytes): what the sidecar has once the
// claimed file is gone.
type ReportText struct{}

var _ ScriptSource = ReportText{}

// Script implements ScriptSource.
func (ReportText) Script(_ context.Context, r *analysis.Report) (string, error) {
	if len(r.Layers) == 0 || r.Layers[0].Text == "" {
		return "", errors.New("report carries no original text")
	}
	return r.Layers[0].Text, nil
}

// FirstOf tries each source in turn and returns the first text found.
type FirstOf []ScriptSource

// Script implements ScriptSource.
func (f FirstOf) Script(ctx context.Context, r *analysis.Report) (string, error) {
	var errs []error
	for _, s := range f {
		text, err := s.Script(ctx, r)
		if err == nil {
			return text, nil
		}
		errs = append(errs, err)
	}
	return "", errors.Join(errs...)
}

package sink

import (
	"bufio"
	"context"
	"fmt"
	"io"
)

// Stdout writes one JSON document per line to a stream (standard output in
// containers). There is nothing to fsync: the cursor moves once the lines
// are written to the stream.
type Stdout struct {
	w *bufio.Writer
}

var _ Sink = (*Stdout)(nil)

// NewStdout writes to w.
func NewStdout(w io.Writer) *Stdout { return &Stdout{w: bufio.NewWriterSize(w, 64<<10)} }

// Name implements Sink.
func (s *Stdout) Name() string { return "stdout" }

// Deliver implements Sink.
func (s *Stdout) Deliver(_ context.Context, batch []Encoded) (int, error) {
	for _, e := range batch {
		s.w.Write(e.Body)
		s.w.WriteByte('\n')
	}
	if err := s.w.Flush(); err != nil {
		return 0, fmt.Errorf("stdout: %w", err)
	}
	return len(batch), nil
}

// Close flushes.
func (s *Stdout) Close() error { return s.w.Flush() }

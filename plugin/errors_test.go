package plugin

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
)

func TestErrorRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []error
	}{
		{"too large", fmt.Errorf("%w: 9 bytes", ErrTooLarge), []error{ErrTooLarge}},
		{"invalid", fmt.Errorf("%w: bad key", ErrInvalidInput), []error{ErrInvalidInput}},
		{"no store", ErrNoStore, []error{ErrNoStore}},
		{"analysis deadline", fmt.Errorf("%w (10s) during yara", analysis.ErrDeadline), []error{analysis.ErrDeadline, context.DeadlineExceeded}},
		{"ctx deadline", fmt.Errorf("decode: %w", context.DeadlineExceeded), []error{analysis.ErrDeadline, context.DeadlineExceeded}},
		{"canceled", fmt.Errorf("scan: %w", context.Canceled), []error{context.Canceled}},
		{"internal", fmt.Errorf("%w: panic", analysis.ErrInternal), []error{analysis.ErrInternal}},
		{"other", errors.New("disk on fire"), []error{analysis.ErrInternal}},
		{"unavailable", ErrUnavailable, []error{ErrUnavailable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			viaStatus := fromStatus(context.Background(), toStatus(tt.err), nil)
			viaFailure := fromFailure(toFailure(tt.err))
			for _, got := range []error{viaStatus, viaFailure} {
				for _, w := range tt.want {
					if !errors.Is(got, w) {
						t.Errorf("got %v, want it to wrap %v", got, w)
					}
				}
				if got.Error() != tt.err.Error() && got.Error() != tt.want[0].Error()+": "+tt.err.Error() {
					t.Errorf("got message %q, want %q (or the sentinel before it)", got.Error(), tt.err.Error())
				}
			}
		})
	}
}

func TestErrorTransport(t *testing.T) {
	// A broken connection: exited or not decides the sentinel.
	err := fromStatus(context.Background(), errors.New("rpc error: code = Unavailable desc = error reading from server: EOF"), func() bool { return true })
	if !errors.Is(err, ErrPluginExited) || !errors.Is(err, ErrUnavailable) {
		t.Errorf("got %v, want ErrPluginExited and ErrUnavailable", err)
	}
	// The host's own context wins over whatever the transport said.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := fromStatus(ctx, errors.New("anything"), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

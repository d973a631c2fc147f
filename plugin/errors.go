package plugin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/automaldesc/automaldesc/analysis"
	pb "github.com/automaldesc/automaldesc/plugin/proto/automaldesc/v1"
)

// Sentinel errors. Errors returned by Client methods wrap one or more of
// these, or analysis.ErrDeadline / analysis.ErrInternal / context errors.
var (
	// ErrPluginExited: the plugin process is gone (it crashed or was
	// killed). Errors wrapping it also wrap ErrUnavailable. Open a new
	// Client to go on.
	ErrPluginExited = errors.New("plugin process exited")
	// ErrUnavailable: the plugin could not be reached or did not answer.
	ErrUnavailable = errors.New("plugin unavailable")
	// ErrProtocol: host and plugin do not speak the same protocol (version
	// mismatch, not a plugin binary, an answer that does not decode).
	ErrProtocol = errors.New("plugin protocol error")
	// ErrChecksum: the plugin binary does not have the SHA-256 given in
	// SecureConfig; it was not started.
	ErrChecksum = errors.New("plugin binary checksum mismatch")
	// ErrTooLarge: the sample is over the plugin's limits.max_file_size or
	// a message over the gRPC size limit.
	ErrTooLarge = errors.New("sample too large")
	// ErrInvalidInput: a request or feedback field is malformed or over
	// its limit.
	ErrInvalidInput = errors.New("invalid input")
	// ErrNoStore: the plugin has no store, so it cannot take feedback.
	ErrNoStore = errors.New("plugin has no store configured")
	// ErrNotStartedByHost: Serve was called in a process a go-plugin host
	// did not start (no magic cookie in the environment).
	ErrNotStartedByHost = errors.New("not started by a plugin host")
)

// errorDomain is the ErrorInfo domain of every status the plugin sends.
const errorDomain = "automaldesc"

// Reasons carried in google.rpc.ErrorInfo (and Failure.reason).
const (
	reasonTooLarge     = "TOO_LARGE"
	reasonInvalidInput = "INVALID_INPUT"
	reasonDeadline     = "ANALYSIS_DEADLINE"
	reasonCanceled     = "CANCELED"
	reasonInternal     = "INTERNAL"
	reasonNoStore      = "NO_STORE"
	reasonUnavailable  = "UNAVAILABLE"
)

// classify maps a server-side error onto a status code and a reason.
func classify(err error) (codes.Code, string) {
	switch {
	case errors.Is(err, ErrTooLarge):
		return codes.InvalidArgument, reasonTooLarge
	case errors.Is(err, ErrInvalidInput):
		return codes.InvalidArgument, reasonInvalidInput
	case errors.Is(err, ErrNoStore):
		return codes.FailedPrecondition, reasonNoStore
	case errors.Is(err, analysis.ErrDeadline), errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded, reasonDeadline
	case errors.Is(err, context.Canceled):
		return codes.Canceled, reasonCanceled
	case errors.Is(err, ErrUnavailable):
		return codes.Unavailable, reasonUnavailable
	default:
		return codes.Internal, reasonInternal
	}
}

// toStatus turns a server-side error into a gRPC status error with an
// ErrorInfo detail.
func toStatus(err error) error {
	code, reason := classify(err)
	st := status.New(code, err.Error())
	if d, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: errorDomain}); derr == nil {
		st = d
	}
	return st.Err()
}

// toFailure is toStatus for errors carried inside a response.
func toFailure(err error) *pb.Failure {
	code, reason := classify(err)
	return &pb.Failure{Code: int32(code), Reason: reason, Message: err.Error()}
}

// remoteError is an error that crossed the process boundary: the plugin's
// message, and the sentinels its code and reason stand for.
type remoteError struct {
	msg    string
	code   codes.Code
	reason string
	is     []error
}

func (e *remoteError) Error() string   { return e.msg }
func (e *remoteError) Unwrap() []error { return e.is }

// fromCode rebuilds the host-side error of a status code, reason and
// message. exited reports whether the plugin process is gone.
func fromCode(code codes.Code, reason, msg string, exited func() bool) error {
	var is []error
	switch {
	case reason == reasonTooLarge || code == codes.ResourceExhausted:
		is = []error{ErrTooLarge}
	case reason == reasonInvalidInput || code == codes.InvalidArgument:
		is = []error{ErrInvalidInput}
	case reason == reasonNoStore:
		is = []error{ErrNoStore}
	case code == codes.DeadlineExceeded:
		is = []error{analysis.ErrDeadline, context.DeadlineExceeded}
	case code == codes.Canceled:
		is = []error{context.Canceled}
	case code == codes.Internal && reason == reasonInternal:
		is = []error{analysis.ErrInternal}
	case code == codes.Unimplemented:
		is = []error{ErrProtocol}
	default: // Unavailable, or a transport failure without a reason
		if exited != nil && exited() {
			is = []error{ErrPluginExited, ErrUnavailable}
		} else {
			is = []error{ErrUnavailable}
		}
	}
	if !strings.Contains(msg, is[0].Error()) {
		msg = is[0].Error() + ": " + msg
	}
	return &remoteError{msg: msg, code: code, reason: reason, is: is}
}

// fromStatus rebuilds the host-side error of a failed RPC. When ctx ended,
// its error is the cause whatever the transport said.
func fromStatus(ctx context.Context, err error, exited func() bool) error {
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(cerr, context.DeadlineExceeded) {
			return fmt.Errorf("%w: %w", analysis.ErrDeadline, cerr)
		}
		return cerr
	}
	st := status.Convert(err)
	reason := ""
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok && ei.GetDomain() == errorDomain {
			reason = ei.GetReason()
		}
	}
	return fromCode(st.Code(), reason, st.Message(), exited)
}

// fromFailure rebuilds the error of a Failure carried in a response.
func fromFailure(f *pb.Failure) error {
	return fromCode(codes.Code(f.GetCode()), f.GetReason(), f.GetMessage(), nil)
}

package plugin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/automaldesc/automaldesc/analysis"
	pb "github.com/automaldesc/automaldesc/plugin/proto/automaldesc/v1"
)

// DefaultStartTimeout bounds how long Open waits for the plugin's handshake.
const DefaultStartTimeout = 30 * time.Second

// defaultMaxReply is the largest reply accepted when Options.MaxMessageBytes
// is 0: reports carry decoded layers and can outgrow their sample.
const defaultMaxReply = 512 << 20

// SecureConfig pins the plugin binary: Open refuses to start a binary whose
// SHA-256 differs (ErrChecksum).
type SecureConfig struct {
	// SHA256 is the expected digest in hex, as printed by sha256sum.
	SHA256 string
}

// Options configure Open. The zero value works.
type Options struct {
	// SecureConfig, when set, pins the binary's SHA-256.
	SecureConfig *SecureConfig
	// Logger receives go-plugin's logs and the plugin's own log lines,
	// re-levelled. nil discards them.
	Logger *slog.Logger
	// StartTimeout bounds the start and handshake; 0 = DefaultStartTimeout.
	// A deadline of Open's ctx that comes sooner wins.
	StartTimeout time.Duration
	// MaxMessageBytes caps every gRPC message in both directions; samples
	// may use all but 1 MiB of it. 0 = requests up to the plugin's
	// limits.max_file_size plus 1 MiB, and replies up to 512 MiB.
	MaxMessageBytes int
	// Env is added to the plugin's environment (which is the host's
	// otherwise), e.g. "AUTOMALDESC_LIMITS_SAMPLE_TIMEOUT=5s".
	Env []string
	// Args are the plugin's arguments; nil = {"plugin"}. Add flags after
	// the subcommand, e.g. {"plugin", "--config", "/etc/automaldesc.yaml"}.
	Args []string
}

// Client is a running plugin process and the connection to it. Its methods
// may be called concurrently. Close it to stop the plugin.
type Client struct {
	gp       *goplugin.Client
	rpc      pb.AnalyzerClient
	info     Info
	maxData  int64 // largest sample sent
	maxSend  int
	callOpts []grpc.CallOption
	pid      int
}

// Open starts the plugin binary at path (`path plugin` by default),
// negotiates protocol version ProtocolVersion over gRPC with AutoMTLS, and
// reads its Info. Start failures wrap ErrChecksum, ErrProtocol,
// ErrPluginExited or ErrUnavailable, with the plugin's last log line when
// it left one.
func Open(ctx context.Context, path string, opts Options) (*Client, error) {
	return open(ctx, path, opts, ProtocolVersion)
}

// open is Open asking for one protocol version (tests ask for others).
func open(ctx context.Context, path string, opts Options, version int) (*Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("plugin open: %w", err)
	}
	if fi, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("plugin open: %w", err)
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("plugin open: %s is not a regular file", path)
	}
	if opts.MaxMessageBytes != 0 && opts.MaxMessageBytes <= messageHeadroom {
		return nil, fmt.Errorf("plugin open: MaxMessageBytes %d leaves no room for a sample (want more than %d)", opts.MaxMessageBytes, messageHeadroom)
	}
	var secure *goplugin.SecureConfig
	if opts.SecureConfig != nil {
		sum, err := hex.DecodeString(strings.TrimSpace(opts.SecureConfig.SHA256))
		if err != nil || len(sum) != sha256.Size {
			return nil, fmt.Errorf("plugin open: secure config: sha256 %q is not 64 hex digits", opts.SecureConfig.SHA256)
		}
		secure = &goplugin.SecureConfig{Checksum: sum, Hash: sha256.New()}
	}
	args := opts.Args
	if args == nil {
		args = []string{"plugin"}
	}
	cmd := exec.Command(path, args...)
	// The host's environment, then Env (later entries win in os/exec);
	// go-plugin appends its handshake variables after both.
	cmd.Env = append(os.Environ(), opts.Env...)

	start := opts.StartTimeout
	if start <= 0 {
		start = DefaultStartTimeout
	}
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < start {
			start = max(left, time.Millisecond)
		}
	}
	maxReply := defaultMaxReply
	if opts.MaxMessageBytes > 0 {
		maxReply = opts.MaxMessageBytes
	}
	tail := &tailWriter{}
	gp := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: pluginSets(version, &grpcPlugin{}),
		Cmd:              cmd,
		SkipHostEnv:      true, // already in cmd.Env, below Env
		SecureConfig:     secure,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     start,
		Logger:           newHCLogger(opts.Logger),
		Stderr:           tail,
		GRPCDialOptions: []grpc.DialOption{grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(maxReply), grpc.MaxCallSendMsgSize(maxReply))},
	})
	fail := func(err error) (*Client, error) {
		gp.Kill()
		return nil, err
	}
	rpcClient, err := gp.Client()
	if err != nil {
		return fail(startError(err, gp.Exited(), tail.last()))
	}
	raw, err := rpcClient.Dispense(pluginName)
	if err != nil {
		return fail(fmt.Errorf("plugin open: %w: dispense %s: %v", ErrProtocol, pluginName, err))
	}
	c := &Client{gp: gp, rpc: raw.(pb.AnalyzerClient)}
	if rc := gp.ReattachConfig(); rc != nil {
		c.pid = rc.Pid
	}
	info, err := c.Info(ctx)
	if err != nil {
		return fail(fmt.Errorf("plugin open: %w", err))
	}
	if info.Versions.Protocol != version {
		return fail(fmt.Errorf("plugin open: %w: plugin reports protocol version %d, negotiated %d", ErrProtocol, info.Versions.Protocol, version))
	}
	if info.Limits.MaxFileSize <= 0 {
		return fail(fmt.Errorf("plugin open: %w: plugin reports no max file size", ErrProtocol))
	}
	c.info = info
	c.maxData = info.Limits.MaxFileSize
	c.maxSend = int(min(info.Limits.MaxFileSize+messageHeadroom, math.MaxInt32))
	if opts.MaxMessageBytes > 0 {
		c.maxSend = opts.MaxMessageBytes
		c.maxData = min(c.maxData, max(int64(opts.MaxMessageBytes)-messageHeadroom, 0))
	}
	c.callOpts = []grpc.CallOption{grpc.MaxCallSendMsgSize(c.maxSend), grpc.MaxCallRecvMsgSize(maxReply)}
	return c, nil
}

// startError classifies go-plugin's start errors, which are mostly plain
// strings.
func startError(err error, exited bool, lastLog string) error {
	msg := err.Error()
	var sentinel error
	switch {
	case errors.Is(err, goplugin.ErrChecksumsDoNotMatch):
		sentinel = ErrChecksum
	case exited, strings.Contains(msg, "plugin exited before we could connect"),
		strings.Contains(msg, "Failed to read any lines from plugin's stdout"):
		// It closed stdout without a handshake: it exited, and its log
		// says why better than go-plugin's generic diagnosis.
		sentinel = ErrPluginExited
		if lastLog != "" {
			msg = "no handshake"
		}
	case strings.Contains(msg, "incompatible API version"), strings.Contains(msg, "incompatible core API version"),
		strings.Contains(msg, "Unrecognized remote plugin message"), strings.Contains(msg, "unsupported plugin protocol"):
		sentinel = ErrProtocol
	default:
		sentinel = ErrUnavailable
	}
	if lastLog != "" {
		return fmt.Errorf("plugin open: %w: %s (plugin's last log line: %s)", sentinel, msg, lastLog)
	}
	return fmt.Errorf("plugin open: %w: %s", sentinel, msg)
}

// PID is the plugin process's id.
func (c *Client) PID() int { return c.pid }

// Limits are the plugin's limits as read at Open.
func (c *Client) Limits() Limits { return c.info.Limits }

// exited reports whether the plugin process is gone. A connection breaks a
// moment before go-plugin notices the exit, so it waits up to 500ms for
// that.
func (c *Client) exited() bool {
	if c.gp == nil {
		return false
	}
	for range 25 {
		if c.gp.Exited() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// gone is the error of a call on a Client whose plugin already exited.
func (c *Client) gone(op string) error {
	if c.gp != nil && c.gp.Exited() {
		return fmt.Errorf("plugin %s: %w (%w)", op, ErrPluginExited, ErrUnavailable)
	}
	return nil
}

// Info asks the plugin to describe itself.
func (c *Client) Info(ctx context.Context) (Info, error) {
	if err := c.gone("info"); err != nil {
		return Info{}, err
	}
	resp, err := c.rpc.Info(ctx, &pb.InfoRequest{}, c.callOpts...)
	if err != nil {
		return Info{}, fmt.Errorf("plugin info: %w", fromStatus(ctx, err, c.exited))
	}
	return fromProtoInfo(resp), nil
}

// Analyze analyses one sample. Like analysis.Engine.Analyze it may return
// a report and an error together: a failed analysis (its per-sample deadline
// passed, an internal error) keeps its partial findings. ctx's deadline and
// cancellation reach the plugin's analysis.
func (c *Client) Analyze(ctx context.Context, req Request) (*analysis.Report, error) {
	if err := req.validate(c.maxData); err != nil {
		return nil, fmt.Errorf("plugin analyze: %w", err)
	}
	if err := c.gone("analyze"); err != nil {
		return nil, err
	}
	resp, err := c.rpc.Analyze(ctx, &pb.AnalyzeRequest{Sample: toProtoSample(req)}, c.callOpts...)
	if err != nil {
		return nil, fmt.Errorf("plugin analyze: %w", fromStatus(ctx, err, c.exited))
	}
	return answer("analyze", resp.GetReport(), resp.GetFailure())
}

// answer decodes a report and its failure.
func answer(op string, rep *pb.Report, fail *pb.Failure) (*analysis.Report, error) {
	var r *analysis.Report
	if rep != nil {
		var err error
		if r, err = fromProtoReport(rep); err != nil {
			return nil, fmt.Errorf("plugin %s: %w", op, err)
		}
	}
	if fail != nil {
		return r, fmt.Errorf("plugin %s: %w", op, fromFailure(fail))
	}
	if r == nil {
		return nil, fmt.Errorf("plugin %s: %w: answer holds neither report nor failure", op, ErrProtocol)
	}
	return r, nil
}

// AnalyzeBatch analyses reqs over one stream, the plugin running several at
// once, and returns one Result per request, in request order. Requests the
// host refuses (too large, invalid) are not sent; their Result.Err says why.
// The error is non-nil only when the batch as a whole broke (ctx ended, the
// plugin exited); items left without an answer then carry that error too.
func (c *Client) AnalyzeBatch(ctx context.Context, reqs []Request) ([]Result, error) {
	results := make([]Result, len(reqs))
	answered := make([]bool, len(reqs))
	var send []int
	for i, r := range reqs {
		if err := r.validate(c.maxData); err != nil {
			results[i].Err = fmt.Errorf("plugin analyze batch: item %d: %w", i, err)
			answered[i] = true
			continue
		}
		send = append(send, i)
	}
	if len(send) == 0 {
		return results, nil
	}
	if err := c.gone("analyze batch"); err != nil {
		return c.abandon(results, answered, err), err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.rpc.AnalyzeStream(sctx, c.callOpts...)
	if err != nil {
		err = fmt.Errorf("plugin analyze batch: %w", fromStatus(ctx, err, c.exited))
		return c.abandon(results, answered, err), err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the sender; a failed Send shows up in Recv
		defer wg.Done()
		for _, i := range send {
			if stream.Send(&pb.AnalyzeStreamRequest{Seq: uint64(i), Sample: toProtoSample(reqs[i])}) != nil {
				return
			}
		}
		_ = stream.CloseSend()
	}()
	var batchErr error
	for pending := len(send); ; {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if pending > 0 {
				batchErr = fmt.Errorf("plugin analyze batch: %w: stream ended with %d items unanswered", ErrProtocol, pending)
			}
			break
		}
		if err != nil {
			batchErr = fmt.Errorf("plugin analyze batch: %w", fromStatus(ctx, err, c.exited))
			break
		}
		i := resp.GetSeq()
		if i >= uint64(len(reqs)) || answered[i] {
			batchErr = fmt.Errorf("plugin analyze batch: %w: answer for unknown or answered item %d", ErrProtocol, i)
			break
		}
		answered[i] = true
		pending--
		results[i].Report, results[i].Err = answer(fmt.Sprintf("analyze batch: item %d", i), resp.GetReport(), resp.GetFailure())
	}
	cancel()
	wg.Wait()
	if batchErr != nil {
		return c.abandon(results, answered, batchErr), batchErr
	}
	return results, nil
}

// abandon sets err on every unanswered item.
func (c *Client) abandon(results []Result, answered []bool, err error) []Result {
	for i := range results {
		if !answered[i] {
			results[i].Err = err
		}
	}
	return results
}

// Feedback sends an analyst's statement to the plugin's store. It fails
// with ErrNoStore when the plugin has none, ErrInvalidInput when fb is
// malformed.
func (c *Client) Feedback(ctx context.Context, fb Feedback) error {
	if err := fb.Validate(); err != nil {
		return fmt.Errorf("plugin feedback: %w", err)
	}
	if err := c.gone("feedback"); err != nil {
		return err
	}
	if _, err := c.rpc.Feedback(ctx, &pb.FeedbackRequest{Feedback: toProtoFeedback(fb)}, c.callOpts...); err != nil {
		return fmt.Errorf("plugin feedback: %w", fromStatus(ctx, err, c.exited))
	}
	return nil
}

// Close stops the plugin: a graceful shutdown, then a kill after two
// seconds. Calls still running fail. Close may be called more than once.
func (c *Client) Close() error {
	if c.gp != nil {
		c.gp.Kill()
	}
	return nil
}

// tailWriter keeps the last log line the plugin wrote to stderr, for start
// errors.
type tailWriter struct {
	mu   sync.Mutex
	line []byte // the line being written
	prev string // the last complete, non-empty line
}

const maxTailLine = 2048

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range p {
		if b == '\n' {
			if l := bytes.TrimSpace(w.line); len(l) > 0 {
				w.prev = string(l)
			}
			w.line = w.line[:0]
			continue
		}
		if len(w.line) < maxTailLine {
			w.line = append(w.line, b)
		}
	}
	return len(p), nil
}

// last returns the last line, reduced to its message when it is hclog JSON.
func (w *tailWriter) last() string {
	w.mu.Lock()
	l := w.prev
	if t := bytes.TrimSpace(w.line); len(t) > 0 {
		l = string(t)
	}
	w.mu.Unlock()
	var e struct {
		Message string `json:"@message"`
		Err     string `json:"err"`
	}
	if json.Unmarshal([]byte(l), &e) == nil && e.Message != "" {
		if e.Err != "" {
			return e.Message + ": " + e.Err
		}
		return e.Message
	}
	return l
}

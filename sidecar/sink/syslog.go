package sink

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Syslog sends records as RFC 5424 messages over TCP or TLS (RFC 5425),
// framed by octet counting (RFC 6587 3.4.1: "LEN SP MSG").
//
// A message is
//
//	<PRI>1 TIMESTAMP HOSTNAME automaldesc PROCID alert [automaldesc@32473 id="<record id>"] BOM<document>
//
// PRI is Facility*8 + a severity taken from the ECS document's
// event.severity (malicious 2 critical, suspicious 4 warning, unknown 5
// notice, benign 6 informational); TIMESTAMP is its @timestamp. 32473 is
// the private enterprise number RFC 5612 reserves for documentation: the
// SD-ID names the record id for receiver-side dedupe. Documents longer than
// MaxMessage are sent without their "automaldesc" member (the full report)
// and, if still too long, skipped with an error log: configure the
// receiver's maximum message size (rsyslog $MaxMessageSize) to at least
// MaxMessage.
//
// TCP gives no application-level acknowledgement: a record counts as
// delivered once written to the connection. Before each batch the sink
// checks that the receiver has not closed the connection, and a failed
// write reconnects and resends from the failed record, so a receiver
// restart loses nothing that was not yet in flight in the kernel buffers.
type Syslog struct {
	Address    string      // host:port
	TLS        *tls.Config // nil = plain TCP
	Facility   int         // 0..23; 0 = 16 (local0)
	Hostname   string      // empty = os.Hostname()
	MaxMessage int         // bytes; 0 = 64 KiB
	Timeout    time.Duration
	MinBackoff time.Duration // 0 = 200ms
	MaxBackoff time.Duration // 0 = 30s
	Log        *slog.Logger
	Metrics    *Metrics
	// OnRetry, when set, is called with each retry's wait (tests).
	OnRetry func(wait time.Duration, status int)

	conn net.Conn
}

var (
	_ Sink          = (*Syslog)(nil)
	_ MetricsSetter = (*Syslog)(nil)
)

// Name implements Sink.
func (s *Syslog) Name() string { return "syslog" }

// SetMetrics implements MetricsSetter.
func (s *Syslog) SetMetrics(m *Metrics) { s.Metrics = m }

// Close implements Sink.
func (s *Syslog) Close() error {
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}

// SyslogTLSConfig builds the TLS configuration of a syslog receiver at
// address: server name from the address, TLS 1.2 or later, and the CA
// certificates of caFile (PEM) instead of the system roots when given.
func SyslogTLSConfig(address, caFile string) (*tls.Config, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("syslog %s: %w", address, err)
	}
	c := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("syslog ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("syslog ca_file %s: no PEM certificate found", caFile)
		}
		c.RootCAs = pool
	}
	return c, nil
}

// Deliver implements Sink.
func (s *Syslog) Deliver(ctx context.Context, batch []Encoded) (int, error) {
	r := newRetrier(s.Name(), s.MinBackoff, s.MaxBackoff, s.Log, s.Metrics, s.OnRetry)
	if s.conn != nil && !s.alive() {
		s.Close()
	}
	for i, e := range batch {
		frame, ok := s.frame(e)
		if !ok {
			r.rejected(e.ID, 0, fmt.Sprintf("message over %d bytes even without the full report", s.maxMessage()))
			continue
		}
		for attempt := 0; ; attempt++ {
			err := s.write(ctx, frame)
			if err == nil {
				break
			}
			s.Close()
			if ctx.Err() != nil {
				return i, ctx.Err()
			}
			if !r.wait(ctx, attempt, 0, 0, false, "syslog delivery failed; reconnecting", "address", s.Address, "err", err) {
				return i, ctx.Err()
			}
		}
	}
	return len(batch), nil
}

func (s *Syslog) write(ctx context.Context, frame []byte) error {
	if s.conn == nil {
		d := &net.Dialer{Timeout: s.timeout()}
		var c net.Conn
		var err error
		if s.TLS != nil {
			c, err = (&tls.Dialer{NetDialer: d, Config: s.TLS}).DialContext(ctx, "tcp", s.Address)
		} else {
			c, err = d.DialContext(ctx, "tcp", s.Address)
		}
		if err != nil {
			return err
		}
		s.conn = c
	}
	if err := s.conn.SetWriteDeadline(time.Now().Add(s.timeout())); err != nil {
		return err
	}
	_, err := s.conn.Write(frame)
	return err
}

// alive reports whether the receiver kept the connection open: a syslog
// receiver never writes, so a read that times out means alive and EOF or
// an error means closed.
func (s *Syslog) alive() bool {
	if err := s.conn.SetReadDeadline(time.Now().Add(time.Millisecond)); err != nil {
		return false
	}
	var b [1]byte
	_, err := s.conn.Read(b[:])
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (s *Syslog) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 10 * time.Second
}

func (s *Syslog) maxMessage() int {
	if s.MaxMessage > 0 {
		return s.MaxMessage
	}
	return 64 << 10
}

// ecsHead is what the syslog header takes from an ECS document.
type ecsHead struct {
	Timestamp time.Time `json:"@timestamp"`
	Event     *struct {
		Severity int `json:"severity"`
	} `json:"event"`
}

// frame renders one record as an octet-counted RFC 5424 message; ok is
// false when it does not fit MaxMessage.
func (s *Syslog) frame(e Encoded) ([]byte, bool) {
	var head ecsHead
	_ = json.Unmarshal(e.Body, &head)
	sev := 5 // notice
	if head.Event != nil {
		switch v := head.Event.Severity; {
		case v >= 73:
			sev = 2
		case v >= 47:
			sev = 4
		case v >= 21:
			sev = 5
		default:
			sev = 6
		}
	}
	ts := head.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	fac := s.Facility
	if fac <= 0 || fac > 23 {
		fac = 16
	}
	host := s.Hostname
	if host == "" {
		host, _ = os.Hostname()
	}
	var m bytes.Buffer
	fmt.Fprintf(&m, "<%d>1 %s %s automaldesc %d alert [automaldesc@32473 id=\"%s\"] \xef\xbb\xbf",
		fac*8+sev, ts.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), headerField(host, 255), os.Getpid(), sdEscape(e.ID))
	body := e.Body
	if m.Len()+len(body) > s.maxMessage() {
		body = withoutMember(body, "automaldesc")
	}
	if m.Len()+len(body) > s.maxMessage() {
		return nil, false
	}
	m.Write(body)
	return append([]byte(strconv.Itoa(m.Len())+" "), m.Bytes()...), true
}

// headerField makes s a valid RFC 5424 header field: printable US-ASCII,
// at most n bytes, "-" when empty.
func headerField(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < n; i++ {
		if c := s[i]; c >= 33 && c <= 126 {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

// sdEscape escapes an SD-PARAM value: '"', '\' and ']' get a backslash.
func sdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, `]`, `\]`).Replace(s)
}

// withoutMember drops a top-level member of a JSON object (the body when it
// is not an object).
func withoutMember(body []byte, name string) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	if _, ok := m[name]; !ok {
		return body
	}
	delete(m, name)
	m[name+"_omitted"] = json.RawMessage("true")
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}

// Package plugin is automaldesc's hashicorp/go-plugin contract: the host
// side a scanner, EDR agent or mail gateway imports (Open, Client), and the
// plugin side `automaldesc plugin` serves (Serve, Server, EngineServer).
//
// The wire protocol is the gRPC service in proto/automaldesc/v1/analyzer.proto,
// negotiated by go-plugin as protocol version ProtocolVersion, gRPC only,
// with AutoMTLS: every plugin process gets a fresh certificate pair, and
// only the host that started it can connect. The Handshake cookie is not a
// security feature; it only keeps the binary from starting its server when
// run by hand. SecureConfig pins the SHA-256 of the binary the host starts.
//
// The protobuf types never leave this package: hosts get *analysis.Report
// values (decoded from the versioned report JSON) and the Go types below.
// Errors cross the process boundary as gRPC status codes with a reason and
// come back as sentinels, so errors.Is works in the host for
// analysis.ErrDeadline, analysis.ErrInternal, context.DeadlineExceeded,
// context.Canceled, ErrTooLarge, ErrInvalidInput, ErrNoStore, ErrProtocol,
// ErrUnavailable and ErrPluginExited.
//
// The plugin process writes nothing to stdout but the go-plugin handshake;
// it logs JSON lines in hclog's shape ("@level", "@message", "@timestamp")
// to stderr (NewLogHandler), which the host re-levels into its own logger.
package plugin

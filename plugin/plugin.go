package plugin

import (
	"context"
	"fmt"
	"os"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/automaldesc/automaldesc/plugin/proto/automaldesc/v1"
)

// ProtocolVersion is the plugin protocol version this package speaks. It
// changes only when the service changes incompatibly; fields are added
// within a version.
const ProtocolVersion = 1

// pluginName is the name the analyzer is dispensed under.
const pluginName = "analyzer"

// Handshake is the go-plugin handshake shared by host and plugin. The magic
// cookie is NOT authentication: it only tells `automaldesc plugin` that a
// host started it. AutoMTLS authenticates the connection, SecureConfig the
// binary. The cookie's name avoids the AUTOMALDESC_ prefix, which the
// configuration reserves for its own keys.
var Handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "PLUGIN_AUTOMALDESC_COOKIE",
	MagicCookieValue: "c0f5e2a1b7d94e3c8a6f1d2b9e7c4a50-automaldesc-analyzer",
}

// RequireHost returns nil when a go-plugin host started this process (the
// magic cookie is in the environment), and an error wrapping
// ErrNotStartedByHost that tells a person what the command is for
// otherwise. `automaldesc plugin` checks it before touching stdout.
func RequireHost() error {
	if os.Getenv(Handshake.MagicCookieKey) == Handshake.MagicCookieValue {
		return nil
	}
	return fmt.Errorf("%w: `automaldesc plugin` speaks the hashicorp/go-plugin protocol on stdout and is started by a host "+
		"program (a scanner or EDR agent; see integrations/plugin-host-example), not by hand", ErrNotStartedByHost)
}

// grpcPlugin is the go-plugin glue on both sides: GRPCServer registers the
// service in the plugin process, GRPCClient builds the stub in the host.
type grpcPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	server pb.AnalyzerServer // plugin side only
}

var _ goplugin.GRPCPlugin = (*grpcPlugin)(nil)

func (p *grpcPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterAnalyzerServer(s, p.server)
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return pb.NewAnalyzerClient(c), nil
}

// pluginSets is the VersionedPlugins map of one side.
func pluginSets(version int, p *grpcPlugin) map[int]goplugin.PluginSet {
	return map[int]goplugin.PluginSet{version: {pluginName: p}}
}

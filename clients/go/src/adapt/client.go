// Package adapt is the Go client of the Adapt speech-adaptation API (adapt.v1 over gRPC).
//
//	c, err := adapt.Dial("localhost:50051", adapt.WithAPIKey(key))
//	defer c.Close()
//	t, err := c.TranscribeFile(ctx, "call.wav", adapt.Recognition{Model: "whisper-tiny.en"})
//
// The generated service clients are fields (c.Datasets, c.Speech, ...) for every call the helpers do not
// cover; errors of the helpers are *Error values carrying the gRPC code.
package adapt

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"

	adaptv1 "adapt/v1"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// Client is one connection to an Adapt server.
type Client struct {
	conn        *grpc.ClientConn
	Datasets    adaptv1.DatasetsClient
	Evaluations adaptv1.EvaluationsClient
	FineTunes   adaptv1.FineTunesClient
	Deployments adaptv1.DeploymentsClient
	Models      adaptv1.ModelsClient
	Speech      adaptv1.SpeechClient
	Server      adaptv1.ServerClient
}

type settings struct {
	apiKey string
	tls    *tls.Config
	extra  []grpc.DialOption
}

// Option configures Dial.
type Option func(*settings) error

// WithAPIKey sends "authorization: Bearer KEY" on every call (servers started with --api-key).
func WithAPIKey(key string) Option {
	return func(s *settings) error { s.apiKey = key; return nil }
}

// WithTLS connects over TLS. rootPEM: CA certificates of the server (nil: the system roots); certPEM and
// keyPEM: a client certificate for servers that require mutual TLS (both nil for none).
func WithTLS(rootPEM, certPEM, keyPEM []byte) Option {
	return func(s *settings) error {
		config := &tls.Config{MinVersion: tls.VersionTLS12}
		if rootPEM != nil {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(rootPEM) {
				return fmt.Errorf("adapt: no certificate in the root PEM")
			}
			config.RootCAs = pool
		}
		if (certPEM == nil) != (keyPEM == nil) {
			return fmt.Errorf("adapt: a client certificate needs its key (and the other way round)")
		}
		if certPEM != nil {
			pair, err := tls.X509KeyPair(certPEM, keyPEM)
			if err != nil {
				return fmt.Errorf("adapt: client certificate: %w", err)
			}
			config.Certificates = []tls.Certificate{pair}
		}
		s.tls = config
		return nil
	}
}

// WithTLSConfig connects over TLS with a config of your own.
func WithTLSConfig(config *tls.Config) Option {
	return func(s *settings) error { s.tls = config; return nil }
}

// WithDialOptions passes further grpc.DialOptions (interceptors, keepalive, ...).
func WithDialOptions(options ...grpc.DialOption) Option {
	return func(s *settings) error { s.extra = append(s.extra, options...); return nil }
}

type bearer struct {
	header string
	secure bool
}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": b.header}, nil
}

func (b bearer) RequireTransportSecurity() bool { return b.secure }

// Dial connects to target ("host:port"); plaintext unless WithTLS/WithTLSConfig is given. The connection is
// made lazily: the first call reports an unreachable server (UNAVAILABLE).
func Dial(target string, options ...Option) (*Client, error) {
	s := &settings{}
	for _, option := range options {
		if err := option(s); err != nil {
			return nil, err
		}
	}
	dial := []grpc.DialOption{grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(64<<20))}
	if s.tls != nil {
		dial = append(dial, grpc.WithTransportCredentials(credentials.NewTLS(s.tls)))
	} else {
		dial = append(dial, grpc.WithInsecure())
	}
	if s.apiKey != "" {
		dial = append(dial, grpc.WithPerRPCCredentials(bearer{header: "Bearer " + s.apiKey, secure: s.tls != nil}))
	}
	conn, err := grpc.Dial(target, append(dial, s.extra...)...)
	if err != nil {
		return nil, err
	}
	return &Client{
		conn:        conn,
		Datasets:    adaptv1.NewDatasetsClient(conn),
		Evaluations: adaptv1.NewEvaluationsClient(conn),
		FineTunes:   adaptv1.NewFineTunesClient(conn),
		Deployments: adaptv1.NewDeploymentsClient(conn),
		Models:      adaptv1.NewModelsClient(conn),
		Speech:      adaptv1.NewSpeechClient(conn),
		Server:      adaptv1.NewServerClient(conn),
	}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Status: the server's version, workers, jobs and loaded models.
func (c *Client) Status(ctx context.Context) (*adaptv1.ServerStatus, error) {
	status, err := c.Server.GetStatus(ctx, &adaptv1.GetStatusRequest{})
	return status, wrap(err)
}

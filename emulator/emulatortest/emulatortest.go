package emulatortest

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/world"
)

// Server is a running emulator with its own temporary data directory.
type Server struct {
	*emulator.Server
	// URL is the endpoint, http://127.0.0.1:PORT.
	URL string
}

// NewServer starts an emulator serving m. Like httptest.NewServer, it
// panics when it cannot start: in a test, that is a failure of the test's
// set-up. Close stops it and removes its data.
func NewServer(m *world.Model) *Server {
	srv, err := Start(context.Background(), m, "world built in Go", nil)
	if err != nil {
		panic("emulatortest: " + err.Error())
	}
	return srv
}

// NewServerFile starts an emulator serving the world file at path (YAML
// or JSON, docs/world.md). It panics when the file does not load.
func NewServerFile(path string) *Server {
	m, err := world.LoadModel(path)
	if err != nil {
		panic("emulatortest: " + err.Error())
	}
	srv, err := Start(context.Background(), m, path, nil)
	if err != nil {
		panic("emulatortest: " + err.Error())
	}
	return srv
}

// Start is NewServer returning its error, with the audit log (one
// CloudTrail record a line) written to audit when it is not nil.
func Start(ctx context.Context, m *world.Model, name string, audit io.Writer) (*Server, error) {
	s, err := emulator.New(ctx, emulator.Options{Addr: "127.0.0.1:0", World: m, WorldFile: name, Audit: audit, NoSync: true})
	if err != nil {
		return nil, err
	}
	if err := s.Start(); err != nil {
		s.Close()
		return nil, err
	}
	return &Server{Server: s, URL: s.Endpoint()}, nil
}

// Config is an AWS SDK configuration that calls the emulator signed as
// principal: a user of the world (its first access key), a role (a fresh
// session of it), or an assumed-role session ARN
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).
func (s *Server) Config(ctx context.Context, principal string) (aws.Config, error) {
	creds, err := s.credentials(principal)
	if err != nil {
		return aws.Config{}, err
	}
	return aws.Config{
		Region:       s.Region(),
		Credentials:  credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
		BaseEndpoint: aws.String(s.URL),
	}, nil
}

// S3Options are the S3 client options the emulator needs: path-style
// addressing on 127.0.0.1. Pass it to s3.NewFromConfig.
func (s *Server) S3Options(o *s3.Options) { o.UsePathStyle = true }

func (s *Server) credentials(principal string) (aws.Credentials, error) {
	w := s.World()
	if u := w.User(principal); u != nil {
		c := w.CredentialsOf(u)
		if c == nil {
			return aws.Credentials{}, fmt.Errorf("user %s has no access key in the world (add access_keys)", principal)
		}
		return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.Secret}, nil
	}
	role, session := principal, "emulatortest"
	if rest, ok := strings.CutPrefix(principal, "arn:aws:sts::"); ok {
		account, res, _ := strings.Cut(rest, ":")
		parts := strings.Split(res, "/")
		if len(parts) != 3 || parts[0] != "assumed-role" {
			return aws.Credentials{}, fmt.Errorf("%s: want arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION", principal)
		}
		role, session = "arn:aws:iam::"+account+":role/"+parts[1], parts[2]
	}
	k, secret, token, err := s.SessionCredentials(role, session, time.Hour)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("%s is no user or role of the world: %w", principal, err)
	}
	return aws.Credentials{AccessKeyID: k, SecretAccessKey: secret, SessionToken: token}, nil
}

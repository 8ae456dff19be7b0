package emulator

import (
	"fmt"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/world"
)

// Credentials are what a client signs with: an access key, with a session
// token for a role session.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	// Expires is when a session's credentials expire; zero for a user's.
	Expires time.Time
}

// CredentialsFor returns credentials that sign as principal, a user,
// role or assumed-role ARN of the world: the user's access key, which the
// emulator creates (as CreateAccessKey would) when the user has none, as
// for a world imported from a real account, whose dumps hold no secret;
// for a role, a session issued without an sts:AssumeRole call, as an
// instance profile hands one out (a role ARN names the session
// "lockstep"), valid for ttl.
func (s *Server) CredentialsFor(principal string, ttl time.Duration) (Credentials, error) {
	w := s.state.world()
	if u := w.User(principal); u != nil {
		if c := w.CredentialsOf(u); c != nil {
			return Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.Secret}, nil
		}
		key := world.AccessKeyModel{ID: newAccessKeyID(), Secret: newSecretKey()}
		err := s.state.change(func(m *world.Model) error {
			um, _ := m.FindPrincipal(principal)
			if um == nil {
				return fmt.Errorf("no user %s in the world", principal)
			}
			um.AccessKeys = append(um.AccessKeys, key)
			return nil
		})
		if err != nil {
			return Credentials{}, err
		}
		return Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}, nil
	}
	// A role or assumed-role ARN is read as everywhere else (world.Principal).
	p, err := w.Principal(principal)
	switch {
	case err != nil:
		return Credentials{}, fmt.Errorf("%s is neither a user nor a role of the world: %w", principal, err)
	case p.Kind != authz.AssumedRole:
		return Credentials{}, fmt.Errorf("%s is neither a user nor a role of the world", principal)
	}
	roleARN, session := p.RoleARN, p.ARN[strings.LastIndex(p.ARN, "/")+1:]
	now := s.now()
	ss := s.state.addSession(roleARN, session, nil, ttl, now)
	return Credentials{AccessKeyID: ss.AccessKeyID, SecretAccessKey: ss.Secret, SessionToken: ss.Token, Expires: now.Add(ttl)}, nil
}

package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/world"
)

// state is the emulator's account model: the world Model, which IAM, KMS
// and bucket-configuration calls change, and its compiled World, which
// every request reads. A change copies nothing it does not need: it edits
// the Model under mu and recompiles; readers load the compiled World
// through an atomic pointer and never wait.
type state struct {
	mu    sync.Mutex // serializes changes to model
	model *world.Model
	file  string // for messages: the world file, or "built-in demo world"
	cur   atomic.Pointer[world.World]

	// onChange, when set, is called under mu after each successful change
	// (the server persists the model).
	onChange func(*world.Model)

	sessMu   sync.RWMutex
	sessions map[string]*session // by access key ID
}

// session is a set of temporary credentials from sts:AssumeRole.
type session struct {
	AccessKeyID, Secret, Token string
	RoleARN, Name              string
	Policies                   []*policy.Policy
	// Issued is when the credentials were issued (aws:TokenIssueTime).
	Issued, Expires time.Time
}

func newState(m *world.Model, file string) (*state, error) {
	w, err := world.Compile(m, file)
	if err != nil {
		return nil, err
	}
	s := &state{model: m, file: file, sessions: map[string]*session{}}
	s.cur.Store(w)
	return s, nil
}

// world returns the current compiled world.
func (s *state) world() *world.World { return s.cur.Load() }

// change applies fn to the model and recompiles. When fn or the
// compilation fails, the model is restored and nothing changes.
func (s *state) change(fn func(m *world.Model) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.model.Clone()
	if err := fn(next); err != nil {
		return err
	}
	w, err := world.Compile(next, s.file)
	if err != nil {
		return err
	}
	s.model = next
	s.cur.Store(w)
	if s.onChange != nil {
		s.onChange(s.model)
	}
	return nil
}

// snapshot returns a deep copy of the model.
func (s *state) snapshot() *world.Model {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.model.Clone()
}

// credentials resolves an access key ID to its secret and session token:
// a user's long-term key from the world, or a session's temporary key.
func (s *state) credentials(id string) (secret, token string, ok bool) {
	if c := s.world().Credential(id); c != nil {
		return c.Secret, "", true
	}
	s.sessMu.RLock()
	ss := s.sessions[id]
	s.sessMu.RUnlock()
	if ss == nil {
		return "", "", false
	}
	return ss.Secret, ss.Token, true
}

// errExpiredSession is returned by principal for an expired session.
var errExpiredSession = fmt.Errorf("the security token included in the request is expired")

// principal returns the caller that owns an access key ID.
func (s *state) principal(id string, now time.Time) (*authz.Principal, error) {
	w := s.world()
	if c := w.Credential(id); c != nil {
		return w.UserPrincipal(c.User), nil
	}
	s.sessMu.RLock()
	ss := s.sessions[id]
	s.sessMu.RUnlock()
	if ss == nil {
		return nil, fmt.Errorf("access key %s is unknown", id)
	}
	if now.After(ss.Expires) {
		return nil, errExpiredSession
	}
	r := w.Role(ss.RoleARN)
	if r == nil {
		return nil, fmt.Errorf("the role %s of session %s no longer exists", ss.RoleARN, ss.Name)
	}
	p := w.SessionPrincipal(r, ss.Name, ss.Policies...)
	p.IssuedAt = ss.Issued
	return p, nil
}

// addSession records new temporary credentials for a role session.
func (s *state) addSession(roleARN, name string, policies []*policy.Policy, ttl time.Duration, now time.Time) *session {
	ss := &session{
		AccessKeyID: "ASIA" + strings.ToUpper(randomHex(8)),
		Secret:      randomHex(20),
		Token:       "lockstep-session-" + randomHex(32),
		RoleARN:     roleARN,
		Name:        name,
		Policies:    policies,
		Issued:      now.UTC().Truncate(time.Second),
		Expires:     now.Add(ttl).UTC().Truncate(time.Second),
	}
	s.sessMu.Lock()
	s.sessions[ss.AccessKeyID] = ss
	s.sessMu.Unlock()
	return ss
}

// removeSession forgets a session: its keys are unknown afterwards. The
// emulator removes only the sessions it made for itself as a service
// (docs/decisions.md #58); a client's expired session stays, so that it
// is answered ExpiredToken.
func (s *state) removeSession(accessKeyID string) {
	s.sessMu.Lock()
	delete(s.sessions, accessKeyID)
	s.sessMu.Unlock()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error()) // never fails on Linux
	}
	return hex.EncodeToString(b)
}

// replace swaps in a new model.
func (s *state) replace(m *world.Model, file string) error {
	w, err := world.Compile(m, file)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.model, s.file = m.Clone(), file
	s.cur.Store(w)
	if s.onChange != nil {
		s.onChange(s.model)
	}
	return nil
}

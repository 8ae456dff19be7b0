package emulator

import (
	"time"

	"github.com/lockstep-dev/lockstep/authz"
)

// The replication role's sessions (docs/decisions.md #58): the worker assumes the
// configuration's role once for a source bucket and replicates every
// version of that bucket as that session until it nears its expiry; the
// AssumeRole is audited once per session, not once per version. A
// session past its renewal time is replaced, and the sessions of every
// (role, bucket) that have expired are removed from the server's
// sessions, so that a long run does not keep every session it ever made.

// replicationSessionRenewal is how long before its expiry a cached
// session is replaced by a new one, so that a version is never
// replicated with credentials that expire during its steps.
const replicationSessionRenewal = 15 * time.Minute

// replicationSessionKey names the session of a role acting for a source
// bucket (aws:SourceArn of its AssumeRole).
type replicationSessionKey struct{ role, bucket string }

// replicationPrincipal returns the role's session for the source bucket
// as a principal: the cached session while it is valid for longer than
// replicationSessionRenewal, else a new one, assumed (and audited) as
// s3.amazonaws.com. An AssumeRole that is denied is not cached: the next
// version tries again, as S3 would after the trust policy is fixed.
func (s *Server) replicationPrincipal(role, bucket string) (*authz.Principal, error) {
	r := s.repl
	k := replicationSessionKey{role: role, bucket: bucket}
	now := s.now()
	r.mu.Lock()
	ss := r.sessions[k]
	r.mu.Unlock()
	if ss == nil || !now.Before(ss.expires.Add(-replicationSessionRenewal)) {
		s.pruneReplicationSessions(now, k)
		var err error
		// The session name's suffix is random, as the session's keys are:
		// each session of the log has a name of its own.
		if ss, err = s.assumeRoleForSource(role, replicationService, "s3-replication-"+randomHex(4), bucket); err != nil {
			return nil, err
		}
		r.mu.Lock()
		r.sessions[k] = ss
		r.mu.Unlock()
	}
	p, err := s.state.principal(ss.creds.AccessKeyID, now)
	if err != nil {
		// The role was deleted since: the session is of no more use.
		s.dropReplicationSession(k)
		return nil, err
	}
	return p, nil
}

// pruneReplicationSessions removes from the cache and from the server's
// sessions the session of k (being replaced) and every session that has
// expired.
func (s *Server) pruneReplicationSessions(now time.Time, k replicationSessionKey) {
	r := s.repl
	r.mu.Lock()
	var gone []string
	for key, ss := range r.sessions {
		if key == k || !now.Before(ss.expires) {
			gone = append(gone, ss.creds.AccessKeyID)
			delete(r.sessions, key)
		}
	}
	r.mu.Unlock()
	for _, id := range gone {
		s.state.removeSession(id)
	}
}

// dropReplicationSession removes the session of k.
func (s *Server) dropReplicationSession(k replicationSessionKey) {
	r := s.repl
	r.mu.Lock()
	ss := r.sessions[k]
	delete(r.sessions, k)
	r.mu.Unlock()
	if ss != nil {
		s.state.removeSession(ss.creds.AccessKeyID)
	}
}

// replicationSessionCount is the number of role sessions the
// replication worker holds, in its cache and in the server's sessions.
func (s *Server) replicationSessionCount() (cached, held int) {
	s.repl.mu.Lock()
	ids := make([]string, 0, len(s.repl.sessions))
	for _, ss := range s.repl.sessions {
		ids = append(ids, ss.creds.AccessKeyID)
	}
	s.repl.mu.Unlock()
	s.state.sessMu.RLock()
	defer s.state.sessMu.RUnlock()
	for _, id := range ids {
		if s.state.sessions[id] != nil {
			held++
		}
	}
	return len(ids), held
}

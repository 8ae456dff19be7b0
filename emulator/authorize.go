package emulator

import (
	"net/http"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

// The one authorization path of the emulator (docs/emulator.md
// "Authorization"): the router names the call's catalogue row (routeS3,
// or the operation name of a KMS, IAM or STS request), and a handler,
// once it has read what the decision depends on (the object's owner, tags
// and encryption, the copy source, the key or role the call names), asks
// authorize or authorizeAPI. Both decide every check of the row through
// enforce.Authorize, record the checks for the audit log and answer the
// first denial in the service's words (accessDenied). No handler decides
// on its own.

// Encryption states of the object a call reads or writes, stated by every
// S3 authorization (docs/authorization.md §3.1: the KMS calls S3 makes
// depend on how the object is encrypted, not on its bucket's default).
var (
	// noObjectData is the state of a call that reads and writes no
	// object data (a bucket operation, a key that does not exist, a
	// delete): S3 makes no KMS call.
	noObjectData = enforce.Encryption{State: enforce.NotEncrypted}
)

// storedEncryption is the encryption state of a stored object or upload:
// its own SSE-KMS key, or not encrypted under SSE-KMS.
func storedEncryption(sse store.SSE) enforce.Encryption {
	if len(sse.WrappedKey) == 0 {
		return enforce.Encryption{State: enforce.NotEncrypted}
	}
	return enforce.NamedKeyEncryption(sse.KMSKeyID)
}

// writtenEncryption is the encryption state of an object being written,
// as chooseEncryption resolved it from the request's headers and the
// bucket's default.
func writtenEncryption(we writeEncryption) enforce.Encryption {
	if we.key == nil {
		return enforce.Encryption{State: enforce.NotEncrypted}
	}
	return enforce.NamedKeyEncryption(we.key.ARN)
}

// authorize decides every check the catalogue row of an S3 call lists,
// for an object in the encryption state enc, and returns AccessDenied
// with S3's message for the first denial. ec names what differs from the
// call (another operation, as DeleteObjects's per-key DeleteObject; the
// copy source and its encryption; request features and condition keys).
// objs are the existing objects the call reads or whose ACL or tags it
// touches: the checks on one owned by another account than its bucket's
// owner follow the object context of docs/authorization.md §2.5
// (applyObjectContext).
func (s *Server) authorize(c *call, enc enforce.Encryption, ec enforce.Call, objs ...ownedObject) error {
	if ec.Operation == "" {
		ec.Operation = c.operation
	}
	if ec.Bucket == "" {
		ec.Bucket = c.bucket
	}
	if ec.Key == "" {
		ec.Key = c.key
	}
	ec.Encryption = enc
	keys := s.conditionKeys(c, ec.Operation)
	for k, v := range ec.Keys {
		keys[k] = v
	}
	ec.Keys = keys
	return s.decide(c, ec, objs)
}

// authorizeAPI decides the catalogue checks of a KMS, IAM or STS call on
// the resource ec names, and returns the first denial in the service's
// words (accessDenied).
func (s *Server) authorizeAPI(c *call, ec enforce.Call) error {
	ec.Operation = c.operation
	ec.Service = c.service
	return s.decide(c, ec, nil)
}

// decide is the step authorize and authorizeAPI share: enforce decides the
// row's checks, the object context applies to objects another account
// owns, and the checks are kept for the audit log and OnChecks.
func (s *Server) decide(c *call, ec enforce.Call, objs []ownedObject) error {
	ec.Env = c.env
	res, err := enforce.Authorize(s.state.world(), c.principal, ec)
	if err != nil {
		return errInternal(err)
	}
	applyObjectContext(res.Checks, objs)
	c.checks = append(c.checks, res.Checks...)
	c.authorized = true
	if d := res.Denied(); d != nil {
		return accessDenied(c, d)
	}
	return nil
}

// accessDenied is the error a denied check answers, in the words of the
// service called: S3's AccessDenied (HTTP 403) with S3's message, which
// also relays a denied KMS call S3 made (enforce.Check.S3Message); KMS's
// AccessDeniedException (HTTP 400, docs/authorization.md §3.6 "Direct KMS
// call"); IAM's AccessDenied (HTTP 403) with the decision's message; STS's
// AccessDenied, which names no policy type (errAssumeRoleDenied).
func accessDenied(c *call, d *enforce.Check) *apiError {
	switch c.service {
	case "kms", "organizations":
		return errorf(http.StatusBadRequest, "AccessDeniedException", "%s", d.Decision.Message())
	case "iam":
		return errorf(http.StatusForbidden, "AccessDenied", "%s", d.Decision.Message())
	case "sts":
		return errAssumeRoleDenied(c.principal, d.Resource)
	}
	return errorf(http.StatusForbidden, "AccessDenied", "%s", d.S3Message())
}

// missingObject answers for an authorized request on an object that does
// not exist: 404 NoSuchKey when the caller may also s3:ListBucket the
// bucket, else 403 AccessDenied (docs/authorization.md §2.4).
func (s *Server) missingObject(c *call, b *world.Bucket) error {
	return s.missingObjectAt(c, b, c.key, s3ops.Object)
}

// missingObjectAt is missingObject for the object key of bucket b that
// the call's checks on target (the object, or a copy's source) named. The
// s3:ListBucket decision is one of the call's checks: a 403 for a missing
// key then says why in the audit log as any denial does.
func (s *Server) missingObjectAt(c *call, b *world.Bucket, key string, target s3ops.Target) error {
	var req *authz.Request
	for _, ch := range c.checks {
		if ch.Request != nil && ch.KMS == nil && ch.Target == target {
			req = ch.Request
			break
		}
	}
	if req == nil {
		return errNoSuchKey(key)
	}
	bucketRes, err := s.state.world().Resource(b.ARN, authz.MissingObjectAction, c.principal)
	if err != nil {
		return errInternal(err)
	}
	notFound, list, listReq := authz.MissingObject(req, bucketRes)
	c.checks = append(c.checks, enforce.Check{Action: authz.MissingObjectAction, Resource: b.ARN, Target: s3ops.Bucket, Decision: list, Request: listReq})
	if notFound {
		return errNoSuchKey(key)
	}
	return errorf(http.StatusForbidden, "AccessDenied", "%s", list.S3Message())
}

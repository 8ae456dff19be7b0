package enforce

import (
	"fmt"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/replication"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/world"
)

// ReplicationCall is one step of S3 Replication for one object version,
// made by S3 as the replication role's session (docs/authorization.md
// §2.7).
type ReplicationCall struct {
	Step replication.Step
	// Bucket and Key are the object on the step's side: the source object
	// for source steps, the replica for destination steps.
	Bucket, Key string
	// KMSKey is the key ARN of a KMS step; BucketKey whether the side's
	// bucket uses an S3 Bucket Key with it (the encryption context is then
	// the bucket's ARN).
	KMSKey    string
	BucketKey bool
	// Env is the session's request environment; the region and
	// kms:ViaService of KMS steps are set from the side's bucket.
	Env authz.Env
}

// AuthorizeReplication decides one replication step with the same
// engine as every request: the role session's policies, the bucket or
// key policy of the resource's owner, and for KMS steps the conditions of
// a call S3 makes (kms:ViaService s3.REGION.amazonaws.com and the
// encryption context aws:s3:arn, docs/authorization.md §3.2, §3.5). The
// planner's replication policies and the replication engine use it.
func AuthorizeReplication(w *world.World, p *authz.Principal, c ReplicationCall) (*Check, error) {
	b := w.Bucket(c.Bucket)
	if b == nil {
		return nil, fmt.Errorf("%s: bucket %q is not in the world", c.Step.Action, c.Bucket)
	}
	var resource string
	var keys map[string][]string
	env := c.Env
	env.Region = b.Region
	ch := Check{Action: c.Step.Action, Target: c.Step.On}
	switch c.Step.On {
	case s3ops.Bucket:
		resource = b.ARN
	case s3ops.Object:
		if c.Key == "" {
			return nil, fmt.Errorf("%s: the step names no object key", c.Step.Action)
		}
		resource = b.ARN + "/" + c.Key
	case s3ops.KMSKey:
		if c.KMSKey == "" {
			return nil, fmt.Errorf("%s: the step names no KMS key", c.Step.Action)
		}
		resource = c.KMSKey
		env.ViaService = s3ops.ViaService(b.Region)
		keys = s3ops.KMSContextKeys(c.Bucket, c.Key, c.BucketKey)
		ch.KMS = &s3ops.KMSCall{Action: c.Step.Action, Source: c.Step.Source}
		if c.Step.Side == replication.OnSource {
			ch.KMS.Key = s3ops.SourceKey
		}
	default:
		return nil, fmt.Errorf("%s: target %s is not a replication resource", c.Step.Action, c.Step.On)
	}
	req, err := w.Request(p, c.Step.Action, resource, env, keys)
	if err != nil {
		return nil, err
	}
	ch.Resource, ch.Request, ch.Decision = resource, req, authz.Decide(req)
	return &ch, nil
}

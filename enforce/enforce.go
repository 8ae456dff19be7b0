package enforce

import (
	"fmt"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/world"
)

// Call is one API request to authorize.
type Call struct {
	// Operation is the API operation name, e.g. "GetObject".
	Operation string
	// Bucket and Key name the target; Key is empty for bucket operations.
	Bucket, Key string
	// SourceBucket and SourceKey name the copy source of CopyObject and
	// UploadPartCopy.
	SourceBucket, SourceKey string
	// Features are the optional request parts (versionId, ACL headers...).
	// Features.KMS and SourceKMS are filled from the buckets' default
	// encryption when KMSKey and SourceKMSKey are empty.
	Features s3ops.Features
	// KMSKey is the key ARN that encrypts the object (written or read);
	// empty: the bucket's default SSE-KMS key, if any.
	KMSKey string
	// SourceKMSKey is the key of the copy source object; empty: the
	// source bucket's default key.
	SourceKMSKey string
	// Resource is the target of a KMS, STS or IAM operation: the key ARN
	// of a KMS operation on a key (KMSKey permissions), the role ARN
	// (IAMRole) or the user ARN (IAMUser).
	Resource string
	// Alias is the alias ARN that kms:CreateAlias is checked on
	// (KMSAlias permissions).
	Alias string
	// Keys are operation condition keys from the request (s3:prefix,
	// s3:x-amz-acl, kms:EncryptionContext:..., sts:RoleSessionName, ...);
	// they are set on the operation's own checks, not on the KMS calls S3
	// makes.
	Keys map[string][]string
	// Env is how the request arrived.
	Env authz.Env
}

// Check is one authorization made for a call.
type Check struct {
	Action   string
	Resource string
	// Target says which resource of the call the check is on.
	Target s3ops.Target
	// KMS is non-nil for a KMS call S3 makes on the caller's behalf.
	KMS      *s3ops.KMSCall
	Decision authz.Decision
	// Request is the authz request that was decided, for explanations.
	Request *authz.Request
	// ObjectOwner is set when the check is on an existing object owned by
	// another account than the bucket owner: Decision then applies the
	// object context of docs/authorization.md §2.5 (object ACL, no bucket-policy Allow),
	// and a denial that is not an explicit Deny says only "Access Denied"
	// (docs/decisions.md, "Objects owned by another account").
	ObjectOwner string
}

// Result is the outcome of authorizing a call.
type Result struct {
	Operation *s3ops.Operation
	Checks    []Check
}

// Denied returns the first denied check, or nil when every check allowed.
func (r *Result) Denied() *Check {
	for i := range r.Checks {
		if !r.Checks[i].Decision.Allowed() {
			return &r.Checks[i]
		}
	}
	return nil
}

// Allowed reports whether every check allowed.
func (r *Result) Allowed() bool { return r.Denied() == nil }

// Authorize decides every check of a call. The error is for calls that
// name unknown operations, buckets or keys.
func Authorize(w *world.World, p *authz.Principal, c Call) (*Result, error) {
	op, ok := s3ops.Find(c.Operation)
	if !ok {
		return nil, fmt.Errorf("unknown operation %q", c.Operation)
	}
	res := &Result{Operation: op}
	f := c.Features
	var dstKey, srcKey *world.Key
	newBucket := false
	if op.Service == "s3" && !anyResourceOnly(op) {
		b := w.Bucket(c.Bucket)
		if op.Name == "CreateBucket" && (b == nil || b.Account.ID != p.Account) {
			// A bucket that does not exist yet has no policy and no
			// default encryption; another account's bucket of that name
			// does not govern the caller's CreateBucket either
			// (docs/decisions.md "CreateBucket of a taken name").
			b = &world.Bucket{Name: c.Bucket}
			newBucket = true
		}
		if b == nil {
			return nil, fmt.Errorf("%s: bucket %q is not in the world", op.Name, c.Bucket)
		}
		var err error
		if dstKey, err = resolveKey(w, c.KMSKey, b); err != nil {
			return nil, err
		}
		if c.SourceBucket != "" {
			sb := w.Bucket(c.SourceBucket)
			if sb == nil {
				return nil, fmt.Errorf("%s: copy source bucket %q is not in the world", op.Name, c.SourceBucket)
			}
			if srcKey, err = resolveKey(w, c.SourceKMSKey, sb); err != nil {
				return nil, err
			}
		}
		f.KMS = f.KMS || dstKey != nil
		f.SourceKMS = f.SourceKMS || srcKey != nil
	}
	for _, perm := range op.Required(f) {
		arn, err := targetARN(perm.On, c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op.Name, err)
		}
		var req *authz.Request
		if newBucket {
			req = w.NewBucketRequest(p, perm.Action, arn, c.Env, c.Keys)
		} else if req, err = w.Request(p, perm.Action, arn, c.Env, c.Keys); err != nil {
			return nil, err
		}
		if op.Service == "s3" {
			if op.Name == "CopyObject" || op.Name == "UploadPartCopy" {
				req.Context.Set("s3:x-amz-copy-source", c.SourceBucket+"/"+c.SourceKey)
			}
		}
		res.Checks = append(res.Checks, Check{Action: perm.Action, Resource: arn, Target: perm.On, Decision: authz.Decide(req), Request: req})
	}
	for _, kc := range op.RequiredKMS(f) {
		kc := kc
		key, bucket, objKey := dstKey, c.Bucket, c.Key
		if kc.Key == s3ops.SourceKey {
			key, bucket, objKey = srcKey, c.SourceBucket, c.SourceKey
		}
		if key == nil {
			continue
		}
		b := w.Bucket(bucket)
		// S3 calls KMS on the caller's behalf, in the bucket's region
		// (a forward access session: aws:ViaAWSService true,
		// kms:ViaService s3.REGION.amazonaws.com).
		env := c.Env
		env.Region = w.Region
		if b != nil {
			env.Region = b.Region
		}
		env.ViaService = s3ops.ViaService(env.Region)
		keys := s3ops.KMSContextKeys(bucket, objKey, b != nil && b.BucketKey && key == b.KMSKey)
		req, err := w.Request(p, kc.Action, key.ARN, env, keys)
		if err != nil {
			return nil, err
		}
		res.Checks = append(res.Checks, Check{Action: kc.Action, Resource: key.ARN, Target: s3ops.KMSKey, KMS: &kc, Decision: authz.Decide(req), Request: req})
	}
	return res, nil
}

func resolveKey(w *world.World, arn string, b *world.Bucket) (*world.Key, error) {
	if arn == "" {
		return b.KMSKey, nil
	}
	k := w.Key(arn)
	if k == nil {
		return nil, fmt.Errorf("KMS key %q is not in the world", arn)
	}
	return k, nil
}

func targetARN(t s3ops.Target, c Call) (string, error) {
	switch t {
	case s3ops.Bucket:
		return "arn:aws:s3:::" + c.Bucket, nil
	case s3ops.Object:
		if c.Key == "" {
			return "", fmt.Errorf("the call names no object key")
		}
		return "arn:aws:s3:::" + c.Bucket + "/" + c.Key, nil
	case s3ops.SourceObject:
		if c.SourceBucket == "" || c.SourceKey == "" {
			return "", fmt.Errorf("the call names no copy source")
		}
		return "arn:aws:s3:::" + c.SourceBucket + "/" + c.SourceKey, nil
	case s3ops.AnyResource:
		return "*", nil
	case s3ops.KMSKey, s3ops.IAMRole, s3ops.IAMUser:
		if c.Resource == "" {
			return "", fmt.Errorf("the call names no %s (Call.Resource)", t)
		}
		return c.Resource, nil
	case s3ops.KMSAlias:
		if c.Alias == "" {
			return "", fmt.Errorf("the call names no KMS alias (Call.Alias)")
		}
		return c.Alias, nil
	}
	return "", fmt.Errorf("target %s is not a resource of the call", t)
}

// ClientError is the error line the AWS CLI prints when the call is denied:
// `An error occurred (AccessDenied) when calling the GetObject operation:
// Access Denied`.
func (r *Result) ClientError() string {
	d := r.Denied()
	if d == nil {
		return ""
	}
	return "An error occurred (AccessDenied) when calling the " + r.Operation.Name + " operation: " + d.S3Message()
}

// S3Message is the <Message> of the AccessDenied error S3 returns for the
// check. S3 sends the detailed message only within one account (spec
// §4.2); a denied KMS call S3 made for the caller surfaces as an S3
// AccessDenied with the KMS wording (docs/authorization.md §3.6).
func (c *Check) S3Message() string {
	if c.ObjectOwner != "" && !c.Decision.Allowed() && c.Decision.Effect != authz.ExplicitDeny {
		return "Access Denied"
	}
	if c.KMS == nil {
		return c.Decision.S3Message()
	}
	switch {
	case c.Decision.CrossAccount:
		return "Access Denied"
	case c.Decision.Type == authz.TypeResource:
		// The form S3 relays for a key policy denial (docs/authorization.md §3.6).
		return "User: " + c.Decision.Principal + " is not authorized to perform: " + c.Action +
			" on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access"
	}
	return c.Decision.Message()
}

// anyResourceOnly reports whether every permission of op is on "*", as
// s3:ListAllMyBuckets of ListBuckets (docs/authorization.md §2.2): no bucket is involved.
func anyResourceOnly(op *s3ops.Operation) bool {
	for _, p := range op.Permissions {
		if p.On != s3ops.AnyResource {
			return false
		}
	}
	return true
}

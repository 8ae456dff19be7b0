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
	// Service is the operation's service, for names two services share
	// (iam and organizations ListPolicies); empty: the first service
	// with an operation of that name, S3 first (s3ops.Find).
	Service string
	// Bucket and Key name the target; Key is empty for bucket operations.
	Bucket, Key string
	// SourceBucket and SourceKey name the copy source of CopyObject and
	// UploadPartCopy.
	SourceBucket, SourceKey string
	// Features are the optional request parts (versionId, ACL headers...).
	// Features.KMS and SourceKMS are set from Encryption and
	// SourceEncryption.
	Features s3ops.Features
	// Encryption is the encryption state of the object the call writes
	// or reads: the zero value is the bucket's default encryption.
	Encryption Encryption
	// SourceEncryption is the encryption state of the copy source object
	// of CopyObject and UploadPartCopy; the zero value is the source
	// bucket's default encryption.
	SourceEncryption Encryption
	// Resource is the target of a KMS, STS or IAM operation: the key ARN
	// of a KMS operation on a key (KMSKey permissions), the role ARN
	// (IAMRole), the user ARN (IAMUser) or a managed policy's ARN
	// (IAMPolicy).
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

// EncryptionState says how an object is encrypted, which decides the KMS
// calls S3 makes for a call on it (docs/authorization.md §3.1).
type EncryptionState uint8

const (
	// BucketDefault: the object is, or will be, encrypted as its bucket's
	// default encryption says: SSE-KMS with the bucket's key when it has
	// one, else not under SSE-KMS. Callers that plan calls (plan, check,
	// explain) know no more than this.
	BucketDefault EncryptionState = iota
	// NotEncrypted: the object is not under SSE-KMS (SSE-S3, or no
	// object), whatever its bucket's default: S3 makes no KMS call.
	NotEncrypted
	// NamedKey: the object is under SSE-KMS with Encryption.Key.
	NamedKey
)

var encryptionStateNames = [...]string{"bucket default", "not encrypted", "named key"}

func (s EncryptionState) String() string { return encryptionStateNames[s] }

// Encryption is the encryption state of one object of a call.
type Encryption struct {
	State EncryptionState
	// Key is the KMS key ARN when State is NamedKey.
	Key string
}

// NamedKeyEncryption is the state of an object under SSE-KMS with the
// key keyARN; an empty ARN is the bucket default.
func NamedKeyEncryption(keyARN string) Encryption {
	if keyARN == "" {
		return Encryption{}
	}
	return Encryption{State: NamedKey, Key: keyARN}
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
	if c.Service != "" {
		op, ok = s3ops.Lookup(c.Service, c.Operation)
	}
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
		if dstKey, err = resolveKey(w, c.Encryption, b); err != nil {
			return nil, err
		}
		f.KMS = encrypted(c.Encryption, f.KMS, dstKey)
		if c.SourceBucket != "" {
			sb := w.Bucket(c.SourceBucket)
			if sb == nil {
				return nil, fmt.Errorf("%s: copy source bucket %q is not in the world", op.Name, c.SourceBucket)
			}
			if srcKey, err = resolveKey(w, c.SourceEncryption, sb); err != nil {
				return nil, err
			}
		}
		f.SourceKMS = encrypted(c.SourceEncryption, f.SourceKMS, srcKey)
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
		setFixedKeys(req, op)
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

// setFixedKeys sets the condition keys whose value the operation itself
// fixes, whatever the request sends: s3:ObjectCreationOperation is true
// for the operations that create an object and false for the steps of a
// multipart upload (docs/authorization.md §2.3 "Conditional writes").
func setFixedKeys(req *authz.Request, op *s3ops.Operation) {
	for _, k := range op.Keys {
		if v, ok := k.FixedValue(); ok {
			req.Context.Set(k.Key, v)
		}
	}
}

// resolveKey returns the KMS key of an object in bucket b with the
// encryption e, nil when it is not under SSE-KMS.
func resolveKey(w *world.World, e Encryption, b *world.Bucket) (*world.Key, error) {
	switch e.State {
	case NotEncrypted:
		return nil, nil
	case NamedKey:
		k := w.Key(e.Key)
		if k == nil {
			return nil, fmt.Errorf("KMS key %q is not in the world", e.Key)
		}
		return k, nil
	}
	return b.KMSKey, nil
}

// encrypted is the Features.KMS (or SourceKMS) of an object with the
// encryption e and the resolved key: a stated state decides; the bucket
// default keeps a caller's own Features flag.
func encrypted(e Encryption, flag bool, key *world.Key) bool {
	switch e.State {
	case NotEncrypted:
		return false
	case NamedKey:
		return true
	}
	return flag || key != nil
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
	case s3ops.KMSKey, s3ops.IAMRole, s3ops.IAMUser, s3ops.IAMPolicy, s3ops.BatchJob:
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

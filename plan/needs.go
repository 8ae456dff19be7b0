package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// addNeeds derives the permissions of one call from the operation
// catalogue (one source of truth with the engine and the emulator).
func (p *Plan) addNeeds(i int, mc ModelCall) {
	c := p.Calls[i]
	op, _ := s3ops.Lookup("s3", c.Operation)
	f := s3ops.Features{}
	acl, grants := p.Command.Flags["acl"], p.Command.Has("grants")
	if len(mc.ACLFrom) > 0 {
		acl, grants = "", false
		for _, name := range mc.ACLFrom {
			if v := p.Command.Flags[name]; v != "" {
				acl = v
				break
			}
		}
	}
	// x-amz-acl: private asks for what every object and bucket gets
	// anyway: it needs no ACL permission (docs/authorization.md §2.2).
	f.ACL = (acl != "" && acl != "private") || grants
	f.NonPrivateACL = f.ACL
	f.Tagging = len(mc.TaggingIf) > 0 && flagsHold(mc.TaggingIf, p.Command)
	f.ChecksumMode, f.Checksum = mc.ChecksumMode, mc.Checksum
	// A CopyObject takes over its source's tags unless the client
	// replaces them; lockstep cannot know whether the sources have tags
	// and plans as if they had (docs/decisions.md #56).
	f.SourceTags = c.Operation == "CopyObject" && !(len(mc.TagsReplacedIf) > 0 && flagsHold(mc.TagsReplacedIf, p.Command))
	p.Calls[i].Features.SourceTags = f.SourceTags
	p.Calls[i].Features.ACL, p.Calls[i].Features.Tagging = f.ACL, f.Tagging
	p.Calls[i].Features.ChecksumMode, p.Calls[i].Features.Checksum = f.ChecksumMode, f.Checksum
	dstKey := p.Context.BucketKMSKey[c.Bucket]
	if c.Side == "destination" {
		dstKey = p.writeKMSKey(c.Bucket)
	}
	// A read of an object (GetObject, the copy source) decrypts with the
	// key the object was written with: the bucket default, also when the
	// command re-encrypts it in place with another key.
	srcKey := p.Context.BucketKMSKey[c.SourceBucket]
	f.KMS = dstKey != ""
	f.SourceKMS = srcKey != ""
	var listed map[string]map[string][]string
	if c.Operation == "ListObjectsV2" && c.Prefix != nil && *c.Prefix != "" {
		listed = map[string]map[string][]string{"StringLike": {"s3:prefix": {*c.Prefix + "*"}}}
	}
	for _, perm := range op.Required(f) {
		p.need(i, p.permissionNeed(perm, c, listed))
	}
	if mc.Missing {
		p.need(i, Need{Action: authz.MissingObjectAction, Resource: "arn:aws:s3:::" + c.Bucket, Account: p.ownerFor(c.Bucket, c.Signer),
			Why: "HeadObject of a missing key answers 404 only with s3:ListBucket (docs/authorization.md §2.4)"})
	}
	p.kmsNeeds(i, op, f, dstKey, srcKey)
}

// kmsNeeds adds the KMS calls S3 makes for call i (op with features f,
// the object written or read under dstKey, the copy source under
// srcKey), each scoped to S3 and the object by kms:ViaService and the
// encryption context.
func (p *Plan) kmsNeeds(i int, op *s3ops.Operation, f s3ops.Features, dstKey, srcKey string) {
	c := p.Calls[i]
	for _, kc := range op.RequiredKMS(f) {
		bucket, pattern, key := c.Bucket, c.Key, dstKey
		if kc.Key == s3ops.SourceKey {
			bucket, pattern, key = c.SourceBucket, c.SourceKey, srcKey
		}
		if isS3ManagedKey(key, p.Context.Region) {
			// The policy of aws/s3 lets its own account's principals use
			// it through S3 by itself (Principal "*", kms:CallerAccount,
			// kms:ViaService: docs/authorization.md §3.3): no IAM permission to plan.
			continue
		}
		ctxARN := "arn:aws:s3:::" + bucket + "/" + pattern
		if p.Context.BucketKeyEnabled[bucket] {
			ctxARN = "arn:aws:s3:::" + bucket
		}
		p.need(i, Need{Action: kc.Action, Resource: key, Account: accountOfARN(key), Via: "s3", Conditions: p.viaS3("StringLike", ctxARN)})
	}
}

// permissionNeed is the need of one of the catalogue's permissions for
// call c: the resource it names and its account; bucketConditions scope a
// permission on the bucket (a listing's s3:prefix).
func (p *Plan) permissionNeed(perm s3ops.Permission, c Call, bucketConditions map[string]map[string][]string) Need {
	n := Need{Action: perm.Action, Account: p.ownerFor(c.Bucket, c.Signer)}
	switch perm.On {
	case s3ops.Bucket:
		n.Resource = "arn:aws:s3:::" + c.Bucket
		n.Conditions = bucketConditions
	case s3ops.Object:
		n.Resource = "arn:aws:s3:::" + c.Bucket + "/" + c.Key
	case s3ops.SourceObject:
		n.Resource = "arn:aws:s3:::" + c.SourceBucket + "/" + c.SourceKey
		n.Account = p.ownerFor(c.SourceBucket, c.Signer)
	case s3ops.AnyResource:
		n.Resource = "*"
	case s3ops.IAMRole:
		// Empty when the call does not say which role: the caller
		// leaves such a need out and says so.
		n.Resource, n.Account = c.Role, accountOfARN(c.Role)
		if op, ok := s3ops.Lookup("s3", c.Operation); ok && perm.Action == "iam:PassRole" {
			for _, k := range op.Keys {
				if v, ok := strings.CutPrefix(k.From, "value:"); ok && k.Key == "iam:PassedToService" {
					v, _, _ = strings.Cut(v, " ")
					n.Conditions = map[string]map[string][]string{"StringEquals": {k.Key: {v}}}
				}
			}
		}
	}
	return n
}

// viaS3 are the conditions of a KMS permission for the calls S3 makes for
// the caller: kms:ViaService, and the object (or bucket, with S3 Bucket
// Keys) of the encryption context matched with contextOp (StringLike for
// a pattern); no encryption-context condition when contextARN is "".
func (p *Plan) viaS3(contextOp, contextARN string) map[string]map[string][]string {
	return viaS3In(p.Context.Region, contextOp, contextARN)
}

// viaS3In is viaS3 for the KMS calls S3 makes in region.
func viaS3In(region, contextOp, contextARN string) map[string]map[string][]string {
	c := map[string]map[string][]string{"StringEquals": {"kms:ViaService": {s3ops.ViaService(region)}}}
	if contextARN != "" {
		if c[contextOp] == nil {
			c[contextOp] = map[string][]string{}
		}
		c[contextOp]["kms:EncryptionContext:aws:s3:arn"] = []string{contextARN}
	}
	return c
}

// need records a permission of a call, by the call's signer, merging it
// with an equal one.
func (p *Plan) need(call int, n Need) {
	n.Signer = p.Calls[call].Signer
	for j := range p.Needs {
		o := &p.Needs[j]
		if o.Action == n.Action && o.Resource == n.Resource && o.Signer == n.Signer && sameConditions(o.Conditions, n.Conditions) {
			if !containsInt(o.Calls, call) {
				o.Calls = append(o.Calls, call)
			}
			if o.Why == "" {
				o.Why = n.Why
			}
			return
		}
	}
	n.Calls = []int{call}
	p.Needs = append(p.Needs, n)
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

func sameConditions(a, b map[string]map[string][]string) bool {
	return fmt.Sprint(sortedConditions(a)) == fmt.Sprint(sortedConditions(b))
}

func sortedConditions(c map[string]map[string][]string) []string {
	var out []string
	for op, kv := range c {
		for k, v := range kv {
			out = append(out, op+" "+k+" "+strings.Join(v, ","))
		}
	}
	sort.Strings(out)
	return out
}

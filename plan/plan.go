package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/world"
)

// Context is what the planner knows beyond the command line: who runs it,
// which account owns each bucket, and how buckets are encrypted.
type Context struct {
	// Principal runs the command: a user, role or assumed-role ARN. Empty:
	// unknown, and every bucket is taken to be in the principal's account.
	// With two credential sets (Command.Creds.TwoSets) it is the
	// destination's principal.
	Principal string
	// SourcePrincipal, with two credential sets, is the principal of the
	// source's credentials, which signs the source's calls; empty:
	// unknown.
	SourcePrincipal string
	// Region is the region of the buckets and keys; default us-east-1.
	Region string
	// BucketAccount maps a bucket to its owner account.
	BucketAccount map[string]string
	// BucketKMSKey maps a bucket to the key ARN of its default SSE-KMS
	// encryption.
	BucketKMSKey map[string]string
	// BucketKeyEnabled maps a bucket to whether it uses S3 Bucket Keys.
	BucketKeyEnabled map[string]bool
	// MaxObjectSize is the largest object the command will move; 0: any
	// size, so the multipart paths are planned too.
	MaxObjectSize int64
	// MinObjectSize is the smallest; objects at or above the multipart
	// threshold only (one large object) leave out the single-request path.
	MinObjectSize int64
	// BucketPolicy maps a bucket whose current policy is known (from a
	// world) to that policy's JSON, "" for a bucket without a policy. A
	// bucket not in the map: its policy is unknown. The outputs merge the
	// planned statements with it (see current.go).
	BucketPolicy map[string]string
	// KeyPolicy maps a key ARN to its current key policy, likewise.
	KeyPolicy map[string]string
	// World is the world the context comes from (ContextFromWorld), nil
	// for none: it resolves an --sse-kms-key-id alias or key ID to the
	// key ARN.
	World *world.World
}

// ContextFromWorld fills a context from a world: bucket owners and
// default encryption. principal may be empty.
func ContextFromWorld(w *world.World, principal string) Context {
	ctx := Context{Principal: principal, Region: w.Region, BucketAccount: map[string]string{},
		BucketKMSKey: map[string]string{}, BucketKeyEnabled: map[string]bool{}, World: w}
	ctx.knownPolicies(w)
	for _, a := range w.Accounts {
		for _, b := range a.Buckets {
			ctx.BucketAccount[b.Name] = a.ID
			if b.KMSKey != nil {
				ctx.BucketKMSKey[b.Name] = b.KMSKey.ARN
				ctx.BucketKeyEnabled[b.Name] = b.BucketKey
			}
		}
	}
	return ctx
}

// Plan is the calls a command makes and the permissions they need.
type Plan struct {
	Command *Command
	Model   *Model
	Context Context
	Calls   []Call
	// Needs are the permissions, one per action and resource, in the
	// order the calls first need them.
	Needs    []Need
	Policies Policies
	// SSEKMSKey is the key ARN the command's --sse-kms-key-id names,
	// resolved (an alias or key ID through the world); empty when the
	// command names no key or the key could not be resolved.
	SSEKMSKey string
	// Notes are remarks for people: assumptions, unknowns, hints.
	Notes []string
	// Origin says where the calls come from when no command and model
	// do: a CloudTrail log (FromTrail), an S3 Batch Operations job
	// (BatchCopy).
	Origin string
	// Job is the S3 Batch Operations job a BatchCopy plan is of; nil for
	// other plans.
	Job *BatchCopyJob
}

// title is what the plan is of: the command, or its origin.
func (p *Plan) title() string {
	if p.Command == nil {
		return p.Origin
	}
	return p.Command.String()
}

// modelLine names the behaviour model the calls come from.
func (p *Plan) modelLine() string {
	if p.Job != nil {
		return "S3 Batch Operations S3PutObjectCopy (s3ops.BatchPutObjectCopySteps, docs/plan.md \"lockstep plan batch-copy\")"
	}
	if p.Model == nil {
		return "none: the calls are the trail's"
	}
	return p.Model.Name + " (" + p.Model.Source + ")"
}

// Call is one API call of the command.
type Call struct {
	// Side is "source" or "destination".
	Side string
	// Signer, with two credential sets, is whose credentials sign the
	// call, "source" or "destination"; empty with one principal.
	Signer    string
	Operation string
	Bucket    string
	// Key is the object key, or a pattern ending in "*" for every object
	// under a prefix; empty for bucket calls.
	Key string
	// SourceBucket and SourceKey are the copy source of CopyObject and
	// UploadPartCopy.
	SourceBucket, SourceKey string
	// Role is the IAM role the call passes (PutBucketReplication's
	// configuration Role), for the catalogue's permissions on IAMRole.
	Role string
	// Prefix is the listing prefix of a ListObjectsV2 call; Delimiter its
	// delimiter.
	Prefix    *string
	Delimiter string
	// When says when the call is made ("objects >= 8 MiB").
	When string
	// Size is "small" for a call made only for objects below Threshold,
	// "large" for objects at or above it, "" for any object.
	Size      string
	Threshold int64
	// Optional calls need no permission: the client does without them.
	Optional bool
	// Existing calls are made only for objects the destination already
	// has.
	Existing bool
	// Once calls are made once per run, not per object (ModelCall.Once).
	Once bool
	// MD5ETag calls are made only for objects whose ETag is the MD5 of
	// their data: not SSE-KMS objects.
	MD5ETag bool
	// Features are the optional parts of the request the call sends that
	// need permissions of their own: ACL headers, tags (x-amz-tagging),
	// checksum mode, an additional checksum.
	// Their KMS fields are not set; KMS comes from the buckets' keys.
	Features s3ops.Features
	Why      string
}

// Need is one permission: an action on a resource, with the conditions
// that scope it, and the calls that need it.
type Need struct {
	Action   string
	Resource string
	// Conditions are operator -> key -> values.
	Conditions map[string]map[string][]string
	// Account owns the resource; Via is "s3" for KMS calls S3 makes.
	Account string
	Via     string
	// Signer, with two credential sets, is the principal that needs it,
	// "source" or "destination" (Call.Signer); empty with one principal.
	Signer string
	// Calls are indexes into Plan.Calls.
	Calls []int
	// Why explains a need that no call lists by itself (the s3:ListBucket
	// of a missing-object read).
	Why string
}

// Build plans a command with the client's behaviour model.
func Build(cmd *Command, ctx Context) (*Plan, error) {
	models, err := Models()
	if err != nil {
		return nil, err
	}
	m := models[cmd.Client]
	if m == nil {
		return nil, fmt.Errorf("no behaviour model for client %s", cmd.Client)
	}
	return BuildWith(cmd, ctx, m)
}

// BuildWith plans a command with a given behaviour model, such as a
// changed copy of a built-in one (the proof's own test mutates models).
func BuildWith(cmd *Command, ctx Context, m *Model) (*Plan, error) {
	if ctx.Region == "" {
		ctx.Region = "us-east-1"
	}
	p := &Plan{Command: cmd, Model: m, Context: ctx}
	if id := cmd.Flags["sse-kms-key-id"]; id != "" {
		var err error
		if p.SSEKMSKey, err = p.resolveKMSKey("--sse-kms-key-id", id); err != nil {
			return nil, err
		}
	}
	for _, f := range m.Flows {
		if !f.When.applies(cmd) {
			continue
		}
		for _, mc := range f.Calls {
			if !flagsHold(mc.If, cmd) {
				continue
			}
			threshold, err := m.threshold(mc.SizeThreshold, cmd)
			if err != nil {
				return nil, err
			}
			when := "always"
			switch mc.Size {
			case "small":
				if ctx.MinObjectSize >= threshold {
					continue
				}
				when = fmt.Sprintf("objects < %s", formatSize(threshold))
			case "large":
				if ctx.MaxObjectSize > 0 && ctx.MaxObjectSize < threshold {
					continue
				}
				when = fmt.Sprintf("objects >= %s", formatSize(threshold))
			}
			c := Call{Operation: mc.Op, When: when, Size: mc.Size, Threshold: threshold, Existing: mc.Existing, MD5ETag: mc.MD5ETag, Why: mc.Why}
			if mc.Existing {
				c.When += ", objects the destination has"
			}
			if mc.MD5ETag {
				c.When += " (ETag an MD5: not SSE-KMS)"
			}
			if mc.Once {
				c.Once, c.When = true, "once, before any transfer"
			}
			loc := cmd.Source
			c.Side = "source"
			if strings.HasPrefix(mc.On, "dest") {
				loc, c.Side = cmd.Dest, "destination"
			}
			if !loc.IsS3() {
				return nil, fmt.Errorf("model %s: %s needs an S3 %s, but the command's %s is local", m.Client, mc.Op, c.Side, c.Side)
			}
			c.Bucket = loc.Bucket
			if cmd.Creds.TwoSets {
				c.Signer = firstOf(mc.Signer, c.Side)
			}
			if strings.HasSuffix(mc.On, "-object") {
				c.Key = objectPattern(cmd, loc)
				if mc.ProbeKey != "" {
					c.Key = loc.Key[:strings.LastIndex(loc.Key, "/")+1] + mc.ProbeKey
				}
			}
			if strings.HasSuffix(mc.On, "-root") {
				// The path itself as a key: rclone checks whether the
				// root of a remote is a file.
				c.Key = strings.TrimSuffix(loc.Key, "/")
				if c.Key == "" {
					continue
				}
			}
			if mc.Copy {
				c.SourceBucket, c.SourceKey = cmd.Source.Bucket, objectPattern(cmd, cmd.Source)
			}
			if mc.CopySelf {
				c.SourceBucket, c.SourceKey = c.Bucket, c.Key
			}
			if mc.Op == "ListObjectsV2" {
				prefix := loc.Key
				switch mc.List {
				case "delimiter":
					c.Delimiter = "/"
				case "parent":
					// The directory of one object's key: lockstep cp's
					// preflight lists what the object goes into.
					prefix = prefix[:strings.LastIndex(prefix, "/")+1]
				}
				c.Prefix = &prefix
			}
			if mc.Optional {
				c.When = "optional: the client goes on when it is denied"
				c.Optional = true
				p.Calls = append(p.Calls, c)
				continue
			}
			p.Calls = append(p.Calls, c)
			p.addNeeds(len(p.Calls)-1, mc)
		}
	}
	if len(p.Calls) == 0 {
		return nil, fmt.Errorf("the %s model has no calls for %q", m.Name, cmd.String())
	}
	p.notes()
	p.Policies = p.policies()
	return p, nil
}

// Thresholds are the object sizes at which the command's calls change:
// the model's multipart threshold and its other thresholds, as the
// command's flags set them, in increasing order. A proof's data takes
// both sides of each.
func (p *Plan) Thresholds() []int64 {
	names := []string{""}
	for n := range p.Model.Thresholds {
		names = append(names, n)
	}
	var out []int64
	for _, n := range names {
		if t, err := p.Model.threshold(n, p.Command); err == nil && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// objectPattern is the key pattern of the objects a command touches at a
// location: the key itself for single-object commands, prefix* for
// directory ones and for a source that names every key with its prefix.
func objectPattern(cmd *Command, loc Location) string {
	if cmd.Recursive || (cmd.KeyPrefix && loc == cmd.Source) {
		return loc.Key + "*"
	}
	if loc.Key == "" {
		return "*"
	}
	return loc.Key
}

// writeKMSKey is the key of what the command writes to a destination
// bucket: the one the command names, else the bucket default.
func (p *Plan) writeKMSKey(bucket string) string {
	if k := p.Command.Flags["sse-kms-key-id"]; k != "" {
		// The resolved key ARN, or the flag as given when it could not
		// be resolved: policies leave such needs out (notes).
		return firstOf(p.SSEKMSKey, k)
	}
	if sse := p.Command.Flags["sse"]; sse == "aws:kms" || sse == "aws:kms:dsse" {
		// aws:kms without a key: the bucket owner's AWS managed key
		// aws/s3 (docs/authorization.md §3.1, §3.3).
		acct := p.accountOf(bucket)
		if acct == "" {
			acct = "ACCOUNT"
		}
		return "arn:aws:kms:" + p.Context.Region + ":" + acct + ":key/" + world.S3KeyID(p.Context.Region, acct)
	}
	return p.Context.BucketKMSKey[bucket]
}

// TwoPrincipals reports whether the plan's command has two credential
// sets (Command.Creds.TwoSets): the source's calls signed by
// Context.SourcePrincipal, the others by Context.Principal.
func (p *Plan) TwoPrincipals() bool { return p.Command != nil && p.Command.Creds.TwoSets }

// principalAccount is the account of the principal, "" when unknown.
func (p *Plan) principalAccount() string { return accountOfARN(p.Context.Principal) }

// ownerFor is the owner of a bucket a call signed by signer uses: from
// the context, else the signer's account.
func (p *Plan) ownerFor(bucket, signer string) string {
	if a := p.Context.BucketAccount[bucket]; a != "" {
		return a
	}
	return accountOfARN(p.principalOf(signer))
}

// principalOf is the ARN of the principal that signs for signer
// ("source" with two credential sets: SourcePrincipal; else Principal),
// "" when unknown.
func (p *Plan) principalOf(signer string) string {
	if signer == "source" {
		return p.Context.SourcePrincipal
	}
	return p.Context.Principal
}

// accountOf is the owner of a bucket: from the context, else the
// principal's account.
func (p *Plan) accountOf(bucket string) string {
	if a := p.Context.BucketAccount[bucket]; a != "" {
		return a
	}
	return p.principalAccount()
}

// accountOfARN is the account of an ARN (internal/arn).
func accountOfARN(s string) string { return arn.Account(s) }

// notes adds remarks on assumptions and known surprises.
func (p *Plan) notes() {
	cmd := p.Command
	if p.Context.Principal == "" {
		p.Notes = append(p.Notes, "no principal given (--principal, or --world with a profile): every bucket is taken to be in the principal's account, so no bucket or key policy is planned")
	} else {
		seen := map[string]bool{}
		for _, l := range []Location{cmd.Source, cmd.Dest} {
			switch {
			case !l.IsS3() || p.Context.BucketAccount[l.Bucket] != "" || seen[l.Bucket]:
			case p.Context.World != nil:
				p.Notes = append(p.Notes, fmt.Sprintf("bucket %s is not in the world file %s: it is taken to be in the principal's account (add it under accounts[].buckets, or give --bucket-account %s=ACCOUNT)", l.Bucket, p.Context.World.File, l.Bucket))
			default:
				p.Notes = append(p.Notes, fmt.Sprintf("the owner of bucket %s is unknown: it is taken to be the principal's account (give --bucket-account %s=ACCOUNT or --world to plan a bucket policy for another account)", l.Bucket, l.Bucket))
			}
			seen[l.Bucket] = true
		}
	}
	if id := cmd.Flags["sse-kms-key-id"]; id != "" && p.SSEKMSKey == "" {
		p.Notes = append(p.Notes, fmt.Sprintf("--sse-kms-key-id %s is not a key ARN, and lockstep cannot resolve it to one without --world: a policy must name the key ARN (KMS authorizes the key, not its alias), and S3 looks an alias name or key ID up in the caller's account and region. The policies below leave out the KMS permissions on it: give the key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) or --world", id))
	}
	if p.Context.MaxObjectSize == 0 {
		var sizes []string
		for _, t := range p.Thresholds() {
			sizes = append(sizes, formatSize(t))
		}
		p.Notes = append(p.Notes, fmt.Sprintf("objects of any size: the multipart paths (%s and more) are planned; --max-object-size narrows this", strings.Join(sizes, ", ")))
	}
	for _, n := range p.Model.Notes {
		if n.When.applies(cmd) && (!n.DestKMS || p.Context.BucketKMSKey[cmd.Dest.Bucket] != "") {
			p.Notes = append(p.Notes, strings.NewReplacer("{dest-bucket}", cmd.Dest.Bucket, "{dest-key}", p.Context.BucketKMSKey[cmd.Dest.Bucket]).Replace(n.Text))
		}
	}
	p.copiedTagsNote()
	if acl := cmd.Flags["acl"]; acl != "" && acl != "private" {
		p.Notes = append(p.Notes, fmt.Sprintf("--acl %s sends x-amz-acl: s3:PutObjectAcl is needed, and buckets with ACLs disabled (BucketOwnerEnforced) refuse ACLs other than bucket-owner-full-control", acl))
	}
	if sse := cmd.Flags["sse"]; (sse == "aws:kms" || sse == "aws:kms:dsse") && cmd.Flags["sse-kms-key-id"] == "" {
		p.Notes = append(p.Notes, "--sse aws:kms without --sse-kms-key-id uses the bucket owner's AWS managed key aws/s3, whose policy is fixed: it works only for principals of the bucket owner's account (docs/authorization.md §3.3); name a customer managed key for cross-account writes")
		if pa, ba := p.principalAccount(), p.accountOf(cmd.Dest.Bucket); pa != "" && ba != "" && pa != ba {
			p.Notes = append(p.Notes, "this command writes across accounts with aws/s3: S3 will deny it whatever the policies say")
		}
	}
}

// copiedTagsNote says, when a call copies its source's tags, that the
// tag permissions are planned for sources that have tags.
func (p *Plan) copiedTagsNote() {
	for _, c := range p.Calls {
		if c.Features.SourceTags {
			p.Notes = append(p.Notes, "a CopyObject takes over its source's tags (x-amz-tagging-directive COPY, the default): s3:GetObjectTagging on the source and s3:PutObjectTagging on the copy are planned for sources that have tags, without which S3 refuses the copy; copies of objects without tags do not need them (docs/decisions.md #56)")
			return
		}
	}
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// isS3ManagedKey reports whether a key ARN is an account's AWS managed key
// aws/s3.
func isS3ManagedKey(arn, region string) bool {
	acct := accountOfARN(arn)
	return acct != "" && strings.HasSuffix(arn, ":key/"+world.S3KeyID(region, acct))
}

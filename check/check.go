package check

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/explain"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/world"
)

// ObjectName is the object key checked for a key pattern: "p/*" is
// checked as "p/" + ObjectName.
const ObjectName = "lockstep-check-object"

// Options tune a check; all are optional.
type Options struct {
	// MaxObjectSize is the largest object the command moves (0: any, so
	// the multipart paths are checked too), as plan.Context.
	MaxObjectSize int64
	// Now is the request time; zero: time.Now().
	Now time.Time
}

// Report is the outcome of a check.
type Report struct {
	Command   string      `json:"command"`
	Client    plan.Client `json:"client"`
	World     string      `json:"world"`
	Principal string      `json:"principal"`
	// OK is true when every call that is not optional is allowed.
	OK    bool   `json:"ok"`
	Calls []Call `json:"calls"`
	// Diff is the smallest change per policy that allows every denied
	// call that is not optional.
	Diff  []PolicyDiff `json:"diff,omitempty"`
	Notes []string     `json:"notes,omitempty"`
}

// Call is one planned call and its decision.
type Call struct {
	// N is the call's number in the plan, from 1.
	N         int    `json:"n"`
	Side      string `json:"side"`
	Operation string `json:"operation"`
	// Bucket, Key and the copy source are as checked: key patterns are
	// replaced by a representative key.
	Bucket       string  `json:"bucket"`
	Key          string  `json:"key,omitempty"`
	SourceBucket string  `json:"sourceBucket,omitempty"`
	SourceKey    string  `json:"sourceKey,omitempty"`
	Prefix       *string `json:"prefix,omitempty"`
	When         string  `json:"when"`
	Optional     bool    `json:"optional,omitempty"`
	Allowed      bool    `json:"allowed"`
	Checks       []Check `json:"checks"`
	// ClientError is the line the client prints when the call is denied.
	ClientError string `json:"clientError,omitempty"`
}

// Check is one permission check of a call.
type Check struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
	// ViaS3 is true for a KMS call S3 makes for the caller.
	ViaS3 bool `json:"viaS3,omitempty"`
	// Why explains a check the call's operation does not make by itself
	// (the s3:ListBucket of a read of a missing key).
	Why     string           `json:"why,omitempty"`
	Verdict *explain.Verdict `json:"verdict"`

	// s3Message is the <Message> S3 answers a denial with.
	s3Message string
}

// PolicyDiff is the change to one policy.
type PolicyDiff struct {
	// Policy is as explain.Fix.Policy: "identity policy of ARN", "bucket
	// policy of B", "key policy of K".
	Policy string `json:"policy"`
	// Add are statements to append; Remove are Deny statements to remove
	// or narrow; Allow are statements lockstep cannot write for you (SCPs
	// and RCPs must allow them).
	Add    []json.RawMessage `json:"add,omitempty"`
	Remove []json.RawMessage `json:"remove,omitempty"`
	Allow  []json.RawMessage `json:"allow,omitempty"`
	// Calls are the numbers of the calls the change allows.
	Calls []int `json:"calls"`
}

// Run plans cmd in w for principal and decides every planned call. The
// error is for a principal or a bucket the world does not have and for a
// command the planner cannot plan.
func Run(w *world.World, principal string, cmd *plan.Command, o Options) (*Report, error) {
	if principal == "" {
		return nil, fmt.Errorf("checking %s needs the principal that runs the command (--principal ARN)", w.File)
	}
	if cmd.Creds.TwoSets {
		return nil, fmt.Errorf("%s: --source-profile and --dest-profile give the job two principals, and check decides the calls of one: plan and prove it with lockstep plan --world %s --prove -- %s", cmd, w.File, cmd)
	}
	pr, err := w.Principal(principal)
	if err != nil {
		return nil, fmt.Errorf("checking %s: %w", w.File, err)
	}
	ctx := plan.ContextFromWorld(w, principal)
	ctx.MaxObjectSize = o.MaxObjectSize
	p, err := plan.Build(cmd, ctx)
	if err != nil {
		return nil, err
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	env := authz.Env{Time: now, SecureTransport: true, SourceIP: "203.0.113.10"}
	r := &Report{Command: cmd.String(), Client: cmd.Client, World: w.File, Principal: principal, OK: true}
	for i, c := range p.Calls {
		rc, err := decide(w, pr, p, i, env)
		if err != nil {
			return nil, fmt.Errorf("checking call %d (%s on %s): %w", i+1, c.Operation, c.Bucket, err)
		}
		r.Calls = append(r.Calls, *rc)
		if !rc.Allowed && !rc.Optional {
			r.OK = false
		}
	}
	r.diff()
	r.notes(w, pr, p)
	return r, nil
}

// Denied returns the denied calls that are not optional.
func (r *Report) Denied() []Call {
	var out []Call
	for _, c := range r.Calls {
		if !c.Allowed && !c.Optional {
			out = append(out, c)
		}
	}
	return out
}

// representative turns a key pattern into a key the engine can decide:
// "p/*" becomes "p/lockstep-check-object".
func representative(key string) string {
	if k, ok := strings.CutSuffix(key, "*"); ok {
		return k + ObjectName
	}
	return key
}

// writeOps take the ACL and SSE headers of a command.
var writeOps = map[string]bool{"PutObject": true, "CopyObject": true, "CreateMultipartUpload": true}

// decide authorizes call i of the plan.
func decide(w *world.World, pr *authz.Principal, p *plan.Plan, i int, env authz.Env) (*Call, error) {
	c := p.Calls[i]
	cmd := p.Command
	rc := &Call{N: i + 1, Side: c.Side, Operation: c.Operation, Bucket: c.Bucket, Key: representative(c.Key),
		SourceBucket: c.SourceBucket, SourceKey: representative(c.SourceKey), Prefix: c.Prefix, When: c.When, Optional: c.Optional}
	ec := enforce.Call{Operation: c.Operation, Bucket: rc.Bucket, Key: rc.Key, SourceBucket: rc.SourceBucket, SourceKey: rc.SourceKey, Env: env}
	keys := map[string][]string{}
	// The request parts the plan says the call sends (ACL headers, tags,
	// checksum mode, an additional checksum): one reading of the command,
	// the plan's.
	ec.Features.ACL, ec.Features.Tagging = c.Features.ACL && writeOps[c.Operation], c.Features.Tagging
	ec.Features.ChecksumMode, ec.Features.Checksum = c.Features.ChecksumMode, c.Features.Checksum
	// Features.SourceTags stays false: the world's objects have no tags,
	// so a copy of them takes over none (the plan prepares for tagged
	// sources, docs/decisions.md #56).
	if acl := cmd.Flags["acl"]; acl != "" && writeOps[c.Operation] {
		keys["s3:x-amz-acl"] = []string{acl}
	}
	if c.Prefix != nil {
		keys["s3:prefix"] = []string{*c.Prefix}
		if c.Delimiter != "" {
			keys["s3:delimiter"] = []string{c.Delimiter}
		}
	}
	if len(keys) > 0 {
		ec.Keys = keys
	}
	// An --sse-kms-key-id the world knows (resolved by plan.Build from an
	// alias or key ID) encrypts what the command writes to the
	// destination, as plan.Build assumes.
	if k := p.SSEKMSKey; k != "" && c.Bucket == cmd.Dest.Bucket && w.Key(k) != nil {
		ec.Encryption = enforce.NamedKeyEncryption(k)
	}
	res, err := enforce.Authorize(w, pr, ec)
	if err != nil {
		return nil, err
	}
	for j := range res.Checks {
		ch := &res.Checks[j]
		rc.Checks = append(rc.Checks, Check{Action: ch.Action, Resource: ch.Resource, ViaS3: ch.KMS != nil,
			Verdict: explain.Judge(w, ch.Request, ch.Decision), s3Message: ch.S3Message()})
	}
	// The planner's needs the operation does not check by itself: the
	// s3:ListBucket a read of a key that does not exist yet needs to be
	// answered 404 rather than 403.
	for _, n := range p.Needs {
		if !contains(n.Calls, i) || n.Why == "" || checked(res, n.Action) {
			continue
		}
		if b := w.Bucket(c.Bucket); b != nil && !strings.HasSuffix(c.Key, "*") && hasObject(b, c.Key) {
			continue
		}
		req, err := w.Request(pr, n.Action, representative(n.Resource), env, nil)
		if err != nil {
			return nil, err
		}
		d := authz.Decide(req)
		rc.Checks = append(rc.Checks, Check{Action: n.Action, Resource: req.Resource.ARN, Why: n.Why, Verdict: explain.Judge(w, req, d), s3Message: d.S3Message()})
	}
	rc.Allowed = true
	for _, ch := range rc.Checks {
		if !ch.Verdict.Allowed {
			rc.Allowed = false
			rc.ClientError = clientError(cmd, rc, ch.s3Message, res.ClientError())
			break
		}
	}
	return rc, nil
}

func checked(res *enforce.Result, action string) bool {
	for _, ch := range res.Checks {
		if strings.EqualFold(ch.Action, action) {
			return true
		}
	}
	return false
}

func hasObject(b *world.Bucket, key string) bool {
	for _, o := range b.Objects {
		if o.Key == key {
			return true
		}
	}
	return false
}

func contains(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// diff gathers the fixes of the denied calls that are not optional per
// policy, each statement once.
func (r *Report) diff() {
	byPolicy := map[string]*PolicyDiff{}
	for _, c := range r.Calls {
		if c.Allowed || c.Optional {
			continue
		}
		for _, ch := range c.Checks {
			if ch.Verdict.Allowed {
				continue
			}
			for _, f := range ch.Verdict.Fixes {
				d := byPolicy[f.Policy]
				if d == nil {
					d = &PolicyDiff{Policy: f.Policy}
					byPolicy[f.Policy] = d
					r.Diff = append(r.Diff, PolicyDiff{Policy: f.Policy})
				}
				switch f.Change {
				case "add":
					d.Add = appendStatement(d.Add, f.Statement)
				case "remove":
					d.Remove = appendStatement(d.Remove, f.Statement)
				default:
					d.Allow = appendStatement(d.Allow, f.Statement)
				}
				if !contains(d.Calls, c.N) {
					d.Calls = append(d.Calls, c.N)
				}
			}
		}
	}
	for i := range r.Diff {
		r.Diff[i] = *byPolicy[r.Diff[i].Policy]
	}
}

func appendStatement(list []json.RawMessage, s json.RawMessage) []json.RawMessage {
	for _, o := range list {
		if string(o) == string(s) {
			return list
		}
	}
	return append(list, s)
}

func (r *Report) notes(w *world.World, pr *authz.Principal, p *plan.Plan) {
	r.Notes = append(r.Notes, p.Notes...)
	for _, c := range r.Calls {
		if c.Optional && !c.Allowed {
			r.Notes = append(r.Notes, fmt.Sprintf("call %d (%s) is denied, but the client goes on without it: it does not fail the check", c.N, c.Operation))
		}
	}
	seen := map[string]bool{}
	for _, c := range r.Calls {
		for _, b := range []string{c.Bucket, c.SourceBucket} {
			wb := w.Bucket(b)
			if b == "" || seen[b] || wb == nil || wb.Account == nil || wb.Account.ID == pr.Account {
				continue
			}
			seen[b] = true
			policies := "the bucket policy of " + b
			if wb.KMSKey != nil {
				policies += " and the key policy of its KMS key"
			}
			r.Notes = append(r.Notes, fmt.Sprintf("%s is in account %s and the caller in %s: both the caller's IAM policy and %s must allow each call; S3 answers a plain \"Access Denied\" across accounts", b, wb.Account.ID, pr.Account, policies))
		}
	}
	if p.Command.Flags["sse"] == "aws:kms" && p.Command.Flags["sse-kms-key-id"] == "" {
		r.Notes = append(r.Notes, "--sse aws:kms without --sse-kms-key-id: checked with the bucket's default encryption; S3 uses the AWS managed key aws/s3 when the bucket has none")
	}
	if k := p.SSEKMSKey; k != "" && w.Key(k) == nil {
		r.Notes = append(r.Notes, fmt.Sprintf("--sse-kms-key-id %s is not a key of the world: checked with the bucket's default encryption", k))
	}
}

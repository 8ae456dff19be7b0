package explain

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/world"
)

// Options are the context of an explanation; all are optional.
type Options struct {
	// World, when set, is evaluated to pinpoint the denied permission.
	World *world.World
	// Principal is the caller's ARN; default: the ARN of a detailed
	// message. Required with World when the text names no caller.
	Principal string
	// Command is the client command line, for the buckets and keys.
	Command *Command
	// Now is the request time for the engine; zero: time.Now().
	Now time.Time
}

// Explanation is the answer: the error as read and the candidate
// permissions, most likely first.
type Explanation struct {
	Error   *Error   `json:"error"`
	Command *Command `json:"command,omitempty"`
	// Calls are the API calls the error can come from, with their targets.
	Calls []Call `json:"calls"`
	// Exact is true when the cause is certain: a detailed message, or a
	// world evaluation that found the denied permission.
	Exact bool `json:"exact"`
	// Candidates are the permissions that can cause the error, most
	// likely first; with a world, the denied ones first.
	Candidates []*Candidate `json:"candidates"`
	// World and Principal are set when a world was evaluated.
	World     string   `json:"world,omitempty"`
	Principal string   `json:"principal,omitempty"`
	Notes     []string `json:"notes,omitempty"`
}

// Call is one API call the error can come from.
type Call struct {
	Operation    string `json:"operation"`
	Bucket       string `json:"bucket,omitempty"`
	Key          string `json:"key,omitempty"`
	SourceBucket string `json:"sourceBucket,omitempty"`
	SourceKey    string `json:"sourceKey,omitempty"`
	// Why says how the call was inferred when the text does not name it.
	Why string `json:"why,omitempty"`
}

// Candidate is one permission that can cause the error.
type Candidate struct {
	Action string `json:"action"`
	// Resource is the ARN it is checked on, or a description when the
	// ARN is not known ("the KMS key of bucket cp-dst").
	Resource string `json:"resource"`
	// Operation is the call that needs it.
	Operation string `json:"operation"`
	Why       string `json:"why"`
	// Hint is how to grant it, or how to avoid needing it.
	Hint string `json:"hint,omitempty"`
	// Exact is true when a detailed message or the world names it.
	Exact bool `json:"exact,omitempty"`
	// Verdict is the engine's decision with a world, nil without.
	Verdict *Verdict `json:"verdict,omitempty"`

	score  int
	call   int
	target s3ops.Target
	kms    *s3ops.KMSCall
}

// Verdict is the engine's decision on one candidate.
type Verdict struct {
	Allowed  bool   `json:"allowed"`
	Resource string `json:"resource"`
	// Summary is authz.Decision.Summary().
	Summary    string `json:"summary"`
	PolicyType string `json:"policyType,omitempty"`
	Statement  string `json:"statement,omitempty"`
	// Message is AWS's message for a denial.
	Message string `json:"message,omitempty"`
	// Fixes is the smallest change that allows the request, in order
	// (cross-account requests may need a change on both sides).
	Fixes []Fix `json:"fixes,omitempty"`
}

// Fix is one policy change.
type Fix struct {
	// Policy says which policy to change: "identity policy of
	// arn:aws:iam::1:role/R", "bucket policy of b", "key policy of K".
	Policy string `json:"policy"`
	// Change is "add" (append Statement) or "remove" (the Deny statement
	// Statement must go or be narrowed), or "allow" for policies lockstep
	// cannot write (SCPs, RCPs).
	Change    string          `json:"change"`
	Statement json.RawMessage `json:"statement"`
}

// Explain reads the error text and explains it. The error is for text that
// cannot be read (wrapping ErrUnrecognized) and for a world in which the
// principal cannot be resolved.
func Explain(text string, o Options) (*Explanation, error) {
	e, err := Parse(text)
	if err != nil {
		return nil, err
	}
	x := &Explanation{Error: e, Command: o.Command}
	if e.Client == "" && o.Command != nil {
		e.Client = o.Command.Client
	}
	x.Calls = inferCalls(e, o.Command)
	for i, c := range x.Calls {
		x.addCandidates(i, c)
	}
	x.detailed()
	x.notes()
	if o.World != nil {
		if err := x.evaluate(o); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(x.Candidates, func(i, j int) bool { return x.Candidates[i].score < x.Candidates[j].score })
	return x, nil
}

// Denied returns the candidates the world denied, in order.
func (x *Explanation) Denied() []*Candidate {
	var out []*Candidate
	for _, c := range x.Candidates {
		if c.Verdict != nil && !c.Verdict.Allowed {
			out = append(out, c)
		}
	}
	return out
}

// readOps are object reads made on the source of a transfer.
var readOps = map[string]bool{"GetObject": true, "HeadObject": true, "GetObjectTagging": true, "GetObjectAcl": true, "GetObjectAttributes": true}

// inferCalls returns the calls the error comes from: the named operation
// with the targets of the text or the command, or the calls of the
// client's step when the text names no operation.
func inferCalls(e *Error, cmd *Command) []Call {
	ops := e.Operations
	why := ""
	if e.Step != "" {
		why = "rclone was " + e.Step
	}
	switch {
	case e.Operation != "":
		ops, why = []string{e.Operation}, ""
	case len(ops) == 0 && e.Detail != nil:
		for _, op := range s3ops.ForAction(e.Detail.Action) {
			if op.Service == "s3" || op.Service == strings.SplitN(e.Detail.Action, ":", 2)[0] {
				ops = append(ops, op.Name)
				break
			}
		}
	case len(ops) == 0 && (e.Client == "rclone" || cmd != nil && cmd.Client == "rclone"):
		ops = []string{"ListObjectsV2", "CreateBucket", "PutObject", "HeadObject"}
		if cmd != nil && !cmd.Dest.S3() && cmd.Source.S3() {
			ops = []string{"ListObjectsV2", "GetObject"}
		}
		why = "rclone's error names no call: these are the calls of a copy to S3 (sync-clients.md §1.2)"
	case len(ops) == 0:
		ops = []string{"ListObjectsV2", "GetObject", "PutObject"}
		why = "the error names no call: these are the calls every transfer makes"
	}
	var out []Call
	for _, name := range ops {
		if cmd != nil && cmd.NoCheckBucket && name == "CreateBucket" {
			continue
		}
		op, ok := s3ops.Find(name)
		if !ok {
			out = append(out, Call{Operation: name, Why: why})
			continue
		}
		out = append(out, callsFor(op, e, cmd, why)...)
	}
	return out
}

func callsFor(op *s3ops.Operation, e *Error, cmd *Command, why string) []Call {
	if op.Service != "s3" {
		return []Call{{Operation: op.Name, Why: why}}
	}
	base := Call{Operation: op.Name, Why: why}
	copyOp := op.Name == "CopyObject" || op.Name == "UploadPartCopy"
	if e.Bucket != "" {
		c := base
		switch {
		case copyOp:
			c.Bucket, c.Key, c.SourceBucket, c.SourceKey = e.Bucket, e.Key, e.SourceBucket, e.SourceKey
		case readOps[op.Name] && e.SourceBucket != "":
			// "download failed: s3://b/k to k" names one URI; a copy's
			// read of "copy failed: s3://src/k to s3://dst/k" is on src.
			c.Bucket, c.Key = e.SourceBucket, e.SourceKey
		default:
			c.Bucket, c.Key = e.Bucket, e.Key
		}
		if copyOp && c.SourceBucket == "" && cmd != nil && cmd.Source.S3() {
			c.SourceBucket, c.SourceKey = cmd.Source.Bucket, objectKey(cmd.Source.Key)
		}
		if needsKey(op) && c.Key == "" {
			c.Key = "*"
		}
		return []Call{c}
	}
	if cmd == nil {
		return []Call{base}
	}
	var sides []Location
	switch {
	case copyOp:
		c := base
		c.Bucket, c.Key = cmd.Dest.Bucket, objectKey(cmd.Dest.Key)
		c.SourceBucket, c.SourceKey = cmd.Source.Bucket, objectKey(cmd.Source.Key)
		return []Call{c}
	case op.Name == "ListObjectsV2" || op.Name == "ListObjects" || op.Name == "HeadBucket":
		sides = []Location{cmd.Source, cmd.Dest}
	case readOps[op.Name]:
		sides = []Location{cmd.Source}
		if cmd.Client == "rclone" || !cmd.Source.S3() {
			// rclone reads back what it wrote (HeadObject after PutObject).
			sides = append(sides, cmd.Dest)
		}
	case op.Name == "DeleteObject" || op.Name == "DeleteObjects":
		sides = []Location{cmd.Dest}
		if strings.Contains(cmd.Verb, "mv") || strings.Contains(cmd.Verb, "move") || cmd.Verb == "rm" {
			sides = append(sides, cmd.Source)
		}
	default:
		sides = []Location{cmd.Dest}
		if !cmd.Dest.S3() {
			sides = []Location{cmd.Source}
		}
	}
	var out []Call
	for _, s := range sides {
		if !s.S3() {
			continue
		}
		c := base
		c.Bucket = s.Bucket
		if needsKey(op) {
			c.Key = objectKey(s.Key)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		out = []Call{base}
	}
	return out
}

// objectKey turns a command's key or prefix into an object key: a prefix
// becomes "prefix*", matching any object under it.
func objectKey(k string) string {
	if k == "" || strings.HasSuffix(k, "/") {
		return k + "*"
	}
	return k
}

func needsKey(op *s3ops.Operation) bool {
	for _, p := range op.Permissions {
		if p.On == s3ops.Object || p.On == s3ops.SourceObject {
			return true
		}
	}
	return false
}

func bucketARN(b string) string { return "arn:aws:s3:::" + b }

func (c Call) arn(t s3ops.Target) string {
	switch t {
	case s3ops.Bucket:
		if c.Bucket == "" {
			return "arn:aws:s3:::BUCKET"
		}
		return bucketARN(c.Bucket)
	case s3ops.Object:
		b, k := c.Bucket, c.Key
		if b == "" {
			b = "BUCKET"
		}
		if k == "" {
			k = "*"
		}
		return bucketARN(b) + "/" + k
	case s3ops.SourceObject:
		b, k := c.SourceBucket, c.SourceKey
		if b == "" {
			b = "SOURCE-BUCKET"
		}
		if k == "" {
			k = "*"
		}
		return bucketARN(b) + "/" + k
	case s3ops.AnyResource:
		return "*"
	}
	return ""
}

// kmsFirst reports whether a KMS permission is the likely cause.
func (x *Explanation) kmsFirst(op string) bool {
	e := x.Error
	m := strings.ToLower(e.Message)
	if strings.Contains(m, "ciphertext refers to a customer master key") || strings.Contains(m, "kms") {
		return true
	}
	if e.Detail != nil && (e.Detail.ThisResource || strings.HasPrefix(strings.ToLower(e.Detail.Action), "kms:")) {
		return true
	}
	// A part upload follows CreateMultipartUpload, which needed
	// s3:PutObject on the same object: what is left is the kms:Decrypt S3
	// makes for each part of an SSE-KMS upload (docs/authorization.md §3.1, seed 003).
	return op == "UploadPart" || op == "UploadPartCopy"
}

func (x *Explanation) add(c *Candidate) {
	for _, o := range x.Candidates {
		if o.Action == c.Action && o.Resource == c.Resource {
			return
		}
	}
	x.Candidates = append(x.Candidates, c)
}

func (x *Explanation) addCandidates(ci int, call Call) {
	op, ok := s3ops.Find(call.Operation)
	if !ok {
		x.Notes = append(x.Notes, fmt.Sprintf("%s is not in lockstep's operation catalogue (s3ops): no candidate permissions for it", call.Operation))
		return
	}
	base := ci * 1000
	cmd := x.Command
	kmsUp := x.kmsFirst(op.Name)
	for i, p := range op.Permissions {
		c := &Candidate{Action: p.Action, Resource: call.arn(p.On), Operation: op.Name, call: ci, target: p.On, score: base + 100 + i}
		c.Why = fmt.Sprintf("%s needs %s on the %s (%s)", op.Name, p.Action, p.On, op.Spec)
		switch p.When {
		case s3ops.Always, s3ops.NoVersionID, s3ops.SourceNoVersionID:
		case s3ops.ACLHeaders:
			c.Why = fmt.Sprintf("%s needs %s too when the request sends x-amz-acl or x-amz-grant-* headers (--acl, --s3-acl)", op.Name, p.Action)
			if cmd == nil || !cmd.ACL {
				c.score += 500
			}
		case s3ops.NonPrivateACL:
			if cmd == nil || !cmd.ACL {
				continue
			}
			c.Why = fmt.Sprintf("%s needs %s too %s", op.Name, p.Action, p.When)
		default:
			// versionId, tagging, object lock, checksum headers: the sync
			// clients explain models do not send them.
			continue
		}
		switch p.On {
		case s3ops.Bucket:
			c.Hint = fmt.Sprintf("grant it on the bucket ARN %s (no /*): a statement on %s/* does not match the bucket", c.Resource, c.Resource)
		case s3ops.Object, s3ops.SourceObject:
			b := strings.SplitN(strings.TrimPrefix(c.Resource, "arn:aws:s3:::"), "/", 2)[0]
			c.Hint = fmt.Sprintf("grant it on the object ARN arn:aws:s3:::%s/* (note the /*): a statement on arn:aws:s3:::%s alone does not match objects", b, b)
		case s3ops.AnyResource:
			c.Hint = op.Note
		}
		switch {
		case op.Name == "ListObjectsV2" || op.Name == "ListObjects":
			c.Why += "; the IAM action is s3:ListBucket, there is no s3:ListObjectsV2 action (aws-cli#2408)"
		case p.Action == "s3:CreateBucket" && (x.Error.Client == "rclone" || cmd != nil && cmd.Client == "rclone"):
			c.Why += "; rclone calls CreateBucket before uploading to make sure the bucket exists, unless a listing already showed it (sync-clients.md §1.2)"
			c.Hint = "grant s3:CreateBucket on " + c.Resource + ", or run rclone with --s3-no-check-bucket (no_check_bucket = true) and it is not needed"
		case p.Action == "s3:CreateBucket":
			c.Hint = "if the bucket exists, the client need not create it: rclone skips it with --s3-no-check-bucket"
		case op.Name == "GetObjectTagging":
			c.Why += "; AWS CLI v2 reads the source's tags for a multipart S3→S3 copy (objects ≥ 8 MiB) with the default --copy-props (aws-cli#5375)"
			c.Hint = "grant s3:GetObjectTagging on the source objects, or run the copy with --copy-props metadata-directive (or none)"
			c.score -= 50
		case op.Name == "HeadBucket":
			c.Why += "; HEAD responses have no body, so the error is a bare 403"
		}
		x.add(c)
	}
	for i, k := range op.KMS {
		k := k
		where := "the KMS key that encrypts " + objectName(call.Bucket, call.Key)
		if k.Key == s3ops.SourceKey {
			where = "the KMS key that encrypts the copy source " + objectName(call.SourceBucket, call.SourceKey)
		}
		c := &Candidate{Action: k.Action, Resource: where, Operation: op.Name, call: ci, target: s3ops.KMSKey, kms: &k, score: base + 300 + i}
		c.Why = fmt.Sprintf("when the object is SSE-KMS (the bucket's default encryption, or --sse aws:kms), S3 calls KMS as you: %s (%s)", k.Action, k.Source)
		if k.When != s3ops.Always {
			c.Why += "; only " + k.When.String()
			c.score += 500
		}
		c.Hint = "the key policy must allow you, or allow your account (its root) and then your IAM policy must allow it; for a key of another account both must allow it (docs/authorization.md §3.4), and the AWS managed aws/s3 key cannot be used from another account at all (docs/authorization.md §3.3)"
		if kmsUp && k.When == s3ops.Always {
			c.score = base + 10 + i
			if k.Key == s3ops.DestinationKey {
				c.score -= 5
			}
		}
		x.add(c)
	}
	if op.Name == "GetObject" || op.Name == "HeadObject" {
		c := &Candidate{Action: authz.MissingObjectAction, Resource: bucketARNOr(call.Bucket), Operation: op.Name, call: ci, target: s3ops.Bucket, score: base + 400}
		c.Why = fmt.Sprintf("if %s does not exist, S3 answers 403 AccessDenied instead of 404 NoSuchKey unless you have s3:ListBucket on the bucket (docs/authorization.md §2.4)", objectName(call.Bucket, call.Key))
		c.Hint = "check that the key exists; grant s3:ListBucket on the bucket ARN to get 404 for missing keys"
		if x.Error.Code == "403" || x.Error.Code == "Forbidden" {
			c.score = base + 150
		}
		x.add(c)
	}
}

func bucketARNOr(b string) string {
	if b == "" {
		return "arn:aws:s3:::BUCKET"
	}
	return bucketARN(b)
}

func objectName(b, k string) string {
	if b == "" {
		return "the object"
	}
	return "s3://" + b + "/" + k
}

// detailed promotes the permission a detailed message names: the cause is
// exact.
func (x *Explanation) detailed() {
	d := x.Error.Detail
	if d == nil {
		return
	}
	x.Exact = true
	var match *Candidate
	for _, c := range x.Candidates {
		if strings.EqualFold(c.Action, d.Action) && (c.Resource == d.Resource || d.ThisResource && c.target == s3ops.KMSKey || strings.HasPrefix(c.Resource, "the ") && d.Resource != "") {
			match = c
			break
		}
	}
	if match == nil {
		match = &Candidate{Action: d.Action, Resource: d.Resource, Operation: x.Error.Operation, call: -1}
		x.Candidates = append(x.Candidates, match)
	}
	if d.Resource != "" {
		match.Resource = d.Resource
	}
	match.Exact = true
	match.score = -1000
	switch {
	case d.ThisResource:
		match.Why = fmt.Sprintf("exact: AWS says %s may not perform %s on the KMS key S3 used; this form (\"on this resource because the resource does not exist in this Region, no resource-based policies allow access...\") is what S3 relays when the key policy does not allow the caller (docs/authorization.md §3.6)", d.Principal, d.Action)
		match.Hint = fmt.Sprintf("add to the key policy a statement allowing %s to %s (Principal your role or user ARN); if the key is in another account, your IAM policy must allow it on the key ARN as well; the aws/s3 key cannot be used from another account (docs/authorization.md §3.3)", d.Action, principalForPolicy(d.Principal))
	case d.Explicit:
		match.Why = fmt.Sprintf("exact: an explicit Deny in a %s denies %s on %s to %s; no Allow can override it", d.PolicyType, d.Action, d.Resource, d.Principal)
		match.Hint = fmt.Sprintf("find the Deny statement in the %s that matches %s on %s and remove or narrow it (mind its Condition)", d.PolicyType, d.Action, d.Resource)
	default:
		match.Why = fmt.Sprintf("exact: no %s allows %s on %s for %s", d.PolicyType, d.Action, d.Resource, d.Principal)
		match.Hint = "add " + statementJSON(d.PolicyType, d.Principal, d.Action, d.Resource) + " to the " + policyHome(d.PolicyType, d.Principal, d.Resource)
	}
}

func policyHome(policyType, principal, resource string) string {
	switch policyType {
	case "role trust policy":
		if resource == "*" {
			return "trust policy of the role"
		}
		return "trust policy of " + resource
	case "identity-based policy":
		return "identity-based policy of " + principalForPolicy(principal)
	case "resource-based policy":
		if strings.HasPrefix(resource, "arn:aws:kms:") {
			return "key policy of " + resource
		}
		if strings.HasPrefix(resource, "arn:aws:s3:::") {
			return "bucket policy of " + strings.SplitN(strings.TrimPrefix(resource, "arn:aws:s3:::"), "/", 2)[0]
		}
		return "resource-based policy of " + resource
	case "permissions boundary":
		return "permissions boundary of " + principalForPolicy(principal)
	case "service control policy":
		return "service control policies of the account (AWS Organizations)"
	}
	return policyType
}

// statementJSON is the Allow statement that grants action on resource in a
// policy of the given type.
func statementJSON(policyType, principal, action, resource string) string {
	res := grantResource(resource)
	m := map[string]any{"Effect": "Allow", "Action": action, "Resource": res}
	if policyType == "role trust policy" {
		m["Principal"] = map[string]string{"AWS": principalForPolicy(principal)}
		delete(m, "Resource")
	}
	if policyType == "resource-based policy" {
		m["Principal"] = map[string]string{"AWS": principalForPolicy(principal)}
		if strings.HasPrefix(resource, "arn:aws:kms:") {
			m["Resource"] = "*"
		}
	}
	b, _ := json.Marshal(orderedStatement(m))
	return string(b)
}

// grantResource widens an object ARN to its bucket's objects
// (arn:aws:s3:::b/*) so that one statement covers the transfer.
func grantResource(r string) string {
	if rest, ok := strings.CutPrefix(r, "arn:aws:s3:::"); ok {
		if b, _, isObj := strings.Cut(rest, "/"); isObj {
			return "arn:aws:s3:::" + b + "/*"
		}
	}
	return r
}

// principalForPolicy turns a role session ARN into its role ARN, which is
// what policies name.
func principalForPolicy(arn string) string {
	if rest, ok := strings.CutPrefix(arn, "arn:aws:sts::"); ok {
		acct, res, _ := strings.Cut(rest, ":")
		if r, ok := strings.CutPrefix(res, "assumed-role/"); ok {
			role, _, _ := strings.Cut(r, "/")
			return "arn:aws:iam::" + acct + ":role/" + role
		}
	}
	return arn
}

type stmt struct {
	Sid       string `json:"Sid,omitempty"`
	Effect    string `json:"Effect"`
	Principal any    `json:"Principal,omitempty"`
	Action    any    `json:"Action"`
	Resource  any    `json:"Resource,omitempty"` // nil in a trust policy
}

func orderedStatement(m map[string]any) stmt {
	return stmt{Effect: "Allow", Principal: m["Principal"], Action: m["Action"], Resource: m["Resource"]}
}

func (x *Explanation) notes() {
	e := x.Error
	switch {
	case e.Code == "NotFoundException":
		x.Notes = append(x.Notes, "KMS NotFoundException: the key or alias does not exist in this account and Region. An alias names a key of the caller's own account only: to use a key of another account, give its key ARN (docs/authorization.md §3.4); KMS keys must be in the bucket's Region (docs/authorization.md §3.1)")
	case e.Client == "kms" && e.Code == "AccessDeniedException":
		x.Notes = append(x.Notes, "a direct KMS call: the key policy must allow it, or delegate to your account (Principal arn:aws:iam::ACCOUNT:root) with your IAM policy allowing it; across accounts both are needed (docs/authorization.md §3.4)")
	}
	if e.Operation == "HeadObject" && (e.Code == "403" || e.Code == "Forbidden" || e.Message == "Forbidden") {
		x.Notes = append(x.Notes, "HEAD responses have no body, so the client shows only the status (403 Forbidden): S3's reason is not in the error. A 403 on a key that does not exist means s3:ListBucket is missing (docs/authorization.md §2.4)")
	}
	if e.Detail == nil && (e.Message == "Access Denied" || e.Code == "Forbidden" || e.Message == "Forbidden") {
		x.Notes = append(x.Notes, "S3 sends the plain \"Access Denied\", without the detailed \"User: ... is not authorized\" message, when the caller and the bucket are in different accounts, and to anonymous callers (docs/authorization.md §4.2). Across accounts, both the caller's IAM policy and the other account's bucket policy (or key policy) must allow each permission")
	}
	if x.Command != nil && x.Command.Client == "aws-cli" && x.Command.Source.S3() && x.Command.Dest.S3() && x.Command.CopyProps == "" && (e.Operation == "GetObjectTagging" || e.Operation == "HeadObject") {
		x.Notes = append(x.Notes, "AWS CLI v2 copies metadata and tags on multipart S3→S3 copies (--copy-props default: HeadObject + GetObjectTagging on the source); --copy-props metadata-directive or none avoids the tagging call")
	}
	if e.Operation == "" && e.Step == "" && len(x.Calls) > 0 && x.Calls[0].Why != "" {
		x.Notes = append(x.Notes, x.Calls[0].Why+"; pass the client command after -- (and --world) to narrow it down")
	}
}

// evaluate runs every call on the engine against the world and records the
// verdict of each candidate.
func (x *Explanation) evaluate(o Options) error {
	w := o.World
	arn := o.Principal
	if arn == "" && x.Error.Detail != nil {
		arn = x.Error.Detail.Principal
	}
	if arn == "" {
		return fmt.Errorf("evaluating %s needs the caller: pass --principal ARN (the error text names none)", w.File)
	}
	p, err := w.Principal(arn)
	if err != nil {
		return fmt.Errorf("evaluating %s: %w", w.File, err)
	}
	x.World, x.Principal = w.File, arn
	now := o.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	env := authz.Env{Time: now, SecureTransport: true, SourceIP: "203.0.113.10"}
	for ci, call := range x.Calls {
		if _, ok := s3ops.Find(call.Operation); !ok || call.Bucket == "" {
			continue
		}
		b := w.Bucket(call.Bucket)
		if b == nil && call.Operation != "CreateBucket" {
			x.Notes = append(x.Notes, fmt.Sprintf("bucket %s is not in %s: %s on it was not evaluated", call.Bucket, w.File, call.Operation))
			continue
		}
		if b != nil && b.Account != nil && b.Account.ID != p.Account {
			x.Notes = append(x.Notes, fmt.Sprintf("%s is in account %s and the caller in %s: cross-account, both the caller's IAM policy and the bucket policy of %s must allow", call.Bucket, b.Account.ID, p.Account, call.Bucket))
		}
		ec := enforce.Call{Operation: call.Operation, Bucket: call.Bucket, Key: call.Key,
			SourceBucket: call.SourceBucket, SourceKey: call.SourceKey, Env: env}
		if x.Command != nil {
			ec.Features.ACL = x.Command.ACL
		}
		if call.Operation == "ListObjectsV2" || call.Operation == "ListObjects" {
			ec.Keys = map[string][]string{"s3:prefix": {""}}
		}
		res, err := enforce.Authorize(w, p, ec)
		if err != nil {
			x.Notes = append(x.Notes, fmt.Sprintf("%s was not evaluated: %v", call.Operation, err))
			continue
		}
		kmsSeen := map[s3ops.KeyRole]bool{}
		for i := range res.Checks {
			ch := &res.Checks[i]
			if ch.KMS != nil {
				kmsSeen[ch.KMS.Key] = true
			}
			c := x.match(ci, ch)
			if c == nil {
				continue
			}
			c.Resource = ch.Resource
			c.Verdict = Judge(w, ch.Request, ch.Decision)
		}
		// KMS candidates for a key the objects do not have do not apply.
		x.Candidates = slices.DeleteFunc(x.Candidates, func(c *Candidate) bool {
			return c.call == ci && c.kms != nil && !kmsSeen[c.kms.Key] && !c.Exact
		})
		// 403 instead of 404: the missing object's s3:ListBucket check.
		if (call.Operation == "GetObject" || call.Operation == "HeadObject") && res.Allowed() && b != nil && call.Key != "*" && !hasObject(b, call.Key) {
			req, err := w.Request(p, authz.MissingObjectAction, bucketARN(call.Bucket), env, nil)
			if err == nil {
				for _, c := range x.Candidates {
					if c.call == ci && c.Action == authz.MissingObjectAction {
						c.Verdict = Judge(w, req, authz.Decide(req))
					}
				}
			}
		}
	}
	// A detailed message names a resource the engine can decide directly.
	for _, c := range x.Candidates {
		if c.Exact && c.Verdict == nil && strings.HasPrefix(c.Resource, "arn:") {
			if req, err := w.Request(p, c.Action, c.Resource, env, nil); err == nil {
				c.Verdict = Judge(w, req, authz.Decide(req))
			}
		}
	}
	for _, c := range x.Candidates {
		if c.Verdict != nil && !c.Verdict.Allowed {
			c.Exact = true
			c.score -= 100000
			x.Exact = true
		}
	}
	if len(x.Denied()) == 0 {
		x.Notes = append(x.Notes, fmt.Sprintf("every candidate permission is allowed in %s for %s: the world differs from where the error happened (other policies, another principal, a missing object or key), or the call needs something explain does not model", w.File, arn))
	}
	return nil
}

func hasObject(b *world.Bucket, key string) bool {
	for _, o := range b.Objects {
		if o.Key == key {
			return true
		}
	}
	return false
}

func (x *Explanation) match(ci int, ch *enforce.Check) *Candidate {
	for _, c := range x.Candidates {
		if c.call != ci || !strings.EqualFold(c.Action, ch.Action) {
			continue
		}
		if ch.KMS != nil {
			if c.kms != nil && c.kms.Key == ch.KMS.Key || c.kms == nil && c.Exact && c.target != s3ops.Bucket {
				return c
			}
			continue
		}
		if c.kms == nil && c.target == ch.Target {
			return c
		}
	}
	// The exact candidate of a detailed message, if it is this check.
	for _, c := range x.Candidates {
		if c.call == -1 && strings.EqualFold(c.Action, ch.Action) && (c.Resource == ch.Resource || ch.KMS != nil) {
			return c
		}
	}
	return nil
}

// Judge turns the engine's decision on a request into a verdict: for a
// denial, the policy and statement that decided, AWS's message and the
// smallest policy change that allows the request (Verdict.Fixes, found by
// adding one Allow statement per policy and deciding again). lockstep
// check uses it for every planned call, so explain and check agree.
func Judge(w *world.World, req *authz.Request, d authz.Decision) *Verdict {
	v := &Verdict{Allowed: d.Allowed(), Resource: req.Resource.ARN, Summary: d.Summary()}
	if d.Allowed() {
		return v
	}
	v.PolicyType, v.Message = d.TypePhrase(), d.Message()
	if d.By.Statement != nil {
		v.Statement = d.By.Describe()
	}
	v.Fixes = fixes(req, d)
	return v
}

// fixes returns the smallest changes that make the request allowed: one
// Allow statement per policy that lacks it, found by adding each and
// deciding again (a cross-account request may need both sides).
func fixes(req *authz.Request, d authz.Decision) []Fix {
	var out []Fix
	r := *req
	for range 4 {
		if d.Allowed() {
			return out
		}
		if d.Effect == authz.ExplicitDeny {
			where := d.TypePhrase()
			if d.By.Policy != nil && d.By.Policy.Name != "" {
				where += " " + d.By.Policy.Name
			}
			stmt := ""
			if d.By.Statement != nil {
				stmt = d.By.Statement.JSON
			}
			return append(out, Fix{Policy: where, Change: "remove", Statement: rawJSON(stmt)})
		}
		principal := r.Principal.ARN
		if r.Principal.RoleARN != "" {
			principal = r.Principal.RoleARN
		}
		res := r.Resource.ARN
		s := stmt{Effect: "Allow", Action: r.Action, Resource: grantResource(res)}
		var next authz.Request = r
		switch d.Type {
		case authz.TypeIdentity, authz.TypeBoundary, authz.TypeSession:
			pt := map[authz.PolicyType]policy.Type{authz.TypeIdentity: policy.Identity, authz.TypeBoundary: policy.Boundary, authz.TypeSession: policy.Session}[d.Type]
			pol, js := parseStatement(s, pt)
			if pol == nil {
				return out
			}
			kind := map[authz.PolicyType]string{authz.TypeIdentity: "identity policy of ", authz.TypeBoundary: "permissions boundary of ", authz.TypeSession: "session policy of "}[d.Type]
			out = append(out, Fix{Policy: kind + principal, Change: "add", Statement: js})
			pr := *r.Principal
			switch d.Type {
			case authz.TypeIdentity:
				pr.Identity = append(slices.Clone(pr.Identity), pol)
			case authz.TypeBoundary:
				pr.Boundary = merge(pr.Boundary, pol)
			case authz.TypeSession:
				pr.Session = append(slices.Clone(pr.Session), pol)
			}
			next.Principal = &pr
		case authz.TypeResource:
			s.Principal = map[string]string{"AWS": principal}
			pt, kind := policy.Resource, "bucket policy of "+strings.SplitN(strings.TrimPrefix(res, "arn:aws:s3:::"), "/", 2)[0]
			switch r.Resource.Kind {
			case authz.ResourceKMSKey:
				s.Resource = "*"
				pt, kind = policy.KeyPolicy, "key policy of "+res
			case authz.ResourceRole:
				// A trust policy has no Resource: the role is the
				// resource.
				s.Resource = nil
				pt, kind = policy.Trust, "trust policy of "+res
			}
			pol, js := parseStatement(s, pt)
			if pol == nil {
				return out
			}
			out = append(out, Fix{Policy: kind, Change: "add", Statement: js})
			rs := *r.Resource
			rs.Policy = merge(rs.Policy, pol)
			next.Resource = &rs
		default:
			return append(out, Fix{Policy: d.Type.Phrase() + " (AWS Organizations)", Change: "allow", Statement: rawJSON(mustJSON(s))})
		}
		r = next
		d = authz.Decide(&r)
	}
	return out
}

func parseStatement(s stmt, t policy.Type) (*policy.Policy, json.RawMessage) {
	js := mustJSON(s)
	doc := `{"Version":"2012-10-17","Statement":[` + js + `]}`
	pol, err := policy.Parse([]byte(doc), t)
	if err != nil {
		return nil, nil
	}
	pol.Name = "lockstep-explain-fix"
	return pol, json.RawMessage(js)
}

func merge(old, add *policy.Policy) *policy.Policy {
	if old == nil {
		return add
	}
	p := *old
	p.Statements = append(slices.Clone(old.Statements), add.Statements...)
	return &p
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

func rawJSON(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return json.RawMessage(mustJSON(s))
	}
	return json.RawMessage(s)
}

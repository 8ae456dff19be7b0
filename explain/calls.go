package explain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// Call is one API call the error can come from.
type Call struct {
	Operation    string `json:"operation"`
	Bucket       string `json:"bucket,omitempty"`
	Key          string `json:"key,omitempty"`
	SourceBucket string `json:"sourceBucket,omitempty"`
	SourceKey    string `json:"sourceKey,omitempty"`
	// Prefix is the listing prefix of a ListObjectsV2 call, when known.
	Prefix *string `json:"prefix,omitempty"`
	// Why says why the client makes the call (its behaviour model), or
	// how the call was inferred.
	Why string `json:"why,omitempty"`
}

// genericOps are the calls of a transfer, for an error that names no
// call, no client step and no command.
var genericOps = []string{"ListObjectsV2", "GetObject", "PutObject"}

// inferCalls finds the calls the error can come from, in the order the
// client makes them: the calls of the behaviour model's plan for the
// command the line reports (or else the user's command), narrowed to the
// operation the text names or to the operations of the client's step;
// without a plan, those operations on the targets the text names.
func (x *Explanation) inferCalls(cmd *Command) {
	e := x.Error
	ops := e.Operations
	switch {
	case e.Operation != "":
		ops = []string{e.Operation}
	case len(ops) == 0 && e.Detail != nil && e.Command == "" && cmd == nil:
		for _, op := range s3ops.ForAction(e.Detail.Action) {
			if op.Service == "s3" || op.Service == strings.SplitN(e.Detail.Action, ":", 2)[0] {
				ops = append(ops, op.Name)
				break
			}
		}
	}
	side := ""
	if e.shape != nil {
		side = e.shape.Side
	}
	if p := x.plan(cmd); p != nil {
		x.Calls = planCalls(p, ops, side, e.Object)
		if len(x.Calls) > 0 {
			if e.Operation == "" {
				x.from = fmt.Sprintf("the calls the %s model (plan/models/%s.yaml) makes for %q", p.Model.Name, p.Model.Client, p.Command)
				if len(ops) > 0 {
					x.from += " when " + e.Step
				}
			}
			return
		}
	}
	why := ""
	switch {
	case len(ops) > 0 && e.Step != "":
		why = e.Step
	case len(ops) == 0:
		ops, why = genericOps, "the error names no call: these are the calls every transfer makes"
		x.from = "the calls every transfer makes"
	}
	for _, name := range ops {
		x.Calls = append(x.Calls, textCall(name, e, why))
	}
}

// plan returns the plan the calls are read from: of the command the error
// line reports, with the flags of the user's command, else of the user's
// command; nil when there is neither or the model cannot plan it.
func (x *Explanation) plan(cmd *Command) *plan.Plan {
	e := x.Error
	var user *plan.Command
	if cmd != nil {
		user = cmd.parsed
	}
	pc := user
	if e.Command != "" {
		client := plan.Client("")
		if user != nil && clientName(user.Client) == clientName(e.Model) {
			client = user.Client
		}
		if line, err := plan.ParseCommand(strings.Fields(e.Command), client); err == nil {
			if user != nil && user.Client == line.Client {
				for k, v := range user.Flags {
					line.Flags[k] = v
				}
			}
			pc = line
		}
	}
	if pc == nil {
		return nil
	}
	p, err := plan.Build(pc, plan.Context{})
	if err != nil {
		return nil
	}
	return p
}

// planCalls are the plan's calls of the operations ops (all when empty)
// on the given side (both when empty), without the optional ones, which
// need no permission. An object named by the line narrows the plan's key
// patterns to it.
func planCalls(p *plan.Plan, ops []string, side, object string) []Call {
	var out []Call
	for _, pcall := range p.Calls {
		if pcall.Optional || len(ops) > 0 && !slices.Contains(ops, pcall.Operation) || side != "" && pcall.Side != side {
			continue
		}
		c := Call{Operation: pcall.Operation, Bucket: pcall.Bucket, Key: pcall.Key,
			SourceBucket: pcall.SourceBucket, SourceKey: pcall.SourceKey, Prefix: pcall.Prefix,
			Why: p.Model.Name + ": " + pcall.Why}
		if object != "" {
			c.Key, c.SourceKey = underObject(c.Key, object), underObject(c.SourceKey, object)
		}
		if !slices.ContainsFunc(out, func(o Call) bool { return o.same(c) }) {
			out = append(out, c)
		}
	}
	return out
}

// underObject turns a key pattern "prefix*" into the object path under
// the prefix.
func underObject(pattern, object string) string {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return p + object
	}
	return pattern
}

func (c Call) same(o Call) bool {
	return c.Operation == o.Operation && c.Bucket == o.Bucket && c.Key == o.Key && c.SourceBucket == o.SourceBucket && c.SourceKey == o.SourceKey
}

// readOps are object reads: of the copy source when the text names a
// copy ("copy failed: s3://src/k to s3://dst/k").
var readOps = map[string]bool{"GetObject": true, "HeadObject": true, "GetObjectTagging": true, "GetObjectAcl": true, "GetObjectAttributes": true}

// textCall is a call of operation name on the targets the text names.
func textCall(name string, e *Error, why string) Call {
	c := Call{Operation: name, Why: why}
	op, ok := s3ops.Find(name)
	if !ok || op.Service != "s3" {
		return c
	}
	switch {
	case name == "CopyObject" || name == "UploadPartCopy":
		c.Bucket, c.Key, c.SourceBucket, c.SourceKey = e.Bucket, e.Key, e.SourceBucket, e.SourceKey
	case readOps[name] && e.SourceBucket != "":
		c.Bucket, c.Key = e.SourceBucket, e.SourceKey
	default:
		c.Bucket, c.Key = e.Bucket, e.Key
	}
	if !needsKey(op) {
		c.Key = ""
	} else if c.Bucket != "" && c.Key == "" {
		c.Key = "*"
	}
	return c
}

// head reports whether the call is a HEAD request, whose error response
// has no body: the client sees the status only (403, Forbidden).
func (c Call) head() bool {
	op, ok := s3ops.Find(c.Operation)
	return ok && strings.HasPrefix(op.HTTP, "HEAD ")
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
		return objectARNOr(c.Bucket, c.Key, "BUCKET")
	case s3ops.SourceObject:
		return objectARNOr(c.SourceBucket, c.SourceKey, "SOURCE-BUCKET")
	case s3ops.AnyResource:
		return "*"
	}
	return ""
}

// objectARNOr is the ARN of an object, with placeholder for an unknown
// bucket and "*" for an unknown key.
func objectARNOr(bucket, key, placeholder string) string {
	if bucket == "" {
		bucket = placeholder
	}
	if key == "" {
		key = "*"
	}
	return bucketARN(bucket) + "/" + key
}

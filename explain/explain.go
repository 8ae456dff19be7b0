package explain

import (
	"encoding/json"
	"sort"
	"time"

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

	// from says where the calls came from when the text names no call.
	from string
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
	// Decision is "allow", "implicitDeny" or "explicitDeny", as in every
	// JSON output of lockstep (eval's "decision").
	Decision string `json:"decision"`
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
	if e.Cause != "" && e.Code == "" {
		// Not a denied permission: the model says what it is.
		x.Exact = true
		return x, nil
	}
	if e.Client == "" && o.Command != nil {
		e.Client = o.Command.Client
	}
	x.inferCalls(o.Command)
	for i, c := range x.Calls {
		x.addCandidates(i, c)
	}
	x.kmsOnly()
	x.detailed()
	x.notes(o.World != nil)
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

func (x *Explanation) notes(withWorld bool) {
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
	if x.from != "" {
		n := "the error names no call: the candidates are " + x.from
		switch {
		case x.Command == nil && x.Error.Command == "":
			n += "; pass the client command after -- (and --world) to narrow it down"
		case !withWorld:
			n += "; pass --world to narrow it down"
		}
		x.Notes = append(x.Notes, n)
	}
}

package prove

import (
	"fmt"
	"strings"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/plan"
)

// Call is one call of a run, read from the emulator's audit log.
type Call struct {
	// Operation is the S3 operation, or the KMS action ("kms:Decrypt")
	// of a call S3 made to KMS for the client.
	Operation string
	// Bucket and Key name the S3 target; empty for KMS calls.
	Bucket, Key string
	// ByS3 marks a KMS call S3 made on the client's behalf; KeyARN is
	// the key it used.
	ByS3   bool
	KeyARN string
	// Denied is true when the call got AccessDenied.
	Denied bool
	// Size is the size of the test object the call was about, -1 when
	// the call is not about one of them.
	Size int64
	// Existing is true when the destination had that test object from
	// the start.
	Existing bool
	// Caller is the ARN that signed the call (the audit log's
	// userIdentity); Signer, with two credential sets, says whose it is,
	// "source" or "destination" (signedBy), "" for neither.
	Caller, Signer string
}

// String is "Operation s3://bucket/key" or "kms:Action on KEY-ARN (by
// S3)", with the size of a test object.
func (c Call) String() string {
	if c.ByS3 {
		if c.KeyARN != "" {
			return c.Operation + " on " + c.KeyARN + " (by S3)"
		}
		return c.Operation + " (by S3)"
	}
	s := c.Operation
	if c.Bucket != "" {
		s += " s3://" + c.Bucket
		if c.Key != "" {
			s += "/" + c.Key
		}
	}
	if c.Size >= 0 {
		s += fmt.Sprintf(" (%d bytes)", c.Size)
	}
	if c.Signer != "" {
		s += " signed by the " + c.Signer + "'s principal"
	}
	return s
}

// observe reads the calls of the records.
func observe(records []emulator.Record) []Call {
	var out []Call
	for _, r := range records {
		c := Call{Operation: r.EventName, Denied: r.ErrorCode == "AccessDenied" || r.ErrorCode == "AccessDeniedException", Size: -1, Caller: r.UserIdentity.ARN}
		if r.EventSource == "kms.amazonaws.com" {
			c.Operation, c.ByS3 = "kms:"+r.EventName, true
			for _, res := range r.Resources {
				if res.Type == "AWS::KMS::Key" {
					c.KeyARN = res.ARN
				}
			}
		} else {
			c.Bucket, _ = r.RequestParameters["bucketName"].(string)
			c.Key, _ = r.RequestParameters["key"].(string)
		}
		out = append(out, c)
	}
	return out
}

// denied lists the denied calls, each once, in order.
func denied(calls []Call) []string {
	var out []string
	for _, c := range calls {
		if c.Denied && !containsString(out, c.String()) {
			out = append(out, c.String())
		}
	}
	return out
}

// matches reports whether an observed call is the planned call: same
// operation, bucket and key (the plan's key may be a pattern ending in
// "*"), and, for a call about a test object of known size, the size class
// the plan makes the call for (a call planned for objects below the
// multipart threshold does not account for one made for a larger object).
func matches(c Call, pc plan.Call) bool {
	if c.ByS3 || c.Operation != pc.Operation || c.Bucket != pc.Bucket {
		return false
	}
	if pc.Signer != "" && c.Signer != pc.Signer {
		// Two credential sets: signed by the other principal, it is
		// another call.
		return false
	}
	// A call without a key names its objects in the request body, which
	// the audit log does not record (DeleteObjects): it is the planned
	// call on objects of its bucket.
	if pc.Key != "" && c.Key != "" {
		if prefix, ok := strings.CutSuffix(pc.Key, "*"); ok {
			if !strings.HasPrefix(c.Key, prefix) {
				return false
			}
		} else if c.Key != pc.Key {
			return false
		}
	}
	if c.Size < 0 {
		// Not a test object (a probe, a destination-only object): a call
		// the plan makes only for objects of some size is not it.
		return pc.Size == ""
	}
	if pc.Existing && !c.Existing {
		// A call the plan makes only for objects the destination has
		// does not account for one made for another object.
		return false
	}
	return pc.Size == "" || sizeClass(c.Size, pc.Threshold) == pc.Size
}

// sizeClass is "small" below the multipart threshold, "large" from it.
func sizeClass(n, threshold int64) string {
	if n < threshold {
		return "small"
	}
	return "large"
}

// signedBy sets the Signer of each call of a plan with two credential
// sets: "source" when its caller is the source's principal,
// "destination" when the destination's.
func signedBy(calls []Call, p *plan.Plan) {
	if !p.TwoPrincipals() {
		return
	}
	for i := range calls {
		switch {
		case sameCaller(calls[i].Caller, p.Context.SourcePrincipal):
			calls[i].Signer = "source"
		case sameCaller(calls[i].Caller, p.Context.Principal):
			calls[i].Signer = "destination"
		}
	}
}

// sameCaller reports whether a caller ARN of the audit log is the
// principal: the same ARN, or a session of the principal's role (a
// proof runs a role ARN as a session of it).
func sameCaller(caller, principal string) bool {
	if caller == "" || principal == "" {
		return false
	}
	if caller == principal {
		return true
	}
	rest, ok := strings.CutPrefix(principal, "arn:aws:iam::")
	account, role, isRole := strings.Cut(rest, ":role/")
	return ok && isRole && strings.HasPrefix(caller, "arn:aws:sts::"+account+":assumed-role/"+role[strings.LastIndex(role, "/")+1:]+"/")
}

// annotate sets the size of each call about a test object, and whether
// the destination had that object from the start.
func annotate(calls []Call, sizeOf func(key string) (int64, bool), existing func(key string) bool) {
	for i := range calls {
		if calls[i].Key == "" {
			continue
		}
		if n, ok := sizeOf(calls[i].Key); ok {
			calls[i].Size = n
			calls[i].Existing = existing(calls[i].Key)
		}
	}
}

// unplannedDenials are the denied calls of a run with every planned
// permission that the plan does not account for: calls the plan does not
// list, or lists as needing a permission. A planned optional call may be
// denied: the client does without it.
func unplannedDenials(p *plan.Plan, calls []Call) []string {
	var out []string
	for _, c := range calls {
		if !c.Denied {
			continue
		}
		tolerated := false
		for _, pc := range p.Calls {
			if pc.Optional && matches(c, pc) {
				tolerated = true
			}
		}
		if !tolerated && !containsString(out, c.String()) {
			out = append(out, c.String())
		}
	}
	return out
}

// unexercised lists what the plan needs that the run never did: a planned
// call no observed call matches; a planned call on objects that was not
// made for an object of each size class of the test data it claims (a
// call planned for every size but made only for large objects is wrong
// for small ones); or a KMS action S3 should have called for the client.
// A proof whose data does not make the client take a planned path cannot
// show that path's permissions sufficient.
func unexercised(p *plan.Plan, calls []Call, sizes, existingSizes []int64) []string {
	var out []string
	for i, pc := range p.Calls {
		seen := false
		for _, c := range calls {
			// An optional call is shown made by a denied call, or by one
			// no required call of the plan accounts for: a call the client
			// makes anyway (lockstep's preflight read beside the copy
			// path's probe) does not show it.
			seen = seen || (matches(c, pc) && (!pc.Optional || c.Denied || !requiredMatch(p, c)))
		}
		if !seen {
			out = append(out, fmt.Sprintf("call %d %s s3://%s (%s)", i+1, pc.Operation, pc.Bucket, pc.When))
			continue
		}
		aboutObjects := false
		for _, c := range calls {
			aboutObjects = aboutObjects || (c.Size >= 0 && matches(c, pc))
		}
		if !aboutObjects || pc.Optional || pc.Once {
			// Made once per run (a probe), not for every object size.
			continue
		}
		for _, class := range []string{"small", "large"} {
			if pc.Size != "" && pc.Size != class {
				continue
			}
			inData, made := false, false
			data := sizes
			if pc.Existing {
				// Made only for objects the destination has: only theirs
				// count.
				data = existingSizes
			}
			for _, n := range data {
				inData = inData || sizeClass(n, pc.Threshold) == class
			}
			for _, c := range calls {
				made = made || (c.Size >= 0 && sizeClass(c.Size, pc.Threshold) == class && matches(c, pc))
			}
			if inData && !made {
				out = append(out, fmt.Sprintf("call %d %s s3://%s (%s) for a %s object", i+1, pc.Operation, pc.Bucket, pc.When, class))
			}
		}
	}
	for _, n := range p.Needs {
		if n.Via != "s3" {
			continue
		}
		seen := false
		for _, c := range calls {
			seen = seen || (c.ByS3 && strings.EqualFold(c.Operation, n.Action))
		}
		if !seen {
			out = append(out, n.Action+" by S3 on "+n.Resource)
		}
	}
	return out
}

// requiredMatch reports whether a required (not optional) call of the
// plan matches an observed call.
func requiredMatch(p *plan.Plan, c Call) bool {
	for _, pc := range p.Calls {
		if !pc.Optional && matches(c, pc) {
			return true
		}
	}
	return false
}

// unplannedCalls lists the calls of a run that no planned call matches
// (KMS calls by S3 are the plan's needs, not its calls): the plan does not
// describe what the client does, even if the permissions happen to cover
// it.
func unplannedCalls(p *plan.Plan, calls []Call) []string {
	var out []string
	for _, c := range calls {
		if c.ByS3 {
			continue
		}
		planned := false
		for _, pc := range p.Calls {
			planned = planned || matches(c, pc)
		}
		if !planned && !containsString(out, c.String()) {
			out = append(out, c.String())
		}
	}
	return out
}

// newDenials are the denied calls of a run that the baseline did not
// have.
func newDenials(base, run []Call) []string {
	var out []string
	for _, d := range denied(run) {
		if !containsString(denied(base), d) {
			out = append(out, d)
		}
	}
	return out
}

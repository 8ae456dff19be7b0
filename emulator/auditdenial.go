package emulator

import (
	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
)

// Denial is the additionalEventData of the audit record of a denied call
// (docs/emulator.md "Audit log"): which check was denied, the policy and
// statement that decided, and the conditions that kept an Allow statement
// from applying, so that a user sees why without re-running lockstep eval.
type Denial struct {
	// Action and Resource are the denied check.
	Action   string `json:"deniedAction"`
	Resource string `json:"deniedResource"`
	// Decision is "explicitDeny" or "implicitDeny".
	Decision string `json:"decision"`
	// PolicyType is the type that decided, in AWS's words
	// ("identity-based policy"); Policy and Statement name the Deny
	// statement of an explicit deny.
	PolicyType string `json:"decidingPolicyType"`
	Policy     string `json:"decidingPolicy,omitempty"`
	Statement  string `json:"decidingStatement,omitempty"`
	// FailedConditions are the Allow statements that matched the
	// principal, action and resource but whose condition was false.
	FailedConditions []FailedCondition `json:"failedConditions,omitempty"`
	// Explanation is the decision in one line (authz.Decision.Summary).
	Explanation string `json:"explanation"`
}

// FailedCondition is one Allow statement that did not apply because of a
// condition.
type FailedCondition struct {
	PolicyType string `json:"policyType"`
	Policy     string `json:"policy,omitempty"`
	Statement  string `json:"statement"`
	// Condition is the operator and key as written: "StringLike s3:prefix".
	Condition string `json:"condition"`
	Key       string `json:"key"`
	// Present is false when the request did not have the key; Values are
	// its values when it did.
	Present bool     `json:"present"`
	Values  []string `json:"values,omitempty"`
	// Text says it in one line: "s3:prefix absent", `s3:prefix is "a/"`.
	Text string `json:"text"`
}

// firstDenied returns the first denied check of a call, nil when none was.
func firstDenied(checks []enforce.Check) *enforce.Check {
	for i := range checks {
		if !checks[i].Decision.Allowed() {
			return &checks[i]
		}
	}
	return nil
}

// denial describes a denied check for the audit log. The decision is the
// check's own (with the object context of docs/authorization.md §2.5
// applied); the failed conditions come from the trace of its request.
func denial(ch *enforce.Check) *Denial {
	d := ch.Decision
	out := &Denial{Action: ch.Action, Resource: ch.Resource, Decision: d.Effect.String(),
		PolicyType: d.TypePhrase(), Explanation: d.Summary()}
	if d.Effect == authz.ExplicitDeny && !d.By.IsZero() {
		if d.By.Policy != nil {
			out.Policy = d.By.Policy.Name
		}
		out.Statement = d.By.Statement.Label()
	}
	if ch.Request == nil || d.Effect == authz.ExplicitDeny {
		return out
	}
	_, tr := authz.Explain(ch.Request)
	for _, st := range tr.Steps {
		if st.Failed == nil || st.Effect != "Allow" {
			continue
		}
		f := st.Failed
		out.FailedConditions = append(out.FailedConditions, FailedCondition{
			PolicyType: st.Type.Phrase(), Policy: st.Policy, Statement: st.Statement,
			Condition: f.Operator + " " + f.Key, Key: f.Key, Present: f.Present, Values: f.Values, Text: f.Observed(),
		})
	}
	return out
}

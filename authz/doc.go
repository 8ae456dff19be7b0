// Package authz decides whether a request is allowed, the way AWS does,
// and explains why.
//
// A Request names a Principal (with its identity policies, permissions
// boundary, session policies and the SCPs above its account), an action, a
// Resource (with its resource-based policy: bucket policy, KMS key policy or
// role trust policy, and the RCPs above its account) and the request
// context. Decide evaluates every applicable policy once and returns a
// Decision: Allow, ImplicitDeny or ExplicitDeny, the policy type, policy and
// statement that decided, and AWS's own error message. Explain does the
// same and also records a step-by-step trace.
//
// The algorithm is that of the project's rules,
// docs/authorization.md: §1.3 (single account), §1.4
// (cross-account), §3.4 (KMS key policies: IAM counts only when the key
// policy delegates to the account; role trust policies follow the same
// rule), §1.7 and §4.2 (messages) and §2.4 (403 instead of 404 for a missing
// object). Each rule is cited where it is implemented and in the decision
// cases under testdata/.
//
// Decide does not allocate: the Decision refers to the deciding policy and
// statement, and formats its message only when asked.
package authz

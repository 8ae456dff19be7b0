// Package policy owns the AWS IAM policy language: it parses policy
// documents of every type AWS accepts (identity, resource, KMS key, role
// trust, permissions boundary, session and SCP), validates them against the
// rules of their type, and compiles them once into matchers that evaluate a
// request without re-parsing.
//
// The package answers one question per statement: does this statement apply
// to this request? Combining statements and policy types into an
// authorization decision is the job of package authz.
//
// The semantics implemented here are those of the project's specification,
// docs/authorization.md (cited as "docs/authorization.md §N" in comments):
// §1.5 for the Principal, Action, Resource and Version elements, §1.6 for
// conditions, policy variables and multi-valued keys. Where AWS behaviour is
// not documented the safer reading is taken and recorded in docs/decisions.md.
package policy

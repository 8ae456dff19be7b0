// Package auditview renders CloudTrail records, the emulator's audit log
// or AWS's own, one line a call for people: time, principal, operation,
// resource, decision, and for a denial why (the deciding statement, the
// failed condition, or the missing permission). lockstep audit and
// lockstep serve --log print it.
package auditview

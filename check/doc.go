// Package check simulates a client command against the policies already in
// a world, before anything runs: `lockstep check`.
//
// The calls are the planner's (package plan: the client's behaviour model
// and the operation catalogue), each authorized by the engine as the
// emulator would (enforce.Authorize) with a representative object key for
// key patterns ("p/*" is checked as "p/lockstep-check-object"), the
// listing prefix as s3:prefix, and the buckets' default KMS keys. A denied
// call is explained the way lockstep explain explains a pasted error, with
// the same code (explain.Judge): the policy and statement that decided,
// the line the real client prints, and the smallest change that allows it,
// one Allow statement per policy to add, or the Deny statement to remove or
// narrow. Report.Diff gathers those changes per policy.
//
// Calls the planner marks Optional (the client goes on when they are
// denied) are reported but do not make the check fail.
package check

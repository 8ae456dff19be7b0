// Package replication is the one home of S3 Replication's facts: the
// replication configuration (the V2 schema of PutBucketReplication), parsed
// and validated as S3 validates it (docs/emulator.md "Replication
// configuration"); which rule applies to an object and what it says
// (destination, delete markers, KMS, owner override); and the calls S3
// makes as the replication role, each with the IAM action, the resource and
// the conditions it is authorized with (docs/authorization.md §2.7
// "Replication"). The emulator serves the configuration with it, the
// planner plans the replication role's policies from it, and the
// replication engine replicates by it.
package replication

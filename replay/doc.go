// Package replay runs the commands of a scenario's steps (the seed
// experiments in examples/) with the real clients, the AWS CLI v2 and
// rclone, against an embedded emulator: each step's world is served in
// turn, the step's principal signs (a role session as an EC2 instance
// profile would give it, or the user's access key), and the emulator's
// CloudTrail records of the step come back with the client's output.
// `lockstep demo` and the end-to-end tests use it.
package replay

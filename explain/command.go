package explain

import "github.com/lockstep-dev/lockstep/plan"

// Command is a client command line, as far as explain needs it: which
// client, which buckets and keys on each side, and the flags that change
// the calls made.
type Command struct {
	// Client is "aws-cli", "rclone" or "s5cmd".
	Client string `json:"client"`
	// Verb is the subcommand: sync, cp, mv, rm, copy, copyto, move...
	Verb   string   `json:"verb"`
	Source Location `json:"source"`
	// Dest is empty for rm.
	Dest Location `json:"dest"`
	// ACL is true when the command sends an ACL header (--acl, --s3-acl).
	ACL bool `json:"acl,omitempty"`
	// NoCheckBucket is rclone's --s3-no-check-bucket.
	NoCheckBucket bool `json:"noCheckBucket,omitempty"`
	// Args is the command as given.
	Args []string `json:"args"`

	// parsed is the planner's reading, whose plan gives the calls.
	parsed *plan.Command
}

// Location is one side of a command: an S3 bucket and key (or prefix), or
// a local path.
type Location struct {
	Bucket string `json:"bucket,omitempty"`
	// Key is the object key or prefix; it ends in "/" or is empty for a
	// prefix.
	Key   string `json:"key,omitempty"`
	Local string `json:"local,omitempty"`
}

// S3 reports whether the location is in S3.
func (l Location) S3() bool { return l.Bucket != "" }

func (l Location) String() string {
	if l.S3() {
		return "s3://" + l.Bucket + "/" + l.Key
	}
	return l.Local
}

// ParseCommand reads a client command line with the planner's parser
// (package plan, the one reading of client command lines): `aws s3
// sync|cp|mv|rm ...`, `rclone copy|sync|move|copyto ...` with an S3 remote
// ("remote:bucket/path" or ":s3,...:bucket/path"), `s5cmd cp|sync|mv|rm`.
// An aws command is read as the AWS CLI v2's.
func ParseCommand(args []string) (*Command, error) { return ParseCommandAs(args, "") }

// ParseCommandAs is ParseCommand with the client's behaviour model named:
// plan.AWSv1 for a command of the AWS CLI v1; empty: from the command.
func ParseCommandAs(args []string, client plan.Client) (*Command, error) {
	pc, err := plan.ParseCommand(args, client)
	if err != nil {
		return nil, err
	}
	c := &Command{Client: clientName(pc.Client), Verb: pc.Verb, Source: location(pc.Source), Dest: location(pc.Dest), Args: args, parsed: pc}
	acl := pc.Flags["acl"]
	c.ACL = acl != "" && acl != "private"
	c.NoCheckBucket = pc.Has("no-check-bucket")
	return c, nil
}

func location(l plan.Location) Location {
	return Location{Bucket: l.Bucket, Key: l.Key, Local: l.Local}
}

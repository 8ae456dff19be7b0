package check

import (
	"path"
	"strings"

	"github.com/lockstep-dev/lockstep/plan"
)

// clientError is the line the client of cmd prints when call c is denied
// and S3 answers with msg (the <Message> of its AccessDenied error). HEAD
// responses have no body: the clients see only the status, 403 Forbidden.
// The forms are those lockstep explain reads (explain.Forms). awsLine is
// enforce.Result.ClientError() of the call, the AWS CLI's line, or empty
// when the operation's own checks all allowed (a planner-added check
// failed).
func clientError(cmd *plan.Command, c *Call, msg, awsLine string) string {
	head := c.Operation == "HeadObject" || c.Operation == "HeadBucket"
	src, dst := paths(cmd, c)
	switch cmd.Client {
	case plan.Rclone:
		e := "AccessDenied: " + msg + " status code: 403"
		if head {
			e = "Forbidden: Forbidden status code: 403"
		}
		switch {
		case c.Operation == "ListObjectsV2":
			where := "S3 bucket " + c.Bucket
			if c.Prefix != nil && *c.Prefix != "" {
				where += " path " + strings.TrimSuffix(*c.Prefix, "/")
			}
			return "ERROR : " + where + ": error reading " + c.Side + " root directory: " + e
		case c.Optional:
			// rclone takes the denial as "not a file" and lists instead.
			return e
		case c.Operation == "DeleteObject":
			return "ERROR : " + relative(cmd, c) + ": Couldn't delete: " + e
		}
		return "ERROR : " + relative(cmd, c) + ": Failed to copy: " + e
	case plan.S5cmd:
		e := "AccessDenied: " + msg + " status code: 403"
		if head {
			e = "Forbidden: Forbidden status code: 403"
		}
		line := cmd.Verb + " " + src
		if dst != "" {
			line += " " + dst
		}
		return `ERROR "` + line + `": ` + e
	}
	e := awsLine
	if e == "" {
		e = "An error occurred (AccessDenied) when calling the " + c.Operation + " operation: " + msg
	}
	if head {
		e = "An error occurred (403) when calling the " + c.Operation + " operation: Forbidden"
	}
	if cmd.Client == plan.Lockstep {
		// lockstep prints the AWS CLI's per-object lines; a listing or the
		// HeadObject of cp's one object stops it with its own line, and
		// the SDK names a HEAD's 403 Forbidden (cmd/lockstep/transfer_print.go).
		if head {
			e = "An error occurred (Forbidden) when calling the " + c.Operation + " operation: Forbidden"
		}
		switch {
		case c.Operation == "ListObjectsV2":
			prefix := ""
			if c.Prefix != nil {
				prefix = *c.Prefix
			}
			return "lockstep: listing s3://" + c.Bucket + "/" + prefix + ": " + e
		case c.Operation == "HeadObject" && !cmd.Recursive && c.Side == "source":
			return "lockstep: reading s3://" + c.Bucket + "/" + c.Key + ": " + e
		}
	}
	switch {
	case c.Operation == "ListObjectsV2" || c.Operation == "ListObjects" || c.Operation == "HeadBucket",
		c.Operation == "HeadObject" && !cmd.Recursive && c.Side == "source":
		return "fatal error: " + e
	case c.Operation == "DeleteObject" || c.Operation == "DeleteObjects":
		return "delete failed: s3://" + c.Bucket + "/" + c.Key + " " + e
	case cmd.Source.IsS3() && cmd.Dest.IsS3():
		return "copy failed: " + src + " to " + dst + " " + e
	case cmd.Source.IsS3():
		return "download failed: " + src + " to " + dst + " " + e
	}
	return "upload failed: " + src + " to " + dst + " " + e
}

// relative is the name of the call's object relative to its side of the
// command, as the clients print it.
func relative(cmd *plan.Command, c *Call) string {
	loc := cmd.Dest
	if c.Side == "source" {
		loc = cmd.Source
	}
	if c.Key == "" {
		return ObjectName
	}
	if cmd.Recursive {
		return strings.TrimPrefix(c.Key, loc.Key)
	}
	return path.Base(c.Key)
}

// paths are the source and destination of the object the call moves, as
// the clients print them.
func paths(cmd *plan.Command, c *Call) (src, dst string) {
	rel := relative(cmd, c)
	return where(cmd.Source, rel, cmd.Recursive), where(cmd.Dest, rel, cmd.Recursive)
}

func where(loc plan.Location, rel string, recursive bool) string {
	switch {
	case loc.IsS3() && recursive:
		return "s3://" + loc.Bucket + "/" + loc.Key + rel
	case loc.IsS3():
		return "s3://" + loc.Bucket + "/" + loc.Key
	case loc.Local == "":
		return ""
	case recursive || loc.Local == "." || strings.HasSuffix(loc.Local, "/"):
		return path.Join(loc.Local, rel)
	}
	return loc.Local
}

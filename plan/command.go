package plan

import (
	"fmt"
	"os"
	"path"
	"strings"
)

// Client names a client and the version family whose behaviour model
// applies.
type Client string

// The clients lockstep has behaviour models for.
const (
	AWSv1  Client = "aws-v1"
	AWSv2  Client = "aws-v2"
	Rclone Client = "rclone"
	S5cmd  Client = "s5cmd"
)

// Location is one side of a command: a local path or an S3 bucket and
// prefix (or key).
type Location struct {
	// Local is the local path; empty for S3.
	Local string
	// Bucket and Key name the S3 side. Key is the prefix for directory
	// operations and the object key for single-object ones.
	Bucket, Key string
}

// IsS3 reports whether the location is in S3.
func (l Location) IsS3() bool { return l.Bucket != "" }

func (l Location) String() string {
	if l.IsS3() {
		return "s3://" + l.Bucket + "/" + l.Key
	}
	return l.Local
}

// Command is a client command line, parsed.
type Command struct {
	Client Client
	// Verb is the subcommand: sync, cp, mv, rm (aws, s5cmd); copy, sync,
	// move, copyto (rclone).
	Verb string
	// Source and Dest are the two sides; Dest is empty for rm.
	Source, Dest Location
	// Recursive is true for directory operations: aws sync, cp/mv/rm
	// --recursive, rclone copy/sync/move, s5cmd sync and wildcards.
	Recursive bool
	// Flags holds the flags that change the calls, normalized: "delete",
	// "acl", "sse", "sse-kms-key-id", "copy-props", "no-check-bucket",
	// "no-head", "checksum", "size-only", "fast-list", "dryrun",
	// "include", "exclude".
	Flags map[string]string
	// Args is the command line as given.
	Args []string
}

// Has reports whether a flag is set.
func (c *Command) Has(flag string) bool { _, ok := c.Flags[flag]; return ok }

// String is the command line as given.
func (c *Command) String() string { return strings.Join(c.Args, " ") }

// ParseCommand reads a client command line as the user types it, e.g.
// ["aws", "s3", "sync", "s3://b/p", ".", "--delete"]. client overrides
// the detection of the client version ("aws-v1", "aws-v2"); empty: the
// AWS CLI is taken to be v2.
func ParseCommand(args []string, client Client) (*Command, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("no client command: give it after --, e.g. lockstep plan -- aws s3 sync s3://bucket/prefix ./dir")
	}
	bin := path.Base(args[0])
	switch {
	case bin == "aws":
		if client == "" {
			client = AWSv2
		}
		if client != AWSv1 && client != AWSv2 {
			return nil, fmt.Errorf("--client %s does not match the command %s", client, bin)
		}
		return parseAWS(args, client)
	case bin == "rclone":
		return parseRclone(args)
	case bin == "s5cmd":
		return parseS5cmd(args)
	}
	return nil, fmt.Errorf("%q: lockstep plans aws s3 (sync, cp, mv, rm), rclone (copy, sync, move, copyto) and s5cmd (cp, sync, mv, rm) commands", args[0])
}

// awsValueFlags are the AWS CLI flags that take a value.
var awsValueFlags = map[string]bool{
	"--endpoint-url": true, "--profile": true, "--region": true, "--source-region": true, "--acl": true,
	"--sse": true, "--sse-kms-key-id": true, "--copy-props": true, "--exclude": true, "--include": true,
	"--storage-class": true, "--grants": true, "--metadata": true, "--metadata-directive": true,
	"--content-type": true, "--cache-control": true, "--expires": true, "--page-size": true,
	"--sse-c": true, "--sse-c-key": true, "--sse-c-copy-source": true, "--sse-c-copy-source-key": true,
	"--website-redirect": true, "--content-disposition": true, "--content-encoding": true,
	"--content-language": true, "--expected-size": true, "--output": true, "--checksum-algorithm": true,
	"--cli-read-timeout": true, "--cli-connect-timeout": true, "--ca-bundle": true, "--request-payer": true,
	"--case-conflict": true, "--checksum-mode": true,
}

// flagArg is one flag of a command line and its value ("" for a switch).
type flagArg struct{ name, value string }

// scanArgs splits a command line (without the program name) into its
// positional arguments and flags: "--name=value", "--name value" for the
// flags in takesValue, and switches. An argument "-" is positional.
func scanArgs(args []string, takesValue map[string]bool) (pos []string, flags []flagArg, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		if takesValue[name] && !hasVal {
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("%s needs a value", name)
			}
			i++
			val = args[i]
		}
		flags = append(flags, flagArg{name, val})
	}
	return pos, flags, nil
}

// keepName gives the object key of a single-object copy to a destination
// directory: cp file s3://b/dir/ keeps the file's name.
func (c *Command) keepName() {
	if !c.Dest.IsS3() || (c.Dest.Key != "" && !strings.HasSuffix(c.Dest.Key, "/")) {
		return
	}
	name := path.Base(c.Source.Key)
	if !c.Source.IsS3() {
		name = path.Base(c.Source.Local)
	}
	c.Dest.Key += name
}

func parseAWS(args []string, client Client) (*Command, error) {
	c := &Command{Client: client, Flags: map[string]string{}, Args: args}
	pos, flags, err := scanArgs(args[1:], awsValueFlags)
	if err != nil {
		return nil, err
	}
	for _, f := range flags {
		key := strings.TrimPrefix(f.name, "--")
		switch key {
		case "include", "exclude":
			c.Flags[key] += f.value + "\n"
		default:
			c.Flags[key] = f.value
		}
	}
	if len(pos) < 2 || pos[0] != "s3" {
		return nil, fmt.Errorf("%s: lockstep plans aws s3 commands (aws s3 sync|cp|mv|rm ...)", strings.Join(args, " "))
	}
	c.Verb = pos[1]
	ops := pos[2:]
	switch c.Verb {
	case "sync":
		c.Recursive = true
	case "cp", "mv":
		c.Recursive = c.Has("recursive")
	case "rm":
		c.Recursive = c.Has("recursive")
		if len(ops) != 1 {
			return nil, fmt.Errorf("aws s3 rm takes one s3:// path")
		}
		src, err := awsLocation(ops[0])
		if err != nil || !src.IsS3() {
			return nil, fmt.Errorf("aws s3 rm %s: the path must be s3://bucket/key", ops[0])
		}
		c.Source = src
		if c.Recursive {
			c.Source.Key = dirPrefix(c.Source.Key)
		}
		return c, nil
	default:
		return nil, fmt.Errorf("aws s3 %s: lockstep plans sync, cp, mv and rm", c.Verb)
	}
	if len(ops) != 2 {
		return nil, fmt.Errorf("aws s3 %s takes a source and a destination, got %d paths", c.Verb, len(ops))
	}
	if c.Source, err = awsLocation(ops[0]); err != nil {
		return nil, err
	}
	if c.Dest, err = awsLocation(ops[1]); err != nil {
		return nil, err
	}
	if !c.Source.IsS3() && !c.Dest.IsS3() {
		return nil, fmt.Errorf("aws s3 %s: at least one side must be s3://", c.Verb)
	}
	if c.Recursive {
		c.Source.Key = dirPrefix(c.Source.Key)
		c.Dest.Key = dirPrefix(c.Dest.Key)
	} else {
		c.keepName()
	}
	if c.Has("delete") && c.Verb != "sync" {
		return nil, fmt.Errorf("--delete applies to aws s3 sync only")
	}
	if c.Verb == "sync" || c.Verb == "cp" || c.Verb == "mv" {
		if _, ok := c.Flags["copy-props"]; !ok {
			c.Flags["copy-props"] = "default"
		}
	}
	return c, nil
}

// awsLocation reads an AWS CLI path: s3://bucket/key or a local path.
func awsLocation(p string) (Location, error) {
	rest, ok := strings.CutPrefix(p, "s3://")
	if !ok {
		return Location{Local: p}, nil
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("%s: no bucket name", p)
	}
	return Location{Bucket: bucket, Key: key}, nil
}

// dirPrefix turns a directory key into the prefix clients list:
// "p" and "p/" are "p/", "" stays "".
func dirPrefix(k string) string {
	if k == "" || strings.HasSuffix(k, "/") {
		return k
	}
	return k + "/"
}

// rcloneValueFlags are the rclone flags with a value that matter or must
// be skipped.
var rcloneValueFlags = map[string]bool{
	"--s3-acl": true, "--s3-bucket-acl": true, "--s3-server-side-encryption": true, "--s3-sse-kms-key-id": true,
	"--transfers": true, "--checkers": true, "--config": true, "--include": true, "--exclude": true,
	"--filter": true, "--s3-upload-cutoff": true, "--s3-chunk-size": true, "--s3-copy-cutoff": true,
	"--log-level": true, "--log-file": true, "--retries": true, "--s3-region": true, "--s3-endpoint": true,
	"--s3-provider": true, "--max-age": true, "--min-age": true, "--bwlimit": true,
}

func parseRclone(args []string) (*Command, error) {
	c := &Command{Client: Rclone, Flags: map[string]string{}, Args: args}
	pos, flags, err := scanArgs(args[1:], rcloneValueFlags)
	if err != nil {
		return nil, err
	}
	for _, f := range flags {
		name, val := f.name, f.value
		switch name {
		case "--s3-no-check-bucket":
			c.Flags["no-check-bucket"] = ""
		case "--s3-no-head":
			c.Flags["no-head"] = ""
		case "--s3-acl":
			c.Flags["acl"] = val
		case "--s3-server-side-encryption":
			c.Flags["sse"] = val
		case "--s3-sse-kms-key-id":
			c.Flags["sse-kms-key-id"] = val
		case "--checksum", "-c":
			c.Flags["checksum"] = ""
		case "--size-only":
			c.Flags["size-only"] = ""
		case "--fast-list":
			c.Flags["fast-list"] = ""
		case "--dry-run", "-n":
			c.Flags["dryrun"] = ""
		case "--delete-before", "--delete-during", "--delete-after":
			c.Flags["delete-mode"] = strings.TrimPrefix(name, "--delete-")
		case "--include", "--exclude":
			c.Flags[strings.TrimPrefix(name, "--")] += val + "\n"
		}
	}
	if len(pos) < 1 {
		return nil, fmt.Errorf("rclone: no subcommand")
	}
	c.Verb = pos[0]
	switch c.Verb {
	case "copy", "sync", "move":
		c.Recursive = true
	case "copyto", "moveto":
	default:
		return nil, fmt.Errorf("rclone %s: lockstep plans copy, sync, move and copyto", c.Verb)
	}
	if len(pos) != 3 {
		return nil, fmt.Errorf("rclone %s takes a source and a destination", c.Verb)
	}
	if c.Verb == "sync" {
		c.Flags["delete"] = ""
	}
	if c.Source, err = rcloneLocation(pos[1]); err != nil {
		return nil, err
	}
	if c.Dest, err = rcloneLocation(pos[2]); err != nil {
		return nil, err
	}
	if !c.Source.IsS3() && !c.Dest.IsS3() {
		return nil, fmt.Errorf("rclone %s: at least one side must be an S3 remote (remote:bucket/path or :s3,...:bucket/path)", c.Verb)
	}
	if c.Recursive && !c.Source.IsS3() && localFile(c.Source.Local) {
		// rclone copy of one file: no listing; the file keeps its name
		// in the destination directory (seed 002 step 4).
		c.Recursive = false
		c.Dest.Key = dirPrefix(c.Dest.Key) + path.Base(c.Source.Local)
		return c, nil
	}
	if c.Recursive {
		c.Source.Key = dirPrefix(c.Source.Key)
		c.Dest.Key = dirPrefix(c.Dest.Key)
	}
	return c, nil
}

// localFile reports whether a local path names one file: an existing
// regular file, or, when the path does not exist here, a name with an
// extension and no trailing slash.
func localFile(p string) bool {
	if fi, err := os.Stat(p); err == nil {
		return fi.Mode().IsRegular()
	}
	return !strings.HasSuffix(p, "/") && path.Ext(p) != ""
}

// RcloneRemoteEnd is the index of the ':' that ends the remote part of an
// rclone path ("remote:" or ":s3,opt='v':", quotes allowed), -1 for a
// local path.
func RcloneRemoteEnd(p string) int {
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, ".") || !strings.Contains(p, ":") {
		return -1
	}
	end, quote := -1, byte(0)
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == ':':
			end = i
		}
	}
	return end
}

// rcloneLocation reads an rclone path: "remote:bucket/path",
// ":s3,opt=v,...:bucket/path" (quotes allowed), or a local path.
func rcloneLocation(p string) (Location, error) {
	end := RcloneRemoteEnd(p)
	if end < 0 {
		return Location{Local: p}, nil
	}
	rest := p[end+1:]
	bucket, key, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("%s: lockstep needs the bucket in the path (remote:bucket/path)", p)
	}
	return Location{Bucket: bucket, Key: key}, nil
}

// s5cmdValueFlags are the s5cmd flags that take a value.
var s5cmdValueFlags = map[string]bool{"--endpoint-url": true, "--profile": true, "--credentials-file": true,
	"--numworkers": true, "--log": true, "--retry-count": true, "--acl": true, "--sse": true,
	"--sse-kms-key-id": true, "--exclude": true, "--include": true, "--storage-class": true,
	"--concurrency": true, "--part-size": true, "--metadata-directive": true, "--content-type": true,
	"--cache-control": true, "--expires": true, "--source-region": true, "--destination-region": true}

func parseS5cmd(args []string) (*Command, error) {
	c := &Command{Client: S5cmd, Flags: map[string]string{}, Args: args}
	pos, flags, err := scanArgs(args[1:], s5cmdValueFlags)
	if err != nil {
		return nil, err
	}
	for _, f := range flags {
		name, val := f.name, f.value
		switch name {
		case "--delete":
			c.Flags["delete"] = ""
		case "--acl", "--sse", "--sse-kms-key-id":
			c.Flags[strings.TrimPrefix(name, "--")] = val
		case "--size-only":
			c.Flags["size-only"] = ""
		case "--dry-run":
			c.Flags["dryrun"] = ""
		case "--include", "--exclude":
			c.Flags[strings.TrimPrefix(name, "--")] += val + "\n"
		}
	}
	if len(pos) < 2 {
		return nil, fmt.Errorf("s5cmd: expected a subcommand and paths")
	}
	c.Verb = pos[0]
	ops := pos[1:]
	switch c.Verb {
	case "cp", "mv", "sync":
	case "rm":
		if len(ops) != 1 {
			return nil, fmt.Errorf("s5cmd rm: lockstep plans one s3:// path")
		}
		src, _ := s5Location(ops[0])
		if !src.IsS3() {
			return nil, fmt.Errorf("s5cmd rm %s: the path must be s3://", ops[0])
		}
		c.Source, c.Recursive = src, strings.ContainsAny(ops[0], "*?")
		c.Source.Key = wildcardPrefix(c.Source.Key)
		return c, nil
	default:
		return nil, fmt.Errorf("s5cmd %s: lockstep plans cp, sync, mv and rm", c.Verb)
	}
	if len(ops) != 2 {
		return nil, fmt.Errorf("s5cmd %s takes a source and a destination", c.Verb)
	}
	c.Source, _ = s5Location(ops[0])
	c.Dest, _ = s5Location(ops[1])
	c.Recursive = c.Verb == "sync" || strings.ContainsAny(ops[0], "*?") || strings.HasSuffix(ops[0], "/")
	if c.Recursive {
		c.Source.Key = wildcardPrefix(c.Source.Key)
		c.Dest.Key = dirPrefix(c.Dest.Key)
	} else {
		c.keepName()
	}
	return c, nil
}

func s5Location(p string) (Location, error) {
	rest, ok := strings.CutPrefix(p, "s3://")
	if !ok {
		return Location{Local: p}, nil
	}
	bucket, key, _ := strings.Cut(rest, "/")
	return Location{Bucket: bucket, Key: key}, nil
}

// wildcardPrefix is the listing prefix of a wildcard key: up to the
// first '*' or '?', as s5cmd lists.
func wildcardPrefix(k string) string {
	if i := strings.IndexAny(k, "*?"); i >= 0 {
		return k[:i]
	}
	return dirPrefix(k)
}

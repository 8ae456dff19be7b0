package plan

import (
	"fmt"
	"os"
	"path"
	"regexp"
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
	// Lockstep is lockstep's own sync and cp (package transfer).
	Lockstep Client = "lockstep"
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
	// move, copyto, moveto, check, delete, lsf (rclone).
	Verb string
	// Source and Dest are the two sides; Dest is empty for rm (rclone:
	// delete, lsf).
	Source, Dest Location
	// Recursive is true for directory operations: aws sync, cp/mv/rm
	// --recursive, rclone copy/sync/move, s5cmd sync and wildcards.
	Recursive bool
	// KeyPrefix marks an S3 source that names every object whose key
	// starts with Source.Key and has no further "/" (s5cmd sync of a path
	// without a wildcard), not that key alone; each object keeps its base
	// name, as in a single-object command.
	KeyPrefix bool
	// Flags holds the flags that change the calls, normalized: "delete",
	// "acl", "grants", "sse", "sse-kms-key-id", "copy-props",
	// "no-check-bucket", "no-head", "checksum", "size-only", "fast-list",
	// "dryrun", "include", "exclude", "no-clobber", "if-size-differ",
	// "if-source-newer"; lockstep's "two-credential-sets" (set with
	// Creds.TwoSets, for the model's flag tests); rclone's "bucket-acl",
	// "copy-cutoff" and "upload-cutoff" (byte counts),
	// "no-update-modtime", "use-server-modtime", "download", "recursive",
	// "format-X" for each letter X of lsf's --format.
	Flags map[string]string
	// Creds is what the command line says about who signs its requests.
	Creds Credentials
	// Args is the command line as given.
	Args []string
	// Operands are the indices in Args of the rclone subcommand and paths:
	// a flag's value such as "aws:kms" is not a remote, however it reads.
	Operands []int
}

// Credentials are the parts of a command line that choose the principal
// (ResolvePrincipal).
type Credentials struct {
	// Profile is the profile the command names: aws and s5cmd --profile,
	// rclone --s3-profile or profile= in a connection string.
	Profile string
	// AccessKeyID is an access key the command line names: rclone
	// --s3-access-key-id or access_key_id= in a connection string.
	AccessKeyID string
	// Unsigned is set by --no-sign-request (aws, s5cmd).
	Unsigned bool
	// EnvAuth is rclone's env_auth (--s3-env-auth, env_auth=true): rclone
	// signs with the credentials of the environment and the shared files.
	EnvAuth bool
	// Remote is the configured rclone remote ("name:") of an S3 side; its
	// credentials are in rclone.conf, which lockstep does not read.
	Remote string
	// Conflict says why the two sides sign differently (two rclone remotes
	// with different credentials); empty when they do not.
	Conflict string
	// TwoSets is set for lockstep sync|cp from S3 to S3 whose source and
	// destination profiles (--source-profile, --dest-profile, each
	// defaulting to --profile) differ: the source's calls are signed by
	// SourceProfile's principal, the others by Profile's, and the copies
	// stream through lockstep (docs/sync.md "Two credential sets").
	TwoSets bool
	// SourceProfile is the profile of the source's credentials with
	// TwoSets; "": the standard chain without a profile.
	SourceProfile string
}

// Has reports whether a flag is set.
func (c *Command) Has(flag string) bool { _, ok := c.Flags[flag]; return ok }

// String is the command line as given.
func (c *Command) String() string { return strings.Join(c.Args, " ") }

// Program is the client program a command line runs: the base name of
// its first word, "" for an empty command line.
func Program(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return path.Base(args[0])
}

// ParseCommand reads a client command line as the user types it, e.g.
// ["aws", "s3", "sync", "s3://b/p", ".", "--delete"]. client is the model
// (ChooseClient); empty: the program's, with aws-v2 for aws. A flag the
// client does not have, a path that is neither local nor S3, or a missing
// or extra path is an error that names it.
func ParseCommand(args []string, client Client) (*Command, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("no client command: give it after --, e.g. lockstep plan -- aws s3 sync s3://bucket/prefix ./dir")
	}
	if client == "" {
		client = programClient[Program(args)]
	}
	if err := checkClient(client, Program(args)); err != nil {
		return nil, err
	}
	switch client {
	case AWSv1, AWSv2:
		return parseAWS(args, client)
	case Rclone:
		return parseRclone(args)
	case Lockstep:
		return parseLockstep(args)
	}
	return parseS5cmd(args)
}

// programClient is the model of each program; for aws, ChooseClient
// asks the installed CLI for its version.
var programClient = map[string]Client{"aws": AWSv2, "rclone": Rclone, "s5cmd": S5cmd, "lockstep": Lockstep}

// checkClient reports whether a client model fits a program.
func checkClient(client Client, program string) error {
	fits := map[Client]string{AWSv1: "aws", AWSv2: "aws", Rclone: "rclone", S5cmd: "s5cmd", Lockstep: "lockstep"}
	switch {
	case programClient[program] == "":
		return fmt.Errorf("%q: lockstep plans aws s3 (sync, cp, mv, rm), rclone (copy, sync, move, copyto, moveto, check, delete, lsf), s5cmd (cp, sync, mv, rm) and lockstep (sync, cp) commands", program)
	case fits[client] == "":
		return fmt.Errorf("--client %q: want aws-v1, aws-v2, rclone, s5cmd or lockstep", client)
	case fits[client] != program:
		return fmt.Errorf("--client %s does not fit the command %s: the %s model is for %s commands", client, program, client, fits[client])
	}
	return nil
}

// flagKind is what lockstep knows of a client flag.
type flagKind int

const (
	// switchFlag takes no value.
	switchFlag flagKind = iota + 1
	// valueFlag takes a value: --name value or --name=value.
	valueFlag
	// optionalValue takes "requester" or nothing (aws --request-payer).
	optionalValue
)

// flagArg is one flag of a command line and its value ("" for a switch).
type flagArg struct{ name, value string }

// scanner splits a command line (without the program name) into
// positional arguments and flags, with a client's flag table.
type scanner struct {
	known func(name string) flagKind
	// boolValues: a switch may be given as --name=true or --name=false
	// (Go's flag package and pflag); false: a value on a switch is an
	// error (argparse).
	boolValues bool
	// stopAtPath: flags end at the first positional argument (urfave/cli);
	// what follows is positional.
	stopAtPath bool
}

// scan reads args. An unknown flag is an *unknownFlag error; "-" is a
// positional argument (standard input or output), and "--" ends the flags.
// at holds the index in args of each positional argument. On an error,
// pos holds the positional arguments before it.
func (s scanner) scan(args []string) (pos []string, at []int, flags []flagArg, err error) {
	rest := func(from int) ([]string, []int, []flagArg, error) {
		for j := from; j < len(args); j++ {
			pos, at = append(pos, args[j]), append(at, j)
		}
		return pos, at, flags, nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return rest(i + 1)
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if s.stopAtPath {
				return rest(i)
			}
			pos, at = append(pos, a), append(at, i)
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		switch s.known(name) {
		case 0:
			return pos, at, nil, &unknownFlag{name: name}
		case switchFlag:
			if hasVal {
				on, ok := map[string]bool{"true": true, "false": false}[val]
				if !s.boolValues || !ok {
					return pos, at, nil, fmt.Errorf("%s takes no value, but is given %q", name, val)
				}
				if !on {
					continue
				}
				val = ""
			}
		case valueFlag:
			if !hasVal {
				if i+1 >= len(args) {
					return pos, at, nil, fmt.Errorf("%s needs a value", name)
				}
				i++
				val = args[i]
			}
		case optionalValue:
			if !hasVal && i+1 < len(args) && args[i+1] == "requester" {
				i++
				val = args[i]
			}
		}
		flags = append(flags, flagArg{name, val})
	}
	return pos, at, flags, nil
}

// unknownFlag is a flag the client's table does not have.
type unknownFlag struct{ name string }

func (e *unknownFlag) Error() string { return "unknown flag " + e.name }

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

// urlScheme matches the scheme of a URL: s3://, gs://, https://.
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// s3Location reads an aws or s5cmd path: s3://bucket/key or a local path.
// A URL of another scheme, s3:// without a bucket and an access point or
// Outposts ARN are errors naming the path.
func s3Location(p, program string) (Location, error) {
	rest, ok := strings.CutPrefix(p, "s3://")
	if !ok {
		if scheme := urlScheme.FindString(p); scheme != "" {
			hint := ""
			if strings.EqualFold(scheme, "s3://") {
				hint = " (the scheme is lower case: s3://)"
			}
			return Location{}, fmt.Errorf("%s is neither a local path nor an s3:// URL%s: lockstep reads %s paths as s3://bucket/key or local paths", p, hint, program)
		}
		return Location{Local: p}, nil
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("%s: no bucket name (write s3://bucket/key)", p)
	}
	if strings.Contains(bucket, ":") {
		return Location{}, fmt.Errorf("%s: lockstep plans buckets by name; access point and Outposts ARNs are not planned", p)
	}
	return Location{Bucket: bucket, Key: key}, nil
}

// pathCount checks that a command has a source and a destination and
// names what is missing or extra.
func pathCount(cmd string, paths []string) error {
	switch {
	case len(paths) == 0:
		return fmt.Errorf("%s: no source and no destination: write %s SOURCE DESTINATION", cmd, cmd)
	case len(paths) == 1:
		return fmt.Errorf("%s %s: no destination: write %s SOURCE DESTINATION", cmd, paths[0], cmd)
	case len(paths) > 2:
		return fmt.Errorf("%s takes a source and a destination, but is given %d paths (%s): %s is one too many", cmd, len(paths), strings.Join(paths, " "), strings.Join(paths[2:], " "))
	}
	return nil
}

// dirPrefix turns a directory key into the prefix clients list:
// "p" and "p/" are "p/", "" stays "".
func dirPrefix(k string) string {
	if k == "" || strings.HasSuffix(k, "/") {
		return k
	}
	return k + "/"
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

// localDir reports whether a local path is an existing directory.
func localDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

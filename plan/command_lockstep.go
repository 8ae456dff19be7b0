package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lockstep-dev/lockstep/internal/ssearg"
)

// lockstepFlags are the flags of lockstep sync and lockstep cp
// (cmd/lockstep/cmd_sync.go, docs/sync.md), by the subcommands that take
// them; a name without "=v" is a switch. --plan is sync's, but prints a
// plan instead of running: a command to plan never has it.
var lockstepFlags = map[string]map[string]flagKind{
	"sync": flagTable(lockstepTransferFlags + " delete max-delete=v size-only exact-timestamps checksum"),
	"cp":   flagTable(lockstepTransferFlags + " recursive"),
}

// lockstepTransferFlags are the flags sync and cp share. --sse takes its
// value as --sse=VALUE or, as the AWS CLI, --sse VALUE (internal/ssearg);
// a bare --sse is AES256, which parseLockstep spells out first.
const lockstepTransferFlags = `exclude=v include=v dryrun sse=v sse-kms-key-id=v acl=v storage-class=v
	profile=v region=v endpoint-url=v no-progress workers=v output=v help h no-preflight
	source-profile=v dest-profile=v source-region=v dest-region=v source-endpoint-url=v dest-endpoint-url=v`

// parseLockstep reads lockstep sync|cp SRC DST [flags], as cobra (pflag)
// reads it: flags anywhere, --name value or --name=value, a switch also as
// --name=true|false, "--" ends the flags.
func parseLockstep(args []string) (*Command, error) {
	c := &Command{Client: Lockstep, Flags: map[string]string{}, Args: args}
	if len(args) < 2 {
		return nil, fmt.Errorf("lockstep: no subcommand: lockstep plans lockstep sync and lockstep cp")
	}
	c.Verb = args[1]
	table := lockstepFlags[c.Verb]
	if table == nil {
		return nil, fmt.Errorf("lockstep %s: lockstep plans lockstep sync and lockstep cp", c.Verb)
	}
	name := "lockstep " + c.Verb
	rest := make([]string, 0, len(args)-2)
	norm := ssearg.Normalize(args[2:])
	for i, a := range norm {
		if a == "--" {
			rest = append(rest, norm[i:]...)
			break
		}
		if a == "--sse" {
			a = "--sse=AES256"
		}
		rest = append(rest, a)
	}
	sc := scanner{known: func(n string) flagKind { return table[s5cmdName(n)] }, boolValues: true}
	ops, _, flags, err := sc.scan(rest)
	var uf *unknownFlag
	switch {
	case errors.As(err, &uf) && s5cmdName(uf.name) == "--plan":
		return nil, fmt.Errorf("%s: --plan prints the plan of the command instead of running it: plan the command without it", name)
	case errors.As(err, &uf):
		for verb, other := range lockstepFlags {
			if other[s5cmdName(uf.name)] != 0 {
				return nil, fmt.Errorf("%s: %s is a flag of lockstep %s only (lockstep answers \"unknown flag: %s\")", name, uf.name, verb, uf.name)
			}
		}
		return nil, fmt.Errorf("%s: lockstep %s has no flag %s (lockstep answers \"unknown flag: %s\"; docs/sync.md lists the flags)", name, c.Verb, uf.name, uf.name)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// The credentials, region and endpoint of each side (docs/sync.md
	// "Two credential sets"): given, and the profiles as lockstep reads
	// them.
	var sourceSide, destSide string
	profiles := map[string]string{}
	for _, f := range flags {
		if strings.HasPrefix(f.name, "-") && !strings.HasPrefix(f.name, "--") && len(f.name) > 2 {
			// pflag reads -name as the short flags -n -a -m -e.
			return nil, fmt.Errorf("%s: %s: lockstep's flags are written with two dashes (--%s)", name, f.name, strings.TrimLeft(f.name, "-"))
		}
		switch key := strings.TrimPrefix(s5cmdName(f.name), "--"); key {
		case "include", "exclude":
			c.Flags[key] += f.value + "\n"
		case "profile", "source-profile", "dest-profile":
			profiles[key] = f.value
			fallthrough
		case "source-region", "source-endpoint-url", "dest-region", "dest-endpoint-url":
			if side, _, _ := strings.Cut(key, "-"); side == "source" {
				sourceSide = firstOf(sourceSide, "--"+key)
			} else if side == "dest" {
				destSide = firstOf(destSide, "--"+key)
			}
		case "delete", "dryrun", "size-only", "exact-timestamps", "checksum", "recursive", "no-preflight",
			"sse", "sse-kms-key-id", "acl", "storage-class", "max-delete":
			c.Flags[key] = f.value
		}
	}
	if err := pathCount(name, ops); err != nil {
		return nil, err
	}
	if c.Source, err = s3Location(ops[0], "lockstep"); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if c.Dest, err = s3Location(ops[1], "lockstep"); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !c.Source.IsS3() && !c.Dest.IsS3() {
		return nil, fmt.Errorf("%s: %s and %s are both local paths: one side must be s3://bucket[/prefix]", name, ops[0], ops[1])
	}
	if err := c.lockstepSides(name, sourceSide, destSide, profiles); err != nil {
		return nil, err
	}
	c.Recursive = c.Verb == "sync" || c.Has("recursive")
	if c.Recursive {
		// A prefix is a directory: s3://b/photos is photos/ (docs/sync.md).
		c.Source.Key = dirPrefix(c.Source.Key)
		c.Dest.Key = dirPrefix(c.Dest.Key)
	} else {
		c.keepName()
	}
	return c, nil
}

// lockstepSides reads the side flags as lockstep does
// (cmd/lockstep/sync_sides.go): a flag of a local side is a usage error;
// each side's profile defaults to --profile; an S3 → S3 job whose two
// profiles differ has two credential sets, and so two principals.
// sourceSide and destSide are the first side flag given of each side.
func (c *Command) lockstepSides(name, sourceSide, destSide string, profiles map[string]string) error {
	switch {
	case sourceSide != "" && !c.Source.IsS3():
		return fmt.Errorf("%s: %s applies to an s3:// source; %s is local (lockstep refuses it)", name, sourceSide, c.Source)
	case destSide != "" && !c.Dest.IsS3():
		return fmt.Errorf("%s: %s applies to an s3:// destination; %s is local (lockstep refuses it)", name, destSide, c.Dest)
	}
	sourceProfile, destProfile := profiles["profile"], profiles["profile"]
	if p, ok := profiles["source-profile"]; ok {
		sourceProfile = p
	}
	if p, ok := profiles["dest-profile"]; ok {
		destProfile = p
	}
	// The principal of a job with one S3 side is that side's.
	c.Creds.Profile = destProfile
	if !c.Dest.IsS3() {
		c.Creds.Profile = sourceProfile
	}
	if c.Source.IsS3() && c.Dest.IsS3() && sourceProfile != destProfile {
		c.Creds.TwoSets, c.Creds.SourceProfile = true, sourceProfile
		c.Flags["two-credential-sets"] = ""
	}
	return nil
}

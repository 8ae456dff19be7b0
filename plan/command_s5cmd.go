package plan

import (
	"errors"
	"fmt"
	"strings"
)

// s5cmdGlobal are s5cmd's global flags, given before the subcommand, and
// s5cmdFlags the flags of its subcommands, given after the subcommand and
// before the paths, as `s5cmd --help` and `s5cmd COMMAND --help` list
// them for s5cmd v2.3.0.
var (
	s5cmdGlobal = flagTable(`
		credentials-file=v endpoint-url=v log=v numworkers=v profile=v request-payer=v retry-count=v r=v
		dry-run help h install-completion json no-sign-request no-verify-ssl stat use-list-objects-v1`)
	s5cmdTransfer = `storage-class=v concurrency=v c=v part-size=v p=v metadata=v metadata-directive=v sse=v
		sse-kms-key-id=v acl=v cache-control=v expires=v source-region=v destination-region=v exclude=v
		include=v content-type=v content-encoding=v content-disposition=v
		no-follow-symlinks force-glacier-transfer ignore-glacier-warnings raw help h`
	s5cmdCopy = s5cmdTransfer + ` flatten f no-clobber n if-size-differ s if-source-newer u version-id=v
		show-progress sp`
	s5cmdFlags = map[string]map[string]flagKind{
		"cp":   flagTable(s5cmdCopy),
		"mv":   flagTable(s5cmdCopy),
		"sync": flagTable(s5cmdTransfer + " delete size-only exit-on-error"),
		"rm":   flagTable("raw all-versions exclude=v include=v version-id=v help h"),
	}
)

// s5cmdUnmodelled are s5cmd flags that make calls the s5cmd model does
// not cover, and what they do.
var s5cmdUnmodelled = map[string]string{
	"--version-id":   "reads or deletes one object version (s3:GetObjectVersion, s3:DeleteObjectVersion)",
	"--all-versions": "lists and deletes every object version (s3:ListBucketVersions, s3:DeleteObjectVersion)",
}

// flagTable reads "name" (a switch) and "name=v" (takes a value) words.
// Single-letter names are short flags (-c).
func flagTable(words string) map[string]flagKind {
	m := map[string]flagKind{}
	for _, w := range strings.Fields(words) {
		name, v := strings.CutSuffix(w, "=v")
		kind := switchFlag
		if v {
			kind = valueFlag
		}
		m[s5cmdName(name)] = kind
	}
	return m
}

// s5cmdName is a flag's canonical name: s5cmd (Go's flag package) reads
// -name and --name alike; the single letters are aliases of long names.
func s5cmdName(name string) string {
	name = "--" + strings.TrimLeft(name, "-")
	long := map[string]string{"--r": "--retry-count", "--h": "--help", "--c": "--concurrency", "--p": "--part-size",
		"--f": "--flatten", "--n": "--no-clobber", "--s": "--if-size-differ", "--u": "--if-source-newer", "--sp": "--show-progress"}
	if l := long[name]; l != "" {
		return l
	}
	return name
}

func parseS5cmd(args []string) (*Command, error) {
	c := &Command{Client: S5cmd, Flags: map[string]string{}, Args: args}
	global := scanner{known: func(n string) flagKind { return s5cmdGlobal[s5cmdName(n)] }, boolValues: true, stopAtPath: true}
	pos, _, gflags, err := global.scan(args[1:])
	var uf *unknownFlag
	if errors.As(err, &uf) {
		var verbs []string
		for _, verb := range []string{"cp", "mv", "rm", "sync"} {
			if s5cmdFlags[verb][s5cmdName(uf.name)] != 0 {
				verbs = append(verbs, "s5cmd "+verb)
			}
		}
		if len(verbs) > 0 {
			return nil, fmt.Errorf("s5cmd: %s is a flag of %s, not a global flag: give it after the subcommand (s5cmd %s %s ...); s5cmd answers \"flag provided but not defined\"", uf.name, strings.Join(verbs, ", "), strings.TrimPrefix(verbs[0], "s5cmd "), uf.name)
		}
		return nil, fmt.Errorf("s5cmd: lockstep does not know the global flag %s (s5cmd v2.3.0 answers \"flag provided but not defined\"); check its spelling, or plan the command without it", uf.name)
	}
	if err != nil {
		return nil, fmt.Errorf("s5cmd: %w", err)
	}
	if len(pos) == 0 {
		return nil, fmt.Errorf("s5cmd: no subcommand: lockstep plans s5cmd cp, sync, mv and rm")
	}
	c.Verb = pos[0]
	table := s5cmdFlags[c.Verb]
	if table == nil {
		return nil, fmt.Errorf("s5cmd %s: lockstep plans cp, sync, mv and rm", c.Verb)
	}
	name := "s5cmd " + c.Verb
	sub := scanner{known: func(n string) flagKind { return table[s5cmdName(n)] }, boolValues: true, stopAtPath: true}
	ops, _, flags, err := sub.scan(pos[1:])
	if errors.As(err, &uf) {
		return nil, fmt.Errorf("%s: lockstep does not know the flag %s (s5cmd v2.3.0 answers \"flag provided but not defined\"); check its spelling, or plan the command without it", name, uf.name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, f := range append(gflags, flags...) {
		switch n := s5cmdName(f.name); n {
		case "--delete", "--size-only", "--raw", "--no-clobber", "--if-size-differ", "--if-source-newer":
			c.Flags[strings.TrimPrefix(n, "--")] = ""
		case "--acl", "--sse", "--sse-kms-key-id":
			c.Flags[strings.TrimPrefix(n, "--")] = f.value
		case "--dry-run":
			c.Flags["dryrun"] = ""
		case "--include", "--exclude":
			c.Flags[strings.TrimPrefix(n, "--")] += f.value + "\n"
		case "--profile":
			c.Creds.Profile = f.value
		case "--no-sign-request":
			c.Creds.Unsigned = true
		default:
			if why := s5cmdUnmodelled[n]; why != "" {
				given := f.name
				if !strings.HasPrefix(given, n) {
					given += " (" + n + ")"
				}
				return nil, fmt.Errorf("%s: lockstep's s5cmd model does not cover %s, which %s; plan the command without it", name, given, why)
			}
		}
	}
	for _, o := range ops[min(len(ops), 1):] {
		if strings.HasPrefix(o, "-") && o != "-" && table[s5cmdName(strings.SplitN(o, "=", 2)[0])] != 0 {
			return nil, fmt.Errorf("%s: s5cmd reads flags before the paths only: %s after %s is an argument, and s5cmd answers \"expected source and destination arguments\"; give it before the paths", name, o, ops[0])
		}
	}
	if c.Verb == "rm" {
		return c, s5cmdRm(c, ops)
	}
	if err := pathCount(name, ops); err != nil {
		return nil, err
	}
	if c.Source, err = s3Location(ops[0], "s5cmd"); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if c.Dest, err = s3Location(ops[1], "s5cmd"); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !c.Source.IsS3() && !c.Dest.IsS3() {
		return nil, fmt.Errorf("%s %s %s: at least one side must be s3://", name, ops[0], ops[1])
	}
	wildcard := !c.Has("raw") && strings.ContainsAny(ops[0], "*?")
	if c.Source.IsS3() && !wildcard {
		if c.Source.Key == "" || strings.HasSuffix(c.Source.Key, "/") {
			// s5cmd's own words (command/cp.go, command/sync.go).
			return nil, fmt.Errorf("%s %s: s5cmd rejects this: \"source argument must contain wildcard character\"; write '%s*' for the objects under it", name, ops[0], strings.TrimSuffix(ops[0], "/")+"/")
		}
		if c.Verb == "sync" {
			// s5cmd lists the path as a prefix with the delimiter "/" and
			// takes every key it matches (storage/url/url.go).
			if c.Dest.IsS3() {
				return nil, fmt.Errorf("%s %s %s: s5cmd reads %s as every object whose key starts with %q and has no further \"/\" (not the objects under %s/); lockstep plans that sync into a local directory only: write '%s/*' for the objects under it, or s5cmd cp %s DEST for the one object", name, ops[0], ops[1], ops[0], c.Source.Key, c.Source.Key, ops[0], ops[0])
			}
			c.KeyPrefix = true
		}
	}
	// A local directory is copied whole: with a trailing slash, or when it
	// exists here as a directory.
	c.Recursive = wildcard || (!c.Source.IsS3() && (c.Verb == "sync" || strings.HasSuffix(c.Source.Local, "/") || localDir(c.Source.Local)))
	if c.Recursive {
		c.Source.Key = wildcardPrefix(c.Source.Key)
		c.Dest.Key = dirPrefix(c.Dest.Key)
	} else {
		c.keepName()
	}
	return c, nil
}

// s5cmdRm reads the path of s5cmd rm.
func s5cmdRm(c *Command, ops []string) error {
	if len(ops) != 1 {
		return fmt.Errorf("s5cmd rm: lockstep plans one s3:// path, but is given %d (%s)", len(ops), strings.Join(ops, " "))
	}
	src, err := s3Location(ops[0], "s5cmd")
	if err != nil {
		return fmt.Errorf("s5cmd rm: %w", err)
	}
	if !src.IsS3() {
		return fmt.Errorf("s5cmd rm %s: the path must be s3://bucket/key", ops[0])
	}
	wildcard := !c.Has("raw") && strings.ContainsAny(ops[0], "*?")
	if !wildcard && (src.Key == "" || strings.HasSuffix(src.Key, "/")) {
		return fmt.Errorf("s5cmd rm %s: s5cmd rejects this: \"s3 bucket/prefix cannot be used for delete operations (forgot wildcard character?)\"; write '%s*' for the objects under it", ops[0], strings.TrimSuffix(ops[0], "/")+"/")
	}
	c.Source, c.Recursive = src, wildcard
	if wildcard {
		c.Source.Key = wildcardPrefix(c.Source.Key)
	}
	return nil
}

// wildcardPrefix is the listing prefix of a wildcard key: up to the
// first '*' or '?', as s5cmd lists.
func wildcardPrefix(k string) string {
	if i := strings.IndexAny(k, "*?"); i >= 0 {
		return k[:i]
	}
	return dirPrefix(k)
}

package plan

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// awsOption is an option of aws s3 cp, sync, mv and rm.
type awsOption struct {
	kind flagKind
	// verbs are the subcommands that take the option; empty: every one.
	verbs string
	// only is the one major version that has the option; empty: both.
	only Client
}

// awsOptions are the options of aws s3 cp, sync, mv and rm and the
// global options, as `aws s3 <verb> help` lists them for aws-cli/1.45 and
// aws-cli/2.9 (with the options later v2 releases share with v1).
var awsOptions = func() map[string]awsOption {
	m := map[string]awsOption{}
	add := func(kind flagKind, verbs string, only Client, names string) {
		for _, n := range strings.Fields(names) {
			m["--"+n] = awsOption{kind: kind, verbs: verbs, only: only}
		}
	}
	const transfer = "cp sync mv"
	// Global options.
	add(valueFlag, "", "", "endpoint-url output query profile region color ca-bundle cli-read-timeout cli-connect-timeout")
	add(switchFlag, "", "", "debug no-verify-ssl no-paginate version no-sign-request")
	add(valueFlag, "", AWSv2, "cli-binary-format")
	add(switchFlag, "", AWSv2, "no-cli-pager cli-auto-prompt no-cli-auto-prompt")
	add(switchFlag, "", AWSv1, "v2-debug")
	// Options of every s3 transfer command and rm.
	add(valueFlag, "", "", "include exclude page-size")
	add(switchFlag, "", "", "dryrun quiet only-show-errors")
	add(optionalValue, "", "", "request-payer")
	add(switchFlag, "cp mv rm", "", "recursive")
	// Options of cp, sync and mv.
	add(valueFlag, transfer, "", "acl sse sse-c sse-c-key sse-kms-key-id sse-c-copy-source sse-c-copy-source-key storage-class grants website-redirect content-type cache-control content-disposition content-encoding content-language expires source-region metadata metadata-directive checksum-mode checksum-algorithm case-conflict")
	add(switchFlag, transfer, "", "follow-symlinks no-follow-symlinks no-guess-mime-type no-progress ignore-glacier-warnings force-glacier-transfer")
	add(valueFlag, transfer, AWSv2, "copy-props")
	add(valueFlag, "cp", "", "expected-size")
	add(switchFlag, "sync", "", "size-only exact-timestamps delete")
	add(switchFlag, "mv", "", "validate-same-s3-paths")
	return m
}()

func parseAWS(args []string, client Client) (*Command, error) {
	c := &Command{Client: client, Flags: map[string]string{}, Args: args}
	expanded, err := awsExpand(args[1:])
	if err != nil {
		return nil, err
	}
	sc := scanner{known: func(name string) flagKind { return awsOptions[name].kind }}
	pos, _, flags, err := sc.scan(expanded)
	var uf *unknownFlag
	if errors.As(err, &uf) {
		return nil, fmt.Errorf("%s: lockstep does not know the option %s: it reads the options of aws s3 cp, sync, mv and rm of the AWS CLI v1 and v2 (docs/plan.md), and an option it does not know may change the calls; check its spelling, or plan the command without it", awsVerb(pos), uf.name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", awsVerb(pos), err)
	}
	if len(pos) < 2 || pos[0] != "s3" {
		return nil, fmt.Errorf("%s: lockstep plans aws s3 commands (aws s3 sync|cp|mv|rm ...)", strings.Join(args, " "))
	}
	c.Verb = pos[1]
	switch c.Verb {
	case "sync", "cp", "mv", "rm":
	default:
		return nil, fmt.Errorf("aws s3 %s: lockstep plans sync, cp, mv and rm", c.Verb)
	}
	name := "aws s3 " + c.Verb
	for _, f := range flags {
		o := awsOptions[f.name]
		if o.verbs != "" && !strings.Contains(" "+o.verbs+" ", " "+c.Verb+" ") {
			return nil, fmt.Errorf("%s: %s is an option of aws s3 %s only (the AWS CLI answers \"Unknown options: %s\")", name, f.name, strings.Join(strings.Fields(o.verbs), ", "), f.name)
		}
		if o.only != "" && o.only != client {
			return nil, fmt.Errorf("%s: %s is an option of the AWS CLI %s only, and the model is %s (--client, or the version aws --version reports)", name, f.name, strings.TrimPrefix(string(o.only), "aws-"), client)
		}
		key := strings.TrimPrefix(f.name, "--")
		switch key {
		case "include", "exclude":
			c.Flags[key] += f.value + "\n"
		case "profile":
			c.Creds.Profile = f.value
		case "no-sign-request":
			c.Creds.Unsigned = true
		default:
			c.Flags[key] = f.value
		}
	}
	ops := pos[2:]
	if c.Verb == "rm" {
		c.Recursive = c.Has("recursive")
		if len(ops) != 1 {
			return nil, fmt.Errorf("aws s3 rm takes one s3:// path, but is given %d (%s)", len(ops), strings.Join(ops, " "))
		}
		src, err := s3Location(ops[0], "aws")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if !src.IsS3() {
			return nil, fmt.Errorf("aws s3 rm %s: the path must be s3://bucket/key", ops[0])
		}
		c.Source = src
		if c.Recursive {
			c.Source.Key = dirPrefix(c.Source.Key)
		}
		return c, nil
	}
	c.Recursive = c.Verb == "sync" || c.Has("recursive")
	if err := pathCount(name, ops); err != nil {
		return nil, err
	}
	if c.Source, err = s3Location(ops[0], "aws"); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if c.Dest, err = s3Location(ops[1], "aws"); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !c.Source.IsS3() && !c.Dest.IsS3() {
		return nil, fmt.Errorf("%s %s %s: at least one side must be s3://", name, ops[0], ops[1])
	}
	if c.Recursive {
		c.Source.Key = dirPrefix(c.Source.Key)
		c.Dest.Key = dirPrefix(c.Dest.Key)
	} else {
		c.keepName()
	}
	return c, nil
}

// awsVerb names the command in an error before its verb is known.
func awsVerb(pos []string) string {
	if len(pos) >= 2 && pos[0] == "s3" {
		return "aws s3 " + pos[1]
	}
	return "aws"
}

// awsExpand expands abbreviated options as the AWS CLI (argparse) does:
// --recurs is --recursive, being the prefix of no other option; a prefix
// of several is an error naming them. Arguments after "--" are left.
func awsExpand(args []string) ([]string, error) {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...), nil
		}
		name, val, hasVal := strings.Cut(a, "=")
		if !strings.HasPrefix(name, "--") || len(name) < 3 || awsOptions[name].kind != 0 {
			out = append(out, a)
			continue
		}
		var matches []string
		for o := range awsOptions {
			if strings.HasPrefix(o, name) {
				matches = append(matches, o)
			}
		}
		switch len(matches) {
		case 0:
			out = append(out, a)
		case 1:
			if hasVal {
				matches[0] += "=" + val
			}
			out = append(out, matches[0])
		default:
			sort.Strings(matches)
			return nil, fmt.Errorf("aws: %s is ambiguous: it abbreviates %s (the AWS CLI answers \"ambiguous option\"); write the option in full", name, strings.Join(matches, ", "))
		}
	}
	return out, nil
}

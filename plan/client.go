package plan

import (
	"fmt"
	"os/exec"
	"strings"
)

// ClientRule is how lockstep plan and lockstep check choose the client
// model of a command; both commands' help and docs/plan.md state it.
const ClientRule = `The client model is chosen by one rule, the same for plan and check:
  1. --client aws-v1|aws-v2|rclone|s5cmd|lockstep, when given; it must
     fit the command's program. lockstep then runs nothing.
  2. check with a scenario file: the scenario's client.
  3. The command's program: rclone, s5cmd and lockstep (its own sync and
     cp) have one model each; for aws,
     the major version that "aws --version" reports (aws-cli/1.x: aws-v1,
     aws-cli/2.x: aws-v2), aws-v2 when aws is not installed or its version
     cannot be read.`

// VersionFunc runs "PROGRAM --version" and returns its output.
type VersionFunc func(program string) (string, error)

// ExecVersion is the VersionFunc that runs the program found in PATH.
func ExecVersion(program string) (string, error) {
	p, err := exec.LookPath(program)
	if err != nil {
		return "", err
	}
	out, err := exec.Command(p, "--version").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", p, err)
	}
	return string(out), nil
}

// ChooseClient chooses the client model of a command line by ClientRule:
// given is --client, scenario the scenario's client (empty when none);
// version is asked only for an aws command with neither (nil:
// ExecVersion). detected says what `aws --version` told, for people; it
// is empty when nothing was run.
func ChooseClient(args []string, given, scenario Client, version VersionFunc) (client Client, detected string, err error) {
	program := Program(args)
	if len(args) == 0 {
		return "", "", fmt.Errorf("no client command: give it after --, e.g. lockstep plan -- aws s3 sync s3://bucket/prefix ./dir")
	}
	for _, c := range []struct {
		client Client
		what   string
	}{{given, "--client"}, {scenario, "the scenario's client"}} {
		if c.client == "" {
			continue
		}
		if err := checkClient(c.client, program); err != nil {
			if c.what != "--client" {
				err = fmt.Errorf("%s %s does not fit the command %s: give --client", c.what, c.client, program)
			}
			return "", "", err
		}
		return c.client, "", nil
	}
	if err := checkClient(programClient[program], program); err != nil {
		return "", "", err
	}
	if program != "aws" {
		return programClient[program], "", nil
	}
	if version == nil {
		version = ExecVersion
	}
	out, err := version(args[0])
	if err != nil {
		return AWSv2, fmt.Sprintf("could not run %s --version (%v); planning for the AWS CLI v2 (--client aws-v1 for v1)", args[0], err), nil
	}
	v := strings.Fields(out)
	switch {
	case len(v) > 0 && strings.HasPrefix(v[0], "aws-cli/1."):
		return AWSv1, "detected " + v[0], nil
	case len(v) > 0 && strings.HasPrefix(v[0], "aws-cli/2."):
		return AWSv2, "detected " + v[0], nil
	}
	return AWSv2, fmt.Sprintf("could not read the version %s --version reports (%q); planning for the AWS CLI v2 (--client aws-v1 for v1)", args[0], strings.TrimSpace(out)), nil
}

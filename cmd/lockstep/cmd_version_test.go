package main

import (
	"runtime"
	"strings"
	"testing"
)

// TestVersion: lockstep --version and lockstep version print the same
// line: the version (stamped by make build, else the module's), the
// commit when known, and the Go version (issue 11).
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errOut := runCLI(t, args...)
		if code != exitOK || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		if !strings.HasPrefix(out, "lockstep ") || !strings.Contains(out, runtime.Version()) || strings.Count(out, "\n") != 1 {
			t.Errorf("%v: %q", args, out)
		}
	}
	stampedVersion = "v9.9.9-test"
	t.Cleanup(func() { stampedVersion = "" })
	if line := versionLine(); !strings.HasPrefix(line, "lockstep v9.9.9-test ") {
		t.Errorf("stamped: %q", line)
	}
}

// TestSSEValueForms: lockstep sync and cp read --sse VALUE as the AWS CLI
// does, as well as --sse=VALUE (internal/ssearg): both reach the same
// check of the source, where an unparsed "aws:kms" would be a third path.
func TestSSEValueForms(t *testing.T) {
	for _, args := range [][]string{
		{"sync", "--sse", "aws:kms", "./no-such-dir", "s3://b-bucket/p"},
		{"sync", "--sse=aws:kms", "./no-such-dir", "s3://b-bucket/p"},
		{"sync", "./no-such-dir", "s3://b-bucket/p", "--sse", "AES256"},
	} {
		code, out, errOut := runCLI(t, args...)
		if code != exitBadInput || !strings.Contains(errOut, "the source ./no-such-dir does not exist") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}

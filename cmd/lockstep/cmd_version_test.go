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

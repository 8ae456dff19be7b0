package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestProveMachineOutput: with --output json, --prove leaves standard
// output to the plan, which parses whole, and prints the proof on
// standard error; with text both are on standard output.
func TestProveMachineOutput(t *testing.T) {
	args := []string{"plan", "replication", "--world", replWorld, "--source", "s3://src", "--dest", "s3://dst", "--prove"}
	code, out, errOut := runCLI(t, append(args, "--output", "json")...)
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil {
		t.Errorf("--output json --prove: exit %d, standard output is not one JSON document (%v):\n%s", code, err, out)
	}
	if !strings.Contains(errOut, "verdict: sufficient") {
		t.Errorf("--output json --prove: the proof is not on standard error:\n%s", errOut)
	}
	code, out, _ = runCLI(t, args...)
	if code != 0 || !strings.Contains(out, "verdict: sufficient") {
		t.Errorf("--prove: exit %d, the proof is not after the plan:\n%s", code, out)
	}
}

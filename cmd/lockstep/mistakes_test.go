package main

import (
	"net"
	"regexp"
	"strings"
	"testing"
)

// TestNewcomerMistakes feeds each command the inputs a newcomer gets
// wrong and wants one paragraph that names the problem, a non-zero exit,
// and no Go type name or stack trace (issue 11).
func TestNewcomerMistakes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().String()
	const (
		misspelt = "testdata/misspelt.yaml"
		tabs     = "testdata/tabs.yaml"
		alice    = "arn:aws:iam::111111111111:user/alice"
	)
	evalArgs := func(world, action string, extra ...string) []string {
		return append([]string{"eval", "--world", world, "--principal", alice, "--action", action, "--resource", "arn:aws:s3:::kazue-sync-source/k"}, extra...)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"misspelt field", evalArgs(misspelt, "s3:GetObject"), "line 6: polices is not a field of a user; did you mean policies?"},
		{"tab-indented YAML", evalArgs(tabs, "s3:GetObject"), "line 3: this line is indented with a tab; YAML indents with spaces only"},
		{"unknown action", evalArgs(exampleWorld, "s3:GetObjects"), "did you mean s3:GetObject"},
		{"unknown output", evalArgs(exampleWorld, "s3:GetObject", "--output", "yml"), `--output "yml": this command prints text, table, json`},
		{"unknown client", []string{"plan", "--client", "aws-v3", "--", "aws", "s3", "sync", "./d", "s3://b/p/"}, "aws-v3"},
		{"unknown flag of the client", []string{"plan", "--client", "aws-v2", "--", "aws", "s3", "sync", "./d", "s3://b/p/", "--no-such-flag"}, "--no-such-flag"},
		{"step of a world file", []string{"check", "--world", exampleWorld, "--step", "2", "--principal", alice, "--", "aws", "s3", "ls"}, "--step applies to scenario files"},
		{"missing world file", evalArgs("no-such-world.yaml", "s3:GetObject"), "no-such-world.yaml"},
		{"misspelt world for plan", []string{"plan", "--world", misspelt, "--principal", alice, "--", "aws", "s3", "sync", "./d", "s3://b/p/"}, "did you mean policies?"},
		{"misspelt world for lint", []string{"policy", "lint", misspelt}, "did you mean policies?"},
		{"policy type", []string{"policy", "lint", "--type", "bucket-policy", "-"}, "--type"},
		{"unknown seed", []string{"demo", "--seed", "9"}, "9"},
		{"serve: a port in use", []string{"serve", "--addr", busy, "--audit", "none"}, "address already in use"},
		{"serve: --data names a file", []string{"serve", "--addr", "127.0.0.1:0", "--data", "testdata/tabs.yaml", "--audit", "none"}, "--data testdata/tabs.yaml is a file: give a directory"},
		{"serve: a scenario's mistake", []string{"serve", "--addr", "127.0.0.1:0", "--world", misspelt, "--audit", "none"}, "did you mean policies?"},
		{"serve: --log value", []string{"serve", "--addr", "127.0.0.1:0", "--log", "some", "--audit", "none"}, `--log "some": want denied, all or none`},
	}
	goType := regexp.MustCompile(`\b(world|scenario|plan|policy|authz|main)\.[A-Z]\w+|goroutine \d+|panic:|\.go:\d+`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLIWithInput(t, "{}", tt.args...)
			if code == exitOK {
				t.Fatalf("exit 0\n%s%s", out, errOut)
			}
			msg := strings.TrimSpace(errOut)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error lacks %q:\n%s", tt.want, msg)
			}
			if strings.Contains(msg, "\n\n") {
				t.Errorf("more than one paragraph:\n%s", msg)
			}
			if m := goType.FindString(msg); m != "" {
				t.Errorf("a Go name or trace reaches the user (%q):\n%s", m, msg)
			}
		})
	}
}

package main

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestOutputDoc: the JSON each command prints and docs/output.md agree:
// every field printed is documented in the command's section, and every
// field documented is printed by one of the runs below (issue 11).
func TestOutputDoc(t *testing.T) {
	doc, err := os.ReadFile("../../docs/output.md")
	if err != nil {
		t.Fatal(err)
	}
	const seed000, seed003 = "../../examples/seed000-s3-sync.yaml", "../../examples/seed003-kms-multipart.yaml"
	detailed := `User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::kazue-sync-source/k" with an explicit deny in an identity-based policy`
	runs := map[string][][]string{
		"lockstep eval --output json": {
			{"eval", "--world", seed000, "--principal", "arn:aws:iam::111111111111:role/s3synctest", "--action", "s3:ListBucket", "--resource", "arn:aws:s3:::kazue-sync-source", "--explain"},
			{"eval", "--world", exampleWorld, "--principal", "arn:aws:iam::111111111111:user/alice", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::kazue-sync-source/k"},
		},
		"lockstep check --output json": {
			{"check", "--world", seed000, "--step", "1"},
			{"check", "--world", seed003, "--step", "2"},
			{"check", "--world", exampleWorld, "--principal", "arn:aws:iam::111111111111:user/alice", "--", "rclone", "copy", "s3-remote:kazue-sync-source/p", "./dir"},
			{"check", "--world", exampleWorld, "--principal", "arn:aws:iam::111111111111:user/alice", "--", "s5cmd", "cp", "-n", "./f", "s3://kazue-sync-dest/k"},
		},
		"lockstep explain --output json": {
			{"explain", "An error occurred (AccessDenied) when calling the UploadPartCopy operation: Access Denied", "--world", seed003, "--step", "2", "--", "aws", "s3", "cp", "s3://cp-src/1gb.dat", "s3://cp-dst/"},
			{"explain", detailed},
			{"explain", "download failed: s3://kazue-sync-source/k to ./k An error occurred (AccessDenied) when calling the GetObject operation: Access Denied", "--", "aws", "s3", "cp", "s3://kazue-sync-source/k", "./k"},
			{"explain", "2026/12/03 00:12:31 ERROR : a.txt: Failed to copy: AccessDenied: Access Denied status code: 403, request id: X, host id: Y"},
			{"explain", `2026/12/03 00:12:31 ERROR : k.txt: corrupted on transfer: md5 hash differ "a" vs "b"`},
		},
		"lockstep audit --output json": {
			{"audit", "../../internal/auditview/testdata/audit.jsonl"},
		},
		"lockstep plan replication --output json": {
			{"plan", "replication", "--source", "s3://src", "--dest", "s3://dst", "--source-account", "111111111111", "--dest-account", "222222222222",
				"--kms-source", "arn:aws:kms:us-east-1:111111111111:key/a", "--kms-dest", "arn:aws:kms:us-east-1:222222222222:key/b",
				"--delete-markers", "--owner-override", "--tags"},
			{"plan", "replication", "--world", "testdata/replication-world.yaml", "--source", "s3://src", "--dest", "s3://dst"},
		},
		"lockstep version --output json": {
			{"version"},
		},
		"lockstep policy lint --output json": {
			{"policy", "lint", "../../lint/testdata/world-mistakes.yaml"},
			{"policy", "lint", "../../examples/policies/seed000-get-on-bucket-arn.json"},
		},
	}
	for section, argsList := range runs {
		t.Run(section, func(t *testing.T) {
			documented := docFields(t, string(doc), section)
			printed := map[string]bool{}
			for _, args := range argsList {
				args = append(slices.Clone(args[:len(args):len(args)]), "--output", "json")
				if i := slices.Index(args, "--"); i >= 0 {
					args = append(append(slices.Clone(args[:i]), "--output", "json"), args[i:len(args)-2]...)
				}
				_, out, errOut := runCLI(t, args...)
				var v any
				if err := json.Unmarshal([]byte(out), &v); err != nil {
					t.Fatalf("%v: not JSON (%v):\n%s%s", args, err, out, errOut)
				}
				collectKeys(v, printed)
			}
			for k := range printed {
				if !documented[k] {
					t.Errorf("%s prints %q, which docs/output.md does not document", section, k)
				}
			}
			// A test binary is built without VCS stamps (-buildvcs=false).
			unprintable := map[string]bool{"commit": section == "lockstep version --output json", "modified": section == "lockstep version --output json"}
			for k := range documented {
				if !printed[k] && !unprintable[k] {
					t.Errorf("docs/output.md documents %q for %s, which no run printed", k, section)
				}
			}
		})
	}
}

// policyKeys are the elements of policy documents, which policy
// grammar, not docs/output.md, documents.
var policyKeys = map[string]bool{"Version": true, "Id": true, "Statement": true, "Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true,
	"Action": true, "NotAction": true, "Resource": true, "NotResource": true, "Condition": true, "AWS": true, "Service": true, "Federated": true}

// collectKeys adds every object key of v, outside policy documents.
func collectKeys(v any, keys map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if policyKeys[k] {
				continue
			}
			keys[k] = true
			collectKeys(e, keys)
		}
	case []any:
		for _, e := range x {
			collectKeys(e, keys)
		}
	}
}

var reBackticked = regexp.MustCompile("`([A-Za-z0-9]+)`")

// docFields are the names in the first column of the tables of the
// section whose heading is "## `section`".
func docFields(t *testing.T, doc, section string) map[string]bool {
	t.Helper()
	_, rest, ok := strings.Cut(doc, "## `"+section+"`\n")
	if !ok {
		t.Fatalf("docs/output.md has no section ## `%s`", section)
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	out := map[string]bool{}
	for _, line := range strings.Split(rest, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") || strings.TrimSpace(cells[1]) == "field" {
			continue
		}
		for _, m := range reBackticked.FindAllStringSubmatch(cells[1], -1) {
			out[m[1]] = true
		}
	}
	return out
}

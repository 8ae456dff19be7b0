package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const batchWorld = "../../examples/batch-copy.yaml"

// TestPlanBatchCopy: lockstep plan batch-copy with the example world
// prints the role's trust and permissions policies, the destination
// bucket's policy and the destination key's statements; the role and the
// sources come from the world; bad input exits 2 naming the flag.
func TestPlanBatchCopy(t *testing.T) {
	base := []string{"plan", "batch-copy", "--world", batchWorld, "--manifest", "s3://batch-manifests/copy.csv", "--dest", "s3://batch-dst", "--report", "s3://batch-reports/reports"}
	code, out, errOut := runCLI(t, append(base, "--output", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Principal string
		Trust     struct {
			Statement []struct{ Principal map[string]string }
		} `json:"trustPolicy"`
		Identity struct {
			Statement []struct{ Action, Resource []string }
		} `json:"identityPolicy"`
		Buckets []struct{ Bucket, Current string } `json:"bucketPolicies"`
		Keys    []struct{ Key string }             `json:"keyPolicies"`
		Calls   []struct{ Side, Operation string } `json:"calls"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Principal != "arn:aws:iam::111111111111:role/BatchCopy" || len(got.Trust.Statement) != 1 ||
		got.Trust.Statement[0].Principal["Service"] != "batchoperations.s3.amazonaws.com" {
		t.Errorf("principal %s, trust %+v", got.Principal, got.Trust)
	}
	var calls []string
	for _, c := range got.Calls {
		calls = append(calls, c.Side+" "+c.Operation)
	}
	if strings.Join(calls, ", ") != "manifest GetObject, task CopyObject, report PutObject" {
		t.Errorf("calls: %s", strings.Join(calls, ", "))
	}
	if len(got.Buckets) != 1 || got.Buckets[0].Bucket != "batch-dst" || got.Buckets[0].Current != "none" ||
		len(got.Keys) != 1 || !strings.HasSuffix(got.Keys[0].Key, ":222222222222:key/22222222-2222-4222-8222-222222222222") {
		t.Errorf("bucket policies %+v, key policies %+v", got.Buckets, got.Keys)
	}
	identity, _ := json.Marshal(got.Identity)
	for _, want := range []string{`"arn:aws:s3:::batch-manifests/copy.csv"`, `"arn:aws:s3:::batch-src/*"`, `"arn:aws:s3:::batch-reports/reports/job-*"`, `"kms:Decrypt"`, `"kms:GenerateDataKey"`} {
		if !strings.Contains(string(identity), want) {
			t.Errorf("the permissions policy has no %s: %s", want, identity)
		}
	}

	code, out, _ = runCLI(t, base...)
	if code != 0 || !strings.Contains(out, "Trust policy of arn:aws:iam::111111111111:role/BatchCopy") || !strings.Contains(out, "Permissions policy of") {
		t.Errorf("text output (exit %d):\n%s", code, out)
	}

	// Versions named by ID are read with s3:GetObjectVersion alone.
	for _, tc := range []struct {
		flag, versioned, current string
	}{
		{"--versioned-manifest", "arn:aws:s3:::batch-src/*", "arn:aws:s3:::batch-manifests/copy.csv"},
		{"--manifest-version", "arn:aws:s3:::batch-manifests/copy.csv", "arn:aws:s3:::batch-src/*"},
	} {
		code, out, errOut = runCLI(t, append(base, tc.flag, "--output", "json")...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.flag, code, errOut)
		}
		got.Identity.Statement = nil
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		reads := map[string]string{}
		for _, st := range got.Identity.Statement {
			for _, a := range st.Action {
				for _, r := range st.Resource {
					if a == "s3:GetObject" || a == "s3:GetObjectVersion" {
						reads[r] += a
					}
				}
			}
		}
		if reads[tc.versioned] != "s3:GetObjectVersion" || reads[tc.current] != "s3:GetObject" {
			t.Errorf("%s: reads %v; want s3:GetObjectVersion on %s, s3:GetObject on %s", tc.flag, reads, tc.versioned, tc.current)
		}
	}

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"manifest not s3", []string{"plan", "batch-copy", "--manifest", "copy.csv", "--dest", "s3://d", "--role", "arn:aws:iam::111111111111:role/R", "--source", "s3://s"}, "--manifest"},
		{"manifest a prefix", []string{"plan", "batch-copy", "--manifest", "s3://m/dir/", "--dest", "s3://d", "--role", "arn:aws:iam::111111111111:role/R", "--source", "s3://s"}, "--manifest"},
		{"no role", []string{"plan", "batch-copy", "--manifest", "s3://m/k", "--dest", "s3://d", "--source", "s3://s"}, "--role"},
		{"role not a role", []string{"plan", "batch-copy", "--manifest", "s3://m/k", "--dest", "s3://d", "--source", "s3://s", "--role", "arn:aws:iam::111111111111:user/u"}, "--role"},
		{"no source", []string{"plan", "batch-copy", "--manifest", "s3://m/k", "--dest", "s3://d", "--role", "arn:aws:iam::111111111111:role/R"}, "--source"},
		{"tag without key", []string{"plan", "batch-copy", "--manifest", "s3://m/k", "--dest", "s3://d", "--role", "arn:aws:iam::111111111111:role/R", "--source", "s3://s", "--new-object-tagging", "=v"}, "--new-object-tagging"},
		{"prove without world", []string{"plan", "batch-copy", "--manifest", "s3://m/k", "--dest", "s3://d", "--role", "arn:aws:iam::111111111111:role/R", "--source", "s3://s", "--prove"}, "--world"},
		{"role of a short account", []string{"plan", "batch-copy", "--manifest", "s3://m/k", "--dest", "s3://d", "--source", "s3://s", "--role", "arn:aws:iam::1111:role/x"}, "--role"},
		{"dest not in world", append(base[:len(base):len(base)], "--dest", "s3://nosuch"), "--dest s3://nosuch/: the world file ../../examples/batch-copy.yaml has no bucket nosuch"},
		{"source not in world", append(base[:len(base):len(base)], "--source", "s3://nosuch"), "--source s3://nosuch/: the world file"},
		{"report not in world", append(base[:len(base):len(base)], "--report", "s3://nosuch/r"), "--report s3://nosuch/r: the world file"},
		{"role's account not in world", append(base[:len(base):len(base)], "--role", "arn:aws:iam::333333333333:role/R"), "--role arn:aws:iam::333333333333:role/R: the world file ../../examples/batch-copy.yaml has no account 333333333333"},
		{"kms not a key", append(base[:len(base):len(base)], "--kms", "notakey"), "--kms notakey: the world file"},
		{"objects 0", append(base[:len(base):len(base)], "--objects", "0"), "--objects 0: give"},
		{"objects negative", append(base[:len(base):len(base)], "--objects", "-3"), "--objects -3: give"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, %q; want 2 naming %s", code, errOut, tt.want)
			}
		})
	}
}

// TestPlanBatchCopyNoRole: a world without a role that trusts Batch
// Operations asks for --role, saying what to give, with no empty list.
func TestPlanBatchCopyNoRole(t *testing.T) {
	file := filepath.Join(t.TempDir(), "world.yaml")
	worldYAML := `
accounts:
  - id: "111111111111"
    buckets: [{name: src}, {name: dst}]
`
	if err := os.WriteFile(file, []byte(worldYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "plan", "batch-copy", "--world", file, "--manifest", "s3://src/m.csv", "--dest", "s3://dst", "--source", "s3://src")
	if code != 2 || !strings.Contains(errOut, "--role arn:aws:iam::ACCOUNT:role/NAME: no role of the world file") || strings.Contains(errOut, "()") {
		t.Errorf("exit %d, %q; want 2 asking for --role without an empty list", code, errOut)
	}
}

// TestSeed003BatchWalkthrough runs docs/scale.md's seed 003 Batch
// Operations walkthrough (step 7) as written, from examples/: the role the
// seed lacks is created by the proof, the manifest in SSE-KMS cp-dst gets
// no KMS permission, and every permission is necessary.
func TestSeed003BatchWalkthrough(t *testing.T) {
	doc, err := os.ReadFile("../../docs/scale.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i := strings.Index(text, "TestSeed003BatchWalkthrough runs it as written")
	if i < 0 {
		t.Fatal("docs/scale.md no longer has the batch-copy walkthrough TestSeed003BatchWalkthrough runs")
	}
	command := between(t, text[i:], "```sh\n", "```")
	args := strings.Fields(strings.ReplaceAll(command, "\\\n", " "))
	if len(args) < 2 || args[0] != "lockstep" {
		t.Fatalf("the walkthrough's command: %q", command)
	}
	args = args[1:]
	for j, a := range args {
		if strings.HasSuffix(a, ".yaml") {
			args[j] = filepath.Join("../../examples", a)
		}
	}
	code, out, errOut := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"Trust policy of arn:aws:iam::222222222222:role/BatchCopy", "batchoperations.s3.amazonaws.com",
		"write the manifest with SSE-S3", "Bucket policy statements for cp-src", "verdict: sufficient, and 7 of 7 permissions necessary"} {
		if !strings.Contains(out, want) {
			t.Errorf("the walkthrough prints no %q:\n%s", want, out)
		}
	}
}

// TestPlanBatchCopyTerraform: batch-copy's Terraform names the identity
// policy after batch-copy (not a trail) and is as terraform fmt writes it
// (checked when terraform is installed).
func TestPlanBatchCopyTerraform(t *testing.T) {
	code, out, errOut := runCLI(t, "plan", "batch-copy", "--world", batchWorld, "--manifest", "s3://batch-manifests/copy.csv", "--dest", "s3://batch-dst",
		"--report", "s3://batch-reports/reports", "--output", "terraform")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"lockstep-batch-copy-`) || strings.Contains(out, "lockstep-trail-") {
		t.Errorf("the identity policy's name is not lockstep-batch-copy-HASH:\n%s", out)
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not installed: the formatting is checked by plan's golden files only")
	}
	cmd := exec.Command(tf, "fmt", "-")
	cmd.Stdin = strings.NewReader(out)
	formatted, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform fmt: %v", err)
	}
	if string(formatted) != out {
		t.Errorf("terraform fmt changes the output:\n%s", formatted)
	}
}

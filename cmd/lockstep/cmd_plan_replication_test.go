package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/world"
)

const replWorld = "testdata/replication-world.yaml"

// TestPlanReplicationCommand: with --world, the plan takes the buckets'
// accounts, regions and default keys from the world; without, from the
// flags; bad input exits 2 naming the flag.
func TestPlanReplicationCommand(t *testing.T) {
	world := replWorld
	code, out, errOut := runCLI(t, "plan", "replication", "--world", world, "--source", "s3://src", "--dest", "s3://dst", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var p struct {
		Destination struct {
			Account, Region, KMSKey string
			BucketKey               bool
		} `json:"destination"`
		KeyPolicyStatements     []json.RawMessage `json:"keyPolicyStatements"`
		DestinationBucketPolicy json.RawMessage   `json:"destinationBucketPolicy"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	d := p.Destination
	if d.Account != "222222222222" || d.Region != "us-east-1" || !d.BucketKey || !strings.HasSuffix(d.KMSKey, "22222222-2222-4222-8222-222222222222") {
		t.Errorf("destination from the world: %+v", d)
	}
	if len(p.KeyPolicyStatements) != 1 || p.DestinationBucketPolicy == nil {
		t.Errorf("want the destination's bucket policy and one key's statements: %s", out)
	}
	code, out, errOut = runCLI(t, "plan", "replication", "--source", "s3://a", "--dest", "s3://b", "--source-account", "111111111111", "--delete-markers")
	if code != 0 || !strings.Contains(out, "s3:ReplicateDelete") || strings.Contains(out, "Bucket policy of") {
		t.Errorf("same-account plan: exit %d\n%s%s", code, out, errOut)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--source", "a", "--dest", "s3://b", "--source-account", "111111111111"}, "--source"},
		{[]string{"--source", "s3://a", "--dest", "s3://b"}, "--source-account"},
		{[]string{"--world", world, "--source", "s3://src", "--dest", "s3://nowhere"}, "nowhere"},
		{[]string{"--world", world, "--source", "s3://src", "--dest", "s3://dst", "--dest-region", "eu-west-1"}, "--dest-region"},
	} {
		code, _, errOut := runCLI(t, append([]string{"plan", "replication"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming %s", tc.args, code, errOut, tc.want)
		}
	}
}

// TestPlanReplicationProve: --prove runs the plan on the emulator (a
// destination with an S3 Bucket Key across accounts, every option) and
// shows every permission necessary; without --world it exits 2 naming
// it.
func TestPlanReplicationProve(t *testing.T) {
	code, out, errOut := runCLI(t, "plan", "replication", "--world", replWorld, "--source", "s3://src", "--dest", "s3://dst",
		"--tags", "--delete-markers", "--owner-override", "--prove")
	if code != 0 || !strings.Contains(out, "verdict: sufficient, and 13 of 13 permissions necessary") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
	code, _, errOut = runCLI(t, "plan", "replication", "--source", "s3://a", "--dest", "s3://b", "--source-account", "111111111111", "--prove")
	if code != 2 || !strings.Contains(errOut, "--world") {
		t.Errorf("--prove without --world: exit %d, %q", code, errOut)
	}
}

// TestSeed003ReplicationWalkthrough runs docs/scale.md's seed 003
// replication walkthrough as written: the seed's world with the key the
// walkthrough adds as cp-src's default, and its plan replication command,
// with --prove (step 8).
func TestSeed003ReplicationWalkthrough(t *testing.T) {
	doc, err := os.ReadFile("../../docs/scale.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i := strings.Index(text, "`seed003-kms-source.yaml`")
	if i < 0 {
		t.Fatal("docs/scale.md no longer names seed003-kms-source.yaml")
	}
	snippet := between(t, text[i:], "```yaml\n", "```")
	command := between(t, text[i:], "```sh\n", "```")
	// The walkthrough's world: the seed's, with the snippet's key and
	// bucket encryption added to account A.
	seed, err := os.ReadFile("../../examples/seed003-kms-multipart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var scen struct {
		World world.Model `yaml:"world"`
	}
	if err := yaml.Unmarshal(seed, &scen); err != nil {
		t.Fatal(err)
	}
	var add world.Model
	if err := yaml.Unmarshal([]byte(snippet), &add); err != nil {
		t.Fatalf("the walkthrough's YAML: %v", err)
	}
	m := scen.World
	for _, a := range add.Accounts {
		for i := range m.Accounts {
			if m.Accounts[i].ID != a.ID {
				continue
			}
			m.Accounts[i].Keys = append(m.Accounts[i].Keys, a.Keys...)
			for _, b := range a.Buckets {
				if bm := m.FindBucket(b.Name); bm != nil {
					bm.Encryption = b.Encryption
				}
			}
		}
	}
	data, err := yaml.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "seed003-kms-source.yaml"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	args := strings.Fields(strings.ReplaceAll(command, "\\\n", " "))
	if len(args) < 2 || args[0] != "lockstep" {
		t.Fatalf("the walkthrough's command: %q", command)
	}
	args = args[1:]
	for j, a := range args {
		if a == "seed003-kms-source.yaml" {
			args[j] = filepath.Join(dir, a)
		}
	}
	code, out, errOut := runCLI(t, append(args, "--prove")...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"role/s3-replication-cp-src", "kms:Decrypt", "kms:Encrypt", "verdict: sufficient, and 8 of 8 permissions necessary"} {
		if !strings.Contains(out, want) {
			t.Errorf("the walkthrough prints no %q:\n%s", want, out)
		}
	}
}

// between is the text of s from after the first start to the next end.
func between(t *testing.T, s, start, end string) string {
	t.Helper()
	i := strings.Index(s, start)
	if i < 0 {
		t.Fatalf("no %q", start)
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		t.Fatalf("no %q", end)
	}
	return s[:j]
}

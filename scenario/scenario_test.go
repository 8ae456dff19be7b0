package scenario_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/scenario"
)

// tiny is a three-step scenario: alice starts with no policy; step 2 adds
// an identity policy for reads; step 3 adds a bucket policy that lets her
// list docs/ only. Policies added by a step stay for the following steps.
const tiny = `
title: "tiny: reads, then listing"
source: seeds/tiny.txt
summary: Alice reads and lists a bucket.
principal: arn:aws:iam::111111111111:user/alice
world:
  accounts:
    - id: "111111111111"
      users:
        - name: alice
      roles:
        - name: Reader
          policies:
            read-all:
              Version: "2012-10-17"
              Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]
      buckets:
        - name: src
        - name: dst
steps:
  - title: no policy
    command: aws s3 cp s3://src/a.txt .
    observed: AccessDenied on GetObject
    calls:
      - {operation: GetObject, bucket: src, key: a.txt, expect: denied, denied_action: s3:GetObject}
  - title: identity policy for reads
    command: aws s3 cp s3://src/a.txt s3://dst/a.txt
    add:
      identity:
        read:
          Version: "2012-10-17"
          Statement: [{Sid: Read, Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: ["arn:aws:s3:::src/*", "arn:aws:s3:::dst/*"]}]
    calls:
      - {operation: GetObject, bucket: src, key: a.txt, expect: allowed}
      - {operation: CopyObject, bucket: dst, key: a.txt, source: src/a.txt, expect: allowed}
      - {operation: ListObjectsV2, bucket: src, prefix: "docs/", expect: denied, denied_action: s3:ListBucket}
  - title: bucket policy for listing docs/
    command: aws s3 ls s3://src/docs/
    add:
      bucket_policies:
        src:
          Version: "2012-10-17"
          Statement:
            - Sid: ListDocs
              Effect: Allow
              Principal: {AWS: "arn:aws:iam::111111111111:user/alice"}
              Action: s3:ListBucket
              Resource: "arn:aws:s3:::src"
              Condition: {StringEquals: {s3:prefix: "docs/"}}
    calls:
      - {operation: ListObjectsV2, bucket: src, prefix: "docs/", expect: allowed}
      - {operation: ListObjectsV2, bucket: src, prefix: "", expect: denied, denied_action: s3:ListBucket}
      - {operation: ListObjectsV2, bucket: src, expect: denied}
      - {operation: GetObject, bucket: src, key: a.txt, expect: allowed}
  - title: another principal
    command: aws s3 cp s3://src/a.txt . --profile reader
    principal: arn:aws:sts::111111111111:assumed-role/Reader/r1
    calls:
      - {operation: GetObject, bucket: src, key: a.txt, expect: allowed}
      - {operation: ListObjectsV2, bucket: src, prefix: "docs/", expect: denied}
conclusion: Reads need an identity policy; listing docs/ a bucket policy.
`

func parse(t *testing.T, src string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse([]byte(src), "tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func run(t *testing.T, s *scenario.Scenario) []scenario.StepResult {
	t.Helper()
	res, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // substrings of the error
	}{
		{"not YAML", "title: [unclosed", []string{"bad.yaml: "}},
		{"unknown top-level field", "titel: x\nsteps: [{title: a}]", []string{"bad.yaml: ", "titel"}},
		{"unknown call field", "steps: [{title: a, calls: [{operation: GetObject, bucket_name: b, expect: allowed}]}]", []string{"bad.yaml: ", "bucket_name"}},
		{"no steps", "title: x\nprincipal: arn:aws:iam::111111111111:root", []string{"bad.yaml: a scenario needs steps"}},
		{"expect missing", "steps: [{title: a, calls: [{operation: GetObject, bucket: b}]}]", []string{`bad.yaml: steps[0].calls[0].expect: "" must be allowed or denied`}},
		{"expect misspelled", "steps:\n  - {title: a}\n  - title: b\n    calls:\n      - {operation: GetObject, bucket: b, expect: allowed}\n      - {operation: GetObject, bucket: b, expect: allow}",
			[]string{`bad.yaml: steps[1].calls[1].expect: "allow" must be allowed or denied`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := scenario.Parse([]byte(tt.src), "bad.yaml")
			if err == nil {
				t.Fatalf("parsed: %+v", s)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(path, []byte(tiny), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.File() != path || s.Title != "tiny: reads, then listing" || len(s.Steps) != 4 {
		t.Errorf("Load: file %q title %q steps %d", s.File(), s.Title, len(s.Steps))
	}
	missing := filepath.Join(dir, "missing.yaml")
	if _, err := scenario.Load(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Load of a missing file: %v, want an error naming %s", err, missing)
	}
}

// TestRun replays tiny: every call has its expected outcome, policies
// accumulate from step to step, and a step may run as another principal.
func TestRun(t *testing.T) {
	s := parse(t, tiny)
	res := run(t, s)
	if len(res) != 4 {
		t.Fatalf("%d step results, want 4", len(res))
	}
	wantAllowed := [][]bool{
		{false},
		{true, true, false},
		{true, false, false, true},
		{true, false},
	}
	for i, r := range res {
		if !r.OK() {
			for _, c := range r.Calls {
				if c.Problem != "" {
					t.Errorf("step %d %s: %s", i+1, c.Call.Operation, c.Problem)
				}
			}
		}
		if r.Step != &s.Steps[i] {
			t.Errorf("step %d: result points at another step", i+1)
		}
		if r.World == nil {
			t.Errorf("step %d: no world", i+1)
		}
		if len(r.Calls) != len(wantAllowed[i]) {
			t.Fatalf("step %d: %d calls, want %d", i+1, len(r.Calls), len(wantAllowed[i]))
		}
		for j, c := range r.Calls {
			if c.Result.Allowed() != wantAllowed[i][j] {
				t.Errorf("step %d call %d (%s): allowed %v, want %v", i+1, j+1, c.Call.Operation, c.Result.Allowed(), wantAllowed[i][j])
			}
		}
	}
	if res[0].Principal != "arn:aws:iam::111111111111:user/alice" || res[3].Principal != "arn:aws:sts::111111111111:assumed-role/Reader/r1" {
		t.Errorf("principals %q, %q", res[0].Principal, res[3].Principal)
	}
	// The copy reads the source given as "bucket/key" (docs/authorization.md §2.2 CopyObject).
	cp := res[1].Calls[1].Result
	if len(cp.Checks) != 2 || cp.Checks[0].Action != "s3:GetObject" || cp.Checks[0].Resource != "arn:aws:s3:::src/a.txt" ||
		cp.Checks[1].Action != "s3:PutObject" || cp.Checks[1].Resource != "arn:aws:s3:::dst/a.txt" {
		t.Errorf("CopyObject checks: %+v", cp.Checks)
	}
	// The bucket policy grants alice by her user ARN (docs/authorization.md §1.3 step 4).
	if d := res[2].Calls[0].Result.Checks[0].Decision; d.By.Statement == nil || d.By.Statement.Label() != `Sid "ListDocs"` {
		t.Errorf("ListObjectsV2 docs/ decided by %q, want the bucket policy's ListDocs", d.Summary())
	}
}

// TestRunStartsFresh: a second Run starts from the world as written, so
// step 1 is denied again although step 2 added a policy in the first run.
func TestRunStartsFresh(t *testing.T) {
	s := parse(t, tiny)
	for i := 0; i < 2; i++ {
		res := run(t, s)
		if res[0].Calls[0].Result.Allowed() {
			t.Fatalf("run %d: step 1 GetObject is allowed: policies of a previous run leaked", i+1)
		}
	}
}

// TestRunProblems: outcomes other than the expected ones are reported per
// call, not as errors.
func TestRunProblems(t *testing.T) {
	src := strings.NewReplacer(
		"{operation: GetObject, bucket: src, key: a.txt, expect: denied, denied_action: s3:GetObject}",
		"{operation: GetObject, bucket: src, key: a.txt, expect: denied, denied_action: kms:Decrypt}",
		"{operation: ListObjectsV2, bucket: src, prefix: \"docs/\", expect: allowed}",
		"{operation: ListObjectsV2, bucket: src, prefix: \"docs/\", expect: denied}",
		"{operation: ListObjectsV2, bucket: src, prefix: \"docs/\", expect: denied}",
		"{operation: ListObjectsV2, bucket: src, prefix: \"docs/\", expect: allowed}",
	).Replace(tiny)
	res := run(t, parse(t, src))
	tests := []struct {
		step, call int
		want       string
	}{
		{0, 0, "expected kms:Decrypt to be the denied action, but s3:GetObject was denied first"},
		{2, 0, "expected denied, but every check was allowed"},
		{3, 1, "expected allowed, but s3:ListBucket on arn:aws:s3:::src was denied: implicit deny: no identity-based policy allows s3:ListBucket"},
	}
	for _, tt := range tests {
		if got := res[tt.step].Calls[tt.call].Problem; got != tt.want {
			t.Errorf("step %d call %d: problem %q, want %q", tt.step+1, tt.call+1, got, tt.want)
		}
		if res[tt.step].OK() {
			t.Errorf("step %d: OK() with a problem", tt.step+1)
		}
	}
	if !res[1].OK() {
		t.Errorf("step 2 is not OK: %+v", res[1].Calls)
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name      string
		old, repl string
		want      []string
	}{
		{"unknown principal", "principal: arn:aws:iam::111111111111:user/alice", "principal: arn:aws:iam::111111111111:user/nobody", []string{"tiny.yaml: step 1", "no such user"}},
		{"identity for the root user", "principal: arn:aws:iam::111111111111:user/alice", "principal: arn:aws:iam::111111111111:root", []string{"tiny.yaml: step 2", "add.identity", "not a user or role"}},
		{"bucket policy for an unknown bucket", "      bucket_policies:\n        src:", "      bucket_policies:\n        nowhere:", []string{"tiny.yaml: step 3", `add.bucket_policies: no bucket "nowhere"`}},
		{"unknown operation", "{operation: GetObject, bucket: src, key: a.txt, expect: denied, denied_action: s3:GetObject}", "{operation: GetThing, bucket: src, key: a.txt, expect: denied}", []string{"tiny.yaml: step 1 call 1", `unknown operation "GetThing"`}},
		{"unknown bucket in a call", "{operation: GetObject, bucket: src, key: a.txt, expect: denied, denied_action: s3:GetObject}", "{operation: GetObject, bucket: nowhere, key: a.txt, expect: denied}", []string{"tiny.yaml: step 1 call 1", `bucket "nowhere"`}},
		{"invalid world", "        - name: dst\n", "        - name: Bad_Bucket\n", []string{"step 1", `bucket name "Bad_Bucket"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tiny, tt.old) {
				t.Fatalf("test is stale: tiny has no %q", tt.old)
			}
			s := parse(t, strings.Replace(tiny, tt.old, tt.repl, 1))
			_, err := s.Run()
			if err == nil {
				t.Fatal("Run succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestKeyPolicyStep: add.key_policies replaces a key policy; S3 calls KMS
// as the caller (docs/authorization.md §3.1), so a key policy that does not delegate to the
// account denies the GetObject on kms:Decrypt, and the walk-through says so.
func TestKeyPolicyStep(t *testing.T) {
	const src = `
title: kms
principal: arn:aws:iam::111111111111:user/alice
world:
  accounts:
    - id: "111111111111"
      users:
        - name: alice
          policies:
            all:
              Version: "2012-10-17"
              Statement: [{Effect: Allow, Action: ["s3:GetObject", "kms:Decrypt"], Resource: "*"}]
      keys:
        - id: 1111aaaa-0000-4000-8000-000000000001
      buckets:
        - name: enc
          encryption: {kms_key: "arn:aws:kms:us-east-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001"}
steps:
  - title: default key policy
    command: aws s3 cp s3://enc/a.txt .
    calls: [{operation: GetObject, bucket: enc, key: a.txt, expect: allowed}]
  - title: key policy without the account statement
    command: aws s3 cp s3://enc/a.txt .
    add:
      key_policies:
        1111aaaa-0000-4000-8000-000000000001:
          Version: "2012-10-17"
          Statement: [{Sid: Admin, Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:role/Admin"}, Action: "kms:*", Resource: "*"}]
    calls: [{operation: GetObject, bucket: enc, key: a.txt, expect: denied, denied_action: kms:Decrypt}]
  - title: unknown key
    command: none
    add:
      key_policies:
        no-such-key: {Version: "2012-10-17", Statement: []}
    calls: []
`
	s := parse(t, strings.Replace(src, "  - title: unknown key\n    command: none\n    add:\n      key_policies:\n        no-such-key: {Version: \"2012-10-17\", Statement: []}\n    calls: []\n", "", 1))
	res := run(t, s)
	for i, r := range res {
		if !r.OK() {
			t.Errorf("step %d: %s", i+1, r.Calls[0].Problem)
		}
	}
	var b strings.Builder
	scenario.Render(&b, s, res)
	out := b.String()
	for _, want := range []string{
		"+ key policy of 1111aaaa-0000-4000-8000-000000000001: {\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Admin\"",
		"FAIL kms:Decrypt on arn:aws:kms:us-east-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001 (S3 calls KMS for the caller): implicit deny: no resource-based policy allows kms:Decrypt",
		"the client prints: An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:iam::111111111111:user/alice is not authorized to perform: kms:Decrypt on this resource because",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("walk-through lacks %q\n%s", want, out)
		}
	}

	_, err := parse(t, src).Run()
	if err == nil || !strings.Contains(err.Error(), `add.key_policies: no key "no-such-key"`) || !strings.Contains(err.Error(), "step 3") {
		t.Errorf("unknown key: error %v", err)
	}
}

// TestRender checks the walk-through: title, source, each step's command,
// principal and added policies, every check with its decision, the line
// the AWS CLI prints for a denied call (docs/authorization.md §4.2), unexpected outcomes,
// the observation and the conclusion.
func TestRender(t *testing.T) {
	s := parse(t, tiny)
	res := run(t, s)
	var b strings.Builder
	scenario.Render(&b, s, res)
	out := b.String()
	for _, want := range []string{
		"tiny: reads, then listing\n=========================\n",
		"reproduces seeds/tiny.txt\n",
		"Alice reads and lists a bucket.\n",
		"\nStep 1. no policy\n  $ aws s3 cp s3://src/a.txt .\n  as arn:aws:iam::111111111111:user/alice\n",
		"  GetObject              s3://src/a.txt: DENIED\n",
		"      FAIL s3:GetObject on arn:aws:s3:::src/a.txt: implicit deny: no identity-based policy allows s3:GetObject\n",
		"      the client prints: An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::src/a.txt\" because no identity-based policy allows the s3:GetObject action\n",
		"  the seed observed: AccessDenied on GetObject\n",
		"  + identity policy \"read\": {\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Read\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"]",
		"  GetObject              s3://src/a.txt: allowed\n      ok   s3:GetObject on arn:aws:s3:::src/a.txt: allowed by identity-based policy \"read\", Sid \"Read\"\n",
		"  CopyObject             s3://dst/a.txt from s3://src/a.txt: allowed\n",
		"  + bucket policy of src: {\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"ListDocs\"",
		"      ok   s3:ListBucket on arn:aws:s3:::src: allowed by resource-based policy",
		"  as arn:aws:sts::111111111111:assumed-role/Reader/r1\n",
		"\nConclusion: Reads need an identity policy; listing docs/ a bucket policy.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("walk-through lacks %q\n%s", want, out)
		}
	}
	if strings.Contains(out, "UNEXPECTED") {
		t.Errorf("walk-through reports unexpected outcomes:\n%s", out)
	}
	if n := strings.Count(out, "\nStep "); n != 4 {
		t.Errorf("%d steps rendered, want 4", n)
	}
	// Allowed calls print no client error.
	if n := strings.Count(out, "the client prints:"); n != 5 {
		t.Errorf("%d client errors printed, want one per denied call (5)\n%s", n, out)
	}

	// An unexpected outcome is flagged in the walk-through.
	bad := parse(t, strings.Replace(tiny, "expect: denied, denied_action: s3:GetObject", "expect: allowed", 1))
	b.Reset()
	scenario.Render(&b, bad, run(t, bad))
	if want := "      UNEXPECTED: expected allowed, but s3:GetObject on arn:aws:s3:::src/a.txt was denied: implicit deny: no identity-based policy allows s3:GetObject\n"; !strings.Contains(b.String(), want) {
		t.Errorf("walk-through lacks %q\n%s", want, b.String())
	}
}

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/world"
)

// condWriteWorld: putter may only s3:PutObject in data, putget may also
// s3:GetObject there; the bucket enforced denies an object creation
// without If-None-Match and exempts the steps of a multipart upload.
const condWriteWorld = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAADMIN11111111111, secret: admin-secret-111111111111}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
      - name: putter
        access_keys: [{id: AKIACONDPUTTER000001, secret: putter-secret}]
        policies:
          put: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:PutObject, Resource: "arn:aws:s3:::data/*"}]}
      - name: putget
        access_keys: [{id: AKIACONDPUTGET000001, secret: putget-secret}]
        policies:
          put-get: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [s3:PutObject, s3:GetObject], Resource: "arn:aws:s3:::data/*"}]}
    buckets:
      - name: data
        objects: {hello.txt: "hello\n"}
      - name: enforced
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: RequireIfNoneMatch
              Effect: Deny
              Principal: "*"
              Action: s3:PutObject
              Resource: "arn:aws:s3:::enforced/*"
              Condition:
                "Null": {"s3:if-none-match": "true"}
                Bool: {"s3:ObjectCreationOperation": "true"}
`

// TestAWSCLIConditionalWrites runs AWS CLI v1 (whose botocore sends
// --if-match and --if-none-match; CLI v2 2.9 predates them) against the
// authorization of conditional writes (docs/authorization.md §2.2, §2.3
// "Conditional writes"): If-Match needs s3:GetObject as well as
// s3:PutObject, If-None-Match s3:PutObject alone; in a bucket whose policy
// enforces If-None-Match, put-object with it is served, `aws s3 cp`
// without it is refused, and a multipart `aws s3 cp` is refused only at
// CompleteMultipartUpload.
func TestAWSCLIConditionalWrites(t *testing.T) {
	cli := awsV1(t)
	m, err := world.Decode([]byte(condWriteWorld), "condWriteWorld")
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, m)
	dir := t.TempDir()
	small := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(small, []byte("new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Above the CLI's 8 MiB multipart threshold.
	big := filepath.Join(dir, "big.bin")
	if err := os.WriteFile(big, make([]byte, 9<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	putter := creds{key: "AKIACONDPUTTER000001", secret: "putter-secret"}
	putget := creds{key: "AKIACONDPUTGET000001", secret: "putget-secret"}
	const helloETag = `"b1946ac92492d2347c6235b4d2611184"`
	tests := []struct {
		name string
		as   creds
		args []string
		// fails is what stderr must contain; empty: the command succeeds.
		fails string
	}{
		{"put-object --if-none-match with s3:PutObject alone", putter,
			[]string{"s3api", "put-object", "--bucket", "data", "--key", "created", "--body", small, "--if-none-match", "*"}, ""},
		{"put-object --if-match without s3:GetObject", putter,
			[]string{"s3api", "put-object", "--bucket", "data", "--key", "hello.txt", "--body", small, "--if-match", helloETag},
			`An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::111111111111:user/putter is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/hello.txt"`},
		{"put-object --if-match with s3:PutObject and s3:GetObject", putget,
			[]string{"s3api", "put-object", "--bucket", "data", "--key", "hello.txt", "--body", small, "--if-match", helloETag}, ""},
		{"s3 cp into the enforced bucket", admin,
			[]string{"s3", "cp", small, "s3://enforced/plain.txt"},
			"An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::111111111111:user/admin is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::enforced/plain.txt\" with an explicit deny in a resource-based policy"},
		{"multipart s3 cp into the enforced bucket", admin,
			[]string{"s3", "cp", big, "s3://enforced/big.bin"},
			"An error occurred (AccessDenied) when calling the CompleteMultipartUpload operation"},
		{"put-object --if-none-match into the enforced bucket", admin,
			[]string{"s3api", "put-object", "--bucket", "enforced", "--key", "conditional.txt", "--body", small, "--if-none-match", "*"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--endpoint-url", srv.Endpoint()}, tt.args...)
			r := run(t, env(t, tt.as, srv.Region()), dir, cli.path, args...)
			switch {
			case tt.fails == "" && r.err != nil:
				t.Fatalf("%s failed: %v", cli.name, r)
			case tt.fails != "" && (r.err == nil || !strings.Contains(r.stderr, tt.fails)):
				t.Fatalf("%s: want a failure containing %q, got %v", cli.name, tt.fails, r)
			}
		})
	}
	// What each command left: the conditional writes, nothing else.
	r := run(t, env(t, admin, srv.Region()), dir, cli.path, "--endpoint-url", srv.Endpoint(), "s3", "ls", "s3://enforced/")
	if r.err != nil || !strings.Contains(r.stdout, "conditional.txt") || strings.Contains(r.stdout, "plain.txt") || strings.Contains(r.stdout, "big.bin") {
		t.Errorf("s3://enforced/ after the commands: %v; want conditional.txt alone", r)
	}
}

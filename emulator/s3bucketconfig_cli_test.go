package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// cliResult is what one AWS CLI run printed and its exit status.
type cliResult struct {
	stdout, stderr string
	exit           int
}

// awsCLIv2 returns a function that runs the AWS CLI v2 against the
// emulator as creds, with a configuration of its own; the test is skipped
// when the CLI is not installed.
func awsCLIv2(t *testing.T, s *svcServer, creds aws.Credentials) func(args ...string) cliResult {
	const cli = "/usr/bin/aws"
	if _, err := os.Stat(cli); err != nil {
		t.Skip("the AWS CLI v2 is not installed at " + cli)
	}
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"HOME="+home,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
		"AWS_PAGER=",
		"AWS_ACCESS_KEY_ID="+creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey,
	)
	return func(args ...string) cliResult {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli, append([]string{"--endpoint-url", s.Endpoint(), "--output", "json"}, args...)...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			return cliResult{stdout.String(), stderr.String(), exit.ExitCode()}
		case err != nil:
			t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
		}
		return cliResult{stdout.String(), stderr.String(), 0}
	}
}

// TestBucketSubresourcesWithAWSCLI: `aws s3api` (CLI v2) reads each
// sub-resource of a bucket it created and gets S3's answer for an
// unconfigured bucket: the same output, or the same error code, operation
// and message, with the CLI's exit status for a service error (254).
func TestBucketSubresourcesWithAWSCLI(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	run := awsCLIv2(t, s, s3Admin)
	const bucket = "cli-made"
	if r := run("s3api", "create-bucket", "--bucket", bucket); r.exit != 0 {
		t.Fatalf("create-bucket: exit %d: %s", r.exit, r.stderr)
	}
	// DisplayName is left out of the comparison: S3 stopped returning it
	// (GetBucketAcl API reference, "End of support notice"), and the
	// emulator still does everywhere (owner()).
	owner := map[string]any{"ID": canonicalIDOf(t, run)}
	grantee := map[string]any{"ID": owner["ID"], "Type": "CanonicalUser"}
	for _, tc := range []struct {
		cmd      string
		want     any    // the decoded JSON output; nil: no output
		errorOut string // the CLI's error line, when S3 answers an error
	}{
		{cmd: "get-bucket-acl", want: map[string]any{"Owner": owner, "Grants": []any{map[string]any{"Grantee": grantee, "Permission": "FULL_CONTROL"}}}},
		{cmd: "get-bucket-cors", errorOut: "An error occurred (NoSuchCORSConfiguration) when calling the GetBucketCors operation: The CORS configuration does not exist"},
		{cmd: "get-bucket-website", errorOut: "An error occurred (NoSuchWebsiteConfiguration) when calling the GetBucketWebsite operation: The specified bucket does not have a website configuration"},
		{cmd: "get-bucket-logging"},
		{cmd: "get-bucket-lifecycle-configuration", errorOut: "An error occurred (NoSuchLifecycleConfiguration) when calling the GetBucketLifecycleConfiguration operation: The lifecycle configuration does not exist"},
		{cmd: "get-bucket-replication", errorOut: "An error occurred (ReplicationConfigurationNotFoundError) when calling the GetBucketReplication operation: The replication configuration was not found"},
		{cmd: "get-bucket-tagging", errorOut: "An error occurred (NoSuchTagSet) when calling the GetBucketTagging operation: The TagSet does not exist"},
		{cmd: "get-bucket-accelerate-configuration"},
		{cmd: "get-bucket-request-payment", want: map[string]any{"Payer": "BucketOwner"}},
		{cmd: "get-public-access-block", errorOut: "An error occurred (NoSuchPublicAccessBlockConfiguration) when calling the GetPublicAccessBlock operation: The public access block configuration was not found"},
		{cmd: "get-object-lock-configuration", errorOut: "An error occurred (ObjectLockConfigurationNotFoundError) when calling the GetObjectLockConfiguration operation: Object Lock configuration does not exist for this bucket"},
		{cmd: "get-bucket-versioning"},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			r := run("s3api", tc.cmd, "--bucket", bucket)
			if tc.errorOut != "" {
				if r.exit != 254 || strings.TrimSpace(r.stderr) != tc.errorOut || r.stdout != "" {
					t.Errorf("exit %d, stdout %q, stderr %q\nwant exit 254 and %q", r.exit, r.stdout, r.stderr, tc.errorOut)
				}
				return
			}
			if r.exit != 0 {
				t.Fatalf("exit %d: %s", r.exit, r.stderr)
			}
			if tc.want == nil {
				if strings.TrimSpace(r.stdout) != "" {
					t.Errorf("output %q, want none (S3 answers an empty configuration)", r.stdout)
				}
				return
			}
			var got any
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("output %q: %v", r.stdout, err)
			}
			withoutDisplayName(got)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("output %s\nwant %v", r.stdout, tc.want)
			}
		})
	}
	t.Run("tagging round trip", func(t *testing.T) {
		if r := run("s3api", "put-bucket-tagging", "--bucket", bucket, "--tagging", "TagSet=[{Key=team,Value=storage}]"); r.exit != 0 {
			t.Fatalf("put-bucket-tagging: exit %d: %s", r.exit, r.stderr)
		}
		r := run("s3api", "get-bucket-tagging", "--bucket", bucket)
		var got struct{ TagSet []struct{ Key, Value string } }
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got.TagSet) != 1 || got.TagSet[0].Key != "team" || got.TagSet[0].Value != "storage" {
			t.Errorf("get-bucket-tagging: exit %d %s %s", r.exit, r.stdout, r.stderr)
		}
	})
	t.Run("versioning MFA delete refused", func(t *testing.T) {
		r := run("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled,MFADelete=Enabled", "--mfa", "arn:aws:iam::111111111111:mfa/root 123456")
		if r.exit != 254 || !strings.Contains(r.stderr, "(NotImplemented) when calling the PutBucketVersioning operation: MFA delete is not emulated") {
			t.Errorf("exit %d: %s", r.exit, r.stderr)
		}
	})
}

// withoutDisplayName removes every DisplayName member of decoded JSON.
func withoutDisplayName(v any) {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "DisplayName")
		for _, e := range v {
			withoutDisplayName(e)
		}
	case []any:
		for _, e := range v {
			withoutDisplayName(e)
		}
	}
}

// canonicalIDOf is the canonical user ID the CLI's ListBuckets shows for
// the caller's account, the ID GetBucketAcl's owner must carry.
func canonicalIDOf(t *testing.T, run func(args ...string) cliResult) string {
	t.Helper()
	r := run("s3api", "list-buckets")
	var out struct{ Owner struct{ ID string } }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Owner.ID == "" {
		t.Fatalf("list-buckets: exit %d %q %s: %v", r.exit, r.stdout, r.stderr, err)
	}
	return out.Owner.ID
}

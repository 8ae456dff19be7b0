package plan

import (
	"strings"
	"testing"
)

func TestParseLockstep(t *testing.T) {
	for _, tc := range []struct {
		args      string
		src, dst  string
		recursive bool
		flags     map[string]string
	}{
		{"lockstep sync ./up s3://b/p --delete", "./up", "s3://b/p/", true, map[string]string{"delete": ""}},
		{"lockstep sync s3://b/p ./d --dryrun --exclude * --include *.txt", "s3://b/p/", "./d", true, map[string]string{"dryrun": "", "exclude": "*\n", "include": "*.txt\n"}},
		{"lockstep sync --sse s3://a/p s3://b/q", "s3://a/p/", "s3://b/q/", true, map[string]string{"sse": "AES256"}},
		{"lockstep sync s3://a/p s3://b/q --sse=aws:kms --sse-kms-key-id K --delete=false", "s3://a/p/", "s3://b/q/", true, map[string]string{"sse": "aws:kms", "sse-kms-key-id": "K"}},
		{"lockstep cp ./x.txt s3://b/dir/ --acl bucket-owner-full-control", "./x.txt", "s3://b/dir/x.txt", false, map[string]string{"acl": "bucket-owner-full-control"}},
		{"lockstep cp s3://b/p ./d --recursive --endpoint-url http://e --profile p", "s3://b/p/", "./d", true, map[string]string{"recursive": ""}},
		{"lockstep sync s3://b/p ./d --checksum", "s3://b/p/", "./d", true, map[string]string{"checksum": ""}},
		{"lockstep sync ./d s3://b/p --no-preflight --dest-endpoint-url http://e --dest-region eu-west-1", "./d", "s3://b/p/", true, map[string]string{"no-preflight": ""}},
		{"lockstep sync s3://a/p s3://b/q --source-profile src --dest-profile dst", "s3://a/p/", "s3://b/q/", true, map[string]string{"two-credential-sets": ""}},
	} {
		c, err := ParseCommand(strings.Fields(tc.args), "")
		if err != nil {
			t.Errorf("%s: %v", tc.args, err)
			continue
		}
		if c.Client != Lockstep || c.Source.String() != tc.src || c.Dest.String() != tc.dst || c.Recursive != tc.recursive {
			t.Errorf("%s: got %s %s %s recursive %v", tc.args, c.Client, c.Source, c.Dest, c.Recursive)
		}
		if len(c.Flags) != len(tc.flags) {
			t.Errorf("%s: flags %q, want %q", tc.args, c.Flags, tc.flags)
		}
		for k, v := range tc.flags {
			if got, ok := c.Flags[k]; !ok || got != v {
				t.Errorf("%s: flag %s = %q, want %q", tc.args, k, got, v)
			}
		}
	}
}

func TestParseLockstepRefuses(t *testing.T) {
	for _, tc := range []struct{ args, want string }{
		{"lockstep sync ./up s3://b/p --frobnicate", "lockstep sync has no flag --frobnicate"},
		{"lockstep cp ./up s3://b/p --delete", "--delete is a flag of lockstep sync only"},
		{"lockstep cp ./up s3://b/p --checksum", "--checksum is a flag of lockstep sync only"},
		{"lockstep sync ./up s3://b/p --recursive", "--recursive is a flag of lockstep cp only"},
		{"lockstep sync ./up s3://b/p --plan", "plan the command without it"},
		{"lockstep sync ./up ./down", "both local paths"},
		{"lockstep sync ./up", "no destination"},
		{"lockstep mv ./up s3://b/p", "lockstep plans lockstep sync and lockstep cp"},
		{"lockstep sync ./up gs://b/p", "neither a local path nor an s3:// URL"},
		{"lockstep sync ./up s3://b/p --workers", "--workers needs a value"},
		{"lockstep sync ./up s3://b/p -delete", "two dashes"},
		{"lockstep sync ./up s3://b/p --source-profile src", "--source-profile applies to an s3:// source; ./up is local"},
		{"lockstep cp s3://a/p/k ./d/ --dest-region=eu-west-1", "--dest-region applies to an s3:// destination; ./d/ is local"},
	} {
		_, err := ParseCommand(strings.Fields(tc.args), "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
	if _, err := ParseCommand([]string{"aws", "s3", "sync", "./a", "s3://b"}, Lockstep); err == nil {
		t.Error("--client lockstep fits an aws command")
	}
}

// TestLockstepCredentialSets: the side flags as lockstep reads them
// (cmd/lockstep/sync_sides.go): each side's profile defaults to
// --profile; two credential sets only for S3 to S3 with two different
// profiles; the principal of one S3 side is that side's profile's.
func TestLockstepCredentialSets(t *testing.T) {
	for _, tc := range []struct {
		args           string
		twoSets        bool
		profile, srcPr string
	}{
		{"lockstep sync s3://a/p s3://b/q --source-profile src --dest-profile dst", true, "dst", "src"},
		{"lockstep sync s3://a/p s3://b/q --source-profile src", true, "", "src"},
		{"lockstep sync s3://a/p s3://b/q --profile p --dest-profile dst", true, "dst", "p"},
		{"lockstep sync s3://a/p s3://b/q --profile p --source-profile p", false, "p", ""},
		{"lockstep sync s3://a/p s3://b/q --source-endpoint-url http://e --dest-region eu-west-1", false, "", ""},
		{"lockstep sync s3://a/p ./d --source-profile src", false, "src", ""},
		{"lockstep cp ./k.txt s3://b/q/ --profile p --dest-profile dst", false, "dst", ""},
	} {
		c, err := ParseCommand(strings.Fields(tc.args), "")
		if err != nil {
			t.Errorf("%s: %v", tc.args, err)
			continue
		}
		if c.Creds.TwoSets != tc.twoSets || c.Creds.Profile != tc.profile || c.Creds.SourceProfile != tc.srcPr || c.Has("two-credential-sets") != tc.twoSets {
			t.Errorf("%s: two sets %v, profile %q, source profile %q; want %v, %q, %q", tc.args, c.Creds.TwoSets, c.Creds.Profile, c.Creds.SourceProfile, tc.twoSets, tc.profile, tc.srcPr)
		}
	}
}

// TestLockstepChecksumCalls: sync --checksum asks each S3 side, for the
// objects the destination has, with HeadObject in checksum mode, which on
// an SSE-KMS object needs kms:GenerateDataKey and kms:Decrypt of its key
// (docs/authorization.md §3.1); a local side is hashed, no call.
func TestLockstepChecksumCalls(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:111111111111:key/k"
	for _, tc := range []struct {
		args  string
		sides []string // the sides of the checksum-mode HeadObject calls, in order
	}{
		{"lockstep sync ./up s3://b/p --checksum", []string{"destination"}},
		{"lockstep sync s3://kms/p ./d --checksum", []string{"source"}},
		{"lockstep sync s3://kms/p s3://b/q --checksum --dryrun", []string{"source", "destination"}},
		{"lockstep sync s3://kms/p s3://b/q", nil},
	} {
		cmd, err := ParseCommand(strings.Fields(tc.args), "")
		if err != nil {
			t.Fatal(err)
		}
		p, err := Build(cmd, Context{Principal: "arn:aws:iam::111111111111:user/u", BucketKMSKey: map[string]string{"kms": key}})
		if err != nil {
			t.Fatal(err)
		}
		var sides []string
		for i, c := range p.Calls {
			if !c.Features.ChecksumMode {
				continue
			}
			sides = append(sides, c.Side)
			if c.Operation != "HeadObject" || !c.Existing {
				t.Errorf("%s: call %d %s in checksum mode, existing %v: want HeadObject of objects the destination has", tc.args, i+1, c.Operation, c.Existing)
			}
			actions := strings.Join(p.actionsOf(i), " ")
			if want := "s3:GetObject kms:Decrypt kms:GenerateDataKey"; c.Bucket == "kms" && actions != want {
				t.Errorf("%s: the source's HeadObject in checksum mode needs %q, want %q", tc.args, actions, want)
			}
		}
		if strings.Join(sides, " ") != strings.Join(tc.sides, " ") {
			t.Errorf("%s: checksum-mode HeadObject on %v, want %v", tc.args, sides, tc.sides)
		}
	}
}

package plan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/world"
)

// principalWorld has a user with an access key, a role, a KMS key with an
// alias in each account, a bucket in another account and the profiles
// the principal rule maps.
const principalWorld = `
accounts:
  - id: "111111111111"
    users:
      - {name: alice, access_keys: [{id: AKIAALICE, secret: s}]}
    roles: [{name: Copy}]
    buckets: [{name: src}]
    keys: [{id: 11111111-1111-4111-8111-111111111111, aliases: [alias/mine]}]
  - id: "222222222222"
    buckets: [{name: dst}]
    keys: [{id: 22222222-2222-4222-8222-222222222222, aliases: [alias/theirs]}]
profiles:
  default: arn:aws:iam::111111111111:user/alice
  copy: arn:aws:sts::111111111111:assumed-role/Copy/job
`

func loadPrincipalWorld(t *testing.T, withDefault bool) *world.World {
	t.Helper()
	doc := principalWorld
	if !withDefault {
		doc = strings.Replace(doc, "  default: arn:aws:iam::111111111111:user/alice\n", "", 1)
	}
	w, err := world.Parse([]byte(doc), "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// The principal rule (PrincipalRule) in order, per client.
func TestResolvePrincipal(t *testing.T) {
	const alice, copyRole = "arn:aws:iam::111111111111:user/alice", "arn:aws:sts::111111111111:assumed-role/Copy/job"
	tests := []struct {
		name, args, given string
		env               map[string]string
		noDefault         bool
		want, how, err    string
	}{
		{name: "--principal", args: "aws s3 cp s3://src/k .", given: alice, env: map[string]string{"AWS_PROFILE": "copy"}, want: alice, how: "--principal"},
		{name: "--principal unknown", args: "aws s3 cp s3://src/k .", given: "arn:aws:iam::111111111111:user/bob", err: "--principal: principal arn:aws:iam::111111111111:user/bob: no such user"},
		{name: "--principal and unsigned", args: "aws s3 cp s3://src/k . --no-sign-request", given: alice, err: "but the command has --no-sign-request"},
		{name: "unsigned", args: "s5cmd --no-sign-request cp s3://src/k .", want: "anonymous", how: "--no-sign-request"},
		{name: "aws --profile", args: "aws --profile copy s3 cp s3://src/k .", env: map[string]string{"AWS_PROFILE": "default", "AWS_ACCESS_KEY_ID": "AKIAALICE"}, want: copyRole, how: "the command's --profile copy"},
		{name: "access key before AWS_PROFILE", args: "aws s3 cp s3://src/k .", env: map[string]string{"AWS_PROFILE": "copy", "AWS_ACCESS_KEY_ID": "AKIAALICE"}, want: alice, how: "AWS_ACCESS_KEY_ID AKIAALICE"},
		{name: "AWS_PROFILE", args: "s5cmd cp s3://src/k .", env: map[string]string{"AWS_PROFILE": "copy"}, want: copyRole, how: "AWS_PROFILE=copy"},
		{name: "default profile", args: "aws s3 cp s3://src/k .", want: alice, how: "the profile default"},
		{name: "nothing", args: "aws s3 cp s3://src/k .", noDefault: true, err: "no principal for the command in w.yaml: give --principal ARN, or name a profile the world maps with the command's --profile NAME or AWS_PROFILE=NAME (its profiles: copy)"},
		{name: "unknown profile", args: "aws --profile ops s3 cp s3://src/k .", err: `the command's --profile ops: the world file w.yaml has no profile "ops" (its profiles: copy, default)`},
		{name: "unknown key", args: "aws s3 cp s3://src/k .", env: map[string]string{"AWS_ACCESS_KEY_ID": "ASIATEMP"}, err: "AWS_ACCESS_KEY_ID is ASIATEMP, and the client signs with it rather than with AWS_PROFILE; it is not an access key of the world file w.yaml"},
		{name: "rclone static key", args: "rclone copyto :s3,access_key_id=AKIAALICE:src/k ./k", env: map[string]string{"AWS_PROFILE": "copy"}, want: alice, how: "the remote's access_key_id AKIAALICE"},
		{name: "rclone RCLONE_S3_ACCESS_KEY_ID", args: "rclone copyto :s3:src/k ./k", env: map[string]string{"RCLONE_S3_ACCESS_KEY_ID": "AKIAALICE"}, want: alice},
		{name: "rclone without env_auth", args: "rclone copyto :s3:src/k ./k", env: map[string]string{"AWS_PROFILE": "copy"}, want: "anonymous"},
		{name: "rclone env_auth: env key first", args: "rclone copyto --s3-profile copy :s3,env_auth=true:src/k ./k", env: map[string]string{"AWS_ACCESS_KEY_ID": "AKIAALICE"}, want: alice},
		{name: "rclone env_auth: profile", args: "rclone copyto --s3-env-auth :s3,profile=copy:src/k ./k", want: copyRole, how: "the remote's profile copy"},
		{name: "rclone RCLONE_S3_ENV_AUTH and AWS_PROFILE", args: "rclone copyto :s3:src/k ./k", env: map[string]string{"RCLONE_S3_ENV_AUTH": "true", "AWS_PROFILE": "copy"}, want: copyRole, how: "AWS_PROFILE=copy"},
		{name: "rclone named remote", args: "rclone copyto r:src/k ./k", env: map[string]string{"AWS_PROFILE": "copy"}, err: "rclone remote r:: its credentials are in rclone.conf, which lockstep does not read"},
		{name: "rclone two credentials", args: "rclone copyto :s3,profile=a,env_auth=true:src/k :s3,profile=b,env_auth=true:dst/k", err: "name different credentials; lockstep plans the calls of one principal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := loadPrincipalWorld(t, !tt.noDefault)
			cmd, err := ParseCommand(splitArgs(tt.args), "")
			if err != nil {
				t.Fatal(err)
			}
			got, how, err := ResolvePrincipal(w, cmd, tt.given, func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want || (tt.how != "" && how != tt.how) {
				t.Errorf("%s (from %q) %v, want %s (from %q)", got, how, err, tt.want, tt.how)
			}
		})
	}
}

// With a world, the buckets of other accounts than the principal's get
// bucket policies, and a bucket the world does not have is named in a
// note (issue 9).
func TestWorldBucketOwners(t *testing.T) {
	w := loadPrincipalWorld(t, true)
	cmd, err := ParseCommand(splitArgs("aws s3 sync s3://src/p s3://dst/q"), AWSv2)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Build(cmd, ContextFromWorld(w, "arn:aws:sts::111111111111:assumed-role/Copy/job"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Policies.Buckets["dst"] == nil || p.Policies.Buckets["src"] != nil || len(p.Policies.Buckets) != 1 {
		t.Errorf("bucket policies %v, want one, for dst", p.Policies.Buckets)
	}
	if got := p.Policies.Buckets["dst"].Statement[0].Principal["AWS"]; got != "arn:aws:iam::111111111111:role/Copy" {
		t.Errorf("the bucket policy names %s, want the role", got)
	}
	cmd, _ = ParseCommand(splitArgs("aws s3 sync s3://src/p s3://elsewhere/q"), AWSv2)
	p, err = Build(cmd, ContextFromWorld(w, "arn:aws:iam::111111111111:user/alice"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "bucket elsewhere is not in the world file w.yaml: it is taken to be in the principal's account") {
		t.Errorf("no note on the unknown bucket:\n%s", strings.Join(p.Notes, "\n"))
	}
}

// --sse-kms-key-id: a key ARN is taken as given; an alias or key ID is
// resolved through the world in the caller's account, and without a world
// it is reported and never written into a policy (issue 9).
func TestSSEKMSKeyID(t *testing.T) {
	const mine, theirs = "arn:aws:kms:us-east-1:111111111111:key/11111111-1111-4111-8111-111111111111", "arn:aws:kms:us-east-1:222222222222:key/22222222-2222-4222-8222-222222222222"
	w := loadPrincipalWorld(t, true)
	tests := []struct {
		id      string
		world   bool
		want    string // the key ARN planned; "" none
		err     string
		note    string
		noRefer string // must not appear in any policy
	}{
		{id: mine, want: mine},
		{id: "alias/mine", world: true, want: mine},
		{id: "11111111-1111-4111-8111-111111111111", world: true, want: mine},
		{id: "arn:aws:kms:us-east-1:222222222222:alias/theirs", world: true, want: theirs},
		{id: theirs, world: true, want: theirs},
		{id: "alias/theirs", world: true, err: "--sse-kms-key-id alias/theirs: the world file w.yaml has no key arn:aws:kms:us-east-1:111111111111:alias/theirs (S3 looks an alias or key ID up in the caller's account and region): account 222222222222 has it: give its ARN, arn:aws:kms:us-east-1:222222222222:alias/theirs"},
		{id: "alias/nope", world: true, err: "has no key arn:aws:kms:us-east-1:111111111111:alias/nope"},
		{id: "alias/mine", note: "--sse-kms-key-id alias/mine is not a key ARN, and lockstep cannot resolve it to one without --world", noRefer: "alias/mine"},
		{id: "arn:aws:kms:us-east-1:111111111111:alias/mine", note: "is not a key ARN", noRefer: "alias/mine"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			cmd, err := ParseCommand(splitArgs("aws s3 cp ./f.txt s3://dst/ --sse aws:kms --sse-kms-key-id "+tt.id), AWSv2)
			if err != nil {
				t.Fatal(err)
			}
			ctx := Context{Principal: "arn:aws:iam::111111111111:user/alice", BucketAccount: map[string]string{"dst": "222222222222"}, MaxObjectSize: 1 << 20}
			if tt.world {
				ctx = ContextFromWorld(w, ctx.Principal)
				ctx.MaxObjectSize = 1 << 20
			}
			p, err := Build(cmd, ctx)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.SSEKMSKey != tt.want {
				t.Errorf("key %q, want %q", p.SSEKMSKey, tt.want)
			}
			docs, _ := json.Marshal(p.Policies)
			if tt.want != "" && !strings.Contains(string(docs), tt.want) {
				t.Errorf("the policies do not name %s:\n%s", tt.want, docs)
			}
			if tt.noRefer != "" && strings.Contains(string(docs), tt.noRefer) {
				t.Errorf("a policy names %s:\n%s", tt.noRefer, docs)
			}
			if !strings.Contains(strings.Join(p.Notes, "\n"), tt.note) {
				t.Errorf("notes lack %q:\n%s", tt.note, strings.Join(p.Notes, "\n"))
			}
		})
	}
}

package emulator_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/world"
)

// contextWorldYAML: an organization with an OU; alice (tagged) in a member
// account may use S3, KMS and assume the role reader; the bucket is
// encrypted with a customer managed key that has an alias.
const contextWorldYAML = `
region: us-east-1
organization:
  id: o-a1b2c3d4e5
  root: r-ab12
  units: [{id: ou-ab12-11111111, accounts: ["111111111111"]}]
accounts:
  - id: "111111111111"
    users:
      - name: alice
        tags: {team: data}
        access_keys: [{id: AKIACTXALICE00000001, secret: alice-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:*", "kms:*", "sts:AssumeRole"], Resource: "*"}]}
    roles:
      - name: reader
        tags: {tier: gold}
        trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}]}
        policies:
          read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:GetObject", "s3:ListBucket", "kms:Decrypt"], Resource: "*"}]}
    keys:
      - {id: 1234abcd-12ab-34cd-56ef-1234567890ab, aliases: [alias/data]}
    buckets:
      - name: ctx-bucket
        encryption: {kms_key: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
`

// TestContextMatchesEval checks that the emulator decides each request on
// the same context that lockstep eval (world.Request from the principal's
// ARN) computes for it: for S3 calls, the KMS calls S3 makes, direct KMS
// calls by alias, STS, and a role session.
func TestContextMatchesEval(t *testing.T) {
	var mu sync.Mutex
	var seen []enforce.Check
	s := startEmulator(t, contextWorldYAML, func(o *emulator.Options) {
		o.OnChecks = func(_ string, checks []enforce.Check) {
			mu.Lock()
			seen = append(seen, checks...)
			mu.Unlock()
		}
	})
	ctx := context.Background()
	alice := aws.Credentials{AccessKeyID: "AKIACTXALICE00000001", SecretAccessKey: "alice-secret"}
	c := s3.NewFromConfig(s.cfg(t, alice), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ctx-bucket"), Key: aws.String("a/b.txt"), Body: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("ctx-bucket"), Prefix: aws.String("a/")}); err != nil {
		t.Fatal(err)
	}
	k := kms.NewFromConfig(s.cfg(t, alice))
	if _, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/data"), Plaintext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(s.cfg(t, alice)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::111111111111:role/reader"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	sess := aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}
	rc := s3.NewFromConfig(s.cfg(t, sess), func(o *s3.Options) { o.UsePathStyle = true })
	got, err := rc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ctx-bucket"), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatal(err)
	}
	got.Body.Close()

	w, err := world.Parse([]byte(contextWorldYAML), "context.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var actions []string
	for _, ch := range seen {
		actions = append(actions, ch.Action)
		compareWithEval(t, w, ch)
	}
	for _, want := range []string{"s3:PutObject", "kms:GenerateDataKey", "s3:ListBucket", "kms:Encrypt", "sts:AssumeRole", "s3:GetObject", "kms:Decrypt"} {
		if !slices.Contains(actions, want) {
			t.Errorf("no %s check was seen; checks: %v", want, actions)
		}
	}
}

// compareWithEval rebuilds the context of one emulator check the way eval
// does and compares every key.
func compareWithEval(t *testing.T, w *world.World, ch enforce.Check) {
	t.Helper()
	emu := ch.Request.Context
	get := func(k string) string {
		v, _ := emu.Get(k)
		return strings.Join(v, ",")
	}
	p, err := w.Principal(ch.Request.Principal.ARN)
	if err != nil {
		t.Fatal(err)
	}
	if v := get("aws:TokenIssueTime"); v != "" {
		// The session's issue time: eval takes it from the command line.
		p.IssuedAt, _ = time.Parse(time.RFC3339, v)
	}
	now, _ := time.Parse(time.RFC3339, get("aws:CurrentTime"))
	env := authz.Env{Time: now, SourceIP: get("aws:SourceIp"), UserAgent: get("aws:UserAgent")}
	if ch.KMS != nil {
		env.ViaService = get("kms:ViaService")
	}
	// The keys of the operation's parameters are given as eval's
	// --context; everything else must be computed alike.
	ops := map[string][]string{}
	for _, key := range emu.Keys() {
		if info, ok := authz.LookupContextKey(key); !ok || info.Presence == authz.PresenceOperation {
			ops[key], _ = emu.Get(key)
		}
	}
	resource := ch.Resource
	if a := get("kms:RequestAlias"); a != "" {
		resource = "arn:aws:kms:" + w.Region + ":" + p.Account + ":" + a
	}
	req, err := w.Request(p, ch.Action, resource, env, ops)
	if err != nil {
		t.Fatal(err)
	}
	ev := req.Context
	if !slices.Equal(emu.Keys(), ev.Keys()) {
		t.Errorf("%s on %s: the emulator's context has keys\n%v\neval's has\n%v", ch.Action, ch.Resource, emu.Keys(), ev.Keys())
		return
	}
	for _, key := range emu.Keys() {
		a, _ := emu.Get(key)
		b, _ := ev.Get(key)
		if !slices.Equal(a, b) {
			t.Errorf("%s on %s: %s is %q in the emulator, %q in eval", ch.Action, ch.Resource, key, a, b)
		}
	}
	// Spot checks of what the issue requires of the context.
	if ch.Action == "kms:Encrypt" && (get("kms:RequestAlias") != "alias/data" || get("kms:ResourceAliases") != "alias/data") {
		t.Errorf("kms:Encrypt by alias: kms:RequestAlias %q, kms:ResourceAliases %q; want alias/data for both", get("kms:RequestAlias"), get("kms:ResourceAliases"))
	}
	if strings.HasSuffix(p.ARN, "user/alice") && get("aws:PrincipalTag/team") != "data" {
		t.Errorf("%s: aws:PrincipalTag/team = %q, want data", ch.Action, get("aws:PrincipalTag/team"))
	}
	for key, want := range map[string]string{"aws:RequestedRegion": "us-east-1", "aws:PrincipalOrgID": "o-a1b2c3d4e5", "aws:ResourceOrgID": "o-a1b2c3d4e5",
		"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/", "aws:ViaAWSService": boolText(ch.KMS != nil)} {
		if got := get(key); got != want {
			t.Errorf("%s on %s: %s = %q, want %q", ch.Action, ch.Resource, key, got, want)
		}
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

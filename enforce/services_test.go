package enforce_test

import (
	"testing"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/world"
)

// servicesWorld has a user who may manage one key and create aliases
// under alias/app/, and a role trusting the account.
const servicesWorld = `
region: eu-west-1
accounts:
  - id: "111111111111"
    users:
      - name: ops
        policies:
          ops:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: ["kms:CreateAlias", "kms:Encrypt"], Resource: "arn:aws:kms:eu-west-1:111111111111:key/*"}
              - {Effect: Allow, Action: kms:CreateAlias, Resource: "arn:aws:kms:eu-west-1:111111111111:alias/app/*"}
              - {Effect: Allow, Action: kms:CreateKey, Resource: "*"}
              - {Effect: Allow, Action: sts:AssumeRole, Resource: "arn:aws:iam::111111111111:role/Worker"}
              - {Effect: Allow, Action: iam:PutUserPolicy, Resource: "arn:aws:iam::111111111111:user/ops"}
    roles:
      - name: Worker
        trust:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {AWS: "111111111111"}, Action: sts:AssumeRole}]
    keys:
      - id: 1111aaaa-0000-4000-8000-000000000001
        aliases: [alias/app/main]
`

// TestAuthorizeServiceOperations: KMS, STS and IAM operations of the
// catalogue authorize through the same path as S3's, on Call.Resource
// and, for kms:CreateAlias, on Call.Alias too (an alias has no policy of
// its own: IAM alone grants it, and it need not exist yet).
func TestAuthorizeServiceOperations(t *testing.T) {
	w, err := world.Parse([]byte(servicesWorld), "services_test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.Principal("arn:aws:iam::111111111111:user/ops")
	if err != nil {
		t.Fatal(err)
	}
	const (
		key  = "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001"
		role = "arn:aws:iam::111111111111:role/Worker"
	)
	tests := []struct {
		name string
		call enforce.Call
		want []check
	}{
		{"Encrypt on the key", enforce.Call{Operation: "Encrypt", Resource: key},
			[]check{{"kms:Encrypt", key, s3ops.KMSKey, false, true}}},
		{"CreateKey on *", enforce.Call{Operation: "CreateKey"},
			[]check{{"kms:CreateKey", "*", s3ops.AnyResource, false, true}}},
		{"CreateAlias on a new alias and the key", enforce.Call{Operation: "CreateAlias", Resource: key, Alias: "arn:aws:kms:eu-west-1:111111111111:alias/app/new"},
			[]check{{"kms:CreateAlias", "arn:aws:kms:eu-west-1:111111111111:alias/app/new", s3ops.KMSAlias, false, true}, {"kms:CreateAlias", key, s3ops.KMSKey, false, true}}},
		{"CreateAlias outside alias/app/", enforce.Call{Operation: "CreateAlias", Resource: key, Alias: "arn:aws:kms:eu-west-1:111111111111:alias/other"},
			[]check{{"kms:CreateAlias", "arn:aws:kms:eu-west-1:111111111111:alias/other", s3ops.KMSAlias, false, false}, {"kms:CreateAlias", key, s3ops.KMSKey, false, true}}},
		{"AssumeRole on the role", enforce.Call{Operation: "AssumeRole", Resource: role},
			[]check{{"sts:AssumeRole", role, s3ops.IAMRole, false, true}}},
		{"PutUserPolicy on the user", enforce.Call{Operation: "PutUserPolicy", Resource: "arn:aws:iam::111111111111:user/ops"},
			[]check{{"iam:PutUserPolicy", "arn:aws:iam::111111111111:user/ops", s3ops.IAMUser, false, true}}},
		{"PutUserPolicy on another user", enforce.Call{Operation: "PutUserPolicy", Resource: "arn:aws:iam::111111111111:user/other"},
			[]check{{"iam:PutUserPolicy", "arn:aws:iam::111111111111:user/other", s3ops.IAMUser, false, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.call.Env = authz.Env{Time: env.Time}
			res, err := enforce.Authorize(w, p, tt.call)
			if err != nil {
				t.Fatal(err)
			}
			got := got(res)
			if len(got) != len(tt.want) {
				t.Fatalf("checks = %v; want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("check %d = %v; want %v", i, got[i], tt.want[i])
				}
			}
		})
	}

	if _, err := enforce.Authorize(w, p, enforce.Call{Operation: "Encrypt"}); err == nil {
		t.Error("Encrypt without Call.Resource: no error")
	}
}

package emulator_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// denialWorldYAML: lister may list the bucket only under home/ (a
// StringLike s3:prefix condition); blocked may list it but a Deny
// statement refuses s3:GetObject under secret/; getter may get objects
// but not list the bucket.
const denialWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: lister
        access_keys: [{id: AKIADENIALLISTER0001, secret: lister-secret}]
        policies:
          home-only:
            Version: "2012-10-17"
            Statement:
              - Sid: ListHome
                Effect: Allow
                Action: s3:ListBucket
                Resource: "arn:aws:s3:::denial"
                Condition: {StringLike: {"s3:prefix": "home/*"}}
      - name: blocked
        access_keys: [{id: AKIADENIALBLOCKED001, secret: blocked-secret}]
        policies:
          read:
            Version: "2012-10-17"
            Statement:
              - {Sid: Read, Effect: Allow, Action: ["s3:GetObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::denial", "arn:aws:s3:::denial/*"]}
          no-secrets:
            Version: "2012-10-17"
            Statement:
              - {Sid: NoSecrets, Effect: Deny, Action: s3:GetObject, Resource: "arn:aws:s3:::denial/secret/*"}
      - name: getter
        access_keys: [{id: AKIADENIALGETTER0001, secret: getter-secret}]
        policies:
          get: {Version: "2012-10-17", Statement: [{Sid: Get, Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::denial/*"}]}
    buckets:
      - name: denial
        objects: {home/a.txt: "a", secret/b.txt: "b"}
`

// TestAuditDenialNamesWhy: the audit record of a denied call names, in
// additionalEventData, the denied check, the deciding policy and
// statement of an explicit deny, and for an implicit deny the Allow
// statement whose condition failed, with what the request had for the
// key (absent, or its value).
func TestAuditDenialNamesWhy(t *testing.T) {
	audit := &svcAudit{}
	s := startEmulator(t, denialWorldYAML, withAudit(audit))
	ctx := context.Background()
	lister := aws.Credentials{AccessKeyID: "AKIADENIALLISTER0001", SecretAccessKey: "lister-secret"}
	blocked := aws.Credentials{AccessKeyID: "AKIADENIALBLOCKED001", SecretAccessKey: "blocked-secret"}
	getter := aws.Credentials{AccessKeyID: "AKIADENIALGETTER0001", SecretAccessKey: "getter-secret"}

	type failed struct {
		Policy, Statement, Condition, Key, Text string
		Present                                 bool
		Values                                  []string
	}
	type denial struct {
		DeniedAction, DeniedResource, Decision, DecidingPolicyType, DecidingPolicy, DecidingStatement string
		FailedConditions                                                                              []failed
	}
	tests := []struct {
		name string
		call func() error
		want *denial
	}{
		{
			name: "implicit deny: the s3:prefix condition of the only Allow, with no prefix",
			call: func() error {
				_, err := s.s3(t, lister).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("denial")})
				return err
			},
			want: &denial{DeniedAction: "s3:ListBucket", DeniedResource: "arn:aws:s3:::denial", Decision: "implicitDeny",
				DecidingPolicyType: "identity-based policy",
				FailedConditions: []failed{{Policy: "home-only", Statement: `Sid "ListHome"`, Condition: "StringLike s3:prefix",
					Key: "s3:prefix", Text: "s3:prefix absent"}}},
		},
		{
			name: "implicit deny: the s3:prefix condition, with another prefix",
			call: func() error {
				_, err := s.s3(t, lister).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("denial"), Prefix: aws.String("secret/")})
				return err
			},
			want: &denial{DeniedAction: "s3:ListBucket", DeniedResource: "arn:aws:s3:::denial", Decision: "implicitDeny",
				DecidingPolicyType: "identity-based policy",
				FailedConditions: []failed{{Policy: "home-only", Statement: `Sid "ListHome"`, Condition: "StringLike s3:prefix",
					Key: "s3:prefix", Present: true, Values: []string{"secret/"}, Text: `s3:prefix is "secret/"`}}},
		},
		{
			name: "explicit deny: the Deny statement decides",
			call: func() error {
				_, err := s.s3(t, blocked).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("denial"), Key: aws.String("secret/b.txt")})
				return err
			},
			want: &denial{DeniedAction: "s3:GetObject", DeniedResource: "arn:aws:s3:::denial/secret/b.txt", Decision: "explicitDeny",
				DecidingPolicyType: "identity-based policy", DecidingPolicy: "no-secrets", DecidingStatement: `Sid "NoSecrets"`},
		},
		{
			name: "a missing key without s3:ListBucket: the s3:ListBucket check decided the 403 (docs/authorization.md §2.4)",
			call: func() error {
				_, err := s.s3(t, getter).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("denial"), Key: aws.String("home/missing.txt")})
				return err
			},
			want: &denial{DeniedAction: "s3:ListBucket", DeniedResource: "arn:aws:s3:::denial", Decision: "implicitDeny",
				DecidingPolicyType: "identity-based policy"},
		},
		{
			name: "allowed: no additionalEventData",
			call: func() error {
				_, err := s.s3(t, lister).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("denial"), Prefix: aws.String("home/")})
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			audit.mu.Lock()
			audit.buf.Reset()
			audit.mu.Unlock()
			err := tt.call()
			if (err != nil) != (tt.want != nil) {
				t.Fatalf("call error %v; want denied %v", err, tt.want != nil)
			}
			if err := s.Idle(ctx); err != nil {
				t.Fatal(err)
			}
			audit.mu.Lock()
			lines := strings.Split(strings.TrimSpace(audit.buf.String()), "\n")
			audit.mu.Unlock()
			var rec struct {
				ErrorCode           string          `json:"errorCode"`
				AdditionalEventData json.RawMessage `json:"additionalEventData"`
			}
			if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
				t.Fatalf("audit record %s: %v", lines[0], err)
			}
			if tt.want == nil {
				if rec.AdditionalEventData != nil {
					t.Errorf("an allowed call has additionalEventData %s", rec.AdditionalEventData)
				}
				return
			}
			var got denial
			if err := json.Unmarshal(rec.AdditionalEventData, &got); err != nil {
				t.Fatalf("additionalEventData %s: %v", rec.AdditionalEventData, err)
			}
			if !reflect.DeepEqual(&got, tt.want) {
				t.Errorf("additionalEventData %s\n got %+v\nwant %+v", rec.AdditionalEventData, got, *tt.want)
			}
		})
	}
}

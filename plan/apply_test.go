package plan

import (
	"testing"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/world"
)

// TestApplyReplacesEveryIdentityPolicy: a plan applied to a world takes
// the place of all of the principal's identity-based policies, its groups'
// and attached managed policies too; a proof that left them would prove
// nothing about the plan.
func TestApplyReplacesEveryIdentityPolicy(t *testing.T) {
	const doc = `
aws_managed_policies:
  - name: AmazonS3FullAccess
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
accounts:
  - id: "111111111111"
    groups:
      - name: admins
        managed_policies: [arn:aws:iam::aws:policy/AmazonS3FullAccess]
    users:
      - name: alice
        groups: [admins]
        managed_policies: [arn:aws:iam::aws:policy/AmazonS3FullAccess]
    roles:
      - name: job
        managed_policies: [arn:aws:iam::aws:policy/AmazonS3FullAccess]
    buckets:
      - name: data
`
	for _, principal := range []string{"arn:aws:iam::111111111111:user/alice", "arn:aws:iam::111111111111:role/job"} {
		m, err := world.Decode([]byte(doc), "w.yaml")
		if err != nil {
			t.Fatal(err)
		}
		p := &Plan{Context: Context{Principal: principal}, Policies: Policies{Identity: &Document{}}}
		if err := p.Apply(m); err != nil {
			t.Fatal(err)
		}
		w, err := world.Compile(m, "w.yaml")
		if err != nil {
			t.Fatal(err)
		}
		pr, err := w.Principal(principal)
		if err != nil {
			t.Fatal(err)
		}
		req, err := w.Request(pr, "s3:GetObject", "arn:aws:s3:::data/k", authz.Env{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if authz.Decide(req).Allowed() || len(pr.Identity) != 0 {
			t.Errorf("%s keeps %d identity policies after an empty plan was applied", principal, len(pr.Identity))
		}
	}
}

// TestApplyTwoPrincipals: with two credential sets each principal gets its
// own identity policy, the source's reading, the destination's writing,
// and loses every other identity-based policy.
func TestApplyTwoPrincipals(t *testing.T) {
	const doc = `
aws_managed_policies:
  - name: AmazonS3FullAccess
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
accounts:
  - id: "111111111111"
    users:
      - name: reader
        managed_policies: [arn:aws:iam::aws:policy/AmazonS3FullAccess]
      - name: writer
        managed_policies: [arn:aws:iam::aws:policy/AmazonS3FullAccess]
    buckets:
      - name: src-data
      - name: dst-data
`
	m, err := world.Decode([]byte(doc), "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const reader, writer = "arn:aws:iam::111111111111:user/reader", "arn:aws:iam::111111111111:user/writer"
	p := twoSetsPlan(t, "lockstep sync s3://src-data/p s3://dst-data/q --source-profile r --dest-profile w")
	p.Context.Principal, p.Context.SourcePrincipal, p.Context.BucketAccount, p.Context.BucketKMSKey = writer, reader, nil, nil
	p, err = BuildWith(p.Command, p.Context, p.Model)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(m); err != nil {
		t.Fatal(err)
	}
	w, err := world.Compile(m, "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		principal, action, resource string
		allowed                     bool
	}{
		{reader, "s3:GetObject", "arn:aws:s3:::src-data/p/k", true},
		{reader, "s3:PutObject", "arn:aws:s3:::dst-data/q/k", false},
		{writer, "s3:PutObject", "arn:aws:s3:::dst-data/q/k", true},
		{writer, "s3:GetObject", "arn:aws:s3:::src-data/p/k", false},
	} {
		pr, err := w.Principal(tc.principal)
		if err != nil {
			t.Fatal(err)
		}
		req, err := w.Request(pr, tc.action, tc.resource, authz.Env{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := authz.Decide(req).Allowed(); got != tc.allowed {
			t.Errorf("%s %s on %s: allowed %v, want %v", tc.principal, tc.action, tc.resource, got, tc.allowed)
		}
	}
}

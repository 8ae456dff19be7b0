package world

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/authz"
)

const groupsWorld = `
aws_managed_policies:
  - name: AmazonS3ReadOnlyAccess
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:Get*", "s3:List*"], Resource: "*"}]}
accounts:
  - id: "111111111111"
    managed_policies:
      - name: write-backup
        path: /storage/
        document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:PutObject, Resource: "arn:aws:s3:::backup/*"}]}
      - name: no-delete
        document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:Get*", "s3:List*", "s3:PutObject"], Resource: "*"}]}
    groups:
      - name: readers
        managed_policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
      - name: deny-deletes
        policies:
          deny: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: s3:DeleteObject, Resource: "*"}]}
    users:
      - name: alice
        groups: [readers, deny-deletes]
        managed_policies: [arn:aws:iam::111111111111:policy/storage/write-backup]
        policies:
          delete: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:DeleteObject, Resource: "*"}]}
      - name: bob
        boundary: arn:aws:iam::111111111111:policy/no-delete
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
    roles:
      - name: reader
        trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}
        managed_policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
    buckets:
      - name: backup
      - name: other
`

// TestGroupsAndManagedPolicies: a user's permissions are its inline
// policies, its attached managed policies and its groups' inline and
// attached policies; a role's, its inline and attached ones; a boundary
// may be a managed policy named by ARN.
func TestGroupsAndManagedPolicies(t *testing.T) {
	w, err := Parse([]byte(groupsWorld), "groups.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		principal, action, resource string
		allowed                     bool
	}{
		{"arn:aws:iam::111111111111:user/alice", "s3:GetObject", "arn:aws:s3:::backup/a", true},     // group readers, AWS managed
		{"arn:aws:iam::111111111111:user/alice", "s3:PutObject", "arn:aws:s3:::backup/a", true},     // attached customer managed
		{"arn:aws:iam::111111111111:user/alice", "s3:PutObject", "arn:aws:s3:::other/a", false},     // outside its Resource
		{"arn:aws:iam::111111111111:user/alice", "s3:DeleteObject", "arn:aws:s3:::backup/a", false}, // group deny-deletes' Deny
		{"arn:aws:iam::111111111111:user/bob", "s3:PutObject", "arn:aws:s3:::backup/a", true},       // inside the boundary
		{"arn:aws:iam::111111111111:user/bob", "s3:DeleteObject", "arn:aws:s3:::backup/a", false},   // outside the boundary
		{"arn:aws:sts::111111111111:assumed-role/reader/i-1", "s3:ListBucket", "arn:aws:s3:::backup", true},
		{"arn:aws:sts::111111111111:assumed-role/reader/i-1", "s3:PutObject", "arn:aws:s3:::backup/a", false},
	}
	for _, tt := range tests {
		p, err := w.Principal(tt.principal)
		if err != nil {
			t.Fatal(err)
		}
		req, err := w.Request(p, tt.action, tt.resource, authz.Env{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := authz.Decide(req).Allowed(); got != tt.allowed {
			t.Errorf("%s %s on %s: allowed %v, want %v", tt.principal, tt.action, tt.resource, got, tt.allowed)
		}
	}
	alice := w.User("arn:aws:iam::111111111111:user/alice")
	if len(alice.Policies) != 1 || len(alice.Attached) != 1 || len(alice.Groups) != 2 || len(alice.IdentityPolicies()) != 4 {
		t.Errorf("alice: %d inline, %d attached, %d groups, %d identity policies; want 1, 1, 2, 4", len(alice.Policies), len(alice.Attached), len(alice.Groups), len(alice.IdentityPolicies()))
	}
	if g := w.Group("arn:aws:iam::111111111111:group/readers"); g == nil || len(g.Attached) != 1 {
		t.Errorf("group readers: %+v", g)
	}
	if mp := w.ManagedPolicy("arn:aws:iam::111111111111:policy/storage/write-backup"); mp == nil || mp.Policy.Name != mp.ARN {
		t.Errorf("managed policy write-backup: %+v", mp)
	}
	if b := w.User("arn:aws:iam::111111111111:user/bob").Boundary; b == nil || b.Name != "arn:aws:iam::111111111111:policy/no-delete" {
		t.Errorf("bob's boundary: %+v", b)
	}
}

// A wrong group or managed policy reference is an error naming the user
// or group, the reference, and what to add.
func TestGroupAndManagedPolicyErrors(t *testing.T) {
	const head = "accounts:\n  - id: \"111111111111\"\n"
	tests := []struct{ name, doc, want string }{
		{"unknown group", head + "    users: [{name: a, groups: [admins]}]\n", `user arn:aws:iam::111111111111:user/a is in group "admins", which account 111111111111 does not have: add it to accounts[].groups`},
		{"group case", head + "    groups: [{name: Admins}]\n    users: [{name: a, groups: [admins]}]\n", `is in group "admins", which account 111111111111 does not have`},
		{"unknown customer policy", head + "    users: [{name: a, managed_policies: [\"arn:aws:iam::111111111111:policy/x\"]}]\n", `user arn:aws:iam::111111111111:user/a: managed policy arn:aws:iam::111111111111:policy/x is not in the world: add it, with its document, to managed_policies of account 111111111111`},
		{"unknown aws policy", head + "    roles: [{name: r, managed_policies: [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]}]\n", `managed policy arn:aws:iam::aws:policy/ReadOnlyAccess is not in the world: add it, with its document, to aws_managed_policies`},
		{"other account", head + "    users: [{name: a, managed_policies: [\"arn:aws:iam::222222222222:policy/x\"]}]\n", `belongs to account 222222222222; an entity can attach only its own account's customer managed policies and AWS managed policies`},
		{"not an arn", head + "    groups: [{name: g, managed_policies: [ReadOnlyAccess]}]\n", `group arn:aws:iam::111111111111:group/g: "ReadOnlyAccess" is not a managed policy ARN`},
		{"duplicate group", head + "    groups: [{name: g}, {name: G}]\n", `group arn:aws:iam::111111111111:group/G is listed twice`},
		{"no document", head + "    managed_policies: [{name: p}]\n", `managed policy arn:aws:iam::111111111111:policy/p has no document`},
		{"boundary arn", head + "    users: [{name: a, boundary: \"arn:aws:iam::111111111111:policy/b\"}]\n", `boundary of user arn:aws:iam::111111111111:user/a: managed policy arn:aws:iam::111111111111:policy/b is not in the world`},
		{"managed policy with a Principal", head + "    managed_policies: [{name: b, document: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: \"*\", Action: \"s3:*\", Resource: \"*\"}]}}]\n    users: [{name: a, boundary: \"arn:aws:iam::111111111111:policy/b\"}]\n", `Principal`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), "w.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// The example of docs/world.md "Groups and managed policies" compiles.
func TestGroupsDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/world.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## Groups and managed policies")
	if !ok {
		t.Fatal(`docs/world.md has no section "Groups and managed policies"`)
	}
	block := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindStringSubmatch(section)
	if block == nil {
		t.Fatal("the section has no yaml block")
	}
	w, err := Parse([]byte(block[1]), "docs/world.md")
	if err != nil {
		t.Fatal(err)
	}
	if u := w.User("arn:aws:iam::111111111111:user/alice"); u == nil || len(u.IdentityPolicies()) != 2 || u.Boundary == nil {
		t.Errorf("alice of the docs' example: %+v", u)
	}
}

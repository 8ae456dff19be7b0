package world

import (
	"strings"
	"testing"
)

const orgWorld = `
organization:
  id: o-a1b2c3d4e5
  root: r-ab12
  management_account: "333333333333"
  members: ["111111111111", "333333333333"]
  scps: [FullAWSAccess]
  rcps:
    - RCPFullAWSAccess
    - Version: "2012-10-17"
      Statement: [{Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*", Condition: {StringNotEqualsIfExists: {aws:PrincipalOrgID: o-a1b2c3d4e5}}}]
  units:
    - id: ou-ab12-11111111
      name: workloads
      scps: [FullAWSAccess]
    - id: ou-ab12-22222222
      name: prod
      parent: ou-ab12-11111111
      accounts: ["111111111111"]
      scps: [FullAWSAccess]
accounts:
  - id: "111111111111"
    scps: [FullAWSAccess]
    roles:
      - {name: app}
      - {name: AWSServiceRoleForS3, path: /aws-service-role/s3.amazonaws.com/}
    buckets: [{name: member-bucket}]
  - id: "222222222222"
    buckets: [{name: outside-bucket}]
  - id: "333333333333"
    buckets: [{name: mgmt-bucket}]
`

func TestOrganization(t *testing.T) {
	w, err := Parse([]byte(orgWorld), "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	member, outside, mgmt := w.Account("111111111111"), w.Account("222222222222"), w.Account("333333333333")
	if member.OrgID != "o-a1b2c3d4e5" || strings.Join(member.OrgPaths, ",") != "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/" {
		t.Errorf("member: %q %q", member.OrgID, member.OrgPaths)
	}
	// root, two OUs, the account; RCPFullAWSAccess is implied, so only
	// the root's Deny RCP is a level.
	if len(member.SCPs) != 4 || len(member.RCPs) != 1 || len(member.RCPs[0]) != 1 {
		t.Errorf("member: %d SCP levels, RCP levels %v; want 4 and one level of one policy", len(member.SCPs), member.RCPs)
	}
	if outside.OrgID != "" || outside.OrgPaths != nil || outside.SCPs != nil || outside.RCPs != nil {
		t.Errorf("an account outside the organization has organization data: %+v", outside)
	}
	if mgmt.OrgID != "o-a1b2c3d4e5" || mgmt.OrgPaths[0] != "o-a1b2c3d4e5/r-ab12/" || mgmt.SCPs != nil || mgmt.RCPs != nil {
		t.Errorf("management account: %q %q SCPs %v RCPs %v", mgmt.OrgID, mgmt.OrgPaths, mgmt.SCPs, mgmt.RCPs)
	}
	app, err := w.Principal("arn:aws:iam::111111111111:role/app")
	if err != nil {
		t.Fatal(err)
	}
	linked, err := w.Principal("arn:aws:iam::111111111111:role/aws-service-role/s3.amazonaws.com/AWSServiceRoleForS3")
	if err != nil {
		t.Fatal(err)
	}
	if app.ServiceLinked || len(app.SCPs) != 4 || !linked.ServiceLinked || linked.SCPs != nil {
		t.Errorf("service-linked: app %v %d SCP levels; linked %v %d", app.ServiceLinked, len(app.SCPs), linked.ServiceLinked, len(linked.SCPs))
	}
	res, err := w.Resource("arn:aws:s3:::member-bucket/k", "s3:GetObject", app)
	if err != nil {
		t.Fatal(err)
	}
	if res.OrgID != "o-a1b2c3d4e5" || len(res.RCPs) != 1 || res.Region != "us-east-1" {
		t.Errorf("resource: %+v", res)
	}
	key, err := w.Resource("arn:aws:kms:us-east-1:111111111111:alias/aws/s3", "kms:Decrypt", app)
	if err != nil {
		t.Fatal(err)
	}
	if key.RCPs != nil {
		t.Error("RCPs apply to the AWS managed key aws/s3")
	}
}

func TestDefaultRootID(t *testing.T) {
	w, err := Parse([]byte("organization: {id: o-a1b2c3d4e5}\naccounts: [{id: \"111111111111\"}]\n"), "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got := w.Account("111111111111").OrgPaths[0]
	if want := "o-a1b2c3d4e5/" + DefaultRootID("o-a1b2c3d4e5") + "/"; got != want || !rootIDRE.MatchString(DefaultRootID("o-a1b2c3d4e5")) {
		t.Errorf("path %q, want %q", got, want)
	}
}

func TestOrganizationErrors(t *testing.T) {
	for _, tc := range []struct{ name, org, accounts, want string }{
		{"bad org id", "id: org1", "", `organization.id "org1" is not an organization ID`},
		{"bad root", "id: o-a1b2c3d4e5\n  root: root", "", `organization.root "root" is not a root ID`},
		{"unknown member", "id: o-a1b2c3d4e5\n  members: [\"999999999999\"]", "", "members[0]: account 999999999999 is not one of the world's accounts"},
		{"bad ou id", "id: o-a1b2c3d4e5\n  units: [{id: prod}]", "", `units[0].id "prod" is not an OU ID`},
		{"unknown parent", "id: o-a1b2c3d4e5\n  units: [{id: ou-ab12-11111111, parent: ou-ab12-99999999}]", "", "parent \"ou-ab12-99999999\" is neither an OU"},
		{"two parents", "id: o-a1b2c3d4e5\n  units: [{id: ou-ab12-11111111, accounts: [\"111111111111\"]}, {id: ou-ab12-22222222, accounts: [\"111111111111\"]}]", "", "account 111111111111 is in two OUs"},
		{"loop", "id: o-a1b2c3d4e5\n  units: [{id: ou-ab12-11111111, parent: ou-ab12-22222222}, {id: ou-ab12-22222222, parent: ou-ab12-11111111}]", "", "nest at most 5 deep"},
		{"rcp allow", "id: o-a1b2c3d4e5\n  rcps: [{Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: \"*\", Action: \"s3:*\", Resource: \"*\"}]}]", "", "a resource control policy can only deny"},
		{"scp name in rcps", "id: o-a1b2c3d4e5\n  rcps: [FullAWSAccess]", "", "FullAWSAccess is a service control policy"},
		{"rcp name in scps", "id: o-a1b2c3d4e5\n  scps: [RCPFullAWSAccess]", "", "RCPFullAWSAccess is a resource control policy"},
		{"policies outside", "id: o-a1b2c3d4e5\n  members: [\"222222222222\"]", "\n  - id: \"222222222222\"", "account 111111111111 is not a member of organization o-a1b2c3d4e5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "organization:\n  " + tc.org + "\naccounts:\n  - id: \"111111111111\"\n    scps: [FullAWSAccess]" + tc.accounts + "\n"
			_, err := Parse([]byte(src), "org.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestRCPOnlyDenies checks that a custom RCP with an Allow statement is
// rejected at every level it can be attached (the root, an OU, an account,
// and an account of a world without an organization block), and that a
// Deny-only RCP is accepted: "The effect of Allow is only supported for the
// RCPFullAWSAccess policy" (docs/authorization.md §1.9).
func TestRCPOnlyDenies(t *testing.T) {
	const allow = `{Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*", Action: "s3:*", Resource: "*"}]}`
	const deny = `{Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "s3:DeleteBucket", Resource: "*"}]}`
	const mixed = `{Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "s3:DeleteBucket", Resource: "*"}, {Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "*"}]}`
	for _, tc := range []struct{ name, src, want string }{
		{"root", "organization:\n  id: o-a1b2c3d4e5\n  rcps: [" + allow + "]\naccounts: [{id: \"111111111111\"}]\n", "organization RCP #1: Statement[0] has Effect Allow"},
		{"ou", "organization:\n  id: o-a1b2c3d4e5\n  units: [{id: ou-ab12-11111111, accounts: [\"111111111111\"], rcps: [" + allow + "]}]\naccounts: [{id: \"111111111111\"}]\n", "RCP of OU ou-ab12-11111111 #1: Statement[0] has Effect Allow"},
		{"account", "organization:\n  id: o-a1b2c3d4e5\naccounts: [{id: \"111111111111\", rcps: [" + allow + "]}]\n", "RCP of account 111111111111 #1: Statement[0] has Effect Allow"},
		{"account without organization", "accounts: [{id: \"111111111111\", rcps: [" + allow + "]}]\n", "RCP of account 111111111111 #1: Statement[0] has Effect Allow"},
		{"second statement", "organization:\n  id: o-a1b2c3d4e5\n  rcps: [RCPFullAWSAccess, " + mixed + "]\naccounts: [{id: \"111111111111\"}]\n", "organization RCP #2: Statement[1] has Effect Allow"},
		{"deny only", "organization:\n  id: o-a1b2c3d4e5\n  rcps: [RCPFullAWSAccess, " + deny + "]\n  units: [{id: ou-ab12-11111111, accounts: [\"111111111111\"], rcps: [" + deny + "]}]\naccounts: [{id: \"111111111111\", rcps: [" + deny + "]}]\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := Parse([]byte(tc.src), "rcp.yaml")
			if tc.want == "" {
				if err != nil {
					t.Fatalf("a Deny-only RCP is rejected: %v", err)
				}
				// Root, OU and account: three levels of one policy each
				// (RCPFullAWSAccess is implied, not a policy).
				if a := w.Account("111111111111"); len(a.RCPs) != 3 {
					t.Errorf("RCP levels %d, want 3", len(a.RCPs))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "a resource control policy can only deny") {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

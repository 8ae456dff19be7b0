package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// readWorldYAML: management account 111111111111 and member
// 222222222222 of an organization, and 333333333333 outside it; in each
// an admin, and in the management account a user without permissions.
const readWorldYAML = `
organization:
  id: o-readcalls01
  management_account: "111111111111"
  members: ["222222222222"]
  units:
    - {id: ou-ab12-readunit, name: Data, accounts: ["222222222222"], scps: [FullAWSAccess]}
  rcps:
    - {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "s3:DeleteBucket", Resource: "*"}]}
accounts:
  - id: "111111111111"
    managed_policies:
      - name: Admin
        path: /ops/
        document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    groups:
      - name: admins
        managed_policies: ["arn:aws:iam::111111111111:policy/ops/Admin"]
    users:
      - name: admin
        access_keys: [{id: AKIAREADCALLS1111111, secret: readcallssecret111111111111111111111111}]
        groups: [admins]
      - name: nobody
        access_keys: [{id: AKIAREADCALLSNOBODY1, secret: readcallssecretnobody11111111111111111}]
      - name: u1
        policies: {P: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}}
      - name: u2
        boundary: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
    keys:
      - {id: 00000000-0000-4000-8000-000000000001}
      - {id: 00000000-0000-4000-8000-000000000002}
      - {id: 00000000-0000-4000-8000-000000000003}
  - id: "222222222222"
    users:
      - name: admin
        access_keys: [{id: AKIAREADCALLS2222222, secret: readcallssecret222222222222222222222222}]
        policies: {All: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}
  - id: "333333333333"
    users:
      - name: admin
        access_keys: [{id: AKIAREADCALLS3333333, secret: readcallssecret333333333333333333333333}]
        policies: {All: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}
`

var (
	readMgmt    = aws.Credentials{AccessKeyID: "AKIAREADCALLS1111111", SecretAccessKey: "readcallssecret111111111111111111111111"}
	readNobody  = aws.Credentials{AccessKeyID: "AKIAREADCALLSNOBODY1", SecretAccessKey: "readcallssecretnobody11111111111111111"}
	readMember  = aws.Credentials{AccessKeyID: "AKIAREADCALLS2222222", SecretAccessKey: "readcallssecret222222222222222222222222"}
	readOutside = aws.Credentials{AccessKeyID: "AKIAREADCALLS3333333", SecretAccessKey: "readcallssecret333333333333333333333333"}
)

// TestIAMGetAccountAuthorizationDetailsPages: MaxItems counts the
// entries of the four lists together; the Marker of each page leads to
// the next, and together they hold every user, group and policy once,
// with URL-encoded documents; a boundary written as a document is shown
// as a policy of /lockstep-boundary/ (docs/decisions.md #34); Filter
// keeps the kinds named; a marker not given by the emulator, a MaxItems
// out of range and a caller without iam:GetAccountAuthorizationDetails
// are refused.
func TestIAMGetAccountAuthorizationDetailsPages(t *testing.T) {
	s := startEmulator(t, readWorldYAML)
	ctx := context.Background()
	c := s.iam(t, readMgmt)
	var users, groups, policies []string
	var marker *string
	pages := 0
	for {
		out, err := c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if n := len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies); n > 2 || n == 0 {
			t.Errorf("page %d holds %d entries, want 1 or 2", pages, n)
		}
		for _, u := range out.UserDetailList {
			users = append(users, aws.ToString(u.UserName))
			if aws.ToString(u.UserName) == "u1" {
				doc := aws.ToString(u.UserPolicyList[0].PolicyDocument)
				if strings.ContainsAny(doc, `{"`) {
					t.Errorf("u1's inline policy is not URL-encoded: %s", doc)
				}
				if d, err := url.PathUnescape(doc); err != nil || !strings.Contains(d, `"s3:GetObject"`) {
					t.Errorf("u1's inline policy decodes to %q (%v)", d, err)
				}
			}
			if aws.ToString(u.UserName) == "u2" && (u.PermissionsBoundary == nil || aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != "arn:aws:iam::111111111111:policy/lockstep-boundary/user-u2") {
				t.Errorf("u2's boundary = %+v", u.PermissionsBoundary)
			}
		}
		for _, g := range out.GroupDetailList {
			groups = append(groups, aws.ToString(g.GroupName))
		}
		for _, p := range out.Policies {
			policies = append(policies, aws.ToString(p.Arn))
			if len(p.PolicyVersionList) != 1 || !p.PolicyVersionList[0].IsDefaultVersion || aws.ToString(p.DefaultVersionId) != "v1" {
				t.Errorf("policy %s versions = %+v", aws.ToString(p.Arn), p.PolicyVersionList)
			}
		}
		if !out.IsTruncated {
			if out.Marker != nil {
				t.Errorf("the last page has a Marker")
			}
			break
		}
		marker = out.Marker
	}
	want := "users [admin nobody u1 u2] groups [admins] policies [arn:aws:iam::111111111111:policy/ops/Admin arn:aws:iam::111111111111:policy/lockstep-boundary/user-u2]"
	got := "users " + fmtList(users) + " groups " + fmtList(groups) + " policies " + fmtList(policies)
	if got != want || pages != 4 {
		t.Errorf("%d pages of %s\nwant 4 pages of %s", pages, got, want)
	}

	f, err := c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []iamtypes.EntityType{iamtypes.EntityTypeGroup}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.GroupDetailList) != 1 || len(f.UserDetailList)+len(f.Policies)+len(f.RoleDetailList) != 0 {
		t.Errorf("Filter Group = %d groups, %d users, %d policies", len(f.GroupDetailList), len(f.UserDetailList), len(f.Policies))
	}
	_, err = c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Marker: aws.String("not-a-marker")})
	wantSvcErr(t, err, "ValidationError", http.StatusBadRequest, "Marker")
	_, err = c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1001)})
	wantSvcErr(t, err, "ValidationError", http.StatusBadRequest, "maxItems")
	_, err = s.iam(t, readNobody).GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "iam:GetAccountAuthorizationDetails")

	lp, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal, OnlyAttached: true})
	if err != nil {
		t.Fatal(err)
	}
	// A policy used only as a boundary is not attached: AttachmentCount
	// counts users, groups and roles it is attached to.
	if len(lp.Policies) != 1 || aws.ToString(lp.Policies[0].Arn) != "arn:aws:iam::111111111111:policy/ops/Admin" || lp.IsTruncated {
		t.Errorf("ListPolicies Local OnlyAttached = %+v (truncated %v), want ops/Admin", lp.Policies, lp.IsTruncated)
	}
}

// TestIAMGetPolicyVersion: the one version of a managed policy is v1,
// its default, URL-encoded; another version or a policy the account does
// not have is NoSuchEntity; the caller needs iam:GetPolicyVersion on the
// policy.
func TestIAMGetPolicyVersion(t *testing.T) {
	s := startEmulator(t, readWorldYAML)
	ctx := context.Background()
	c := s.iam(t, readMgmt)
	const admin = "arn:aws:iam::111111111111:policy/ops/Admin"
	v, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(admin), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := url.PathUnescape(aws.ToString(v.PolicyVersion.Document))
	if err != nil || !strings.Contains(doc, `"Action":"*"`) || !v.PolicyVersion.IsDefaultVersion || aws.ToString(v.PolicyVersion.VersionId) != "v1" {
		t.Errorf("GetPolicyVersion = %+v (%q, %v)", v.PolicyVersion, doc, err)
	}
	_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(admin), VersionId: aws.String("v2")})
	wantSvcErr(t, err, "NoSuchEntity", http.StatusNotFound, "version v2 does not exist")
	_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"), VersionId: aws.String("v1")})
	wantSvcErr(t, err, "NoSuchEntity", http.StatusNotFound, "ReadOnlyAccess")
	_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String("arn:x"), VersionId: aws.String("v1")})
	wantSvcErr(t, err, "ValidationError", http.StatusBadRequest, "policyArn")
	_, err = s.iam(t, readNobody).GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(admin), VersionId: aws.String("v1")})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "iam:GetPolicyVersion")
}

func fmtList(l []string) string { return "[" + strings.Join(l, " ") + "]" }

// TestKMSListKeysPages: ListKeys pages the account's keys (its three
// customer managed keys and its aws/s3 key) Limit at a time.
func TestKMSListKeysPages(t *testing.T) {
	s := startEmulator(t, readWorldYAML)
	ctx := context.Background()
	c := s.kms(t, readMgmt)
	var ids []string
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, k := range out.Keys {
			ids = append(ids, aws.ToString(k.KeyId))
		}
	}
	if pages != 4 || len(ids) != 4 || ids[0] != "00000000-0000-4000-8000-000000000001" {
		t.Errorf("%d pages of keys %v, want 4 pages of the 3 keys and aws/s3's", pages, ids)
	}
	_, err := c.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("zzz")})
	wantSvcErr(t, err, "InvalidMarkerException", http.StatusBadRequest, "zzz")
	_, err = s.kms(t, readNobody).ListKeys(ctx, &kms.ListKeysInput{})
	wantSvcErr(t, err, "AccessDeniedException", http.StatusBadRequest, "kms:ListKeys")
}

func (s *svcServer) org(t *testing.T, creds aws.Credentials) *organizations.Client {
	return organizations.NewFromConfig(s.cfg(t, creds))
}

// TestOrganizationsReadCalls: the management account reads the
// organization, page by page; a member account may describe it but not
// list it (AccessDeniedException), an account outside it gets
// AWSOrganizationsNotInUseException, and a user of the management
// account needs organizations:List* like any permission.
func TestOrganizationsReadCalls(t *testing.T) {
	s := startEmulator(t, readWorldYAML)
	ctx := context.Background()
	c := s.org(t, readMgmt)
	d, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Organization.Id) != "o-readcalls01" || aws.ToString(d.Organization.MasterAccountId) != "111111111111" {
		t.Errorf("DescribeOrganization = %+v", d.Organization)
	}
	var accounts []string
	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.Accounts {
			accounts = append(accounts, aws.ToString(a.Id))
		}
	}
	if fmtList(accounts) != "[111111111111 222222222222]" {
		t.Errorf("ListAccounts = %v, want the management account and its member", accounts)
	}
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("ListRoots = %+v, %v", roots, err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	ous, err := c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root)})
	if err != nil || len(ous.OrganizationalUnits) != 1 || aws.ToString(ous.OrganizationalUnits[0].Id) != "ou-ab12-readunit" {
		t.Fatalf("ListOrganizationalUnitsForParent = %+v, %v", ous, err)
	}
	under, err := c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String("ou-ab12-readunit")})
	if err != nil || len(under.Accounts) != 1 || aws.ToString(under.Accounts[0].Id) != "222222222222" {
		t.Fatalf("ListAccountsForParent = %+v, %v", under, err)
	}
	scps, err := c.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil || len(scps.Policies) != 1 || aws.ToString(scps.Policies[0].Id) != "p-FullAWSAccess" || !scps.Policies[0].AwsManaged {
		t.Fatalf("ListPolicies SCP = %+v, %v", scps, err)
	}
	rcps, err := c.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeResourceControlPolicy})
	if err != nil || len(rcps.Policies) != 1 || !strings.HasPrefix(aws.ToString(rcps.Policies[0].Name), "rcp-") {
		t.Fatalf("ListPolicies RCP = %+v, %v", rcps, err)
	}
	rcp := rcps.Policies[0].Id
	dp, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: rcp})
	if err != nil || !strings.Contains(aws.ToString(dp.Policy.Content), `"s3:DeleteBucket"`) {
		t.Fatalf("DescribePolicy = %+v, %v", dp, err)
	}
	tg, err := c.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: rcp})
	if err != nil || len(tg.Targets) != 1 || tg.Targets[0].Type != orgtypes.TargetTypeRoot || aws.ToString(tg.Targets[0].TargetId) != root {
		t.Fatalf("ListTargetsForPolicy = %+v, %v", tg, err)
	}

	_, err = c.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String("bm90LWEtdG9rZW4")})
	wantSvcErr(t, err, "InvalidInputException", http.StatusBadRequest, "nextToken")
	_, err = c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String("ou-ab12-nosuchou")})
	wantSvcErr(t, err, "ParentNotFoundException", http.StatusBadRequest, "ou-ab12-nosuchou")
	_, err = c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-nosuchpolicy")})
	wantSvcErr(t, err, "PolicyNotFoundException", http.StatusBadRequest, "p-nosuchpolicy")

	member := s.org(t, readMember)
	if _, err := member.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Errorf("DescribeOrganization from a member account: %v", err)
	}
	_, err = member.ListAccounts(ctx, &organizations.ListAccountsInput{})
	wantSvcErr(t, err, "AccessDeniedException", http.StatusBadRequest, "not its management account")
	_, err = s.org(t, readOutside).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantSvcErr(t, err, "AWSOrganizationsNotInUseException", http.StatusBadRequest, "not a member of an organization")
	_, err = s.org(t, readNobody).ListRoots(ctx, &organizations.ListRootsInput{})
	wantSvcErr(t, err, "AccessDeniedException", http.StatusBadRequest, "organizations:ListRoots")
}

// TestOrganizationsAudit: an Organizations call is audited in CloudTrail
// form with its event source, and a denied one with its denial.
func TestOrganizationsAudit(t *testing.T) {
	var audit bytes.Buffer
	s := startEmulator(t, readWorldYAML, withAudit(&audit))
	ctx := context.Background()
	if _, err := s.org(t, readMgmt).ListRoots(ctx, &organizations.ListRootsInput{}); err != nil {
		t.Fatal(err)
	}
	_, _ = s.org(t, readMember).ListRoots(ctx, &organizations.ListRootsInput{})
	s.Close()
	log := audit.String()
	for _, want := range []string{`"eventSource":"organizations.amazonaws.com"`, `"eventName":"ListRoots"`, `"errorCode":"AccessDeniedException"`} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %s:\n%s", want, log)
		}
	}
}

// TestOrganizationsUnsignedRequest: an unsigned POST with Organizations'
// X-Amz-Target is refused before any policy, as KMS's:
// MissingAuthenticationTokenException in JSON.
func TestOrganizationsUnsignedRequest(t *testing.T) {
	s := startEmulator(t, readWorldYAML)
	req, err := http.NewRequest(http.MethodPost, s.Endpoint()+"/", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.ListAccounts")
	resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Type string `json:"__type"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != http.StatusBadRequest || e.Type != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned ListAccounts = HTTP %d %q (%v)", resp.StatusCode, e.Type, err)
	}
}

// TestOrganizationsBadBody: a body that is not the operation's JSON is a
// SerializationException naming the member, never a Go type.
func TestOrganizationsBadBody(t *testing.T) {
	s := startEmulator(t, readWorldYAML)
	for body, want := range map[string]string{
		`{"MaxResults": "many"}`: "member MaxResults cannot be a JSON string",
		`{"MaxResults": `:        "not valid JSON",
	} {
		req := s.signedJSON(t, readMgmt, "organizations", "AWSOrganizationsV20161128.ListAccounts", body)
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		err = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if err != nil || e.Type != "SerializationException" || !strings.Contains(e.Message, want) || strings.Contains(e.Message, "int32") || strings.Contains(e.Message, "Go ") {
			t.Errorf("%s: %q %q (%v), want SerializationException with %q", body, e.Type, e.Message, err, want)
		}
	}
}

// signedJSON is a JSON-protocol POST of target with body, signed for
// service with creds.
func (s *svcServer) signedJSON(t *testing.T, creds aws.Credentials, service, target, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.Endpoint()+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

package emulator_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func (s *svcServer) iam(t *testing.T, creds aws.Credentials) *iam.Client {
	return iam.NewFromConfig(s.cfg(t, creds))
}

const svcListData = `{"Version":"2012-10-17","Statement":[{"Sid":"List","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::svc-data"}]}`

// listBucket lists svc-data with creds.
func (s *svcServer) listBucket(t *testing.T, creds aws.Credentials) error {
	_, err := s.s3(t, creds).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("svc-data")})
	return err
}

// TestIAMUserAccessKeyPolicy: a user created through IAM, its access key
// and an inline policy take effect on the very next request.
func TestIAMUserAccessKeyPolicy(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	admin := s.iam(t, svcKeys["admin"])

	u, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("newbie"), Path: aws.String("/team/"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("sync")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(u.User.Arn) != "arn:aws:iam::111111111111:user/team/newbie" || !strings.HasPrefix(aws.ToString(u.User.UserId), "AIDA") ||
		aws.ToString(u.User.Path) != "/team/" || len(u.User.Tags) != 1 {
		t.Errorf("CreateUser = %+v", u.User)
	}
	_, err = admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("NEWBIE")})
	wantSvcErr(t, err, "EntityAlreadyExists", http.StatusConflict, "User with name NEWBIE already exists.")

	k, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("newbie")})
	if err != nil {
		t.Fatal(err)
	}
	ak := k.AccessKey
	if !strings.HasPrefix(aws.ToString(ak.AccessKeyId), "AKIA") || len(aws.ToString(ak.AccessKeyId)) != 20 || len(aws.ToString(ak.SecretAccessKey)) != 40 ||
		ak.Status != iamtypes.StatusTypeActive || aws.ToString(ak.UserName) != "newbie" {
		t.Errorf("CreateAccessKey = %+v", ak)
	}
	newbie := aws.Credentials{AccessKeyID: aws.ToString(ak.AccessKeyId), SecretAccessKey: aws.ToString(ak.SecretAccessKey)}

	id, err := s.sts(t, newbie).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("the new key does not authenticate: %v", err)
	}
	if aws.ToString(id.Arn) != "arn:aws:iam::111111111111:user/team/newbie" {
		t.Errorf("GetCallerIdentity Arn = %s", aws.ToString(id.Arn))
	}
	wantSvcErr(t, s.listBucket(t, newbie), "AccessDenied", http.StatusForbidden, "because no identity-based policy allows the s3:ListBucket action")

	if _, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("newbie"), PolicyName: aws.String("list"), PolicyDocument: aws.String(svcListData)}); err != nil {
		t.Fatal(err)
	}
	if err := s.listBucket(t, newbie); err != nil {
		t.Errorf("ListObjectsV2 right after PutUserPolicy: %v", err)
	}
	got, err := admin.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("newbie"), PolicyName: aws.String("list")})
	if err != nil {
		t.Fatal(err)
	}
	// IAM returns the document URL-encoded (RFC 3986: a space is %20).
	doc := aws.ToString(got.PolicyDocument)
	if decoded, err := url.PathUnescape(doc); err != nil || decoded != svcListData || strings.ContainsAny(doc, "{\":") {
		t.Errorf("GetUserPolicy PolicyDocument = %s", doc)
	}
	if aws.ToString(got.UserName) != "newbie" || aws.ToString(got.PolicyName) != "list" {
		t.Errorf("GetUserPolicy = %s, %s", aws.ToString(got.UserName), aws.ToString(got.PolicyName))
	}

	if _, err := admin.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("newbie"), PolicyName: aws.String("list")}); err != nil {
		t.Fatal(err)
	}
	wantSvcErr(t, s.listBucket(t, newbie), "AccessDenied", http.StatusForbidden, "")
	_, err = admin.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("newbie"), PolicyName: aws.String("list")})
	wantSvcErr(t, err, "NoSuchEntity", http.StatusNotFound, "The user policy with name list cannot be found.")

	if _, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("newbie")}); err != nil {
		t.Fatal(err)
	}
	_, err = admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("newbie")})
	wantSvcErr(t, err, "LimitExceeded", http.StatusConflict, "Cannot exceed quota for AccessKeysPerUser: 2")

	// Without UserName, CreateAccessKey is for the caller.
	_, err = s.iam(t, newbie).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden,
		"User: arn:aws:iam::111111111111:user/team/newbie is not authorized to perform: iam:CreateAccessKey on resource: arn:aws:iam::111111111111:user/team/newbie")
}

// TestIAMErrors: IAM's errors, with their HTTP status and AWS's wording.
func TestIAMErrors(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	admin := s.iam(t, svcKeys["admin"])
	tests := []struct {
		name   string
		caller string
		call   func(c *iam.Client) error
		code   string
		status int
		msg    string
	}{
		{"no IAM permission", "bob", func(c *iam.Client) error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
			return err
		}, "AccessDenied", http.StatusForbidden,
			"User: arn:aws:iam::111111111111:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111111111111:user/x because no identity-based policy allows the iam:CreateUser action"},
		{"access key for a user that does not exist", "admin", func(c *iam.Client) error {
			_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ghost")})
			return err
		}, "NoSuchEntity", http.StatusNotFound, "The user with name ghost cannot be found."},
		{"policy of a role that does not exist", "admin", func(c *iam.Client) error {
			_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("Ghost"), PolicyName: aws.String("p"), PolicyDocument: aws.String(svcListData)})
			return err
		}, "NoSuchEntity", http.StatusNotFound, "The role with name Ghost cannot be found."},
		{"role that exists", "admin", func(c *iam.Client) error {
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(svcTrustAlice)})
			return err
		}, "EntityAlreadyExists", http.StatusConflict, "Role with name reader already exists."},
		{"user name with a space", "admin", func(c *iam.Client) error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("a b")})
			return err
		}, "ValidationError", http.StatusBadRequest, "Value 'a b' at 'userName' failed to satisfy constraint"},
		{"path without slashes", "admin", func(c *iam.Client) error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("p"), Path: aws.String("team")})
			return err
		}, "ValidationError", http.StatusBadRequest, "at 'path' failed to satisfy constraint"},
		{"user policies over 2048 characters", "admin", func(c *iam.Client) error {
			big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 2048) + `"}]}`
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
			return err
		}, "LimitExceeded", http.StatusConflict, "Maximum policy size of 2048 bytes exceeded for user bob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := admin
			if tt.caller != "admin" {
				c = s.iam(t, svcKeys[tt.caller])
			}
			wantSvcErr(t, tt.call(c), tt.code, tt.status, tt.msg)
		})
	}
}

// TestIAMMalformedPolicyDocument: every policy document goes through the
// policy parser; a bad one is MalformedPolicyDocument with its reason.
func TestIAMMalformedPolicyDocument(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	admin := s.iam(t, svcKeys["admin"])
	put := func(doc string) error {
		_, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
		return err
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"identity policy that is not JSON", func() error { return put(`{"Version":"2012-10-17",`) }, "(line 1, column"},
		{"identity policy with a Principal", func() error {
			return put(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)
		}, "Statement[0].Principal"},
		{"identity policy without Resource", func() error {
			return put(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`)
		}, "Resource"},
		{"trust policy without Principal", func() error {
			_, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Bad"),
				AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)})
			return err
		}, "Principal"},
		{"boundary document with a Principal", func() error {
			_, err := admin.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"),
				PermissionsBoundary: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
			return err
		}, "Principal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantSvcErr(t, tt.call(), "MalformedPolicyDocument", http.StatusBadRequest, tt.want)
		})
	}
}

const svcTrustAlice = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"sts:AssumeRole"}]}`

// TestIAMRole: a role created through IAM can be assumed as its trust
// policy says (docs/authorization.md §1.3 "Exceptions") and its inline policy governs the
// session.
func TestIAMRole(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	admin := s.iam(t, svcKeys["admin"])
	r, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Lister"), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(svcTrustAlice),
		Description: aws.String("lists svc-data"), MaxSessionDuration: aws.Int32(7200)})
	if err != nil {
		t.Fatal(err)
	}
	role := r.Role
	if aws.ToString(role.Arn) != "arn:aws:iam::111111111111:role/app/Lister" || !strings.HasPrefix(aws.ToString(role.RoleId), "AROA") ||
		aws.ToInt32(role.MaxSessionDuration) != 7200 || aws.ToString(role.Description) != "lists svc-data" {
		t.Errorf("CreateRole = %+v", role)
	}
	if doc, err := url.PathUnescape(aws.ToString(role.AssumeRolePolicyDocument)); err != nil || doc != svcTrustAlice {
		t.Errorf("AssumeRolePolicyDocument = %s", aws.ToString(role.AssumeRolePolicyDocument))
	}
	if _, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("Lister"), PolicyName: aws.String("list"), PolicyDocument: aws.String(svcListData)}); err != nil {
		t.Fatal(err)
	}
	got, err := admin.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("Lister"), PolicyName: aws.String("list")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.PathUnescape(aws.ToString(got.PolicyDocument)); doc != svcListData || aws.ToString(got.RoleName) != "Lister" {
		t.Errorf("GetRolePolicy = %s: %s", aws.ToString(got.RoleName), doc)
	}

	// The trust policy names alice: she needs no IAM permission of her own
	// to assume the role (docs/authorization.md §1.3, table); bob is not named.
	session := s.assume(t, svcKeys["alice"], &sts.AssumeRoleInput{RoleArn: role.Arn, RoleSessionName: aws.String("lister")})
	if err := s.listBucket(t, session); err != nil {
		t.Errorf("the session cannot list: %v", err)
	}
	_, err = s.sts(t, svcKeys["bob"]).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Arn, RoleSessionName: aws.String("bob")})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/app/Lister")

	if _, err := admin.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("Lister"), PolicyName: aws.String("list")}); err != nil {
		t.Fatal(err)
	}
	wantSvcErr(t, s.listBucket(t, session), "AccessDenied", http.StatusForbidden, "because no identity-based policy allows the s3:ListBucket action")
	_, err = admin.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("Lister"), PolicyName: aws.String("list")})
	wantSvcErr(t, err, "NoSuchEntity", http.StatusNotFound, "The role policy with name list cannot be found.")
}

// TestIAMPermissionsBoundary: a boundary is a ceiling on the identity
// policies (docs/authorization.md §1.3 step 6). PermissionsBoundary takes a known AWS
// managed policy ARN or, as a lockstep extension, the document itself.
func TestIAMPermissionsBoundary(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	ctx := context.Background()
	admin := s.iam(t, svcKeys["admin"])
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bounded")}); err != nil {
		t.Fatal(err)
	}
	k, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bounded")})
	if err != nil {
		t.Fatal(err)
	}
	bounded := aws.Credentials{AccessKeyID: aws.ToString(k.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(k.AccessKey.SecretAccessKey)}
	rw := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::svc-data","arn:aws:s3:::svc-data/*"]}]}`
	if _, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bounded"), PolicyName: aws.String("rw"), PolicyDocument: aws.String(rw)}); err != nil {
		t.Fatal(err)
	}
	put := func() error {
		_, err := s.s3(t, bounded).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("svc-data"), Key: aws.String("bounded.txt"), Body: strings.NewReader("x")})
		return err
	}
	get := func() error {
		_, err := s.s3(t, bounded).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("svc-data"), Key: aws.String("a.txt")})
		return err
	}
	setBoundary := func(b string) error {
		_, err := admin.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(b)})
		return err
	}
	if err := put(); err != nil {
		t.Fatalf("PutObject without a boundary: %v", err)
	}

	// The document itself (lockstep extension): list only.
	if err := setBoundary(svcListData); err != nil {
		t.Fatal(err)
	}
	if err := s.listBucket(t, bounded); err != nil {
		t.Errorf("ListObjectsV2 within the boundary: %v", err)
	}
	wantSvcErr(t, get(), "AccessDenied", http.StatusForbidden, "because no permissions boundary allows the s3:GetObject action")

	// An AWS managed policy lockstep knows: read only.
	if err := setBoundary("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	if err := get(); err != nil {
		t.Errorf("GetObject within AmazonS3ReadOnlyAccess: %v", err)
	}
	wantSvcErr(t, put(), "AccessDenied", http.StatusForbidden, "because no permissions boundary allows the s3:PutObject action")

	// Policies lockstep does not have.
	wantSvcErr(t, setBoundary("arn:aws:iam::111111111111:policy/Mine"), "NoSuchEntity", http.StatusNotFound,
		"Policy arn:aws:iam::111111111111:policy/Mine does not exist or is not attachable.")
	wantSvcErr(t, setBoundary("arn:aws:iam::aws:policy/ReadOnlyAccess"), "NoSuchEntity", http.StatusNotFound, "does not exist or is not attachable")
	wantSvcErr(t, setBoundary("not-an-arn"), "InvalidInput", http.StatusBadRequest, "ARN not-an-arn is not valid.")

	if _, err := admin.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bounded")}); err != nil {
		t.Fatal(err)
	}
	if err := put(); err != nil {
		t.Errorf("PutObject after DeleteUserPermissionsBoundary: %v", err)
	}

	// Roles: the boundary limits the role's sessions.
	if _, err := admin.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("Reader"), PermissionsBoundary: aws.String(svcListData)}); err != nil {
		t.Fatal(err)
	}
	session := s.assume(t, svcKeys["alice"], &sts.AssumeRoleInput{RoleArn: aws.String(svcReaderRole), RoleSessionName: aws.String("bounded")})
	if err := s.listBucket(t, session); err != nil {
		t.Errorf("ListObjectsV2 within the role's boundary: %v", err)
	}
	_, err = s.s3(t, session).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("svc-data"), Key: aws.String("a.txt")})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "because no permissions boundary allows the s3:GetObject action")
	if _, err := admin.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("Reader")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.s3(t, session).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("svc-data"), Key: aws.String("a.txt")}); err != nil {
		t.Errorf("GetObject after DeleteRolePermissionsBoundary: %v", err)
	}
}

// TestIAMQueryProtocol: the IAM response namespace, and errors for
// actions the emulator does not serve.
func TestIAMQueryProtocol(t *testing.T) {
	s := startEmulator(t, svcWorldYAML)
	resp := svcSignedPost(t, s, "iam", svcKeys["admin"], svcForm("Action", "CreateUser", "Version", "2010-05-08", "UserName", "raw"))
	if resp.status != http.StatusOK || !strings.HasPrefix(string(resp.body), `<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateUserResult><User>`) {
		t.Errorf("HTTP %d: %s", resp.status, resp.body)
	}
	resp = svcSignedPost(t, s, "iam", svcKeys["admin"], svcForm("Action", "ListUsers", "Version", "2010-05-08"))
	if resp.status != http.StatusBadRequest || !strings.Contains(string(resp.body), "<Code>InvalidAction</Code>") {
		t.Errorf("HTTP %d: %s", resp.status, resp.body)
	}
}

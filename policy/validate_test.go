package policy

import (
	"fmt"
	"strings"
	"testing"
)

// The validations AWS performs when a policy is stored (docs/authorization.md
// §1.10) fail with the Check that lets an emulated API answer AWS's text.
func TestAWSValidation(t *testing.T) {
	const (
		groupPrincipal = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:user/a","arn:aws:iam::111111111111:group/dev"]},"Action":%q%s}]}`
		dupSid         = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow",%s"Action":"s3:GetObject","Resource":"*"},{"Sid":"Read","Effect":"Allow",%s"Action":"s3:PutObject","Resource":"*"}]}`
		spaceSid       = `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",%s"Action":"kms:*","Resource":"*"}]}`
	)
	principal := `"Principal":{"AWS":"111111111111"},`
	tests := []struct {
		name  string
		doc   string
		typ   Type
		check Check // CheckNone: the document parses
		path  string
		value string
		msg   string // substring of the message
	}{
		{"group in bucket policy", fmt.Sprintf(groupPrincipal, "s3:GetObject", `,"Resource":"arn:aws:s3:::b/*"`), Resource, CheckPrincipal,
			"Statement[0].Principal.AWS", `"AWS":"arn:aws:iam::111111111111:group/dev"`, "is an IAM group, which cannot be a principal"},
		{"group in key policy", fmt.Sprintf(groupPrincipal, "kms:Decrypt", `,"Resource":"*"`), KeyPolicy, CheckPrincipal,
			"Statement[0].Principal.AWS", `"AWS":"arn:aws:iam::111111111111:group/dev"`, "name the group's users or a role"},
		{"group in trust policy", fmt.Sprintf(groupPrincipal, "sts:AssumeRole", ""), Trust, CheckPrincipal,
			"Statement[0].Principal.AWS", `"AWS":"arn:aws:iam::111111111111:group/dev"`, "Invalid principal in policy"},
		{"group in NotPrincipal", `{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:group/path/dev"},"Action":"s3:*","Resource":"arn:aws:s3:::b"}]}`, Resource, CheckPrincipal,
			"Statement[0].NotPrincipal.AWS", `"AWS":"arn:aws:iam::111111111111:group/path/dev"`, "IAM group"},

		{"duplicate sid in identity policy", fmt.Sprintf(dupSid, "", ""), Identity, CheckSidUnique,
			"Statement[1].Sid", "", `"Read" is also the Sid of Statement[0]`},
		{"duplicate sid in boundary", fmt.Sprintf(dupSid, "", ""), Boundary, CheckSidUnique, "Statement[1].Sid", "", "must be unique"},
		{"duplicate sid in session policy", fmt.Sprintf(dupSid, "", ""), Session, CheckSidUnique, "Statement[1].Sid", "", "must be unique"},
		{"duplicate sid in scp", fmt.Sprintf(dupSid, "", ""), SCP, CheckSidUnique, "Statement[1].Sid", "", "must be unique"},
		{"duplicate sid in key policy", fmt.Sprintf(dupSid, principal, principal), KeyPolicy, CheckSidUnique, "Statement[1].Sid", "", "must be unique"},
		{"duplicate sid in bucket policy", `{"Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}]}`, Resource, CheckNone, "", "", ""},
		{"empty sids repeat", `{"Statement":[{"Sid":"","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`, Identity, CheckNone, "", "", ""},
		{"sids differing in case", `{"Statement":[{"Sid":"read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"Read","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`, Identity, CheckNone, "", "", ""},

		{"space in identity sid", fmt.Sprintf(spaceSid, ""), Identity, CheckSidChars, "Statement[0].Sid", "", `write e.g. "EnableIAMUserPermissions"`},
		{"hyphen in trust sid", `{"Statement":{"Sid":"allow-ec2","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`, Trust, CheckSidChars, "Statement.Sid", "", `the Sid of a role trust policy may hold only`},
		{"underscore in scp sid", `{"Statement":{"Sid":"deny_all","Effect":"Deny","Action":"*","Resource":"*"}}`, SCP, CheckSidChars, "Statement.Sid", "", `"denyAll"`},
		{"underscore in rcp sid", `{"Statement":{"Sid":"deny_all","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, RCP, CheckSidChars, "Statement.Sid", "", "resource control policy"},
		{"space in boundary sid", `{"Statement":{"Sid":"S3 only","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, Boundary, CheckSidChars, "Statement.Sid", "", "permissions boundary"},
		{"space in session sid", `{"Statement":{"Sid":"S3 only","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, Session, CheckSidChars, "Statement.Sid", "", "session policy"},
		{"space in key policy sid", fmt.Sprintf(spaceSid, principal), KeyPolicy, CheckNone, "", "", ""},
		{"space in bucket policy sid", `{"Statement":{"Sid":"Public read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, Resource, CheckNone, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), tt.typ)
			if tt.check == CheckNone {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			list, ok := err.(ErrorList)
			if !ok {
				t.Fatalf("Parse error = %v, want an ErrorList", err)
			}
			check, first := list.Check()
			if check != tt.check || first.Path != tt.path || first.Value != tt.value || !strings.Contains(first.Msg, tt.msg) {
				t.Errorf("first error = {Check %d, Path %q, Value %q, Msg %q}, want {Check %d, Path %q, Value %q, Msg containing %q}",
					check, first.Path, first.Value, first.Msg, tt.check, tt.path, tt.value, tt.msg)
			}
		})
	}
}

// S3 refuses a bucket policy whose resources are not its bucket or its
// objects: "Policy has invalid resource" (docs/authorization.md §1.10).
func TestCheckBucketResources(t *testing.T) {
	tests := []struct {
		resources string // JSON value of Resource
		not       bool   // NotResource instead
		bad       []string
	}{
		{resources: `["arn:aws:s3:::src-bucket","arn:aws:s3:::src-bucket/*","arn:aws:s3:::src-bucket/a/b.txt"]`},
		{resources: `"arn:aws:s3:::src-*/*"`},
		{resources: `"arn:aws:s3:::*"`},
		{resources: `"arn:aws:s3:::src-bucke?"`},
		{resources: `"arn:aws:s3:::src-bucket/${aws:username}/*"`},
		{resources: `"arn:aws:s3:::src-bucket/*"`, not: true},
		{resources: `"*"`, bad: []string{"*"}},
		{resources: `["arn:aws:s3:::src-bucket/*","arn:aws:s3:::other-bucket/*"]`, bad: []string{"arn:aws:s3:::other-bucket/*"}},
		{resources: `"arn:aws:s3:::src-bucket-2"`, bad: []string{"arn:aws:s3:::src-bucket-2"}},
		{resources: `"arn:aws:kms:us-east-1:111111111111:key/k"`, bad: []string{"arn:aws:kms:us-east-1:111111111111:key/k"}},
		{resources: `"arn:aws:s3:::other-bucket"`, not: true, bad: []string{"arn:aws:s3:::other-bucket"}},
	}
	for _, tt := range tests {
		el := "Resource"
		if tt.not {
			el = "NotResource"
		}
		src := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","` + el + `":` + tt.resources + `}]}`
		p, err := Parse([]byte(src), Resource)
		if err != nil {
			t.Fatalf("%s: %v", tt.resources, err)
		}
		errs := CheckBucketResources(p, "src-bucket")
		if len(errs) != len(tt.bad) {
			t.Errorf("%s %s: %d errors (%v), want %d", el, tt.resources, len(errs), errs, len(tt.bad))
			continue
		}
		for i, e := range errs {
			if e.Check != CheckBucketResource || e.Path != "Statement[0]."+el || !strings.Contains(e.Msg, `"`+tt.bad[i]+`" is not bucket src-bucket`) {
				t.Errorf("%s: error %d = %+v", tt.resources, i, e)
			}
			// Offsets point at the value or at the separator before it,
			// as for every parse error.
			if got := strings.TrimLeft(src[e.Offset:], ":, "); !strings.HasPrefix(got, `"`+tt.bad[i]+`"`) {
				t.Errorf("%s: error offset points at %.30q", tt.resources, got)
			}
		}
	}
}

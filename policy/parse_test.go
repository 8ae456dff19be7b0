package policy

import (
	"strings"
	"testing"
)

// Parse errors name the JSON path and the problem (issue 2, §2 "The policy
// language"); every form AWS accepts parses (docs/authorization.md §1.5).
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		typ       Type
		want      string // substring of the error
	}{
		{"condition value object", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"s3:prefix":{"a":"b"}}}}]}`, Identity,
			"Statement[1].Condition.StringLike: value must be a string or list of strings"},
		{"missing effect", `{"Statement":{"Action":"s3:*","Resource":"*"}}`, Identity, "Statement.Effect: missing"},
		{"effect case", `{"Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}`, Identity, `"allow": the value is case-sensitive`},
		{"element case", `{"Statement":{"Effect":"Allow","action":"s3:*","Resource":"*"}}`, Identity, `did you mean "Action"?`},
		{"principal in identity", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, Identity, "Statement.Principal: not allowed in an identity policy"},
		{"no principal in bucket policy", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, Resource, "Statement.Principal: missing"},
		{"resource in trust", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Resource":"*"}}`, Trust, "not allowed in a role trust policy"},
		{"notprincipal in trust", `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}}`, Trust, "NotPrincipal: not allowed"},
		{"both action and notaction", `{"Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}}`, Identity, "both Action and NotAction"},
		{"no resource", `{"Statement":{"Effect":"Allow","Action":"s3:*"}}`, Identity, "Statement.Resource: missing"},
		{"bad action", `{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, Identity, `"GetObject" is not an action`},
		{"wildcard service", `{"Statement":{"Effect":"Allow","Action":"s*:GetObject","Resource":"*"}}`, Identity, "service prefix cannot contain wildcards"},
		{"not an arn", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"s3:::bucket"}}`, Identity, "is not an ARN"},
		{"bad version", `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, Identity, "Version"},
		{"duplicate key", `{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}}`, Identity, `duplicate key "Effect"`},
		{"unknown operator", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqual":{"s3:prefix":"a"}}}}`, Identity, `unknown condition operator "StringEqual"`},
		{"null with ifexists", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"s3:prefix":"true"}}}}`, Identity, "unknown condition operator"},
		{"bad number", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}}`, Identity, `"ten" is not a number`},
		{"bad date", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}}`, Identity, "is not a date"},
		{"bad ip", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}}`, Identity, "is not an IP address"},
		{"bad bool", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}}`, Identity, "is not a boolean"},
		{"wildcard principal arn", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/*"},"Action":"s3:*","Resource":"*"}}`, Resource, "wildcards are not allowed in principal ARNs"},
		{"principal string", `{"Statement":{"Effect":"Allow","Principal":"111111111111","Action":"s3:*","Resource":"*"}}`, Resource, `only string value allowed is "*"`},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, Identity, "Statement: empty"},
		{"not json", `{"Statement":`, Identity, "invalid JSON"},
		{"trailing data", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}} x`, Identity, "unexpected data after the policy document"},
		{"top-level array", `[]`, Identity, "must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), tt.typ)
			if err == nil {
				t.Fatalf("Parse succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseAcceptsEveryForm(t *testing.T) {
	docs := []struct {
		name, doc string
		typ       Type
	}{
		{"single statement object, no version", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, Identity},
		{"2008 version, arrays, sid", `{"Version":"2008-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["s3:Get*"],"NotResource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`, Boundary},
		{"principal forms", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::222222222222:root","arn:aws:iam::111111111111:user/a","arn:aws:iam::111111111111:role/p/R","arn:aws:sts::111111111111:assumed-role/R/s","*"],"Service":"s3.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:*","Resource":"*"}]}`, Resource},
		{"principal star", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, Resource},
		{"notprincipal deny", `{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:user/a"},"Action":"s3:*","Resource":"*"}]}`, Resource},
		{"conditions with numbers and bools", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThanEquals":{"s3:max-keys":100},"Bool":{"aws:SecureTransport":true},"ForAnyValue:StringLike":{"aws:TagKeys":["a*","b"]},"StringEqualsIfExists":{"s3:prefix":""},"Null":{"s3:delimiter":"false"}}}]}`, Identity},
		{"trust with federated", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, Trust},
		{"scp notaction", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["s3:*","kms:*"],"Resource":"*"}]}`, SCP},
	}
	for _, d := range docs {
		if _, err := Parse([]byte(d.doc), d.typ); err != nil {
			t.Errorf("%s: %v", d.name, err)
		}
	}
}

func TestErrorOffsets(t *testing.T) {
	src := "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\"Effect\": \"Allow\", \"Action\": \"nope\", \"Resource\": \"*\"}\n  ]\n}"
	_, err := Parse([]byte(src), Identity)
	list, ok := err.(ErrorList)
	if !ok || len(list) != 1 {
		t.Fatalf("err = %v, want one error", err)
	}
	if line, _ := LineCol([]byte(src), list[0].Offset); line != 4 {
		t.Errorf("error on line %d, want 4", line)
	}
}

package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/policy"
)

func typePtr(t policy.Type) *policy.Type { return &t }

// doc wraps statements in a policy with Version 2012-10-17.
func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// withCode returns the findings that have code.
func withCode(fs []Finding, code string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// Each check fires on its mistake (want true) and stays quiet on the
// corrected or legitimate policy (want false).
func TestChecks(t *testing.T) {
	tests := []struct {
		name string
		typ  *policy.Type // nil: detect
		src  string
		code string
		want bool
		msg  string // when want: a substring of the message
	}{
		// object-action-on-bucket-arn
		{name: "GetObject on the bucket ARN", code: "object-action-on-bucket-arn", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}`),
			msg: `s3:GetObject acts on objects, but Resource names only the bucket "arn:aws:s3:::b": add "arn:aws:s3:::b/*"`},
		{name: "wildcard action on the bucket ARN", code: "object-action-on-bucket-arn", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b"}`),
			msg: "s3:Get* (which includes s3:GetObject) acts on objects"},
		{name: "s3:* on the bucket ARN names a familiar action", code: "object-action-on-bucket-arn", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b"}`),
			msg: "s3:* (which includes s3:GetObject) acts on objects"},
		{name: "two buckets", code: "object-action-on-bucket-arn", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:PutObject","Resource":["arn:aws:s3:::a","arn:aws:s3:::b"]}`),
			msg: `add "arn:aws:s3:::a/*" and "arn:aws:s3:::b/*"`},
		{name: "GetObject on bucket/*", code: "object-action-on-bucket-arn",
			src: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},
		{name: "GetObject on both ARNs", code: "object-action-on-bucket-arn",
			src: doc(`{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}`)},
		{name: "Deny on the bucket ARN", code: "object-action-on-bucket-arn",
			src: doc(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}`)},
		{name: "wildcard bucket name may match objects", code: "object-action-on-bucket-arn",
			src: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b*"}`)},
		{name: "bare * action", code: "object-action-on-bucket-arn",
			src: doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b"}`)},
		{name: "NotAction", code: "object-action-on-bucket-arn",
			src: doc(`{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"}`)},

		// bucket-action-on-object-arn
		{name: "ListBucket on bucket/*", code: "bucket-action-on-object-arn", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/*"}`),
			msg: `s3:ListBucket acts on the bucket, but Resource names only objects ("arn:aws:s3:::b/*"): add "arn:aws:s3:::b"`},
		{name: "ListBucket on the bucket", code: "bucket-action-on-object-arn",
			src: doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}`)},
		{name: "object action on bucket/*", code: "bucket-action-on-object-arn",
			src: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},

		// unknown-action
		{name: "operation name as action", code: "unknown-action", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:ListObjectsV2","Resource":"arn:aws:s3:::b"}`),
			msg: "s3:ListObjectsV2 is not an IAM action of s3: the IAM action for ListObjectsV2 is s3:ListBucket"},
		{name: "operation with several actions", code: "unknown-action", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:CopyObject","Resource":"arn:aws:s3:::b/*"}`),
			msg: "the IAM actions for CopyObject are s3:GetObject and s3:PutObject"},
		{name: "one edit away", code: "unknown-action", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:GetObjects","Resource":"arn:aws:s3:::b/*"}`),
			msg: "did you mean s3:GetObject?"},
		{name: "operation of another service", code: "unknown-action", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:GenerateDataKey","Resource":"*"}`),
			msg: "kms:GenerateDataKey"},
		{name: "wildcard matching nothing", code: "unknown-action", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:Frobnicate*","Resource":"*"}`),
			msg: "s3:Frobnicate* matches no IAM action of s3"},
		{name: "wildcard over operation names", code: "unknown-action", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:ListObjects*","Resource":"arn:aws:s3:::b"}`),
			msg: "the IAM action for ListObjects and ListObjectsV2 is s3:ListBucket"},
		{name: "unknown name in NotAction", code: "unknown-action", want: true,
			src: doc(`{"Effect":"Deny","NotAction":"s3:GetObjects","Resource":"*"}`)},
		{name: "action case does not matter", code: "unknown-action",
			src: doc(`{"Effect":"Allow","Action":"S3:getobject","Resource":"arn:aws:s3:::b/*"}`)},
		{name: "service outside the SAR table", code: "unknown-action",
			src: doc(`{"Effect":"Allow","Action":"ec2:Whatever","Resource":"*"}`)},
		{name: "kms action", code: "unknown-action",
			src: doc(`{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}`)},

		// key-not-set-by-action
		{name: "s3:prefix on GetObject", code: "key-not-set-by-action", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"s3:prefix":"a/*"}}}`),
			msg: "no request for s3:GetObject carries s3:prefix"},
		{name: "s3:prefix on ListBucket", code: "key-not-set-by-action",
			src: doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":"a/*"}}}`)},
		{name: "one action sets the key", code: "key-not-set-by-action",
			src: doc(`{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"StringLike":{"s3:prefix":"a/*"}}}`)},
		{name: "global key", code: "key-not-set-by-action",
			src: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`)},
		{name: "bare * action", code: "key-not-set-by-action",
			src: doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"s3:prefix":"a/*"}}}`)},
		{name: "NotAction", code: "key-not-set-by-action",
			src: doc(`{"Effect":"Deny","NotAction":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"s3:prefix":"a/*"}}}`)},
		{name: "OIDC provider key in a trust policy", code: "key-not-set-by-action", typ: typePtr(policy.Trust),
			src: doc(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:o/r:*"}}}`)},

		// set-operator-on-single-valued-key
		{name: "ForAnyValue on s3:prefix", code: "set-operator-on-single-valued-key", want: true,
			src: doc(`{"Effect":"Deny","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"ForAnyValue:StringLike":{"s3:prefix":"a/*"}}}`),
			msg: "s3:prefix is single-valued: write StringLike, not ForAnyValue:StringLike"},
		{name: "ForAllValues on a global single-valued key", code: "set-operator-on-single-valued-key", want: true,
			src: doc(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"ForAllValues:IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`)},
		{name: "aws:TagKeys", code: "set-operator-on-single-valued-key",
			src: doc(`{"Effect":"Allow","Action":"s3:TagResource","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["team"]}}}`)},
		{name: "aws:PrincipalOrgPaths", code: "set-operator-on-single-valued-key",
			src: doc(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-1/*"]}}}`)},
		{name: "aws tag key", code: "set-operator-on-single-valued-key",
			src: doc(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:PrincipalTag/team":["a"]}}}`)},
		{name: "ArrayOf SAR key", code: "set-operator-on-single-valued-key",
			src: doc(`{"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["a"]}}}`)},
		{name: "unknown key", code: "set-operator-on-single-valued-key",
			src: doc(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"example:thing":["a"]}}}`)},

		// forallvalues-with-allow
		{name: "ForAllValues in an Allow", code: "forallvalues-with-allow", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a"]}}}`),
			msg: "also true when s3:RequestObjectTagKeys is absent"},
		{name: "ForAllValues in a Deny", code: "forallvalues-with-allow",
			src: doc(`{"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a"]}}}`)},
		{name: "ForAllValues with Null false", code: "forallvalues-with-allow",
			src: doc(`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a"]},"Null":{"s3:RequestObjectTagKeys":"false"}}}`)},
		{name: "ForAnyValue in an Allow", code: "forallvalues-with-allow",
			src: doc(`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["a"]}}}`)},

		// operator-spelling
		{name: "lower-case operator", code: "operator-spelling", want: true,
			src: doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"stringlike":{"s3:prefix":"a/*"}}}`),
			msg: "write StringLike"},
		{name: "lower-case qualifier", code: "operator-spelling", want: true,
			src: doc(`{"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"forallvalues:StringEquals":{"s3:RequestObjectTagKeys":["a"]}}}`),
			msg: "write ForAllValues:StringEquals"},
		{name: "canonical operator", code: "operator-spelling",
			src: doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLikeIfExists":{"s3:prefix":"a/*"}}}`)},

		// notprincipal-with-allow
		{name: "NotPrincipal with Allow", code: "notprincipal-with-allow", want: true,
			src: doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"111111111111"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},
		{name: "NotPrincipal with Deny", code: "notprincipal-with-allow",
			src: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"111111111111"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},

		// id-in-identity-policy
		{name: "Id in an identity policy", code: "id-in-identity-policy", want: true,
			src: `{"Version":"2012-10-17","Id":"p1","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`},
		{name: "Id in a bucket policy", code: "id-in-identity-policy",
			src: `{"Version":"2012-10-17","Id":"p1","Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`},

		// duplicate-sid (bucket policies: the parser rejects repeated Sids
		// in every other type)
		{name: "duplicate Sid", code: "duplicate-sid", want: true,
			src: doc(`{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`,
				`{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}`)},
		{name: "distinct Sids", code: "duplicate-sid",
			src: doc(`{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`,
				`{"Sid":"B","Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}`)},
		{name: "no Sids", code: "duplicate-sid",
			src: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`,
				`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}`)},
		{name: "space in a bucket policy Sid", code: "invalid-policy",
			src: doc(`{"Sid":"Read objects","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},

		// variables-without-version
		{name: "variable in a 2008 condition", code: "variables-without-version", want: true,
			src: `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":"${aws:username}/*"}}}]}`,
			msg: `"${aws:username}/*" is literal text`},
		{name: "variable in a Resource without Version", code: "variables-without-version", want: true,
			src: `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}`,
			msg: "this policy has no Version"},
		{name: "variables with 2012-10-17", code: "variables-without-version",
			src: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}`)},
		{name: "2008 without variables", code: "variables-without-version",
			src: `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`},

		// missing-version
		{name: "no Version", code: "missing-version", want: true,
			src: `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`},
		{name: "Version present", code: "missing-version",
			src: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.name, func(t *testing.T) {
			all := Source("p.json", []byte(tt.src), tt.typ)
			got := withCode(all, tt.code)
			switch {
			case tt.want && len(got) == 0:
				t.Fatalf("no %s finding; got %v", tt.code, all)
			case !tt.want && len(got) > 0:
				t.Fatalf("unexpected %v", got)
			case tt.want && !strings.Contains(got[0].Message, tt.msg):
				t.Errorf("message %q\nwant it to contain %q", got[0].Message, tt.msg)
			}
			for _, f := range all {
				if f.Severity != Warning {
					t.Errorf("policy does not parse: %v", f)
				}
			}
		})
	}
}

// The mistaken policy of seed 000: s3:GetObject granted on the bucket ARN
// instead of its objects.
func TestSeed000BucketARN(t *testing.T) {
	const src = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ListSource",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::kazue-sync-source"
    },
    {
      "Sid": "GetSource",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::kazue-sync-source"
    }
  ]
}`
	fs := Source("seed000.json", []byte(src), nil)
	if len(fs) != 1 {
		t.Fatalf("findings = %v, want one", fs)
	}
	want := `seed000.json:14:19: warning: Statement[1].Resource: s3:GetObject acts on objects, but Resource names only the bucket "arn:aws:s3:::kazue-sync-source": add "arn:aws:s3:::kazue-sync-source/*" [object-action-on-bucket-arn]`
	if got := fs[0].String(); got != want {
		t.Errorf("finding\n got %s\nwant %s", got, want)
	}

	fixed := strings.Replace(src, `"arn:aws:s3:::kazue-sync-source"
    }
  ]`, `"arn:aws:s3:::kazue-sync-source/*"
    }
  ]`, 1)
	if fs := Source("seed000.json", []byte(fixed), nil); len(fs) != 0 {
		t.Errorf("corrected policy: findings %v, want none", fs)
	}
}

// Findings point at the element at fault, also in statements after the
// first, whose offsets from package policy start at the preceding comma.
func TestPositions(t *testing.T) {
	const src = `{
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::b/*"
    },
    {
      "Sid": "Get",
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:GetObjects"
      ],
      "Resource": "arn:aws:s3:::b/*",
      "Condition": {
        "StringLike": {"s3:prefix": "a/*"}
      }
    }
  ]
}`
	want := []struct {
		code      string
		line, col int
		path      string
	}{
		{"missing-version", 1, 1, ""},
		{"bucket-action-on-object-arn", 6, 19, "Statement[0].Resource"},
		{"unknown-action", 13, 9, "Statement[1].Action[1]"},
	}
	fs := Source("p.json", []byte(src), nil)
	if len(fs) != len(want) {
		t.Fatalf("findings:\n%v\nwant %d", fs, len(want))
	}
	for i, w := range want {
		f := fs[i]
		if f.Code != w.code || f.Line != w.line || f.Col != w.col || f.Path != w.path {
			t.Errorf("finding %d = %s %d:%d %s, want %s %d:%d %s", i, f.Code, f.Line, f.Col, f.Path, w.code, w.line, w.col, w.path)
		}
	}

	// Without the unknown action, the condition key check runs and points
	// at the key's value.
	src2 := strings.Replace(src, `"s3:GetObject",
        "s3:GetObjects"`, `"s3:GetObject",
        "s3:GetObjectTagging"`, 1)
	got := withCode(Source("p.json", []byte(src2), nil), "key-not-set-by-action")
	if len(got) != 1 || got[0].Line != 17 || got[0].Path != "Statement[1].Condition.StringLike.s3:prefix" {
		t.Errorf("key-not-set-by-action findings = %v, want one on line 17", got)
	}
}

func TestSorted(t *testing.T) {
	src := "{\"Statement\":[\n{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b\"},\n" +
		"{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"
	fs := Source("p.json", []byte(src), nil)
	if len(fs) != 4 {
		t.Fatalf("findings = %v, want 4", fs)
	}
	for i := 1; i < len(fs); i++ {
		a, b := fs[i-1], fs[i]
		if a.Line > b.Line || a.Line == b.Line && a.Col > b.Col {
			t.Errorf("findings out of order: %v before %v", a, b)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		want      string // String() must contain it
	}{
		{"condition value not a string",
			"{\"Version\":\"2012-10-17\",\"Statement\":[\n{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},\n" +
				"{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringLike\":{\"s3:prefix\":{\"a\":1}}}}]}",
			3, "error: Statement[1].Condition.StringLike: value must be a string or list of strings [invalid-policy]"},
		{"effect case",
			"{\"Statement\":[\n{\"Effect\":\"allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}",
			2, `Statement[0].Effect: "allow": the value is case-sensitive`},
		{"invalid JSON", "{\"Statement\":\n[", 2, "error: invalid JSON"},
		{"duplicate Sid in an identity policy",
			"{\"Version\":\"2012-10-17\",\"Statement\":[\n{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"},\n" +
				"{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}",
			3, `Statement[1].Sid: "A" is also the Sid of Statement[0]`},
		{"space in an identity policy Sid",
			"{\"Version\":\"2012-10-17\",\"Statement\":[\n{\"Sid\":\"Read objects\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}",
			2, `write e.g. "ReadObjects"`},
		{"group principal in a bucket policy",
			"{\"Version\":\"2012-10-17\",\"Statement\":[\n{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:group/dev\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}",
			2, "is an IAM group, which cannot be a principal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Source("p.json", []byte(tt.src), nil)
			if len(fs) != 1 {
				t.Fatalf("findings = %v, want one error (and no warnings)", fs)
			}
			f := fs[0]
			if f.Severity != Error || f.Line != tt.line {
				t.Errorf("finding %v: want an error on line %d", f, tt.line)
			}
			if s := f.String(); !strings.HasPrefix(s, "p.json:") || !strings.Contains(s, tt.want) {
				t.Errorf("finding %q\nwant it to contain %q", s, tt.want)
			}
		})
	}
}

func TestDetectType(t *testing.T) {
	tests := []struct {
		name, src string
		want      policy.Type
	}{
		{"no principal", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), policy.Identity},
		{"principal in the second statement", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`,
			`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`), policy.Resource},
		{"NotPrincipal", doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"111111111111"},"Action":"s3:*","Resource":"*"}`), policy.Resource},
		{"single statement object", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`, policy.Resource},
		{"not JSON", `{`, policy.Identity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := detectType([]byte(tt.src)); got != tt.want {
				t.Errorf("detectType = %v, want %v", got, tt.want)
			}
		})
	}
}

// An explicit type overrides detection: a Principal in an identity policy
// is an error.
func TestExplicitType(t *testing.T) {
	src := doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)
	if fs := Source("p.json", []byte(src), nil); len(fs) != 0 {
		t.Errorf("detected as a bucket policy: findings %v, want none", fs)
	}
	fs := Source("p.json", []byte(src), typePtr(policy.Identity))
	if len(fs) == 0 || fs[0].Severity != Error {
		t.Errorf("as an identity policy: findings %v, want an error", fs)
	}
}

func TestS3Kind(t *testing.T) {
	tests := []struct {
		arn  string
		want arnKind
	}{
		{"arn:aws:s3:::b", bucketARN},
		{"arn:aws-cn:s3:::b", bucketARN},
		{"arn:aws:s3:::b/*", objectARN},
		{"arn:aws:s3:::*/*", objectARN},
		{"arn:aws:s3:::b*", anyARN},
		{"arn:aws:s3:::*", anyARN},
		{"*", anyARN},
		{"arn:aws:s3:us-east-1:111111111111:accesspoint/ap", anyARN},
		{"arn:aws:kms:us-east-1:111111111111:key/k", otherARN},
		{"arn:aws:*:::b", anyARN},
	}
	for _, tt := range tests {
		if got := s3Kind(tt.arn); got != tt.want {
			t.Errorf("s3Kind(%q) = %d, want %d", tt.arn, got, tt.want)
		}
	}
}

func TestFindingString(t *testing.T) {
	tests := []struct {
		f    Finding
		want string
	}{
		{Finding{File: "p.json", Line: 3, Col: 7, Path: "Statement[1].Resource", Severity: Warning, Code: "c", Message: "m"},
			"p.json:3:7: warning: Statement[1].Resource: m [c]"},
		{Finding{File: "p.json", Severity: Error, Message: "m"}, "p.json: error: m"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
	if Error.String() != "error" || Warning.String() != "warning" {
		t.Errorf("Severity strings = %q, %q", Error, Warning)
	}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	if err := os.WriteFile(path, []byte(doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}`)), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := File(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].File != path || fs[0].Code != "object-action-on-bucket-arn" {
		t.Errorf("findings = %v", fs)
	}
	if _, err := File(filepath.Join(dir, "missing.json"), nil); err == nil {
		t.Error("missing file: no error")
	}
}

package s3ops

import (
	"strings"
	"testing"
)

func TestKnownAction(t *testing.T) {
	tests := []struct {
		action, canonical string
		known, service    bool
	}{
		{"s3:GetObject", "s3:GetObject", true, true},
		{"kms:decrypt", "kms:Decrypt", true, true},
		{"S3:LISTBUCKET", "s3:ListBucket", true, true},
		{"sts:AssumeRole", "sts:AssumeRole", true, true},
		{"iam:listroles", "iam:ListRoles", true, true},
		{"s3:GetObjekt", "", false, true},
		{"s3:Get*", "", false, true},
		{"ec2:RunInstances", "", false, false},
		{"GetObject", "", false, false},
	}
	for _, tt := range tests {
		canonical, ok := KnownAction(tt.action)
		svc, _, _ := strings.Cut(tt.action, ":")
		if canonical != tt.canonical || ok != tt.known || KnowsService(svc) != tt.service {
			t.Errorf("KnownAction(%q) = %q, %v (KnowsService %v); want %q, %v (%v)", tt.action, canonical, ok, KnowsService(svc), tt.canonical, tt.known, tt.service)
		}
	}
}

func TestSuggestAction(t *testing.T) {
	tests := []struct{ action, want string }{
		{"s3:GetObjekt", "s3:GetObject"},
		{"s3:getobjects", "s3:GetObject"},
		{"s3:PutObjectACL", "s3:PutObjectAcl"}, // known, other case: its canonical spelling
		{"kms:decrypt", "kms:Decrypt"},         // known
		{"kms:GenerateDataKy", "kms:GenerateDataKey"},
		{"sts:AssumeRol", "sts:AssumeRole"},
		{"iam:PutRolePolcy", "iam:PutRolePolicy"},
		{"s3:ListObjectsV2", ""}, // an API operation, far from every action name
		{"s3:Frobnicate", ""},
		{"s3:Get*", ""},
		{"ec2:RunInstance", ""}, // service not in the table
		{"nonsense", ""},
	}
	for _, tt := range tests {
		if got := SuggestAction(tt.action); got != tt.want {
			t.Errorf("SuggestAction(%q) = %q, want %q", tt.action, got, tt.want)
		}
	}
}

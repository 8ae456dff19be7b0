package s3ops

import (
	"reflect"
	"strings"
	"testing"
)

// Every action the catalogue names must exist in the Service Authorization
// Reference, and every operation-specific condition key must be one the SAR
// lists for at least one of the operation's actions: the catalogue and the
// SAR table may not drift apart.
func TestCatalogueAgreesWithSAR(t *testing.T) {
	for _, op := range Operations() {
		for _, p := range op.Permissions {
			if _, ok := LookupAction(p.Action); !ok {
				t.Errorf("%s: action %s is not in the SAR", op.Name, p.Action)
			}
		}
		for _, k := range op.KMS {
			if _, ok := LookupAction(k.Action); !ok {
				t.Errorf("%s: KMS action %s is not in the SAR", op.Name, k.Action)
			}
		}
		for _, ck := range op.Keys {
			key := strings.Replace(ck.Key, "<key>", "Project", 1)
			if op.Service != "s3" {
				continue
			}
			ok := false
			for _, p := range op.Permissions {
				ok = ok || ActionSetsKey(p.Action, key)
			}
			if !ok {
				t.Errorf("%s: condition key %s is not listed by the SAR for any of its actions", op.Name, ck.Key)
			}
		}
		if op.Spec == "" {
			t.Errorf("%s: no source cited", op.Name)
		}
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		name    string
		op      string
		f       Features
		want    []string
		wantKMS []string
	}{
		{"docs/authorization.md §2.2 GetObject plain", "GetObject", Features{}, []string{"s3:GetObject"}, nil},
		{"docs/authorization.md §2.2 GetObject versionId needs only GetObjectVersion", "GetObject", Features{VersionID: true}, []string{"s3:GetObjectVersion"}, nil},
		{"docs/authorization.md §3.1 GetObject SSE-KMS decrypts", "GetObject", Features{KMS: true}, []string{"s3:GetObject"}, []string{"kms:Decrypt"}},
		{"docs/authorization.md §2.2 PutObject with ACL and tagging", "PutObject", Features{ACL: true, Tagging: true}, []string{"s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging"}, nil},
		{"docs/authorization.md §3.1 PutObject SSE-KMS generates a data key", "PutObject", Features{KMS: true}, []string{"s3:PutObject"}, []string{"kms:GenerateDataKey"}},
		{"docs/authorization.md §2.2 CopyObject reads source, writes destination", "CopyObject", Features{}, []string{"s3:GetObject", "s3:PutObject"}, nil},
		{"docs/authorization.md §2.2 CopyObject versioned source", "CopyObject", Features{SourceVersionID: true}, []string{"s3:GetObjectVersion", "s3:PutObject"}, nil},
		{"docs/authorization.md §3.1 CopyObject both keys", "CopyObject", Features{KMS: true, SourceKMS: true}, []string{"s3:GetObject", "s3:PutObject"}, []string{"kms:Decrypt", "kms:GenerateDataKey"}},
		{"docs/authorization.md §3.1 UploadPartCopy to a KMS destination decrypts (seed 003)", "UploadPartCopy", Features{KMS: true}, []string{"s3:GetObject", "s3:PutObject"}, []string{"kms:Decrypt"}},
		{"docs/authorization.md §3.1 CompleteMultipartUpload no checksum: no KMS", "CompleteMultipartUpload", Features{KMS: true}, []string{"s3:PutObject"}, nil},
		{"docs/authorization.md §3.1 CompleteMultipartUpload with checksum decrypts", "CompleteMultipartUpload", Features{KMS: true, Checksum: true}, []string{"s3:PutObject"}, []string{"kms:Decrypt"}},
		{"docs/authorization.md §2.2 PutObject If-Match reads the object too", "PutObject", Features{IfMatch: true}, []string{"s3:PutObject", "s3:GetObject"}, nil},
		{"docs/authorization.md §2.2 CopyObject If-Match reads the destination too", "CopyObject", Features{IfMatch: true}, []string{"s3:GetObject", "s3:PutObject", "s3:GetObject"}, nil},
		{"docs/authorization.md §2.2 CompleteMultipartUpload If-Match reads the object too", "CompleteMultipartUpload", Features{IfMatch: true}, []string{"s3:PutObject", "s3:GetObject"}, nil},
		{"docs/authorization.md §2.2 UploadPart takes no conditional header", "UploadPart", Features{IfMatch: true}, []string{"s3:PutObject"}, nil},
		{"docs/authorization.md §2.2 ListObjectsV2 is s3:ListBucket", "ListObjectsV2", Features{}, []string{"s3:ListBucket"}, nil},
		{"docs/authorization.md §2.2 HeadBucket is s3:ListBucket", "HeadBucket", Features{}, []string{"s3:ListBucket"}, nil},
		{"docs/authorization.md §2.2 CreateBucket with object ownership", "CreateBucket", Features{ObjectOwnership: true}, []string{"s3:CreateBucket", "s3:PutBucketOwnershipControls"}, nil},
		{"docs/authorization.md §2.2 DeleteObject with versionId", "DeleteObject", Features{VersionID: true}, []string{"s3:DeleteObjectVersion"}, nil},
		{"docs/authorization.md §2.2 DeleteObject without versionId", "DeleteObject", Features{}, []string{"s3:DeleteObject"}, nil},
		{"docs/decisions.md #56 CopyObject of a tagged source copies its tags", "CopyObject", Features{SourceTags: true}, []string{"s3:GetObject", "s3:PutObject", "s3:GetObjectTagging", "s3:PutObjectTagging"}, nil},
		{"docs/decisions.md #56 CopyObject of a tagged source version", "CopyObject", Features{SourceTags: true, SourceVersionID: true}, []string{"s3:GetObjectVersion", "s3:PutObject", "s3:GetObjectVersionTagging", "s3:PutObjectTagging"}, nil},
		{"docs/decisions.md #56 UploadPartCopy copies no tags", "UploadPartCopy", Features{SourceTags: true}, []string{"s3:GetObject", "s3:PutObject"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, ok := Find(tt.op)
			if !ok {
				t.Fatalf("no operation %s", tt.op)
			}
			var got, gotKMS []string
			for _, p := range op.Required(tt.f) {
				got = append(got, p.Action)
			}
			for _, k := range op.RequiredKMS(tt.f) {
				gotKMS = append(gotKMS, k.Action)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Required = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(gotKMS, tt.wantKMS) {
				t.Errorf("RequiredKMS = %v, want %v", gotKMS, tt.wantKMS)
			}
		})
	}
}

func TestActionSetsKey(t *testing.T) {
	tests := []struct {
		action, key string
		want        bool
	}{
		{"s3:ListBucket", "s3:prefix", true},
		{"s3:GetObject", "s3:prefix", false},
		{"s3:PutObject", "s3:x-amz-acl", true},
		{"s3:GetObject", "s3:ExistingObjectTag/team", true},
		{"s3:GetObject", "aws:SourceIp", true},
		{"s3:GetObject", "aws:PrincipalTag/team", true},
		{"kms:Decrypt", "kms:ViaService", true},
		{"kms:Decrypt", "kms:EncryptionContext:aws:s3:arn", true},
		{"kms:Decrypt", "s3:prefix", false},
		{"ec2:RunInstances", "ec2:InstanceType", true},
	}
	for _, tt := range tests {
		if got := ActionSetsKey(tt.action, tt.key); got != tt.want {
			t.Errorf("ActionSetsKey(%s, %s) = %v, want %v", tt.action, tt.key, got, tt.want)
		}
	}
}

func TestLookup(t *testing.T) {
	if op, ok := Lookup("s3", "getobject"); !ok || op.Name != "GetObject" {
		t.Errorf("Lookup is not case-insensitive: %v %v", op, ok)
	}
	if ops := ForAction("kms:Decrypt"); len(ops) < 4 {
		t.Errorf("ForAction(kms:Decrypt) = %d operations, want GetObject, CopyObject, UploadPart, UploadPartCopy, ...", len(ops))
	}
	if got := Actions("s3:GetObjectV*"); len(got) < 4 || got[0] != "s3:GetObjectVersion" {
		t.Errorf("Actions(s3:GetObjectV*) = %v", got)
	}
}

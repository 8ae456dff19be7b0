package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// copyTagsWorldYAML: the user copier may read tagsrc and write tagdst,
// and with its other policies read the source's tags (gettags) and write
// the copy's (puttags); admin may do anything.
const copyTagsWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIACOPYTAGSADMIN001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
      - name: copier
        access_keys: [{id: AKIACOPYTAGSCOPIER01, secret: copier-secret}]
        policies:
          copy:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: [s3:GetObject, s3:GetObjectVersion], Resource: "arn:aws:s3:::tagsrc/*"}
              - {Effect: Allow, Action: s3:PutObject, Resource: "arn:aws:s3:::tagdst/*"}
      - name: taggedcopier
        access_keys: [{id: AKIACOPYTAGSTAGGED01, secret: tagged-secret}]
        policies:
          copy:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: [s3:GetObject, s3:GetObjectVersion, s3:GetObjectTagging], Resource: "arn:aws:s3:::tagsrc/*"}
              - {Effect: Allow, Action: [s3:PutObject, s3:PutObjectTagging], Resource: "arn:aws:s3:::tagdst/*"}
      - name: readtags
        access_keys: [{id: AKIACOPYTAGSREADTAG1, secret: readtags-secret}]
        policies:
          copy:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: [s3:GetObject, s3:GetObjectTagging], Resource: "arn:aws:s3:::tagsrc/*"}
              - {Effect: Allow, Action: s3:PutObject, Resource: "arn:aws:s3:::tagdst/*"}
      - name: versiontags
        access_keys: [{id: AKIACOPYTAGSVERSION1, secret: versiontags-secret}]
        policies:
          copy:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: [s3:GetObjectVersion, s3:GetObjectVersionTagging], Resource: "arn:aws:s3:::tagsrc/*"}
              - {Effect: Allow, Action: [s3:PutObject, s3:PutObjectTagging], Resource: "arn:aws:s3:::tagdst/*"}
    buckets:
      - name: tagsrc
      - name: tagdst
`

// TestCopyObjectTagPermissions: a CopyObject that takes over its
// source's tags (x-amz-tagging-directive COPY, the default, from a source
// with tags) needs s3:GetObjectTagging on the source
// (s3:GetObjectVersionTagging when it names a version) and
// s3:PutObjectTagging on the destination, else the copy is AccessDenied;
// a source without tags, or REPLACE without new tags, needs neither
// (docs/decisions.md #56).
func TestCopyObjectTagPermissions(t *testing.T) {
	var (
		admin       = aws.Credentials{AccessKeyID: "AKIACOPYTAGSADMIN001", SecretAccessKey: "admin-secret"}
		copier      = aws.Credentials{AccessKeyID: "AKIACOPYTAGSCOPIER01", SecretAccessKey: "copier-secret"}
		tagged      = aws.Credentials{AccessKeyID: "AKIACOPYTAGSTAGGED01", SecretAccessKey: "tagged-secret"}
		readTags    = aws.Credentials{AccessKeyID: "AKIACOPYTAGSREADTAG1", SecretAccessKey: "readtags-secret"}
		versionTags = aws.Credentials{AccessKeyID: "AKIACOPYTAGSVERSION1", SecretAccessKey: "versiontags-secret"}
	)
	s := startEmulator(t, copyTagsWorldYAML)
	ctx := context.Background()
	ad := s.s3(t, admin)
	if _, err := ad.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("tagsrc"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	versions := map[string]string{}
	for key, tagging := range map[string]string{"tagged.txt": "team=blue", "plain.txt": ""} {
		in := &s3.PutObjectInput{Bucket: aws.String("tagsrc"), Key: aws.String(key), Body: nil}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		out, err := ad.PutObject(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		versions[key] = aws.ToString(out.VersionId)
	}

	tests := []struct {
		name      string
		creds     aws.Credentials
		source    string
		versioned bool
		directive types.TaggingDirective
		// want is the outcome; tags the copy's tags when it succeeds.
		want, tags string
	}{
		{"untagged source, no tag permission", copier, "plain.txt", false, "", "ok", ""},
		{"tagged source, no tag permission", copier, "tagged.txt", false, "", "AccessDenied", ""},
		{"tagged source, COPY named, no tag permission", copier, "tagged.txt", false, types.TaggingDirectiveCopy, "AccessDenied", ""},
		{"tagged source, s3:GetObjectTagging only", readTags, "tagged.txt", false, "", "AccessDenied", ""},
		{"tagged source, both tag permissions", tagged, "tagged.txt", false, "", "ok", "team=blue"},
		{"tagged source, REPLACE without tags", copier, "tagged.txt", false, types.TaggingDirectiveReplace, "ok", ""},
		{"tagged version, s3:GetObjectTagging only for versions", tagged, "tagged.txt", true, "", "AccessDenied", ""},
		{"tagged version, version tag permissions", versionTags, "tagged.txt", true, "", "ok", "team=blue"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := aws.String("copy-" + string(rune('a'+i)) + ".txt")
			src := "tagsrc/" + tt.source
			if tt.versioned {
				src += "?versionId=" + versions[tt.source]
			}
			_, err := s.s3(t, tt.creds).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("tagdst"), Key: dst,
				CopySource: aws.String(src), TaggingDirective: tt.directive})
			if got := outcome(err); got != tt.want {
				t.Fatalf("CopyObject: %s; want %s", got, tt.want)
			}
			if err != nil {
				return
			}
			out, err := ad.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tagdst"), Key: dst})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, tag := range out.TagSet {
				got += aws.ToString(tag.Key) + "=" + aws.ToString(tag.Value)
			}
			if got != tt.tags {
				t.Errorf("the copy's tags %q; want %q", got, tt.tags)
			}
		})
	}
}

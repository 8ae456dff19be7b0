package emulator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// batchTagsWorldYAML is batchWorldYAML where BatchCopy may also write
// the copies' tags (its policy and batch-dst's bucket policy), but not
// read the sources' tags, and the destination's owner may read tags.
var batchTagsWorldYAML = strings.NewReplacer(
	`{Effect: Allow, Action: s3:PutObject, Resource: ["arn:aws:s3:::batch-dst/*", "arn:aws:s3:::batch-reports/*"]}`,
	`{Effect: Allow, Action: [s3:PutObject, s3:PutObjectTagging], Resource: ["arn:aws:s3:::batch-dst/*", "arn:aws:s3:::batch-reports/*"]}`,
	`{Sid: BatchWrites, Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:role/BatchCopy"}, Action: s3:PutObject,`,
	`{Sid: BatchWrites, Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:role/BatchCopy"}, Action: [s3:PutObject, s3:PutObjectTagging],`,
	`Action: ["s3:GetObject", "s3:ListBucket", "kms:Decrypt"]`,
	`Action: ["s3:GetObject", "s3:GetObjectTagging", "s3:ListBucket", "kms:Decrypt"]`,
).Replace(batchWorldYAML)

// TestBatchCopyObjectTagging: S3PutObjectCopy's NewObjectTagging
// replaces the copies' tags (x-amz-tagging-directive REPLACE), so a role
// that may write tags but not read the sources' copies tagged objects;
// an empty NewObjectTagging leaves the copies without tags; without
// NewObjectTagging the copy of a tagged source needs s3:GetObjectTagging
// and its task fails AccessDenied (docs/decisions.md #56).
func TestBatchCopyObjectTagging(t *testing.T) {
	if strings.Count(batchTagsWorldYAML, "s3:PutObjectTagging") != 2 || !strings.Contains(batchTagsWorldYAML, `"s3:GetObjectTagging", "s3:ListBucket"`) {
		t.Fatal("batchTagsWorldYAML no longer rewrites batchWorldYAML")
	}
	s := startEmulator(t, batchTagsWorldYAML)
	ctx := context.Background()
	s3c, ctl, owner := s.s3(t, batchJobs), s.s3control(t, batchJobs), s.s3(t, batchOwner)
	for key, tagging := range map[string]string{"tagged.txt": "team=blue", "plain.txt": ""} {
		in := &s3.PutObjectInput{Bucket: aws.String("batch-src"), Key: aws.String(key), Body: strings.NewReader(key)}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		if _, err := s3c.PutObject(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	etag := putManifest(t, s3c, "tags.csv", []string{"tagged.txt", "plain.txt"})

	tests := []struct {
		name string
		tags []s3ctypes.S3Tag
		// prefix is the job's TargetKeyPrefix, one per case.
		prefix string
		// want is the copies' tags ("" none), failed the tasks that
		// fail.
		want   string
		failed int64
	}{
		{"new tags", []s3ctypes.S3Tag{{Key: aws.String("project"), Value: aws.String("lockstep proof")}}, "new", "project=lockstep proof", 0},
		{"empty tag set", []s3ctypes.S3Tag{}, "none", "", 0},
		{"source tags", nil, "copied", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := copyJob("tags-"+tt.prefix, "tags.csv", etag, batchRole)
			in.Operation.S3PutObjectCopy.TargetKeyPrefix = aws.String(tt.prefix)
			in.Operation.S3PutObjectCopy.NewObjectTagging = tt.tags
			out, err := ctl.CreateJob(ctx, in)
			if err != nil {
				t.Fatalf("CreateJob: %v", err)
			}
			job := waitJob(t, s, ctl, aws.ToString(out.JobId), "")
			p := job.ProgressSummary
			if job.Status != s3ctypes.JobStatusComplete || aws.ToInt64(p.NumberOfTasksFailed) != tt.failed {
				t.Fatalf("status %s, %d tasks failed; want Complete, %d", job.Status, aws.ToInt64(p.NumberOfTasksFailed), tt.failed)
			}
			for _, key := range []string{"tagged.txt", "plain.txt"} {
				if tt.failed > 0 && key == "tagged.txt" {
					continue
				}
				got, err := owner.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("batch-dst"), Key: aws.String(tt.prefix + "/" + key)})
				if err != nil {
					t.Fatalf("GetObjectTagging %s/%s: %v", tt.prefix, key, err)
				}
				var tags []string
				for _, tag := range got.TagSet {
					tags = append(tags, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
				}
				if strings.Join(tags, "&") != tt.want {
					t.Errorf("%s/%s has tags %q; want %q", tt.prefix, key, tags, tt.want)
				}
			}
		})
	}
}

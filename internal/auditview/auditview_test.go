package auditview_test

import (
	"os"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/internal/auditview"
)

func readLines(t *testing.T, name string, f auditview.Filter) []string {
	t.Helper()
	file, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var out []string
	err = auditview.Read(file, func(e auditview.Event) error {
		if f.Match(e) {
			out = append(out, e.Line())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLines: each record reads as one line naming the principal, the
// call, the resource and, for a denial, why.
func TestLines(t *testing.T) {
	got := readLines(t, "testdata/audit.jsonl", auditview.Filter{})
	want := []string{
		"00:44:35 alice ListObjectsV2 s3://kazue-sync-source ok",
		`00:44:35 alice GetObject s3://kazue-sync-source/2020-2nd-q/1.md DENIED: User: arn:aws:iam::111111111111:user/alice is not authorized`,
		`00:44:35 alice GetObject s3://kazue-sync-source/2020-2nd-q/2.md DENIED`,
		"00:44:36 unknown key AKIANOSUCHKEY0000000 ListBuckets InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.",
		`00:50:01 sync/job ListObjectsV2 s3://data DENIED: s3:ListBucket: the condition StringLike s3:prefix of "list" Statement[0] is false (s3:prefix is "other/")`,
		`00:50:02 bob DeleteObject s3://data/a.txt DENIED: s3:DeleteObject denied by resource-based policy "bucket policy of data", Sid "NoDeletes"`,
		"00:50:03 alice Decrypt (by s3.amazonaws.com) arn:aws:kms:us-east-1:111111111111:key/k1 ok",
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, got[i], want[i])
		}
	}
}

// TestFilters: --denied, --principal and --bucket.
func TestFilters(t *testing.T) {
	for _, tt := range []struct {
		f    auditview.Filter
		want int
	}{
		{auditview.Filter{Denied: true}, 4},
		{auditview.Filter{Principal: "alice"}, 4},
		{auditview.Filter{Bucket: "data"}, 2},
		{auditview.Filter{Denied: true, Principal: "bob", Bucket: "data"}, 1},
	} {
		if got := readLines(t, "testdata/audit.jsonl", tt.f); len(got) != tt.want {
			t.Errorf("%+v: %d lines, want %d:\n%s", tt.f, len(got), tt.want, strings.Join(got, "\n"))
		}
	}
}

// TestCloudTrailFile: a log file as AWS delivers it, gzipped.
func TestCloudTrailFile(t *testing.T) {
	got := readLines(t, "testdata/cloudtrail.json.gz", auditview.Filter{})
	if len(got) != 2 || !strings.HasPrefix(got[0], "00:44:35 alice ListObjectsV2") {
		t.Fatalf("%q", got)
	}
}

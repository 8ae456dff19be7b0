package trail

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = "testdata/aws-docs/111122223333_CloudTrail_us-east-1_20241122T1715Z_EXAMPLE.json"

// TestReadForms: a delivered log file, the same gzipped, lookup-events
// output and JSON lines (lockstep serve's audit log) all read.
func TestReadForms(t *testing.T) {
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gz, _ := os.Create(filepath.Join(dir, "log.json.gz"))
	w := gzip.NewWriter(gz)
	w.Write(data)
	w.Close()
	gz.Close()
	lines := `{"eventTime":"2024-11-22T17:20:00Z","eventSource":"s3.amazonaws.com","eventName":"HeadObject","userIdentity":{"arn":"arn:aws:iam::111122223333:user/alice"},"requestParameters":{"bucketName":"b","key":"k"}}
{"eventTime":"2024-11-22T17:21:00Z","eventSource":"s3.amazonaws.com","eventName":"HeadBucket","userIdentity":{"arn":"arn:aws:iam::111122223333:user/alice"},"requestParameters":{"bucketName":"b"}}
`
	os.WriteFile(filepath.Join(dir, "audit.jsonl"), []byte(lines), 0o644)
	for _, tt := range []struct {
		paths []string
		want  int
	}{
		{[]string{sample}, 9},
		{[]string{filepath.Join(dir, "log.json.gz")}, 9},
		{[]string{"testdata/aws-docs/lookup-events.json"}, 1},
		{[]string{filepath.Join(dir, "audit.jsonl")}, 2},
		{[]string{"testdata/aws-docs", dir}, 9 + 1 + 3 + 9 + 2},
	} {
		recs, err := Read(tt.paths)
		if err != nil || len(recs) != tt.want {
			t.Errorf("Read(%v) = %d records, %v; want %d", tt.paths, len(recs), err, tt.want)
		}
		for i := 1; i < len(recs); i++ {
			if recs[i].EventTime.Before(recs[i-1].EventTime) {
				t.Errorf("Read(%v): records not in time order", tt.paths)
				break
			}
		}
	}
}

// TestSelect: every record of the AWS samples is parsed; the calls of one
// principal are kept, the others' and the non-S3/KMS ones counted.
func TestSelect(t *testing.T) {
	recs, err := Read([]string{"testdata/aws-docs"})
	if err != nil {
		t.Fatal(err)
	}
	sel, err := Select(recs, "arn:aws:iam::111122223333:user/alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Calls) != 7 || sel.OtherPrincipals != 5 || sel.Ignored["ec2.amazonaws.com"] != 1 || sel.Records != 13 {
		t.Errorf("alice: %d calls, %d of others, ignored %v, %d records; want 7, 5 (3 of the S3 User Guide example), ec2 1, 13", len(sel.Calls), sel.OtherPrincipals, sel.Ignored, sel.Records)
	}
	byOp := map[string][]Call{}
	for _, c := range sel.Calls {
		byOp[c.Operation] = append(byOp[c.Operation], c)
	}
	if l := byOp["ListObjectsV2"]; len(l) != 1 || l[0].Prefix == nil || *l[0].Prefix != "reports/" {
		t.Errorf("ListObjects with list-type 2 read as %+v", l)
	}
	puts := byOp["PutObject"]
	if len(puts) != 2 || puts[0].BucketAccount != "444455556666" || puts[0].Denied || !puts[1].Denied {
		t.Errorf("PutObject calls: %+v", puts)
	}
	if k := byOp["GenerateDataKey"]; len(k) != 1 || !k[0].ViaS3 || k[0].S3ARN != "arn:aws:s3:::amzn-s3-demo-bucket2/reports/2024/jan.csv" || !strings.HasSuffix(k[0].KeyARN, "key/1234abcd-12ab-34cd-56ef-1234567890ab") {
		t.Errorf("GenerateDataKey: %+v", k)
	}
	// A role name selects every session of the role; the role ARN too.
	for _, p := range []string{"copier", "arn:aws:iam::111122223333:role/service/copier", "arn:aws:sts::111122223333:assumed-role/copier/i-0123456789abcdef0"} {
		sel, err := Select(recs, p)
		if err != nil || len(sel.Calls) != 1 || sel.Calls[0].SourceBucket != "amzn-s3-demo-bucket1" || sel.Calls[0].SourceKey != "reports/2024/jan.csv" || sel.Role != "arn:aws:iam::111122223333:role/service/copier" {
			t.Errorf("Select(%s) = %+v, %v", p, sel, err)
		}
	}
	if _, err := Select(recs, "arn:aws:iam::111122223333:user/carol"); err == nil || !strings.Contains(err.Error(), "arn:aws:iam::111122223333:user/bob") {
		t.Errorf("an unknown principal: %v; want the principals seen listed", err)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{\"a\": 1}\nnot json\n"), 0o644)
	if _, err := Read([]string{dir}); err == nil || !strings.Contains(err.Error(), "bad.json: line 1") {
		t.Errorf("bad file: %v", err)
	}
	if _, err := Read([]string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no log files") {
		t.Errorf("empty directory: %v", err)
	}
}

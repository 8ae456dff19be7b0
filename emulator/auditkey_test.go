package emulator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestAuditNamesUnknownKey: a request signed with a key the world does
// not know is logged with that key, so that the user sees which
// credentials the client sent (issue 11).
func TestAuditNamesUnknownKey(t *testing.T) {
	audit := &svcAudit{}
	s := startEmulator(t, s3WorldYAML, withAudit(audit))
	ctx := context.Background()
	_, err := s.s3(t, aws.Credentials{AccessKeyID: "AKIAUNKNOWN000000000", SecretAccessKey: "x"}).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
	if code(err) != "InvalidAccessKeyId" {
		t.Fatalf("%v, want InvalidAccessKeyId", err)
	}
	if err := s.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	audit.mu.Lock()
	log := audit.buf.String()
	audit.mu.Unlock()
	if !strings.Contains(log, `"accessKeyId":"AKIAUNKNOWN000000000"`) || !strings.Contains(log, `"errorCode":"InvalidAccessKeyId"`) {
		t.Errorf("the audit record does not name the key:\n%s", log)
	}
}

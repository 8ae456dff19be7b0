package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/internal/acctimport"
)

// recordLog collects the emulator's audit log.
type recordLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (r *recordLog) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b.Write(p)
}

func (r *recordLog) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b.String()
}

// TestImportedAccountsWithRealClient: the two-account dump
// (internal/acctimport/testdata), imported, served by the emulator, and
// the AWS CLI v2 run as EC2Role of the source account with the session
// the emulator issues (the dump holds no secret): seed 003's copies into
// the other account's CMK bucket, 1 MiB with CopyObject and 20 MiB with
// UploadPartCopy, succeed against the account's real policies; user ops,
// whose boundary allows only reads, may list but not write (issue 13).
func TestImportedAccountsWithRealClient(t *testing.T) {
	cli := awsV2(t)
	m, _, err := acctimport.Import([]string{"../internal/acctimport/testdata/two-accounts"}, acctimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	audit := &recordLog{}
	srv, err := emulator.New(context.Background(), emulator.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), World: m, WorldFile: "imported", NoSync: true, Audit: audit})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for name, size := range map[string]int{"1mb.dat": 1 << 20, "20mb.dat": 20 << 20} {
		data := make([]byte, size)
		rand.Read(data)
		if err := srv.PutObject(context.Background(), "cp-src", name, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	ec2, err := srv.CredentialsFor("arn:aws:sts::111111111111:assumed-role/EC2Role/i-0123456789abcdef0", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	asEC2 := env(t, creds{key: ec2.AccessKeyID, secret: ec2.SecretAccessKey, token: ec2.SessionToken}, "us-east-1")
	for _, name := range []string{"1mb.dat", "20mb.dat"} {
		r := run(t, asEC2, t.TempDir(), cli.path, "--endpoint-url", srv.Endpoint(), "s3", "cp", "s3://cp-src/"+name, "s3://cp-dst/", "--copy-props", "metadata-directive")
		if r.err != nil {
			t.Errorf("aws s3 cp %s as EC2Role: %s", name, r)
		}
	}
	for _, name := range []string{"1mb.dat", "20mb.dat"} {
		want, _ := srv.GetObject(context.Background(), "cp-src", name)
		got, err := srv.GetObject(context.Background(), "cp-dst", name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("cp-dst/%s is not the source's bytes (%v)", name, err)
		}
	}
	if log := audit.String(); !strings.Contains(log, `"eventName":"UploadPartCopy"`) || strings.Contains(log, `"errorCode":"AccessDenied"`) {
		t.Errorf("want UploadPartCopy calls and no denial in the audit log:\n%s", log)
	}

	ops, err := srv.CredentialsFor("arn:aws:iam::111111111111:user/ops", 0)
	if err != nil {
		t.Fatal(err)
	}
	asOps := env(t, creds{key: ops.AccessKeyID, secret: ops.SecretAccessKey}, "us-east-1")
	if r := run(t, asOps, t.TempDir(), cli.path, "--endpoint-url", srv.Endpoint(), "s3", "ls", "s3://cp-src/"); r.err != nil || !strings.Contains(r.stdout, "20mb.dat") {
		t.Errorf("aws s3 ls as ops (group copiers' inline policy): %s", r)
	}
	r := run(t, asOps, t.TempDir(), cli.path, "--endpoint-url", srv.Endpoint(), "s3api", "put-object", "--bucket", "cp-src", "--key", "new")
	if r.err == nil || !strings.Contains(r.stderr, "because no permissions boundary allows the s3:PutObject action") {
		t.Errorf("aws s3api put-object as ops must be denied by the boundary: %s", r)
	}
}

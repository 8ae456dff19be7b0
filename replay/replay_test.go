package replay

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/scenario"
)

func seed(t *testing.T, prefix string) *scenario.Scenario {
	t.Helper()
	s, err := examples.Seed(strings.TrimPrefix(prefix, "seed"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTranslate: the seeds' commands become commands for the emulator
// without the profile, with the endpoint, and rclone's remote becomes a
// connection string (no client needs to be installed: the paths are
// placeholders).
func TestTranslate(t *testing.T) {
	s := seed(t, "seed003")
	se, err := Start(context.Background(), s, Clients{AWS: "/x/aws", Rclone: "/x/rclone"})
	if err != nil {
		t.Fatal(err)
	}
	defer se.Close()
	ep := se.Server().Endpoint()
	c := Credentials{AccessKeyID: "AKIAX", SecretAccessKey: "s", SessionToken: "tok"}
	for _, tc := range []struct {
		command string
		want    []string
	}{
		{"aws s3 sync s3://a . --profile p", []string{"/x/aws", "--endpoint-url", ep, "--only-show-errors", "s3", "sync", "s3://a", "."}},
		{"aws s3 cp s3://a/k s3://b/", []string{"/x/aws", "--endpoint-url", ep, "--only-show-errors", "s3", "cp", "s3://a/k", "s3://b/", "--copy-props", "metadata-directive"}},
		{"rclone copy ./dir s3-remote:bucket", []string{"/x/rclone", "copy", "./dir", RcloneRemote(ep, c) + "bucket"}},
	} {
		got, err := se.Translate(tc.command, c)
		if err != nil {
			t.Fatalf("%s: %v", tc.command, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.command, got, tc.want)
		}
	}
	if _, err := se.Translate("s5cmd cp a b", c); err == nil {
		t.Error("an unknown client translated without error")
	}
	// replay.objects of seed 003: the 20 MiB object is in place.
	b, err := se.Server().GetObject(context.Background(), "cp-src", "1gb.dat")
	if err != nil || len(b) != 20<<20 {
		t.Errorf("cp-src/1gb.dat: %d bytes, %v; want 20 MiB", len(b), err)
	}
}

// TestEnv: the client environment drops AWS_CA_BUNDLE (rclone fails on
// it) and profiles, and carries the credentials.
func TestEnv(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
	t.Setenv("AWS_PROFILE", "prod")
	env, err := Env(Credentials{AccessKeyID: "AKIAX", SecretAccessKey: "s"}, "us-east-1", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(env, "\n")
	for _, bad := range []string{"AWS_CA_BUNDLE=", "AWS_PROFILE=", "AWS_SESSION_TOKEN="} {
		if strings.Contains(joined, bad) {
			t.Errorf("environment has %s", bad)
		}
	}
	for _, want := range []string{"AWS_ACCESS_KEY_ID=AKIAX", "AWS_SECRET_ACCESS_KEY=s", "AWS_DEFAULT_REGION=us-east-1"} {
		if !strings.Contains(joined, want) {
			t.Errorf("environment lacks %s", want)
		}
	}
	if os.Getenv("AWS_CA_BUNDLE") == "" {
		t.Error("Env changed the process environment")
	}
}

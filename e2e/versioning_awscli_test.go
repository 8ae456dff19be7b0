package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/world"
)

const versioningWorld = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAADMIN11111111111, secret: admin-secret-111111111111}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    buckets:
      - name: vers
        objects: {old.txt: "before versioning\n"}
`

// TestAWSCLIVersioning drives object versioning with AWS CLI v2's s3api
// commands (docs/emulator.md "Versioning"): versions written, listed
// newest first and read back by ID; a delete marker that hides the
// object and, deleted by its ID, brings it back; a version deleted for
// good.
func TestAWSCLIVersioning(t *testing.T) {
	cli := awsV2(t)
	m, err := world.Decode([]byte(versioningWorld), "versioningWorld")
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, m)
	dir := t.TempDir()
	e := env(t, admin, srv.Region())
	aws := func(args ...string) result {
		t.Helper()
		return run(t, e, dir, cli.path, append([]string{"--endpoint-url", srv.Endpoint()}, args...)...)
	}
	ok := func(args ...string) map[string]any {
		t.Helper()
		r := aws(args...)
		if r.err != nil {
			t.Fatalf("%s: %v", strings.Join(args, " "), r)
		}
		out := map[string]any{}
		if strings.TrimSpace(r.stdout) != "" {
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("%s: output %q: %v", strings.Join(args, " "), r.stdout, err)
			}
		}
		return out
	}
	fails := func(want string, args ...string) {
		t.Helper()
		if r := aws(args...); r.err == nil || !strings.Contains(r.stderr, want) {
			t.Fatalf("%s: %v; want a failure containing %q", strings.Join(args, " "), r, want)
		}
	}
	body := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	got := func(args ...string) string {
		t.Helper()
		out := filepath.Join(dir, "out")
		ok(append(args, out)...)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}

	ok("s3api", "put-bucket-versioning", "--bucket", "vers", "--versioning-configuration", "Status=Enabled")
	if st := ok("s3api", "get-bucket-versioning", "--bucket", "vers"); st["Status"] != "Enabled" {
		t.Fatalf("get-bucket-versioning = %v", st)
	}
	v1, _ := ok("s3api", "put-object", "--bucket", "vers", "--key", "k", "--body", body("one", "one\n"))["VersionId"].(string)
	v2, _ := ok("s3api", "put-object", "--bucket", "vers", "--key", "k", "--body", body("two", "two\n"))["VersionId"].(string)
	if v1 == "" || v2 == "" || v1 == v2 {
		t.Fatalf("put-object version IDs %q, %q", v1, v2)
	}
	type version struct {
		Key, VersionId string
		IsLatest       bool
	}
	listing := func() (versions, markers []version) {
		t.Helper()
		var out struct{ Versions, DeleteMarkers []version }
		r := aws("s3api", "list-object-versions", "--bucket", "vers", "--prefix", "k")
		if r.err != nil || json.Unmarshal([]byte(r.stdout), &out) != nil {
			t.Fatalf("list-object-versions: %v", r)
		}
		return out.Versions, out.DeleteMarkers
	}
	vs, dms := listing()
	if len(vs) != 2 || vs[0] != (version{"k", v2, true}) || vs[1] != (version{"k", v1, false}) || len(dms) != 0 {
		t.Fatalf("list-object-versions: versions %v, markers %v; want %s (latest) then %s", vs, dms, v2, v1)
	}
	if b := got("s3api", "get-object", "--bucket", "vers", "--key", "k", "--version-id", v1); b != "one\n" {
		t.Fatalf("get-object --version-id %s = %q", v1, b)
	}
	if b := got("s3api", "get-object", "--bucket", "vers", "--key", "old.txt", "--version-id", "null"); b != "before versioning\n" {
		t.Fatalf("get-object --version-id null = %q", b)
	}

	del := ok("s3api", "delete-object", "--bucket", "vers", "--key", "k")
	marker, _ := del["VersionId"].(string)
	if del["DeleteMarker"] != true || marker == "" {
		t.Fatalf("delete-object = %v; want a delete marker", del)
	}
	fails("(NoSuchKey) when calling the GetObject operation", "s3api", "get-object", "--bucket", "vers", "--key", "k", filepath.Join(dir, "out"))
	fails("(MethodNotAllowed) when calling the GetObject operation", "s3api", "get-object", "--bucket", "vers", "--key", "k", "--version-id", marker, filepath.Join(dir, "out"))
	if vs, dms := listing(); len(vs) != 2 || vs[0].IsLatest || len(dms) != 1 || dms[0] != (version{"k", marker, true}) {
		t.Fatalf("after delete-object: versions %v, markers %v", vs, dms)
	}

	// Deleting the marker brings v2 back; deleting v2 leaves v1.
	if out := ok("s3api", "delete-object", "--bucket", "vers", "--key", "k", "--version-id", marker); out["DeleteMarker"] != true || out["VersionId"] != marker {
		t.Fatalf("delete-object --version-id of the marker = %v", out)
	}
	if b := got("s3api", "get-object", "--bucket", "vers", "--key", "k"); b != "two\n" {
		t.Fatalf("get-object after the marker's deletion = %q", b)
	}
	ok("s3api", "delete-object", "--bucket", "vers", "--key", "k", "--version-id", v2)
	if b := got("s3api", "get-object", "--bucket", "vers", "--key", "k"); b != "one\n" {
		t.Fatalf("get-object after deleting %s = %q", v2, b)
	}
	fails("(NoSuchVersion) when calling the GetObject operation", "s3api", "get-object", "--bucket", "vers", "--key", "k", "--version-id", v2, filepath.Join(dir, "out"))
	fails("(InvalidArgument) when calling the GetObject operation: Invalid version id specified", "s3api", "get-object", "--bucket", "vers", "--key", "k", "--version-id", "not-a-version", filepath.Join(dir, "out"))
	if vs, dms := listing(); len(vs) != 1 || vs[0] != (version{"k", v1, true}) || len(dms) != 0 {
		t.Fatalf("at the end: versions %v, markers %v", vs, dms)
	}
}

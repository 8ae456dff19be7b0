package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lockstep-dev/lockstep/emulator/emulatortest"
	"github.com/lockstep-dev/lockstep/world"
)

// syncWorld: writer may use the bucket; reader may only list and read it.
const syncWorld = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: writer
        access_keys: [{id: AKIAWRITER0000000001, secret: writer-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
      - name: reader
        access_keys: [{id: AKIAREADER0000000001, secret: reader-secret}]
        policies:
          read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [s3:ListBucket, s3:GetObject], Resource: "*"}]}
      - name: putonly
        access_keys: [{id: AKIAPUTONLY000000001, secret: putonly-secret}]
        policies:
          put: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:PutObject, Resource: "*"}]}
    buckets:
      - name: site
`

// startSyncServer serves syncWorld and points the SDK's credential chain
// at nothing but the environment.
func startSyncServer(t *testing.T) *emulatortest.Server {
	t.Helper()
	m, err := world.Decode([]byte(syncWorld), "sync test world")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulatortest.Start(context.Background(), m, "sync test world", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_SESSION_TOKEN", "")
	signAs(t, "AKIAWRITER0000000001", "writer-secret")
	return srv
}

func signAs(t *testing.T, key, secret string) {
	t.Setenv("AWS_ACCESS_KEY_ID", key)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
}

// siteDir is a local directory of three files modified an hour ago.
func siteDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	for _, name := range []string{"index.html", "css/a.css", "img/logo.png"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSyncCommand(t *testing.T) {
	srv := startSyncServer(t)
	dir := siteDir(t)
	ep := "--endpoint-url=" + srv.URL
	tests := []struct {
		name     string
		args     []string
		signer   string // the access key, when not writer's
		wantCode int
		wantOut  []string // lines of standard output, sorted
		wantErr  []string // substrings of standard error
	}{
		{"dry run", []string{"sync", dir, "s3://site/www", "--dryrun", ep}, "", 0,
			[]string{"(dryrun) upload: " + dir + "/css/a.css to s3://site/www/css/a.css", "(dryrun) upload: " + dir + "/img/logo.png to s3://site/www/img/logo.png", "(dryrun) upload: " + dir + "/index.html to s3://site/www/index.html"}, []string{"--dryrun: 3 would be copied, 0 deleted"}},
		{"preflight denied", []string{"sync", dir, "s3://site/www", ep}, "reader", 2, nil,
			[]string{"preflight: s3:AbortMultipartUpload is denied below s3://site/www/", "preflight: writing s3://site/www/ (a PutObject with a wrong Content-MD5, which S3 refuses): An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::111111111111:user/reader is not authorized to perform: s3:PutObject", "nothing was transferred", "needs s3:PutObject on arn:aws:s3:::site/www/.lockstep-preflight-"}},
		{"denied", []string{"sync", dir, "s3://site/www", "--no-preflight", ep}, "reader", 1, nil,
			[]string{"upload failed: " + dir + "/index.html to s3://site/www/index.html An error occurred (AccessDenied) when calling the PutObject operation:", "s3:PutObject", "3 failed"}},
		{"upload", []string{"sync", dir, "s3://site/www", "--exclude", "*.png", ep}, "", 0,
			[]string{"upload: " + dir + "/css/a.css to s3://site/www/css/a.css", "upload: " + dir + "/index.html to s3://site/www/index.html"}, []string{"sync: 2 copied"}},
		{"no change", []string{"sync", dir, "s3://site/www", "--exclude", "*.png", ep}, "", 0, nil, []string{"0 copied (0 B), 2 unchanged"}},
		{"no change by checksum", []string{"sync", dir, "s3://site/www", "--exclude", "*.png", "--checksum", ep}, "", 0, nil, []string{"0 copied (0 B), 2 unchanged"}},
		{"two rules", []string{"sync", dir, "s3://site/www", "--checksum", "--size-only", ep}, "", 2, nil, []string{"choose one"}},
		{"max-delete", []string{"sync", dir + "/css", "s3://site/www", "--delete", "--max-delete", "1", ep}, "", 1,
			[]string{"upload: " + dir + "/css/a.css to s3://site/www/a.css"},
			[]string{"2 deletions not run (more than --max-delete)", "deletions refused: --delete would delete 2 objects, more than --max-delete 1; nothing deleted"}},
		{"missing source", []string{"sync", dir + "/nope", "s3://site/www", "--delete", ep}, "", 2, nil, []string{"does not exist: nothing copied, nothing deleted"}},
		{"preflight: unlistable source", []string{"sync", "s3://site/www", t.TempDir(), ep}, "putonly", 2, nil,
			[]string{"preflight: listing the source s3://site/www: An error occurred (AccessDenied) when calling the ListObjectsV2 operation", "needs s3:ListBucket on arn:aws:s3:::site: add "}},
		{"unlistable source", []string{"sync", "s3://site/www", t.TempDir(), "--no-preflight", ep}, "putonly", 1, nil,
			[]string{"listing s3://site/www/: An error occurred (AccessDenied) when calling the ListObjectsV2 operation: User: arn:aws:iam::111111111111:user/putonly is not authorized to perform: s3:ListBucket", "needs s3:ListBucket on arn:aws:s3:::site: add "}},
		{"local to local", []string{"sync", dir, t.TempDir()}, "", 2, nil, []string{"both local paths"}},
		{"cp one", []string{"cp", dir + "/index.html", "s3://site/one/", ep}, "", 0, []string{"upload: " + dir + "/index.html to s3://site/one/index.html"}, nil},
		{"cp a directory", []string{"cp", dir, "s3://site/one/", ep}, "", 2, nil, []string{"add --recursive"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			switch tt.signer {
			case "reader":
				signAs(t, "AKIAREADER0000000001", "reader-secret")
			case "putonly":
				signAs(t, "AKIAPUTONLY000000001", "putonly-secret")
			}
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.wantCode, out, errOut)
			}
			// Transfers run concurrently: their lines come in any order.
			got := strings.Split(strings.TrimSpace(out), "\n")
			slices.Sort(got)
			if len(tt.wantOut) == 0 && strings.TrimSpace(out) != "" || len(tt.wantOut) > 0 && strings.Join(got, "\n") != strings.Join(tt.wantOut, "\n") {
				t.Errorf("printed:\n%s\nwant:\n%s", out, strings.Join(tt.wantOut, "\n"))
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("standard error lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

// --output json prints one record a line, each field documented in
// docs/output.md, and every documented field is printed by one of the runs.
func TestSyncOutputJSON(t *testing.T) {
	srv := startSyncServer(t)
	dir := siteDir(t)
	ep := "--endpoint-url=" + srv.URL
	doc, err := os.ReadFile("../../docs/output.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := docFields(t, string(doc), "lockstep sync --output json")
	printed := map[string]bool{}
	runs := []struct {
		args   []string
		reader bool
	}{
		{[]string{"sync", dir, "s3://site/j", "--dryrun"}, false},
		{[]string{"sync", dir, "s3://site/j", "--no-preflight"}, true},
		{[]string{"sync", "s3://site/j", "s3://site/k"}, false},
		{[]string{"sync", dir + "/css", "s3://site/j", "--delete"}, false},
		{[]string{"sync", dir, "s3://site/j", "--delete", "--max-delete", "0"}, false},
		{[]string{"sync", dir + "/css", "s3://site/j", "--delete", "--dryrun"}, false},
	}
	for _, r := range runs {
		func() {
			if r.reader {
				signAs(t, "AKIAREADER0000000001", "reader-secret")
				defer signAs(t, "AKIAWRITER0000000001", "writer-secret")
			}
			_, out, errOut := runCLI(t, append(r.args, ep, "--output", "json")...)
			sc := bufio.NewScanner(strings.NewReader(out))
			n := 0
			for sc.Scan() {
				var rec map[string]any
				if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
					t.Fatalf("%v: line %q is not JSON: %v\n%s", r.args, sc.Text(), err, errOut)
				}
				collectKeys(rec, printed)
				n++
			}
			if n == 0 {
				t.Errorf("%v printed nothing: %s", r.args, errOut)
			}
		}()
	}
	for k := range printed {
		if !documented[k] {
			t.Errorf("sync prints %q, which docs/output.md does not document", k)
		}
	}
	for k := range documented {
		if !printed[k] {
			t.Errorf("docs/output.md documents %q for sync, which no run printed", k)
		}
	}
}

// --profile signs with a profile of the shared credentials file (the SDK's
// standard chain), and --region sets the region.
func TestSyncProfile(t *testing.T) {
	srv := startSyncServer(t)
	dir := siteDir(t)
	home := t.TempDir()
	creds := filepath.Join(home, "credentials")
	text := "[sync-writer]\naws_access_key_id = AKIAWRITER0000000001\naws_secret_access_key = writer-secret\n"
	if err := os.WriteFile(creds, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_REGION", "")
	code, out, errOut := runCLI(t, "sync", dir, "s3://site/profiled", "--profile", "sync-writer", "--region", "us-east-1", "--endpoint-url", srv.URL)
	if code != 0 || !strings.Contains(out, "upload: "+dir+"/index.html to s3://site/profiled/index.html") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
	code, _, errOut = runCLI(t, "sync", dir, "s3://site/profiled", "--profile", "no-such-profile", "--endpoint-url", srv.URL)
	if code != 2 || !strings.Contains(errOut, "no-such-profile") {
		t.Errorf("an unknown profile: exit %d, %s", code, errOut)
	}
}

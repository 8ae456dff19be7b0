package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstep-dev/lockstep/transfer"
)

// TestSyncDecisionsMatchAWSCLI: on the same local tree and bucket prefix,
// lockstep's transfer engine and the AWS CLI v2's `aws s3 sync --dryrun`
// decide the same uploads, downloads and deletions, for the default
// size-and-time rule, --size-only, --exact-timestamps and
// --exclude/--include filters (issue 12).
func TestSyncDecisionsMatchAWSCLI(t *testing.T) {
	awscli := awsV2(t)
	srv := startServer(t, nil)
	ctx := context.Background()
	const bucket = "kazue-sync-dest"
	cfg := aws.Config{Region: srv.Region(), Credentials: credentials.NewStaticCredentialsProvider(admin.key, admin.secret, "")}
	client := transfer.NewClient(cfg, srv.Endpoint(), 4)

	// The bucket first, so that the local files can be older or newer
	// than the objects.
	objects := map[string]string{
		"same.txt": "abc", "sizediff.txt": "abcd", "local-newer.txt": "abc", "local-older.txt": "abc",
		"stale.txt": "s", "keep.log": "k", "sub/remote-only.txt": "r", "a.b/x": "1", "a/b": "2",
	}
	for k, v := range objects {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("p/" + k), Body: strings.NewReader(v)}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("p/")})
	if err != nil {
		t.Fatal(err)
	}
	var lastModified time.Time
	for _, o := range list.Contents {
		if lm := aws.ToTime(o.LastModified); lm.After(lastModified) {
			lastModified = lm
		}
	}
	local := filepath.Join(t.TempDir(), "tree")
	files := map[string]struct {
		data string
		age  time.Duration // before the objects' LastModified; negative: after
	}{
		"same.txt": {"abc", time.Hour}, "sizediff.txt": {"abcdef", time.Hour},
		"local-newer.txt": {"xyz", -time.Hour}, "local-older.txt": {"xyz", 2 * time.Hour},
		"new.txt": {"n", time.Hour}, "b.jpg": {"j", time.Hour}, ".git/config": {"g", time.Hour},
		"sub/c.txt": {"c", time.Hour}, "sub/d.log": {"d", time.Hour}, "a-b": {"3", time.Hour},
		"a.b/x": {"1", time.Hour}, "a/b": {"2", time.Hour}, "a0": {"4", time.Hour},
	}
	for name, f := range files {
		p := filepath.Join(local, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.data), 0o644); err != nil {
			t.Fatal(err)
		}
		when := lastModified.Add(-f.age)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
	}
	remote := "s3://" + bucket + "/p"
	tests := []struct {
		name     string
		download bool
		flags    []string
	}{
		{"upload", false, nil},
		{"upload size-only", false, []string{"--size-only"}},
		{"upload exclude all include txt", false, []string{"--exclude", "*", "--include", "*.txt"}},
		{"upload later filters win", false, []string{"--exclude", "*", "--include", "*.txt", "--exclude", "sub/*"}},
		{"upload exclude a directory", false, []string{"--exclude", ".git/*", "--exclude", "*.log"}},
		{"upload classes and ?", false, []string{"--exclude", "a[-.]*", "--exclude", "?.jpg", "--exclude", "[!a-m]*.txt"}},
		{"download", true, nil},
		{"download exact-timestamps", true, []string{"--exact-timestamps"}},
		{"download size-only", true, []string{"--size-only"}},
		{"download filters", true, []string{"--exclude", "*.txt", "--include", "local-*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, dst := local, remote
			if tt.download {
				src, dst = remote, local
			}
			args := append([]string{"s3", "sync", src, dst, "--dryrun", "--delete", "--endpoint-url", srv.Endpoint()}, tt.flags...)
			cwd := t.TempDir()
			r := run(t, env(t, admin, srv.Region()), cwd, awscli.path, args...)
			if r.err != nil {
				t.Fatalf("aws %s: %s", strings.Join(args, " "), r)
			}
			var want []string
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				if line != "" {
					want = append(want, normalize(t, line, local, remote, cwd))
				}
			}
			slices.Sort(want)
			t.Logf("the AWS CLI: %q", want)

			opts := transfer.Options{DryRun: true, Delete: true, MaxDelete: -1}
			for i := 0; i < len(tt.flags); i++ {
				switch tt.flags[i] {
				case "--size-only":
					opts.Strategy = transfer.SizeOnly
				case "--exact-timestamps":
					opts.Strategy = transfer.ExactTimestamps
				case "--exclude", "--include":
					opts.Filters = append(opts.Filters, transfer.Filter{Exclude: tt.flags[i] == "--exclude", Pattern: tt.flags[i+1]})
					i++
				}
			}
			var mu sync.Mutex
			var got []string
			opts.Report = func(e transfer.Event) {
				mu.Lock()
				defer mu.Unlock()
				line := "(dryrun) " + e.Op + ": "
				if e.Source != "" {
					line += e.Source + " to "
				}
				got = append(got, normalize(t, line+e.Dest, local, remote, ""))
			}
			srcLoc, _ := transfer.ParseLocation(src)
			dstLoc, _ := transfer.ParseLocation(dst)
			if _, err := transfer.Sync(ctx, client, srcLoc, dstLoc, opts); err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("lockstep decided\n  %s\nthe AWS CLI\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// normalize turns a --dryrun line into "op key": the key relative to the
// synced directory or prefix, whichever side the line names. The AWS CLI
// prints local paths relative to its working directory cwd.
func normalize(t *testing.T, line, local, remote, cwd string) string {
	t.Helper()
	rest, ok := strings.CutPrefix(line, "(dryrun) ")
	if !ok {
		t.Fatalf("not a dry-run line: %q", line)
	}
	op, paths, _ := strings.Cut(rest, ": ")
	path, _, _ := strings.Cut(paths, " to ")
	if !strings.HasPrefix(path, "s3://") && !filepath.IsAbs(path) {
		path = filepath.Join(cwd, path)
	}
	path = strings.TrimPrefix(strings.TrimPrefix(path, remote+"/"), local+"/")
	return op + " " + path
}

// TestCopyOneFilters: `cp` of one file applies the filters to its name,
// as `aws s3 cp FILE s3://... --exclude ...` does (AWS CLI v2, --dryrun).
func TestCopyOneFilters(t *testing.T) {
	awscli := awsV2(t)
	srv := startServer(t, nil)
	cfg := aws.Config{Region: srv.Region(), Credentials: credentials.NewStaticCredentialsProvider(admin.key, admin.secret, "")}
	client := transfer.NewClient(cfg, srv.Endpoint(), 4)
	file := filepath.Join(t.TempDir(), "one.txt")
	if err := os.WriteFile(file, []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, pattern := range []string{"*.txt", "*.log", "one*", "*/one.txt"} {
		t.Run(pattern, func(t *testing.T) {
			r := run(t, env(t, admin, srv.Region()), t.TempDir(), awscli.path, "s3", "cp", file, "s3://kazue-sync-dest/", "--exclude", pattern, "--dryrun", "--endpoint-url", srv.Endpoint())
			if r.err != nil {
				t.Fatalf("aws: %s", r)
			}
			awsCopies := strings.Contains(r.stdout, "(dryrun) upload:")
			src, _ := transfer.ParseLocation(file)
			dst, _ := transfer.ParseLocation("s3://kazue-sync-dest/")
			sum, err := transfer.CopyOne(context.Background(), client, src, dst, transfer.Options{DryRun: true, Filters: transfer.Filters{{Exclude: true, Pattern: pattern}}})
			if err != nil {
				t.Fatal(err)
			}
			if lockstepCopies := sum.WouldCopy == 1; lockstepCopies != awsCopies {
				t.Errorf("--exclude %q: lockstep copies %v, the AWS CLI %v (%q)", pattern, lockstepCopies, awsCopies, r.stdout)
			}
		})
	}
}

package explain_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/replay"
)

// lineCase is a run TestCollectLines makes with each client it names.
type lineCase struct {
	clients  string // space-separated: aws-v1 aws-v2 rclone s5cmd
	name     string
	command  string // as the user types it; the client's name first
	deny     string
	accounts []string
	// resource is the true cause's resource; KEY stands for the key ARN.
	resource string
}

var (
	allAccounts = []string{"same", "cross"}
	kmsAccounts = []string{"same", "cross", "key-policy"}
)

// lineCases are the runs: each relevant permission denied for each
// client's listing, download, upload, delete and SSE-KMS transfers.
var lineCases = []lineCase{
	{"aws-v1 aws-v2", "sync download, listing denied", "aws s3 sync s3://src/d/ dl/", "s3:ListBucket", allAccounts, "arn:aws:s3:::src"},
	{"aws-v1 aws-v2", "cp download, read denied", "aws s3 cp s3://src/d/a.txt dl/", "s3:GetObject", allAccounts, "arn:aws:s3:::src/d/a.txt"},
	{"aws-v1 aws-v2", "sync download, read denied", "aws s3 sync s3://src/d/ dl/", "s3:GetObject", allAccounts, "arn:aws:s3:::src/d/a.txt"},
	{"aws-v1 aws-v2", "cp upload, write denied", "aws s3 cp up/a.txt s3://dst/d/a.txt", "s3:PutObject", allAccounts, "arn:aws:s3:::dst/d/a.txt"},
	{"aws-v1 aws-v2", "sync upload, write denied", "aws s3 sync up/ s3://dst/d/", "s3:PutObject", allAccounts, "arn:aws:s3:::dst/d/a.txt"},
	{"aws-v1 aws-v2", "rm, delete denied", "aws s3 rm s3://src/d/a.txt", "s3:DeleteObject", allAccounts, "arn:aws:s3:::src/d/a.txt"},
	{"aws-v1 aws-v2", "cp download of an SSE-KMS object, decrypt denied", "aws s3 cp s3://kms-src/d/a.txt dl/", "kms:Decrypt", kmsAccounts, "KEY"},
	{"aws-v1 aws-v2", "cp upload to an SSE-KMS bucket, data key denied", "aws s3 cp up/a.txt s3://kms-dst/d/a.txt", "kms:GenerateDataKey", kmsAccounts, "KEY"},
	{"aws-v1 aws-v2", "multipart upload to an SSE-KMS bucket, decrypt denied", "aws s3 cp big/big.bin s3://kms-dst/d/big.bin", "kms:Decrypt", kmsAccounts, "KEY"},
	{"aws-v1 aws-v2", "multipart copy to an SSE-KMS bucket, decrypt denied", "aws s3 cp s3://src/big.bin s3://kms-dst/d/big.bin", "kms:Decrypt", kmsAccounts, "KEY"},
	{"aws-v2", "multipart copy, source tags denied", "aws s3 cp s3://src/big.bin s3://dst/d/big.bin", "s3:GetObjectTagging", allAccounts, "arn:aws:s3:::src/big.bin"},

	{"rclone", "copy download, listing denied", "rclone copy s3:src/d dl", "s3:ListBucket", allAccounts, "arn:aws:s3:::src"},
	{"rclone", "copy download, read denied", "rclone copy s3:src/d dl", "s3:GetObject", allAccounts, "arn:aws:s3:::src/d/a.txt"},
	{"rclone", "copy upload, write denied", "rclone copy up s3:dst/d", "s3:PutObject", allAccounts, "arn:aws:s3:::dst/d/a.txt"},
	{"rclone", "copyto upload, bucket creation denied", "rclone copyto up/a.txt s3:dst/d/a.txt", "s3:CreateBucket", allAccounts, "arn:aws:s3:::dst"},
	{"rclone", "move download, delete denied", "rclone move s3:src/d dl", "s3:DeleteObject", allAccounts, "arn:aws:s3:::src/d/a.txt"},
	{"rclone", "sync upload, delete denied", "rclone sync up s3:dst/d", "s3:DeleteObject", allAccounts, "arn:aws:s3:::dst/d/old.txt"},
	{"rclone", "copy download of an SSE-KMS object, decrypt denied", "rclone copy s3:kms-src/d dl", "kms:Decrypt", kmsAccounts, "KEY"},
	{"rclone", "copy upload to an SSE-KMS bucket, data key denied", "rclone copy up s3:kms-dst/d", "kms:GenerateDataKey", kmsAccounts, "KEY"},

	{"s5cmd", "cp download, listing denied", "s5cmd cp s3://src/d/* dl/", "s3:ListBucket", allAccounts, "arn:aws:s3:::src"},
	{"s5cmd", "cp download, read denied", "s5cmd cp s3://src/d/a.txt dl/", "s3:GetObject", allAccounts, "arn:aws:s3:::src/d/a.txt"},
	{"s5cmd", "cp wildcard download, read denied", "s5cmd cp s3://src/d/* dl/", "s3:GetObject", allAccounts, "arn:aws:s3:::src/d/a.txt"},
	{"s5cmd", "cp upload, write denied", "s5cmd cp up/a.txt s3://dst/d/", "s3:PutObject", allAccounts, "arn:aws:s3:::dst/d/a.txt"},
	{"s5cmd", "rm, delete denied", "s5cmd rm s3://src/d/a.txt", "s3:DeleteObject", allAccounts, "arn:aws:s3:::src/d/a.txt"},
	{"s5cmd", "cp download of an SSE-KMS object, decrypt denied", "s5cmd cp s3://kms-src/d/a.txt dl/", "kms:Decrypt", kmsAccounts, "KEY"},
	{"s5cmd", "cp upload to an SSE-KMS bucket, data key denied", "s5cmd cp up/a.txt s3://kms-dst/d/", "kms:GenerateDataKey", kmsAccounts, "KEY"},
	{"s5cmd", "cp copy to an SSE-KMS bucket, data key denied", "s5cmd cp s3://src/d/a.txt s3://kms-dst/d/", "kms:GenerateDataKey", kmsAccounts, "KEY"},
}

// TestCollectLines runs the real clients on the emulator for every
// lineCase and writes what they printed to testdata/lines/<client>.yaml.
// It runs only with LOCKSTEP_COLLECT_LINES=1 (and the clients installed:
// make clients):
//
//	LOCKSTEP_COLLECT_LINES=1 go test -run TestCollectLines ./explain/
func TestCollectLines(t *testing.T) {
	if os.Getenv("LOCKSTEP_COLLECT_LINES") == "" {
		t.Skip("set LOCKSTEP_COLLECT_LINES=1 to run the real clients and rewrite testdata/lines")
	}
	found := replay.FindClients()
	bins := map[string]string{"aws-v1": found.AWSv1, "aws-v2": found.AWS, "rclone": found.Rclone, "s5cmd": found.S5cmd}
	for _, client := range []string{"aws-v1", "aws-v2", "rclone", "s5cmd"} {
		bin := bins[client]
		if bin == "" {
			t.Errorf("%s is not installed (make clients): testdata/lines/%s.yaml is left as it is", client, client)
			continue
		}
		f := &lineFile{Client: client, Version: clientVersion(t, client, bin)}
		for _, c := range lineCases {
			if !strings.Contains(" "+c.clients+" ", " "+client+" ") {
				continue
			}
			for _, accounts := range c.accounts {
				run := collect(t, bin, c, accounts)
				if len(run.Lines) == 0 {
					t.Errorf("%s %s (%s): no error line; exit %d", client, c.name, accounts, run.Exit)
					continue
				}
				f.Runs = append(f.Runs, run)
			}
		}
		var b bytes.Buffer
		b.WriteString("# Written by TestCollectLines (explain/lines_collect_test.go): what " + f.Version + "\n" +
			"# printed on lockstep's emulator, in the world of linesWorld that denies one permission. Do not edit.\n")
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "lines", client+".yaml"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func clientVersion(t *testing.T, client, bin string) string {
	arg := "--version"
	if client == "rclone" || client == "s5cmd" {
		arg = "version"
	}
	out, err := exec.Command(bin, arg).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v", bin, arg, err)
	}
	first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if client == "s5cmd" {
		first = "s5cmd " + first + " (v2.3.0 built by make clients)"
	}
	return first
}

// collect makes one run on a fresh emulator and working directory.
func collect(t *testing.T, bin string, c lineCase, accounts string) lineRun {
	t.Helper()
	lw := lineWorld{Accounts: accounts, Deny: c.deny}
	m, err := linesWorld(lw)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx := context.Background()
	srv, err := emulator.New(ctx, emulator.Options{Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), World: m, NoSync: true, ErrorLog: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	big := make([]byte, linesBig)
	rand.Read(big)
	if err := srv.PutObject(ctx, "src", "big.bin", bytes.NewReader(big)); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	for name, data := range map[string][]byte{"up/a.txt": []byte("a\n"), "big/big.bin": big} {
		p := filepath.Join(work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(work, "dl"), 0o755); err != nil {
		t.Fatal(err)
	}
	creds := replay.Credentials{AccessKeyID: "AKIATESTER0000000001", SecretAccessKey: "tester-secret"}
	env, err := replay.Env(creds, linesRegion, dir)
	if err != nil {
		t.Fatal(err)
	}
	words := strings.Fields(c.command)
	argv := []string{bin}
	switch words[0] {
	case "aws":
		// --only-show-errors drops the progress lines, not the errors.
		argv = append(argv, "--endpoint-url", srv.Endpoint(), "--only-show-errors")
		argv = append(argv, words[1:]...)
	case "s5cmd":
		argv = append(argv, "--endpoint-url", srv.Endpoint())
		argv = append(argv, words[1:]...)
	case "rclone":
		for _, w := range words[1:] {
			if rest, ok := strings.CutPrefix(w, "s3:"); ok {
				w = replay.RcloneRemote(srv.Endpoint(), creds) + rest
			}
			argv = append(argv, w)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(rctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, work
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	run := lineRun{Name: c.name, Command: c.command, World: lw,
		Cause: lineCause{Action: c.deny, Resource: strings.ReplaceAll(c.resource, "KEY", linesKeyARN(accounts))}}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		run.Exit = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", c.command, err)
	}
	run.Lines = errorLines(out.String(), srv.Endpoint())
	return run
}

// reErrorLine picks the lines of a client's output that report an error.
var reErrorLine = regexp.MustCompile(`(?i)error|failed|denied|forbidden`)

// errorLines are the output's error lines, each with the indented lines
// that continue it (the Go SDK's "\tstatus code: 403, ..."), with the
// emulator's endpoint (a random port) written as ENDPOINT.
func errorLines(out, endpoint string) []string {
	var lines []string
	last := false
	for _, l := range strings.Split(out, "\n") {
		l = strings.ReplaceAll(strings.TrimRight(l, "\r "), endpoint, "ENDPOINT")
		switch {
		case l == "":
			last = false
		case last && (l[0] == ' ' || l[0] == '\t'):
			lines[len(lines)-1] += "\n" + l
		case reErrorLine.MatchString(l):
			lines = append(lines, l)
			last = true
		default:
			last = false
		}
	}
	return lines
}

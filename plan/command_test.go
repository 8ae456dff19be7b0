package plan

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A command line the models cannot read is an error that names the flag
// or the path, and says what lockstep reads (issue 9).
func TestParseErrors(t *testing.T) {
	tests := []struct {
		args   string
		client Client
		want   string
	}{
		// Flags.
		{"aws s3 cp s3://b/k . --client aws-v2", "", "aws s3 cp: lockstep does not know the option --client: it reads the options of aws s3 cp, sync, mv and rm"},
		{"aws s3 sync s3://b/p . --no-overwrite", "", "lockstep does not know the option --no-overwrite"},
		{"aws s3 cp s3://b/k . --delete", "", `aws s3 cp: --delete is an option of aws s3 sync only (the AWS CLI answers "Unknown options: --delete")`},
		{"aws s3 sync s3://b/p . --recursive", "", "aws s3 sync: --recursive is an option of aws s3 cp, mv, rm only"},
		{"aws s3 cp s3://b/k . --copy-props none", AWSv1, "aws s3 cp: --copy-props is an option of the AWS CLI v2 only, and the model is aws-v1"},
		{"aws s3 cp s3://b/k . --recursive=yes", "", `aws s3 cp: --recursive takes no value, but is given "yes"`},
		{"aws s3 cp s3://b/k . --sse-kms-key-id", "", "aws s3 cp: --sse-kms-key-id needs a value"},
		{"aws s3 cp s3://b/k . --ex x", "", "aws: --ex is ambiguous: it abbreviates --exact-timestamps, --exclude, --expected-size, --expires"},
		{"rclone copy --bogus x ./dir r:b", "", "rclone copy: lockstep does not know the flag --bogus"},
		{"rclone copy --backup-dir r:b/old ./dir r:b/p", "", "lockstep's rclone model does not cover --backup-dir"},
		{"rclone copy --one-way ./dir r:b/p", "", `rclone copy: --one-way is a flag of rclone check only (rclone answers "unknown flag: --one-way")`},
		{"rclone lsf --create-empty-src-dirs r:b/p", "", "--create-empty-src-dirs is a flag of rclone copy, sync, move only"},
		{"rclone check -C md5 r:b/SUMS r:b/p", "", "lockstep's rclone model does not cover -C, which reads the source as a file of checksums"},
		{"rclone copy --s3-copy-cutoff 5X r:a r:b", "", "rclone copy: --s3-copy-cutoff 5X: not a size"},
		{"rclone lsd r:b", "", "rclone lsd: lockstep plans copy, sync, move, copyto, moveto, check, delete and lsf"},
		{"rclone", "", "rclone: no subcommand"},
		{"s5cmd cp --bogus a.txt s3://b/", "", "s5cmd cp: lockstep does not know the flag --bogus"},
		{"s5cmd --acl private cp a.txt s3://b/", "", "s5cmd: --acl is a flag of s5cmd cp, s5cmd mv, s5cmd sync, not a global flag"},
		{"s5cmd cp a.txt s3://b/ --acl private", "", `s5cmd cp: s5cmd reads flags before the paths only: --acl after a.txt is an argument`},
		{"s5cmd rm --all-versions 's3://b/p/*'", "", "does not cover --all-versions"},
		// Paths.
		{"aws s3 cp s3://b/k gs://x/y", "", "aws s3 cp: gs://x/y is neither a local path nor an s3:// URL"},
		{"aws s3 cp S3://b/k .", "", "S3://b/k is neither a local path nor an s3:// URL (the scheme is lower case: s3://)"},
		{"aws s3 cp s3:///k .", "", "s3:///k: no bucket name"},
		{"aws s3 cp s3://arn:aws:s3:us-east-1:111111111111:accesspoint/ap/k .", "", "access point and Outposts ARNs are not planned"},
		{"s5cmd cp https://example.com/x s3://b/", "", "https://example.com/x is neither a local path nor an s3:// URL"},
		{"rclone copy ./dir s3://bucket/x", "", `s3://bucket/x is neither a local path nor an rclone remote: rclone has no s3:// URLs (it would read the remote "s3")`},
		{"rclone copy ./dir :drive:folder", "", `:drive:folder: the remote is of type "drive"`},
		{"rclone copy ./dir r:", "", "r:: lockstep needs the bucket in the path"},
		{"aws s3 cp s3://b/k", "", "aws s3 cp s3://b/k: no destination: write aws s3 cp SOURCE DESTINATION"},
		{"aws s3 sync", "", "aws s3 sync: no source and no destination"},
		{"aws s3 cp s3://b/k ./x ./y", "", "aws s3 cp takes a source and a destination, but is given 3 paths (s3://b/k ./x ./y): ./y is one too many"},
		{"rclone copy r:b", "", "rclone copy r:b: no destination"},
		{"rclone check r:b", "", "rclone check r:b: no destination"},
		{"rclone delete r:b/p r:c", "", "rclone delete takes one path (remote:bucket/path), but is given 2"},
		{"rclone lsf ./dir", "", "rclone lsf ./dir: the path must be an S3 remote"},
		{"s5cmd sync s3://b/p/*", "", "s5cmd sync s3://b/p/*: no destination"},
		{"aws s3 rm", "", "aws s3 rm takes one s3:// path, but is given 0"},
		// s5cmd's wildcard rules.
		{"s5cmd sync s3://b/p/ out/", "", `s5cmd sync s3://b/p/: s5cmd rejects this: "source argument must contain wildcard character"; write 's3://b/p/*'`},
		{"s5cmd sync s3://b out/", "", `s5cmd rejects this: "source argument must contain wildcard character"; write 's3://b/*'`},
		{"s5cmd cp s3://b/p/ out/", "", `source argument must contain wildcard character`},
		{"s5cmd sync s3://b/p s3://c/q/", "", `s5cmd sync s3://b/p s3://c/q/: s5cmd reads s3://b/p as every object whose key starts with "p" and has no further "/" (not the objects under p/); lockstep plans that sync into a local directory only`},
		{"s5cmd rm s3://b/p/", "", `s3 bucket/prefix cannot be used for delete operations (forgot wildcard character?)`},
		// Models.
		{"aws s3 cp a s3://b/", Rclone, "--client rclone does not fit the command aws"},
		{"aws s3 cp a s3://b/", "aws-v3", `--client "aws-v3": want aws-v1, aws-v2, rclone, s5cmd or lockstep`},
		{"gsutil cp a gs://b", "", `"gsutil": lockstep plans aws s3`},
	}
	for _, tt := range tests {
		_, err := ParseCommand(splitArgs(tt.args), tt.client)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\n got %v\nwant %s", tt.args, err, tt.want)
		}
	}
}

// What the parsers read besides the paths: the flags the models test and
// the credentials the principal rule uses.
func TestParseFlags(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "up"), 0o755); err != nil {
		t.Fatal(err)
	}
	up := filepath.Join(dir, "up")
	tests := []struct {
		args      string
		src, dst  string
		recursive bool
		flags     map[string]string
		creds     Credentials
	}{
		{"aws --profile copy s3 sync s3://b/p . --no-sign-request", "s3://b/p/", ".", true, nil, Credentials{Profile: "copy", Unsigned: true}},
		{"aws s3 cp s3://b/k . --request-payer", "s3://b/k", ".", false, map[string]string{"request-payer": ""}, Credentials{}},
		{"aws s3 cp s3://b/k . --request-payer requester", "s3://b/k", ".", false, map[string]string{"request-payer": "requester"}, Credentials{}},
		{"aws s3 cp ./f.txt s3://b/ --grants read=uri=http://acs.amazonaws.com/groups/global/AllUsers", "./f.txt", "s3://b/f.txt", false, map[string]string{"grants": "read=uri=http://acs.amazonaws.com/groups/global/AllUsers"}, Credentials{}},
		{"aws s3 cp -- -dash.txt s3://b/", "-dash.txt", "s3://b/-dash.txt", false, nil, Credentials{}},
		{"aws s3 cp --recurs s3://b/p ./d --excl x --prof=copy", "s3://b/p/", "./d", true, map[string]string{"recursive": "", "exclude": "x\n"}, Credentials{Profile: "copy"}},
		{"s5cmd -numworkers 4 --profile p cp -c 3 --sse-kms-key-id alias/k a.txt s3://b/", "a.txt", "s3://b/a.txt", false, map[string]string{"sse-kms-key-id": "alias/k"}, Credentials{Profile: "p"}},
		{"s5cmd sync --delete=true dir/ s3://b/p/", "dir/", "s3://b/p/", true, map[string]string{"delete": ""}, Credentials{}},
		{"s5cmd sync --delete=false dir/ s3://b/p/", "dir/", "s3://b/p/", true, map[string]string{}, Credentials{}},
		{"s5cmd cp " + up + " s3://b/u/", up, "s3://b/u/", true, nil, Credentials{}},
		{"s5cmd cp s3://b/p/k.txt ./", "s3://b/p/k.txt", "./", false, nil, Credentials{}},
		{"s5cmd cp -n -s=true --if-source-newer a.txt s3://b/", "a.txt", "s3://b/a.txt", false, map[string]string{"no-clobber": "", "if-size-differ": "", "if-source-newer": ""}, Credentials{}},
		{"s5cmd sync s3://b/p/k.txt out/", "s3://b/p/k.txt", "out/", false, nil, Credentials{}},
		{"s5cmd rm 's3://b/p/*'", "s3://b/p/", "", true, nil, Credentials{}},
		{"s5cmd rm s3://b/p/k.txt", "s3://b/p/k.txt", "", false, nil, Credentials{}},
		{"rclone copy -v --s3-profile copy --s3-env-auth ./dir :s3,profile=job:b/p", "./dir", "s3://b/p/", true, nil, Credentials{Profile: "job", EnvAuth: true}},
		{"rclone copy --s3-access-key-id AKIA1 ./dir r:b/p", "./dir", "s3://b/p/", true, nil, Credentials{AccessKeyID: "AKIA1", Remote: "r"}},
		{"rclone copy :s3,env_auth=true:a/p :s3,env_auth=true:b/q", "s3://a/p/", "s3://b/q/", true, nil, Credentials{EnvAuth: true}},
		{"rclone copy --s3-sse-kms-key-id alias/k --s3-server-side-encryption aws:kms ./dir r:b", "./dir", "s3://b/", true, map[string]string{"sse": "aws:kms", "sse-kms-key-id": "alias/k"}, Credentials{Remote: "r"}},
		{"rclone copy --s3-copy-cutoff 5M --s3-upload-cutoff=1Gi r:a/p r:b/q", "s3://a/p/", "s3://b/q/", true, map[string]string{"copy-cutoff": "5242880", "upload-cutoff": "1073741824"}, Credentials{Remote: "r"}},
		{"rclone copyto --s3-acl public-read --s3-bucket-acl private --no-update-modtime ./f.txt r:b/k", "./f.txt", "s3://b/k", false, map[string]string{"acl": "public-read", "bucket-acl": "private", "no-update-modtime": ""}, Credentials{Remote: "r"}},
		{"rclone copy --s3-upload-cutoff off ./dir r:b/p", "./dir", "s3://b/p/", true, map[string]string{"upload-cutoff": "0"}, Credentials{Remote: "r"}},
		{"rclone check --download ./dir r:b/p", "./dir", "s3://b/p/", true, map[string]string{"download": ""}, Credentials{Remote: "r"}},
		{"rclone delete --rmdirs r:b/p", "s3://b/p/", "", true, nil, Credentials{Remote: "r"}},
		{"rclone lsf -R -F tsp --use-server-modtime r:b", "s3://b/", "", true, map[string]string{"recursive": "", "format-t": "", "format-s": "", "format-p": "", "use-server-modtime": ""}, Credentials{Remote: "r"}},
	}
	for _, tt := range tests {
		c, err := ParseCommand(splitArgs(tt.args), "")
		if err != nil {
			t.Errorf("%s: %v", tt.args, err)
			continue
		}
		if c.Source.String() != tt.src || (tt.dst != "" && c.Dest.String() != tt.dst) || c.Recursive != tt.recursive {
			t.Errorf("%s: %s -> %s, recursive %v; want %s -> %s, %v", tt.args, c.Source, c.Dest, c.Recursive, tt.src, tt.dst, tt.recursive)
		}
		for k, v := range tt.flags {
			if got, ok := c.Flags[k]; !ok || got != v {
				t.Errorf("%s: flag %s = %q (set %v), want %q", tt.args, k, got, ok, v)
			}
		}
		if tt.flags != nil && len(tt.flags) == 0 && c.Has("delete") {
			t.Errorf("%s: delete set", tt.args)
		}
		if c.Creds != tt.creds {
			t.Errorf("%s: credentials %+v, want %+v", tt.args, c.Creds, tt.creds)
		}
	}
	c, err := ParseCommand(splitArgs("rclone copy :s3,access_key_id=A:a/p :s3,access_key_id=B:b/q"), "")
	if err != nil || !strings.Contains(c.Creds.Conflict, "name different credentials") {
		t.Errorf("two remotes with different keys: %v, %+v", err, c)
	}
}

// The one client rule of plan and check (issue 9): `aws --version` runs
// only for an aws command with neither --client nor a scenario client.
func TestChooseClient(t *testing.T) {
	tests := []struct {
		args             string
		given, scenario  Client
		version          string
		verErr           error
		want             Client
		runs             int
		detected, errMsg string
	}{
		{args: "aws s3 cp a s3://b/", given: AWSv1, want: AWSv1},
		{args: "aws s3 cp a s3://b/", scenario: AWSv1, want: AWSv1},
		{args: "aws s3 cp a s3://b/", given: AWSv2, scenario: AWSv1, want: AWSv2},
		{args: "aws s3 cp a s3://b/", version: "aws-cli/1.45.11 Python/3.11.7 Linux/6.1 botocore/1.43.11\n", want: AWSv1, runs: 1, detected: "detected aws-cli/1.45.11"},
		{args: "/usr/bin/aws s3 cp a s3://b/", version: "aws-cli/2.9.19 Python/3.11.2\n", want: AWSv2, runs: 1, detected: "detected aws-cli/2.9.19"},
		{args: "aws s3 cp a s3://b/", verErr: errors.New("not found"), want: AWSv2, runs: 1, detected: "could not run aws --version (not found); planning for the AWS CLI v2"},
		{args: "aws s3 cp a s3://b/", version: "garbage", want: AWSv2, runs: 1, detected: `could not read the version aws --version reports ("garbage")`},
		{args: "rclone copy a r:b", want: Rclone},
		{args: "s5cmd cp a s3://b/", want: S5cmd},
		{args: "rclone copy a r:b", scenario: AWSv1, errMsg: "the scenario's client aws-v1 does not fit the command rclone: give --client"},
		{args: "rclone copy a r:b", given: S5cmd, errMsg: "--client s5cmd does not fit the command rclone"},
		{args: "", errMsg: "no client command"},
		{args: "ls -l", errMsg: `"ls": lockstep plans aws s3`},
	}
	for _, tt := range tests {
		runs := 0
		version := func(string) (string, error) { runs++; return tt.version, tt.verErr }
		got, detected, err := ChooseClient(splitArgs(tt.args), tt.given, tt.scenario, version)
		if tt.errMsg != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errMsg) {
				t.Errorf("%q: error %v, want %q", tt.args, err, tt.errMsg)
			}
			continue
		}
		if err != nil || got != tt.want || runs != tt.runs || !strings.Contains(detected, tt.detected) || (tt.detected == "" && detected != "") {
			t.Errorf("%q (--client %q, scenario %q): %s %q %v, aws --version ran %d times; want %s %q, %d", tt.args, tt.given, tt.scenario, got, detected, err, runs, tt.want, tt.detected, tt.runs)
		}
	}
}

// BenchmarkChooseClient: with --client, choosing the model is a lookup.
func BenchmarkChooseClient(b *testing.B) {
	args := []string{"aws", "s3", "cp", "s3://b/k", "."}
	fail := func(string) (string, error) { b.Fatal("ran aws --version"); return "", nil }
	for i := 0; i < b.N; i++ {
		if _, _, err := ChooseClient(args, AWSv2, "", fail); err != nil {
			b.Fatal(err)
		}
	}
}

// rclone reads sizes as KiB without a suffix, binary multiples with one.
func TestRcloneSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"5M", 5 << 20, false}, {"5Mi", 5 << 20, false}, {"5MiB", 5 << 20, false}, {"5m", 5 << 20, false},
		{"100", 100 << 10, false}, {"100B", 100, false}, {"1.5G", 3 << 29, false}, {"off", -1, false},
		{"4768M", 4768 << 20, false}, {"5X", 0, true}, {"M", 0, true}, {"", 0, true}, {"-1M", 0, true}, {"5MB", 0, true},
	} {
		got, err := rcloneSize(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("rcloneSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

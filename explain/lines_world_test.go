package explain_test

import (
	"fmt"
	"strings"

	"github.com/lockstep-dev/lockstep/world"
)

// The real client lines of testdata/lines: each run of a real client on
// the emulator, in a world that denies one permission, with what the
// client printed and the true cause. TestCollectLines writes them;
// TestRealLines explains them.

// lineFile is testdata/lines/<client>.yaml.
type lineFile struct {
	Client  string    `yaml:"client"`
	Version string    `yaml:"version"`
	Runs    []lineRun `yaml:"runs"`
}

// lineRun is one run of the client.
type lineRun struct {
	Name string `yaml:"name"`
	// Command is the command as a user types it: local paths are
	// relative, the rclone remote is "s3:" and the endpoint is left out.
	Command string    `yaml:"command"`
	World   lineWorld `yaml:"world"`
	Cause   lineCause `yaml:"cause"`
	Exit    int       `yaml:"exit"`
	// Lines are the error lines the client printed, verbatim, in order.
	Lines []string `yaml:"lines"`
}

// lineWorld is the world of a run, built by linesWorld.
type lineWorld struct {
	// Accounts is "same" (the buckets and the key are the caller's),
	// "cross" (they are account 222222222222's, whose bucket and key
	// policies allow the caller) or "key-policy" (the caller's, and the
	// key policy, not the IAM policy, denies).
	Accounts string `yaml:"accounts"`
	// Deny is the permission denied.
	Deny string `yaml:"deny"`
}

// lineCause is the permission that caused the error.
type lineCause struct {
	Action   string `yaml:"action"`
	Resource string `yaml:"resource"`
}

const (
	linesCaller = "arn:aws:iam::111111111111:user/tester"
	linesKeyID  = "1234abcd-12ab-34cd-56ef-1234567890ab"
	linesRegion = "us-east-1"
	// linesBig is above the AWS CLI's multipart threshold (8 MiB).
	linesBig = 9 << 20
)

// linesOwner is the account of the buckets and the key.
func linesOwner(accounts string) string {
	if accounts == "cross" {
		return "222222222222"
	}
	return "111111111111"
}

// linesKeyARN is the KMS key of the buckets kms-src and kms-dst.
func linesKeyARN(accounts string) string {
	return "arn:aws:kms:" + linesRegion + ":" + linesOwner(accounts) + ":key/" + linesKeyID
}

// linesWorld is the world of a run: user tester of account 111111111111
// may do everything but w.Deny; buckets src (d/a.txt), dst (d/old.txt),
// kms-src (d/a.txt) and kms-dst, the kms- ones encrypted with one
// customer managed key.
func linesWorld(w lineWorld) (*world.Model, error) {
	q := func(s string) string { return fmt.Sprintf("%q", s) }
	identity := `{Effect: Allow, NotAction: [` + q(w.Deny) + `], Resource: "*"}`
	keyPolicy := `
          - {Sid: Owner, Effect: Allow, Principal: {AWS: "arn:aws:iam::` + linesOwner(w.Accounts) + `:root"}, Action: "kms:*", Resource: "*"}`
	bucketPolicy := ""
	switch w.Accounts {
	case "same":
	case "cross":
		keyPolicy += `
          - {Sid: Tester, Effect: Allow, Principal: {AWS: ` + q(linesCaller) + `}, Action: "kms:*", Resource: "*"}`
		bucketPolicy = `
      policy:
        Version: "2012-10-17"
        Statement:
          - {Sid: Tester, Effect: Allow, Principal: {AWS: ` + q(linesCaller) + `}, Action: "s3:*", Resource: [arn:aws:s3:::BUCKET, arn:aws:s3:::BUCKET/*]}`
	case "key-policy":
		identity = `{Effect: Allow, Action: "*", Resource: "*"}`
		keyPolicy = `
          - {Sid: Tester, Effect: Allow, Principal: {AWS: ` + q(linesCaller) + `}, NotAction: [` + q(w.Deny) + `], Resource: "*"}`
	default:
		return nil, fmt.Errorf("accounts %q: want same, cross or key-policy", w.Accounts)
	}
	bucket := func(name, objects, encryption string) string {
		return `
    - name: ` + name + encryption + strings.ReplaceAll(bucketPolicy, "BUCKET", name) + objects
	}
	enc := `
      encryption: {kms_key: ` + q(linesKeyARN(w.Accounts)) + `}`
	owned := `
  buckets:` + bucket("src", `
      objects: {d/a.txt: "a\n"}`, "") + bucket("dst", `
      objects: {d/old.txt: "old\n"}`, "") + bucket("kms-src", `
      objects: {d/a.txt: "a\n"}`, enc) + bucket("kms-dst", "", enc) + `
  keys:
    - id: ` + linesKeyID + `
      policy:
        Version: "2012-10-17"
        Statement:` + keyPolicy
	text := `region: ` + linesRegion + `
accounts:
- id: "111111111111"
  users:
    - name: tester
      access_keys: [{id: AKIATESTER0000000001, secret: tester-secret}]
      policies:
        all-but:
          Version: "2012-10-17"
          Statement:
            - ` + identity
	if w.Accounts == "cross" {
		text += `
- id: "222222222222"` + owned
	} else {
		text += owned
	}
	return world.Decode([]byte(text+"\n"), "lines-"+w.Accounts+"-"+w.Deny)
}

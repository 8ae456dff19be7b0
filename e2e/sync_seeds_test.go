package e2e

import (
	"context"
	"path"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/replay"
)

// TestSeedsWithLockstep runs each seed's transfer with lockstep sync or
// cp in place of the seed's client, in the world of a step where the
// seed's author had it working: the seed's final policies, unchanged
// (issue 12 acceptance; docs/sync.md). The destination policies of the
// seeds grant s3:PutObject without s3:AbortMultipartUpload, so the
// preflight probes the write with a PutObject S3 refuses for its
// Content-MD5 (docs/sync.md#preflight): the only denied call a run may
// make is that preflight's AbortMultipartUpload of an upload ID that
// does not exist. Every run must succeed, leave the destination holding
// the source byte for byte and nothing else, and copy between buckets
// server-side.
func TestSeedsWithLockstep(t *testing.T) {
	bin := buildLockstep(t)
	tests := []struct {
		seed    string
		step    int // 1-based, a step whose calls are all allowed
		command string
		// multipart is an operation the run must make (the 20 MiB
		// object of seed 003 is copied in parts).
		multipart string
	}{
		{seed: "000", step: 3, command: "lockstep sync s3://kazue-sync-source ."},
		{seed: "000", step: 6, command: "lockstep sync s3://kazue-sync-source s3://kazue-sync-dest"},
		{seed: "001", step: 4, command: "lockstep sync s3://examplebucketa s3://examplebucketb"},
		{seed: "001", step: 5, command: "lockstep sync s3://examplebucketa s3://examplebucketb"},
		{seed: "002", step: 5, command: "lockstep sync ./dir s3://rclone-transfer-test"},
		{seed: "002", step: 4, command: "lockstep cp ./dir/report.csv s3://rclone-transfer-test/"},
		{seed: "003", step: 1, command: "lockstep cp s3://cp-src/1mb.dat s3://cp-dst/"},
		{seed: "003", step: 4, command: "lockstep cp s3://cp-src/1gb.dat s3://cp-dst/", multipart: "UploadPartCopy"},
	}
	for _, tt := range tests {
		t.Run(tt.seed+"/"+strings.ReplaceAll(strings.TrimPrefix(tt.command, "lockstep "), "/", "_"), func(t *testing.T) {
			t.Parallel()
			s, err := examples.Seed(tt.seed)
			if err != nil {
				t.Fatal(err)
			}
			st := &s.Steps[tt.step-1]
			for _, c := range st.Calls {
				if c.Expect == "denied" {
					t.Fatalf("%s step %d is not a working step: %s is denied", s.File(), tt.step, c.Operation)
				}
			}
			se, err := replay.Start(context.Background(), s, replay.Clients{Lockstep: bin})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { se.Close() })
			res, err := se.RunCommand(context.Background(), tt.step-1, tt.command)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("$ %s (world of %s step %d, as %s)\n%s", strings.Join(res.Command, " "), path.Base(s.File()), tt.step, replay.Principal(s, st), tail(res.Output, 3000))
			if res.Err != nil {
				t.Fatalf("lockstep failed: %v", res.Err)
			}
			checkLockstepEvents(t, res.Events, tt.multipart)
			r := &seedRun{file: s.File(), s: s, se: se}
			r.checkData(t, strings.Fields(tt.command), res.Dir)
		})
	}
}

// TestSeed003WithoutDecrypt: in seed 003's failing world (the post's
// policies without kms:Decrypt, and without s3:AbortMultipartUpload),
// the preflight can prove only s3:PutObject and says the destination
// key's KMS permissions were not probed; the copy then fails at
// UploadPartCopy on kms:Decrypt, as the AWS CLI's did, and nothing
// becomes visible. (With s3:AbortMultipartUpload, as lockstep sync --plan
// asks, the preflight stops it before anything: transfer's
// TestSeed003PreflightStops.)
func TestSeed003WithoutDecrypt(t *testing.T) {
	bin := buildLockstep(t)
	s, err := examples.Seed("003")
	if err != nil {
		t.Fatal(err)
	}
	se, err := replay.Start(context.Background(), s, replay.Clients{Lockstep: bin})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { se.Close() })
	res, err := se.RunCommand(context.Background(), 1, "lockstep cp s3://cp-src/1gb.dat s3://cp-dst/")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("$ %s\n%s", strings.Join(res.Command, " "), res.Output)
	if res.Err == nil {
		t.Fatalf("the copy succeeded without kms:Decrypt:\n%s", res.Output)
	}
	for _, want := range []string{"not probed: the destination key's KMS permissions", "when calling the UploadPartCopy operation", "most likely needs kms:Decrypt on the KMS key that encrypts the object", "aws s3api abort-multipart-upload --bucket cp-dst --key 1gb.dat"} {
		if !strings.Contains(res.Output, want) {
			t.Errorf("output lacks %q:\n%s", want, res.Output)
		}
	}
	denied := false
	for _, rec := range res.Events {
		if rec.EventName == "UploadPartCopy" && rec.ErrorCode == "AccessDenied" && deniedAction(rec) == "kms:Decrypt" {
			denied = true
		}
		if rec.EventName == "CompleteMultipartUpload" || rec.EventName == "CopyObject" {
			t.Errorf("the failed copy made %s", rec.EventName)
		}
	}
	if !denied {
		t.Errorf("no UploadPartCopy denied on kms:Decrypt in the audit log: %s", eventList(res.Events))
	}
	if keys, err := se.Server().ListKeys(context.Background(), "cp-dst"); err != nil || len(keys) != 0 {
		t.Errorf("cp-dst holds %v (%v)", keys, err)
	}
}

// checkLockstepEvents checks the audit log of a lockstep run that must
// succeed: nothing denied but the preflight's AbortMultipartUpload probe
// (an upload ID that does not exist, below the destination prefix),
// copies between buckets server-side (no object's bytes through
// lockstep: no UploadPart, no GetObject but the preflight's one-byte
// read), and the multipart operation when one is expected.
func checkLockstepEvents(t *testing.T, events []emulator.Record, multipart string) {
	t.Helper()
	copies, made := 0, map[string]int{}
	for _, rec := range events {
		made[rec.EventName]++
		key, _ := rec.RequestParameters["key"].(string)
		if rec.ErrorCode == "AccessDenied" {
			if rec.EventName == "AbortMultipartUpload" && strings.Contains(key, ".lockstep-preflight-") {
				continue
			}
			t.Errorf("denied: %s %s (%s)", rec.EventName, key, deniedAction(rec))
		}
		if rec.EventName == "CopyObject" || rec.EventName == "UploadPartCopy" {
			copies++
		}
	}
	if copies > 0 && made["UploadPart"] > 0 {
		t.Errorf("a copy between buckets sent %d UploadPart: not server-side; events: %s", made["UploadPart"], eventList(events))
	}
	if multipart != "" && made[multipart] < 2 {
		t.Errorf("%d %s, want the object in parts; events: %s", made[multipart], multipart, eventList(events))
	}
}

// deniedAction is the permission the audit record of a denied call names.
func deniedAction(rec emulator.Record) string {
	if rec.AdditionalEventData == nil {
		return ""
	}
	return rec.AdditionalEventData.Action
}

// TestSeed001TwoCredentialSets: seed 001's starting world, where no bucket
// policy lets either account into the other's bucket (the post's first
// two steps fail, one at each side), copies with two credential sets:
// account A's role reads the source, account B's role writes the
// destination. The copy path probe finds that B's role cannot read the
// source, so every object streams through lockstep: GetObject signed by
// A, PutObject by B, no CopyObject (issue 12 acceptance; docs/sync.md
// "Two credential sets").
func TestSeed001TwoCredentialSets(t *testing.T) {
	bin := buildLockstep(t)
	s, err := examples.Seed("001")
	if err != nil {
		t.Fatal(err)
	}
	se, err := replay.Start(context.Background(), s, replay.Clients{Lockstep: bin})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { se.Close() })
	const (
		roleA = "arn:aws:sts::111111111111:assumed-role/testRole/i-0123456789abcdef0"
		roleB = "arn:aws:sts::222222222222:assumed-role/testRole/s3sync"
	)
	command := "lockstep sync s3://examplebucketa s3://examplebucketb --source-profile account-a --dest-profile account-b-testRole"
	res, err := se.RunCommand(context.Background(), 0, command, replay.Profile{Name: "account-a", Principal: roleA}, replay.Profile{Name: "account-b-testRole", Principal: roleB})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("$ %s\n%s", strings.Join(res.Command, " "), res.Output)
	if res.Err != nil {
		t.Fatalf("lockstep failed: %v", res.Err)
	}
	if !strings.Contains(res.Output, "copy path: streamed (the destination's credentials cannot read the source: AccessDenied)") {
		t.Errorf("the run does not say the copies stream:\n%s", res.Output)
	}
	signers := map[string]map[string]bool{} // operation -> caller ARNs
	for _, rec := range res.Events {
		if signers[rec.EventName] == nil {
			signers[rec.EventName] = map[string]bool{}
		}
		signers[rec.EventName][rec.UserIdentity.ARN] = true
		key, _ := rec.RequestParameters["key"].(string)
		if rec.ErrorCode != "AccessDenied" {
			continue
		}
		// The only denials: the copy path probe (B reading A's object)
		// and the preflight's abort probe (B's role may not abort).
		probe := rec.EventName == "GetObject" && rec.UserIdentity.ARN == roleB ||
			rec.EventName == "AbortMultipartUpload" && strings.Contains(key, ".lockstep-preflight-")
		if !probe {
			t.Errorf("denied: %s %s by %s (%s)", rec.EventName, key, rec.UserIdentity.ARN, deniedAction(rec))
		}
	}
	for op, want := range map[string]string{"PutObject": roleB, "ListObjectsV2": ""} {
		if len(signers[op]) == 0 || want != "" && (len(signers[op]) != 1 || !signers[op][want]) {
			t.Errorf("%s signed by %v, want %s", op, signers[op], want)
		}
	}
	if !signers["GetObject"][roleA] {
		t.Errorf("no GetObject signed by account A's role: %v", signers["GetObject"])
	}
	if len(signers["CopyObject"])+len(signers["UploadPartCopy"]) > 0 {
		t.Errorf("a streamed job copied server-side: %v", eventList(res.Events))
	}
	r := &seedRun{file: s.File(), s: s, se: se}
	r.checkData(t, strings.Fields("lockstep sync s3://examplebucketa s3://examplebucketb"), res.Dir)
}

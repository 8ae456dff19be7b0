package check

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/scenario"
	"github.com/lockstep-dev/lockstep/world"
)

var testTime = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// denial is a denied call: its operation, bucket and the action that
// failed first.
type denial struct{ op, bucket, action string }

func (d denial) String() string { return d.op + " on " + d.bucket + " (" + d.action + ")" }

func denials(r *Report) []denial {
	var out []denial
	for _, c := range r.Denied() {
		for _, ch := range c.Checks {
			if !ch.Verdict.Allowed {
				out = append(out, denial{c.Operation, c.Bucket, ch.Action})
				break
			}
		}
	}
	return out
}

// checkStep runs the check of a step's command (plus extra arguments)
// against the world of that step, with the scenario's client.
func checkStep(t *testing.T, s *scenario.Scenario, worlds []*world.Model, step int, o Options, extra ...string) *Report {
	t.Helper()
	w, err := world.Compile(worlds[step].Clone(), s.File())
	if err != nil {
		t.Fatal(err)
	}
	st := s.Steps[step]
	principal := st.Principal
	if principal == "" {
		principal = s.Principal
	}
	cmd, err := plan.ParseCommand(append(strings.Fields(st.Command), extra...), plan.Client(s.Client))
	if err != nil {
		t.Fatal(err)
	}
	o.Now = testTime
	r, err := Run(w, principal, cmd, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSeeds: for each seed, the check of the first step's command in the
// first step's world denies the call the seed's author saw fail first, and
// in the last step's world allows every call, but for the calls the
// planner knows the seed's client made and its final policy lacks.
func TestSeeds(t *testing.T) {
	tests := []struct {
		file string
		// firstMax is the --max-object-size of the first step: seed 003's
		// first step copies 1 MiB, one CopyObject.
		firstMax int64
		// anySize is the first denial at any object size, when it differs.
		anySize *denial
		// lastDenied are the calls the planner plans that the seed's
		// final policy does not allow, by a documented client difference;
		// lastFix are arguments that avoid them.
		lastDenied []denial
		lastFix    []string
	}{
		{file: "seed000-s3-sync.yaml",
			// AWS CLI v2 copies the tags of multipart S3→S3 copies
			// (--copy-props default): it reads them with GetObjectTagging
			// and sends them in CreateMultipartUpload's x-amz-tagging,
			// which needs s3:PutObjectTagging (proved in prove's matrix);
			// the seed's author copied small files only (aws-cli#5375).
			lastDenied: []denial{{"GetObjectTagging", "kazue-sync-source", "s3:GetObjectTagging"}, {"CreateMultipartUpload", "kazue-sync-dest", "s3:PutObjectTagging"}},
			lastFix:    []string{"--copy-props", "metadata-directive"}},
		{file: "seed001-cross-account.yaml",
			lastDenied: []denial{{"GetObjectTagging", "examplebucketa", "s3:GetObjectTagging"}, {"CreateMultipartUpload", "examplebucketb", "s3:PutObjectTagging"}},
			lastFix:    []string{"--copy-props", "metadata-directive"}},
		{file: "seed002-rclone-copy.yaml"},
		{file: "seed003-kms-multipart.yaml", firstMax: 1 << 20,
			// At any size the same command is a multipart copy, which
			// fails as the seed's step 2 shows.
			anySize: &denial{"UploadPartCopy", "cp-dst", "kms:Decrypt"}},
	}
	seeds, err := examples.Seeds()
	if err != nil || len(seeds) != len(tests) {
		t.Fatalf("%d seed scenarios, %d test rows (%v)", len(seeds), len(tests), err)
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".yaml"), func(t *testing.T) {
			s, err := examples.Seed(tt.file[4:7])
			if err != nil {
				t.Fatal(err)
			}
			worlds, err := s.StepWorlds()
			if err != nil {
				t.Fatal(err)
			}
			// The first step: the call the seed shows denied first.
			var want *denial
			for _, c := range s.Steps[0].Calls {
				if c.Expect == "denied" {
					want = &denial{c.Operation, c.Bucket, c.DeniedAction}
					break
				}
			}
			r := checkStep(t, s, worlds, 0, Options{MaxObjectSize: tt.firstMax})
			got := denials(r)
			switch {
			case want == nil && !r.OK:
				t.Errorf("step 1: the seed's calls are all allowed, but check denies %v", got)
			case want != nil && (len(got) == 0 || got[0] != *want):
				t.Errorf("step 1: check denies %v first, the seed %v", got, *want)
			case want != nil && r.OK:
				t.Errorf("step 1: report OK despite denied calls")
			}
			if want != nil && len(r.Diff) == 0 {
				t.Errorf("step 1: no fix for the denied calls")
			}
			if tt.anySize != nil {
				got := denials(checkStep(t, s, worlds, 0, Options{}))
				if len(got) == 0 || got[0] != *tt.anySize {
					t.Errorf("step 1 at any size: check denies %v, want %v first", got, *tt.anySize)
				}
			}
			// The last step: every call allowed but the documented
			// client difference.
			last := len(s.Steps) - 1
			r = checkStep(t, s, worlds, last, Options{})
			got = denials(r)
			if len(got) != len(tt.lastDenied) {
				t.Fatalf("last step: check denies %v, want %v", got, tt.lastDenied)
			}
			for i := range got {
				if got[i] != tt.lastDenied[i] {
					t.Errorf("last step: check denies %v, want %v", got, tt.lastDenied)
				}
			}
			if r.OK != (len(tt.lastDenied) == 0) {
				t.Errorf("last step: OK %v with denials %v", r.OK, got)
			}
			if tt.lastFix != nil {
				if r := checkStep(t, s, worlds, last, Options{}, tt.lastFix...); !r.OK {
					t.Errorf("last step with %v: check denies %v", tt.lastFix, denials(r))
				}
			}
		})
	}
}

// TestSeed003Fix: the fix of the cross-account kms:Decrypt denial is a
// statement on each side, the caller's identity policy and the key policy,
// and the AWS CLI prints the plain "Access Denied" of a cross-account
// request.
func TestSeed003Fix(t *testing.T) {
	s, err := examples.Seed("003")
	if err != nil {
		t.Fatal(err)
	}
	worlds, err := s.StepWorlds()
	if err != nil {
		t.Fatal(err)
	}
	r := checkStep(t, s, worlds, 1, Options{})
	var denied *Call
	for i := range r.Calls {
		if !r.Calls[i].Allowed {
			denied = &r.Calls[i]
		}
	}
	if denied == nil || denied.Operation != "UploadPartCopy" {
		t.Fatalf("want UploadPartCopy denied, have %+v", denied)
	}
	wantErr := "copy failed: s3://cp-src/1gb.dat to s3://cp-dst/1gb.dat An error occurred (AccessDenied) when calling the UploadPartCopy operation: Access Denied"
	if denied.ClientError != wantErr {
		t.Errorf("client error\n got %s\nwant %s", denied.ClientError, wantErr)
	}
	policies := map[string]string{}
	for _, d := range r.Diff {
		if len(d.Add) != 1 {
			t.Errorf("%s: want one statement to add, have %s", d.Policy, d.Add)
			continue
		}
		policies[d.Policy] = string(d.Add[0])
	}
	key := "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	want := map[string]string{
		"identity policy of arn:aws:iam::111111111111:role/EC2Role": `{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + key + `"}`,
		"key policy of " + key: `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/EC2Role"},"Action":"kms:Decrypt","Resource":"*"}`,
	}
	if len(policies) != len(want) {
		t.Errorf("diff %v, want %v", policies, want)
	}
	for p, st := range want {
		if policies[p] != st {
			t.Errorf("%s: add %s, want %s", p, policies[p], st)
		}
	}
}

const denyWorld = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: alice
        policies:
          s3:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:ListBucket, Resource: "arn:aws:s3:::bkt"}
              - {Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: "arn:aws:s3:::bkt/secret/*"}
    buckets:
      - name: bkt
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: NoUploads
              Effect: Deny
              Principal: "*"
              Action: s3:PutObject
              Resource: "arn:aws:s3:::bkt/secret/*"
`

// TestDenyAndOptional: an explicit Deny is fixed by removing it, not by
// adding an Allow; a denied optional call (rclone's HeadObject of the
// remote's path) is reported and does not fail the check; the listing
// carries the planned prefix as s3:prefix.
func TestDenyAndOptional(t *testing.T) {
	w, err := world.Parse([]byte(denyWorld), "deny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := plan.ParseCommand(strings.Fields("rclone copy ./dir remote:bkt/secret"), "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(w, "arn:aws:iam::111111111111:user/alice", cmd, Options{Now: testTime, MaxObjectSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK {
		t.Fatal("PutObject under an explicit Deny: want the check to fail")
	}
	var optional, put bool
	for _, c := range r.Calls {
		switch {
		case c.Optional:
			optional = true
			if c.Allowed || c.Key != "secret" {
				t.Errorf("optional HeadObject of %q: allowed %v, want denied (GetObject is on secret/* only)", c.Key, c.Allowed)
			}
		case c.Operation == "ListObjectsV2":
			if c.Prefix == nil || *c.Prefix != "secret/" || !c.Allowed {
				t.Errorf("listing: prefix %v allowed %v", c.Prefix, c.Allowed)
			}
		case c.Operation == "PutObject":
			put = true
			if c.Key != "secret/"+ObjectName {
				t.Errorf("PutObject checked on %q, want the representative key", c.Key)
			}
			want := `ERROR : ` + ObjectName + `: Failed to copy: AccessDenied: User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::bkt/secret/` + ObjectName + `" with an explicit deny in a resource-based policy status code: 403`
			if c.ClientError != want {
				t.Errorf("client error\n got %s\nwant %s", c.ClientError, want)
			}
		}
	}
	if !optional || !put {
		t.Fatalf("calls %+v: want an optional HeadObject and a PutObject", r.Calls)
	}
	if len(r.Diff) != 1 || len(r.Diff[0].Remove) != 1 || len(r.Diff[0].Add) != 0 || !strings.Contains(string(r.Diff[0].Remove[0]), `"NoUploads"`) {
		t.Errorf("want the Deny statement NoUploads to remove, have %+v", r.Diff)
	}
	// The upload and rclone's mtime update of an existing object (a
	// CopyObject onto itself, which needs s3:PutObject too) are denied;
	// the optional HeadObject does not count.
	if d := denials(r); len(d) != 2 || d[0].op != "PutObject" || d[1].op != "CopyObject" {
		t.Errorf("denied calls %v: want PutObject and CopyObject; the optional one must not count", d)
	}
	var js map[string]any
	var b strings.Builder
	if err := r.WriteJSON(&b); err != nil || json.Unmarshal([]byte(b.String()), &js) != nil {
		t.Fatalf("JSON: %v\n%s", err, b.String())
	}
	b.Reset()
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"denied (optional)", "    - {", "explicit deny in resource-based policy", "Result: 2 of"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestClientErrors(t *testing.T) {
	msg := "Access Denied"
	tests := []struct {
		cmd  string
		call Call
		want string
	}{
		{"aws s3 sync s3://b/p .", Call{Operation: "ListObjectsV2", Side: "source", Bucket: "b"},
			"fatal error: An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied"},
		{"aws s3 sync s3://b/p ./out", Call{Operation: "GetObject", Side: "source", Bucket: "b", Key: "p/x.md"},
			"download failed: s3://b/p/x.md to out/x.md An error occurred (AccessDenied) when calling the GetObject operation: Access Denied"},
		{"aws s3 cp s3://b/k.dat s3://c/", Call{Operation: "HeadObject", Side: "source", Bucket: "b", Key: "k.dat"},
			"fatal error: An error occurred (403) when calling the HeadObject operation: Forbidden"},
		{"aws s3 cp ./f.bin s3://c/dir/", Call{Operation: "PutObject", Side: "destination", Bucket: "c", Key: "dir/f.bin"},
			"upload failed: ./f.bin to s3://c/dir/f.bin An error occurred (AccessDenied) when calling the PutObject operation: Access Denied"},
		{"aws s3 sync ./d s3://c --delete", Call{Operation: "DeleteObject", Side: "destination", Bucket: "c", Key: "x"},
			"delete failed: s3://c/x An error occurred (AccessDenied) when calling the DeleteObject operation: Access Denied"},
		{"rclone copy ./dir remote:b", Call{Operation: "HeadObject", Side: "destination", Bucket: "b", Key: "f.csv"},
			"ERROR : f.csv: Failed to copy: Forbidden: Forbidden status code: 403"},
		{"s5cmd cp dir/f s3://b/p/f", Call{Operation: "PutObject", Side: "destination", Bucket: "b", Key: "p/f"},
			`ERROR "cp dir/f s3://b/p/f": AccessDenied: Access Denied status code: 403`},
		// lockstep's own lines, as it printed them on the emulator.
		{"lockstep sync ./x s3://b/p", Call{Operation: "ListObjectsV2", Side: "destination", Bucket: "b", Prefix: func() *string { p := "p/"; return &p }()},
			"lockstep: listing s3://b/p/: An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied"},
		{"lockstep cp s3://b/p/zz.txt ./y", Call{Operation: "HeadObject", Side: "source", Bucket: "b", Key: "p/zz.txt"},
			"lockstep: reading s3://b/p/zz.txt: An error occurred (Forbidden) when calling the HeadObject operation: Forbidden"},
		{"lockstep cp ./f.bin s3://c/dir/", Call{Operation: "PutObject", Side: "destination", Bucket: "c", Key: "dir/f.bin"},
			"upload failed: ./f.bin to s3://c/dir/f.bin An error occurred (AccessDenied) when calling the PutObject operation: Access Denied"},
	}
	for _, tt := range tests {
		cmd, err := plan.ParseCommand(strings.Fields(tt.cmd), "")
		if err != nil {
			t.Fatalf("%s: %v", tt.cmd, err)
		}
		if got := clientError(cmd, &tt.call, msg, ""); got != tt.want {
			t.Errorf("%s, %s:\n got %s\nwant %s", tt.cmd, tt.call.Operation, got, tt.want)
		}
	}
}

func TestRunErrors(t *testing.T) {
	w, err := world.Parse([]byte(denyWorld), "deny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cmd, _ := plan.ParseCommand(strings.Fields("aws s3 sync ./d s3://nope"), "")
	for _, tc := range []struct{ principal, want string }{
		{"", "--principal"},
		{"arn:aws:iam::111111111111:user/nobody", "nobody"},
		{"arn:aws:iam::111111111111:user/alice", `"nope" is not in the world`},
	} {
		_, err := Run(w, tc.principal, cmd, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("principal %q: error %v, want one naming %q", tc.principal, err, tc.want)
		}
	}
}

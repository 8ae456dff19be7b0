package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/examples"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/world"
)

// The organisation of examples/org-perimeter.yaml.
const (
	perimeterFile = "org-perimeter.yaml"
	orgID         = "o-a1b2c3d4e5"
	memberUser    = "arn:aws:iam::111111111111:user/data-sync"
	partnerUser   = "arn:aws:iam::222222222222:user/partner-sync"
	perimeterKey  = "arn:aws:kms:us-east-1:111111111111:key/5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b"
	srcBucket     = "perimeter-src"
	dstBucket     = "perimeter-dst"
	euBucket      = "perimeter-eu"
)

var (
	member  = creds{key: "AKIAWORKLOADSSYNC001", secret: "data-sync-secret"}
	partner = creds{key: "AKIAPARTNERSYNC00001", secret: "partner-sync-secret"}
)

// perimeterModel is the example world with a 4 KiB binary object added to
// perimeter-src, next to the file's text objects.
func perimeterModel(t *testing.T) *world.Model {
	t.Helper()
	data, err := fs.ReadFile(examples.Files, perimeterFile)
	if err != nil {
		t.Fatal(err)
	}
	m, err := world.Decode(data, "examples/"+perimeterFile)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4096)
	rand.Read(b)
	m.FindBucket(srcBucket).Objects["data/blob.bin"] = string(b)
	return m
}

// perimeterEngine is the example world as `lockstep eval --world
// examples/org-perimeter.yaml` loads it: the engine side of the checks.
func perimeterEngine(t *testing.T) *world.World {
	t.Helper()
	w, err := world.Load(filepath.Join("..", "examples", perimeterFile))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// seen is one authorization the emulator made, kept from OnChecks: the
// decision and the context keys the perimeter turns on.
type seen struct {
	operation string
	action    string
	resource  string
	kms       bool
	decision  authz.Decision
	ctx       map[string]string
}

// perimeterServer is an emulator serving the example with an audit log
// and a record of every authorization.
type perimeterServer struct {
	srv   *emulator.Server
	mu    sync.Mutex
	audit bytes.Buffer
	seen  []seen
}

func (p *perimeterServer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.audit.Write(b)
}

func startPerimeter(t *testing.T, m *world.Model) *perimeterServer {
	t.Helper()
	p := &perimeterServer{}
	onChecks := func(op string, checks []enforce.Check) {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, ch := range checks {
			s := seen{operation: op, action: ch.Action, resource: ch.Resource, kms: ch.KMS != nil, decision: ch.Decision, ctx: map[string]string{}}
			for _, k := range []string{"aws:RequestedRegion", "aws:ViaAWSService", "aws:PrincipalOrgID", "aws:ResourceOrgID", "kms:ViaService", "kms:CallerAccount"} {
				if v, ok := ch.Request.Context.Get(k); ok {
					s.ctx[k] = strings.Join(v, ",")
				}
			}
			p.seen = append(p.seen, s)
		}
	}
	srv, err := emulator.New(context.Background(), emulator.Options{
		Addr: "127.0.0.1:0", DataDir: t.TempDir(), World: m, WorldFile: "examples/" + perimeterFile,
		Audit: p, OnChecks: onChecks, NoSync: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	p.srv = srv
	return p
}

// stop closes the server, which waits for every request to finish, so
// that the audit log and the decisions are complete (the emulator writes
// a request's record after its response), and returns them.
func (p *perimeterServer) stop(t *testing.T) ([]emulator.Record, []seen) {
	t.Helper()
	if err := p.srv.Close(); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var recs []emulator.Record
	for _, line := range bytes.Split(p.audit.Bytes(), []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r emulator.Record
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("audit log line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs, append([]seen(nil), p.seen...)
}

// awsCLI runs an `aws s3` command of the AWS CLI v2 against the server
// with the credentials (with --no-progress, which keeps the output to the
// lines a terminal shows).
func (p *perimeterServer) awsCLI(t *testing.T, c creds, args ...string) result {
	t.Helper()
	cl := awsV2(t)
	argv := append([]string{"--endpoint-url", p.srv.Endpoint()}, args...)
	r := run(t, env(t, c, "us-east-1"), t.TempDir(), cl.path, append(argv, "--no-progress")...)
	t.Logf("$ aws %s\n%s%s", strings.Join(args, " "), r.stdout, r.stderr)
	return r
}

// bucketTree writes a bucket's objects under a new directory.
func (p *perimeterServer) bucketTree(t *testing.T, bucket string) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	keys, err := p.srv.ListKeys(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		b, err := p.srv.GetObject(ctx, bucket, k)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, k, b)
	}
	return dir
}

// modelTree writes the seed objects of a bucket of the model under a new
// directory: what a copy of the bucket must hold.
func modelTree(t *testing.T, m *world.Model, bucket string) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	var keys []string
	for k, v := range m.FindBucket(bucket).Objects {
		writeFile(t, dir, k, []byte(v))
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return dir, keys
}

func writeFile(t *testing.T, dir, key string, b []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// engineDecision decides one request with the engine on the example world
// loaded from its file, as `lockstep eval` does.
func engineDecision(t *testing.T, w *world.World, principal, action, resource string, env authz.Env, keys map[string][]string) authz.Decision {
	t.Helper()
	p, err := w.Principal(principal)
	if err != nil {
		t.Fatal(err)
	}
	req, err := w.Request(p, action, resource, env, keys)
	if err != nil {
		t.Fatal(err)
	}
	return authz.Decide(req)
}

// sameDecision fails the test unless the emulator decided the request as
// the engine does: effect, deciding policy type, statement and message.
func sameDecision(t *testing.T, emu seen, eng authz.Decision) {
	t.Helper()
	label := func(d authz.Decision) string {
		if d.By.Statement == nil {
			return ""
		}
		return d.By.Statement.Label()
	}
	if emu.decision.Effect != eng.Effect || emu.decision.Type != eng.Type || label(emu.decision) != label(eng) || emu.decision.Message() != eng.Message() {
		t.Errorf("%s on %s: the emulator decided %s (%s, %s), the engine %s (%s, %s)", emu.action, emu.resource,
			emu.decision.Effect, emu.decision.Type, emu.decision.Summary(), eng.Effect, eng.Type, eng.Summary())
	}
}

// findSeen returns the emulator's decisions of action on resource.
func findSeen(all []seen, action, resource string) []seen {
	var out []seen
	for _, s := range all {
		if s.action == action && s.resource == resource {
			out = append(out, s)
		}
	}
	return out
}

// TestOrgPerimeter is the acceptance test of a user modelling their
// organisation (examples/org-perimeter.yaml): with the real AWS CLI v2 on
// the emulator, a member account's `aws s3 sync` in us-east-1 succeeds,
// reading SSE-KMS objects through a key whose policy requires
// kms:ViaService; the same user's writes to a bucket in eu-west-1 fail on
// the region-guard SCP with S3's detailed message; a user outside the
// organization, allowed by its IAM policy and by the bucket policies,
// fails on the data-perimeter RCP with S3's plain "Access Denied". Each
// decision the emulator made is also the engine's for the same request.
func TestOrgPerimeter(t *testing.T) {
	awsV2(t)
	w := perimeterEngine(t)

	t.Run("MemberSyncsInRegion", func(t *testing.T) {
		t.Parallel()
		m := perimeterModel(t)
		p := startPerimeter(t, m)
		want, keys := modelTree(t, m, srcBucket)

		if r := p.awsCLI(t, member, "s3", "sync", "s3://"+srcBucket, "s3://"+dstBucket); r.err != nil {
			t.Fatalf("sync s3://%s s3://%s: %v", srcBucket, dstBucket, r)
		}
		down := t.TempDir()
		if r := p.awsCLI(t, member, "s3", "sync", "s3://"+srcBucket, down); r.err != nil {
			t.Fatalf("sync s3://%s DIR: %v", srcBucket, r)
		}
		sameTree(t, want, down)
		sameTree(t, want, p.bucketTree(t, dstBucket))

		recs, decisions := p.stop(t)
		// No request and no KMS call S3 made was denied.
		for _, r := range recs {
			if r.ErrorCode != "" {
				t.Errorf("%s %s: %s %s", r.EventSource, r.EventName, r.ErrorCode, r.ErrorMessage)
			}
		}
		// S3 called KMS Decrypt on the customer managed key for each object
		// it copied (CopyObject) and served (GetObject), as the caller.
		var decrypts int
		for _, r := range recs {
			if r.EventSource != "kms.amazonaws.com" {
				continue
			}
			if r.EventName != "Decrypt" || r.UserIdentity.InvokedBy != "s3.amazonaws.com" || r.UserIdentity.ARN != memberUser ||
				len(r.Resources) != 1 || r.Resources[0].ARN != perimeterKey {
				t.Errorf("unexpected KMS record: %s by %s invoked by %q on %v", r.EventName, r.UserIdentity.ARN, r.UserIdentity.InvokedBy, r.Resources)
				continue
			}
			decrypts++
		}
		if decrypts != 2*len(keys) {
			t.Errorf("the audit log shows %d Decrypt calls by S3, want %d (one per object for CopyObject and for GetObject)", decrypts, 2*len(keys))
		}
		// Those KMS calls were allowed by the key policy's kms:ViaService
		// statement, for a forward access session in the organization.
		var kmsSeen int
		for _, s := range decisions {
			if !s.kms {
				continue
			}
			kmsSeen++
			if s.ctx["kms:ViaService"] != "s3.us-east-1.amazonaws.com" || s.ctx["aws:ViaAWSService"] != "true" || s.ctx["aws:PrincipalOrgID"] != orgID {
				t.Errorf("%s for %s: context %v", s.action, s.operation, s.ctx)
			}
			if s.decision.By.Statement == nil || s.decision.By.Statement.Sid != "UseThroughS3InThisAccount" {
				t.Errorf("%s for %s: %s, want the key policy statement UseThroughS3InThisAccount", s.action, s.operation, s.decision.Summary())
			}
		}
		if kmsSeen != decrypts {
			t.Errorf("%d KMS authorizations, %d KMS records", kmsSeen, decrypts)
		}

		// The engine decides these requests as the emulator did.
		for _, k := range keys {
			obj := "arn:aws:s3:::" + srcBucket + "/" + k
			for _, s := range findSeen(decisions, "s3:GetObject", obj) {
				sameDecision(t, s, engineDecision(t, w, memberUser, "s3:GetObject", obj, authz.Env{}, nil))
			}
			dst := "arn:aws:s3:::" + dstBucket + "/" + k
			got := findSeen(decisions, "s3:PutObject", dst)
			if len(got) == 0 {
				t.Errorf("the emulator made no s3:PutObject check on %s", dst)
			}
			for _, s := range got {
				sameDecision(t, s, engineDecision(t, w, memberUser, "s3:PutObject", dst, authz.Env{}, nil))
			}
		}
		kmsKeys := s3ops.KMSContextKeys(srcBucket, keys[0], false)
		via := authz.Env{Region: "us-east-1", ViaService: s3ops.ViaService("us-east-1")}
		d := engineDecision(t, w, memberUser, "kms:Decrypt", perimeterKey, via, kmsKeys)
		for _, s := range findSeen(decisions, "kms:Decrypt", perimeterKey) {
			sameDecision(t, s, d)
		}
		if !d.Allowed() {
			t.Errorf("engine: kms:Decrypt through S3: %s", d.Summary())
		}
		// Called directly, without S3, the key policy allows nothing.
		if d := engineDecision(t, w, memberUser, "kms:Decrypt", perimeterKey, authz.Env{}, kmsKeys); d.Allowed() || d.Type != authz.TypeResource {
			t.Errorf("engine: a direct kms:Decrypt is %s (%s), want denied by the key policy", d.Effect, d.Summary())
		}
	})

	t.Run("MemberOutsideAllowedRegions", func(t *testing.T) {
		t.Parallel()
		m := perimeterModel(t)
		p := startPerimeter(t, m)
		up := t.TempDir()
		writeTree(t, up, map[string]int{"upload.bin": 2048})
		putARN := "arn:aws:s3:::" + euBucket + "/upload.bin"
		wantPut := `An error occurred (AccessDenied) when calling the PutObject operation: User: ` + memberUser +
			` is not authorized to perform: s3:PutObject on resource: "` + putARN + `" with an explicit deny in a service control policy`
		wantList := `An error occurred (AccessDenied) when calling the ListObjectsV2 operation: User: ` + memberUser +
			` is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::` + euBucket + `" with an explicit deny in a service control policy`

		r := p.awsCLI(t, member, "s3", "cp", "--recursive", up, "s3://"+euBucket+"/", "--region", "eu-west-1")
		if r.err == nil || !strings.Contains(r.stdout+r.stderr, wantPut) {
			t.Errorf("cp to %s (eu-west-1) must fail with\n%s\ngot %v", euBucket, wantPut, r)
		}
		r = p.awsCLI(t, member, "s3", "sync", up, "s3://"+euBucket, "--region", "eu-west-1")
		if r.err == nil || !strings.Contains(r.stdout+r.stderr, wantList) {
			t.Errorf("sync to %s (eu-west-1) must fail with\n%s\ngot %v", euBucket, wantList, r)
		}
		if keys, err := p.srv.ListKeys(context.Background(), euBucket); err != nil || len(keys) != 0 {
			t.Errorf("%s holds %v (%v) after the denied writes", euBucket, keys, err)
		}

		recs, decisions := p.stop(t)
		var puts int
		for _, r := range recs {
			if r.AWSRegion != "eu-west-1" {
				t.Errorf("audit: %s awsRegion %q, want eu-west-1, the region of %s", r.EventName, r.AWSRegion, euBucket)
			}
			switch r.EventName {
			case "PutObject":
				puts++
				if r.ErrorCode != "AccessDenied" || !strings.HasSuffix(r.ErrorMessage, "with an explicit deny in a service control policy") {
					t.Errorf("audit: PutObject %s %q, want AccessDenied by a service control policy", r.ErrorCode, r.ErrorMessage)
				}
			case "ListObjectsV2":
				if r.ErrorCode != "AccessDenied" {
					t.Errorf("audit: ListObjectsV2 on %v: %q, want AccessDenied", r.RequestParameters["bucketName"], r.ErrorCode)
				}
			default:
				t.Errorf("audit: unexpected %s %s %s", r.EventSource, r.EventName, r.ErrorCode)
			}
		}
		if puts != 1 {
			t.Errorf("the audit log shows %d PutObject requests, want 1", puts)
		}
		for _, c := range []struct{ action, resource string }{
			{"s3:PutObject", putARN},
			{"s3:ListBucket", "arn:aws:s3:::" + euBucket},
		} {
			got := findSeen(decisions, c.action, c.resource)
			if len(got) == 0 {
				t.Errorf("the emulator made no %s check on %s", c.action, c.resource)
			}
			for _, s := range got {
				if s.decision.Effect != authz.ExplicitDeny || s.decision.Type != authz.TypeSCP || s.ctx["aws:RequestedRegion"] != "eu-west-1" {
					t.Errorf("%s on %s: %s in context %v, want an explicit deny by the SCP for aws:RequestedRegion eu-west-1", c.action, c.resource, s.decision.Summary(), s.ctx)
				}
				sameDecision(t, s, engineDecision(t, w, memberUser, c.action, c.resource, authz.Env{}, nil))
			}
		}
	})

	t.Run("OutsideOrganization", func(t *testing.T) {
		t.Parallel()
		m := perimeterModel(t)
		p := startPerimeter(t, m)
		up := t.TempDir()
		writeTree(t, up, map[string]int{"from-partner.bin": 2048})
		want := "An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied"

		for _, args := range [][]string{
			{"s3", "sync", "s3://" + srcBucket, "s3://" + dstBucket},
			{"s3", "sync", up, "s3://" + dstBucket},
		} {
			r := p.awsCLI(t, partner, args...)
			if r.err == nil || !strings.Contains(r.stdout+r.stderr, want) {
				t.Errorf("aws %s must fail with\n%s\ngot %v", strings.Join(args, " "), want, r)
			}
		}
		if keys, err := p.srv.ListKeys(context.Background(), dstBucket); err != nil || len(keys) != 0 {
			t.Errorf("%s holds %v (%v) after the denied sync", dstBucket, keys, err)
		}

		recs, decisions := p.stop(t)
		// The cross-account caller learns nothing but "Access Denied",
		// and nothing was read or written.
		for _, r := range recs {
			if r.EventName != "ListObjectsV2" || r.ErrorCode != "AccessDenied" || r.ErrorMessage != "Access Denied" || r.UserIdentity.ARN != partnerUser {
				t.Errorf("audit: %s %s by %s: %s %q, want only ListObjectsV2 denied with Access Denied", r.EventSource, r.EventName, r.UserIdentity.ARN, r.ErrorCode, r.ErrorMessage)
			}
		}
		if len(recs) != 2 {
			t.Errorf("the audit log has %d records, want the 2 denied ListObjectsV2", len(recs))
		}
		// The audit record carries no policy type; the emulator's decision
		// does: the RCP denied, as the engine decides.
		for _, bucket := range []string{srcBucket, dstBucket} {
			arn := "arn:aws:s3:::" + bucket
			got := findSeen(decisions, "s3:ListBucket", arn)
			if len(got) == 0 {
				t.Errorf("the emulator made no s3:ListBucket check on %s", arn)
			}
			for _, s := range got {
				if s.decision.Effect != authz.ExplicitDeny || s.decision.Type != authz.TypeRCP || s.ctx["aws:PrincipalOrgID"] != "" || s.ctx["aws:ResourceOrgID"] != orgID {
					t.Errorf("s3:ListBucket on %s: %s in context %v, want an explicit deny by the RCP for a principal outside %s", arn, s.decision.Summary(), s.ctx, orgID)
				}
				if s.decision.S3Message() != "Access Denied" {
					t.Errorf("s3:ListBucket on %s: S3 message %q", arn, s.decision.S3Message())
				}
				sameDecision(t, s, engineDecision(t, w, partnerUser, "s3:ListBucket", arn, authz.Env{}, nil))
			}
		}
		// Only the RCP denies: the partner's identity policy and the
		// bucket policies allow the S3 side of the sync.
		for _, c := range []struct{ action, resource string }{
			{"s3:ListBucket", "arn:aws:s3:::" + srcBucket},
			{"s3:GetObject", "arn:aws:s3:::" + srcBucket + "/README.md"},
			{"s3:ListBucket", "arn:aws:s3:::" + dstBucket},
			{"s3:PutObject", "arn:aws:s3:::" + dstBucket + "/README.md"},
		} {
			if d := engineDecision(t, w, partnerUser, c.action, c.resource, authz.Env{}, nil); d.Effect != authz.ExplicitDeny || d.Type != authz.TypeRCP {
				t.Errorf("engine: %s on %s is %s, want an explicit deny by the RCP", c.action, c.resource, d.Summary())
			}
			wo := perimeterEngineWithoutRCPs(t)
			if d := engineDecision(t, wo, partnerUser, c.action, c.resource, authz.Env{}, nil); !d.Allowed() {
				t.Errorf("engine without the RCP: %s on %s is %s, want allowed", c.action, c.resource, d.Summary())
			}
		}
	})
}

// perimeterEngineWithoutRCPs is the example world with the organization's
// RCPs removed.
func perimeterEngineWithoutRCPs(t *testing.T) *world.World {
	t.Helper()
	m := perimeterModel(t)
	m.Organization.RCPs = nil
	for i := range m.Organization.Units {
		m.Organization.Units[i].RCPs = nil
	}
	w, err := world.Compile(m, "examples/"+perimeterFile+" without RCPs")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

package emulator

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/s3ops"
	"github.com/lockstep-dev/lockstep/store"
	"github.com/lockstep-dev/lockstep/world"
)

// walkWorldYAML: account 111111111111 with an administrator, a user
// whose only policy denies everything, a role that trusts the account, a
// bucket with an object and SSE-KMS by default, and a key.
const walkWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAWALKADMIN0000001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
      - name: denied
        access_keys: [{id: AKIAWALKDENIED000001, secret: denied-secret}]
        policies:
          nothing: {Version: "2012-10-17", Statement: [{Sid: DenyAll, Effect: Deny, Action: "*", Resource: "*"}]}
    roles:
      - name: Target
        trust:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}]
    buckets:
      - name: walk
        objects: {a.txt: "hello"}
        encryption:
          kms_key: "arn:aws:kms:us-east-1:111111111111:key/11111111-1111-4111-8111-111111111111"
    keys:
      - id: 11111111-1111-4111-8111-111111111111
        aliases: [alias/walk]
`

const (
	walkKey    = "arn:aws:kms:us-east-1:111111111111:key/11111111-1111-4111-8111-111111111111"
	walkPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"*","Resource":"*"}]}`
)

var (
	walkAdmin  = aws.Credentials{AccessKeyID: "AKIAWALKADMIN0000001", SecretAccessKey: "admin-secret"}
	walkDenied = aws.Credentials{AccessKeyID: "AKIAWALKDENIED000001", SecretAccessKey: "denied-secret"}
)

// walkServer is an emulator on walkWorldYAML that remembers the checks of
// each call (Options.OnChecks).
type walkServer struct {
	*Server
	mu     sync.Mutex
	checks map[string][]enforce.Check
}

func startWalkServer(t *testing.T) *walkServer {
	t.Helper()
	t.Setenv("AWS_CA_BUNDLE", "")
	m, err := world.Decode([]byte(walkWorldYAML), "walk.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ws := &walkServer{checks: map[string][]enforce.Check{}}
	s, err := New(context.Background(), Options{
		Addr: "127.0.0.1:0", DataDir: t.TempDir(), World: m, WorldFile: "walk.yaml", ErrorLog: io.Discard,
		OnChecks: func(op string, checks []enforce.Check) {
			ws.mu.Lock()
			ws.checks[op] = append([]enforce.Check(nil), checks...)
			ws.mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ws.Server = s
	return ws
}

// walkRequest is one signed request to send.
type walkRequest struct {
	service, method, path string
	query                 url.Values
	header                http.Header
	body                  string
}

type walkResponse struct {
	status int
	header http.Header
	body   string
}

// send signs r with creds for its service and sends it.
func (ws *walkServer) send(t *testing.T, creds aws.Credentials, r walkRequest) walkResponse {
	t.Helper()
	u := ws.Endpoint() + r.path
	if len(r.query) > 0 {
		u += "?" + strings.ReplaceAll(r.query.Encode(), "=&", "&")
		u = strings.TrimSuffix(u, "=")
	}
	req, err := http.NewRequest(r.method, u, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	sum := sha256.Sum256([]byte(r.body))
	hash := hex.EncodeToString(sum[:])
	if r.service == "s3" {
		req.Header.Set("X-Amz-Content-Sha256", hash)
		if r.body != "" {
			m := md5.Sum([]byte(r.body))
			req.Header.Set("Content-Md5", base64.StdEncoding.EncodeToString(m[:]))
		}
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, r.service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Idle(context.Background()); err != nil {
		t.Fatal(err)
	}
	return walkResponse{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// walkFixture is what the walk's requests name: an upload in progress and
// a ciphertext of the key.
type walkFixture struct {
	uploadID   string
	ciphertext string
}

// setUp starts a multipart upload and encrypts with the key, as the
// administrator.
func (ws *walkServer) setUp(t *testing.T) walkFixture {
	t.Helper()
	var f walkFixture
	r := ws.send(t, walkAdmin, walkRequest{service: "s3", method: "POST", path: "/walk/a.txt", query: url.Values{"uploads": {""}}})
	var out struct{ UploadId string }
	if r.status != http.StatusOK || xml.Unmarshal([]byte(r.body), &out) != nil || out.UploadId == "" {
		t.Fatalf("CreateMultipartUpload as admin: %d %s", r.status, r.body)
	}
	f.uploadID = out.UploadId
	r = ws.send(t, walkAdmin, kmsRequest("Encrypt", map[string]any{"KeyId": walkKey, "Plaintext": base64.StdEncoding.EncodeToString([]byte("x"))}))
	var enc struct{ CiphertextBlob string }
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &enc) != nil {
		t.Fatalf("Encrypt as admin: %d %s", r.status, r.body)
	}
	f.ciphertext = enc.CiphertextBlob
	return f
}

func kmsRequest(op string, in map[string]any) walkRequest {
	b, _ := json.Marshal(in)
	return walkRequest{service: "kms", method: "POST", path: "/", body: string(b),
		header: http.Header{"X-Amz-Target": {kmsTargetPrefix + op}, "Content-Type": {"application/x-amz-json-1.1"}}}
}

func queryRequest(service, action, version string, params ...string) walkRequest {
	form := url.Values{"Action": {action}, "Version": {version}}
	for i := 0; i+1 < len(params); i += 2 {
		form.Set(params[i], params[i+1])
	}
	return walkRequest{service: service, method: "POST", path: "/", body: form.Encode(),
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}}
}

// walkS3Bodies are the bodies and headers that make each S3 request
// valid, so that only authorization can refuse it.
var walkS3Bodies = map[string]struct {
	body   string
	header http.Header
}{
	"PutObject":                  {body: "data"},
	"UploadPart":                 {body: "part"},
	"DeleteObjects":              {body: `<Delete><Object><Key>a.txt</Key></Object></Delete>`},
	"CompleteMultipartUpload":    {body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>`},
	"PutBucketPolicy":            {body: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::walk/*"}]}`},
	"PutBucketEncryption":        {body: `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`},
	"PutBucketOwnershipControls": {body: `<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>`},
	"PutObjectTagging":           {body: `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`},
	"PutObjectAcl":               {header: http.Header{"X-Amz-Acl": {"bucket-owner-full-control"}}},
	"PutBucketReplication":       {body: `<ReplicationConfiguration><Role>arn:aws:iam::111111111111:role/Target</Role><Rule><Priority>1</Priority><Status>Enabled</Status><Filter></Filter><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication><Destination><Bucket>arn:aws:s3:::walk-dst</Bucket></Destination></Rule></ReplicationConfiguration>`},
}

// s3WalkRequest is a request of an S3 row's shape on the walk bucket's
// object (a new bucket for CreateBucket).
func s3WalkRequest(op *s3ops.Operation, rt s3ops.Route, f walkFixture) walkRequest {
	r := walkRequest{service: "s3", method: rt.Method, query: url.Values{}, header: http.Header{}}
	switch rt.Level {
	case s3ops.ServiceLevel:
		r.path = "/"
	case s3ops.BucketLevel:
		r.path = "/walk"
		if op.Name == "CreateBucket" {
			r.path = "/walk-new"
		}
	default:
		r.path = "/walk/a.txt"
	}
	for _, p := range rt.Query {
		v := p.Value
		switch {
		case v != "":
		case p.Name == "uploadId":
			v = f.uploadID
		case p.Name == "partNumber":
			v = "1"
		}
		r.query.Set(p.Name, v)
	}
	if rt.Header != "" {
		r.header.Set(rt.Header, "walk/a.txt")
	}
	if b, ok := walkS3Bodies[op.Name]; ok {
		r.body = b.body
		for k, v := range b.header {
			r.header[k] = v
		}
	}
	return r
}

// apiWalkRequest is a request of a KMS, IAM or STS row on the walk
// world's key, users and role.
func apiWalkRequest(t *testing.T, op *s3ops.Operation, f walkFixture) walkRequest {
	t.Helper()
	const iamVersion, stsVersion = "2010-05-08", "2011-06-15"
	const (
		boundary    = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
		identityDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
		trustDoc    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`
	)
	switch op.Service {
	case "kms":
		in := map[string]any{}
		switch op.Name {
		case "DescribeKey", "Encrypt", "GenerateDataKey":
			in["KeyId"] = walkKey
		case "GetKeyPolicy":
			in["KeyId"], in["PolicyName"] = walkKey, "default"
		case "PutKeyPolicy":
			in["KeyId"], in["PolicyName"], in["Policy"] = walkKey, "default", walkPolicy
		case "CreateAlias":
			in["AliasName"], in["TargetKeyId"] = "alias/walk-new", walkKey
		case "Decrypt":
			in["CiphertextBlob"] = f.ciphertext
		}
		switch op.Name {
		case "Encrypt":
			in["Plaintext"] = base64.StdEncoding.EncodeToString([]byte("x"))
		case "GenerateDataKey":
			in["KeySpec"] = "AES_256"
		}
		return kmsRequest(op.Name, in)
	case "sts":
		return queryRequest("sts", op.Name, stsVersion, "RoleArn", "arn:aws:iam::111111111111:role/Target", "RoleSessionName", "walk")
	case "iam":
		params := []string{"PolicyName", "p", "PolicyDocument", identityDoc, "PermissionsBoundary", boundary, "AssumeRolePolicyDocument", trustDoc,
			"PolicyArn", boundary, "VersionId", "v1"}
		switch {
		case op.Name == "CreateUser":
			params = append(params, "UserName", "walk-new")
		case op.Name == "CreateRole":
			params = append(params, "RoleName", "WalkNew")
		case strings.Contains(op.Name, "Role"):
			params = append(params, "RoleName", "Target")
		default:
			params = append(params, "UserName", "admin")
		}
		return queryRequest("iam", op.Name, iamVersion, params...)
	case "organizations":
		in := map[string]any{"ParentId": "r-walk", "PolicyId": "p-FullAWSAccess", "Filter": "SERVICE_CONTROL_POLICY"}
		b, _ := json.Marshal(in)
		return walkRequest{service: "organizations", method: "POST", path: "/", body: string(b),
			header: http.Header{"X-Amz-Target": {orgTargetPrefix + op.Name}, "Content-Type": {"application/x-amz-json-1.1"}}}
	case "s3control":
		return s3ControlWalkRequest(op)
	}
	t.Fatalf("%s: no request for service %s", op.Name, op.Service)
	return walkRequest{}
}

// served reports whether the emulator has a handler for the operation.
func served(op *s3ops.Operation) bool {
	switch op.Service {
	case "s3":
		return s3HandlerOf(op.Name) != nil
	case "kms":
		return kmsHandlers[op.Name] != nil
	case "iam":
		return iamHandlers[op.Name] != nil
	case "sts":
		return stsHandlers[op.Name] != nil
	case "organizations":
		return orgHandlers[op.Name] != nil
	case "s3control":
		return s3ControlHandlerOf(op.Name) != nil
	}
	return false
}

// deniedAnswer is the code and status a denied call of the service gets.
func deniedAnswer(service string) (code string, status int) {
	if service == "kms" || service == "organizations" {
		return "AccessDeniedException", http.StatusBadRequest
	}
	return "AccessDenied", http.StatusForbidden
}

// TestDenyEverythingWalk walks every row of the operation catalogue with
// a principal whose policy denies everything: each served operation that
// needs a permission answers its service's AccessDenied, decided by
// enforce from the row (an explicit deny among the call's checks), and
// changes nothing in the store or the world; an operation without
// permissions (GetCallerIdentity) succeeds; a row without a handler
// answers NotImplemented. A handler that forgets to authorize fails it.
func TestDenyEverythingWalk(t *testing.T) {
	ws := startWalkServer(t)
	f := ws.setUp(t)
	for _, op := range s3ops.Operations() {
		t.Run(op.Service+"/"+op.Name, func(t *testing.T) {
			var r walkRequest
			if rt, ok := s3ops.RouteOf(op); ok {
				r = s3WalkRequest(op, rt, f)
			} else {
				r = apiWalkRequest(t, op, f)
			}
			before := ws.snapshot(t)
			got := ws.send(t, walkDenied, r)
			after := ws.snapshot(t)
			if before != after {
				t.Errorf("the denied call changed the store or the world:\n%s", lineDiff(before, after))
			}
			switch {
			case !served(op):
				if got.status != http.StatusNotImplemented || !strings.Contains(got.body, "NotImplemented") {
					t.Errorf("unserved operation: HTTP %d %s; want 501 NotImplemented", got.status, got.body)
				}
				return
			case len(op.Permissions) == 0:
				if got.status != http.StatusOK {
					t.Errorf("an operation without permissions: HTTP %d %s; want 200", got.status, got.body)
				}
				return
			}
			code, status := deniedAnswer(op.Service)
			if op.Name == "DeleteObjects" {
				// Each key gets its own result inside a 200 answer
				// (docs/authorization.md §2.2 DeleteObjects).
				status = http.StatusOK
			}
			if op.HTTP[:5] == "HEAD " {
				code = "" // HEAD answers have no body
			}
			if got.status != status || !strings.Contains(got.body, code) {
				t.Errorf("HTTP %d %s; want %d %s", got.status, got.body, status, code)
			}
			ws.mu.Lock()
			checks := ws.checks[op.Name]
			ws.mu.Unlock()
			if !deniedByPolicy(checks, "DenyAll") {
				t.Errorf("no check of the call was denied by the DenyAll statement: %v", checks)
			}
		})
	}
}

// deniedByPolicy reports whether a check was denied by the statement sid.
func deniedByPolicy(checks []enforce.Check, sid string) bool {
	for _, ch := range checks {
		d := ch.Decision
		if !d.Allowed() && d.By.Statement != nil && d.By.Statement.Sid == sid {
			return true
		}
	}
	return false
}

// snapshot describes everything a call could change: the world model (its
// users, roles, keys, policies) and, for each stored bucket, its
// configuration, objects and uploads.
func (ws *walkServer) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b bytes.Buffer
	m, err := json.Marshal(ws.state.snapshot())
	if err != nil {
		t.Fatal(err)
	}
	b.Write(m)
	buckets, err := ws.store.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, bk := range buckets {
		meta, _ := json.Marshal(bk.Meta)
		fmt.Fprintf(&b, "\nbucket %s %s", bk.Name, meta)
		objs, err := ws.store.ListObjects(ctx, bk.Name, store.ListOptions{MaxKeys: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs.Objects {
			om, _ := json.Marshal(o)
			fmt.Fprintf(&b, "\n object %s", om)
		}
		ups, err := ws.store.ListUploads(ctx, bk.Name, store.ListUploadsOptions{MaxUploads: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range ups.Uploads {
			parts, err := ws.store.ListParts(ctx, bk.Name, u.Key, u.UploadID, 0, 10000)
			if err != nil {
				t.Fatal(err)
			}
			pm, _ := json.Marshal(parts)
			fmt.Fprintf(&b, "\n upload %s %s %s", u.Key, u.UploadID, pm)
		}
	}
	return b.String()
}

// lineDiff lists the lines of before that after lacks (-) and the lines
// after adds (+).
func lineDiff(before, after string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	b, a := in(before), in(after)
	var out []string
	for _, l := range strings.Split(before, "\n") {
		if !a[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(after, "\n") {
		if !b[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// TestHandlersAreCatalogueRows: every handler serves a row of the
// catalogue of its service, so that nothing is routed that the catalogue
// does not authorize.
func TestHandlersAreCatalogueRows(t *testing.T) {
	for service, names := range map[string][]string{
		"s3": append(keys(s3Handlers), keys(bucketConfigHandlers)...), "kms": keys(kmsHandlers), "iam": keys(iamHandlers), "sts": keys(stsHandlers),
	} {
		for _, name := range names {
			if _, ok := s3ops.Lookup(service, name); !ok {
				t.Errorf("%s handler %s has no catalogue row", service, name)
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestRoutingFromCatalogue: requests are routed by the catalogue's routes;
// a sub-resource the catalogue does not hold, or a row without a handler,
// is NotImplemented naming it, before any authorization, and a method the
// resource does not take is MethodNotAllowed.
func TestRoutingFromCatalogue(t *testing.T) {
	ws := startWalkServer(t)
	tests := []struct {
		method, path, query string
		status              int
		want                string
	}{
		{"GET", "/walk", "notification", http.StatusNotImplemented, "GET ?notification"},
		{"PUT", "/walk", "lifecycle", http.StatusNotImplemented, "PUT ?lifecycle"},
		{"DELETE", "/walk", "encryption", http.StatusNotImplemented, "DELETE ?encryption"},
		{"PUT", "/walk/a.txt", "retention", http.StatusNotImplemented, "PUT ?retention"},
		{"GET", "/walk", "versions", http.StatusOK, "<VersionId>null</VersionId><IsLatest>true</IsLatest>"},
		{"GET", "/walk/a.txt", "attributes", http.StatusNotImplemented, "GetObjectAttributes"},
		{"POST", "/walk", "", http.StatusNotImplemented, "browser-based POST uploads"},
		{"POST", "/walk/a.txt", "", http.StatusMethodNotAllowed, "MethodNotAllowed"},
		{"GET", "/walk", "location", http.StatusOK, "LocationConstraint"},
		{"GET", "/walk", "list-type=2&prefix=a", http.StatusOK, "<KeyCount>1</KeyCount>"},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		got := ws.send(t, walkAdmin, walkRequest{service: "s3", method: tt.method, path: tt.path, query: q})
		if got.status != tt.status || !strings.Contains(got.body, tt.want) {
			t.Errorf("%s %s?%s: HTTP %d %s; want %d with %q", tt.method, tt.path, tt.query, got.status, got.body, tt.status, tt.want)
		}
	}
}

// TestAnswerWithoutAuthorizationWithheld: a success a handler writes for a
// call whose catalogue row was not decided never reaches the client; it
// gets InternalError instead.
func TestAnswerWithoutAuthorizationWithheld(t *testing.T) {
	tests := []struct {
		name       string
		operation  string
		authorized bool
		status     int
		want       int
	}{
		{"success without authorization", "GetObject", false, http.StatusOK, http.StatusInternalServerError},
		{"not modified without authorization", "GetObject", false, http.StatusNotModified, http.StatusInternalServerError},
		{"success after authorization", "GetObject", true, http.StatusOK, http.StatusOK},
		{"an error before authorization", "GetObject", false, http.StatusNotFound, http.StatusNotFound},
		{"an operation without permissions", "GetCallerIdentity", false, http.StatusOK, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			service := "s3"
			if tt.operation == "GetCallerIdentity" {
				service = "sts"
			}
			s := &Server{}
			r := httptest.NewRequest(http.MethodGet, "/walk/a.txt", nil)
			c := &call{id: "ID", r: r, service: service, operation: tt.operation, authorized: tt.authorized, params: map[string]any{}}
			rec := httptest.NewRecorder()
			rw := &statusWriter{ResponseWriter: rec, unauthorized: c.answeredUnauthorized}
			rw.Header().Set("Content-Length", "5")
			rw.WriteHeader(tt.status)
			rw.Write([]byte("hello"))
			if rw.blocked {
				s.opts.ErrorLog = io.Discard
				s.failUnauthorized(rw, c)
			}
			if rec.Code != tt.want || (tt.want == http.StatusInternalServerError && strings.Contains(rec.Body.String(), "hello")) {
				t.Errorf("HTTP %d %q; want %d", rec.Code, rec.Body.String(), tt.want)
			}
			if rw.status != tt.want {
				t.Errorf("status recorded for the audit log: %d, want %d", rw.status, tt.want)
			}
		})
	}
}

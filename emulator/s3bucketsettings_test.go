package emulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstep-dev/lockstep/emulator"
)

// s3SignedRequest sends an S3 request with a raw body, signed, and returns
// the status and body of the answer: for bodies the SDK would not send.
func s3SignedRequest(t *testing.T, s *svcServer, creds aws.Credentials, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.Endpoint()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func tags(kv ...string) []types.Tag {
	var out []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// TestBucketTagging: tags are stored in the order given, replaced by the
// next Put and removed by Delete; invalid sets are refused as S3 does.
func TestBucketTagging(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	put := func(ts []types.Tag) error {
		_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("data"), Tagging: &types.Tagging{TagSet: ts}})
		return err
	}
	get := func() ([]types.Tag, error) {
		out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("data")})
		if err != nil {
			return nil, err
		}
		return out.TagSet, nil
	}
	if err := put(tags("team", "storage", "env", "prod")); err != nil {
		t.Fatal(err)
	}
	got, err := get()
	if err != nil {
		t.Fatal(err)
	}
	if want := tags("team", "storage", "env", "prod"); !reflect.DeepEqual(got, want) {
		t.Errorf("tags = %v, want %v", got, want)
	}
	var many []string
	for i := range 51 {
		many = append(many, fmt.Sprintf("k%d", i), "v")
	}
	for _, tc := range []struct {
		name     string
		tags     []types.Tag
		code     string
		contains string
	}{
		{"repeated key", tags("a", "1", "a", "2"), "InvalidTag", "Cannot provide multiple Tags with the same key"},
		{"aws: prefix", tags("aws:owner", "me"), "InvalidTag", "The TagKey you have provided is invalid"},
		{"key too long", tags(strings.Repeat("k", 129), "v"), "InvalidTag", "The TagKey you have provided is invalid"},
		{"value too long", tags("k", strings.Repeat("v", 257)), "InvalidTag", "The TagValue you have provided is invalid"},
		{"129 characters in a multibyte key", tags(strings.Repeat("é", 129), "v"), "InvalidTag", "The TagKey you have provided is invalid"},
		{"51 tags", tags(many...), "BadRequest", "Bucket tag count cannot be greater than 50"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantSvcErr(t, put(tc.tags), tc.code, http.StatusBadRequest, tc.contains)
		})
	}
	if got, _ := get(); len(got) != 2 {
		t.Errorf("a refused Put changed the tags: %v", got)
	}
	// Lengths count characters, not bytes: 128 two-byte characters are a
	// valid key, 256 a valid value.
	long := tags(strings.Repeat("é", 128), strings.Repeat("é", 256))
	if err := put(long); err != nil {
		t.Errorf("a key of 128 and a value of 256 characters: %v", err)
	}
	if got, _ := get(); !reflect.DeepEqual(got, long) {
		t.Errorf("tags = %v, want the long tag", got)
	}
	if status, body := s3SignedRequest(t, s, s3Admin, http.MethodPut, "/data?tagging", "<Tagging><TagSet>"); status != http.StatusBadRequest || !strings.Contains(body, "<Code>MalformedXML</Code>") {
		t.Errorf("truncated XML: HTTP %d %s, want 400 MalformedXML", status, body)
	}
	if _, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	_, err = get()
	wantSvcErr(t, err, "NoSuchTagSet", http.StatusNotFound, "The TagSet does not exist")
}

// TestBucketPublicAccessBlock: stored as given, unspecified settings
// false; deleted back to NoSuchPublicAccessBlockConfiguration.
func TestBucketPublicAccessBlock(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	_, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("data"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("data")})
	if err != nil {
		t.Fatal(err)
	}
	p := out.PublicAccessBlockConfiguration
	if p == nil || !aws.ToBool(p.BlockPublicAcls) || !aws.ToBool(p.RestrictPublicBuckets) ||
		p.IgnorePublicAcls == nil || aws.ToBool(p.IgnorePublicAcls) || p.BlockPublicPolicy == nil || aws.ToBool(p.BlockPublicPolicy) {
		t.Errorf("public access block = %+v, want BlockPublicAcls and RestrictPublicBuckets true, the others false", p)
	}
	for _, body := range []string{"<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls></PublicAccessBlockConfiguration>", "<CORSConfiguration/>", ""} {
		if status, resp := s3SignedRequest(t, s, s3Admin, http.MethodPut, "/data?publicAccessBlock", body); status != http.StatusBadRequest || !strings.Contains(resp, "<Code>MalformedXML</Code>") {
			t.Errorf("body %q: HTTP %d %s, want 400 MalformedXML", body, status, resp)
		}
	}
	if _, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("data")})
	wantSvcErr(t, err, "NoSuchPublicAccessBlockConfiguration", http.StatusNotFound, "The public access block configuration was not found")
}

// TestBucketCORS: a configuration is stored and returned rule by rule;
// rules S3 refuses are refused with its codes.
func TestBucketCORS(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	rule := types.CORSRule{ID: aws.String("web"), AllowedMethods: []string{"GET", "PUT"}, AllowedOrigins: []string{"https://*.example.com"},
		AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(3000)}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("data"), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{rule}}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("data")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CORSRules) != 1 || !reflect.DeepEqual(out.CORSRules[0], rule) {
		t.Errorf("CORS rules = %+v, want %+v", out.CORSRules, rule)
	}
	for _, tc := range []struct {
		name, body, code, contains string
	}{
		{"unsupported method", `<CORSConfiguration><CORSRule><AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>`,
			"InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"},
		{"two wildcards in an origin", `<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>https://*.*.example.com</AllowedOrigin></CORSRule></CORSConfiguration>`,
			"InvalidRequest", "can not have more than one wildcard"},
		{"no origin", `<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`, "MalformedXML", ""},
		{"no rule", `<CORSConfiguration></CORSConfiguration>`, "MalformedXML", ""},
		{"not XML", `GET *`, "MalformedXML", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := s3SignedRequest(t, s, s3Admin, http.MethodPut, "/data?cors", tc.body)
			if status != http.StatusBadRequest || !strings.Contains(body, "<Code>"+tc.code+"</Code>") || !strings.Contains(body, tc.contains) {
				t.Errorf("HTTP %d %s, want 400 %s %q", status, body, tc.code, tc.contains)
			}
		})
	}
	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("data")})
	wantSvcErr(t, err, "NoSuchCORSConfiguration", http.StatusNotFound, "The CORS configuration does not exist")
}

// TestBucketVersioningStates: no state until set; Enabled and Suspended
// are stored and reported; MFA delete is refused as not emulated; other
// documents are MalformedXML.
func TestBucketVersioningStates(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	ctx := context.Background()
	c := s.s3(t, s3Admin)
	putStatus := func(st types.BucketVersioningStatus) error {
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("data"),
			VersioningConfiguration: &types.VersioningConfiguration{Status: st}})
		return err
	}
	getStatus := func() types.BucketVersioningStatus {
		out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("data")})
		if err != nil {
			t.Fatal(err)
		}
		return out.Status
	}
	if st := getStatus(); st != "" {
		t.Errorf("a new bucket has versioning status %q, want none", st)
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("data"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
	wantSvcErr(t, err, "NotImplemented", http.StatusNotImplemented, "MFA delete is not emulated")
	if err := putStatus(types.BucketVersioningStatusEnabled); err != nil {
		t.Fatal(err)
	}
	if st := getStatus(); st != types.BucketVersioningStatusEnabled {
		t.Errorf("status = %q, want Enabled", st)
	}
	if err := putStatus(types.BucketVersioningStatusSuspended); err != nil {
		t.Fatal(err)
	}
	if st := getStatus(); st != types.BucketVersioningStatusSuspended {
		t.Errorf("status = %q, want Suspended", st)
	}
	for _, body := range []string{"<VersioningConfiguration><Status>On</Status></VersioningConfiguration>", "<VersioningConfiguration/>"} {
		if status, resp := s3SignedRequest(t, s, s3Admin, http.MethodPut, "/data?versioning", body); status != http.StatusBadRequest || !strings.Contains(resp, "<Code>MalformedXML</Code>") {
			t.Errorf("body %q: HTTP %d %s, want 400 MalformedXML", body, status, resp)
		}
	}
	_, err = s.s3(t, s3Reader).PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("data"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantSvcErr(t, err, "AccessDenied", http.StatusForbidden, "s3:PutBucketVersioning")
}

// TestBucketSettingsSurviveRestart: the stored configurations of a bucket
// made through the API and of a bucket of the world file are kept in the
// data directory; a deleted and re-created bucket starts unconfigured.
func TestBucketSettingsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	inDir := func(o *emulator.Options) { o.DataDir = dir }
	ctx := context.Background()
	s := startEmulator(t, s3WorldYAML, inDir)
	c := s.s3(t, s3Admin)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("made-at-run-time")}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"data", "made-at-run-time"} {
		if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &types.Tagging{TagSet: tags("bucket", b)}}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = startEmulator(t, s3WorldYAML, inDir)
	c = s.s3(t, s3Admin)
	for _, b := range []string{"data", "made-at-run-time"} {
		out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
		if err != nil {
			t.Fatalf("%s after a restart: %v", b, err)
		}
		if want := tags("bucket", b); !reflect.DeepEqual(out.TagSet, want) {
			t.Errorf("%s after a restart: tags %v, want %v", b, out.TagSet, want)
		}
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("made-at-run-time")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("made-at-run-time")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("made-at-run-time")})
	wantSvcErr(t, err, "NoSuchTagSet", http.StatusNotFound, "")
}

package emulator_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstep-dev/lockstep/emulator"
)

// rawReply is a response read off a raw connection.
type rawReply struct {
	status int
	body   string
}

// sendRaw signs req for S3 in region (UNSIGNED-PAYLOAD), writes its
// header and then the parts of body one by one on a raw connection,
// calling between(i) after part i, and reads the response.
func sendRaw(t *testing.T, s *svcServer, req *http.Request, region string, parts []string, between func(i int)) rawReply {
	t.Helper()
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	if err := v4.NewSigner().SignHTTP(context.Background(), s3Admin, req, "UNSIGNED-PAYLOAD", "s3", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.Endpoint(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second)) // a hung server fails the test instead of blocking it
	var head strings.Builder
	head.WriteString(req.Method + " " + req.URL.RequestURI() + " HTTP/1.1\r\nHost: " + req.URL.Host + "\r\n")
	if req.ContentLength > 0 {
		head.WriteString("Content-Length: " + strconv.FormatInt(req.ContentLength, 10) + "\r\n")
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			head.WriteString(k + ": " + v + "\r\n")
		}
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	for i, p := range parts {
		if _, err := io.WriteString(conn, p); err != nil {
			t.Fatal(err)
		}
		if between != nil {
			between(i)
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawReply{resp.StatusCode, string(b)}
}

func rawPut(t *testing.T, s *svcServer, key string, size int64) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, s.Endpoint()+"/data/"+key, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	return req
}

func withBodyIdleTimeout(d time.Duration) func(*emulator.Options) {
	return func(o *emulator.Options) { o.BodyIdleTimeout = d }
}

// TestStalledBodyRequestTimeout: a body that stops arriving ends with 400
// RequestTimeout after the idle timeout, and nothing is stored; a slow
// body that keeps arriving is stored.
func TestStalledBodyRequestTimeout(t *testing.T) {
	const idle = 400 * time.Millisecond
	s := startEmulator(t, s3WorldYAML, withBodyIdleTimeout(idle))
	start := time.Now()
	r := sendRaw(t, s, rawPut(t, s, "stalled", 1000), "us-east-1", []string{strings.Repeat("x", 10)}, nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "<Code>RequestTimeout</Code>") ||
		!strings.Contains(r.body, "Your socket connection to the server was not read from or written to within the timeout period.") {
		t.Errorf("stalled body: HTTP %d %s, want 400 RequestTimeout", r.status, r.body)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the stalled request took %v with an idle timeout of %v", took, idle)
	}
	cl := s.s3(t, s3Admin)
	if _, err := cl.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("stalled")}); code(err) != "NotFound" {
		t.Errorf("HeadObject after a stalled upload: %v, want NotFound", err)
	}

	// Eight parts a quarter of the idle timeout apart: slower in all than
	// the idle timeout, never idle that long.
	parts := make([]string, 8)
	for i := range parts {
		parts[i] = strings.Repeat(strconv.Itoa(i), 100)
	}
	pause := func(int) { time.Sleep(idle / 4) } // a slow client, not synchronization
	r = sendRaw(t, s, rawPut(t, s, "slow", 800), "us-east-1", parts, pause)
	if r.status != http.StatusOK {
		t.Fatalf("slow body: HTTP %d %s", r.status, r.body)
	}
	if got := getString(t, cl, "data", "slow"); got != strings.Join(parts, "") {
		t.Errorf("slow body stored %d bytes, want 800", len(got))
	}
}

// TestWrongSigningRegion: a request signed for another region than the
// bucket's gets 400 AuthorizationHeaderMalformed naming the bucket's
// region; GetBucketLocation, how clients find the region, is answered
// when signed for us-east-1.
func TestWrongSigningRegion(t *testing.T) {
	s := startEmulator(t, s3WorldYAML+`
      - name: eu-data
        region: eu-west-1
        objects: {a.txt: "a"}
`)
	ctx := context.Background()
	client := func(region string) *s3.Client {
		return s3.NewFromConfig(s.cfg(t, s3Admin), func(o *s3.Options) { o.UsePathStyle = true; o.Region = region })
	}
	eu, us := client("eu-west-1"), client("us-east-1")
	_, err := eu.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("hello.txt")})
	wantSvcErr(t, err, "AuthorizationHeaderMalformed", http.StatusBadRequest,
		"The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'")
	_, err = eu.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("new"), Body: strings.NewReader("x")})
	wantSvcErr(t, err, "AuthorizationHeaderMalformed", http.StatusBadRequest, "expecting 'us-east-1'")
	_, err = eu.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("data")})
	wantSvcErr(t, err, "AuthorizationHeaderMalformed", http.StatusBadRequest, "expecting 'us-east-1'")

	_, err = us.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("eu-data"), Key: aws.String("a.txt")})
	wantSvcErr(t, err, "AuthorizationHeaderMalformed", http.StatusBadRequest, "the region 'us-east-1' is wrong; expecting 'eu-west-1'")
	loc, err := us.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("eu-data")})
	if err != nil || loc.LocationConstraint != "eu-west-1" {
		t.Errorf("GetBucketLocation of eu-data signed for us-east-1: %v %v, want eu-west-1", loc, err)
	}
	if _, err := eu.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("eu-data"), Key: aws.String("a.txt")}); err != nil {
		t.Errorf("GetObject of eu-data signed for eu-west-1: %v", err)
	}

	req, err := http.NewRequest(http.MethodGet, s.Endpoint()+"/data/hello.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := sendRaw(t, s, req, "eu-west-1", nil, nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "<Region>us-east-1</Region>") {
		t.Errorf("raw GET signed for eu-west-1: HTTP %d %s, want 400 with <Region>us-east-1</Region>", r.status, r.body)
	}
}

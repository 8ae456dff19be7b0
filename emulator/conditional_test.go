package emulator_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// lostConditionalWrite reports whether err is how S3 answers the losers of
// a conditional write race: 412 PreconditionFailed, or 409
// ConditionalRequestConflict (docs/emulator.md "Conditional writes").
func lostConditionalWrite(t *testing.T, err error) bool {
	t.Helper()
	e := asSvcErr(t, err)
	return e.Code == "PreconditionFailed" && e.Status == http.StatusPreconditionFailed ||
		e.Code == "ConditionalRequestConflict" && e.Status == http.StatusConflict
}

// TestConditionalPutLock: clients racing to create a lock file with
// If-None-Match: *, as Terraform's S3 backend does: one wins, the others
// are refused, and the lock holds the winner's body.
func TestConditionalPutLock(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	cl := s.s3(t, s3Admin)
	ctx := context.Background()
	const writers = 12
	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			<-start
			_, errs[w] = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("state.tflock"),
				Body: strings.NewReader("holder " + strconv.Itoa(w)), IfNoneMatch: aws.String("*")})
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for w, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("writers %d and %d both took the lock", winner, w)
		case err == nil:
			winner = w
		case !lostConditionalWrite(t, err):
			t.Errorf("writer %d: %v, want PreconditionFailed or ConditionalRequestConflict", w, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer took the lock")
	}
	if got := getString(t, cl, "data", "state.tflock"); got != "holder "+strconv.Itoa(winner) {
		t.Errorf("lock holds %q, want the winner's", got)
	}
	// A refused write names the condition.
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("state.tflock"),
		Body: strings.NewReader("late"), IfNoneMatch: aws.String("*")})
	wantSvcErr(t, err, "PreconditionFailed", http.StatusPreconditionFailed, "pre-conditions you specified did not hold")
}

// TestConditionalPutCompareAndSwap: clients increment a counter object
// with GetObject then PutObject If-Match the ETag read; no increment is
// lost.
func TestConditionalPutCompareAndSwap(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	cl := s.s3(t, s3Admin)
	ctx := context.Background()
	put := func(body string, in *s3.PutObjectInput) error {
		in.Bucket, in.Key, in.Body = aws.String("data"), aws.String("counter"), strings.NewReader(body)
		_, err := cl.PutObject(ctx, in)
		return err
	}
	if err := put("0", &s3.PutObjectInput{}); err != nil {
		t.Fatal(err)
	}
	const writers, increments = 4, 8
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for i := 0; i < increments; {
				out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("counter")})
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(out.Body)
				out.Body.Close()
				n, _ := strconv.Atoi(string(b))
				err = put(strconv.Itoa(n+1), &s3.PutObjectInput{IfMatch: out.ETag})
				switch {
				case err == nil:
					i++
				case !lostConditionalWrite(t, err):
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got, want := getString(t, cl, "data", "counter"), strconv.Itoa(writers*increments); got != want {
		t.Errorf("counter = %s, want %s: an update was lost", got, want)
	}
}

// TestConditionalPutErrors: If-Match with another ETag is 412 naming
// If-Match, If-Match on a missing key 404 NoSuchKey, and neither stores
// anything.
func TestConditionalPutErrors(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	cl := s.s3(t, s3Admin)
	ctx := context.Background()
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("hello.txt"),
		Body: strings.NewReader("changed"), IfMatch: aws.String(`"00000000000000000000000000000000"`)})
	wantSvcErr(t, err, "PreconditionFailed", http.StatusPreconditionFailed, "pre-conditions")
	if got := getString(t, cl, "data", "hello.txt"); got != "hello\n" {
		t.Errorf("a failed If-Match overwrote the object: %q", got)
	}
	_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("missing"),
		Body: strings.NewReader("x"), IfMatch: aws.String(`"b1946ac92492d2347c6235b4d2611184"`)})
	wantSvcErr(t, err, "NoSuchKey", http.StatusNotFound, "The specified key does not exist.")
	if _, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("missing")}); err == nil {
		t.Error("a failed If-Match created the object")
	}
}

// TestConditionalCompleteMultipartUpload: uploads of one key completed at
// once with If-None-Match: * make one object; the losing uploads are left
// as they were; If-Match completes only over the ETag given.
func TestConditionalCompleteMultipartUpload(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	cl := s.s3(t, s3Admin)
	ctx := context.Background()
	type upload struct {
		id    string
		parts []types.CompletedPart
	}
	newUpload := func(body string) upload {
		cr, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("big")})
		if err != nil {
			t.Fatal(err)
		}
		p, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("data"), Key: aws.String("big"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return upload{aws.ToString(cr.UploadId), []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}
	}
	complete := func(u upload, in *s3.CompleteMultipartUploadInput) (*s3.CompleteMultipartUploadOutput, error) {
		in.Bucket, in.Key, in.UploadId = aws.String("data"), aws.String("big"), aws.String(u.id)
		in.MultipartUpload = &types.CompletedMultipartUpload{Parts: u.parts}
		return cl.CompleteMultipartUpload(ctx, in)
	}
	const n = 6
	uploads := make([]upload, n)
	for i := range uploads {
		uploads[i] = newUpload("upload " + strconv.Itoa(i))
	}
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range uploads {
		wg.Go(func() {
			<-start
			_, errs[i] = complete(uploads[i], &s3.CompleteMultipartUploadInput{IfNoneMatch: aws.String("*")})
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("uploads %d and %d both completed", winner, i)
		case err == nil:
			winner = i
		case !lostConditionalWrite(t, err):
			t.Errorf("upload %d: %v", i, err)
		default:
			if _, err := cl.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("data"), Key: aws.String("big"), UploadId: aws.String(uploads[i].id)}); err != nil {
				t.Errorf("upload %d after its refused completion: %v", i, err)
			}
		}
	}
	if winner < 0 {
		t.Fatal("no upload completed")
	}
	if got := getString(t, cl, "data", "big"); got != "upload "+strconv.Itoa(winner) {
		t.Errorf("object = %q, want upload %d's", got, winner)
	}

	loser := uploads[(winner+1)%n]
	_, err := complete(loser, &s3.CompleteMultipartUploadInput{IfMatch: aws.String(`"0123456789abcdef0123456789abcdef-1"`)})
	wantSvcErr(t, err, "PreconditionFailed", http.StatusPreconditionFailed, "pre-conditions")
	head, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := complete(loser, &s3.CompleteMultipartUploadInput{IfMatch: head.ETag}); err != nil {
		t.Fatalf("CompleteMultipartUpload If-Match the current ETag: %v", err)
	}
	if got := getString(t, cl, "data", "big"); got != "upload "+strconv.Itoa((winner+1)%n) {
		t.Errorf("object = %q after If-Match completion", got)
	}

	// If-Match on a key without an object: 404 NoSuchKey.
	if _, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("big")}); err != nil {
		t.Fatal(err)
	}
	_, err = complete(newUpload("late"), &s3.CompleteMultipartUploadInput{IfMatch: head.ETag})
	wantSvcErr(t, err, "NoSuchKey", http.StatusNotFound, "")
}

func getString(t *testing.T, cl *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := cl.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGetETagMatchesBody: a GET racing writes of its key answers the
// ETag and the body of one version (compare-and-swap clients send that
// ETag back with If-Match).
func TestGetETagMatchesBody(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	cl := s.s3(t, s3Admin)
	ctx := context.Background()
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("hot"), Body: strings.NewReader("first")}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for i := range 150 {
			if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("hot"),
				Body: strings.NewReader("version " + strconv.Itoa(i))}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("hot")})
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(out.Body)
				out.Body.Close()
				sum := md5.Sum(b)
				if want := `"` + hex.EncodeToString(sum[:]) + `"`; aws.ToString(out.ETag) != want {
					t.Errorf("GET answered body %q with ETag %s, the ETag of another version", b, aws.ToString(out.ETag))
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestConditionalCopyObject: CopyObject's If-None-Match and If-Match
// apply to the destination as PutObject's do; copies racing onto one new
// key have one winner.
func TestConditionalCopyObject(t *testing.T) {
	s := startEmulator(t, s3WorldYAML)
	cl := s.s3(t, s3Admin)
	ctx := context.Background()
	copyTo := func(key string, in *s3.CopyObjectInput) error {
		in.Bucket, in.Key, in.CopySource = aws.String("data"), aws.String(key), aws.String("data/hello.txt")
		_, err := cl.CopyObject(ctx, in)
		return err
	}
	err := copyTo("hello.txt", &s3.CopyObjectInput{IfNoneMatch: aws.String("*"), MetadataDirective: types.MetadataDirectiveReplace})
	wantSvcErr(t, err, "PreconditionFailed", http.StatusPreconditionFailed, "pre-conditions")
	err = copyTo("hello.txt", &s3.CopyObjectInput{IfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`), MetadataDirective: types.MetadataDirectiveReplace})
	wantSvcErr(t, err, "PreconditionFailed", http.StatusPreconditionFailed, "pre-conditions")
	err = copyTo("absent", &s3.CopyObjectInput{IfMatch: aws.String(`"b1946ac92492d2347c6235b4d2611184"`)})
	wantSvcErr(t, err, "NoSuchKey", http.StatusNotFound, "")
	if err := copyTo("hello.txt", &s3.CopyObjectInput{IfMatch: aws.String(`"b1946ac92492d2347c6235b4d2611184"`),
		MetadataDirective: types.MetadataDirectiveReplace}); err != nil {
		t.Errorf("CopyObject If-Match the destination's ETag: %v", err)
	}

	const copiers = 8
	errs := make([]error, copiers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range copiers {
		wg.Go(func() {
			<-start
			errs[i] = copyTo("copy-lock", &s3.CopyObjectInput{IfNoneMatch: aws.String("*")})
		})
	}
	close(start)
	wg.Wait()
	winners := 0
	for _, err := range errs {
		switch {
		case err == nil:
			winners++
		case !lostConditionalWrite(t, err):
			t.Errorf("a losing copy: %v", err)
		}
	}
	if winners != 1 {
		t.Errorf("%d copies created copy-lock, want 1", winners)
	}
}

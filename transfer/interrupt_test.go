package transfer_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstep-dev/lockstep/transfer"
)

// cancelOnCreate is Ctrl-C pressed while a job's CreateMultipartUpload is
// on its way: the request reaches S3, which creates the upload, and the
// job is cancelled before the answer (the upload ID) arrives. As an HTTP
// transport does, the request then fails when its own context was
// cancelled: the upload ID is lost unless the request was sent on a
// context that Ctrl-C does not cancel.
type cancelOnCreate struct {
	next   s3.HTTPClient
	cancel context.CancelFunc
}

func (c cancelOnCreate) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(r)
	if err != nil || r.Method != http.MethodPost || !r.URL.Query().Has("uploads") {
		return resp, err
	}
	c.cancel()
	if err := r.Context().Err(); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// TestCancelDuringCreateMultipart: the multipart upload of a job's object
// (an upload, a server-side copy, a streamed copy) whose creation Ctrl-C
// interrupts is known all the same and aborted: no incomplete upload is
// left (docs/sync.md "How objects are transferred").
func TestCancelDuringCreateMultipart(t *testing.T) {
	data := pattern(6<<20, 3)
	for _, tt := range []struct {
		name string
		// src is empty for a local directory; seeder writes an S3 one.
		world, src, dst, dstBucket string
		// writer runs the job, lister lists the destination's uploads.
		writer, lister, seeder string
		// reader is the source's principal, with two credential sets.
		reader string
	}{
		{name: "upload", world: testWorld, dst: "s3://dst/up", dstBucket: "dst", writer: syncer, lister: syncer},
		{name: "server-side copy", world: testWorld, src: "s3://src/big", dst: "s3://dst/copy", dstBucket: "dst", writer: syncer, lister: syncer, seeder: syncer},
		{name: "streamed copy", world: seed001TwoSets, src: "s3://seed1-src/big", dst: "s3://seed1-dst/copy", dstBucket: "seed1-dst", writer: dstWriter, lister: dstWriter, seeder: seeder, reader: srcReader},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := startEnv(t, tt.world)
			src := tt.src
			if src == "" {
				src = t.TempDir()
				writeTree(t, src, map[string]string{"big": string(data)})
			} else {
				l := loc(t, src)
				put(t, e.client(t, tt.seeder), l.Bucket, map[string][]byte{l.Key + "/big": data})
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opts := multipart
			if tt.reader != "" {
				opts.SourceClient = e.client(t, tt.reader)
			}
			c := e.client(t, tt.writer, func(o *s3.Options) { o.HTTPClient = cancelOnCreate{next: o.HTTPClient, cancel: cancel} })
			e.calls(t)
			sum, err := transfer.Sync(ctx, c, loc(t, src), loc(t, tt.dst), opts)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Sync = %+v, %v; want the cancellation", sum, err)
			}
			calls := e.calls(t)
			if !slices.Contains(calls, "CreateMultipartUpload") || !slices.Contains(calls, "AbortMultipartUpload") {
				t.Errorf("calls %q: want the upload created and aborted", calls)
			}
			for _, op := range []string{"UploadPart", "UploadPartCopy", "CompleteMultipartUpload"} {
				if slices.Contains(calls, op) {
					t.Errorf("calls %q: %s after the cancellation", calls, op)
				}
			}
			if n := multipartUploads(t, e.client(t, tt.lister), tt.dstBucket); n != 0 {
				t.Errorf("%d multipart uploads left after the cancel", n)
			}
		})
	}
}

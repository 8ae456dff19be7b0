package s3ops

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

// Every S3 row's HTTP column is a route, no two rows have the same route
// (the router could not tell them apart), and a request of exactly a
// row's shape is routed to that row.
func TestRoutesOfTheCatalogue(t *testing.T) {
	seen := map[string]string{}
	for _, op := range Operations() {
		rt, ok := RouteOf(op)
		if op.Service != "s3" {
			if ok {
				t.Errorf("%s (%s) has an S3 route", op.Name, op.Service)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: no route", op.Name)
			continue
		}
		sig := routeSignature(rt)
		if other, dup := seen[sig]; dup {
			t.Errorf("%s and %s have the same route %s", op.Name, other, op.HTTP)
		}
		seen[sig] = op.Name
		q, h := url.Values{}, http.Header{}
		for _, p := range rt.Query {
			q.Set(p.Name, p.Value)
		}
		if rt.Header != "" {
			h.Set(rt.Header, "src/key")
		}
		got, _, ok := RouteS3(rt.Method, rt.Level, q, h)
		if !ok || got != op {
			name := "nothing"
			if ok {
				name = got.Name
			}
			t.Errorf("a request of %s's shape %q is routed to %s", op.Name, op.HTTP, name)
		}
	}
}

func routeSignature(rt Route) string {
	s := rt.Method + " " + [...]string{"service", "bucket", "object"}[rt.Level]
	for _, p := range rt.Query {
		s += " ?" + p.Name + "=" + p.Value
	}
	return s + " +" + rt.Header
}

// Requests with more than their row's shape (list parameters, a
// versionId, a part number) go to the row whose route requires most.
func TestRouteS3(t *testing.T) {
	tests := []struct {
		method string
		level  Level
		query  string
		header string
		want   string
	}{
		{"GET", ServiceLevel, "", "", "ListBuckets"},
		{"GET", BucketLevel, "prefix=a/&delimiter=/", "", "ListObjects"},
		{"GET", BucketLevel, "list-type=2&prefix=a/", "", "ListObjectsV2"},
		{"GET", BucketLevel, "list-type=1", "", "ListObjects"},
		{"GET", BucketLevel, "uploads&prefix=a", "", "ListMultipartUploads"},
		{"PUT", BucketLevel, "", "", "CreateBucket"},
		{"PUT", BucketLevel, "policy", "", "PutBucketPolicy"},
		{"POST", BucketLevel, "delete", "", "DeleteObjects"},
		{"GET", ObjectLevel, "versionId=3&partNumber=1", "", "GetObject"},
		{"GET", ObjectLevel, "uploadId=u", "", "ListParts"},
		{"PUT", ObjectLevel, "", "", "PutObject"},
		{"PUT", ObjectLevel, "", "x-amz-copy-source", "CopyObject"},
		{"PUT", ObjectLevel, "partNumber=1&uploadId=u", "", "UploadPart"},
		{"PUT", ObjectLevel, "partNumber=1&uploadId=u", "x-amz-copy-source", "UploadPartCopy"},
		{"POST", ObjectLevel, "uploads", "", "CreateMultipartUpload"},
		{"POST", ObjectLevel, "uploadId=u", "", "CompleteMultipartUpload"},
		{"DELETE", ObjectLevel, "uploadId=u", "", "AbortMultipartUpload"},
		{"DELETE", ObjectLevel, "versionId=3", "", "DeleteObject"},
		{"HEAD", ObjectLevel, "", "", "HeadObject"},
		{"POST", ObjectLevel, "", "", ""},
		{"PATCH", BucketLevel, "", "", ""},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		if tt.header != "" {
			h.Set(tt.header, "src/key")
		}
		op, _, ok := RouteS3(tt.method, tt.level, q, h)
		got := ""
		if ok {
			got = op.Name
		}
		if got != tt.want {
			t.Errorf("%s level %d ?%s %s: routed to %q, want %q", tt.method, tt.level, tt.query, tt.header, got, tt.want)
		}
	}
}

func TestParseRoute(t *testing.T) {
	rt, err := parseRoute("PUT /{Bucket}/{Key}?partNumber&uploadId + x-amz-copy-source")
	want := Route{Method: "PUT", Level: ObjectLevel, Query: []QueryParam{{"partNumber", ""}, {"uploadId", ""}}, Header: "x-amz-copy-source"}
	if err != nil || !reflect.DeepEqual(rt, want) {
		t.Errorf("got %+v, %v; want %+v", rt, err, want)
	}
	for _, bad := range []string{"GET", "GET bucket", "GET /{Bucket}/{Key}/x", "GET /{Bucket}?&a"} {
		if _, err := parseRoute(bad); err == nil {
			t.Errorf("parseRoute(%q) accepted it", bad)
		}
	}
}

package emulator_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// versionRun runs the steps of one versioning case against a bucket,
// naming the version IDs the answers give so that later steps use them.
type versionRun struct {
	t    *testing.T
	ctx  context.Context
	c    *s3.Client
	vars map[string]string // name -> version ID
}

// vid returns the version ID a step names: a name bound earlier, "null",
// "unknown" (well-formed, names no version) or "bad" (malformed).
func (r *versionRun) vid(name string) *string {
	switch name {
	case "":
		return nil
	case "null":
		return aws.String("null")
	case "unknown":
		return aws.String(strings.Repeat("0", 32))
	case "bad":
		return aws.String("not-a-version")
	}
	v, ok := r.vars[name]
	if !ok {
		r.t.Fatalf("version %q is not bound", name)
	}
	return aws.String(v)
}

// name returns the name a version ID is bound to.
func (r *versionRun) name(vid string) (string, bool) {
	for n, v := range r.vars {
		if v == vid {
			return n, true
		}
	}
	return "", false
}

// bind records a version ID an answer gave under name ("-": the answer
// must give none; "null": it must be "null").
func (r *versionRun) bind(step, name string, got *string) {
	r.t.Helper()
	switch {
	case name == "-" && got != nil:
		r.t.Errorf("%s: version ID %q, want none", step, *got)
	case name == "-":
	case got == nil:
		r.t.Errorf("%s: no version ID, want one", step)
	case name == "null" && *got != "null":
		r.t.Errorf("%s: version ID %q, want null", step, *got)
	case name != "null":
		if *got == "null" || *got == "" {
			r.t.Errorf("%s: version ID %q, want a new one", step, *got)
		}
		r.vars[name] = *got
	}
}

// outcome renders an error as its code (for HEAD, whose answers have no
// body, the SDK's name of the status), or "ok".
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	return code(err)
}

// keyAt splits "key@version".
func keyAt(s string) (string, string) {
	k, v, _ := strings.Cut(s, "@")
	return k, v
}

// step runs one step: "VERB ARGS [-> NAME | = WANT]".
func (r *versionRun) step(step string) {
	r.t.Helper()
	ctx, c, b := r.ctx, r.c, aws.String("vers")
	lhs, want, _ := strings.Cut(step, " = ")
	lhs, bindTo, _ := strings.Cut(lhs, " -> ")
	f := strings.Fields(lhs)
	check := func(got string) {
		r.t.Helper()
		if got != want {
			r.t.Errorf("%s: got %s", step, got)
		}
	}
	switch f[0] {
	case "versioning":
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatus(f[1])}})
		if err != nil {
			r.t.Fatalf("%s: %v", step, err)
		}
	case "put":
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(f[1]), Body: strings.NewReader(f[2])})
		if err != nil {
			r.t.Fatalf("%s: %v", step, err)
		}
		r.bind(step, bindTo, out.VersionId)
	case "get":
		k, v := keyAt(f[1])
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String(k), VersionId: r.vid(v)})
		if err != nil {
			check(outcome(err) + deleteMarkerFlag(err))
			return
		}
		body, _ := io.ReadAll(out.Body)
		out.Body.Close()
		check(string(body))
	case "head":
		k, v := keyAt(f[1])
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String(k), VersionId: r.vid(v)})
		check(outcome(err) + deleteMarkerFlag(err))
	case "headvid": // the x-amz-version-id HEAD answers ("-": none)
		k, v := keyAt(f[1])
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String(k), VersionId: r.vid(v)})
		if err != nil {
			r.t.Fatalf("%s: %v", step, err)
		}
		got := aws.ToString(out.VersionId)
		if n, ok := r.name(got); ok {
			got = n
		}
		if got == "" {
			got = "-"
		}
		check(got)
	case "delete":
		k, v := keyAt(f[1])
		out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String(k), VersionId: r.vid(v)})
		if want != "" {
			check(outcome(err))
			return
		}
		if err != nil {
			r.t.Fatalf("%s: %v", step, err)
		}
		marker := aws.ToBool(out.DeleteMarker)
		if wantMarker := strings.HasSuffix(bindTo, " marker"); marker != wantMarker {
			r.t.Errorf("%s: delete marker %v", step, marker)
		}
		r.bind(step, strings.TrimSuffix(bindTo, " marker"), out.VersionId)
	case "copy":
		k, v := keyAt(f[1])
		src := "vers/" + k
		if v != "" {
			src += "?versionId=" + *r.vid(v)
		}
		out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String(f[2]), CopySource: aws.String(src)})
		if want != "" {
			check(outcome(err))
			return
		}
		if err != nil {
			r.t.Fatalf("%s: %v", step, err)
		}
		r.bind(step, bindTo, out.VersionId)
		if v != "" && aws.ToString(out.CopySourceVersionId) != *r.vid(v) {
			r.t.Errorf("%s: copy source version %q", step, aws.ToString(out.CopySourceVersionId))
		}
	case "tag":
		k, v := keyAt(f[1])
		name, value, _ := strings.Cut(f[2], "=")
		_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String(k), VersionId: r.vid(v),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String(name), Value: aws.String(value)}}}})
		check(outcome(err))
	case "tags":
		k, v := keyAt(f[1])
		out, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String(k), VersionId: r.vid(v)})
		if err != nil {
			check(outcome(err))
			return
		}
		var tags []string
		for _, tg := range out.TagSet {
			tags = append(tags, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		check(strings.Join(tags, ","))
	case "versions":
		check(r.listVersions(f[1:]))
	case "objects":
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
		if err != nil {
			r.t.Fatalf("%s: %v", step, err)
		}
		var keys []string
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		check(strings.Join(keys, " "))
	case "deletebucket":
		_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
		check(outcome(err))
	default:
		r.t.Fatalf("unknown step %q", step)
	}
}

// deleteMarkerFlag is " marker" when an error answer says the version is
// a delete marker.
func deleteMarkerFlag(err error) string {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response.Header.Get("X-Amz-Delete-Marker") == "true" {
		return " marker"
	}
	return ""
}

// listVersions renders ListObjectVersions, paged by the max-keys given
// (if any), as "key@name" entries, * for the latest, M for a marker.
func (r *versionRun) listVersions(args []string) string {
	r.t.Helper()
	names := map[string]string{"null": "null"}
	for n, v := range r.vars {
		names[v] = n
	}
	in := &s3.ListObjectVersionsInput{Bucket: aws.String("vers")}
	if len(args) > 0 {
		in.MaxKeys = aws.Int32(int32(len(args[0]))) // "xx": pages of two
	}
	type entry struct {
		key, vid string
		latest   bool
		marker   bool
		at       int
	}
	var all []entry
	for page := 0; ; page++ {
		out, err := r.c.ListObjectVersions(r.ctx, in)
		if err != nil {
			r.t.Fatalf("ListObjectVersions: %v", err)
		}
		// Versions and markers come in one order on the wire; the SDK
		// splits them: merge them back by key and version order.
		var es []entry
		for _, v := range out.Versions {
			es = append(es, entry{aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToBool(v.IsLatest), false, 0})
		}
		for _, m := range out.DeleteMarkers {
			es = append(es, entry{aws.ToString(m.Key), aws.ToString(m.VersionId), aws.ToBool(m.IsLatest), true, 0})
		}
		all = append(all, es...)
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
	// Sort as S3 lists: by key, then newest first (IDs sort newest
	// first; null is placed by its name's binding order in the case).
	var parts []string
	for _, e := range sortVersions(all, func(e entry) (string, string) { return e.key, e.vid }) {
		s := e.key + "@" + names[e.vid]
		if e.latest {
			s += "*"
		}
		if e.marker {
			s += "M"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// sortVersions orders entries by key, then version ID, with "null" after
// the IDs of its key (the cases write the null version first).
func sortVersions[E any](es []E, id func(E) (string, string)) []E {
	less := func(a, b E) bool {
		ka, va := id(a)
		kb, vb := id(b)
		if ka != kb {
			return ka < kb
		}
		if va == "null" || vb == "null" {
			return vb == "null" && va != "null"
		}
		return va < vb
	}
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && less(es[j], es[j-1]); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
	return es
}

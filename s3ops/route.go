package s3ops

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Level is the part of the S3 namespace a REST request addresses.
type Level uint8

const (
	// ServiceLevel is "/": no bucket.
	ServiceLevel Level = iota
	// BucketLevel is "/{Bucket}".
	BucketLevel
	// ObjectLevel is "/{Bucket}/{Key}".
	ObjectLevel
)

// QueryParam is a query parameter a route requires; an empty Value
// accepts any value ("?uploadId"), else the value must be equal
// ("?list-type=2").
type QueryParam struct {
	Name, Value string
}

// Route is the request shape of an S3 operation, parsed from the HTTP
// column of its catalogue row: "PUT /{Bucket}/{Key}?partNumber&uploadId +
// x-amz-copy-source" is a PUT on an object with the partNumber and
// uploadId query parameters and the x-amz-copy-source header.
type Route struct {
	Method string
	Level  Level
	Query  []QueryParam
	// Header is a request header the route requires, "" for none.
	Header string
}

// matches reports whether a request has the route's method, level,
// query parameters and header.
func (rt *Route) matches(method string, level Level, q url.Values, h http.Header) bool {
	if rt.Method != method || rt.Level != level {
		return false
	}
	for _, p := range rt.Query {
		v, ok := q[p.Name]
		if !ok || (p.Value != "" && (len(v) == 0 || v[0] != p.Value)) {
			return false
		}
	}
	return rt.Header == "" || h.Get(rt.Header) != ""
}

// specificity is how many request parts the route requires beyond its
// method and level: the route that requires most wins (UploadPartCopy
// over UploadPart over PutObject).
func (rt *Route) specificity() int {
	n := len(rt.Query)
	if rt.Header != "" {
		n++
	}
	return n
}

// Names reports whether the route requires the query parameter name.
func (rt *Route) Names(name string) bool {
	for _, p := range rt.Query {
		if p.Name == name {
			return true
		}
	}
	return false
}

// parseRoute reads the HTTP column of an S3 row.
func parseRoute(s string) (Route, error) {
	shape, header, _ := strings.Cut(s, " + ")
	method, target, ok := strings.Cut(shape, " ")
	if !ok || method == "" || !strings.HasPrefix(target, "/") {
		return Route{}, fmt.Errorf("HTTP %q: want \"METHOD /path[?query]\"", s)
	}
	rt := Route{Method: method, Header: strings.TrimSpace(header)}
	path, query, _ := strings.Cut(target, "?")
	switch path {
	case "/":
		rt.Level = ServiceLevel
	case "/{Bucket}":
		rt.Level = BucketLevel
	case "/{Bucket}/{Key}":
		rt.Level = ObjectLevel
	default:
		return Route{}, fmt.Errorf("HTTP %q: the path is not /, /{Bucket} nor /{Bucket}/{Key}", s)
	}
	if query != "" {
		for _, p := range strings.Split(query, "&") {
			name, value, _ := strings.Cut(p, "=")
			if name == "" {
				return Route{}, fmt.Errorf("HTTP %q: empty query parameter", s)
			}
			rt.Query = append(rt.Query, QueryParam{Name: name, Value: value})
		}
	}
	return rt, nil
}

// routedOperation is an S3 row with its parsed route.
type routedOperation struct {
	op *Operation
	rt Route
}

// routes are the parsed routes of the S3 rows, in catalogue order.
var routes = func() []routedOperation {
	var out []routedOperation
	for i := range catalogue {
		op := &catalogue[i]
		if op.Service != "s3" {
			continue
		}
		rt, err := parseRoute(op.HTTP)
		if err != nil {
			panic("s3ops: catalogue row " + op.Name + ": " + err.Error())
		}
		out = append(out, routedOperation{op, rt})
	}
	return out
}()

// RouteOf returns the route of an S3 operation; false for an operation
// of another service.
func RouteOf(op *Operation) (Route, bool) {
	for _, r := range routes {
		if r.op == op {
			return r.rt, true
		}
	}
	return Route{}, false
}

// RouteS3 returns the S3 operation a REST request is, from its method,
// the level it addresses, its query parameters and its headers: the row
// whose route matches and requires most, the first in catalogue order on
// a tie. The catalogue is the route table, so what is routed and what is
// authorized cannot drift apart. ok is false when no row matches.
func RouteS3(method string, level Level, q url.Values, h http.Header) (op *Operation, rt Route, ok bool) {
	best := -1
	for _, r := range routes {
		if !r.rt.matches(method, level, q, h) {
			continue
		}
		if s := r.rt.specificity(); s > best {
			op, rt, ok, best = r.op, r.rt, true, s
		}
	}
	return op, rt, ok
}

// Subresources are the query parameters that name an S3 sub-resource
// (a configuration of a bucket or an object, or a multipart or batch
// request) rather than qualify a request: a request with one that its
// route does not name is an operation the catalogue does not hold (S3
// API reference, the operations of the Amazon S3 actions list).
var Subresources = []string{
	"accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering",
	"inventory", "legal-hold", "lifecycle", "location", "logging", "metadataConfiguration", "metrics",
	"notification", "object-lock", "ownershipControls", "policy", "policyStatus", "publicAccessBlock",
	"replication", "requestPayment", "restore", "retention", "select", "tagging", "torrent", "uploads",
	"versioning", "versions", "website",
}

package transfer

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Location is one side of a transfer: a local path, or an S3 bucket and
// key prefix.
type Location struct {
	// Local is the local path; empty for an S3 location.
	Local string
	// Bucket and Key locate an S3 object or prefix (s3://Bucket/Key).
	Bucket, Key string
}

// ParseLocation reads a command-line argument: s3://bucket[/key] or a local
// path.
func ParseLocation(arg string) (Location, error) {
	rest, ok := strings.CutPrefix(arg, "s3://")
	if !ok {
		if strings.HasPrefix(strings.ToLower(arg), "s3://") {
			return Location{}, fmt.Errorf("%q: write the scheme in lower case, s3://", arg)
		}
		if arg == "" {
			return Location{}, fmt.Errorf("empty path: give a local path or s3://bucket[/prefix]")
		}
		return Location{Local: arg}, nil
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("%q names no bucket: write s3://bucket[/prefix]", arg)
	}
	return Location{Bucket: bucket, Key: key}, nil
}

// IsS3 reports whether the location is in S3.
func (l Location) IsS3() bool { return l.Local == "" }

// String is the location as the user writes it.
func (l Location) String() string {
	if l.IsS3() {
		return "s3://" + l.Bucket + "/" + l.Key
	}
	return l.Local
}

// dirPrefix is the key prefix of an S3 location taken as a directory: the
// key with a trailing slash, as `aws s3 sync s3://b/photos` lists
// "photos/" and not "photos-old/".
func (l Location) dirPrefix() string {
	if l.Key == "" || strings.HasSuffix(l.Key, "/") {
		return l.Key
	}
	return l.Key + "/"
}

// join is the location of the object rel below l taken as a directory.
func (l Location) join(rel string) Location {
	if l.IsS3() {
		return Location{Bucket: l.Bucket, Key: l.dirPrefix() + rel}
	}
	return Location{Local: filepath.Join(l.Local, filepath.FromSlash(rel))}
}

// display is how output lines name the object rel below l: the path as
// the user wrote it joined with the key, as the AWS CLI prints it.
func (l Location) display(rel string) string {
	if l.IsS3() {
		return "s3://" + l.Bucket + "/" + l.dirPrefix() + rel
	}
	base := l.Local
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return base + rel
}

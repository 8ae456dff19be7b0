package store

import (
	"errors"
	"strconv"
)

// Sentinel errors. The errors of the Store's methods wrap them in an
// *Error (and sometimes a message with details); test for them with
// errors.Is.
var (
	// ErrNoSuchBucket: the bucket does not exist.
	ErrNoSuchBucket = errors.New("no such bucket")
	// ErrBucketExists: CreateBucket of a name that is taken.
	ErrBucketExists = errors.New("bucket already exists")
	// ErrBucketNotEmpty: DeleteBucket of a bucket that holds objects or
	// multipart uploads.
	ErrBucketNotEmpty = errors.New("bucket not empty")
	// ErrInvalidBucketName: a bucket name that is empty, longer than 255
	// bytes, "." or "..", or holds a byte other than ASCII letters, digits,
	// '.', '-' and '_'. (S3's own, stricter naming rules are the caller's.)
	ErrInvalidBucketName = errors.New("invalid bucket name")
	// ErrNoSuchKey: the object does not exist.
	ErrNoSuchKey = errors.New("no such key")
	// ErrInvalidKey: an object key that is empty, longer than 1024 bytes or
	// not valid UTF-8.
	ErrInvalidKey = errors.New("invalid object key")
	// ErrNoSuchUpload: the multipart upload does not exist (never did, was
	// aborted or completed, or belongs to another key).
	ErrNoSuchUpload = errors.New("no such upload")
	// ErrInvalidPart: Complete names a part that was not uploaded, or whose
	// ETag does not match, or names no part at all.
	ErrInvalidPart = errors.New("invalid part")
	// ErrInvalidPartOrder: Complete's part numbers are not strictly
	// ascending.
	ErrInvalidPartOrder = errors.New("invalid part order")
	// ErrInvalidPartNumber: a part number outside 1..10000.
	ErrInvalidPartNumber = errors.New("invalid part number")
	// ErrEntityTooSmall: a part other than the last is smaller than
	// Options.MinPartSize.
	ErrEntityTooSmall = errors.New("entity too small")
	// ErrWrongKey: the Cipher does not fit the stored data: a key that is
	// not the one the data was encrypted with, no key for encrypted data,
	// or a key for data stored in the clear. The wrapping message says
	// which.
	ErrWrongKey = errors.New("wrong encryption key")
	// ErrPreconditionFailed: a conditional write's Precondition did not
	// hold for the object it would have replaced.
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrClosed: the Store was closed.
	ErrClosed = errors.New("store closed")
)

// Error is the error every method but Open returns: the operation, the
// bucket and key it concerned, and the cause, which may be (or wrap) one of
// the sentinels above or an error of the caller's (a failing body reader,
// an update function's error, the context's error).
type Error struct {
	Op     string // "put", "get", "complete upload", ...
	Bucket string // "" for operations on no bucket
	Key    string // "" for operations on no object
	Err    error
}

func (e *Error) Error() string {
	switch {
	case e.Key != "":
		return "store: " + e.Op + " " + strconv.Quote(e.Bucket+"/"+e.Key) + ": " + e.Err.Error()
	case e.Bucket != "":
		return "store: " + e.Op + " " + strconv.Quote(e.Bucket) + ": " + e.Err.Error()
	}
	return "store: " + e.Op + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// wrap, deferred by a method with a named error result, wraps the error in
// an *Error.
func wrap(err *error, op, bucket, key string) {
	if *err != nil {
		*err = &Error{Op: op, Bucket: bucket, Key: key, Err: *err}
	}
}

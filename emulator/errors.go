package emulator

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/lockstep-dev/lockstep/sigv4"
)

// apiError is an error response as AWS sends it: a code, an HTTP status, a
// message and, for some codes, extra elements (docs/authorization.md §4.1).
type apiError struct {
	Code    string
	Status  int
	Message string
	// Fields are extra elements of the S3 <Error> body, in order.
	Fields []sigv4.Field
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

func (e *apiError) with(name, value string) *apiError {
	e.Fields = append(e.Fields, sigv4.Field{Name: name, Value: value})
	return e
}

// S3 errors with AWS's wire messages (docs/authorization.md §4.1).
func errNoSuchBucket(bucket string) *apiError {
	return errorf(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", bucket)
}

func errNoSuchKey(key string) *apiError {
	return errorf(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").with("Key", key)
}

func errNoSuchUpload(id string) *apiError {
	return errorf(http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").with("UploadId", id)
}

func errInvalidArgument(name, value, format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "InvalidArgument", format, args...).with("ArgumentName", name).with("ArgumentValue", value)
}

// errPreconditionFailed: a conditional header did not hold; condition
// names it (If-Match, If-None-Match, x-amz-copy-source-If-Match, ...).
func errPreconditionFailed(condition string) *apiError {
	return errorf(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold").with("Condition", condition)
}

// errRequestTimeout: the client stopped sending the request body.
func errRequestTimeout() *apiError {
	return errorf(http.StatusBadRequest, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
}

// errInvalidStorageClass: an x-amz-storage-class S3 does not know.
func errInvalidStorageClass() *apiError {
	return errorf(http.StatusBadRequest, "InvalidStorageClass", "The storage class you specified is not valid")
}

// errSlowDown: S3's answer to more requests on a key than it serves.
func errSlowDown() *apiError {
	return errorf(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
}

func errMalformedXML() *apiError {
	return errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

func errNotImplemented(what string) *apiError {
	return errorf(http.StatusNotImplemented, "NotImplemented", "A header or query you provided implies functionality that is not implemented: %s is not supported by the lockstep emulator", what)
}

func errInternal(err error) *apiError {
	return errorf(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again. (%v)", err)
}

// asAPIError converts any error into the response to send.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &apiError{Code: se.Code, Status: se.Status, Message: se.Message, Fields: se.Fields}
	}
	return errInternal(err)
}

// writeS3Error writes the S3 REST error body (docs/authorization.md §4.1). HEAD responses
// carry no body.
func writeS3Error(w http.ResponseWriter, r *http.Request, e *apiError, requestID string) {
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	if e.Status == http.StatusMethodNotAllowed {
		h.Set("Allow", "GET, PUT, POST, DELETE, HEAD")
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	var b []byte
	b = append(b, xml.Header...)
	b = append(b, "<Error><Code>"...)
	b = appendEscaped(b, e.Code)
	b = append(b, "</Code><Message>"...)
	b = appendEscaped(b, e.Message)
	b = append(b, "</Message>"...)
	for _, f := range e.Fields {
		b = append(b, '<')
		b = append(b, f.Name...)
		b = append(b, '>')
		b = appendEscaped(b, f.Value)
		b = append(b, "</"...)
		b = append(b, f.Name...)
		b = append(b, '>')
	}
	b = append(b, "<RequestId>"...)
	b = append(b, requestID...)
	b = append(b, "</RequestId><HostId>"...)
	b = append(b, hostID(requestID)...)
	b = append(b, "</HostId></Error>"...)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	w.Write(b)
}

// appendEscaped appends s as XML text. Control characters other than tab
// and line feed, which XML 1.0 text cannot hold literally, become
// character references (&#x1;, &#xD;, ...), as S3 writes them, so that keys holding them survive a listing
// (docs/emulator.md "Write guarantees and request semantics"); encoding/xml
// would replace them with U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<':
			b = append(b, "&lt;"...)
		case c == '>':
			b = append(b, "&gt;"...)
		case c == '&':
			b = append(b, "&amp;"...)
		case c == '"':
			b = append(b, "&quot;"...)
		case c == '\'':
			b = append(b, "&apos;"...)
		case c < 0x20 && c != '\t' && c != '\n':
			// Tab and line feed are XML text as they are; a carriage
			// return would be read back as a line feed.
			b = append(b, "&#x"...)
			if c >= 0x10 {
				b = append(b, hex[c>>4])
			}
			b = append(b, hex[c&0xF], ';')
		default:
			b = append(b, c)
		}
	}
	return b
}

// xmlText is text that encoding/xml writes as it is, escaped by
// appendEscaped: for S3 keys and prefixes, which may hold control
// characters.
type xmlText struct {
	Inner string `xml:",innerxml"`
}

func newXMLText(s string) xmlText { return xmlText{Inner: string(appendEscaped(nil, s))} }

// optionalXMLText is newXMLText for an element left out when s is empty.
func optionalXMLText(s string) *xmlText {
	if s == "" {
		return nil
	}
	t := newXMLText(s)
	return &t
}

// errEntityTooLarge is S3's answer to a body over its limit: 5 GiB for a
// PutObject or a part (docs/emulator.md).
func errEntityTooLarge(limit int64) *apiError {
	return errorf(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size").with("MaxSizeAllowed", strconv.FormatInt(limit, 10))
}

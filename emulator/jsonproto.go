package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// The AWS JSON 1.1 protocol of KMS and Organizations: a POST whose
// X-Amz-Target header names the operation, with a JSON body, answered
// with JSON; an error is {"__type": code, "message": text}
// (writeJSONError).

// readJSONBody reads the body of a JSON-protocol request (KMS,
// Organizations), at most maxKMSBody bytes.
func readJSONBody(c *call) ([]byte, error) {
	if c.r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(c.r.Body, maxKMSBody+1))
	if err != nil {
		return nil, asAPIError(err)
	}
	if len(b) > maxKMSBody {
		return nil, errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than %d bytes", maxKMSBody)
	}
	return b, nil
}

// decodeKMS reads a JSON request body (KMS, Organizations); an empty
// body is {}.
func decodeKMS(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	err := json.Unmarshal(body, v)
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		// Name the member, not the Go type it was to fill.
		return errorf(http.StatusBadRequest, "SerializationException", "The request body is not valid: member %s cannot be a JSON %s", te.Field, te.Value)
	case err != nil:
		return errorf(http.StatusBadRequest, "SerializationException", "The request body is not valid JSON: %v", err)
	}
	return nil
}

// writeKMSResponse writes a JSON 1.1 response (KMS, Organizations); nil
// writes an empty body, as KMS does for operations without output.
func writeKMSResponse(w http.ResponseWriter, c *call, v any) error {
	var b []byte
	if v != nil {
		var err error
		if b, err = json.Marshal(v); err != nil {
			return errInternal(err)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	return nil
}

// jsonOperation starts serving a request of a JSON-protocol service
// (KMS, Organizations): the request ID header the SDKs read, the
// operation named by X-Amz-Target after prefix, which has must know, a
// POST, and the body. On a bad request it has answered and ok is false.
func (s *Server) jsonOperation(w http.ResponseWriter, c *call, prefix, service string, has func(op string) bool) (body []byte, ok bool) {
	// The AWS SDKs read the request ID of query and JSON responses,
	// errors included, from x-amzn-RequestId.
	w.Header().Set("X-Amzn-Requestid", c.id)
	op, found := strings.CutPrefix(c.r.Header.Get("X-Amz-Target"), prefix)
	c.operation = op
	if !found || op == "" {
		c.operation = "Unknown"
	}
	c.resourceAccount = c.principal.Account
	if !found || !has(op) {
		s.fail(w, c, errorf(http.StatusBadRequest, "UnknownOperationException", "The operation %q (X-Amz-Target %q) is not one the lockstep emulator serves", op, c.r.Header.Get("X-Amz-Target")))
		return nil, false
	}
	if c.r.Method != http.MethodPost {
		s.fail(w, c, errorf(http.StatusBadRequest, "UnknownOperationException", "%s operations are POST requests, not %s", service, c.r.Method))
		return nil, false
	}
	body, err := readJSONBody(c)
	if err != nil {
		s.fail(w, c, err)
		return nil, false
	}
	return body, true
}

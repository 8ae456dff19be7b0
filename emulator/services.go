package emulator

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
)

// queryNamespaces are the XML namespaces of the query-protocol services.
var queryNamespaces = map[string]string{
	"sts": "https://sts.amazonaws.com/doc/2011-06-15/",
	"iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}

// writeQueryError writes an error of the AWS query protocol (STS, IAM) in
// the service's namespace.
func writeQueryError(w http.ResponseWriter, service string, e *apiError, requestID string) {
	type errorXML struct {
		Type    string
		Code    string
		Message string
	}
	type response struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		NS        string   `xml:"xmlns,attr"`
		Error     errorXML
		RequestID string `xml:"RequestId"`
	}
	typ := "Sender"
	if e.Status >= 500 {
		typ = "Receiver"
	}
	b, _ := xml.Marshal(response{NS: queryNamespaces[service], Error: errorXML{Type: typ, Code: e.Code, Message: e.Message}, RequestID: requestID})
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	w.Write(b)
}

// writeJSONError writes an error of the AWS JSON protocol (KMS).
func writeJSONError(w http.ResponseWriter, e *apiError) {
	b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	w.Write(b)
}

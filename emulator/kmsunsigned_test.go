package emulator_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// kmsOpenWorldYAML has a key whose policy allows everyone to encrypt and
// decrypt: an unsigned request that reached the key policy would pass.
const kmsOpenWorldYAML = `
region: us-east-1
accounts:
  - id: "111111111111"
    users:
      - name: admin
        access_keys: [{id: AKIAKMSOPENADMIN0001, secret: admin-secret}]
        policies:
          all: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    keys:
      - id: 44444444-4444-4444-8444-444444444444
        policy:
          Version: "2012-10-17"
          Statement:
            - {Sid: Root, Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "kms:*", Resource: "*"}
            - {Sid: Everyone, Effect: Allow, Principal: "*", Action: [kms:Encrypt, kms:Decrypt], Resource: "*"}
`

// TestKMSUnsignedRequest: KMS requests are always signed. An unsigned
// POST with KMS's X-Amz-Target never reaches the key policy, even one
// that allows "*": KMS answers MissingAuthenticationTokenException
// (docs/emulator.md, docs/decisions.md).
func TestKMSUnsignedRequest(t *testing.T) {
	audit := &svcAudit{}
	s := startEmulator(t, kmsOpenWorldYAML, withAudit(audit))
	admin := aws.Credentials{AccessKeyID: "AKIAKMSOPENADMIN0001", SecretAccessKey: "admin-secret"}
	blob := s.encrypt(t, admin, "44444444-4444-4444-8444-444444444444", "secret", nil)

	body, _ := json.Marshal(map[string]string{"CiphertextBlob": base64.StdEncoding.EncodeToString(blob)})
	req, err := http.NewRequest(http.MethodPost, s.Endpoint()+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService.Decrypt")
	resp, err := (&http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(got, &e); err != nil {
		t.Fatalf("body %s: %v", got, err)
	}
	if resp.StatusCode != http.StatusBadRequest || e.Type != "MissingAuthenticationTokenException" || e.Message != "Request is missing Authentication Token" {
		t.Errorf("unsigned Decrypt = HTTP %d %s", resp.StatusCode, got)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type = %q, want application/x-amz-json-1.1", ct)
	}
	if resp.Header.Get("X-Amzn-Requestid") == "" {
		t.Error("no x-amzn-RequestId header")
	}
	if strings.Contains(string(got), "Plaintext") {
		t.Errorf("unsigned Decrypt returned the plaintext: %s", got)
	}

	// The audit log records a KMS Decrypt that failed before
	// authorization, by an anonymous caller.
	recs := audit.wait(t, 2)
	rec := recs[1]
	if rec["eventSource"] != "kms.amazonaws.com" || rec["eventName"] != "Decrypt" || rec["errorCode"] != "MissingAuthenticationTokenException" {
		t.Errorf("audit record = %v", rec)
	}
}

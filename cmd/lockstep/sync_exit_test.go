package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestSyncExitCodesJSON: each exit status of docs/sync.md "Output and
// exit codes" with --output json, and the records that go with it: 0 and
// a record per object; 1 when objects failed, each failure a record
// naming its error, code and permission; 2 when the preflight failed,
// nothing transferred and the summary naming the error; 2 for usage,
// before any record.
func TestSyncExitCodesJSON(t *testing.T) {
	srv := startSyncServer(t)
	dir := siteDir(t)
	ep := "--endpoint-url=" + srv.URL
	type record map[string]any
	tests := []struct {
		name     string
		args     []string
		reader   bool
		wantCode int
		// check looks at the object records and the summary (nil when
		// nothing was printed).
		check func(t *testing.T, objects []record, summary record)
	}{
		{"done", []string{"sync", dir, "s3://site/exit", ep}, false, 0, func(t *testing.T, objects []record, summary record) {
			if len(objects) != 3 || summary["copied"] != 3.0 || summary["failed"] != 0.0 {
				t.Errorf("records %v, summary %v: want 3 copied", objects, summary)
			}
		}},
		{"some objects failed", []string{"sync", dir, "s3://site/exit-denied", "--no-preflight", ep}, true, 1, func(t *testing.T, objects []record, summary record) {
			for _, r := range objects {
				if r["errorCode"] != "AccessDenied" || !strings.HasPrefix(fmt.Sprint(r["permission"]), "s3:PutObject on arn:aws:s3:::site/exit-denied/") || !strings.Contains(fmt.Sprint(r["error"]), "when calling the PutObject operation") {
					t.Errorf("failure record %v", r)
				}
			}
			if len(objects) != 3 || summary["failed"] != 3.0 || summary["copied"] != 0.0 {
				t.Errorf("records %v, summary %v: want 3 failed", objects, summary)
			}
		}},
		{"preflight failed", []string{"sync", dir, "s3://site/exit-preflight", ep}, true, 2, func(t *testing.T, objects []record, summary record) {
			if len(objects) != 0 || summary == nil || !strings.Contains(fmt.Sprint(summary["error"]), "preflight: ") || summary["copied"] != 0.0 {
				t.Errorf("records %v, summary %v: want no object and the preflight's error", objects, summary)
			}
		}},
		{"usage", []string{"sync", dir, "s3://site/exit", "--size-only", "--checksum", ep}, false, 2, func(t *testing.T, objects []record, summary record) {
			if len(objects) != 0 || summary != nil {
				t.Errorf("records %v, summary %v: want nothing printed", objects, summary)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.reader {
				signAs(t, "AKIAREADER0000000001", "reader-secret")
			}
			code, out, errOut := runCLI(t, append(tt.args, "--output", "json")...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.wantCode, out, errOut)
			}
			var objects []record
			var summary record
			sc := bufio.NewScanner(strings.NewReader(out))
			for sc.Scan() {
				var r record
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
				}
				if r["op"] == "summary" {
					summary = r
				} else {
					objects = append(objects, r)
				}
			}
			tt.check(t, objects, summary)
		})
	}
}

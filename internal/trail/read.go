package trail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/internal/inputfiles"
)

// Record is a CloudTrail record: the fields lockstep reads
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
type Record struct {
	EventTime          time.Time      `json:"eventTime"`
	EventSource        string         `json:"eventSource"`
	EventName          string         `json:"eventName"`
	AWSRegion          string         `json:"awsRegion"`
	ErrorCode          string         `json:"errorCode"`
	ErrorMessage       string         `json:"errorMessage"`
	UserIdentity       UserIdentity   `json:"userIdentity"`
	RequestParameters  map[string]any `json:"requestParameters"`
	Resources          []Resource     `json:"resources"`
	RecipientAccountID string         `json:"recipientAccountId"`
	// AdditionalEventData: lockstep serve's audit log names the denied
	// permission of a denied call in deniedAction.
	AdditionalEventData map[string]any `json:"additionalEventData"`
}

// UserIdentity is who made a call.
type UserIdentity struct {
	Type           string `json:"type"`
	ARN            string `json:"arn"`
	AccountID      string `json:"accountId"`
	InvokedBy      string `json:"invokedBy"`
	SessionContext *struct {
		SessionIssuer struct {
			Type string `json:"type"`
			ARN  string `json:"arn"`
		} `json:"sessionIssuer"`
	} `json:"sessionContext"`
}

// Resource is one entry of a record's resources.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
}

// Read reads the records of paths: files, and directories read
// recursively for *.json, *.json.gz and *.jsonl files.
func Read(paths []string) ([]Record, error) {
	names, err := inputfiles.List(paths, func(name string) bool {
		n := strings.ToLower(name)
		return strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".json.gz") || strings.HasSuffix(n, ".jsonl")
	})
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, name := range names {
		recs, err := readFile(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, recs...)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no log files (*.json, *.json.gz, *.jsonl) in %s", strings.Join(paths, ", "))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EventTime.Before(out[j].EventTime) })
	return out, nil
}

func readFile(name string) ([]Record, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	if strings.HasSuffix(strings.ToLower(name), ".gz") {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("not gzip: %v", err)
		}
		defer gz.Close()
		r = gz
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, nil
	}
	var top struct {
		Records []Record `json:"Records"`
		Events  []struct {
			CloudTrailEvent string `json:"CloudTrailEvent"`
		} `json:"Events"`
		EventName string `json:"eventName"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&top); err == nil && (top.Records != nil || top.Events != nil) {
		out := top.Records
		for i, e := range top.Events {
			var rec Record
			if err := json.Unmarshal([]byte(e.CloudTrailEvent), &rec); err != nil {
				return nil, fmt.Errorf("Events[%d].CloudTrailEvent: %v", i, err)
			}
			out = append(out, rec)
		}
		return out, nil
	}
	// JSON lines: one record a line (lockstep serve's audit log).
	var out []Record
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, fmt.Errorf("line %d: neither a CloudTrail log file ({\"Records\": [...]}), nor lookup-events output ({\"Events\": [...]}), nor a record a line: %v", i+1, err)
		}
		if rec.EventName == "" {
			return nil, fmt.Errorf("line %d: a JSON object without eventName is no CloudTrail record", i+1)
		}
		out = append(out, rec)
	}
	return out, nil
}

package auditview

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Event is what a line shows of one CloudTrail record.
type Event struct {
	Time      string `json:"time"`               // HH:MM:SS of eventTime
	Principal string `json:"principal"`          // user name, role/session, "anonymous", or the unknown access key
	Operation string `json:"operation"`          // eventName
	Resource  string `json:"resource,omitempty"` // s3://bucket/key, the bucket, or the resource ARN
	Bucket    string `json:"bucket,omitempty"`
	Denied    bool   `json:"denied"`
	Error     string `json:"error,omitempty"`     // errorCode
	Why       string `json:"why,omitempty"`       // for a denial: the deciding statement, failed condition or missing permission
	Service   string `json:"invokedBy,omitempty"` // a call a service made for the principal
}

// record is the part of a CloudTrail record Event reads.
type record struct {
	EventTime    string `json:"eventTime"`
	EventSource  string `json:"eventSource"`
	EventName    string `json:"eventName"`
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
	UserIdentity struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		AccountID      string `json:"accountId"`
		AccessKeyID    string `json:"accessKeyId"`
		UserName       string `json:"userName"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext *struct {
			SessionIssuer struct {
				UserName string `json:"userName"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	RequestParameters map[string]any `json:"requestParameters"`
	Resources         []struct {
		ARN string `json:"ARN"`
	} `json:"resources"`
	AdditionalEventData struct {
		DeniedAction     string `json:"deniedAction"`
		DeniedResource   string `json:"deniedResource"`
		Decision         string `json:"decision"`
		PolicyType       string `json:"decidingPolicyType"`
		Policy           string `json:"decidingPolicy"`
		Statement        string `json:"decidingStatement"`
		Explanation      string `json:"explanation"`
		FailedConditions []struct {
			Policy    string `json:"policy"`
			Statement string `json:"statement"`
			Condition string `json:"condition"`
			Text      string `json:"text"`
		} `json:"failedConditions"`
	} `json:"additionalEventData"`
}

// Parse reads one CloudTrail record.
func Parse(data []byte) (Event, error) {
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return Event{}, err
	}
	if r.EventName == "" {
		return Event{}, errors.New("not a CloudTrail record: no eventName")
	}
	e := Event{Operation: r.EventName, Error: r.ErrorCode, Service: r.UserIdentity.InvokedBy}
	if len(r.EventTime) >= 19 {
		e.Time = r.EventTime[11:19]
	}
	e.Principal = principal(&r)
	e.Bucket, _ = r.RequestParameters["bucketName"].(string)
	key, _ := r.RequestParameters["key"].(string)
	switch {
	case e.Bucket != "" && key != "":
		e.Resource = "s3://" + e.Bucket + "/" + key
	case e.Bucket != "":
		e.Resource = "s3://" + e.Bucket
	case len(r.Resources) > 0:
		e.Resource = r.Resources[len(r.Resources)-1].ARN
	}
	e.Denied = r.ErrorCode == "AccessDenied" || r.ErrorCode == "AccessDeniedException" || r.AdditionalEventData.Decision != ""
	ad := r.AdditionalEventData
	switch {
	case ad.Decision == "explicitDeny" && ad.Statement != "":
		e.Why = fmt.Sprintf("%s denied by %s %s, %s", ad.DeniedAction, ad.PolicyType, quote(ad.Policy), ad.Statement)
	case len(ad.FailedConditions) > 0:
		fc := ad.FailedConditions[0]
		e.Why = fmt.Sprintf("%s: the condition %s of %s %s is false", ad.DeniedAction, fc.Condition, quote(fc.Policy), fc.Statement)
		if fc.Text != "" {
			e.Why += " (" + fc.Text + ")"
		}
	case ad.DeniedAction != "":
		e.Why = fmt.Sprintf("missing %s on %s (%s)", ad.DeniedAction, ad.DeniedResource, ad.Explanation)
	case r.ErrorCode != "":
		e.Why = r.ErrorMessage
	}
	return e, nil
}

func quote(s string) string {
	if s == "" {
		return ""
	}
	return `"` + s + `"`
}

// principal names the caller as briefly as is clear.
func principal(r *record) string {
	u := r.UserIdentity
	switch {
	case r.ErrorCode == "InvalidAccessKeyId" || (u.Type == "AWSAccount" && u.AccountID == "anonymous" && u.AccessKeyID != ""):
		if u.AccessKeyID != "" {
			return "unknown key " + u.AccessKeyID
		}
		return "unknown key"
	case u.UserName != "":
		return u.UserName
	case u.SessionContext != nil && u.ARN != "":
		// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
		if i := strings.Index(u.ARN, ":assumed-role/"); i >= 0 {
			return u.ARN[i+len(":assumed-role/"):]
		}
	case u.ARN != "":
		return u.ARN
	case u.AccountID == "anonymous":
		return "anonymous"
	}
	return u.Type
}

// Line is the event as one line: "00:44:35 alice GetObject
// s3://b/k DENIED missing s3:GetObject on ...".
func (e Event) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", e.Time, e.Principal, e.Operation)
	if e.Service != "" {
		fmt.Fprintf(&b, " (by %s)", e.Service)
	}
	if e.Resource != "" {
		b.WriteString(" " + e.Resource)
	}
	switch {
	case e.Denied:
		b.WriteString(" DENIED")
	case e.Error != "":
		b.WriteString(" " + e.Error)
	default:
		b.WriteString(" ok")
	}
	if e.Why != "" && (e.Denied || e.Error != "") {
		b.WriteString(": " + e.Why)
	}
	return b.String()
}

// Filter selects events.
type Filter struct {
	// Denied keeps denied calls only.
	Denied bool
	// Principal keeps calls whose principal contains it; Bucket calls
	// on that bucket.
	Principal, Bucket string
}

// Match reports whether e passes the filter.
func (f Filter) Match(e Event) bool {
	return (!f.Denied || e.Denied) &&
		(f.Principal == "" || strings.Contains(e.Principal, f.Principal)) &&
		(f.Bucket == "" || e.Bucket == f.Bucket)
}

// Read calls fn for each record of r: JSON lines (the emulator's audit
// log), or a CloudTrail log file {"Records": [...]} as AWS delivers it,
// gzipped or not.
func Read(r io.Reader, fn func(Event) error) error {
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return err
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	data, err := io.ReadAll(br)
	if err != nil {
		return err
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte(`{"Records"`)) || bytes.HasPrefix(trimmed, []byte("{\n")) {
		var file struct {
			Records []json.RawMessage `json:"Records"`
		}
		if err := json.Unmarshal(trimmed, &file); err == nil && file.Records != nil {
			for _, rec := range file.Records {
				e, err := Parse(rec)
				if err != nil {
					return err
				}
				if err := fn(e); err != nil {
					return err
				}
			}
			return nil
		}
	}
	for n, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		e, err := Parse(line)
		if err != nil {
			return fmt.Errorf("line %d: %w", n+1, err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

package replication

import (
	"fmt"
	"strings"
	"testing"
)

const role = "arn:aws:iam::111111111111:role/replication"

// doc wraps rules in a configuration with the test role.
func doc(rules ...string) string {
	return "<ReplicationConfiguration><Role>" + role + "</Role>" + strings.Join(rules, "") + "</ReplicationConfiguration>"
}

// rule is a valid V2 rule to dest with the given extra elements; a
// replaced element is given whole in extra and removed from the default
// by naming it in drop.
func rule(id string, priority int, extra string, drop ...string) string {
	parts := map[string]string{
		"ID":                      "<ID>" + id + "</ID>",
		"Priority":                fmt.Sprintf("<Priority>%d</Priority>", priority),
		"Status":                  "<Status>Enabled</Status>",
		"Filter":                  "<Filter><Prefix>docs/</Prefix></Filter>",
		"DeleteMarkerReplication": "<DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>",
		"Destination":             "<Destination><Bucket>arn:aws:s3:::dest</Bucket></Destination>",
	}
	for _, d := range drop {
		delete(parts, d)
	}
	var b strings.Builder
	b.WriteString("<Rule>")
	for _, k := range []string{"ID", "Priority", "Status", "Filter", "DeleteMarkerReplication", "Destination"} {
		b.WriteString(parts[k])
	}
	b.WriteString(extra)
	b.WriteString("</Rule>")
	return b.String()
}

func TestParseRefuses(t *testing.T) {
	kmsCriteria := "<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria>"
	destWith := func(inner string) string {
		return "<Destination><Bucket>arn:aws:s3:::dest</Bucket>" + inner + "</Destination>"
	}
	cases := []struct {
		name, body, code, message string
	}{
		{"not XML", "<Replication", "MalformedXML", ""},
		{"no rules", doc(), "MalformedXML", ""},
		{"over 2 MB", doc(rule("a", 1, "<ID>"+strings.Repeat("x", MaxBytes)+"</ID>", "ID")), "MalformedXML", ""},
		{"no role", strings.Replace(doc(rule("a", 1, "")), "<Role>"+role+"</Role>", "", 1), "MalformedXML", ""},
		{"role not a role ARN", strings.Replace(doc(rule("a", 1, "")), role, "myrole", 1), "InvalidArgument", "Invalid Role specified in replication configuration"},
		{"role ARN of a user", strings.Replace(doc(rule("a", 1, "")), "role/replication", "user/bob", 1), "InvalidArgument", "The relative id should start with role"},
		{"V1 rule prefix", doc(rule("a", 1, "<Prefix>x</Prefix>", "Filter", "Priority", "DeleteMarkerReplication")), "NotImplemented", ""},
		{"neither filter nor prefix", doc(rule("a", 1, "", "Filter")), "MalformedXML", ""},
		{"bad status", doc(strings.Replace(rule("a", 1, ""), "<Status>Enabled</Status>", "<Status>On</Status>", 1)), "MalformedXML", ""},
		{"no destination", doc(rule("a", 1, "", "Destination")), "MalformedXML", ""},
		{"no priority", doc(rule("a", 1, "", "Priority")), "InvalidRequest", "Priority must be specified for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information."},
		{"no delete marker replication", doc(rule("a", 1, "", "DeleteMarkerReplication")), "InvalidRequest", "DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information."},
		{"filter with prefix and tag", doc(rule("a", 1, "<Filter><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter>", "Filter")), "MalformedXML", ""},
		{"And of one predicate", doc(rule("a", 1, "<Filter><And><Prefix>p</Prefix></And></Filter>", "Filter")), "MalformedXML", ""},
		{"duplicate tag keys", doc(rule("a", 1, "<Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter>", "Filter")), "InvalidRequest", "Duplicate Tag Keys are not allowed."},
		{"delete markers with a tag filter", doc(rule("a", 1, "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>", "Filter", "DeleteMarkerReplication")), "InvalidRequest", "Delete marker replication is not supported if any Tag filter is specified. Please refer to S3 Developer Guide for more information."},
		{"duplicate ids", doc(rule("a", 1, ""), rule("a", 2, "")), "InvalidArgument", "Rule Id must be unique"},
		{"long id", doc(rule(strings.Repeat("i", 256), 1, "")), "InvalidArgument", "Rule Id cannot be greater than 255"},
		{"duplicate priorities", doc(rule("a", 1, ""), rule("b", 1, "")), "InvalidRequest", "Found duplicate priority 1."},
		{"negative priority", doc(rule("a", -1, "")), "InvalidRequest", "Priority must be between 0 and 2147483647."},
		{"destination not a bucket ARN", doc(rule("a", 1, "<Destination><Bucket>dest</Bucket></Destination>", "Destination")), "InvalidArgument", "Invalid bucket ARN"},
		{"destination is the source", doc(rule("a", 1, "<Destination><Bucket>arn:aws:s3:::src</Bucket></Destination>", "Destination")), "InvalidRequest", "Destination bucket cannot be the same as the source bucket."},
		{"bad storage class", doc(rule("a", 1, destWith("<StorageClass>COLD</StorageClass>"), "Destination")), "MalformedXML", ""},
		{"owner override without account", doc(rule("a", 1, destWith("<AccessControlTranslation><Owner>Destination</Owner></AccessControlTranslation>"), "Destination")), "InvalidRequest", "Account must be specified if the Owner in AccessControlTranslation has a value"},
		{"owner override not Destination", doc(rule("a", 1, destWith("<Account>222222222222</Account><AccessControlTranslation><Owner>Source</Owner></AccessControlTranslation>"), "Destination")), "MalformedXML", ""},
		{"KMS criteria without replica key", doc(rule("a", 1, kmsCriteria)), "InvalidRequest", "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present."},
		{"replica key without KMS criteria", doc(rule("a", 1, destWith("<EncryptionConfiguration><ReplicaKmsKeyID>arn:aws:kms:us-east-1:111111111111:key/k</ReplicaKmsKeyID></EncryptionConfiguration>"), "Destination")), "InvalidRequest", "SseKmsEncryptedObjects must be specified if EncryptionConfiguration is present."},
		{"replica key not an ARN", doc(rule("a", 1, kmsCriteria+destWith("<EncryptionConfiguration><ReplicaKmsKeyID>k</ReplicaKmsKeyID></EncryptionConfiguration>"), "Destination")), "InvalidArgument", "Invalid ReplicaKmsKeyID ARN."},
		{"empty source selection criteria", doc(rule("a", 1, "<SourceSelectionCriteria></SourceSelectionCriteria>")), "InvalidRequest", "SourceSelectionCriteria cannot be empty."},
		{"replication time without metrics", doc(rule("a", 1, destWith("<ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime>"), "Destination")), "InvalidRequest", "Replication destination must contain both ReplicationTime and Metrics or neither."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.body), "src")
			if err == nil {
				t.Fatalf("Parse accepted %s", tc.body)
			}
			if err.Code != tc.code || (tc.message != "" && err.Message != tc.message) {
				t.Errorf("got %s: %s; want %s: %s", err.Code, err.Message, tc.code, tc.message)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	full := doc(rule("", 1, "<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria>"+
		"<Destination><Bucket>arn:aws:s3:::dest</Bucket><Account>222222222222</Account><StorageClass>STANDARD_IA</StorageClass>"+
		"<AccessControlTranslation><Owner>Destination</Owner></AccessControlTranslation>"+
		"<EncryptionConfiguration><ReplicaKmsKeyID>arn:aws:kms:us-west-2:222222222222:key/k</ReplicaKmsKeyID></EncryptionConfiguration>"+
		"<ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime>"+
		"<Metrics><Status>Enabled</Status><EventThreshold><Minutes>15</Minutes></EventThreshold></Metrics></Destination>", "Destination"),
		rule("tagged", 2, "<Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>", "Filter"))
	c, err := Parse([]byte(full), "src")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rules) != 2 || c.Rules[0].ID == "" {
		t.Fatalf("rules %+v: want 2, the first given an ID", c.Rules)
	}
	r := c.Rules[0]
	if acct, ok := r.OwnerOverride(); !ok || acct != "222222222222" || !r.ReplicatesKMSObjects() || r.ReplicaKMSKey() != "arn:aws:kms:us-west-2:222222222222:key/k" || r.StorageClass("STANDARD") != "STANDARD_IA" {
		t.Errorf("rule facts wrong: %+v", r)
	}
	// What is stored reads back the same.
	b, encErr := c.Encode("")
	if encErr != nil {
		t.Fatal(encErr)
	}
	again, decErr := Decode(b)
	if decErr != nil || len(again.Rules) != 2 || again.Rules[0].ID != r.ID || *again.Rules[1].Priority != 2 {
		t.Fatalf("round trip: %v %+v", decErr, again)
	}
	if c.RoleAccount() != "111111111111" {
		t.Errorf("RoleAccount %q", c.RoleAccount())
	}
}

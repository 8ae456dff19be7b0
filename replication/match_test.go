package replication

import (
	"reflect"
	"strings"
	"testing"
)

func mustParse(t *testing.T, body string) *Configuration {
	t.Helper()
	c, err := Parse([]byte(body), "src")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRuleSelection(t *testing.T) {
	dest := func(b string) string { return "<Destination><Bucket>arn:aws:s3:::" + b + "</Bucket></Destination>" }
	kms := "<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria>" +
		"<Destination><Bucket>arn:aws:s3:::kms-dest</Bucket><EncryptionConfiguration><ReplicaKmsKeyID>arn:aws:kms:us-east-1:111111111111:key/k</ReplicaKmsKeyID></EncryptionConfiguration></Destination>"
	disabled := "<ID>off</ID><Priority>6</Priority><Status>Disabled</Status><Filter></Filter><DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>" + dest("bkt-d")
	c := mustParse(t, doc(
		rule("docs-low", 1, dest("bkt-a"), "Destination"),
		rule("docs-high", 5, "<Filter><Prefix>docs/x</Prefix></Filter>"+dest("bkt-a"), "Filter", "Destination"),
		rule("tagged", 3, "<Filter><Tag><Key>team</Key><Value>red</Value></Tag></Filter>"+dest("bkt-b"), "Filter", "Destination"),
		rule("all-markers", 2, "<Filter></Filter><DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>"+dest("bkt-c"), "Filter", "DeleteMarkerReplication", "Destination"),
		rule("kms", 4, "<Filter></Filter>"+kms, "Filter", "Destination"),
		"<Rule>"+disabled+"</Rule>"))
	ids := func(rs []*Rule) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	cases := []struct {
		name string
		obj  Object
		want []string
	}{
		{"prefix, highest priority per destination", Object{Key: "docs/x1"}, []string{"docs-high", "all-markers", "kms"}},
		{"lower priority rule when the higher does not match", Object{Key: "docs/y"}, []string{"docs-low", "all-markers", "kms"}},
		{"tag filter", Object{Key: "z", Tags: map[string]string{"team": "red"}}, []string{"tagged", "all-markers", "kms"}},
		{"tag of another value", Object{Key: "z", Tags: map[string]string{"team": "blue"}}, []string{"all-markers", "kms"}},
		{"SSE-KMS object only by the opted-in rule", Object{Key: "docs/x1", KMS: true}, []string{"kms"}},
		{"plain object also by the KMS rule", Object{Key: "q"}, []string{"all-markers", "kms"}},
		{"a replica is not replicated", Object{Key: "docs/x1", Replica: true}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(c.RulesFor(tc.obj)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("RulesFor(%+v) = %v, want %v", tc.obj, got, tc.want)
			}
		})
	}
	if got := ids(c.DeleteMarkerRulesFor("docs/x1")); !reflect.DeepEqual(got, []string{"all-markers"}) {
		t.Errorf("DeleteMarkerRulesFor = %v", got)
	}
}

func TestRequiredSteps(t *testing.T) {
	actions := func(f Features) []string {
		var out []string
		for _, s := range Required(f) {
			out = append(out, s.Side.String()+" "+s.Action)
		}
		return out
	}
	base := []string{"source s3:GetReplicationConfiguration", "source s3:ListBucket", "source s3:GetObjectVersionForReplication", "source s3:GetObjectVersionAcl", "destination s3:ReplicateObject"}
	cases := []struct {
		name string
		f    Features
		want []string
	}{
		{"minimum", Features{}, base},
		{"delete markers", Features{DeleteMarkers: true}, append(append([]string{}, base...), "destination s3:ReplicateDelete")},
		{"tags", Features{Tags: true}, []string{"source s3:GetReplicationConfiguration", "source s3:ListBucket", "source s3:GetObjectVersionForReplication", "source s3:GetObjectVersionAcl", "source s3:GetObjectVersionTagging", "destination s3:ReplicateObject", "destination s3:ReplicateTags"}},
		{"owner override", Features{OwnerOverride: true}, append(append([]string{}, base...), "destination s3:ObjectOwnerOverrideToBucketOwner")},
		{"an unencrypted object into a default SSE-KMS bucket", Features{PlaintextToDefaultKMS: true}, append(append([]string{}, base...), "destination kms:GenerateDataKey")},
		{"KMS both sides with a bucket key", Features{SourceKMS: true, ReplicaKMS: true, ReplicaBucketKey: true}, []string{"source s3:GetReplicationConfiguration", "source s3:ListBucket", "source s3:GetObjectVersionForReplication", "source s3:GetObjectVersionAcl", "source kms:Decrypt", "destination s3:ReplicateObject", "destination kms:Encrypt", "destination kms:Decrypt"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := actions(tc.f); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v\nwant %v", got, tc.want)
			}
		})
	}
}

// TestStepsAreNamed: every step names its side and when it applies.
func TestStepsAreNamed(t *testing.T) {
	for _, s := range Steps() {
		if s.Side.String() == "" || s.When.String() == "" || s.Why == "" || s.Source == "" {
			t.Errorf("step %+v is not fully described", s)
		}
	}
}

// TestStepsForVersionAndMarker: an object version is replicated without
// the delete-marker step, a delete marker with the source bucket's steps
// and s3:ReplicateDelete only.
func TestStepsForVersionAndMarker(t *testing.T) {
	f := Features{DeleteMarkers: true, Tags: true}
	actions := func(steps []Step) string {
		var out []string
		for _, s := range steps {
			out = append(out, s.Action)
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		name  string
		steps []Step
		want  string
	}{
		{"version", ForVersion(f), "s3:GetReplicationConfiguration s3:ListBucket s3:GetObjectVersionForReplication s3:GetObjectVersionAcl s3:GetObjectVersionTagging s3:ReplicateObject s3:ReplicateTags"},
		{"marker", ForDeleteMarker(f), "s3:GetReplicationConfiguration s3:ListBucket s3:ReplicateDelete"},
		{"marker without delete marker replication", ForDeleteMarker(Features{}), "s3:GetReplicationConfiguration s3:ListBucket"},
	}
	for _, tt := range tests {
		if got := actions(tt.steps); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

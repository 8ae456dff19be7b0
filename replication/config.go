package replication

import (
	"encoding/xml"
	"strings"
)

// Configuration is a ReplicationConfiguration document (S3 API reference
// ReplicationConfiguration): the role S3 assumes and the rules.
type Configuration struct {
	XMLName xml.Name `xml:"ReplicationConfiguration" json:"-"`
	NS      string   `xml:"xmlns,attr,omitempty" json:"-"`
	Role    string   `xml:"Role" json:"Role,omitempty"`
	Rules   []Rule   `xml:"Rule" json:"Rules"`
}

// Rule is one replication rule (S3 API reference ReplicationRule).
type Rule struct {
	ID       string `xml:"ID,omitempty" json:"ID,omitempty"`
	Priority *int   `xml:"Priority,omitempty" json:"Priority,omitempty"`
	// Prefix is the rule-level prefix of the earlier (V1) schema, which
	// the emulator does not serve (docs/emulator.md "Replication
	// configuration").
	Prefix                    *string                  `xml:"Prefix,omitempty" json:"Prefix,omitempty"`
	Filter                    *Filter                  `xml:"Filter,omitempty" json:"Filter,omitempty"`
	Status                    string                   `xml:"Status" json:"Status,omitempty"`
	SourceSelectionCriteria   *SourceSelectionCriteria `xml:"SourceSelectionCriteria,omitempty" json:"SourceSelectionCriteria,omitempty"`
	ExistingObjectReplication *StatusElement           `xml:"ExistingObjectReplication,omitempty" json:"ExistingObjectReplication,omitempty"`
	Destination               *Destination             `xml:"Destination,omitempty" json:"Destination,omitempty"`
	DeleteMarkerReplication   *StatusElement           `xml:"DeleteMarkerReplication,omitempty" json:"DeleteMarkerReplication,omitempty"`
}

// Filter selects the objects a rule applies to: one prefix, one tag, or
// an And of several (S3 API reference ReplicationRuleFilter).
type Filter struct {
	Prefix *string `xml:"Prefix,omitempty" json:"Prefix,omitempty"`
	Tag    *Tag    `xml:"Tag,omitempty" json:"Tag,omitempty"`
	And    *And    `xml:"And,omitempty" json:"And,omitempty"`
}

// And is the conjunction of a prefix and tags (S3 API reference
// ReplicationRuleAndOperator).
type And struct {
	Prefix *string `xml:"Prefix,omitempty" json:"Prefix,omitempty"`
	Tags   []Tag   `xml:"Tag" json:"Tags,omitempty"`
}

// Tag is an object tag a filter requires.
type Tag struct {
	Key   string `xml:"Key" json:"Key,omitempty"`
	Value string `xml:"Value" json:"Value,omitempty"`
}

// StatusElement is an element whose only child is Status (Enabled or
// Disabled): DeleteMarkerReplication, ExistingObjectReplication,
// SseKmsEncryptedObjects, ReplicaModifications.
type StatusElement struct {
	Status string `xml:"Status" json:"Status,omitempty"`
}

// SourceSelectionCriteria selects objects by how they were made (S3 API
// reference SourceSelectionCriteria).
type SourceSelectionCriteria struct {
	SseKmsEncryptedObjects *StatusElement `xml:"SseKmsEncryptedObjects,omitempty" json:"SseKmsEncryptedObjects,omitempty"`
	ReplicaModifications   *StatusElement `xml:"ReplicaModifications,omitempty" json:"ReplicaModifications,omitempty"`
}

// Destination is where a rule's replicas go (S3 API reference
// Destination).
type Destination struct {
	Bucket                   string                    `xml:"Bucket" json:"Bucket,omitempty"`
	Account                  string                    `xml:"Account,omitempty" json:"Account,omitempty"`
	StorageClass             string                    `xml:"StorageClass,omitempty" json:"StorageClass,omitempty"`
	AccessControlTranslation *AccessControlTranslation `xml:"AccessControlTranslation,omitempty" json:"AccessControlTranslation,omitempty"`
	EncryptionConfiguration  *EncryptionConfiguration  `xml:"EncryptionConfiguration,omitempty" json:"EncryptionConfiguration,omitempty"`
	ReplicationTime          *ReplicationTime          `xml:"ReplicationTime,omitempty" json:"ReplicationTime,omitempty"`
	Metrics                  *Metrics                  `xml:"Metrics,omitempty" json:"Metrics,omitempty"`
}

// AccessControlTranslation is the owner override: Owner is Destination.
type AccessControlTranslation struct {
	Owner string `xml:"Owner" json:"Owner,omitempty"`
}

// EncryptionConfiguration names the KMS key S3 encrypts replicas with.
type EncryptionConfiguration struct {
	ReplicaKmsKeyID string `xml:"ReplicaKmsKeyID,omitempty" json:"ReplicaKmsKeyID,omitempty"`
}

// ReplicationTime is S3 Replication Time Control; the emulator stores it
// and replicates every object at once.
type ReplicationTime struct {
	Status string   `xml:"Status" json:"Status,omitempty"`
	Time   *Minutes `xml:"Time,omitempty" json:"Time,omitempty"`
}

// Metrics is replication metrics; stored, not emitted.
type Metrics struct {
	Status         string   `xml:"Status" json:"Status,omitempty"`
	EventThreshold *Minutes `xml:"EventThreshold,omitempty" json:"EventThreshold,omitempty"`
}

// Minutes is a ReplicationTimeValue.
type Minutes struct {
	Minutes int `xml:"Minutes" json:"Minutes,omitempty"`
}

// Enabled and Disabled are the values of every Status element.
const (
	Enabled  = "Enabled"
	Disabled = "Disabled"
)

// Decode reads a stored configuration (one Parse accepted) without
// validating it again.
func Decode(doc []byte) (*Configuration, error) {
	var c Configuration
	if err := xml.Unmarshal(doc, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Encode returns the configuration as the XML document GetBucketReplication
// answers, in S3's namespace when ns is set.
func (c *Configuration) Encode(ns string) ([]byte, error) {
	out := *c
	out.NS = ns
	return xml.Marshal(out)
}

// RoleAccount is the account of the configuration's role.
func (c *Configuration) RoleAccount() string {
	f := strings.SplitN(c.Role, ":", 6)
	if len(f) != 6 {
		return ""
	}
	return f[4]
}

package replication

import (
	"encoding/xml"
	"strings"
)

// Configuration is a ReplicationConfiguration document (S3 API reference
// ReplicationConfiguration): the role S3 assumes and the rules.
type Configuration struct {
	XMLName xml.Name `xml:"ReplicationConfiguration"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Role    string   `xml:"Role"`
	Rules   []Rule   `xml:"Rule"`
}

// Rule is one replication rule (S3 API reference ReplicationRule).
type Rule struct {
	ID       string `xml:"ID,omitempty"`
	Priority *int   `xml:"Priority,omitempty"`
	// Prefix is the rule-level prefix of the earlier (V1) schema, which
	// the emulator does not serve (docs/emulator.md "Replication
	// configuration").
	Prefix                    *string                  `xml:"Prefix,omitempty"`
	Filter                    *Filter                  `xml:"Filter,omitempty"`
	Status                    string                   `xml:"Status"`
	SourceSelectionCriteria   *SourceSelectionCriteria `xml:"SourceSelectionCriteria,omitempty"`
	ExistingObjectReplication *StatusElement           `xml:"ExistingObjectReplication,omitempty"`
	Destination               *Destination             `xml:"Destination,omitempty"`
	DeleteMarkerReplication   *StatusElement           `xml:"DeleteMarkerReplication,omitempty"`
}

// Filter selects the objects a rule applies to: one prefix, one tag, or
// an And of several (S3 API reference ReplicationRuleFilter).
type Filter struct {
	Prefix *string `xml:"Prefix,omitempty"`
	Tag    *Tag    `xml:"Tag,omitempty"`
	And    *And    `xml:"And,omitempty"`
}

// And is the conjunction of a prefix and tags (S3 API reference
// ReplicationRuleAndOperator).
type And struct {
	Prefix *string `xml:"Prefix,omitempty"`
	Tags   []Tag   `xml:"Tag"`
}

// Tag is an object tag a filter requires.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// StatusElement is an element whose only child is Status (Enabled or
// Disabled): DeleteMarkerReplication, ExistingObjectReplication,
// SseKmsEncryptedObjects, ReplicaModifications.
type StatusElement struct {
	Status string `xml:"Status"`
}

// SourceSelectionCriteria selects objects by how they were made (S3 API
// reference SourceSelectionCriteria).
type SourceSelectionCriteria struct {
	SseKmsEncryptedObjects *StatusElement `xml:"SseKmsEncryptedObjects,omitempty"`
	ReplicaModifications   *StatusElement `xml:"ReplicaModifications,omitempty"`
}

// Destination is where a rule's replicas go (S3 API reference
// Destination).
type Destination struct {
	Bucket                   string                    `xml:"Bucket"`
	Account                  string                    `xml:"Account,omitempty"`
	StorageClass             string                    `xml:"StorageClass,omitempty"`
	AccessControlTranslation *AccessControlTranslation `xml:"AccessControlTranslation,omitempty"`
	EncryptionConfiguration  *EncryptionConfiguration  `xml:"EncryptionConfiguration,omitempty"`
	ReplicationTime          *ReplicationTime          `xml:"ReplicationTime,omitempty"`
	Metrics                  *Metrics                  `xml:"Metrics,omitempty"`
}

// AccessControlTranslation is the owner override: Owner is Destination.
type AccessControlTranslation struct {
	Owner string `xml:"Owner"`
}

// EncryptionConfiguration names the KMS key S3 encrypts replicas with.
type EncryptionConfiguration struct {
	ReplicaKmsKeyID string `xml:"ReplicaKmsKeyID,omitempty"`
}

// ReplicationTime is S3 Replication Time Control; the emulator stores it
// and replicates every object at once.
type ReplicationTime struct {
	Status string   `xml:"Status"`
	Time   *Minutes `xml:"Time,omitempty"`
}

// Metrics is replication metrics; stored, not emitted.
type Metrics struct {
	Status         string   `xml:"Status"`
	EventThreshold *Minutes `xml:"EventThreshold,omitempty"`
}

// Minutes is a ReplicationTimeValue.
type Minutes struct {
	Minutes int `xml:"Minutes"`
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

package world

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// Model is the world file as written, before validation. It is exported so
// that tools and tests can build or adjust a world in code and Compile it.
// docs/world.md documents every field.
type Model struct {
	Region       string             `yaml:"region,omitempty"`
	Organization *OrganizationModel `yaml:"organization,omitempty"`
	Accounts     []AccountModel     `yaml:"accounts"`
	// Profiles maps AWS profile names (--profile NAME, AWS_PROFILE) to
	// the principal ARN that signs with them.
	Profiles map[string]string `yaml:"profiles,omitempty"`
	// AWSManagedPolicies are the AWS managed policies the world's users,
	// groups and roles attach by ARN (arn:aws:iam::aws:policy/PATH/NAME).
	AWSManagedPolicies []ManagedPolicyModel `yaml:"aws_managed_policies,omitempty"`

	// root is the parsed file, for error lines; nil for a Model built in
	// code.
	root *yaml.Node
}

// OrganizationModel describes an AWS Organization holding some accounts.
type OrganizationModel struct {
	ID string `yaml:"id"`
	// Root is the ID of the organization root (r-xxxx); derived from ID
	// when empty.
	Root string `yaml:"root,omitempty"`
	// Management is the management account: SCPs and RCPs do not apply
	// to it (docs/authorization.md §1.9).
	Management string `yaml:"management_account,omitempty"`
	// Members lists the member accounts. Empty: every account of the
	// world is a member. The management account and the accounts of
	// Units are members in any case.
	Members []string `yaml:"members,omitempty"`
	// SCPs and RCPs are attached at the organization root.
	SCPs []Doc `yaml:"scps,omitempty"`
	RCPs []Doc `yaml:"rcps,omitempty"`
	// Units are the organizational units.
	Units []UnitModel `yaml:"units,omitempty"`
}

// UnitModel is an organizational unit (OU).
type UnitModel struct {
	// ID is the OU ID, ou-ROOT-XXXXXXXX.
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Parent is the ID of the parent OU; empty: the root.
	Parent string `yaml:"parent,omitempty"`
	// Accounts are the accounts directly in this OU.
	Accounts []string `yaml:"accounts"`
	// SCPs and RCPs are attached to the OU.
	SCPs []Doc `yaml:"scps,omitempty"`
	RCPs []Doc `yaml:"rcps,omitempty"`
}

// AccountModel is one AWS account.
type AccountModel struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// SCPs and RCPs are attached directly to the account.
	SCPs    []Doc         `yaml:"scps,omitempty"`
	RCPs    []Doc         `yaml:"rcps,omitempty"`
	Users   []UserModel   `yaml:"users,omitempty"`
	Roles   []RoleModel   `yaml:"roles,omitempty"`
	Buckets []BucketModel `yaml:"buckets,omitempty"`
	Keys    []KeyModel    `yaml:"keys,omitempty"`
	// Groups are the account's IAM groups; users join them by name.
	Groups []GroupModel `yaml:"groups,omitempty"`
	// ManagedPolicies are the account's customer managed policies,
	// attached by ARN (arn:aws:iam::ACCOUNT:policy/PATH/NAME).
	ManagedPolicies []ManagedPolicyModel `yaml:"managed_policies,omitempty"`
}

// ManagedPolicyModel is a managed policy: its default version's document,
// the one IAM evaluates.
type ManagedPolicyModel struct {
	Name        string `yaml:"name"`
	Path        string `yaml:"path,omitempty"`
	Description string `yaml:"description,omitempty"`
	Document    Doc    `yaml:"document,omitempty"`
}

// GroupModel is an IAM group: its policies apply to every user in it.
type GroupModel struct {
	Name     string    `yaml:"name"`
	Path     string    `yaml:"path,omitempty"`
	Policies NamedDocs `yaml:"policies,omitempty"`
	// ManagedPolicies are the ARNs of the managed policies attached.
	ManagedPolicies []string `yaml:"managed_policies,omitempty"`
}

// UserModel is an IAM user.
type UserModel struct {
	Name       string            `yaml:"name"`
	Path       string            `yaml:"path,omitempty"`
	AccessKeys []AccessKeyModel  `yaml:"access_keys,omitempty"`
	Policies   NamedDocs         `yaml:"policies,omitempty"`
	Boundary   *Doc              `yaml:"boundary,omitempty"`
	Tags       map[string]string `yaml:"tags,omitempty"`
	// Groups are the names of the account's groups the user is in.
	Groups []string `yaml:"groups,omitempty"`
	// ManagedPolicies are the ARNs of the managed policies attached.
	ManagedPolicies []string `yaml:"managed_policies,omitempty"`
}

// AccessKeyModel is a long-term access key of a user.
type AccessKeyModel struct {
	ID     string `yaml:"id"`
	Secret string `yaml:"secret,omitempty"`
}

// RoleModel is an IAM role.
type RoleModel struct {
	Name     string            `yaml:"name"`
	Path     string            `yaml:"path,omitempty"`
	Trust    *Doc              `yaml:"trust,omitempty"`
	Policies NamedDocs         `yaml:"policies,omitempty"`
	Boundary *Doc              `yaml:"boundary,omitempty"`
	Tags     map[string]string `yaml:"tags,omitempty"`
	// ManagedPolicies are the ARNs of the managed policies attached.
	ManagedPolicies []string `yaml:"managed_policies,omitempty"`
}

// BucketModel is an S3 bucket.
type BucketModel struct {
	Name   string `yaml:"name"`
	Region string `yaml:"region,omitempty"`
	Policy *Doc   `yaml:"policy,omitempty"`
	// Ownership is the Object Ownership setting: BucketOwnerEnforced
	// (the default), BucketOwnerPreferred or ObjectWriter (docs/authorization.md §2.5).
	Ownership string `yaml:"ownership,omitempty"`
	// Versioning is the bucket's versioning state, Enabled or Suspended;
	// empty: never versioned (docs/world.md).
	Versioning string           `yaml:"versioning,omitempty"`
	Encryption *EncryptionModel `yaml:"encryption,omitempty"`
	// Objects seeds the bucket's content: key -> content.
	Objects map[string]string `yaml:"objects,omitempty"`
}

// EncryptionModel is a bucket's default encryption.
type EncryptionModel struct {
	// KMSKey is the key ARN (or alias ARN) of SSE-KMS default encryption.
	KMSKey string `yaml:"kms_key,omitempty"`
	// BucketKey enables S3 Bucket Keys (docs/authorization.md §3.2).
	BucketKey bool `yaml:"bucket_key,omitempty"`
}

// KeyModel is a KMS key.
type KeyModel struct {
	ID          string   `yaml:"id"`
	Description string   `yaml:"description,omitempty"`
	Aliases     []string `yaml:"aliases,omitempty"`
	// Policy is the key policy; when omitted, the default key policy that
	// lets the account's IAM policies grant access (docs/authorization.md §3.4).
	Policy *Doc `yaml:"policy,omitempty"`
}

// Doc is a policy document inside the world file: a YAML or JSON mapping,
// a string holding JSON, or (for SCPs) the name "FullAWSAccess".
type Doc struct {
	Node *yaml.Node
}

// UnmarshalYAML keeps the node so that errors can name its line.
func (d *Doc) UnmarshalYAML(n *yaml.Node) error {
	d.Node = n
	return nil
}

// MarshalYAML writes the document back as it was.
func (d Doc) MarshalYAML() (any, error) { return d.Node, nil }

// NamedDocs is an ordered mapping of policy name to document.
type NamedDocs struct {
	Names []string
	Docs  []Doc
	Node  *yaml.Node
}

// UnmarshalYAML reads a mapping of name -> document, keeping its order.
func (nd *NamedDocs) UnmarshalYAML(n *yaml.Node) error {
	nd.Node = n
	if n.Kind != yaml.MappingNode {
		return &yaml.TypeError{Errors: []string{lineMsg(n, "policies must be a mapping of policy name to policy document")}}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		nd.Names = append(nd.Names, n.Content[i].Value)
		nd.Docs = append(nd.Docs, Doc{Node: n.Content[i+1]})
	}
	return nil
}

// MarshalYAML writes the mapping back.
func (nd NamedDocs) MarshalYAML() (any, error) {
	if nd.Node != nil {
		return nd.Node, nil
	}
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i, name := range nd.Names {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, nd.Docs[i].Node)
	}
	return m, nil
}

// Set adds or replaces the policy called name.
func (nd *NamedDocs) Set(name string, d Doc) {
	nd.Node = nil
	for i, n := range nd.Names {
		if n == name {
			nd.Docs[i] = d
			return
		}
	}
	nd.Names = append(nd.Names, name)
	nd.Docs = append(nd.Docs, d)
}

// FindPrincipal returns the user or role model that a user, role or
// assumed-role ARN names, or nil for both.
func (m *Model) FindPrincipal(arn string) (*UserModel, *RoleModel) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return nil, nil
	}
	res := parts[5]
	var kind, name string
	switch {
	case strings.HasPrefix(res, "user/"):
		kind, name = "user", res[strings.LastIndexByte(res, '/')+1:]
	case strings.HasPrefix(res, "role/"):
		kind, name = "role", res[strings.LastIndexByte(res, '/')+1:]
	case strings.HasPrefix(res, "assumed-role/"):
		kind = "role"
		name, _, _ = strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
	default:
		return nil, nil
	}
	for i := range m.Accounts {
		a := &m.Accounts[i]
		if a.ID != parts[4] {
			continue
		}
		if kind == "user" {
			for j := range a.Users {
				if a.Users[j].Name == name {
					return &a.Users[j], nil
				}
			}
		} else {
			for j := range a.Roles {
				if a.Roles[j].Name == name {
					return nil, &a.Roles[j]
				}
			}
		}
	}
	return nil, nil
}

// FindBucket returns the model of the named bucket, or nil.
func (m *Model) FindBucket(name string) *BucketModel {
	for i := range m.Accounts {
		for j := range m.Accounts[i].Buckets {
			if m.Accounts[i].Buckets[j].Name == name {
				return &m.Accounts[i].Buckets[j]
			}
		}
	}
	return nil
}

// FindKey returns the model of the key with the given ID, or nil.
func (m *Model) FindKey(id string) *KeyModel {
	for i := range m.Accounts {
		for j := range m.Accounts[i].Keys {
			if m.Accounts[i].Keys[j].ID == id {
				return &m.Accounts[i].Keys[j]
			}
		}
	}
	return nil
}

// JSON returns the document as JSON text: the text itself for a document
// given as a JSON string, the converted mapping otherwise.
func (d Doc) JSON() ([]byte, error) {
	if d.Node == nil {
		return nil, nil
	}
	if d.Node.Kind == yaml.ScalarNode && d.Node.Tag != "!!null" {
		return []byte(d.Node.Value), nil
	}
	return ToJSON(d.Node)
}

// Clone returns a copy of the model that can be changed without changing
// m. Policy documents (yaml nodes) and seeded objects are shared: replace
// them, never edit them in place.
func (m *Model) Clone() *Model {
	c := *m
	if m.Organization != nil {
		o := *m.Organization
		o.SCPs = append([]Doc(nil), o.SCPs...)
		o.RCPs = append([]Doc(nil), o.RCPs...)
		o.Members = append([]string(nil), o.Members...)
		o.Units = append([]UnitModel(nil), o.Units...)
		for i := range o.Units {
			u := &o.Units[i]
			u.Accounts = append([]string(nil), u.Accounts...)
			u.SCPs = append([]Doc(nil), u.SCPs...)
			u.RCPs = append([]Doc(nil), u.RCPs...)
		}
		c.Organization = &o
	}
	c.Profiles = cloneTags(m.Profiles)
	c.Accounts = make([]AccountModel, len(m.Accounts))
	for i, a := range m.Accounts {
		a.SCPs = append([]Doc(nil), a.SCPs...)
		a.RCPs = append([]Doc(nil), a.RCPs...)
		a.Users = append([]UserModel(nil), a.Users...)
		for j := range a.Users {
			u := &a.Users[j]
			u.AccessKeys = append([]AccessKeyModel(nil), u.AccessKeys...)
			u.Policies = u.Policies.clone()
			u.Tags = cloneTags(u.Tags)
		}
		a.Roles = append([]RoleModel(nil), a.Roles...)
		for j := range a.Roles {
			r := &a.Roles[j]
			r.Policies = r.Policies.clone()
			r.Tags = cloneTags(r.Tags)
		}
		a.Buckets = append([]BucketModel(nil), a.Buckets...)
		for j := range a.Buckets {
			if e := a.Buckets[j].Encryption; e != nil {
				ec := *e
				a.Buckets[j].Encryption = &ec
			}
		}
		a.Keys = append([]KeyModel(nil), a.Keys...)
		for j := range a.Keys {
			a.Keys[j].Aliases = append([]string(nil), a.Keys[j].Aliases...)
		}
		c.Accounts[i] = a
	}
	return &c
}

func (nd NamedDocs) clone() NamedDocs {
	return NamedDocs{Names: append([]string(nil), nd.Names...), Docs: append([]Doc(nil), nd.Docs...), Node: nd.Node}
}

func cloneTags(t map[string]string) map[string]string {
	if t == nil {
		return nil
	}
	c := make(map[string]string, len(t))
	for k, v := range t {
		c[k] = v
	}
	return c
}

package world

import (
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lockstep-dev/lockstep/internal/arn"
	"github.com/lockstep-dev/lockstep/policy"
)

// World is a validated, compiled world: accounts with their users, roles,
// buckets, keys and organization policies. It is immutable and safe for
// concurrent use.
type World struct {
	// File is the file the world was read from, for messages.
	File     string
	Region   string
	Accounts []*Account

	accounts   map[string]*Account
	users      map[string]*User // by ARN
	roles      map[string]*Role // by ARN
	accessKeys map[string]*Credential
	buckets    map[string]*Bucket
	keys       map[string]*Key // by key ARN and alias ARN
	profiles   map[string]string
	groups     map[string]*Group         // by ARN
	managed    map[string]*ManagedPolicy // by ARN
}

// Account is one AWS account of the world.
type Account struct {
	ID      string
	Name    string
	Users   []*User
	Roles   []*Role
	Buckets []*Bucket
	Groups  []*Group
	// ManagedPolicies are the account's customer managed policies.
	ManagedPolicies []*ManagedPolicy
	// Keys are the customer managed keys of the world file.
	Keys []*Key
	// S3Key is the account's AWS managed key for S3, alias/aws/s3
	// (docs/authorization.md §3.3). It is synthesized by the compiler, never listed in
	// Keys nor in the Model: world files and snapshots stay as written.
	S3Key *Key
	// OrgID is the organization the account belongs to, "" if none.
	OrgID string
	// OrgPaths holds the account's path in the organization,
	// o-ID/r-ROOT/ou-.../ (aws:PrincipalOrgPaths, aws:ResourceOrgPaths).
	OrgPaths []string
	// SCPs and RCPs are the organization policies that apply, one slice
	// per level (organization root, then the account).
	SCPs [][]*policy.Policy
	RCPs [][]*policy.Policy
}

// User is an IAM user.
type User struct {
	Name, Path, ARN string
	// ID is the unique ID (AIDA...), derived from the ARN.
	ID      string
	Account *Account
	// Policies are the inline policies; Attached the managed policies
	// attached to the user; Groups the groups it is in.
	// IdentityPolicies is what applies.
	Policies []*policy.Policy
	Attached []*policy.Policy
	Groups   []*Group
	Boundary *policy.Policy
	Tags     map[string]string
}

// Role is an IAM role.
type Role struct {
	Name, Path, ARN string
	// ID is the unique ID (AROA...), derived from the ARN.
	ID      string
	Account *Account
	Trust   *policy.Policy
	// Policies are the inline policies, Attached the managed ones.
	Policies []*policy.Policy
	Attached []*policy.Policy
	Boundary *policy.Policy
	Tags     map[string]string
}

// Credential is an access key and the user it belongs to.
type Credential struct {
	AccessKeyID string
	Secret      string
	User        *User
}

// Bucket is an S3 bucket.
type Bucket struct {
	Name, ARN, Region string
	Account           *Account
	Policy            *policy.Policy
	Ownership         string
	// Versioning is the versioning state the bucket is served with:
	// VersioningEnabled, VersioningSuspended, or "" (the world leaves it
	// to the data directory).
	Versioning string
	// KMSKey is the default SSE-KMS key, nil when the bucket uses SSE-S3.
	KMSKey    *Key
	BucketKey bool
	// Objects is the seed content, key -> data, in key order.
	Objects []Object
}

// Object is one seeded object.
type Object struct {
	Key  string
	Data []byte
}

// Key is a KMS key.
type Key struct {
	ID, ARN, Description string
	Account              *Account
	Aliases              []string // alias names, "alias/x"
	Policy               *policy.Policy
	// Managed is true for an AWS managed key (KeyManager AWS), such as
	// the aws/s3 key of every account: its policy cannot be changed and
	// no alias can be added to it (docs/authorization.md §3.3).
	Managed bool
}

// Versioning states of a bucket (docs/world.md): "Enabled" and
// "Suspended" are the two values of the Status of a
// VersioningConfiguration (S3 API reference PutBucketVersioning).
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// Ownership values (docs/authorization.md §2.5).
const (
	BucketOwnerEnforced  = "BucketOwnerEnforced"
	BucketOwnerPreferred = "BucketOwnerPreferred"
	ObjectWriter         = "ObjectWriter"
)

type compiler struct {
	root *yaml.Node
	file string
	errs Errors
	w    *World
}

func (c *compiler) fail(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	c.errs = append(c.errs, &Error{File: c.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// Compile validates a Model and builds the World. Every problem found is
// reported, each with its line when the model came from a file.
func Compile(m *Model, file string) (*World, error) {
	c := &compiler{file: file, root: m.root}
	w := &World{
		File: file, Region: m.Region,
		accounts: map[string]*Account{}, users: map[string]*User{}, roles: map[string]*Role{},
		accessKeys: map[string]*Credential{}, buckets: map[string]*Bucket{}, keys: map[string]*Key{},
		profiles: map[string]string{}, groups: map[string]*Group{}, managed: map[string]*ManagedPolicy{},
	}
	c.w = w
	if w.Region == "" {
		w.Region = "us-east-1"
	} else if !regionRE.MatchString(w.Region) {
		c.fail(c.at("region"), "region %q is not an AWS region name such as us-east-1", w.Region)
	}
	if len(m.Accounts) == 0 {
		c.fail(nil, "accounts: the world has no accounts; see docs/world.md")
	}

	o := c.organization(m)
	c.awsManagedPolicies(m)

	// First pass: accounts, principals, keys (buckets refer to keys).
	for i := range m.Accounts {
		am := &m.Accounts[i]
		if !isAccountID(am.ID) {
			c.fail(c.at("accounts", i, "id"), "accounts[%d].id: %q is not a 12-digit account ID (quote it in YAML: id: \"111111111111\")", i, am.ID)
			continue
		}
		if w.accounts[am.ID] != nil {
			c.fail(c.at("accounts", i, "id"), "accounts[%d].id: account %s is listed twice", i, am.ID)
			continue
		}
		a := &Account{ID: am.ID, Name: am.Name}
		w.accounts[a.ID] = a
		w.Accounts = append(w.Accounts, a)
		scps := c.docs(am.SCPs, policy.SCP, "SCP of account "+a.ID)
		rcps := c.docs(am.RCPs, policy.RCP, "RCP of account "+a.ID)
		c.place(o, a, scps, rcps, c.at("accounts", i))
		c.s3Key(a)
		c.accountManagedPolicies(a, am, i)
		c.groups(a, am, i)
		for j := range am.Users {
			c.user(a, &am.Users[j], c.at("accounts", i, "users", j))
		}
		for j := range am.Roles {
			c.role(a, &am.Roles[j], c.at("accounts", i, "roles", j))
		}
		for j := range am.Keys {
			c.key(a, &am.Keys[j], c.at("accounts", i, "keys", j))
		}
	}
	for i := range m.Accounts {
		a := w.accounts[m.Accounts[i].ID]
		if a == nil {
			continue
		}
		for j := range m.Accounts[i].Buckets {
			c.bucket(a, &m.Accounts[i].Buckets[j], c.at("accounts", i, "buckets", j))
		}
	}
	c.profiles(m)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return w, nil
}

func isAccountID(s string) bool { return arn.IsAccountID(s) }

// UniqueID derives a stable IAM unique ID (AIDA..., AROA..., AGPA...,
// ANPA...) from an ARN, as the world gives its users and roles.
func UniqueID(prefix, arn string) string { return uniqueID(prefix, arn) }

// uniqueID derives a stable IAM unique ID (AIDA..., AROA...) from an ARN.
func uniqueID(prefix, arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return prefix + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// NormPath returns an IAM path as the world keeps it: "/" when empty,
// with a leading and a trailing slash.
func NormPath(p string) string { return normPath(p) }

func normPath(p string) string {
	if p == "" {
		return "/"
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

func (c *compiler) user(a *Account, um *UserModel, at *yaml.Node) {
	if !iamNameRE.MatchString(um.Name) {
		c.fail(at, "user name %q in account %s is not a valid IAM name (1-64 of letters, digits and +=,.@_-)", um.Name, a.ID)
		return
	}
	path := normPath(um.Path)
	u := &User{Name: um.Name, Path: path, Account: a, Tags: um.Tags,
		ARN: "arn:aws:iam::" + a.ID + ":user" + path + um.Name}
	u.ID = uniqueID("AIDA", u.ARN)
	if c.w.users[u.ARN] != nil {
		c.fail(at, "user %s is listed twice", u.ARN)
		return
	}
	u.Policies = c.named(um.Policies, policy.Identity, "policy %q of user "+u.ARN)
	u.Attached = c.attached(a, um.ManagedPolicies, "user "+u.ARN, at)
	c.userGroups(a, u, um.Groups, at)
	if um.Boundary != nil {
		u.Boundary = c.boundary(a, *um.Boundary, "user "+u.ARN)
	}
	for _, k := range um.AccessKeys {
		if k.ID == "" || k.Secret == "" {
			c.fail(at, "user %s: every access key needs id and secret", u.ARN)
			continue
		}
		if other := c.w.accessKeys[k.ID]; other != nil {
			c.fail(at, "access key %s is given to both %s and %s", k.ID, other.User.ARN, u.ARN)
			continue
		}
		c.w.accessKeys[k.ID] = &Credential{AccessKeyID: k.ID, Secret: k.Secret, User: u}
	}
	c.w.users[u.ARN] = u
	a.Users = append(a.Users, u)
}

func (c *compiler) role(a *Account, rm *RoleModel, at *yaml.Node) {
	if !iamNameRE.MatchString(rm.Name) {
		c.fail(at, "role name %q in account %s is not a valid IAM name", rm.Name, a.ID)
		return
	}
	path := normPath(rm.Path)
	r := &Role{Name: rm.Name, Path: path, Account: a, Tags: rm.Tags,
		ARN: "arn:aws:iam::" + a.ID + ":role" + path + rm.Name}
	r.ID = uniqueID("AROA", r.ARN)
	if c.w.roles[r.ARN] != nil {
		c.fail(at, "role %s is listed twice", r.ARN)
		return
	}
	if rm.Trust != nil {
		r.Trust = c.doc(*rm.Trust, policy.Trust, "trust policy of role "+r.ARN)
	}
	r.Policies = c.named(rm.Policies, policy.Identity, "policy %q of role "+r.ARN)
	r.Attached = c.attached(a, rm.ManagedPolicies, "role "+r.ARN, at)
	if rm.Boundary != nil {
		r.Boundary = c.boundary(a, *rm.Boundary, "role "+r.ARN)
	}
	c.w.roles[r.ARN] = r
	a.Roles = append(a.Roles, r)
}

func (c *compiler) bucket(a *Account, bm *BucketModel, line *yaml.Node) {
	if !ValidBucketName(bm.Name) {
		c.fail(line, "bucket name %q is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)", bm.Name)
		return
	}
	if other := c.w.buckets[bm.Name]; other != nil {
		c.fail(line, "bucket %q is listed in accounts %s and %s: bucket names are global", bm.Name, other.Account.ID, a.ID)
		return
	}
	b := &Bucket{Name: bm.Name, ARN: "arn:aws:s3:::" + bm.Name, Account: a, Region: bm.Region, Ownership: bm.Ownership}
	if b.Region == "" {
		b.Region = c.w.Region
	}
	switch b.Ownership {
	case "":
		b.Ownership = BucketOwnerEnforced
	case BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter:
	default:
		c.fail(line, "bucket %s: ownership %q must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter", b.Name, b.Ownership)
	}
	switch bm.Versioning {
	case "", VersioningEnabled, VersioningSuspended:
		b.Versioning = bm.Versioning
	default:
		c.fail(line, "bucket %s: versioning %q must be Enabled or Suspended", b.Name, bm.Versioning)
	}
	if bm.Policy != nil {
		b.Policy = c.doc(*bm.Policy, policy.Resource, "bucket policy of "+b.Name)
		if b.Policy != nil {
			if errs := policy.CheckBucketResources(b.Policy, b.Name); errs != nil {
				c.policyErrors(bm.Policy.Node, b.Policy.Source, b.Policy.Name, errs)
			}
		}
	}
	if e := bm.Encryption; e != nil && e.KMSKey != "" {
		k := c.w.keys[e.KMSKey]
		if k == nil {
			c.fail(line, "bucket %s: encryption.kms_key %q is not a key or alias ARN of the world (arn:aws:kms:%s:ACCOUNT:key/ID)", b.Name, e.KMSKey, c.w.Region)
		}
		b.KMSKey, b.BucketKey = k, e.BucketKey
	}
	keys := make([]string, 0, len(bm.Objects))
	for k := range bm.Objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.Objects = append(b.Objects, Object{Key: k, Data: []byte(bm.Objects[k])})
	}
	c.w.buckets[b.Name] = b
	a.Buckets = append(a.Buckets, b)
}

// named compiles a mapping of policy name -> document.
func (c *compiler) named(nd NamedDocs, t policy.Type, what string) []*policy.Policy {
	var out []*policy.Policy
	for i, name := range nd.Names {
		if p := c.doc(nd.Docs[i], t, fmt.Sprintf(what, name)); p != nil {
			p.Name = name
			out = append(out, p)
		}
	}
	return out
}

// docs compiles a list of SCPs or RCPs. "FullAWSAccess" names the AWS
// managed SCP that allows everything. "RCPFullAWSAccess", the AWS managed
// RCP, is attached at every level and cannot be detached: lockstep implies
// it, so naming it changes nothing, and a custom RCP may only deny
// (docs/authorization.md §1.9).
func (c *compiler) docs(ds []Doc, t policy.Type, what string) []*policy.Policy {
	var out []*policy.Policy
	for i, d := range ds {
		name := fmt.Sprintf("%s #%d", what, i+1)
		if d.Node != nil && d.Node.Kind == yaml.ScalarNode && (d.Node.Value == "FullAWSAccess" || d.Node.Value == "RCPFullAWSAccess") {
			switch {
			case t == policy.SCP && d.Node.Value == "FullAWSAccess":
				p := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, t)
				p.Name = d.Node.Value
				out = append(out, p)
			case t == policy.SCP:
				c.fail(d.Node, "%s: RCPFullAWSAccess is a resource control policy; the SCP that allows everything is FullAWSAccess", name)
			case d.Node.Value == "FullAWSAccess":
				c.fail(d.Node, "%s: FullAWSAccess is a service control policy; the RCP that allows everything, RCPFullAWSAccess, is attached at every level already", name)
			}
			continue
		}
		p := c.doc(d, t, name)
		if p == nil {
			continue
		}
		if t == policy.RCP {
			if i := firstAllow(p); i >= 0 {
				c.fail(d.Node, "%s: Statement[%d] has Effect Allow, but a resource control policy can only deny: RCPFullAWSAccess, which AWS attaches at every level, is the only RCP that allows (docs/authorization.md §1.9)", name, i)
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// firstAllow returns the index of the first Allow statement of p, -1 when
// every statement denies.
func firstAllow(p *policy.Policy) int {
	for i, st := range p.Statements {
		if st.Effect == policy.Allow {
			return i
		}
	}
	return -1
}

// doc converts a YAML policy node to JSON, compiles it, and maps policy
// errors back to file lines.
func (c *compiler) doc(d Doc, t policy.Type, what string) *policy.Policy {
	n := d.Node
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	var src []byte
	fromString := n.Kind == yaml.ScalarNode
	if fromString {
		src = []byte(n.Value)
	} else {
		var err error
		src, err = ToJSON(n)
		if err != nil {
			c.fail(n, "%s: %v", what, err)
			return nil
		}
	}
	p, err := policy.Parse(src, t)
	if err != nil {
		c.policyErrors(n, src, what, err)
		return nil
	}
	p.Name = what
	return p
}

// policyErrors reports the errors of a policy document compiled from the
// YAML node n (src is its JSON text), each on its own line.
func (c *compiler) policyErrors(n *yaml.Node, src []byte, what string, err error) {
	var list policy.ErrorList
	if !errors.As(err, &list) {
		c.fail(n, "%s: %v", what, err)
		return
	}
	fromString := n.Kind == yaml.ScalarNode
	for _, e := range list {
		line := n
		if !fromString {
			line = nodeAtPath(n, e.Path)
		}
		msg := e.Error()
		if fromString {
			l, col := policy.LineCol(src, e.Offset)
			msg = fmt.Sprintf("%s (line %d, column %d of the JSON text)", msg, l, col)
		}
		c.fail(line, "%s: %s", what, msg)
	}
}

package plan

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Policies are the least-privilege documents of a plan.
type Policies struct {
	// Identity is the principal's identity-based policy; with two
	// credential sets, the destination's principal's.
	Identity *Document
	// SourceIdentity, with two credential sets, is the identity-based
	// policy of the source's principal; nil otherwise.
	SourceIdentity *Document
	// Buckets are bucket policies for buckets in another account than the
	// principal's, by bucket name.
	Buckets map[string]*Document
	// Keys are key policy statements for customer managed keys in another
	// account, by key ARN. They are statements to add to the key's
	// policy, which keeps its own statements.
	Keys map[string]*Document
	// Trust is the trust policy of the principal when it is a role a
	// service assumes (BatchCopy: the job's role); nil otherwise.
	Trust *Document
}

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one policy statement.
type Statement struct {
	Sid       string            `json:"Sid,omitempty"`
	Effect    string            `json:"Effect"`
	Principal map[string]string `json:"Principal,omitempty"`
	Action    []string          `json:"Action"`
	// Resource is absent from a trust policy only.
	Resource  []string                       `json:"Resource,omitempty"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// JSON returns the document as indented JSON.
func (d *Document) JSON() []byte {
	b, _ := json.MarshalIndent(d, "", "  ")
	return append(b, '\n')
}

// policyPrincipal is the ARN a resource policy names for the principal:
// the role of an assumed-role session, which covers its sessions
// (docs/authorization.md §1.3 step 4), or the user.
func policyPrincipal(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:aws:sts::")
	if !ok {
		return arn
	}
	account, res, _ := strings.Cut(rest, ":")
	parts := strings.Split(res, "/")
	if len(parts) >= 2 && parts[0] == "assumed-role" {
		return "arn:aws:iam::" + account + ":role/" + parts[1]
	}
	return arn
}

// policies groups the needs into documents: statements per resource set
// and condition set, each with the actions it needs; with two credential
// sets, one identity policy per principal, and resource policies with the
// statements of each principal that needs them.
func (p *Plan) policies() Policies {
	var needs []Need
	for _, n := range p.Needs {
		// Never a non-ARN resource in a policy (an unresolved
		// --sse-kms-key-id alias: notes).
		if isPolicyResource(n.Resource) {
			needs = append(needs, n)
		}
	}
	pol := Policies{Identity: p.document(signedBy(needs, false), "")}
	if p.Job != nil {
		pol.Trust = batchTrust()
	}
	if p.TwoPrincipals() {
		pol.SourceIdentity = p.document(signedBy(needs, true), "")
	}
	byBucket := map[string][]Need{}
	byKey := map[string][]Need{}
	for _, n := range needs {
		if acct := accountOfARN(p.principalOf(n.Signer)); acct == "" || n.Account == "" || n.Account == acct {
			continue
		}
		if strings.HasPrefix(n.Action, "kms:") {
			byKey[n.Resource] = append(byKey[n.Resource], n)
			continue
		}
		bucket := strings.TrimPrefix(n.Resource, "arn:aws:s3:::")
		bucket, _, _ = strings.Cut(bucket, "/")
		byBucket[bucket] = append(byBucket[bucket], n)
	}
	if len(byBucket) > 0 {
		pol.Buckets = map[string]*Document{}
		for b, needs := range byBucket {
			pol.Buckets[b] = p.resourceDocument(needs)
		}
	}
	if len(byKey) > 0 {
		pol.Keys = map[string]*Document{}
		for k, needs := range byKey {
			d := p.resourceDocument(needs)
			for i := range d.Statement {
				// In a key policy, "*" is the key itself.
				d.Statement[i].Resource = []string{"*"}
			}
			pol.Keys[k] = d
		}
	}
	return pol
}

// signedBy are the needs of the source's principal (source) or of the
// other, the only one with one set of credentials.
func signedBy(needs []Need, source bool) []Need {
	var out []Need
	for _, n := range needs {
		if (n.Signer == "source") == source {
			out = append(out, n)
		}
	}
	return out
}

// resourceDocument is a bucket or key policy for needs: the statements
// of the source's principal, then those of the other, each naming its
// principal.
func (p *Plan) resourceDocument(needs []Need) *Document {
	d := &Document{Version: "2012-10-17"}
	used := map[string]bool{}
	for _, source := range []bool{true, false} {
		group := signedBy(needs, source)
		if len(group) == 0 {
			continue
		}
		signer := ""
		if source {
			signer = "source"
		}
		for _, st := range p.document(group, policyPrincipal(p.principalOf(signer))).Statement {
			// The same resources for both principals: the Sid
			// names whose statement it is.
			if used[st.Sid] && signer == "source" {
				st.Sid += "Source"
			}
			st.Sid = uniqueSid(used, st.Sid)
			used[st.Sid] = true
			d.Statement = append(d.Statement, st)
		}
	}
	return d
}

var sidUnsafe = regexp.MustCompile(`[^A-Za-z0-9]+`)

// document builds a policy from needs; principal is set for resource
// policies.
func (p *Plan) document(needs []Need, principal string) *Document {
	return documentOf(needs, principal)
}

// documentOf is document: the statements of needs, grouped.
func documentOf(needs []Need, principal string) *Document {
	type group struct {
		resources []string
		cond      map[string]map[string][]string
		actions   []string
		order     int
	}
	// Group actions by resource and condition, then resources with the
	// same actions and condition.
	byRes := map[string]*group{}
	var keys []string
	for i, n := range needs {
		k := n.Resource + "|" + strings.Join(sortedConditions(n.Conditions), ";")
		g := byRes[k]
		if g == nil {
			g = &group{resources: []string{n.Resource}, cond: n.Conditions, order: i}
			byRes[k] = g
			keys = append(keys, k)
		}
		if !containsString(g.actions, n.Action) {
			g.actions = append(g.actions, n.Action)
		}
	}
	merged := map[string]*group{}
	var order []string
	for _, k := range keys {
		g := byRes[k]
		sort.Strings(g.actions)
		mk := strings.Join(g.actions, ",") + "|" + strings.Join(sortedConditions(g.cond), ";")
		if m := merged[mk]; m != nil {
			m.resources = append(m.resources, g.resources...)
			continue
		}
		merged[mk] = g
		order = append(order, mk)
	}
	d := &Document{Version: "2012-10-17"}
	named := map[string]int{}
	for _, mk := range order {
		named[sidFor(merged[mk].actions, merged[mk].resources)]++
	}
	used := map[string]bool{}
	for _, mk := range order {
		g := merged[mk]
		st := Statement{Effect: "Allow", Action: g.actions, Resource: g.resources, Condition: g.cond}
		if principal != "" {
			st.Principal = map[string]string{"AWS": principal}
		}
		st.Sid = sidFor(g.actions, g.resources)
		if named[st.Sid] > 1 {
			// Statements on the same resources differ by their
			// actions (or conditions): the first action names it.
			st.Sid += sidWords(g.actions[0][strings.Index(g.actions[0], ":")+1:])
		}
		st.Sid = uniqueSid(used, st.Sid)
		used[st.Sid] = true
		d.Statement = append(d.Statement, st)
	}
	return d
}

// uniqueSid is sid, or sid with the first number from 2 that makes it
// one used does not hold.
func uniqueSid(used map[string]bool, sid string) string {
	if !used[sid] {
		return sid
	}
	for n := 2; ; n++ {
		if s := fmt.Sprintf("%s%d", sid, n); !used[s] {
			return s
		}
	}
}

// sidFor names a statement after what it allows: its kind (Objects,
// Bucket, Key) and each of its resources, a bucket with the folder of
// the keys when they are under one, a key by the start of its ID, e.g.
// "BucketCpSrc", "ObjectsCpDstBatchCpSrc" (cp-dst/batch/manifest.csv and
// cp-src/*), "Key1234abcd".
func sidFor(actions []string, resources []string) string {
	kind := "Objects"
	switch {
	case strings.HasPrefix(actions[0], "kms:"):
		kind = "Key"
	case !strings.Contains(strings.TrimPrefix(resources[0], "arn:aws:s3:::"), "/"):
		kind = "Bucket"
	}
	var b strings.Builder
	b.WriteString(kind)
	seen := map[string]bool{}
	for _, r := range resources {
		name := sidName(r)
		if !seen[name] {
			seen[name] = true
			b.WriteString(name)
		}
	}
	return b.String()
}

// sidName is the part of a Sid that names a resource: an S3 bucket, with
// the key's first folder when the key has one before any wildcard; a KMS
// key by the first 8 characters of its ID; else the resource's last
// path element.
func sidName(resource string) string {
	name := resource
	if i := strings.LastIndex(resource, ":::"); i >= 0 {
		bucket, key, _ := strings.Cut(resource[i+3:], "/")
		name = bucket
		if folder, _, ok := strings.Cut(key, "/"); ok && !strings.ContainsAny(folder, "*?") {
			name += "-" + folder
		}
	} else if i := strings.LastIndex(resource, "/"); i >= 0 {
		name = resource[i+1:]
		if len(name) > 8 {
			name = name[:8]
		}
	}
	return sidWords(name)
}

// sidWords is s with its runs of characters a Sid may not hold removed,
// each word capitalized.
func sidWords(s string) string {
	var b strings.Builder
	for _, part := range sidUnsafe.Split(s, -1) {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

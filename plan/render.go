package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the plan for people: the calls, the permissions, then
// the policy documents.
func (p *Plan) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "lockstep plan: %s\n", p.title())
	fmt.Fprintf(w, "client model: %s\n", p.modelLine())
	twoSets := p.TwoPrincipals()
	switch {
	case twoSets:
		fmt.Fprintf(w, "principals:   source (%s): %s\n", p.credentialsOf("source"), sideUnknown(p.Context.SourcePrincipal))
		fmt.Fprintf(w, "              destination (%s): %s\n", p.credentialsOf("destination"), sideUnknown(p.Context.Principal))
	case p.Context.Principal != "":
		fmt.Fprintf(w, "principal:    %s\n", p.Context.Principal)
	}
	fmt.Fprintf(w, "\nCalls\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if twoSets {
		fmt.Fprintln(tw, "  #\tside\tsigned by\tcall\tresource\tneeds\twhen\t")
	} else {
		fmt.Fprintln(tw, "  #\tside\tcall\tresource\tneeds\twhen\t")
	}
	for i, c := range p.Calls {
		side := c.Side
		if twoSets {
			side += "\t" + c.Signer
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t\n", i+1, side, c.Operation, c.target(), strings.Join(p.actionsOf(i), " "), c.When)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nWhy\n")
	for i, c := range p.Calls {
		fmt.Fprintf(w, "  %d %s: %s\n", i+1, c.Operation, c.Why)
	}
	for _, n := range p.Needs {
		if n.Why != "" {
			fmt.Fprintf(w, "  %s on %s: %s\n", n.Action, n.Resource, n.Why)
		}
	}
	if twoSets {
		fmt.Fprintf(w, "\nIdentity policy of the source's principal (%s): %s\n", p.credentialsOf("source"), sideUnknown(p.Context.SourcePrincipal))
		w.Write(p.Policies.SourceIdentity.JSON())
		fmt.Fprintf(w, "\nIdentity policy of the destination's principal (%s): %s\n", p.credentialsOf("destination"), sideUnknown(p.Context.Principal))
	} else {
		if p.Policies.Trust != nil {
			fmt.Fprintf(w, "\nTrust policy of %s\n", orUnknown(p.Context.Principal))
			w.Write(p.Policies.Trust.JSON())
			fmt.Fprintf(w, "\nPermissions policy of %s\n", orUnknown(p.Context.Principal))
		} else {
			fmt.Fprintf(w, "\nIdentity policy of %s\n", orUnknown(p.Context.Principal))
		}
	}
	w.Write(p.Policies.Identity.JSON())
	for _, b := range sortedMapKeys(p.Policies.Buckets) {
		fmt.Fprintf(w, "\nBucket policy statements for %s (account %s), for the cross-account caller\n", b, p.accountOf(b))
		fmt.Fprintf(w, "  (%s)\n", p.currentNote("bucket", b))
		w.Write(p.Policies.Buckets[b].JSON())
	}
	for _, k := range sortedMapKeys(p.Policies.Keys) {
		fmt.Fprintf(w, "\nKey policy statements for %s\n", k)
		fmt.Fprintf(w, "  (%s)\n", p.currentNote("key", k))
		w.Write(p.Policies.Keys[k].JSON())
	}
	if len(p.Notes) > 0 {
		fmt.Fprintf(w, "\nNotes\n")
		for _, n := range p.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	return nil
}

// currentNote says how a bucket's or key's statements join its current
// policy, which putting a policy replaces whole.
func (p *Plan) currentNote(kind, name string) string {
	switch c, _ := p.currentPolicy(kind, name); c {
	case CurrentNone:
		return "the world gives it no policy: these statements are its whole policy"
	case CurrentKnown:
		return "merge these into its current policy, which the world gives: --output json, --output terraform and --out hold the merged policy"
	}
	return "merge these into its current policy, unknown here (give --world): putting a policy replaces the whole policy; --output terraform merges them"
}

// credentialsOf names the credentials of a side of a job with two
// credential sets: its profile, or the default chain.
func (p *Plan) credentialsOf(signer string) string {
	profile := p.Command.Creds.Profile
	if signer == "source" {
		profile = p.Command.Creds.SourceProfile
	}
	if profile == "" {
		return "the default credential chain"
	}
	return "profile " + profile
}

// sideUnknown is the principal of one side of a job with two credential
// sets, or how to give it.
func sideUnknown(arn string) string {
	if arn == "" {
		return "unknown (give --world, whose profiles name the profile's principal)"
	}
	return arn
}

func orUnknown(s string) string {
	if s == "" {
		return "the principal (unknown: give --principal)"
	}
	return s
}

// target is how a call's resource is shown: s3://bucket/key, with the
// copy source and the listing prefix.
func (c Call) target() string {
	if c.Bucket == "" && strings.HasPrefix(c.Key, "arn:aws:kms:") {
		return c.Key // a KMS call of a trail: its key
	}
	t := "s3://" + c.Bucket
	if c.Key != "" {
		t += "/" + c.Key
	}
	if c.SourceBucket != "" {
		t += " <- s3://" + c.SourceBucket + "/" + c.SourceKey
	}
	if c.Prefix != nil {
		t += fmt.Sprintf(" (prefix %q", *c.Prefix)
		if c.Delimiter != "" {
			t += fmt.Sprintf(", delimiter %q", c.Delimiter)
		}
		t += ")"
	}
	return t
}

// actionsOf lists the actions call i needs.
func (p *Plan) actionsOf(i int) []string {
	var out []string
	for _, n := range p.Needs {
		if containsInt(n.Calls, i) && !containsString(out, n.Action) {
			out = append(out, n.Action)
		}
	}
	return out
}

func sortedMapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// JSONFormatVersion is the version of the JSON output (docs/plan.md,
// "JSON"): it changes when a field is removed or changes meaning.
const JSONFormatVersion = 1

// jsonPlan is the machine form of a plan. Every slice is written, empty
// or not, in a fixed order; the maps (conditions, principals) are written
// with their keys sorted.
type jsonPlan struct {
	FormatVersion int                  `json:"formatVersion"`
	Command       string               `json:"command"`
	Origin        string               `json:"origin"`
	Client        Client               `json:"client"`
	Model         string               `json:"model"`
	ModelSource   string               `json:"modelSource"`
	Principal     string               `json:"principal"`
	Region        string               `json:"region"`
	Calls         []jsonCall           `json:"calls"`
	Permissions   []jsonNeed           `json:"permissions"`
	Identity      *Document            `json:"identityPolicy"`
	Trust         *Document            `json:"trustPolicy,omitempty"`
	Principals    []jsonPrincipal      `json:"principals"`
	Buckets       []jsonResourcePolicy `json:"bucketPolicies"`
	Keys          []jsonResourcePolicy `json:"keyPolicies"`
	Notes         []string             `json:"notes"`
}

// jsonPrincipal is one principal of the plan and its identity policy:
// the only one (signs "all"), or, with two credential sets, the source's
// and the destination's.
type jsonPrincipal struct {
	Signs     string    `json:"signs"`
	Profile   string    `json:"profile"`
	Principal string    `json:"principal"`
	Identity  *Document `json:"identityPolicy"`
}

type jsonCall struct {
	Side         string   `json:"side"`
	Signer       string   `json:"signer,omitempty"`
	Operation    string   `json:"operation"`
	Bucket       string   `json:"bucket"`
	Key          string   `json:"key,omitempty"`
	SourceBucket string   `json:"sourceBucket,omitempty"`
	SourceKey    string   `json:"sourceKey,omitempty"`
	Prefix       *string  `json:"prefix,omitempty"`
	Delimiter    string   `json:"delimiter,omitempty"`
	Optional     bool     `json:"optional"`
	Actions      []string `json:"actions"`
	When         string   `json:"when"`
	Why          string   `json:"why"`
}

type jsonNeed struct {
	Action     string                         `json:"action"`
	Resource   string                         `json:"resource"`
	Conditions map[string]map[string][]string `json:"conditions,omitempty"`
	Account    string                         `json:"account"`
	ViaS3      bool                           `json:"viaS3"`
	Signer     string                         `json:"signer,omitempty"`
	Calls      []int                          `json:"calls"`
	Why        string                         `json:"why,omitempty"`
}

// jsonResourcePolicy is the planned statements of a bucket or key policy.
type jsonResourcePolicy struct {
	Bucket     string    `json:"bucket,omitempty"`
	Key        string    `json:"key,omitempty"`
	Account    string    `json:"account"`
	Statements *Document `json:"statements"`
	// Current is "known", "none" or "unknown"; Policy, the whole policy
	// to put (the current one with the statements merged in), is absent
	// when the current policy is unknown.
	Current string          `json:"current"`
	Policy  json.RawMessage `json:"policy,omitempty"`
}

// WriteJSON writes the plan as one JSON object, documented field by
// field in docs/plan.md.
func (p *Plan) WriteJSON(w io.Writer) error {
	out := jsonPlan{FormatVersion: JSONFormatVersion, Origin: p.Origin, Principal: p.Context.Principal, Region: p.Context.Region,
		Calls: []jsonCall{}, Permissions: []jsonNeed{}, Identity: p.Policies.Identity, Trust: p.Policies.Trust,
		Buckets: []jsonResourcePolicy{}, Keys: []jsonResourcePolicy{}, Notes: append([]string{}, p.Notes...)}
	if p.Command != nil {
		out.Command, out.Client, out.Model, out.ModelSource = p.Command.String(), p.Command.Client, p.Model.Name, p.Model.Source
	}
	for i, c := range p.Calls {
		out.Calls = append(out.Calls, jsonCall{Side: c.Side, Signer: c.Signer, Operation: c.Operation, Bucket: c.Bucket, Key: c.Key,
			SourceBucket: c.SourceBucket, SourceKey: c.SourceKey, Prefix: c.Prefix, Delimiter: c.Delimiter,
			Optional: c.Optional, Actions: append([]string{}, p.actionsOf(i)...), When: c.When, Why: c.Why})
	}
	for _, n := range p.Needs {
		calls := make([]int, len(n.Calls))
		for i, c := range n.Calls {
			calls[i] = c + 1
		}
		out.Permissions = append(out.Permissions, jsonNeed{Action: n.Action, Resource: n.Resource, Conditions: n.Conditions,
			Account: n.Account, ViaS3: n.Via == "s3", Signer: n.Signer, Calls: calls, Why: n.Why})
	}
	if p.TwoPrincipals() {
		out.Principals = []jsonPrincipal{
			{Signs: "source", Profile: p.Command.Creds.SourceProfile, Principal: p.Context.SourcePrincipal, Identity: p.Policies.SourceIdentity},
			{Signs: "destination", Profile: p.Command.Creds.Profile, Principal: p.Context.Principal, Identity: p.Policies.Identity},
		}
	} else {
		profile := ""
		if p.Command != nil {
			profile = p.Command.Creds.Profile
		}
		out.Principals = []jsonPrincipal{{Signs: "all", Profile: profile, Principal: p.Context.Principal, Identity: p.Policies.Identity}}
	}
	for _, b := range sortedMapKeys(p.Policies.Buckets) {
		rp, err := p.jsonResourcePolicy("bucket", b, p.Policies.Buckets[b])
		if err != nil {
			return err
		}
		rp.Bucket, rp.Account = b, p.accountOf(b)
		out.Buckets = append(out.Buckets, rp)
	}
	for _, k := range sortedMapKeys(p.Policies.Keys) {
		rp, err := p.jsonResourcePolicy("key", k, p.Policies.Keys[k])
		if err != nil {
			return err
		}
		rp.Key, rp.Account = k, accountOfARN(k)
		out.Keys = append(out.Keys, rp)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func (p *Plan) jsonResourcePolicy(kind, name string, d *Document) (jsonResourcePolicy, error) {
	current, src := p.currentPolicy(kind, name)
	rp := jsonResourcePolicy{Statements: d, Current: current.String()}
	if current != CurrentUnknown {
		merged, err := mergePolicy(src, d)
		if err != nil {
			return rp, fmt.Errorf("%s %s: merging the planned statements with its current policy: %w", kind, name, err)
		}
		rp.Policy = merged
	}
	return rp, nil
}

// WriteFiles writes one policy document per file into dir: identity.json;
// bucket-<bucket>.json and key-<key id>.json, the whole policy to put,
// when the current policy is known (merged with it) or absent; else
// bucket-<bucket>.statements.json and key-<key id>.statements.json, the
// statements to merge into the current policy.
func (p *Plan) WriteFiles(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	write := func(name string, data []byte) error {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		written = append(written, path)
		return nil
	}
	if p.TwoPrincipals() {
		// One identity policy per principal.
		if err := write("identity-source.json", p.Policies.SourceIdentity.JSON()); err != nil {
			return nil, err
		}
		if err := write("identity-destination.json", p.Policies.Identity.JSON()); err != nil {
			return nil, err
		}
	} else if err := write("identity.json", p.Policies.Identity.JSON()); err != nil {
		return nil, err
	}
	if p.Policies.Trust != nil {
		if err := write("trust.json", p.Policies.Trust.JSON()); err != nil {
			return nil, err
		}
	}
	resource := func(kind, name, file string, d *Document) error {
		current, src := p.currentPolicy(kind, name)
		if current == CurrentUnknown {
			return write(file+".statements.json", d.JSON())
		}
		merged, err := mergePolicy(src, d)
		if err != nil {
			return fmt.Errorf("%s %s: merging the planned statements with its current policy: %w", kind, name, err)
		}
		return write(file+".json", merged)
	}
	for _, b := range sortedMapKeys(p.Policies.Buckets) {
		if err := resource("bucket", b, "bucket-"+b, p.Policies.Buckets[b]); err != nil {
			return nil, err
		}
	}
	for _, k := range sortedMapKeys(p.Policies.Keys) {
		if err := resource("key", k, "key-"+keyID(k), p.Policies.Keys[k]); err != nil {
			return nil, err
		}
	}
	return written, nil
}

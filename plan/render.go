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
	fmt.Fprintf(w, "lockstep plan: %s\n", p.Command.String())
	fmt.Fprintf(w, "client model: %s (%s)\n", p.Model.Name, p.Model.Source)
	if p.Context.Principal != "" {
		fmt.Fprintf(w, "principal:    %s\n", p.Context.Principal)
	}
	fmt.Fprintf(w, "\nCalls\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  #\tside\tcall\tresource\tneeds\twhen\t")
	for i, c := range p.Calls {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t\n", i+1, c.Side, c.Operation, c.target(), strings.Join(p.actionsOf(i), " "), c.When)
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
	fmt.Fprintf(w, "\nIdentity policy of %s\n", orUnknown(p.Context.Principal))
	w.Write(p.Policies.Identity.JSON())
	for _, b := range sortedMapKeys(p.Policies.Buckets) {
		fmt.Fprintf(w, "\nBucket policy of %s (account %s), for the cross-account caller\n", b, p.Context.BucketAccount[b])
		w.Write(p.Policies.Buckets[b].JSON())
	}
	for _, k := range sortedMapKeys(p.Policies.Keys) {
		fmt.Fprintf(w, "\nKey policy statements to add to %s\n", k)
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

func orUnknown(s string) string {
	if s == "" {
		return "the principal (unknown: give --principal)"
	}
	return s
}

// target is how a call's resource is shown: s3://bucket/key, with the
// copy source and the listing prefix.
func (c Call) target() string {
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

// jsonPlan is the machine form of a plan.
type jsonPlan struct {
	Command     string               `json:"command"`
	Client      Client               `json:"client"`
	ModelSource string               `json:"modelSource"`
	Principal   string               `json:"principal,omitempty"`
	Calls       []jsonCall           `json:"calls"`
	Permissions []jsonNeed           `json:"permissions"`
	Identity    *Document            `json:"identityPolicy"`
	Buckets     map[string]*Document `json:"bucketPolicies,omitempty"`
	Keys        map[string]*Document `json:"keyPolicyStatements,omitempty"`
	Notes       []string             `json:"notes,omitempty"`
}

type jsonCall struct {
	Side         string   `json:"side"`
	Operation    string   `json:"operation"`
	Bucket       string   `json:"bucket"`
	Key          string   `json:"key,omitempty"`
	SourceBucket string   `json:"sourceBucket,omitempty"`
	SourceKey    string   `json:"sourceKey,omitempty"`
	Prefix       *string  `json:"prefix,omitempty"`
	Delimiter    string   `json:"delimiter,omitempty"`
	Actions      []string `json:"actions"`
	When         string   `json:"when"`
	Why          string   `json:"why"`
}

type jsonNeed struct {
	Action     string                         `json:"action"`
	Resource   string                         `json:"resource"`
	Conditions map[string]map[string][]string `json:"conditions,omitempty"`
	Account    string                         `json:"account,omitempty"`
	ViaS3      bool                           `json:"viaS3,omitempty"`
	Calls      []int                          `json:"calls"`
}

// WriteJSON writes the plan as one JSON object.
func (p *Plan) WriteJSON(w io.Writer) error {
	out := jsonPlan{Command: p.Command.String(), Client: p.Command.Client, ModelSource: p.Model.Source,
		Principal: p.Context.Principal, Identity: p.Policies.Identity, Buckets: p.Policies.Buckets,
		Keys: p.Policies.Keys, Notes: p.Notes}
	for i, c := range p.Calls {
		out.Calls = append(out.Calls, jsonCall{Side: c.Side, Operation: c.Operation, Bucket: c.Bucket, Key: c.Key,
			SourceBucket: c.SourceBucket, SourceKey: c.SourceKey, Prefix: c.Prefix, Delimiter: c.Delimiter,
			Actions: p.actionsOf(i), When: c.When, Why: c.Why})
	}
	for _, n := range p.Needs {
		calls := make([]int, len(n.Calls))
		for i, c := range n.Calls {
			calls[i] = c + 1
		}
		out.Permissions = append(out.Permissions, jsonNeed{Action: n.Action, Resource: n.Resource, Conditions: n.Conditions,
			Account: n.Account, ViaS3: n.Via == "s3", Calls: calls})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteFiles writes one policy document per file into dir:
// identity.json, bucket-<bucket>.json and key-<key id>.json.
func (p *Plan) WriteFiles(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	write := func(name string, d *Document) error {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, d.JSON(), 0o644); err != nil {
			return err
		}
		written = append(written, path)
		return nil
	}
	if err := write("identity.json", p.Policies.Identity); err != nil {
		return nil, err
	}
	for _, b := range sortedMapKeys(p.Policies.Buckets) {
		if err := write("bucket-"+b+".json", p.Policies.Buckets[b]); err != nil {
			return nil, err
		}
	}
	for _, k := range sortedMapKeys(p.Policies.Keys) {
		id := k[strings.LastIndexAny(k, "/:")+1:]
		if err := write("key-"+id+".json", p.Policies.Keys[k]); err != nil {
			return nil, err
		}
	}
	return written, nil
}

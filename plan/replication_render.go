package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/lockstep-dev/lockstep/replication"
)

// ConfigurationJSON is the replication configuration as `aws s3api
// put-bucket-replication --replication-configuration file://...` reads
// it.
func (p *ReplicationPlan) ConfigurationJSON() []byte {
	b, _ := json.MarshalIndent(p.Configuration, "", "  ")
	return append(b, '\n')
}

func describeBucket(b ReplicationBucket) string {
	s := fmt.Sprintf("s3://%s (account %s, %s", b.Name, b.Account, b.Region)
	if b.KMSKey != "" {
		s += ", SSE-KMS " + b.KMSKey
		if b.BucketKey {
			s += " with an S3 Bucket Key"
		}
	}
	return s + ")"
}

// destinationPolicyNote says how the destination's planned statements
// join its current policy, which putting a policy replaces whole.
func (p *ReplicationPlan) destinationPolicyNote() string {
	switch p.Setup.DestinationPolicy {
	case CurrentNone:
		return "the world gives it no policy: these statements are its whole policy"
	case CurrentKnown:
		return "merge these into its current policy, which the world gives: the whole policy follows, and --output json and --output terraform hold it"
	}
	return "merge these into its current policy, unknown here (give --world): putting a policy replaces the whole policy; --output terraform merges them"
}

// WriteTable writes the plan for people: the steps, the configuration and
// every policy document.
func (p *ReplicationPlan) WriteTable(w io.Writer) error {
	var b bytes.Buffer
	s := p.Setup
	fmt.Fprintf(&b, "S3 Replication from %s\n                 to %s\nrole %s\n\n", describeBucket(s.Source), describeBucket(s.Destination), p.Role)
	b.WriteString("The calls S3 makes as the role (docs/authorization.md §2.7):\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, n := range p.needs() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", n.Action, n.Resource, n.Why)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(&b, "\nReplication configuration of %s (aws s3api put-bucket-replication --bucket %s --replication-configuration file://replication.json):\n", s.Source.Name, s.Source.Name)
	b.Write(p.ConfigurationJSON())
	fmt.Fprintf(&b, "\nTrust policy of %s:\n", p.Role)
	b.Write(p.Trust.JSON())
	fmt.Fprintf(&b, "\nPermissions policy of %s:\n", p.Role)
	b.Write(p.Permissions.JSON())
	if p.DestinationBucketPolicy != nil {
		fmt.Fprintf(&b, "\nBucket policy statements for %s (account %s)\n  (%s)\n", s.Destination.Name, s.Destination.Account, p.destinationPolicyNote())
		b.Write(p.DestinationBucketPolicy.JSON())
		merged, err := p.MergedDestinationBucketPolicy()
		if err != nil {
			return err
		}
		if merged != nil && s.DestinationPolicy == CurrentKnown {
			fmt.Fprintf(&b, "\nBucket policy of %s to put (its current policy with the statements merged in):\n", s.Destination.Name)
			b.Write(merged)
		}
	}
	for _, key := range sortedMapKeys(p.Keys) {
		fmt.Fprintf(&b, "\nStatements to add to the key policy of %s:\n", key)
		b.Write(p.Keys[key].JSON())
	}
	if len(p.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "  - %s\n", n)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

type jsonReplicationStep struct {
	Action   string `json:"action"`
	Side     string `json:"side"`
	Resource string `json:"resource"`
	Why      string `json:"why"`
	// Documentation is the AWS page that requires the step.
	Documentation string `json:"documentation"`
}

type jsonKeyStatements struct {
	Key        string    `json:"key"`
	Statements *Document `json:"statements"`
}

type jsonReplicationPlan struct {
	Source                  ReplicationBucket          `json:"source"`
	Destination             ReplicationBucket          `json:"destination"`
	Role                    string                     `json:"role"`
	Steps                   []jsonReplicationStep      `json:"steps"`
	Configuration           *replication.Configuration `json:"replicationConfiguration"`
	TrustPolicy             *Document                  `json:"trustPolicy"`
	PermissionsPolicy       *Document                  `json:"permissionsPolicy"`
	DestinationBucketPolicy *Document                  `json:"destinationBucketPolicy,omitempty"`
	// DestinationBucketPolicyCurrent is "known", "none" or "unknown";
	// DestinationBucketPolicyMerged, the whole policy to put (the current
	// one with the statements merged in), is absent when it is unknown.
	DestinationBucketPolicyCurrent string              `json:"destinationBucketPolicyCurrent,omitempty"`
	DestinationBucketPolicyMerged  json.RawMessage     `json:"destinationBucketPolicyMerged,omitempty"`
	KeyPolicyStatements            []jsonKeyStatements `json:"keyPolicyStatements,omitempty"`
	Notes                          []string            `json:"notes,omitempty"`
}

// WriteJSON writes the plan for programs.
func (p *ReplicationPlan) WriteJSON(w io.Writer) error {
	out := jsonReplicationPlan{Source: p.Setup.Source, Destination: p.Setup.Destination, Role: p.Role, Configuration: p.Configuration,
		TrustPolicy: p.Trust, PermissionsPolicy: p.Permissions, DestinationBucketPolicy: p.DestinationBucketPolicy, Notes: p.Notes}
	if p.DestinationBucketPolicy != nil {
		merged, err := p.MergedDestinationBucketPolicy()
		if err != nil {
			return err
		}
		out.DestinationBucketPolicyCurrent, out.DestinationBucketPolicyMerged = p.Setup.DestinationPolicy.String(), merged
	}
	for _, key := range sortedMapKeys(p.Keys) {
		out.KeyPolicyStatements = append(out.KeyPolicyStatements, jsonKeyStatements{Key: key, Statements: p.Keys[key]})
	}
	needs := p.needs()
	for i, st := range p.Steps {
		out.Steps = append(out.Steps, jsonReplicationStep{Action: st.Action, Side: st.Side.String(), Resource: needs[i].Resource, Why: st.Why, Documentation: st.Source})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteTerraform writes the role, its policies and the destination's
// bucket policy as Terraform for the AWS provider (a provider alias per
// account), and the key policy statements as comments to merge: a key
// policy resource replaces the key's whole policy (docs/plan.md
// "Terraform").
func (p *ReplicationPlan) WriteTerraform(w io.Writer) error {
	var b bytes.Buffer
	s := p.Setup
	names := tfNames{}
	provider := func(account string) string { return "aws.account_" + account }
	fmt.Fprintf(&b, "# S3 Replication from s3://%s to s3://%s, planned by lockstep plan replication.\n", s.Source.Name, s.Destination.Name)
	for _, a := range uniqueStrings(s.Source.Account, s.Destination.Account) {
		fmt.Fprintf(&b, "\nprovider \"aws\" {\n  alias = %s\n  # credentials of account %s\n}\n", hclString("account_"+a), a)
	}
	role := names.name("aws_iam_role", "role_", s.RoleName)
	fmt.Fprintf(&b, "\n# The replication role, assumed by S3 for %s only.\nresource \"aws_iam_role\" %q {\n  provider           = %s\n  name               = %s\n  assume_role_policy = %s\n}\n",
		s.Source.Name, role, provider(s.Source.Account), hclString(s.RoleName), heredoc(p.Trust.JSON(), "  "))
	fmt.Fprintf(&b, "\nresource \"aws_iam_role_policy\" %q {\n  provider = %s\n  name     = \"replication\"\n  role     = aws_iam_role.%s.id\n  policy   = %s\n}\n",
		names.name("aws_iam_role_policy", "policy_", s.RoleName), provider(s.Source.Account), role, heredoc(p.Permissions.JSON(), "  "))
	if p.DestinationBucketPolicy != nil {
		if err := p.writeTerraformBucketPolicy(&b, names, provider(s.Destination.Account)); err != nil {
			return err
		}
	}
	p.writeTerraformConfiguration(&b, names.name("aws_s3_bucket_replication_configuration", "bucket_", s.Source.Name), provider(s.Source.Account), role)
	for _, key := range sortedMapKeys(p.Keys) {
		fmt.Fprintf(&b, "\n# Statements to add to the key policy of %s (aws_kms_key_policy replaces the whole policy):\n", key)
		for _, line := range strings.SplitAfter(string(p.Keys[key].JSON()), "\n") {
			if line != "" {
				b.WriteString("#   " + line)
			}
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// uniqueStrings returns the values without repeats, in order.
func uniqueStrings(values ...string) []string {
	var out []string
	for _, v := range values {
		if !containsString(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// writeTerraformConfiguration writes the replication configuration as an
// aws_s3_bucket_replication_configuration of the source bucket, after the
// role's policy: S3 answers InvalidRequest for versioning and the other
// checks of docs/emulator.md "Replication configuration", not for the
// role's permissions, which replication needs later.
func (p *ReplicationPlan) writeTerraformConfiguration(b *bytes.Buffer, name, provider, role string) {
	s := p.Setup
	fmt.Fprintf(b, "\n# The replication configuration of %s; versioning must be Enabled on both buckets first.\n", s.Source.Name)
	fmt.Fprintf(b, "resource \"aws_s3_bucket_replication_configuration\" %q {\n  provider   = %s\n  bucket     = %s\n  role       = aws_iam_role.%s.arn\n  depends_on = [aws_iam_role_policy.%s]\n",
		name, provider, hclString(s.Source.Name), role, role)
	for _, r := range p.Configuration.Rules {
		fmt.Fprintf(b, "\n  rule {\n    id       = %s\n    priority = %d\n    status   = %s\n", hclString(r.ID), *r.Priority, hclString(r.Status))
		fmt.Fprintf(b, "    filter {\n      prefix = %s\n    }\n", hclString(*r.Filter.Prefix))
		fmt.Fprintf(b, "    delete_marker_replication {\n      status = %s\n    }\n", hclString(r.DeleteMarkerReplication.Status))
		if r.ReplicatesKMSObjects() {
			b.WriteString("    source_selection_criteria {\n      sse_kms_encrypted_objects {\n        status = \"Enabled\"\n      }\n    }\n")
		}
		d := r.Destination
		if d.Account != "" {
			fmt.Fprintf(b, "    destination {\n      bucket  = %s\n      account = %s\n", hclString(d.Bucket), hclString(d.Account))
		} else {
			fmt.Fprintf(b, "    destination {\n      bucket = %s\n", hclString(d.Bucket))
		}
		if d.AccessControlTranslation != nil {
			fmt.Fprintf(b, "      access_control_translation {\n        owner = %s\n      }\n", hclString(d.AccessControlTranslation.Owner))
		}
		if k := r.ReplicaKMSKey(); k != "" {
			fmt.Fprintf(b, "      encryption_configuration {\n        replica_kms_key_id = %s\n      }\n", hclString(k))
		}
		b.WriteString("    }\n  }\n")
	}
	b.WriteString("}\n")
}

// writeTerraformBucketPolicy writes the destination's bucket policy.
// aws_s3_bucket_policy replaces the bucket's whole policy, so it never
// holds the planned statements alone unless the world says the bucket has
// no policy: with the current policy known, lockstep's merge of the two;
// unknown, the current policy read by the aws_s3_bucket_policy data
// source and the statements merged into it by aws_iam_policy_document
// (as plan's Terraform does, docs/plan.md "Terraform").
func (p *ReplicationPlan) writeTerraformBucketPolicy(b *bytes.Buffer, names tfNames, provider string) error {
	s := p.Setup
	name := names.name("aws_s3_bucket_policy", "bucket_", s.Destination.Name)
	fmt.Fprintf(b, "\n# The bucket policy of %s (account %s).\n# aws_s3_bucket_policy replaces the whole policy,\n", s.Destination.Name, s.Destination.Account)
	policy := ""
	switch s.DestinationPolicy {
	case CurrentNone:
		b.WriteString("# and the world gives it none: these statements are its whole policy.\n")
		policy = heredoc(p.DestinationBucketPolicy.JSON(), "  ")
	case CurrentKnown:
		merged, err := p.MergedDestinationBucketPolicy()
		if err != nil {
			return err
		}
		b.WriteString("# so lockstep merged the planned statements into its current policy (from the\n# world), replacing statements of the same Sid.\n")
		policy = heredoc(merged, "  ")
	default:
		b.WriteString("# and lockstep does not know the current one (give --world): it is read here,\n")
		b.WriteString("# and the planned statements merged into it, replacing statements of the same\n")
		b.WriteString("# Sid. A bucket without a policy fails this read (NoSuchBucketPolicy): then\n")
		b.WriteString("# delete the aws_s3_bucket_policy data block and make source_policy_documents [].\n")
		current := names.name("data.aws_s3_bucket_policy", "bucket_", s.Destination.Name)
		fmt.Fprintf(b, "data \"aws_s3_bucket_policy\" %q {\n  provider = %s\n  bucket   = %s\n}\n\n", current, provider, hclString(s.Destination.Name))
		doc := names.name("data.aws_iam_policy_document", "bucket_", s.Destination.Name)
		fmt.Fprintf(b, "data \"aws_iam_policy_document\" %q {\n  provider                  = %s\n  source_policy_documents   = [data.aws_s3_bucket_policy.%s.policy]\n  override_policy_documents = [%s\n  ]\n}\n\n",
			doc, provider, current, heredoc(p.DestinationBucketPolicy.JSON(), "    "))
		policy = "data.aws_iam_policy_document." + doc + ".json"
	}
	fmt.Fprintf(b, "resource \"aws_s3_bucket_policy\" %q {\n  provider = %s\n  bucket   = %s\n  policy   = %s\n}\n", name, provider, hclString(s.Destination.Name), policy)
	return nil
}

// WriteFiles writes one document per file into dir: replication.json
// (the configuration, as put-bucket-replication reads it), trust.json and
// permissions.json (the role's policies); when another account owns the
// destination, bucket-<dest>.json, the whole policy to put (its current
// policy from the world with the statements merged in), or
// bucket-<dest>.statements.json, the statements to merge, when its current
// policy is unknown; key-<key id>.statements.json, the statements to add
// to each key's policy. It returns the files written.
func (p *ReplicationPlan) WriteFiles(dir string) ([]string, error) {
	type file struct {
		name string
		data []byte
	}
	files := []file{{"replication.json", p.ConfigurationJSON()}, {"trust.json", p.Trust.JSON()}, {"permissions.json", p.Permissions.JSON()}}
	if d := p.DestinationBucketPolicy; d != nil {
		merged, err := p.MergedDestinationBucketPolicy()
		switch {
		case err != nil:
			return nil, err
		case merged != nil:
			files = append(files, file{"bucket-" + p.Setup.Destination.Name + ".json", merged})
		default:
			files = append(files, file{"bucket-" + p.Setup.Destination.Name + ".statements.json", d.JSON()})
		}
	}
	for _, key := range sortedMapKeys(p.Keys) {
		files = append(files, file{"key-" + keyID(key) + ".statements.json", p.Keys[key].JSON()})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// userInlineLimit is the most non-whitespace characters of all the inline
// policies of an IAM user together (IAM and AWS STS quotas, "User policy
// size cannot exceed 2,048 characters").
const userInlineLimit = 2048

// WriteTerraform writes the plan's policies as Terraform for the AWS
// provider: one provider alias per account, the identity policy attached
// to its principal, and bucket and key policies merged with the current
// policies, since aws_s3_bucket_policy and aws_kms_key_policy replace a
// resource's whole policy (docs/plan.md, "Terraform").
func (p *Plan) WriteTerraform(w io.Writer) error {
	t := &tfWriter{p: p, names: tfNames{}, aliases: map[string]string{}, holds: map[string][]string{}}
	t.collect()
	var b bytes.Buffer
	t.header(&b)
	if p.TwoPrincipals() {
		// Two credential sets: one identity policy per principal.
		t.identity(&b, p.Context.SourcePrincipal, p.Policies.SourceIdentity, "source")
		t.identity(&b, p.Context.Principal, p.Policies.Identity, "destination")
	} else {
		t.identity(&b, p.Context.Principal, p.Policies.Identity, "")
		t.trust(&b)
	}
	for _, bucket := range sortedMapKeys(p.Policies.Buckets) {
		if err := t.resourcePolicy(&b, "bucket", bucket); err != nil {
			return err
		}
	}
	for _, key := range sortedMapKeys(p.Policies.Keys) {
		if err := t.resourcePolicy(&b, "key", key); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

type tfWriter struct {
	p     *Plan
	names tfNames
	// aliases maps an account to its provider alias; holds to what the
	// output puts in it, for the provider's comment.
	aliases map[string]string
	holds   map[string][]string
}

// collect names the accounts that own a resource of the output.
func (t *tfWriter) collect() {
	p := t.p
	if a := accountOfARN(p.Context.SourcePrincipal); a != "" && p.TwoPrincipals() {
		t.holds[a] = append(t.holds[a], "the source's principal "+p.Context.SourcePrincipal)
	}
	if a := p.principalAccount(); a != "" {
		who := "the principal "
		if p.TwoPrincipals() {
			who = "the destination's principal "
		}
		t.holds[a] = append(t.holds[a], who+p.Context.Principal)
	}
	for _, b := range sortedMapKeys(p.Policies.Buckets) {
		a := p.accountOf(b)
		t.holds[a] = append(t.holds[a], "bucket "+b)
	}
	for _, k := range sortedMapKeys(p.Policies.Keys) {
		a := accountOfARN(k)
		t.holds[a] = append(t.holds[a], "key "+k)
	}
	for _, a := range sortedMapKeys(t.holds) {
		if a != "" {
			t.aliases[a] = t.names.name("provider", "account_", "account_"+a)
		}
	}
}

func (t *tfWriter) header(b *bytes.Buffer) {
	p := t.p
	fmt.Fprintf(b, "# lockstep plan: %s\n", p.title())
	fmt.Fprintf(b, "# client model: %s\n", p.modelLine())
	b.WriteString("# Review before applying. Each provider must run with credentials of its account\n")
	b.WriteString("# (a profile or an assume_role block): allowed_account_ids stops any other.\n\n")
	b.WriteString("terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }\n  }\n}\n")
	for _, a := range sortedMapKeys(t.holds) {
		if a == "" {
			continue
		}
		fmt.Fprintf(b, "\n# Account %s: %s.\n", a, strings.Join(t.holds[a], ", "))
		fmt.Fprintf(b, "provider \"aws\" {\n  alias               = %s\n  region              = %s\n  allowed_account_ids = [%s]\n}\n",
			hclString(t.aliases[a]), hclString(p.Context.Region), hclString(a))
	}
	if p.TwoPrincipals() && (p.principalAccount() == "" || accountOfARN(p.Context.SourcePrincipal) == "") {
		b.WriteString("\n# A principal's account is unknown (give --world, whose profiles name the\n# principals): its identity policy uses the default provider.\n")
		fmt.Fprintf(b, "provider \"aws\" {\n  region = %s\n}\n", hclString(p.Context.Region))
	} else if p.principalAccount() == "" {
		b.WriteString("\n# The principal's account is unknown (give --principal): the identity policy uses\n# the default provider.\n")
		fmt.Fprintf(b, "provider \"aws\" {\n  region = %s\n}\n", hclString(p.Context.Region))
	}
}

// providerLine is the provider argument of a block of an account, its
// name padded to width as terraform fmt aligns the block's arguments.
func (t *tfWriter) providerLine(account string, width int) string {
	if alias := t.aliases[account]; alias != "" {
		return fmt.Sprintf("  %-*s = aws.%s\n", width, "provider", alias)
	}
	return ""
}

// policyName is the name of the identity policy: the verb and a short
// hash of the command, so that plans of different commands for one
// principal do not replace each other's policy; with two credential
// sets, the side's name after it.
func (t *tfWriter) policyName(side string) string {
	if t.p.Command == nil {
		// A batch-copy plan, or a plan of a trail.
		kind := "trail"
		if t.p.Job != nil {
			kind = "batch-copy"
		}
		sum := sha256.Sum256([]byte(t.p.Context.Principal + " " + t.p.Origin))
		return fmt.Sprintf("lockstep-%s-%x", kind, sum[:4])
	}
	sum := sha256.Sum256([]byte(t.p.Command.String()))
	name := fmt.Sprintf("lockstep-%s-%x", t.p.Command.Verb, sum[:4])
	if side != "" {
		name += "-" + side
	}
	return name
}

// identity writes the identity policy doc of principal, attached to its
// role or user when the ARN names one; side is the side whose calls it
// signs with two credential sets, "" with one principal.
func (t *tfWriter) identity(b *bytes.Buffer, principal string, identity *Document, side string) {
	doc := identity.JSON()
	kind, entity, why := principalEntity(principal)
	account := accountOfARN(principal)
	prov := t.providerLine(account, 8)
	// terraform fmt aligns the arguments to the longest name: policy,
	// or provider when the block has one.
	width := alignWidth(prov, "policy")
	policy := fmt.Sprintf("  %-*s = %s\n", width, "policy", heredoc(doc, "  "))
	name := t.policyName(side)
	of, whose := "The identity policy", principal
	if side != "" {
		of = "The identity policy of the " + side + "'s principal (" + t.p.credentialsOf(side) + ")"
		whose = "the " + side + "'s principal " + principal + " (" + t.p.credentialsOf(side) + ")"
	}
	attachTo := ""
	if kind == "user" && minifiedLen(doc) > userInlineLimit {
		// IAM and AWS STS quotas: a managed policy may hold 6,144.
		why = fmt.Sprintf("The inline policies of an IAM user hold %d characters at most together, and this one is longer: it is attached to user %s.", userInlineLimit, entity)
		kind, attachTo = "", entity
	}
	if kind == "role" || kind == "user" {
		rname := t.names.name("aws_iam_"+kind+"_policy", kind+"_", entity)
		fmt.Fprintf(b, "\n# The identity policy of %s:\n# an inline policy of its %s %s.\n", whose, kind, entity)
		fmt.Fprintf(b, "resource \"aws_iam_%s_policy\" %q {\n%s  %-*s = %s\n  %-*s = %s\n%s}\n",
			kind, rname, prov, width, "name", hclString(name), width, kind, hclString(entity), policy)
		return
	}
	rname := t.names.name("aws_iam_policy", "policy_", firstOf(side, "lockstep"))
	fmt.Fprintf(b, "\n# %s, as a managed policy. %s\n", of, why)
	fmt.Fprintf(b, "resource \"aws_iam_policy\" %q {\n%s  %-*s = %s\n%s}\n", rname, prov, width, "name", hclString(name), policy)
	if attachTo != "" {
		aname := t.names.name("aws_iam_user_policy_attachment", "user_", attachTo)
		fmt.Fprintf(b, "\nresource \"aws_iam_user_policy_attachment\" %q {\n%s  user       = %s\n  policy_arn = aws_iam_policy.%s.arn\n}\n",
			aname, t.providerLine(account, 10), hclString(attachTo), rname)
	}
}

// trust writes the trust policy of a role a service assumes (a Batch
// Operations job's role) as a local value, to set as the role's
// assume_role_policy: the role itself may be managed elsewhere.
func (t *tfWriter) trust(b *bytes.Buffer) {
	if t.p.Policies.Trust == nil {
		return
	}
	_, entity, _ := principalEntity(t.p.Context.Principal)
	name := t.names.name("local", "trust_", "trust_"+entity)
	fmt.Fprintf(b, "\n# The trust policy of role %s: set it as the role's assume_role_policy\n# (aws_iam_role.assume_role_policy = local.%s).\n", entity, name)
	fmt.Fprintf(b, "locals {\n  %s = %s\n}\n", name, heredoc(t.p.Policies.Trust.JSON(), "  "))
}

// principalEntity returns the IAM role or user a principal ARN's
// policies are attached to: kind "role" (for a role or a role session:
// a session has its role's permissions) or "user", with its name; kind ""
// with the reason when there is none.
func principalEntity(arn string) (kind, name, why string) {
	if arn == "" {
		return "", "", "The principal is unknown (give --principal or --world): attach it to the user or role that runs the command."
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", "", fmt.Sprintf("%q is not an ARN: attach the policy to the user or role that runs the command.", arn)
	}
	service, res := parts[2], parts[5]
	segs := strings.Split(res, "/")
	switch {
	case service == "iam" && (segs[0] == "role" || segs[0] == "user") && len(segs) >= 2:
		return segs[0], segs[len(segs)-1], ""
	case service == "sts" && segs[0] == "assumed-role" && len(segs) >= 3:
		return "role", segs[1], ""
	case service == "sts" && segs[0] == "federated-user":
		return "", "", "A federated user has the permissions of the IAM user who federated, within the session policy: attach it to that user."
	case service == "iam" && res == "root":
		return "", "", "The root user of an account cannot be given policies: run the command as a user or role of the account."
	}
	return "", "", fmt.Sprintf("%s is not a user, role or role session: attach the policy to the user or role that runs the command.", arn)
}

// minifiedLen is the length of a JSON document without whitespace, as
// IAM counts it.
func minifiedLen(doc []byte) int {
	var b bytes.Buffer
	if json.Compact(&b, doc) != nil {
		return len(doc)
	}
	return b.Len()
}

// resourcePolicy writes a bucket policy (kind "bucket") or key policy
// (kind "key") that keeps the resource's current statements.
func (t *tfWriter) resourcePolicy(b *bytes.Buffer, kind, name string) error {
	p := t.p
	add := p.Policies.Buckets[name]
	account := p.accountOf(name)
	resType, target, what := "aws_s3_bucket_policy", "bucket", "Bucket "+name
	value, prefix := name, "bucket_"
	if kind == "key" {
		add = p.Policies.Keys[name]
		account = accountOfARN(name)
		resType, target, what = "aws_kms_key_policy", "key_id", "Key "+name
		value, prefix = keyID(name), "key_"
	}
	prov := t.providerLine(account, 8)
	rname := t.names.name(resType, prefix, value)
	fmt.Fprintf(b, "\n# %s (account %s).\n# %s replaces the whole policy,\n", what, account, resType)
	current, src := p.currentPolicy(kind, name)
	policy := ""
	switch current {
	case CurrentNone:
		b.WriteString("# and the world gives it none: these statements are its whole policy.\n")
		policy = heredoc(add.JSON(), "  ")
	case CurrentKnown:
		if why := terraformCannotMerge(src); why != "" {
			merged, err := mergePolicy(src, add)
			if err != nil {
				return fmt.Errorf("%s: merging the planned statements with the current policy of the world: %w", what, err)
			}
			fmt.Fprintf(b, "# so lockstep merged the planned statements into its current policy (from the\n# world): aws_iam_policy_document would not carry that policy unchanged\n# (%s).\n", why)
			policy = heredoc(merged, "  ")
			break
		}
		b.WriteString("# so the planned statements (override_policy_documents) are merged into its\n")
		b.WriteString("# current policy from the world (source_policy_documents), replacing\n")
		b.WriteString("# statements of the same Sid.\n")
		dname := t.names.name("data.aws_iam_policy_document", prefix, value)
		// An argument whose value opens a bracket it closes on a
		// later line is not aligned with the ones before it
		// (terraform fmt): provider stands alone.
		fmt.Fprintf(b, "data \"aws_iam_policy_document\" %q {\n%s  source_policy_documents = [%s\n  ]\n  override_policy_documents = [%s\n  ]\n}\n\n",
			dname, t.providerLine(account, len("provider")), heredoc([]byte(indentJSON(src)), "    "), heredoc(add.JSON(), "    "))
		policy = "data.aws_iam_policy_document." + dname + ".json"
	default:
		source := t.unknownCurrent(b, kind, name, prefix, value, account)
		dname := t.names.name("data.aws_iam_policy_document", prefix, value)
		// override_policy_documents opens a bracket it closes on a
		// later line: terraform fmt aligns provider and
		// source_policy_documents without it.
		fmt.Fprintf(b, "data \"aws_iam_policy_document\" %q {\n%s  source_policy_documents = [%s]\n  override_policy_documents = [%s\n  ]\n}\n\n",
			dname, t.providerLine(account, len("source_policy_documents")), source, heredoc(add.JSON(), "    "))
		policy = "data.aws_iam_policy_document." + dname + ".json"
	}
	width := alignWidth(prov, target, "policy")
	fmt.Fprintf(b, "resource %q %q {\n%s  %-*s = %s\n  %-*s = %s\n}\n", resType, rname, prov, width, target, hclString(value), width, "policy", policy)
	return nil
}

// unknownCurrent writes how the current policy of a resource lockstep
// does not know is read: the aws_s3_bucket_policy data source for a
// bucket, a variable for a key (the provider has no data source for a
// key policy). It returns the expression of that policy.
func (t *tfWriter) unknownCurrent(b *bytes.Buffer, kind, name, prefix, value, account string) string {
	if kind == "bucket" {
		b.WriteString("# and lockstep does not know the current one (give --world): it is read here,\n")
		b.WriteString("# and the planned statements merged into it, replacing statements of the same\n")
		b.WriteString("# Sid. A bucket without a policy fails this read (NoSuchBucketPolicy): then\n")
		b.WriteString("# delete the aws_s3_bucket_policy data block and make source_policy_documents [].\n")
		dname := t.names.name("data.aws_s3_bucket_policy", prefix, value)
		prov := t.providerLine(account, len("provider"))
		fmt.Fprintf(b, "data \"aws_s3_bucket_policy\" %q {\n%s  %-*s = %s\n}\n\n", dname, prov, alignWidth(prov, "bucket"), "bucket", hclString(name))
		return "data.aws_s3_bucket_policy." + dname + ".policy"
	}
	vname := t.names.name("variable", "key_policy_", "key_policy_"+value)
	b.WriteString("# and lockstep does not know the current one (give --world), nor can the\n")
	b.WriteString("# provider read it: pass it in, and the planned statements are merged into it.\n")
	fmt.Fprintf(b, "variable %q {\n  type        = string\n  description = %s\n}\n\n", vname,
		hclString(fmt.Sprintf("The current key policy of %s, as account %s reads it: aws kms get-key-policy --key-id %s --policy-name default --query Policy --output text", name, account, name)))
	return "var." + vname
}

// indentJSON re-indents a JSON document as lockstep prints documents;
// text that is not JSON is returned as it is.
func indentJSON(src string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(strings.TrimSpace(src)), "", "  ") != nil {
		return src
	}
	b.WriteByte('\n')
	return b.String()
}

// hclString quotes s as an HCL string: quotes, backslashes and control
// characters escaped, and the template sequences "${" and "%{".
func hclString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(b.String())
}

// alignWidth is the width terraform fmt pads a block's argument names to:
// the longest of names, and provider when the block has its line.
func alignWidth(providerLine string, names ...string) int {
	w := 0
	if providerLine != "" {
		w = len("provider")
	}
	for _, n := range names {
		w = max(w, len(n))
	}
	return w
}

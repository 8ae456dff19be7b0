package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/policy"
)

func newEvalCommand() *cobra.Command {
	var (
		worldFile, principal, action, resource string
		contextKVs, unset, sessionFiles        []string
		explain, insecure                      bool
		output                                 *outputFlag
		sourceIP, region, federatedBy          string
		mfaAge, step                           int
	)
	cmd := &cobra.Command{
		Use:   "eval --world W --principal ARN --action A --resource ARN",
		Short: "Decide one request the way AWS would, and say why",
		Long: `Decide whether a principal may perform an action on a resource, given every
policy in the world file, and print the decision, AWS's message and the
statement that decided. Exit status: 0 allowed, 1 denied, 2 bad input.

The request context holds every key AWS sets for such a request, computed as
docs/context-keys.md lists (aws:PrincipalArn, aws:RequestedRegion,
aws:ViaAWSService=false, aws:PrincipalOrgID, kms:ResourceAliases, ...);
--explain shows each key with where its value came from. Add or override
keys with --context key=value (repeat a key for a multi-valued key), remove
one with --unset. A KMS key may be named by its alias (alias/NAME or an alias
ARN): the key is resolved and kms:RequestAlias set, as AWS does.`,
		Example: `  lockstep eval --world examples/seed000-s3-sync.yaml \
    --principal arn:aws:iam::111111111111:role/s3synctest \
    --action s3:GetObject --resource arn:aws:s3:::kazue-sync-source/2020-2nd-q/2.md --explain`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for flag, v := range map[string]string{"--world": worldFile, "--principal": principal, "--action": action, "--resource": resource} {
				if v == "" {
					return badInput(fmt.Errorf("%s is required (see lockstep eval --help)", flag))
				}
			}
			action, err := checkAction(action, cmd.ErrOrStderr())
			if err != nil {
				return badInput(err)
			}
			wf, err := loadWorldFile(worldFile, step, cmd.ErrOrStderr())
			if err != nil {
				return badInput(err)
			}
			w := wf.World
			var sessions []*policy.Policy
			for _, f := range sessionFiles {
				p, err := loadPolicyFile(f, policy.Session)
				if err != nil {
					return badInput(err)
				}
				sessions = append(sessions, p)
			}
			var p *authz.Principal
			if federatedBy != "" {
				p, err = w.FederatedPrincipal(principal, federatedBy, sessions...)
			} else {
				p, err = w.Principal(principal, sessions...)
			}
			if err != nil {
				return badInput(err)
			}
			if p.Kind == authz.Anonymous && strings.HasPrefix(strings.ToLower(action), "kms:") {
				return badInput(fmt.Errorf("--principal anonymous: AWS KMS accepts only signed requests, so an anonymous %s never reaches policy evaluation (docs/authorization.md §1.10)", action))
			}
			now := time.Now().UTC().Truncate(time.Second)
			if mfaAge >= 0 {
				if p.Kind != authz.AssumedRole && p.Kind != authz.FederatedUser {
					return badInput(fmt.Errorf("--mfa-age: only a role or federated-user session carries MFA in its credentials; %s is not one", principal))
				}
				p.MFAAuthTime = now.Add(-time.Duration(mfaAge) * time.Second)
			}
			keys := map[string][]string{}
			for _, kv := range contextKVs {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "" {
					return badInput(fmt.Errorf("--context %q: write key=value, e.g. --context s3:prefix=docs/", kv))
				}
				warnUnknownKey(cmd.ErrOrStderr(), "--context", k)
				keys[k] = append(keys[k], v)
			}
			for _, k := range unset {
				warnUnknownKey(cmd.ErrOrStderr(), "--unset", k)
			}
			env := authz.Env{Time: now, SecureTransport: !insecure, SourceIP: sourceIP, Region: region}
			req, err := w.Request(p, action, kmsAliasARN(w, p, action, resource), env, keys)
			if err != nil {
				return badInput(err)
			}
			for _, k := range unset {
				req.Context.Delete(k)
			}
			d, tr := authz.Explain(req)
			out := cmd.OutOrStdout()
			ctx := describeContext(req, keys)
			format, err := output.get(cmd.Flags())
			if err != nil {
				return badInput(err)
			}
			if format == "json" {
				if err := writeDecisionJSON(out, d, tr, ctx, explain); err != nil {
					return err
				}
			} else {
				writeDecisionText(out, d, tr, ctx, explain)
			}
			if !d.Allowed() {
				return silentExit(exitDenied)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&worldFile, "world", "", "world file (YAML or JSON) describing accounts, principals, buckets and keys, or scenario file (its world as of --step)")
	f.IntVar(&step, "step", 0, "with a scenario file as --world: the step whose world to use (1-based; default: the last)")
	f.StringVar(&principal, "principal", "", "user, role, assumed-role or root ARN, or \"anonymous\"")
	f.StringVar(&action, "action", "", "IAM action, e.g. s3:GetObject or kms:Decrypt")
	f.StringVar(&resource, "resource", "", "resource ARN, e.g. arn:aws:s3:::bucket/key, or \"*\"")
	f.StringArrayVar(&contextKVs, "context", nil, "request context key=value (repeatable; repeat a key for several values)")
	f.StringArrayVar(&unset, "unset", nil, "remove a global context key (repeatable)")
	f.StringArrayVar(&sessionFiles, "session-policy", nil, "session policy file of a role session (repeatable)")
	f.StringVar(&sourceIP, "source-ip", "203.0.113.10", "aws:SourceIp of the request")
	f.BoolVar(&insecure, "insecure-transport", false, "evaluate as a plain-HTTP request (aws:SecureTransport=false)")
	f.StringVar(&region, "region", "", "region of the endpoint, the aws:RequestedRegion of requests whose resource has no region (STS, s3:ListAllMyBuckets); default: the world's region, us-east-1 for STS")
	f.StringVar(&federatedBy, "federated-by", "", "for a federated-user principal (arn:aws:sts::ACCOUNT:federated-user/NAME): the IAM user ARN that called GetFederationToken")
	f.IntVar(&mfaAge, "mfa-age", -1, "the role or federated-user session was authenticated with MFA this many seconds ago (aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge)")
	output = addOutputFlag(cmd)
	output.deprecatedJSON(f)
	f.BoolVar(&explain, "explain", false, "print the evaluation step by step")
	return cmd
}

func loadPolicyFile(path string, t policy.Type) (*policy.Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := policy.Parse(data, t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, withLines(data, err))
	}
	p.Name = path
	return p, nil
}

// withLines prefixes each policy error with its line in src.
func withLines(src []byte, err error) error {
	list, ok := err.(policy.ErrorList)
	if !ok {
		return err
	}
	var b strings.Builder
	for i, e := range list {
		if i > 0 {
			b.WriteString("\n")
		}
		line, col := policy.LineCol(src, e.Offset)
		fmt.Fprintf(&b, "line %d, column %d: %s", line, col, e.Error())
	}
	return fmt.Errorf("%s", b.String())
}

func writeDecisionText(out io.Writer, d authz.Decision, tr *authz.Trace, ctx []contextKey, explain bool) {
	fmt.Fprintf(out, "decision:  %s\n", d.Effect)
	fmt.Fprintf(out, "why:       %s\n", d.Summary())
	if d.By.Statement != nil {
		fmt.Fprintf(out, "statement: %s\n", d.By.Statement.JSON)
	}
	if !d.Allowed() {
		fmt.Fprintf(out, "message:   %s\n", d.Message())
		if m := d.S3Message(); d.Service == "s3" && m != d.Message() {
			fmt.Fprintf(out, "S3 sends:  %s (cross-account and anonymous requests get no detail)\n", m)
		}
	}
	if explain {
		fmt.Fprintf(out, "\nrequest context:\n")
		for _, k := range ctx {
			fmt.Fprintf(out, "  %s = %s\n      from: %s\n", k.Key, strings.Join(k.Values, ", "), k.Source)
		}
		fmt.Fprintf(out, "\nevaluation:\n%s", tr)
	}
}

type decisionJSON struct {
	Decision     string       `json:"decision"`
	Message      string       `json:"message"`
	S3Message    string       `json:"s3Message,omitempty"`
	PolicyType   string       `json:"policyType"`
	Policy       string       `json:"policy,omitempty"`
	Statement    string       `json:"statement,omitempty"`
	StatementDoc string       `json:"statementJson,omitempty"`
	Also         *grantJSON   `json:"also,omitempty"`
	Principal    string       `json:"principal"`
	Action       string       `json:"action"`
	Resource     string       `json:"resource"`
	CrossAccount bool         `json:"crossAccount"`
	Summary      string       `json:"summary"`
	Context      []contextKey `json:"context,omitempty"`
	Trace        []stepJSON   `json:"trace,omitempty"`
}

type grantJSON struct {
	PolicyType string `json:"policyType"`
	Policy     string `json:"policy"`
	Statement  string `json:"statement"`
}

type stepJSON struct {
	PolicyType string `json:"policyType,omitempty"`
	Policy     string `json:"policy,omitempty"`
	Statement  string `json:"statement,omitempty"`
	Effect     string `json:"effect,omitempty"`
	Applies    bool   `json:"applies,omitempty"`
	Text       string `json:"text"`
}

func writeDecisionJSON(out io.Writer, d authz.Decision, tr *authz.Trace, ctx []contextKey, explain bool) error {
	j := decisionJSON{
		Decision: d.Effect.String(), Message: d.Message(), PolicyType: d.Type.String(),
		Principal: d.Principal, Action: d.Action, Resource: d.Resource, CrossAccount: d.CrossAccount,
		Summary: d.Summary(),
	}
	if d.Service == "s3" {
		j.S3Message = d.S3Message()
	}
	if d.By.Statement != nil {
		j.Policy, j.Statement, j.StatementDoc = d.By.Policy.Name, d.By.Statement.Label(), d.By.Statement.JSON
	}
	if d.Also.Statement != nil {
		j.Also = &grantJSON{PolicyType: d.Also.Type.String(), Policy: d.Also.Policy.Name, Statement: d.Also.Statement.Label()}
	}
	if explain {
		j.Context = ctx
		for _, s := range tr.Steps {
			j.Trace = append(j.Trace, stepJSON{PolicyType: s.Type.String(), Policy: s.Policy, Statement: s.Statement, Effect: s.Effect, Applies: s.Applies, Text: s.Text})
		}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

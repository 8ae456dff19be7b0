package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/lint"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/scenario"
	"github.com/lockstep-dev/lockstep/world"
)

func newPolicyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Work with policy documents",
	}
	cmd.AddCommand(newPolicyLintCommand())
	return cmd
}

func newPolicyLintCommand() *cobra.Command {
	var (
		typeName string
		output   *outputFlag
	)
	cmd := &cobra.Command{
		Use:   "lint [--type T] [--output text|json] FILE...",
		Short: "Check policy documents, or every policy of a world, for errors and least-privilege mistakes",
		Long: `Check IAM policy documents (JSON) for the errors AWS rejects and the mistakes
that make requests fail: an object action granted only on the bucket ARN
(arn:aws:s3:::b instead of arn:aws:s3:::b/*), unknown action names, condition
keys the action never sets, set operators on single-valued keys, and more.

Each FILE is a policy document, a world file or a scenario file (every
policy in it, each named by the user, role, bucket or key it belongs to and
linted as the type it is), or - for standard input.

The type of a policy document (identity, resource, key, trust, boundary,
session, scp, rcp) decides which elements it may have; by default it is
resource (a bucket policy) when statements name a Principal and identity
otherwise. --type applies to policy documents only.

--output json prints a JSON array of findings: {"file", "line", "col",
"owner", "path", "severity", "code", "message"}; "owner" names the user,
role, bucket or key of a world file's policy.

Exit status: 0 no findings, 1 findings, 2 a file could not be read.`,
		Example: `  lockstep policy lint examples/world.yaml
  lockstep policy lint examples/seed000-s3-sync.yaml
  echo '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}]}' | lockstep policy lint -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			var typ *policy.Type
			if typeName != "" {
				t, err := policy.ParseType(typeName)
				if err != nil {
					return badInput(fmt.Errorf("--type: %w", err))
				}
				typ = &t
			}
			format, err := output.get(cmd.Flags())
			if err != nil {
				return badInput(err)
			}
			var all []lint.Finding
			for _, f := range files {
				findings, err := lintInput(f, cmd.InOrStdin(), typ)
				if err != nil {
					return badInput(err)
				}
				all = append(all, findings...)
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				if err := writeFindingsJSON(out, all); err != nil {
					return err
				}
			} else {
				for _, fd := range all {
					fmt.Fprintln(out, fd)
				}
			}
			if len(all) > 0 {
				return silentExit(exitDenied)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&typeName, "type", "", "policy type of policy documents: identity, resource, key, trust, boundary, session, scp or rcp (default: detected)")
	output = addOutputFlag(cmd)
	_ = cmd.RegisterFlagCompletionFunc("type", completeFixed("identity", "resource", "key", "trust", "boundary", "session", "scp", "rcp"))
	return cmd
}

// lintInput lints one argument of policy lint: a policy document, a
// world file, a scenario file (each step's world), or - (standard input).
func lintInput(name string, stdin io.Reader, typ *policy.Type) ([]lint.Finding, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(stdin)
		name = "<stdin>"
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if isPolicyDocument(data) {
		return lint.Source(name, data, typ), nil
	}
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) && !bytes.Contains(data, []byte(`"accounts"`)) {
		// JSON that is no world: lint it as a policy, which says what
		// is wrong with it.
		return lint.Source(name, data, typ), nil
	}
	if !scenario.Is(data) {
		m, err := world.Decode(data, name)
		if err != nil {
			return nil, fmt.Errorf("%s is not a policy document (JSON with a Statement), and as a world file:\n%w", name, err)
		}
		return lint.World(name, m), nil
	}
	s, err := scenario.Parse(data, name)
	if err != nil {
		return nil, err
	}
	worlds, err := s.StepWorlds()
	if err != nil {
		return nil, err
	}
	var out []lint.Finding
	seen := map[string]bool{}
	for _, w := range worlds {
		for _, f := range lint.World(name, w) {
			if k := f.String(); !seen[k] {
				seen[k] = true
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// isPolicyDocument reports whether data is a JSON object with a Statement
// member: a policy document, not a world or scenario file.
func isPolicyDocument(data []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return false
	}
	_, ok := top["Statement"]
	return ok
}

// writeFindingsJSON writes findings as a JSON array (an empty array for
// none).
func writeFindingsJSON(w io.Writer, fs []lint.Finding) error {
	type finding struct {
		File     string `json:"file"`
		Line     int    `json:"line,omitempty"`
		Col      int    `json:"col,omitempty"`
		Owner    string `json:"owner,omitempty"`
		Path     string `json:"path,omitempty"`
		Severity string `json:"severity"`
		Code     string `json:"code"`
		Message  string `json:"message"`
	}
	out := make([]finding, 0, len(fs))
	for _, f := range fs {
		out = append(out, finding{f.File, f.Line, f.Col, f.Owner, f.Path, f.Severity.String(), f.Code, f.Message})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return errors.Join(errors.New("writing findings"), err)
	}
	return nil
}

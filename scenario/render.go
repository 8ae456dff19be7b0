package scenario

import (
	"fmt"
	"io"
	"strings"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/world"
)

// Render writes a step-by-step walk-through of the results for people:
// each step's command, the policies it added, every check of every call
// with its decision, and the error line the AWS CLI prints when a call is
// denied.
func Render(out io.Writer, s *Scenario, results []StepResult) {
	RenderWith(out, s, results, nil)
}

// RenderWith is Render with a hook called after each step's calls: the
// live demo prints there what the real client did on the emulator.
func RenderWith(out io.Writer, s *Scenario, results []StepResult, after func(out io.Writer, step int)) {
	fmt.Fprintf(out, "%s\n%s\n", s.Title, strings.Repeat("=", len(s.Title)))
	if s.Source != "" {
		fmt.Fprintf(out, "reproduces %s\n", s.Source)
	}
	if s.Summary != "" {
		fmt.Fprintf(out, "%s\n", s.Summary)
	}
	for i, r := range results {
		st := r.Step
		fmt.Fprintf(out, "\nStep %d. %s\n", i+1, st.Title)
		fmt.Fprintf(out, "  $ %s\n", st.Command)
		fmt.Fprintf(out, "  as %s\n", r.Principal)
		for j, name := range st.Add.Identity.Names {
			js, _ := docJSON(st.Add.Identity.Docs[j])
			fmt.Fprintf(out, "  + identity policy %q: %s\n", name, js)
		}
		for b, d := range st.Add.BucketPolicies {
			js, _ := docJSON(d)
			fmt.Fprintf(out, "  + bucket policy of %s: %s\n", b, js)
		}
		for k, d := range st.Add.KeyPolicies {
			js, _ := docJSON(d)
			fmt.Fprintf(out, "  + key policy of %s: %s\n", k, js)
		}
		for _, c := range r.Calls {
			target := "s3://" + c.Call.Bucket
			if c.Call.Key != "" {
				target += "/" + c.Call.Key
			}
			if c.Call.Source != "" {
				target += " from s3://" + c.Call.Source
			}
			verdict := "allowed"
			if !c.Result.Allowed() {
				verdict = "DENIED"
			}
			fmt.Fprintf(out, "  %-22s %s: %s\n", c.Call.Operation, target, verdict)
			for _, ch := range c.Result.Checks {
				mark := "ok  "
				if !ch.Decision.Allowed() {
					mark = "FAIL"
				}
				via := ""
				if ch.KMS != nil {
					via = " (S3 calls KMS for the caller)"
				}
				fmt.Fprintf(out, "      %s %s on %s%s: %s\n", mark, ch.Action, ch.Resource, via, summary(ch.Decision))
			}
			if d := c.Result.Denied(); d != nil {
				fmt.Fprintf(out, "      the client prints: %s\n", c.Result.ClientError())
			}
			if c.Problem != "" {
				fmt.Fprintf(out, "      UNEXPECTED: %s\n", c.Problem)
			}
		}
		if after != nil {
			after(out, i)
		}
		if st.Observed != "" {
			fmt.Fprintf(out, "  the seed observed: %s\n", st.Observed)
		}
	}
	if s.Conclusion != "" {
		fmt.Fprintf(out, "\nConclusion: %s\n", s.Conclusion)
	}
}

func summary(d authz.Decision) string { return d.Summary() }

func docJSON(d world.Doc) (string, error) {
	if d.Node == nil {
		return "", nil
	}
	b, err := world.ToJSON(d.Node)
	return string(b), err
}

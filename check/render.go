package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteTable writes the report for people: each call with its checks and
// the policy and statement that decided them, the line the client prints
// for a denied call, then the change per policy that allows every call.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "lockstep check: %s\n", r.Command)
	fmt.Fprintf(&b, "client:    %s\n", r.Client)
	fmt.Fprintf(&b, "world:     %s\n", r.World)
	fmt.Fprintf(&b, "principal: %s\n", r.Principal)
	fmt.Fprintf(&b, "\nCalls\n")
	for _, c := range r.Calls {
		result := "allowed"
		if !c.Allowed {
			result = "DENIED"
			if c.Optional {
				result = "denied (optional)"
			}
		}
		fmt.Fprintf(&b, "  %d %s %s: %s\n", c.N, c.Operation, c.target(), result)
		fmt.Fprintf(&b, "      %s side, %s\n", c.Side, c.When)
		for _, ch := range c.Checks {
			mark := "ok  "
			if !ch.Verdict.Allowed {
				mark = "FAIL"
			}
			via := ""
			if ch.ViaS3 {
				via = " (S3 calls KMS for you)"
			}
			fmt.Fprintf(&b, "      %s %s on %s%s: %s\n", mark, ch.Action, ch.Resource, via, ch.Verdict.Summary)
			if ch.Why != "" {
				fmt.Fprintf(&b, "           %s\n", ch.Why)
			}
		}
		if c.ClientError != "" {
			fmt.Fprintf(&b, "      the client prints: %s\n", c.ClientError)
		}
	}
	denied := r.Denied()
	fmt.Fprintf(&b, "\nResult: ")
	if len(denied) == 0 {
		fmt.Fprintf(&b, "every call is allowed (exit 0)\n")
	} else {
		fmt.Fprintf(&b, "%d of %d calls denied (exit 1)\n", len(denied), len(r.Calls))
	}
	if len(r.Diff) > 0 {
		fmt.Fprintf(&b, "\nSmallest change, per policy\n")
		for _, d := range r.Diff {
			fmt.Fprintf(&b, "  %s (calls %s)\n", d.Policy, joinInts(d.Calls))
			for _, s := range d.Add {
				fmt.Fprintf(&b, "    + %s\n", s)
			}
			for _, s := range d.Remove {
				fmt.Fprintf(&b, "    - %s\n      (an explicit Deny: remove it or narrow it, e.g. with a Condition; no Allow overrides it)\n", s)
			}
			for _, s := range d.Allow {
				fmt.Fprintf(&b, "    must allow: %s\n", s)
			}
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintf(&b, "\nNotes\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "  - %s\n", n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// target is how a call's resource is shown, as in lockstep plan.
func (c Call) target() string {
	t := "s3://" + c.Bucket
	if c.Key != "" {
		t += "/" + c.Key
	}
	if c.SourceBucket != "" {
		t += " <- s3://" + c.SourceBucket + "/" + c.SourceKey
	}
	if c.Prefix != nil {
		t += fmt.Sprintf(" (prefix %q)", *c.Prefix)
	}
	return t
}

func joinInts(list []int) string {
	s := make([]string, len(list))
	for i, n := range list {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

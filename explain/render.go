package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText writes the explanation for people.
func (x *Explanation) WriteText(out io.Writer) error {
	var b strings.Builder
	e := x.Error
	what := e.Code
	if e.Message != "" && e.Message != e.Code {
		what += ": " + e.Message
	}
	client := e.Client
	if client == "" {
		client = "unknown client"
	}
	switch {
	case e.Cause != "" && e.Code == "":
		fmt.Fprintf(&b, "error:      %s (%s)\n", e.Step, client)
		fmt.Fprintf(&b, "\nThe cause: %s\n", e.Cause)
		_, err := io.WriteString(out, b.String())
		return err
	case e.Operation != "":
		fmt.Fprintf(&b, "error:      %s failed with %s (%s)\n", e.Operation, what, client)
	default:
		fmt.Fprintf(&b, "error:      %s (%s; the text names no operation)\n", what, client)
	}
	if e.Step != "" {
		fmt.Fprintf(&b, "step:       %s\n", e.Step)
	}
	for _, c := range x.Calls {
		fmt.Fprintf(&b, "call:       %s\n", c.describe())
	}
	if x.World != "" {
		fmt.Fprintf(&b, "world:      %s, principal %s\n", x.World, x.Principal)
	}
	if x.Exact {
		b.WriteString("\nThe cause, exactly:\n")
		for _, c := range x.Candidates {
			if c.Exact {
				writeCandidate(&b, 0, c)
			}
		}
		if rest := x.others(); len(rest) > 0 {
			b.WriteString("\nOther permissions the call needs:\n")
			for i, c := range rest {
				writeCandidate(&b, i+1, c)
			}
		}
	} else {
		b.WriteString("\nPermissions that can cause it, most likely first:\n")
		for i, c := range x.Candidates {
			writeCandidate(&b, i+1, c)
		}
	}
	if len(x.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range x.Notes {
			fmt.Fprintf(&b, "  - %s\n", n)
		}
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// WriteJSON writes the explanation as indented JSON.
func (x *Explanation) WriteJSON(out io.Writer) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}

func (x *Explanation) others() []*Candidate {
	var out []*Candidate
	for _, c := range x.Candidates {
		if !c.Exact {
			out = append(out, c)
		}
	}
	return out
}

func (c Call) describe() string {
	s := c.Operation
	if c.Bucket != "" {
		s += " s3://" + c.Bucket
		if c.Key != "" {
			s += "/" + c.Key
		}
	}
	if c.SourceBucket != "" {
		s += " from s3://" + c.SourceBucket + "/" + c.SourceKey
	}
	if c.Why != "" {
		s += " (" + c.Why + ")"
	}
	return s
}

func writeCandidate(b *strings.Builder, n int, c *Candidate) {
	num := "  *"
	if n > 0 {
		num = fmt.Sprintf("%3d.", n)
	}
	status := ""
	if v := c.Verdict; v != nil {
		if v.Allowed {
			status = "[allowed] "
		} else {
			status = "[DENIED] "
		}
	}
	fmt.Fprintf(b, "%s %s%s on %s  (%s)\n", num, status, c.Action, c.Resource, c.Operation)
	fmt.Fprintf(b, "       why:  %s\n", c.Why)
	if v := c.Verdict; v != nil {
		fmt.Fprintf(b, "       engine: %s\n", v.Summary)
		if !v.Allowed {
			if v.Message != "" {
				fmt.Fprintf(b, "       AWS says: %s\n", v.Message)
			}
			for i, f := range v.Fixes {
				lead := "fix:"
				if i > 0 {
					lead = "and:"
				}
				switch f.Change {
				case "remove":
					fmt.Fprintf(b, "       %s  remove or narrow this Deny statement in the %s: %s\n", lead, f.Policy, f.Statement)
				case "allow":
					fmt.Fprintf(b, "       %s  the %s must allow it: %s\n", lead, f.Policy, f.Statement)
				default:
					fmt.Fprintf(b, "       %s  add to the %s: %s\n", lead, f.Policy, f.Statement)
				}
			}
			return
		}
	}
	if c.Hint != "" && c.Verdict == nil {
		fmt.Fprintf(b, "       fix:  %s\n", c.Hint)
	}
}

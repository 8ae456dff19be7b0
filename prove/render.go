package prove

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Write prints the proof: the baseline run, then each permission with the
// call that failed without it.
func (p *Proof) Write(w io.Writer) {
	fmt.Fprintf(w, "\nProof: %s on lockstep's emulator, principal %s\n", strings.Join(p.Baseline.Command[:1], " "), p.Plan.Context.Principal)
	if !p.Baseline.OK() {
		fmt.Fprintf(w, "  with every planned permission the command FAILS: %s\n", p.Baseline.Problem)
		for _, line := range lastLines(p.Baseline.Output, 6) {
			fmt.Fprintf(w, "    | %s\n", line)
		}
		return
	}
	fmt.Fprintf(w, "  with every planned permission: succeeds, the data is byte-exact\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  permission\tnecessary\twithout it\t")
	for _, c := range p.Checks {
		verdict, why := "yes", "the client fails"
		if len(c.Run.Denied) > 0 {
			why += ": " + strings.Join(c.Run.Denied, ", ") + " denied"
		} else if c.Run.Problem != "" {
			why += ": " + c.Run.Problem
		}
		if !c.Necessary {
			verdict, why = "NO", "the client succeeds without it: drop it"
		}
		fmt.Fprintf(tw, "  %s on %s\t%s\t%s\t\n", c.Need.Action, c.Need.Resource, verdict, why)
	}
	tw.Flush()
	fmt.Fprintf(w, "  %d runs in %.1f s\n", len(p.Checks)+1, p.Elapsed.Seconds())
}

// Unnecessary lists the permissions the client did without.
func (p *Proof) Unnecessary() []Check {
	var out []Check
	for _, c := range p.Checks {
		if !c.Necessary {
			out = append(out, c)
		}
	}
	return out
}

func lastLines(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

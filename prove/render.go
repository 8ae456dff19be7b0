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
	who := "principal " + p.Plan.Context.Principal
	if p.Plan.TwoPrincipals() {
		who = "principals " + p.Plan.Context.SourcePrincipal + " (the source's credentials) and " + p.Plan.Context.Principal + " (the destination's)"
	}
	fmt.Fprintf(w, "\nProof: %s on lockstep's emulator, %s\n", strings.Join(p.Baseline.Command[:1], " "), who)
	if !p.Baseline.OK() {
		writeFailed(w, p.Baseline, p.Verdict())
		return
	}
	fmt.Fprintf(w, "  with every planned permission: succeeds, the data is byte-exact, no call denied, every planned call made\n")
	if p.SufficiencyOnly {
		fmt.Fprintf(w, "%s\n", p.Verdict())
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  permission\tnecessary\twithout it\t")
	for _, c := range p.Checks {
		verdict, why := "yes", p.actor()+" fails"
		switch c.Effect {
		case Fails:
			if tasks, ok := strings.CutPrefix(c.Run.Problem, jobCompleteWith); ok {
				// The job completed; some of its tasks failed.
				tasks, _, _ = strings.Cut(tasks, ", denied: ")
				why = "the job completes with " + tasks
			}
			if len(c.NewDenials) > 0 {
				why += ": " + strings.Join(c.NewDenials, ", ") + " denied"
			} else if c.Run.Problem != "" {
				why += ": " + c.Run.Problem
			}
		case DeniedCalls:
			why = "needed by a retried or fallback path: " + p.actor() + " succeeds, but " + strings.Join(c.NewDenials, ", ") + " denied"
		case NoEffect:
			verdict, why = "NO", p.actor()+" succeeds without it and no call is denied: drop it"
		}
		whose := ""
		if c.Need.Signer != "" {
			// Two credential sets: the principal that needs it.
			whose = " (the " + c.Need.Signer + "'s principal)"
		}
		fmt.Fprintf(tw, "  %s on %s%s\t%s\t%s\t\n", c.Need.Action, c.Need.Resource, whose, verdict, why)
	}
	tw.Flush()
	fmt.Fprintf(w, "  %d runs in %.1f s\n", len(p.Checks)+1, p.Elapsed.Seconds())
	fmt.Fprintf(w, "%s\n", p.Verdict())
}

// actor is what the proof runs: the client, or a batch-copy plan's job.
func (p *Proof) actor() string {
	if p.Plan.Job != nil {
		return "the job"
	}
	return "the client"
}

// Verdict is the proof's last line: whether the planned permissions are
// sufficient, and whether each is necessary.
func (p *Proof) Verdict() string {
	if !p.Baseline.OK() {
		return "verdict: NOT PROVED: the planned permissions were not shown sufficient"
	}
	if p.SufficiencyOnly {
		return "verdict: sufficient; each permission's necessity not checked (no permission was removed)"
	}
	var fallback, unneeded int
	for _, c := range p.Checks {
		switch c.Effect {
		case DeniedCalls:
			fallback++
		case NoEffect:
			unneeded++
		}
	}
	s := fmt.Sprintf("verdict: sufficient, and %d of %d permissions necessary", len(p.Checks)-unneeded, len(p.Checks))
	if fallback > 0 {
		s += fmt.Sprintf(" (%d only by a retried or fallback path)", fallback)
	}
	if unneeded > 0 {
		s += fmt.Sprintf("; %d not needed: drop them", unneeded)
	}
	return s
}

// Unnecessary lists the permissions the client did without.
func (p *Proof) Unnecessary() []Check { return unnecessary(p.Checks) }

// Proved reports whether the proof shows the permissions sufficient and
// each necessary.
func (p *Proof) Proved() bool { return p.Baseline.OK() && len(p.Unnecessary()) == 0 }

// unnecessary are the checks whose permission was not shown necessary.
func unnecessary(checks []Check) []Check {
	var out []Check
	for _, c := range checks {
		if !c.Necessary {
			out = append(out, c)
		}
	}
	return out
}

// writeFailed prints a baseline run that failed: why, the last lines of
// its output, the verdict.
func writeFailed(w io.Writer, r Run, verdict string) {
	fmt.Fprintf(w, "  with every planned permission the proof FAILS: %s\n", r.Problem)
	for _, line := range lastLines(r.Output, 6) {
		fmt.Fprintf(w, "    | %s\n", line)
	}
	fmt.Fprintf(w, "%s\n", verdict)
}

func lastLines(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/lockstep-dev/lockstep/replay"
	"github.com/lockstep-dev/lockstep/scenario"
)

// liveDemo runs each step's command with the real client on the emulator.
type liveDemo struct {
	*replay.Session
	ctx        context.Context
	s          *scenario.Scenario
	mismatches int
}

// startLive starts the emulator for the scenario when its clients are
// installed; otherwise it says why not.
func startLive(ctx context.Context, s *scenario.Scenario, engineOnly bool) (*liveDemo, string) {
	if engineOnly {
		return nil, ""
	}
	if ctx == nil {
		ctx = context.Background()
	}
	clients := replay.FindClients()
	if missing := clients.Missing(s); missing != "" {
		return nil, missing + " not installed (make clients installs it)"
	}
	se, err := replay.Start(ctx, s, clients)
	if err != nil {
		return nil, "the emulator could not start: " + err.Error()
	}
	return &liveDemo{Session: se, ctx: ctx, s: s}, ""
}

// renderStep runs step i for real and prints the client's output, the
// calls it made and whether the outcome is the seed's.
func (l *liveDemo) renderStep(out io.Writer, i int) {
	st := &l.s.Steps[i]
	res, err := l.Run(l.ctx, i)
	if err != nil {
		l.mismatches++
		fmt.Fprintf(out, "  real client: could not run: %v\n", err)
		return
	}
	fmt.Fprintf(out, "  real client on the emulator: %s\n", displayCommand(res.Command))
	lines := strings.Split(strings.TrimRight(res.Output, "\n"), "\n")
	if len(lines) > 8 {
		lines = append(lines[:8], fmt.Sprintf("... (%d more lines)", len(lines)-8))
	}
	for _, line := range lines {
		if line != "" {
			fmt.Fprintf(out, "    | %s\n", line)
		}
	}
	exit := "exit 0"
	if res.Err != nil {
		exit = res.Err.Error()
	}
	var calls []string
	seen := map[string]bool{}
	for _, e := range res.Events {
		c := e.EventName
		if e.EventSource == "kms.amazonaws.com" {
			c = "kms:" + c
		}
		if e.ErrorCode != "" {
			c += " (" + e.ErrorCode + ")"
		}
		if !seen[c] {
			seen[c] = true
			calls = append(calls, c)
		}
	}
	fmt.Fprintf(out, "    %s; calls in the audit log: %s\n", exit, strings.Join(calls, ", "))
	var denied string
	for _, c := range st.Calls {
		if c.Expect == "denied" {
			denied = c.Operation
			break
		}
	}
	switch {
	case denied == "" && res.Err == nil:
		fmt.Fprintf(out, "    as in the seed: the command succeeds\n")
	case denied != "" && res.Err != nil && deniedIn(res, denied):
		fmt.Fprintf(out, "    as in the seed: denied at %s\n", denied)
	default:
		l.mismatches++
		want := "success"
		if denied != "" {
			want = "a denial at " + denied
		}
		fmt.Fprintf(out, "    DIFFERS from the seed, which shows %s\n", want)
	}
}

// deniedIn reports whether the audit log shows the operation denied.
func deniedIn(res *replay.Result, op string) bool {
	for _, e := range res.Events {
		if e.EventName == op && e.ErrorCode == "AccessDenied" {
			return true
		}
	}
	return false
}

// displayCommand shortens the client's path for display.
func displayCommand(argv []string) string {
	parts := append([]string(nil), argv...)
	if i := strings.LastIndexByte(parts[0], '/'); i >= 0 {
		parts[0] = parts[0][i+1:]
	}
	for i, p := range parts {
		if strings.Contains(p, "secret_access_key=") {
			parts[i] = "'" + p[:strings.Index(p, "access_key_id=")] + "...'"
		}
	}
	return strings.Join(parts, " ")
}

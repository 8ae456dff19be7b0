package prove

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/plan"
	"github.com/lockstep-dev/lockstep/replay"
	"github.com/lockstep-dev/lockstep/scenario"
)

// mutation is one change to a behaviour model.
type mutation struct {
	name  string
	apply func(m *plan.Model)
}

// cloneModel returns a deep copy of a model that can be changed freely.
func cloneModel(m *plan.Model) *plan.Model {
	c := *m
	c.Thresholds = maps.Clone(m.Thresholds)
	c.Flows = make([]plan.Flow, len(m.Flows))
	for i, f := range m.Flows {
		f.When.Verbs = slices.Clone(f.When.Verbs)
		f.When.If = slices.Clone(f.When.If)
		f.Calls = slices.Clone(f.Calls)
		for j := range f.Calls {
			f.Calls[j].If = slices.Clone(f.Calls[j].If)
		}
		c.Flows[i] = f
	}
	return &c
}

// mutations are the changes the proof must catch when they matter: each
// call dropped, each condition of a call or flow dropped, the multipart
// threshold halved and doubled.
func mutations(m *plan.Model) []mutation {
	var out []mutation
	for i, f := range m.Flows {
		for j, c := range f.Calls {
			out = append(out, mutation{fmt.Sprintf("drop call %s on %s (flow %d)", c.Op, c.On, i+1), func(m *plan.Model) {
				m.Flows[i].Calls = slices.Delete(m.Flows[i].Calls, j, j+1)
			}})
			for k, cond := range c.If {
				out = append(out, mutation{fmt.Sprintf("drop condition %q of %s (flow %d)", cond, c.Op, i+1), func(m *plan.Model) {
					m.Flows[i].Calls[j].If = slices.Delete(m.Flows[i].Calls[j].If, k, k+1)
				}})
			}
			if c.Size != "" {
				out = append(out, mutation{fmt.Sprintf("drop size %s of %s (flow %d)", c.Size, c.Op, i+1), func(m *plan.Model) {
					m.Flows[i].Calls[j].Size = ""
				}})
			}
		}
		for k, cond := range f.When.If {
			out = append(out, mutation{fmt.Sprintf("drop flow %d condition %q", i+1, cond), func(m *plan.Model) {
				m.Flows[i].When.If = slices.Delete(m.Flows[i].When.If, k, k+1)
			}})
		}
		if f.When.From != "" || f.When.To != "" {
			out = append(out, mutation{fmt.Sprintf("drop flow %d direction %s->%s", i+1, f.When.From, f.When.To), func(m *plan.Model) {
				m.Flows[i].When.From, m.Flows[i].When.To = "", ""
			}})
		}
	}
	out = append(out,
		mutation{"halve the multipart threshold", func(m *plan.Model) { m.MultipartThreshold /= 2 }},
		mutation{"double the multipart threshold", func(m *plan.Model) { m.MultipartThreshold *= 2 }},
	)
	for name := range m.Thresholds {
		out = append(out, mutation{"forget the flag of threshold " + name, func(m *plan.Model) {
			t := m.Thresholds[name]
			t.Flag = ""
			m.Thresholds[name] = t
		}})
	}
	return out
}

// planShape is what a plan claims that a client's run can show: for each
// operation, bucket and optionality, the object size classes (of the
// command's size range) it is made for, with the threshold that splits
// them; and the permissions. Two calls of a plan that a run cannot tell
// apart (a HeadObject planned for large objects and one planned for every
// object) count as one claim, their size classes joined.
func planShape(p *plan.Plan) string {
	lo, hi := p.Context.MinObjectSize, p.Context.MaxObjectSize
	claims := map[string]map[string]bool{}
	for _, c := range p.Calls {
		key := fmt.Sprintf("call %s %s %v", c.Operation, c.Bucket, c.Optional)
		if claims[key] == nil {
			claims[key] = map[string]bool{}
		}
		if c.Size == "" {
			// Made for every object, whatever its size.
			claims[key]["any size"] = true
			continue
		}
		small := lo < c.Threshold
		large := hi == 0 || hi >= c.Threshold
		switch {
		case small && large:
			// Objects on both sides of the call's threshold: where the
			// line is drawn matters.
			claims[key][fmt.Sprint(c.Size, " of ", c.Threshold)] = true
		case (c.Size == "small" && small) || (c.Size == "large" && large):
			// Every object of the command is on the call's side.
			claims[key]["any size"] = true
		}
	}
	var parts []string
	for key, classes := range claims {
		if classes["any size"] {
			// A call made for every object covers the others.
			classes = map[string]bool{"any size": true}
		}
		parts = append(parts, fmt.Sprintf("%s %v", key, slices.Sorted(maps.Keys(classes))))
	}
	slices.Sort(parts)
	var needs []string
	for _, n := range p.Needs {
		needs = append(needs, "need "+n.Action+" "+n.Resource)
	}
	slices.Sort(needs)
	return strings.Join(append(parts, needs...), "\n")
}

// TestModelMutationsCaught is the proof's own proof (issue 9): every
// mutation of a behaviour model that changes what the plan of a command
// claims (its calls or its permissions) makes --prove of that command fail
// with the real client. A mutation that changes neither is reported and
// not counted: no proof could tell it apart.
func TestModelMutationsCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real clients")
	}
	const principal = "arn:aws:sts::111111111111:assumed-role/sync/job"
	accounts := map[string]string{"src-a": "111111111111", "dst-a": "111111111111", "dst-b": "222222222222"}
	rows := []struct {
		client plan.Client
		args   string
		max    int64
	}{
		{plan.AWSv2, "aws s3 sync s3://src-a/p/ s3://dst-b/q/ --delete", 0},
		{plan.AWSv2, "aws s3 sync ./up s3://dst-a/p/", 0},
		{plan.Rclone, "rclone copy ./dir s3-remote:dst-a/p", 1 << 20},
		{plan.Rclone, "rclone copy s3-remote:src-a/p s3-remote:dst-a/q --s3-copy-cutoff 5M", 12 << 20},
		{plan.S5cmd, "s5cmd sync ./dir/ s3://dst-a/p/", 1 << 20},
		{plan.Lockstep, "lockstep sync s3://src-a/p/ s3://dst-a/q/ --delete", 0},
		{plan.Lockstep, "lockstep sync ./up s3://dst-b/p/ --delete", 0},
		// Two credential sets (streamed copies) comparing by checksum.
		{plan.Lockstep, "lockstep sync s3://src-a/p/ s3://dst-b/q/ --source-profile prod --dest-profile backup --checksum", 0},
	}
	models, err := plan.Models()
	if err != nil {
		t.Fatal(err)
	}
	clients := replay.FindClients()
	clients.Lockstep = lockstepBinary(t)
	for _, r := range rows {
		t.Run(string(r.client)+" "+strings.ReplaceAll(r.args, "/", "∕"), func(t *testing.T) {
			if _, err := clientBinary(&plan.Command{Client: r.client}, clients); err != nil {
				clientsOrSkip(t, func(replay.Clients) string { return "" })
			}
			cmd, err := plan.ParseCommand(strings.Fields(r.args), r.client)
			if err != nil {
				t.Fatal(err)
			}
			ctx := plan.Context{Principal: principal, BucketAccount: accounts, MaxObjectSize: r.max}
			orig := models[r.client]
			base, err := plan.BuildWith(cmd, ctx, orig)
			if err != nil {
				t.Fatal(err)
			}
			caught, same := 0, 0
			for _, mu := range mutations(orig) {
				m := cloneModel(orig)
				mu.apply(m)
				if m.MultipartThreshold <= 0 {
					m.MultipartThreshold = scenario.Size(1)
				}
				p, err := plan.BuildWith(cmd, ctx, m)
				if err != nil || planShape(p) == planShape(base) {
					same++
					continue
				}
				proof, err := Prove(context.Background(), p, Options{Clients: clients})
				if err != nil {
					t.Fatalf("%s: %v", mu.name, err)
				}
				if proof.Baseline.OK() && len(proof.Unnecessary()) == 0 {
					t.Errorf("mutation %q changes the plan, but the proof passes:\n%s", mu.name, proof.Verdict())
					continue
				}
				caught++
				t.Logf("caught %q: %s", mu.name, firstLine(proof))
			}
			t.Logf("%d mutations change the plan, %d caught; %d leave it unchanged", caught, caught, same)
		})
	}
}

// firstLine says why a proof failed, in one line.
func firstLine(p *Proof) string {
	if !p.Baseline.OK() {
		return p.Baseline.Problem
	}
	var names []string
	for _, c := range p.Unnecessary() {
		names = append(names, c.Need.Action+" on "+c.Need.Resource)
	}
	return "not needed: " + strings.Join(names, ", ")
}

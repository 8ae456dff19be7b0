package plan

import "fmt"

// ForCommand returns the plan's permissions set to run the command of
// c: c's command, model, calls and context, p's needs and the policies
// built from them. The prover runs it to show that a plan which came
// from elsewhere (FromTrail) is sufficient for the command, and each of
// its permissions necessary: the command's plan gives the test data and
// the calls the data must make the client take; the permissions applied
// and removed are p's. Both must be of the same principal.
func (p *Plan) ForCommand(c *Plan) (*Plan, error) {
	if c.Command == nil {
		return nil, fmt.Errorf("ForCommand: the plan has no command")
	}
	if p.Context.Principal != c.Context.Principal {
		return nil, fmt.Errorf("the plan is of %s and the command's of %s: prove them for one principal", p.Context.Principal, c.Context.Principal)
	}
	if c.TwoPrincipals() {
		return nil, fmt.Errorf("%s signs with two credential sets; a plan from a trail is of one principal", c.Command)
	}
	q := *c
	q.Needs = make([]Need, len(p.Needs))
	for i, n := range p.Needs {
		// The need's calls are p's, not the command's.
		n.Calls = nil
		q.Needs[i] = n
	}
	q.Origin = p.Origin
	q.Notes = append([]string(nil), p.Notes...)
	q.Policies = q.policies()
	return &q, nil
}

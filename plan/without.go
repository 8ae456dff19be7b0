package plan

// WithoutNeed returns a copy of the plan without permission i: the same
// calls, the other needs, and policies rebuilt from them. The prover
// removes each permission in turn to show it is necessary.
func (p *Plan) WithoutNeed(i int) *Plan {
	q := *p
	q.Needs = append(append([]Need(nil), p.Needs[:i]...), p.Needs[i+1:]...)
	q.Policies = q.policies()
	return &q
}

// WithNeed returns a copy of the plan with one more permission, and its
// policies rebuilt: to check a permission the plan does not list.
func (p *Plan) WithNeed(n Need) *Plan {
	q := *p
	q.Needs = append(append([]Need(nil), p.Needs...), n)
	q.Policies = q.policies()
	return &q
}

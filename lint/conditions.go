package lint

import (
	"strings"

	"github.com/lockstep-dev/lockstep/authz"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// conditions checks a statement's Condition block: operator spelling, set
// operators (docs/authorization.md §1.6), keys the actions never set, and variables in a
// policy without Version 2012-10-17.
func (l *linter) conditions(st *policy.Statement, acts actionSet) {
	list := st.ConditionList()
	block := l.statement(st).member("Condition")
	spelled := map[string]bool{}
	for _, c := range list {
		opAt := block.member(c.Operator)
		keyAt := opAt.member(c.Key)
		if c.Operator != c.Canonical && !spelled[c.Operator] {
			spelled[c.Operator] = true
			l.warn(opAt, "operator-spelling", "write %s: operator names are spelled as the AWS documentation spells them", c.Canonical)
		}
		if c.Set == "ForAllValues" && st.Effect == policy.Allow && !requiresPresent(list, c.Key) {
			l.warn(keyAt, "forallvalues-with-allow",
				"ForAllValues is also true when %s is absent or empty, so this Allow also grants requests without it; "+
					"use ForAnyValue, or add \"Null\": {%q: \"false\"} (docs/authorization.md §1.6 set operators)", c.Key, c.Key)
		}
		if c.Set != "" && singleValued(c.Key) {
			l.warn(keyAt, "set-operator-on-single-valued-key",
				"%s is single-valued: write %s, not %s (set operators are for multivalued keys, docs/authorization.md §1.6)",
				c.Key, strings.TrimPrefix(c.Canonical, c.Set+":"), c.Canonical)
		}
		l.keySet(keyAt, c.Key, acts)
		if l.p.Version != policy.Version2012 {
			for i, v := range c.Values {
				if strings.Contains(v, "${") {
					l.warn(keyAt.item(i), "variables-without-version", "%q is literal text: %s", v, l.variablesNeedVersion())
				}
			}
		}
	}
}

// requiresPresent reports whether the conditions include
// "Null": {key: "false"}, the documented companion of ForAllValues in an
// Allow.
func requiresPresent(list []policy.ConditionInfo, key string) bool {
	for _, c := range list {
		if c.Base == "Null" && strings.EqualFold(c.Key, key) && len(c.Values) == 1 && strings.EqualFold(c.Values[0], "false") {
			return true
		}
	}
	return false
}

// singleValued reports whether key is known to be single-valued: by the
// context-key catalogue (docs/context-keys.md) for the aws: keys, by the
// SAR types for service keys. Unknown keys and the aws: tag keys
// (aws:PrincipalTag/..., aws:RequestTag/..., aws:ResourceTag/...) report
// false.
func singleValued(key string) bool {
	k := strings.ToLower(key)
	if strings.HasPrefix(k, "aws:") {
		info, ok := authz.LookupContextKey(k)
		return ok && !info.Multi && !info.Template()
	}
	t, ok := s3ops.ConditionKeyType(k)
	return ok && !strings.HasPrefix(t, "ArrayOf")
}

// keySet warns when none of the statement's actions sets the condition key
// (s3:prefix on s3:GetObject): the condition then only ever sees it
// absent. Only keys of the services in the SAR table are checked (not
// aws: keys, nor OIDC or SAML provider keys), and not in statements with
// "*", NotAction or unknown actions.
func (l *linter) keySet(at cursor, key string, acts actionSet) {
	svc, _, _ := strings.Cut(key, ":")
	if acts.open || len(acts.known) == 0 || !s3ops.KnowsService(svc) {
		return
	}
	var written []string
	for _, p := range acts.known {
		for _, a := range p.actions {
			if s3ops.ActionSetsKey(a, key) {
				return
			}
		}
		written = append(written, p.text)
	}
	msg := "no request for " + joinAnd(written) + " carries " + key + ", so this condition only ever sees it absent"
	if setters := actionsSetting(svc, key, 3); len(setters) > 0 {
		msg += "; " + key + " is set by " + strings.Join(setters, ", ")
		if len(setters) == 3 {
			msg += ", ..."
		}
	}
	l.warn(at, "key-not-set-by-action", "%s", msg)
}

// actionsSetting returns up to n actions of svc for which the SAR lists
// key.
func actionsSetting(svc, key string, n int) []string {
	var out []string
	for _, a := range s3ops.Actions(svc + ":*") {
		if len(out) == n {
			break
		}
		if s3ops.ActionSetsKey(a, key) {
			out = append(out, a)
		}
	}
	return out
}

// resourceVariables warns about ${...} in Resource entries of a policy
// whose Version does not substitute variables.
func (l *linter) resourceVariables(st *policy.Statement) {
	if l.p.Version == policy.Version2012 {
		return
	}
	res, not := st.Resources()
	el := "Resource"
	if not {
		el = "NotResource"
	}
	at := l.statement(st).member(el)
	for i, r := range res {
		if strings.Contains(r, "${") {
			l.warn(at.item(i), "variables-without-version", "%q is literal text: %s", r, l.variablesNeedVersion())
		}
	}
}

func (l *linter) variablesNeedVersion() string {
	if l.p.Version == "" {
		return "policy variables need \"Version\": \"" + policy.Version2012 + "\", and this policy has no Version"
	}
	return "policy variables need \"Version\": \"" + policy.Version2012 + "\", not " + l.p.Version
}

package lint

import (
	"path"
	"slices"
	"strings"

	"github.com/lockstep-dev/lockstep/s3ops"
)

// suggest proposes what an unknown action name of service svc (lower
// case) probably meant, or returns "". In order: an API operation name
// used as an action (s3:ListObjectsV2 → s3:ListBucket), a known action
// a small edit away (s3:GetObjects → s3:GetObject), an operation of
// another service (s3:GenerateDataKey → kms:GenerateDataKey).
func suggest(svc, name string) string {
	if ops := operations(svc, name); len(ops) > 0 {
		return operationHint(ops)
	}
	if strings.ContainsAny(name, "*?") {
		return ""
	}
	if a := s3ops.SuggestAction(svc + ":" + name); a != "" {
		return "did you mean " + a + "?"
	}
	if op, ok := s3ops.Find(name); ok && op.Service != svc {
		return operationHint([]*s3ops.Operation{op})
	}
	return ""
}

// operations returns the operations of svc whose name matches name, which
// may hold * and ? wildcards (case-insensitive).
func operations(svc, name string) []*s3ops.Operation {
	if !strings.ContainsAny(name, "*?") {
		if op, ok := s3ops.Lookup(svc, name); ok {
			return []*s3ops.Operation{op}
		}
		return nil
	}
	pattern := strings.ToLower(name)
	var out []*s3ops.Operation
	for _, op := range s3ops.Operations() {
		if op.Service != svc {
			continue
		}
		// Operation names hold no '/', so path.Match has IAM's
		// wildcard semantics here.
		if ok, _ := path.Match(pattern, strings.ToLower(op.Name)); ok {
			out = append(out, op)
		}
	}
	return out
}

// operationHint names the IAM actions that authorize ops: "the IAM action
// for ListObjectsV2 is s3:ListBucket".
func operationHint(ops []*s3ops.Operation) string {
	var names, actions []string
	for _, op := range ops {
		names = append(names, op.Name)
		for _, a := range baseActions(op) {
			if !slices.Contains(actions, a) {
				actions = append(actions, a)
			}
		}
	}
	if len(actions) == 1 {
		return "the IAM action for " + joinAnd(names) + " is " + actions[0]
	}
	return "the IAM actions for " + joinAnd(names) + " are " + joinAnd(actions)
}

// baseActions returns the actions an operation needs in its plain form:
// no versionId, no optional headers.
func baseActions(op *s3ops.Operation) []string {
	var out []string
	for _, p := range op.Permissions {
		switch p.When {
		case s3ops.Always, s3ops.NoVersionID, s3ops.SourceNoVersionID:
			if !slices.Contains(out, p.Action) {
				out = append(out, p.Action)
			}
		}
	}
	return out
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(list []string) string {
	if len(list) <= 1 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

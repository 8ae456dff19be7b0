package lint

import (
	"encoding/json"

	"github.com/lockstep-dev/lockstep/policy"
)

// detectType guesses the policy type from the statements' elements: a
// resource policy when any statement has Principal or NotPrincipal, an
// identity policy otherwise (including documents that are not valid JSON;
// policy.Parse then reports why).
func detectType(src []byte) policy.Type {
	var doc map[string]any
	if json.Unmarshal(src, &doc) != nil {
		return policy.Identity
	}
	var statements []any
	switch st := doc["Statement"].(type) {
	case []any:
		statements = st
	case map[string]any:
		statements = []any{st}
	}
	for _, s := range statements {
		m, _ := s.(map[string]any)
		_, p := m["Principal"]
		_, np := m["NotPrincipal"]
		if p || np {
			return policy.Resource
		}
	}
	return policy.Identity
}

package plan

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// tfIdent is what Terraform accepts as a resource, data source, variable
// or provider alias name.
var tfIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// tfConfig is a parsed Terraform file: its blocks by address
// ("resource.T.N", "data.T.N", "variable.N", "provider.ALIAS"; the
// unaliased provider is "provider.aws"), and the policy documents its
// attributes hold, by "address.attribute[i]".
type tfConfig struct {
	src       []byte
	addresses []string
	blocks    map[string]*hclsyntax.Block
	documents map[string]string
}

// checkTerraform parses src with HCL's native syntax parser and checks
// what terraform validate would check without the provider's schema:
// the names are identifiers, no two blocks share an address, every
// reference (data.T.N, var.N, aws.ALIAS, T.N) names a block of the file,
// and every policy document (policy, source_policy_documents,
// override_policy_documents) that is a literal is valid JSON.
func checkTerraform(t *testing.T, src string) *tfConfig {
	t.Helper()
	if strings.Count(src, "{") != strings.Count(src, "}") {
		t.Errorf("unbalanced braces: %d { and %d }", strings.Count(src, "{"), strings.Count(src, "}"))
	}
	f, diags := hclsyntax.ParseConfig([]byte(src), "lockstep.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("the Terraform output does not parse: %s\n%s", diags.Error(), numbered(src))
	}
	c := &tfConfig{src: []byte(src), blocks: map[string]*hclsyntax.Block{}, documents: map[string]string{}}
	body := f.Body.(*hclsyntax.Body)
	for _, blk := range body.Blocks {
		addr := ""
		switch blk.Type {
		case "terraform":
			continue
		case "resource", "data":
			if len(blk.Labels) != 2 {
				t.Errorf("%s block with labels %q: want a type and a name", blk.Type, blk.Labels)
				continue
			}
			addr = blk.Type + "." + blk.Labels[0] + "." + blk.Labels[1]
		case "variable":
			addr = "variable." + blk.Labels[0]
		case "provider":
			addr = "provider.aws"
			if a := blk.Body.Attributes["alias"]; a != nil {
				v, d := a.Expr.Value(nil)
				if d.HasErrors() || v.Type() != cty.String {
					t.Errorf("provider alias is not a string literal")
					continue
				}
				addr = "provider." + v.AsString()
			}
		default:
			t.Errorf("unexpected block type %q", blk.Type)
			continue
		}
		for _, name := range strings.Split(addr, ".")[1:] {
			if !tfIdent.MatchString(name) {
				t.Errorf("%s: %q is not a valid Terraform name", addr, name)
			}
		}
		if c.blocks[addr] != nil {
			t.Errorf("two blocks have the address %s", addr)
		}
		c.blocks[addr] = blk
		c.addresses = append(c.addresses, addr)
	}
	for _, addr := range c.addresses {
		blk := c.blocks[addr]
		for name, attr := range blk.Body.Attributes {
			if blk.Type == "variable" && name == "type" {
				continue // a type expression, not references
			}
			for _, tr := range attr.Expr.Variables() {
				if ref := referenced(tr); c.blocks[ref] == nil {
					t.Errorf("%s.%s refers to %s, which the file does not declare", addr, name, ref)
				}
			}
			switch name {
			case "policy", "source_policy_documents", "override_policy_documents":
				c.collectDocuments(t, addr+"."+name, attr.Expr)
			}
		}
	}
	return c
}

// referenced is the address of the block a traversal names.
func referenced(tr hcl.Traversal) string {
	var parts []string
	for _, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, s.Name)
		case hcl.TraverseAttr:
			parts = append(parts, s.Name)
		}
	}
	switch {
	case parts[0] == "var" && len(parts) >= 2:
		return "variable." + parts[1]
	case parts[0] == "data" && len(parts) >= 3:
		return "data." + parts[1] + "." + parts[2]
	case parts[0] == "aws" && len(parts) == 2:
		return "provider." + parts[1]
	case len(parts) >= 2:
		return "resource." + parts[0] + "." + parts[1]
	}
	return strings.Join(parts, ".")
}

// collectDocuments evaluates the literal strings of a policy attribute
// (a string, or a list of strings) and checks each is JSON.
func (c *tfConfig) collectDocuments(t *testing.T, at string, expr hclsyntax.Expression) {
	if tup, ok := expr.(*hclsyntax.TupleConsExpr); ok {
		for i, e := range tup.Exprs {
			c.collectDocuments(t, fmt.Sprintf("%s[%d]", at, i), e)
		}
		return
	}
	if len(expr.Variables()) > 0 {
		return
	}
	v, d := expr.Value(nil)
	if d.HasErrors() || v.Type() != cty.String {
		t.Errorf("%s is not a string: %s", at, d.Error())
		return
	}
	doc := v.AsString()
	if !json.Valid([]byte(doc)) {
		t.Errorf("%s is not valid JSON:\n%s", at, doc)
	}
	c.documents[at] = doc
}

func numbered(src string) string {
	var b strings.Builder
	for i, line := range strings.Split(src, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, line)
	}
	return b.String()
}

package plan

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"strings"
)

// tfUnsafe matches what a Terraform name cannot hold: a name "must start
// with a letter or underscore and may contain only letters, digits,
// underscores, and dashes" (Terraform language, resource syntax).
var tfUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// tfNames hands out Terraform names (resource, data source, variable and
// provider alias names), unique per block type.
type tfNames map[string]bool

// name returns a valid, unused name for s among the blocks of one type:
// s with every run of other characters replaced by "_", after prefix when
// s does not start with a letter. When the replacement loses
// information (s held characters a name cannot), a short hash of s
// follows, so that buckets "a.b" and "a_b" never share a name; a name
// already taken gets a counter.
func (n tfNames) name(typ, prefix, s string) string {
	name := tfUnsafe.ReplaceAllString(s, "_")
	if name != s {
		sum := sha256.Sum256([]byte(s))
		name += fmt.Sprintf("_%x", sum[:4])
	}
	if name == "" || !isLetter(name[0]) {
		name = prefix + name
	}
	base := name
	for i := 2; n[typ+"."+name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	n[typ+"."+name] = true
	return name
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// heredoc returns a JSON document as an indented Terraform heredoc, from
// "<<-EOT" to the closing "EOT": the template sequences "${" and "%{" are
// escaped, so that IAM policy variables such as ${aws:username} reach AWS
// as written.
func heredoc(doc []byte, indent string) string {
	text := strings.NewReplacer("${", "$${", "%{", "%%{").Replace(string(doc))
	var b strings.Builder
	b.WriteString("<<-EOT\n")
	for _, line := range strings.SplitAfter(text, "\n") {
		if line != "" {
			b.WriteString(indent + "  " + line)
		}
	}
	if !strings.HasSuffix(text, "\n") {
		b.WriteString("\n")
	}
	b.WriteString(indent + "EOT")
	return b.String()
}

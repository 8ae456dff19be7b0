package lint

import (
	"github.com/lockstep-dev/lockstep/world"
)

// World lints every policy document of a world (world.Model.PolicyDocs),
// each as the type it is evaluated as. A finding's File is name, its Line
// the line where the document starts in it (Col 0: lines of the
// document's JSON form are not the file's), its Owner what the document
// belongs to, and its Path the element inside the document.
func World(name string, m *world.Model) []Finding {
	var out []Finding
	for _, d := range m.PolicyDocs() {
		src, err := d.Doc.JSON()
		if err != nil {
			out = append(out, Finding{File: name, Line: d.Line, Owner: d.Owner, Severity: Error, Code: CodeInvalid, Message: err.Error()})
			continue
		}
		t := d.Type
		for _, f := range Source(name, src, &t) {
			f.Line, f.Col, f.Owner = d.Line, 0, d.Owner
			out = append(out, f)
		}
	}
	return out
}

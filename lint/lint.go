package lint

import (
	"cmp"
	"fmt"
	"os"
	"slices"

	"github.com/lockstep-dev/lockstep/policy"
)

// Severity of a finding.
type Severity uint8

const (
	// Error is a problem AWS rejects: the document does not parse or
	// validate.
	Error Severity = iota
	// Warning is a valid document that probably does not do what its
	// author meant.
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Finding is one problem in a policy file.
type Finding struct {
	File string
	// Line and Col are 1-based, of the element at fault; 0 when unknown.
	// For a policy of a world file, Line is where the document starts
	// and Col is 0.
	Line, Col int
	// Owner, for a policy of a world file, is what it belongs to: `user
	// alice of account 111111111111, policy "read"`.
	Owner string
	// Path is the JSON path of the element at fault, e.g.
	// "Statement[1].Resource".
	Path     string
	Severity Severity
	// Code is a stable short name of the check, e.g.
	// "object-action-on-bucket-arn".
	Code string
	// Message says what is wrong and what to do.
	Message string
}

// String formats the finding as
// "file:line:col: severity: path: message [code]", with "(owner)" after
// the place for a policy of a world file.
func (f Finding) String() string {
	loc := f.File
	switch {
	case f.Line > 0 && f.Col > 0:
		loc = fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Col)
	case f.Line > 0:
		loc = fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	if f.Owner != "" {
		loc += " (" + f.Owner + ")"
	}
	path := ""
	if f.Path != "" {
		path = f.Path + ": "
	}
	code := ""
	if f.Code != "" {
		code = " [" + f.Code + "]"
	}
	return fmt.Sprintf("%s: %s: %s%s%s", loc, f.Severity, path, f.Message, code)
}

// CodeInvalid is the code of the Error findings: the problems that make
// policy.Parse (and AWS) reject the document.
const CodeInvalid = "invalid-policy"

// File reads and lints a policy file. A nil typ detects the type: a
// resource (bucket) policy when a statement has a Principal or NotPrincipal
// element, an identity policy otherwise. The error is only for a file that
// cannot be read.
func File(path string, typ *policy.Type) ([]Finding, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lint: reading policy: %w", err)
	}
	return Source(path, src, typ), nil
}

// Source lints a document held in memory; name is used as Finding.File.
// A document that does not parse yields only its Error findings.
func Source(name string, src []byte, typ *policy.Type) []Finding {
	t := detectType(src)
	if typ != nil {
		t = *typ
	}
	p, err := policy.Parse(src, t)
	if err != nil {
		return sorted(parseFindings(name, src, err))
	}
	l := &linter{name: name, src: src, p: p}
	l.run()
	return sorted(l.out)
}

// parseFindings turns the errors of policy.Parse into Error findings.
func parseFindings(name string, src []byte, err error) []Finding {
	list, ok := err.(policy.ErrorList)
	if !ok {
		return []Finding{{File: name, Severity: Error, Code: CodeInvalid, Message: err.Error()}}
	}
	out := make([]Finding, 0, len(list))
	for _, e := range list {
		off := e.Offset
		if e.Path != "" {
			// Element errors point at the end of the previous token;
			// move to the value itself. JSON syntax errors (no path)
			// point where the decoder stopped and stay.
			off = valueStart(src, off)
		}
		line, col := policy.LineCol(src, off)
		out = append(out, Finding{File: name, Line: line, Col: col, Path: e.Path,
			Severity: Error, Code: CodeInvalid, Message: e.Msg})
	}
	return out
}

// sorted orders findings by line, then column, keeping the order of the
// checks for findings at the same place.
func sorted(fs []Finding) []Finding {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Col, b.Col)
	})
	return fs
}

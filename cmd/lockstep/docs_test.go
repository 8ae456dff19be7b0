package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lockstep-dev/lockstep/replay"
)

// TestDocExamples runs every lockstep command of the console examples of
// README.md and docs/*.md, and of every command's --help examples, and
// compares what the docs show with what the command prints (issue 11):
// each shown line must be printed (a line ending in "..." as a prefix; a
// "..." line skips any). A command may be denied (exit 1) but not refused
// (exit 2) unless the docs show its error. Commands of other programs, and
// lockstep serve sessions (which the e2e tests run with the real
// clients), are not run here.
func TestDocExamples(t *testing.T) {
	t.Chdir("../..")
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	var examples []docExample
	for _, f := range append([]string{"README.md"}, files...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		examples = append(examples, consoleExamples(f, string(data))...)
	}
	examples = append(examples, helpExamples()...)
	ran := 0
	for _, ex := range examples {
		words, env, stdin, err := shellWords(ex.command)
		if err != nil {
			t.Errorf("%s: %v", ex.where, err)
			continue
		}
		if len(words) < 2 || words[0] != "lockstep" || words[1] == "serve" {
			continue
		}
		ran++
		t.Run(ex.where, func(t *testing.T) {
			withEnv(t, env)
			if slices.Contains(words, "--prove") && replay.FindClients().AWS == "" && os.Getenv("LOCKSTEP_REQUIRE_CLIENTS") == "" {
				t.Skip("--prove runs the real client, which is not installed (make clients)")
			}
			code, out, errOut := runCLIWithInput(t, stdin, words[1:]...)
			printed := strings.Split(out+errOut, "\n")
			if code == exitBadInput && !strings.HasPrefix(strings.Join(ex.output, "\n"), "lockstep: ") {
				t.Fatalf("%s: refused (exit 2):\n%s%s", ex.command, out, errOut)
			}
			if line, ok := matchShown(ex.output, printed); !ok {
				t.Errorf("%s\nthe docs show %q, which it does not print; it printed:\n%s%s", ex.command, line, out, errOut)
			}
		})
	}
	if ran < 15 {
		t.Errorf("only %d lockstep commands found in the docs and helps", ran)
	}
}

// docExample is one command of the docs and the output they show.
type docExample struct {
	where   string // file:line
	command string
	output  []string
}

// consoleExamples are the "$ " commands of the ```console blocks of doc.
func consoleExamples(file, doc string) []docExample {
	var out []docExample
	lines := strings.Split(doc, "\n")
	in := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "```console"):
			in = true
			continue
		case strings.HasPrefix(l, "```"):
			in = false
			continue
		case !in || !strings.HasPrefix(l, "$ "):
			if in && len(out) > 0 && out[len(out)-1].where != "" && !strings.HasPrefix(l, "$ ") {
				out[len(out)-1].output = append(out[len(out)-1].output, l)
			}
			continue
		}
		ex := docExample{where: fmt.Sprintf("%s:%d", file, i+1)}
		cmd := strings.TrimPrefix(l, "$ ")
		for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
			i++
			cmd = strings.TrimSuffix(cmd, "\\") + " " + strings.TrimSpace(lines[i])
		}
		ex.command = cmd
		out = append(out, ex)
	}
	return out
}

// helpExamples are the commands of every command's Example text.
func helpExamples() []docExample {
	var out []docExample
	root := newRootCommand()
	stack := root.Commands()
	for len(stack) > 0 {
		c := stack[0]
		stack = append(stack[1:], c.Commands()...)
		lines := strings.Split(c.Example, "\n")
		for i := 0; i < len(lines); i++ {
			cmd := strings.TrimSpace(lines[i])
			if cmd == "" {
				continue
			}
			for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
				i++
				cmd = strings.TrimSuffix(cmd, "\\") + " " + strings.TrimSpace(lines[i])
			}
			out = append(out, docExample{where: fmt.Sprintf("%s --help example %d", c.CommandPath(), len(out)+1), command: cmd})
		}
	}
	return out
}

// matchShown checks that the shown lines are printed in order: a line
// ending in "..." as a prefix, a "..." line skipping any. It returns the
// first shown line not found.
func matchShown(shown, printed []string) (string, bool) {
	j := 0
	for _, s := range shown {
		s = strings.TrimRight(s, " ")
		if s == "" || s == "..." {
			continue
		}
		prefix := strings.HasSuffix(s, "...")
		want := strings.TrimSuffix(s, "...")
		found := false
		for ; j < len(printed); j++ {
			p := strings.TrimRight(printed[j], " ")
			if p == want || (prefix && strings.HasPrefix(p, want)) {
				found = true
				j++
				break
			}
		}
		if !found {
			return s, false
		}
	}
	return "", true
}

// shellWords splits a console command as a POSIX shell would for the
// forms the docs use: VAR=value prefixes, single and double quotes, a
// trailing "# comment", and "echo 'TEXT' | lockstep ..." (TEXT becomes
// standard input).
func shellWords(line string) (words []string, env map[string]string, stdin string, err error) {
	if before, after, ok := strings.Cut(line, " | "); ok && strings.HasPrefix(before, "echo ") {
		w, _, _, err := shellWords(before)
		if err != nil {
			return nil, nil, "", err
		}
		stdin = strings.Join(w[1:], " ") + "\n"
		line = after
	}
	env = map[string]string{}
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				return nil, nil, "", fmt.Errorf("unbalanced %c in %s", c, line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '#' && !inWord:
			i = len(line)
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
		k, v, _ := strings.Cut(words[0], "=")
		env[k] = v
		words = words[1:]
	}
	return words, env, stdin, nil
}

// runCLIWithInput is runCLI with standard input.
func runCLIWithInput(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	root := newRootCommand()
	var out, errOut strings.Builder
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(cliArgs(args))
	code := exitOK
	if err := root.Execute(); err != nil {
		code = exitBadInput
		if ee, ok := err.(*exitError); ok {
			code = ee.code
		}
		if err.Error() != "" {
			errOut.WriteString("lockstep: " + err.Error() + "\n")
		}
	}
	return code, out.String(), errOut.String()
}

package policy

import (
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of one element of a compiled pattern.
type tokKind uint8

const (
	tokLit   tokKind = iota // literal text
	tokStar                 // * : any run of characters, including none
	tokQmark                // ? : exactly one character
	tokVar                  // ${key} or ${key, 'default'}: a policy variable
)

type token struct {
	kind   tokKind
	lit    string // tokLit: the text; tokVar: the default value
	key    string // tokVar: lower-cased context key
	hasDef bool   // tokVar: a default value was given
}

// pattern is a compiled string pattern: a policy value that may contain the
// wildcards * and ? (when compiled with wildcards) and policy variables (when
// the policy's Version allows them). Matching never allocates.
type pattern struct {
	text   string
	toks   []token
	hasVar bool
	// mode selects a fast path for the common shapes.
	mode patMode
}

type patMode uint8

const (
	modeGeneral patMode = iota
	modeExact           // one literal (or the empty string)
	modePrefix          // a literal followed by *
	modeAny             // *
)

// compilePattern compiles s. With wild, * and ? are wildcards (Action,
// Resource, StringLike, ArnLike); otherwise they are literal (StringEquals).
// With vars, ${...} is a policy variable (docs/authorization.md §1.6 "Policy variables"):
// ${*}, ${?} and ${$} stand for the literal characters, and
// ${key, 'default'} supplies a default for an absent key. A "${" without a
// closing brace is literal text.
func compilePattern(s string, wild, vars bool) pattern {
	p := pattern{text: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.toks = append(p.toks, token{kind: tokLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && c == '*':
			flush()
			// Consecutive stars are one star.
			if n := len(p.toks); n == 0 || p.toks[n-1].kind != tokStar {
				p.toks = append(p.toks, token{kind: tokStar})
			}
			i++
		case wild && c == '?':
			flush()
			p.toks = append(p.toks, token{kind: tokQmark})
			i++
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				lit.WriteString(s[i:])
				i = len(s)
				continue
			}
			body := s[i+2 : i+2+end]
			i += 2 + end + 1
			switch body {
			case "*", "?", "$":
				lit.WriteString(body)
				continue
			}
			key, def, hasDef := splitVariable(body)
			if key == "" {
				lit.WriteString("${" + body + "}")
				continue
			}
			flush()
			p.toks = append(p.toks, token{kind: tokVar, key: strings.ToLower(key), lit: def, hasDef: hasDef})
			p.hasVar = true
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	switch {
	case len(p.toks) == 0:
		p.mode = modeExact
	case len(p.toks) == 1 && p.toks[0].kind == tokLit:
		p.mode = modeExact
	case len(p.toks) == 1 && p.toks[0].kind == tokStar:
		p.mode = modeAny
	case len(p.toks) == 2 && p.toks[0].kind == tokLit && p.toks[1].kind == tokStar:
		p.mode = modePrefix
	}
	return p
}

// splitVariable splits the body of ${...} into the key and an optional
// default value written as `key, 'default'`.
func splitVariable(body string) (key, def string, hasDef bool) {
	comma := strings.IndexByte(body, ',')
	if comma < 0 {
		return strings.TrimSpace(body), "", false
	}
	key = strings.TrimSpace(body[:comma])
	rest := strings.TrimSpace(body[comma+1:])
	if len(rest) >= 2 && rest[0] == '\'' && rest[len(rest)-1] == '\'' {
		return key, rest[1 : len(rest)-1], true
	}
	return "", "", false
}

// varValue resolves a variable token from the context. A key that is absent,
// or that has several values (only single-valued keys can be variables,
// docs/authorization.md §1.6), resolves to its default or to nothing.
func varValue(t *token, ctx *Context) (string, bool) {
	if ctx != nil {
		if vs, ok := ctx.get(t.key); ok && len(vs) == 1 {
			return vs[0], true
		}
	}
	if t.hasDef {
		return t.lit, true
	}
	return "", false
}

// match reports whether s matches the pattern. fold compares ASCII letters
// case-insensitively. resolved is false when a variable in the pattern has no
// value: such a pattern matches nothing (docs/authorization.md §1.6 "effectively null").
func (p *pattern) match(s string, ctx *Context, fold bool) (matched, resolved bool) {
	switch p.mode {
	case modeAny:
		return true, true
	case modeExact:
		if len(p.toks) == 0 {
			return s == "", true
		}
		lit := p.toks[0].lit
		return len(s) == len(lit) && hasPrefixFold(s, lit, fold), true
	case modePrefix:
		return hasPrefixFold(s, p.toks[0].lit, fold), true
	}
	toks := p.toks
	i, j := 0, 0
	starTok, starJ := -1, 0
	for {
		if i < len(toks) {
			t := &toks[i]
			switch t.kind {
			case tokStar:
				starTok, starJ = i, j
				i++
				continue
			case tokQmark:
				if j < len(s) {
					_, size := utf8.DecodeRuneInString(s[j:])
					j += size
					i++
					continue
				}
			case tokLit:
				if hasPrefixFold(s[j:], t.lit, fold) {
					j += len(t.lit)
					i++
					continue
				}
			case tokVar:
				v, ok := varValue(t, ctx)
				if !ok {
					return false, false
				}
				if hasPrefixFold(s[j:], v, fold) {
					j += len(v)
					i++
					continue
				}
			}
		} else if j == len(s) {
			return true, true
		}
		// Mismatch: let the last star absorb one more character.
		if starTok < 0 || starJ >= len(s) {
			return false, true
		}
		_, size := utf8.DecodeRuneInString(s[starJ:])
		starJ += size
		i, j = starTok+1, starJ
	}
}

// hasPrefixFold is strings.HasPrefix, optionally folding ASCII case.
func hasPrefixFold(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if !fold {
		return s[:len(prefix)] == prefix
	}
	for k := 0; k < len(prefix); k++ {
		a, b := s[k], prefix[k]
		if a == b {
			continue
		}
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

package policy

import (
	"strings"
)

// arnPattern is a compiled Resource/NotResource entry or ArnLike value.
//
// Matching is segment-wise (docs/authorization.md §1.5 "Resource"): the six colon-separated
// parts of an ARN (arn, partition, service, region, account, resource) are
// matched one by one, and a wildcard never crosses a colon, except that the
// resource part (everything after the fifth colon) is one segment that may
// itself contain colons, and a pattern with fewer than six parts whose last
// part ends in * matches the rest of the ARN (the newer IAM wording; the
// unknown of docs/decisions.md #1 is recorded in docs/decisions.md). The arn,
// partition and service parts compare case-insensitively; region, account
// and resource are case-sensitive (S3 keys and IAM user names are).
type arnPattern struct {
	text   string
	offset int64 // of the entry in Policy.Source
	any    bool
	parts  []pattern // 1 to 6 parts
	// head is "arn:PARTITION:SERVICE:REGION:ACCOUNT:" when the pattern has
	// six parts and the first five are plain literals: the common case,
	// matched with one comparison.
	head string
	// foldLen is the length of the "arn:PARTITION:SERVICE:" part of head,
	// which compares case-insensitively; the rest of head is exact.
	foldLen int
}

// compileARNPattern compiles a resource pattern. Policy variables are
// allowed only in the resource part (docs/authorization.md §1.6 "Policy variables").
func compileARNPattern(s string, vars bool) (arnPattern, string) {
	ap := arnPattern{text: s}
	if s == "*" {
		ap.any = true
		return ap, ""
	}
	if len(s) < 4 || !strings.EqualFold(s[:4], "arn:") {
		if strings.HasPrefix(s, "s3:::") || strings.HasPrefix(s, "aws:s3") {
			return ap, "\"" + s + "\" is not an ARN: write \"arn:aws:s3:::BUCKET\" or \"arn:aws:s3:::BUCKET/KEY\""
		}
		return ap, "\"" + s + "\" is not an ARN (arn:partition:service:region:account:resource) or \"*\""
	}
	raw := strings.SplitN(s, ":", 6)
	for i, part := range raw {
		ap.parts = append(ap.parts, compilePattern(part, true, vars && i == 5))
	}
	if len(raw) == 6 && !strings.ContainsAny(strings.Join(raw[:5], ":"), "*?$") {
		ap.head = strings.Join(raw[:5], ":") + ":"
		ap.foldLen = len(raw[0]) + len(raw[1]) + len(raw[2]) + 3
	}
	return ap, ""
}

// match reports whether arn matches. resolved is false when a policy
// variable had no value; the entry then matches nothing (docs/authorization.md §1.6).
func (ap *arnPattern) match(arn string, ctx *Context) (matched, resolved bool) {
	if ap.any {
		return true, true
	}
	if ap.head != "" {
		// arn, partition and service fold case; region and account do not.
		h := ap.head
		if len(arn) < len(h) || arn[ap.foldLen:len(h)] != h[ap.foldLen:] || !hasPrefixFold(arn, h[:ap.foldLen], true) {
			return false, true
		}
		return ap.parts[5].match(arn[len(h):], ctx, false)
	}
	rest := arn
	n := len(ap.parts)
	for i := 0; i < n; i++ {
		part := &ap.parts[i]
		last := i == n-1
		var seg string
		switch {
		case i == 5:
			seg = rest
		case last && n < 6 && endsWithStar(part):
			// A trailing * in a short pattern matches the rest of the ARN.
			seg = rest
		default:
			c := strings.IndexByte(rest, ':')
			if c < 0 {
				return false, true
			}
			seg, rest = rest[:c], rest[c+1:]
			if last {
				// A short pattern without a trailing * cannot cover all six parts.
				return false, true
			}
		}
		m, ok := part.match(seg, ctx, i < 3)
		if !ok {
			return false, false
		}
		if !m {
			return false, true
		}
	}
	return true, true
}

func endsWithStar(p *pattern) bool {
	return len(p.toks) > 0 && p.toks[len(p.toks)-1].kind == tokStar
}

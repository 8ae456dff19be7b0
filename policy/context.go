package policy

import (
	"sort"
	"strings"
)

// Context holds the condition keys of a request (docs/authorization.md §1.1 "request
// context"). Key names are case-insensitive (docs/authorization.md §1.6); values keep their
// case. A key that was never set is absent, which is different from a key
// set to the empty string (docs/authorization.md §1.6 missing-key rules, §2.3 s3:prefix).
//
// A Context is built once per request and then only read: lookups do not
// allocate.
type Context struct {
	m map[string][]string
}

// NewContext returns an empty context.
func NewContext() *Context { return &Context{m: make(map[string][]string, 24)} }

// Set sets key to values, replacing any earlier values. Set with no values
// makes the key present with an empty set (docs/authorization.md §1.6: ForAllValues is true
// for an empty set).
func (c *Context) Set(key string, values ...string) {
	if c.m == nil {
		c.m = make(map[string][]string, 24)
	}
	c.m[strings.ToLower(key)] = values
}

// Delete makes key absent.
func (c *Context) Delete(key string) { delete(c.m, strings.ToLower(key)) }

// Get returns the values of key and whether it is present.
func (c *Context) Get(key string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.m[strings.ToLower(key)]
	return v, ok
}

// get looks up an already lower-cased key.
func (c *Context) get(lowerKey string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.m[lowerKey]
	return v, ok
}

// Keys returns the lower-cased key names in sorted order.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	keys := make([]string, 0, len(c.m))
	for k := range c.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Clone returns a copy that can be changed without changing c.
func (c *Context) Clone() *Context {
	d := NewContext()
	if c != nil {
		for k, v := range c.m {
			d.m[k] = v
		}
	}
	return d
}

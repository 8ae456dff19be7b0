package world

import (
	"sort"
	"strings"
)

// profiles compiles the world's profiles: the AWS profile names a client
// command may give (--profile NAME, AWS_PROFILE) mapped to the principal
// that signs with them. Each principal must resolve in the world.
func (c *compiler) profiles(m *Model) {
	names := make([]string, 0, len(m.Profiles))
	for name := range m.Profiles {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		arn := m.Profiles[name]
		at := c.at("profiles", name)
		if name == "" || strings.ContainsAny(name, " \t\n[]") {
			c.fail(at, "profiles: %q is not an AWS profile name (no spaces or brackets)", name)
			continue
		}
		if arn == "anonymous" || arn == "*" {
			c.fail(at, "profiles.%s: a profile signs its requests; %q is not a principal that signs (name a user, role, assumed-role or root ARN)", name, arn)
			continue
		}
		if _, err := c.w.Principal(arn); err != nil {
			c.fail(at, "profiles.%s: %v", name, err)
			continue
		}
		c.w.profiles[name] = arn
	}
}

// Profile returns the principal ARN that the AWS profile name signs as,
// from the world's profiles.
func (w *World) Profile(name string) (arn string, ok bool) {
	arn, ok = w.profiles[name]
	return arn, ok
}

// ProfileNames returns the names of the world's profiles, sorted.
func (w *World) ProfileNames() []string {
	names := make([]string, 0, len(w.profiles))
	for name := range w.profiles {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// serveEnv maps serve's flags to the environment variables that set them
// when the flag is not given (docs/emulator.md "Configuration"). A flag
// on the command line wins; an empty variable counts as unset.
var serveEnv = []struct{ flag, env string }{
	{"addr", "LOCKSTEP_ADDR"},
	{"world", "LOCKSTEP_WORLD"},
	{"data", "LOCKSTEP_DATA"},
	{"audit", "LOCKSTEP_AUDIT"},
	{"tls", "LOCKSTEP_TLS"},
	{"tls-cert", "LOCKSTEP_TLS_CERT"},
	{"tls-key", "LOCKSTEP_TLS_KEY"},
	{"tls-ca-out", "LOCKSTEP_TLS_CA_OUT"},
	{"tls-host", "LOCKSTEP_TLS_HOSTS"},
	{"no-fsync", "LOCKSTEP_NO_FSYNC"},
	{"log", "LOCKSTEP_LOG"},
}

// describeEnv adds "(env NAME)" to the help of each flag of serveEnv.
func describeEnv(cmd *cobra.Command) {
	for _, b := range serveEnv {
		if fl := cmd.Flags().Lookup(b.flag); fl != nil {
			fl.Usage += " (env " + b.env + ")"
		}
	}
}

// applyEnv sets each flag of serveEnv that the command line did not set
// from its environment variable, read with lookup. A value the flag
// refuses is an error naming the variable.
func applyEnv(cmd *cobra.Command, lookup func(string) (string, bool)) error {
	f := cmd.Flags()
	for _, b := range serveEnv {
		if f.Changed(b.flag) {
			continue
		}
		v, ok := lookup(b.env)
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		if err := f.Set(b.flag, v); err != nil {
			return fmt.Errorf("%s=%q: %w", b.env, v, err)
		}
	}
	return nil
}

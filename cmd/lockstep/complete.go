package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/world"
)

// Shell completion (lockstep completion bash|zsh|fish|powershell): flag
// values from fixed lists, and principals and buckets from the world that
// --world names on the command line being completed.

// clientNames are the values of --client.
var clientNames = []string{"aws-v1", "aws-v2", "rclone", "s5cmd", "lockstep"}

// completeFixed completes a flag from a fixed list.
func completeFixed(values ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
}

// worldOf reads, without messages, the world --world names on the command
// line being completed; nil when there is none or it does not load.
func worldOf(cmd *cobra.Command) *world.Model {
	path, err := cmd.Flags().GetString("world")
	if err != nil || path == "" {
		return nil
	}
	step := 0
	if f := cmd.Flags().Lookup("step"); f != nil {
		fmt.Sscan(f.Value.String(), &step)
	}
	wf, err := loadWorldFile(path, step, nil)
	if err != nil {
		return nil
	}
	return wf.Model
}

// completePrincipals completes --principal with the users and roles of
// the world.
func completePrincipals(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	m := worldOf(cmd)
	if m == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, a := range m.Accounts {
		for _, u := range a.Users {
			out = append(out, "arn:aws:iam::"+a.ID+":user"+pathOf(u.Path)+u.Name)
		}
		for _, r := range a.Roles {
			out = append(out, "arn:aws:iam::"+a.ID+":role"+pathOf(r.Path)+r.Name)
		}
	}
	return matching(out, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeResources completes eval's --resource with the world's bucket
// ARNs (and their objects' prefix) and key ARNs.
func completeResources(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	m := worldOf(cmd)
	if m == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	region := m.Region
	var out []string
	for _, a := range m.Accounts {
		for _, b := range a.Buckets {
			out = append(out, "arn:aws:s3:::"+b.Name, "arn:aws:s3:::"+b.Name+"/")
		}
		for _, k := range a.Keys {
			out = append(out, "arn:aws:kms:"+region+":"+a.ID+":key/"+k.ID)
		}
	}
	return matching(out, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

func pathOf(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// matching are the candidates that start with prefix, sorted.
func matching(candidates []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, c := range candidates {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// registerCompletions adds the completions of the flags a command has.
func registerCompletions(cmd *cobra.Command) {
	f := cmd.Flags()
	reg := func(name string, fn cobra.CompletionFunc) {
		if f.Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, fn)
		}
	}
	reg("client", completeFixed(clientNames...))
	reg("principal", completePrincipals)
	reg("resource", completeResources)
	reg("world", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{"yaml", "yml", "json"}, cobra.ShellCompDirectiveFilterFileExt
	})
	for _, c := range cmd.Commands() {
		registerCompletions(c)
	}
}

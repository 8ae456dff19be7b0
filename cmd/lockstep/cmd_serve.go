package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/world"
)

func newServeCommand() *cobra.Command {
	var (
		addr, worldFile, dataDir, auditFile string
		cpuProfile                          string
		noSync                              bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the enforcing S3 emulator (with the STS, IAM and KMS calls the scenarios need)",
		Long: `serve runs an S3 endpoint that enforces IAM, bucket and KMS key policies the
way AWS does, so that the real aws, rclone, s5cmd and SDK clients succeed or
fail locally as they would on AWS. Every request is logged in CloudTrail
format to --audit.

Without --world it serves a built-in demo world and prints the credentials
of its users.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := emulator.Options{Addr: addr, DataDir: dataDir, NoSync: noSync}
			if worldFile != "" {
				data, err := os.ReadFile(worldFile)
				if err != nil {
					return badInput(err)
				}
				m, err := world.Decode(data, worldFile)
				if err != nil {
					return badInput(err)
				}
				opts.World, opts.WorldFile = m, worldFile
			}
			switch auditFile {
			case "", "-":
				opts.Audit = cmd.OutOrStdout()
			case "none":
			default:
				f, err := os.OpenFile(auditFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
				if err != nil {
					return badInput(fmt.Errorf("--audit: %w", err))
				}
				defer f.Close()
				opts.Audit = f
			}
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return badInput(fmt.Errorf("--cpuprofile: %w", err))
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return badInput(fmt.Errorf("--cpuprofile: %w", err))
				}
				defer pprof.StopCPUProfile()
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			srv, err := emulator.New(ctx, opts)
			if err != nil {
				return badInput(err)
			}
			if err := srv.Start(); err != nil {
				srv.Close()
				return badInput(err)
			}
			printBanner(cmd.ErrOrStderr(), srv, dataDir)
			<-ctx.Done()
			fmt.Fprintln(cmd.ErrOrStderr(), "lockstep serve: shutting down")
			return srv.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:9000", "`HOST:PORT` to listen on")
	f.StringVar(&worldFile, "world", "", "world `FILE` (YAML or JSON; see docs/world.md); default: the world saved in --data, else the built-in demo world")
	f.StringVar(&dataDir, "data", "", "data `DIR` for buckets and objects; default: a fresh temporary directory, removed at exit")
	f.StringVar(&auditFile, "audit", "-", "CloudTrail-format audit log `FILE`; - for standard output, none for no log")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the server to `FILE` (for performance work)")
	f.BoolVar(&noSync, "no-fsync", false, "do not fsync committed objects (faster, not crash-safe; for benchmarks)")
	return cmd
}

// printBanner tells the user how to point clients at the emulator.
func printBanner(w io.Writer, srv *emulator.Server, dataDir string) {
	src := srv.World().File
	data := dataDir
	if data == "" {
		data = "a temporary directory (removed at exit; use --data DIR to keep objects)"
	}
	fmt.Fprintf(w, "lockstep serve: %s serving %s, data in %s\n\n", srv.Endpoint(), src, data)
	wd := srv.World()
	for _, a := range wd.Accounts {
		for _, u := range a.Users {
			c := wd.CredentialsOf(u)
			if c == nil {
				continue
			}
			fmt.Fprintf(w, "# %s (account %s)\n", u.ARN, a.ID)
			fmt.Fprintf(w, "export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s\n", c.AccessKeyID, c.Secret, wd.Region)
		}
	}
	fmt.Fprintf(w, "\nunset AWS_CA_BUNDLE   # rclone fails when it is set\n")
	fmt.Fprintf(w, "aws --endpoint-url %s s3 ls\n", srv.Endpoint())
	bucket := ""
	for _, a := range wd.Accounts {
		if len(a.Buckets) > 0 && bucket == "" {
			bucket = a.Buckets[0].Name
		}
	}
	fmt.Fprintf(w, "rclone lsf \":s3,provider=Other,endpoint='%s',env_auth=true:%s\"\n\n", srv.Endpoint(), bucket)
}

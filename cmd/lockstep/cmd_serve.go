package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/lockstep-dev/lockstep/emulator"
)

func newServeCommand() *cobra.Command {
	var (
		addr, worldFile, dataDir, auditFile string
		cpuProfile, logMode                 string
		step                                int
		noSync                              bool
		useTLS                              bool
		tlsCert, tlsKey, tlsCAOut           string
		tlsHosts                            []string
		as                                  []string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the enforcing S3 emulator (with the STS, IAM and KMS calls the scenarios need)",
		Long: `serve runs an S3 endpoint that enforces IAM, bucket and KMS key policies the
way AWS does, so that the real aws, rclone, s5cmd and SDK clients succeed or
fail locally as they would on AWS. Every request is logged in CloudTrail
format to --audit.

Without --world it serves a built-in demo world and prints the credentials
of its users. --as ARN prints credentials for a user or role of the world:
a world imported from a real account (lockstep world import) holds no
secret, so the emulator makes a key for a user and issues a session for a
role.

With --tls it serves HTTPS only, with a certificate for 127.0.0.1, ::1 and
localhost made at start and signed by a CA that it keeps in the data
directory and writes to the file the banner names (--tls-ca-out): give it
to the clients (AWS_CA_BUNDLE for the AWS CLI and SDKs, --ca-cert for
rclone) and they verify the connection as they do on AWS. Bucket policies
that deny aws:SecureTransport false then decide as on AWS. --tls-cert and
--tls-key serve a certificate of your own instead.

--log prints one line a call on standard error (time, principal, operation,
resource, and for a denial the deciding statement, the false condition or
the missing permission), whatever --audit does; lockstep audit FILE prints
the same from an audit file.

Every flag marked (env NAME) may be set by that environment variable
instead; a flag given on the command line wins.

In a container, listen on all interfaces (--addr 0.0.0.0:9000, or
LOCKSTEP_ADDR=0.0.0.0:9000) so that the published port reaches the
emulator; it is then reachable by anyone who can reach that port, with the
world's credentials. Add the name other containers use to the generated
certificate with --tls-host NAME.

GET /_lockstep/health answers 200 {"status":"ok","tls":...} without
credentials, for container health checks.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnv(cmd, os.LookupEnv); err != nil {
				return badInput(err)
			}
			if fi, err := os.Stat(dataDir); dataDir != "" && err == nil && !fi.IsDir() {
				return badInput(fmt.Errorf("--data %s is a file: give a directory for the buckets, objects and keys (it is made when missing)", dataDir))
			}
			opts := emulator.Options{Addr: addr, DataDir: dataDir, NoSync: noSync}
			tlsOpts, err := serveTLSOptions(useTLS, tlsCert, tlsKey, tlsCAOut, tlsHosts)
			if err != nil {
				return badInput(err)
			}
			opts.TLS = tlsOpts
			if worldFile != "" {
				wf, err := loadWorldFile(worldFile, step, cmd.ErrOrStderr())
				if err != nil {
					return badInput(err)
				}
				opts.World, opts.WorldFile = wf.Model, worldFile
			}
			var audit io.Writer
			switch auditFile {
			case "", "-":
				audit = cmd.OutOrStdout()
			case "none":
			default:
				f, err := os.OpenFile(auditFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
				if err != nil {
					return badInput(fmt.Errorf("--audit: %w", err))
				}
				defer f.Close()
				audit = f
			}
			if opts.Audit, err = newCallLog(logMode, audit, cmd.ErrOrStderr()); err != nil {
				return badInput(err)
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
			var signers []signer
			for _, p := range as {
				c, err := srv.CredentialsFor(p, sessionTTL)
				if err != nil {
					srv.Close()
					return badInput(fmt.Errorf("--as: %w", err))
				}
				signers = append(signers, signer{principal: p, creds: c})
			}
			printBanner(cmd.ErrOrStderr(), srv, dataDir, signers)
			<-ctx.Done()
			fmt.Fprintln(cmd.ErrOrStderr(), "lockstep serve: shutting down")
			return srv.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:9000", "`HOST:PORT` to listen on")
	f.StringVar(&worldFile, "world", "", "world `FILE` (YAML or JSON; see docs/world.md), or scenario file (its world as of --step); default: the world saved in --data, else the built-in demo world")
	f.IntVar(&step, "step", 0, "with a scenario file as --world: the step whose world to serve (1-based; default: the last)")
	f.StringVar(&logMode, "log", "denied", "print a line on standard error for each call: `denied` (the denied and failed ones), all, or none")
	f.StringVar(&dataDir, "data", "", "data `DIR` for buckets and objects; default: a fresh temporary directory, removed at exit")
	f.StringVar(&auditFile, "audit", "-", "CloudTrail-format audit log `FILE`; - for standard output, none for no log")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the server to `FILE` (for performance work)")
	f.BoolVar(&noSync, "no-fsync", false, "do not fsync committed objects (faster, not crash-safe; for benchmarks)")
	f.BoolVar(&useTLS, "tls", false, "serve HTTPS only, with a certificate for 127.0.0.1, ::1 and localhost signed by a CA kept in --data")
	f.StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate `FILE` (chain) instead of a generated one; needs --tls-key")
	f.StringVar(&tlsKey, "tls-key", "", "PEM private key `FILE` of --tls-cert")
	f.StringVar(&tlsCAOut, "tls-ca-out", "", "also write the generated CA certificate (PEM) to `FILE`, for clients; default: only DATA/tls/ca.pem")
	f.StringSliceVar(&tlsHosts, "tls-host", nil, "more DNS `NAME`s or IP addresses for the generated certificate (repeat, or separate with commas)")
	f.StringArrayVar(&as, "as", nil, "print credentials that sign as this user, role or assumed-role `ARN` of the world (repeat): the user's access key, made when it has none (an imported world holds no secret); for a role, a session valid for 12 hours, as an instance profile hands one out")
	describeEnv(cmd)
	return cmd
}

// sessionTTL is how long the role sessions of --as are valid.
const sessionTTL = 12 * time.Hour

// serveTLSOptions checks the TLS flags: a certificate of one's own
// implies --tls; the flags about the generated certificate need it.
func serveTLSOptions(useTLS bool, cert, key, caOut string, hosts []string) (*emulator.TLSOptions, error) {
	given := cert != "" || key != ""
	switch {
	case given && (cert == "" || key == ""):
		return nil, errors.New("--tls-cert and --tls-key must be given together")
	case given && (caOut != "" || len(hosts) > 0):
		return nil, errors.New("--tls-ca-out and --tls-host describe the generated certificate; they cannot be used with --tls-cert")
	case !useTLS && !given && (caOut != "" || len(hosts) > 0):
		return nil, errors.New("--tls-ca-out and --tls-host need --tls")
	case !useTLS && !given:
		return nil, nil
	}
	return &emulator.TLSOptions{CertFile: cert, KeyFile: key, CAFile: caOut, Hosts: hosts}, nil
}

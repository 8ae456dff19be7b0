package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lockstep-dev/lockstep/transfer"
)

// transferFlags are the flags of sync and cp, named as the AWS CLI's
// (docs/sync.md).
type transferFlags struct {
	opts            transfer.Options
	sizeOnly        bool
	exactTimestamps bool
	checksum        bool
	recursive       bool
	profile         string
	region          string
	endpointURL     string
	noProgress      bool
	plan            bool
	noPreflight     bool
	source, dest    sideFlags
	output          *outputFlag
}

func (f *transferFlags) register(cmd *cobra.Command, sync bool) {
	fs := cmd.Flags()
	if sync {
		fs.BoolVar(&f.opts.Delete, "delete", false, "delete destination objects the source lacks, once every copy succeeded")
		fs.IntVar(&f.opts.MaxDelete, "max-delete", -1, "with --delete, delete nothing when more than `N` objects would be deleted")
		fs.BoolVar(&f.sizeOnly, "size-only", false, "copy only when the sizes differ")
		fs.BoolVar(&f.exactTimestamps, "exact-timestamps", false, "from S3 to local, keep same-sized files only when the times are equal")
		fs.BoolVar(&f.checksum, "checksum", false, "copy when the contents differ: full-object CRC64NVME, else MD5 ETag, else size (with a warning)")
	} else {
		fs.BoolVar(&f.recursive, "recursive", false, "copy every object below SRC")
	}
	fs.Var(&filterFlag{filters: &f.opts.Filters, exclude: true}, "exclude", "exclude keys matching `PATTERN` (*, ?, [seq], [!seq]); later filters win")
	fs.Var(&filterFlag{filters: &f.opts.Filters}, "include", "include keys matching `PATTERN` that an earlier --exclude excluded")
	fs.BoolVar(&f.opts.DryRun, "dryrun", false, "print what would be done; call nothing but listings")
	fs.StringVar(&f.opts.SSE, "sse", "", "server-side encryption of written objects: `AES256` (the default of a bare --sse), aws:kms or aws:kms:dsse")
	fs.Lookup("sse").NoOptDefVal = "AES256"
	fs.StringVar(&f.opts.SSEKMSKeyID, "sse-kms-key-id", "", "the KMS `KEY` (ID, ARN or alias ARN) of --sse aws:kms")
	fs.StringVar(&f.opts.ACL, "acl", "", "canned `ACL` of written objects: private, public-read, bucket-owner-full-control, ...")
	fs.StringVar(&f.opts.StorageClass, "storage-class", "", "storage `CLASS` of written objects: STANDARD, STANDARD_IA, ...")
	fs.StringVar(&f.profile, "profile", "", "the AWS `PROFILE` to sign with (default: the SDK's credential chain)")
	fs.StringVar(&f.region, "region", "", "the `REGION` (default: the profile's, AWS_REGION, or us-east-1)")
	fs.StringVar(&f.endpointURL, "endpoint-url", "", "S3 endpoint `URL` (e.g. lockstep serve's), with path-style addressing")
	f.source.register(fs, "source", "reads the source")
	f.dest.register(fs, "dest", "writes the destination")
	fs.BoolVar(&f.noPreflight, "no-preflight", false, "skip the preflight, the harmless probes that prove the job's permissions before it starts")
	fs.BoolVar(&f.noProgress, "no-progress", false, "draw no progress line (drawn only when standard error is a terminal)")
	fs.IntVar(&f.opts.Workers, "workers", transfer.DefaultWorkers, "objects (and parts) transferred at once")
	fs.BoolVar(&f.plan, "plan", false, "run nothing: print the API calls this command makes and the least-privilege policies they need (as lockstep plan -- lockstep ...)")
	f.output = addOutputFlag(cmd, "terraform")
	_ = cmd.RegisterFlagCompletionFunc("sse", completeFixed("AES256", "aws:kms", "aws:kms:dsse"))
	_ = cmd.RegisterFlagCompletionFunc("storage-class", completeFixed("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"))
}

// filterFlag is --exclude or --include: both append to one list, so that
// their command-line order, which decides, is kept.
type filterFlag struct {
	filters *transfer.Filters
	exclude bool
}

func (f *filterFlag) String() string { return "" }
func (f *filterFlag) Type() string   { return "PATTERN" }
func (f *filterFlag) Set(p string) error {
	*f.filters = append(*f.filters, transfer.Filter{Exclude: f.exclude, Pattern: p})
	return nil
}

var _ pflag.Value = (*filterFlag)(nil)

func newSyncCommand() *cobra.Command {
	f := &transferFlags{}
	cmd := &cobra.Command{
		Use:   "sync SRC DST",
		Short: "Make DST hold what SRC holds (local ↔ S3, S3 → S3), as aws s3 sync",
		Long: `sync copies every object of SRC that DST lacks or holds in another version,
as aws s3 sync does, with its flags: the same size and modification-time
rules (--size-only, --exact-timestamps), --exclude/--include, --delete,
--dryrun. SRC and DST are a local directory or s3://bucket[/prefix].

It is safer than aws s3 sync where that one has lost data: a missing or
unreadable source is an error, never an empty source; --delete runs only
after every copy succeeded, never when the source lists nothing, and never
more than --max-delete objects. Ctrl-C aborts the multipart uploads in
flight. docs/sync.md has the rules and exit codes (0 done, 1 some objects
failed, 2 usage).`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd, args, "sync")
		},
	}
	f.register(cmd, true)
	return cmd
}

func newCpCommand() *cobra.Command {
	f := &transferFlags{}
	cmd := &cobra.Command{
		Use:   "cp SRC DST [--recursive]",
		Short: "Copy a file or object (or, with --recursive, a tree) to or from S3, as aws s3 cp",
		Long: `cp copies one file or object, or with --recursive every object below SRC, as
aws s3 cp does: without comparing, listing or deleting anything at DST. A
DST ending in / (or a local directory) receives the object under its own
name. docs/sync.md has the flags and exit codes.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd, args, "cp")
		},
	}
	f.register(cmd, false)
	return cmd
}

func (f *transferFlags) run(cmd *cobra.Command, args []string, verb string) error {
	format, err := f.output.get(cmd.Flags())
	if err != nil {
		return badInput(err)
	}
	src, err := transfer.ParseLocation(args[0])
	if err != nil {
		return badInput(fmt.Errorf("SRC: %w", err))
	}
	dst, err := transfer.ParseLocation(args[1])
	if err != nil {
		return badInput(fmt.Errorf("DST: %w", err))
	}
	if !src.IsS3() && !dst.IsS3() {
		return badInput(fmt.Errorf("%s and %s are both local paths: one side must be s3://bucket[/prefix]", src, dst))
	}
	switch {
	case f.sizeOnly && f.exactTimestamps, f.checksum && (f.sizeOnly || f.exactTimestamps):
		return badInput(errors.New("--size-only, --exact-timestamps and --checksum are different rules: choose one"))
	case f.checksum:
		f.opts.Strategy = transfer.Checksum
	case f.sizeOnly:
		f.opts.Strategy = transfer.SizeOnly
	case f.exactTimestamps:
		f.opts.Strategy = transfer.ExactTimestamps
	}
	if !cmd.Flags().Changed("max-delete") {
		f.opts.MaxDelete = -1
	} else if !f.opts.Delete {
		return badInput(errors.New("--max-delete limits --delete: add --delete, or drop --max-delete"))
	}
	if f.plan {
		return f.printPlan(cmd, args, verb, format)
	}
	if format == "terraform" {
		return badInput(errors.New("--output terraform prints the policies of a plan: add --plan"))
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	// The first Ctrl-C cancels the job, which aborts its multipart
	// uploads; a second one kills lockstep at once.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	client, sourceClient, err := f.clients(ctx, src, dst)
	if err != nil {
		return badInput(err)
	}
	f.opts.SourceClient, f.opts.Preflight = sourceClient, !f.noPreflight
	// A dry run prints what it would do at once: no progress line.
	p := newTransferPrinter(cmd.OutOrStdout(), cmd.ErrOrStderr(), format, !f.noProgress && !f.opts.DryRun)
	f.opts.Report, f.opts.Notice, f.opts.Progress = p.event, p.notice, p.progress

	var sum transfer.Summary
	switch {
	case verb == "sync":
		sum, err = transfer.Sync(ctx, client, src, dst, f.opts)
	case f.recursive:
		sum, err = transfer.CopyTree(ctx, client, src, dst, f.opts)
	default:
		sum, err = transfer.CopyOne(ctx, client, src, dst, f.opts)
	}
	p.summary(verb, sum, err)
	var preflight *transfer.PreflightError
	switch {
	case errors.As(err, &preflight):
		return preflightFailure(preflight)
	case errors.Is(err, transfer.ErrUsage) || errors.Is(err, transfer.ErrSourceMissing):
		return badInput(errors.New(describeError(err)))
	case err != nil:
		msg := describeError(err)
		if _, permission, hint := denial(err); permission != "" && hint != "" {
			msg += "\n  needs " + permission + ": " + hint
		}
		return &exitError{code: exitDenied, err: errors.New(msg)}
	case sum.Failed > 0:
		return silentExit(exitDenied)
	}
	return nil
}

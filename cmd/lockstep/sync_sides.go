package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/pflag"

	"github.com/lockstep-dev/lockstep/transfer"
)

// sideFlags are the credentials, region and endpoint of one side of a
// transfer (--source-profile, --dest-region, ...); empty fields fall back
// to --profile, --region and --endpoint-url.
type sideFlags struct {
	profile, region, endpointURL string
}

func (s *sideFlags) register(fs *pflag.FlagSet, side, what string) {
	fs.StringVar(&s.profile, side+"-profile", "", "the AWS `PROFILE` that "+what+" (default: --profile)")
	fs.StringVar(&s.region, side+"-region", "", "the `REGION` of the "+side+" side (default: --region)")
	fs.StringVar(&s.endpointURL, side+"-endpoint-url", "", "the S3 endpoint `URL` of the "+side+" side (default: --endpoint-url)")
}

func (s sideFlags) set() bool { return s != sideFlags{} }

// over is s with its empty fields taken from base.
func (s sideFlags) over(base sideFlags) sideFlags {
	if s.profile == "" {
		s.profile = base.profile
	}
	if s.region == "" {
		s.region = base.region
	}
	if s.endpointURL == "" {
		s.endpointURL = base.endpointURL
	}
	return s
}

// loadSide is the S3 client of one side: the AWS SDK's standard chain
// (config.LoadDefaultConfig) for the side's profile and region, else
// us-east-1.
func loadSide(ctx context.Context, s sideFlags, workers int) (*s3.Client, error) {
	var loadOpts []func(*config.LoadOptions) error
	if s.profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(s.profile))
	}
	if s.region != "" {
		loadOpts = append(loadOpts, config.WithRegion(s.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return transfer.NewClient(cfg, s.endpointURL, workers), nil
}

// clients are the S3 clients of the job: the destination's (which also
// reads the source when one set of credentials serves both sides) and,
// when --source-* or --dest-* give the two sides different settings, the
// source's. A --source-* flag with a local source (or --dest-* with a
// local destination) is a usage error: it would be silently ignored.
func (f *transferFlags) clients(ctx context.Context, src, dst transfer.Location) (dest, source *s3.Client, err error) {
	switch {
	case f.source.set() && !src.IsS3():
		return nil, nil, fmt.Errorf("--source-profile, --source-region and --source-endpoint-url apply to an s3:// source; %s is local", src)
	case f.dest.set() && !dst.IsS3():
		return nil, nil, fmt.Errorf("--dest-profile, --dest-region and --dest-endpoint-url apply to an s3:// destination; %s is local", dst)
	}
	base := sideFlags{profile: f.profile, region: f.region, endpointURL: f.endpointURL}
	srcSide, dstSide := f.source.over(base), f.dest.over(base)
	// For an upload the S3 side is the destination, for a download the
	// source: one client, the S3 side's.
	one := dstSide
	if !dst.IsS3() {
		one = srcSide
	}
	dest, err = loadSide(ctx, one, f.opts.Workers)
	if err != nil || srcSide == dstSide || !src.IsS3() || !dst.IsS3() {
		return dest, nil, wrapLoad(err)
	}
	source, err = loadSide(ctx, srcSide, f.opts.Workers)
	return dest, source, wrapLoad(err)
}

func wrapLoad(err error) error {
	if err != nil {
		return fmt.Errorf("loading the AWS configuration: %w", err)
	}
	return nil
}

// notice prints a line about the job as a whole (the copy path, the
// preflight) on standard error; --output json prints none (its summary
// has the copy path).
func (p *transferPrinter) notice(line string) {
	if p.json != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearProgress()
	fmt.Fprintln(p.errOut, line)
}

// preflightFailure is the message of a failed preflight: the AWS error in
// the AWS CLI's words, then the permission and the policy change when the
// message names the permission (package explain), or the permissions the
// probe needs when AWS's message names none.
func preflightFailure(pe *transfer.PreflightError) error {
	msg := "preflight: " + pe.Probe + ": " + describeError(pe.Err) + "\n  nothing was transferred"
	if _, permission, hint := denial(pe.Err); permission != "" && hint != "" {
		msg += "\n  needs " + permission + ": " + hint
	} else if pe.Needs != "" {
		msg += "\n  the probe needs " + pe.Needs
	}
	return &exitError{code: exitBadInput, err: errors.New(strings.TrimSpace(msg))}
}

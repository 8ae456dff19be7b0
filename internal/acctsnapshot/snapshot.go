package acctsnapshot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// Options tune a snapshot.
type Options struct {
	// Dir is the dump directory; the account's outputs go to
	// Dir/ACCOUNT/, the organization's to Dir/organization/.
	Dir string
	// PageSize is the page size asked of every paginated call
	// (MaxItems, Limit, MaxResults); 0 leaves each service's default.
	PageSize int32
	// Log receives a line per step and per skipped call.
	Log io.Writer
}

// Result says what a snapshot dumped.
type Result struct {
	Account string
	// Files are the outputs written, relative to Dir.
	Files []string
	// Organization is true when the organization was dumped.
	Organization bool
}

// snapshot is one run.
type snapshot struct {
	ctx  context.Context
	cfg  aws.Config
	opts Options
	res  *Result
}

// Take dumps the account cfg signs for. Every call is read-only; a
// bucket without a policy, encryption or ownership controls writes no
// file for it, as the manual dump of docs/import.md.
func Take(ctx context.Context, cfg aws.Config, opts Options) (*Result, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	s := &snapshot{ctx: ctx, cfg: cfg, opts: opts, res: &Result{}}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("get-caller-identity: %w", err)
	}
	s.res.Account = aws.ToString(id.Account)
	fmt.Fprintf(opts.Log, "snapshot of account %s as %s\n", s.res.Account, aws.ToString(id.Arn))
	for _, step := range []func() error{s.iam, s.s3, s.kms, s.organization} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return s.res, nil
}

// write writes v as the output of a command, indented as the AWS CLI
// prints it, at rel under Dir.
func (s *snapshot) write(rel string, v any) error {
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	path := filepath.Join(s.opts.Dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	s.res.Files = append(s.res.Files, rel)
	return nil
}

func (s *snapshot) accountFile(service, name string) string {
	return filepath.Join(s.res.Account, service, name)
}

func (s *snapshot) pageSize() *int32 {
	if s.opts.PageSize == 0 {
		return nil
	}
	return aws.Int32(s.opts.PageSize)
}

// iam dumps get-account-authorization-details, every page merged into
// one output as the AWS CLI prints it. The documents stay URL-encoded,
// as IAM's API returns them; lockstep world import reads them so.
func (s *snapshot) iam() error {
	c := iam.NewFromConfig(s.cfg)
	out := struct {
		UserDetailList  []iamtypes.UserDetail
		GroupDetailList []iamtypes.GroupDetail
		RoleDetailList  []iamtypes.RoleDetail
		Policies        []iamtypes.ManagedPolicyDetail
		IsTruncated     bool
	}{UserDetailList: []iamtypes.UserDetail{}, GroupDetailList: []iamtypes.GroupDetail{}, RoleDetailList: []iamtypes.RoleDetail{}, Policies: []iamtypes.ManagedPolicyDetail{}}
	p := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{MaxItems: s.pageSize()})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(s.ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", describe("get-account-authorization-details"), err)
		}
		pages++
		out.UserDetailList = append(out.UserDetailList, page.UserDetailList...)
		out.GroupDetailList = append(out.GroupDetailList, page.GroupDetailList...)
		out.RoleDetailList = append(out.RoleDetailList, page.RoleDetailList...)
		out.Policies = append(out.Policies, page.Policies...)
	}
	fmt.Fprintf(s.opts.Log, "iam: %d users, %d groups, %d roles, %d managed policies (%d pages)\n",
		len(out.UserDetailList), len(out.GroupDetailList), len(out.RoleDetailList), len(out.Policies), pages)
	return s.write(s.accountFile("iam", "get-account-authorization-details.json"), out)
}

// missing reports whether err is one of the answers that say a bucket or
// key has no such configuration: the dump then has no file for it.
func missing(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "NoSuchBucketPolicy", "ServerSideEncryptionConfigurationNotFoundError", "OwnershipControlsNotFoundError", "NotFoundException":
		return true
	}
	return false
}

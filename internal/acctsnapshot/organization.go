package acctsnapshot

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
)

// organization dumps the organization when the account is its management
// account: the only account that may read it ("This operation can be
// called only from the organization's management account or by a member
// account that is a delegated administrator", Organizations API
// reference). Another account skips it with a line.
func (s *snapshot) organization() error {
	c := organizations.NewFromConfig(s.cfg)
	d, err := c.DescribeOrganization(s.ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && (ae.ErrorCode() == "AWSOrganizationsNotInUseException" || ae.ErrorCode() == "AccessDeniedException") {
			fmt.Fprintf(s.opts.Log, "organization: skipped (%s: %s)\n", ae.ErrorCode(), ae.ErrorMessage())
			return nil
		}
		return fmt.Errorf("%s: %w", describe("describe-organization"), err)
	}
	if mgmt := aws.ToString(d.Organization.MasterAccountId); mgmt != s.res.Account {
		fmt.Fprintf(s.opts.Log, "organization: skipped: account %s is a member of %s, whose management account %s alone may read it; snapshot that account too\n",
			s.res.Account, aws.ToString(d.Organization.Id), mgmt)
		return nil
	}
	o := &orgDump{snapshot: s, c: c}
	if err := o.write("describe-organization.json", map[string]any{"Organization": d.Organization}); err != nil {
		return err
	}
	if err := o.dump(); err != nil {
		return err
	}
	s.res.Organization = true
	fmt.Fprintf(s.opts.Log, "organization %s: %d accounts, %d OUs, %d policies\n", aws.ToString(d.Organization.Id), o.accounts, o.units, o.policies)
	return nil
}

// orgDump walks the organization: its accounts, its root, the OU tree
// under it, and the SCPs and RCPs with their targets.
type orgDump struct {
	*snapshot
	c                         *organizations.Client
	accounts, units, policies int
}

func (o *orgDump) write(name string, v any) error {
	return o.snapshot.write(filepath.Join("organization", name), v)
}

func (o *orgDump) dump() error {
	accounts := []orgtypes.Account{}
	ap := organizations.NewListAccountsPaginator(o.c, &organizations.ListAccountsInput{MaxResults: o.pageSize()})
	for ap.HasMorePages() {
		page, err := ap.NextPage(o.ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", describe("list-accounts"), err)
		}
		accounts = append(accounts, page.Accounts...)
	}
	o.accounts = len(accounts)
	if err := o.write("list-accounts.json", map[string]any{"Accounts": accounts}); err != nil {
		return err
	}
	roots := []orgtypes.Root{}
	rp := organizations.NewListRootsPaginator(o.c, &organizations.ListRootsInput{MaxResults: o.pageSize()})
	for rp.HasMorePages() {
		page, err := rp.NextPage(o.ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", describe("list-roots"), err)
		}
		roots = append(roots, page.Roots...)
	}
	if err := o.write("list-roots.json", map[string]any{"Roots": roots}); err != nil {
		return err
	}
	for _, r := range roots {
		if err := o.parent(aws.ToString(r.Id)); err != nil {
			return err
		}
	}
	for _, typ := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy} {
		if err := o.policiesOf(typ); err != nil {
			return err
		}
	}
	return nil
}

// parent dumps the OUs and accounts directly under a root or OU, and
// walks down each OU.
func (o *orgDump) parent(id string) error {
	units := []orgtypes.OrganizationalUnit{}
	up := organizations.NewListOrganizationalUnitsForParentPaginator(o.c, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(id), MaxResults: o.pageSize()})
	for up.HasMorePages() {
		page, err := up.NextPage(o.ctx)
		if err != nil {
			return fmt.Errorf("%s of %s: %w", describe("list-organizational-units-for-parent"), id, err)
		}
		units = append(units, page.OrganizationalUnits...)
	}
	if err := o.write(id+".list-organizational-units-for-parent.json", map[string]any{"OrganizationalUnits": units}); err != nil {
		return err
	}
	accounts := []orgtypes.Account{}
	ap := organizations.NewListAccountsForParentPaginator(o.c, &organizations.ListAccountsForParentInput{ParentId: aws.String(id), MaxResults: o.pageSize()})
	for ap.HasMorePages() {
		page, err := ap.NextPage(o.ctx)
		if err != nil {
			return fmt.Errorf("%s of %s: %w", describe("list-accounts-for-parent"), id, err)
		}
		accounts = append(accounts, page.Accounts...)
	}
	if err := o.write(id+".list-accounts-for-parent.json", map[string]any{"Accounts": accounts}); err != nil {
		return err
	}
	o.units += len(units)
	for _, u := range units {
		if err := o.parent(aws.ToString(u.Id)); err != nil {
			return err
		}
	}
	return nil
}

// policiesOf dumps each policy of a type with describe-policy and
// list-targets-for-policy.
func (o *orgDump) policiesOf(typ orgtypes.PolicyType) error {
	var ids []string
	pp := organizations.NewListPoliciesPaginator(o.c, &organizations.ListPoliciesInput{Filter: typ, MaxResults: o.pageSize()})
	for pp.HasMorePages() {
		page, err := pp.NextPage(o.ctx)
		if err != nil {
			return fmt.Errorf("%s %s: %w", describe("list-policies"), typ, err)
		}
		for _, p := range page.Policies {
			ids = append(ids, aws.ToString(p.Id))
		}
	}
	for _, id := range ids {
		d, err := o.c.DescribePolicy(o.ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
		if err != nil {
			return fmt.Errorf("%s %s: %w", describe("describe-policy"), id, err)
		}
		if err := o.write(id+".describe-policy.json", map[string]any{"Policy": d.Policy}); err != nil {
			return err
		}
		targets := []orgtypes.PolicyTargetSummary{}
		tp := organizations.NewListTargetsForPolicyPaginator(o.c, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(id), MaxResults: o.pageSize()})
		for tp.HasMorePages() {
			page, err := tp.NextPage(o.ctx)
			if err != nil {
				return fmt.Errorf("%s %s: %w", describe("list-targets-for-policy"), id, err)
			}
			targets = append(targets, page.Targets...)
		}
		if err := o.write(id+".list-targets-for-policy.json", map[string]any{"Targets": targets}); err != nil {
			return err
		}
	}
	o.policies += len(ids)
	return nil
}

package acctimport

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lockstep-dev/lockstep/world"
)

// Options tune an import.
type Options struct {
	// Region is the world's region (default: the region of the
	// buckets' locations when they agree, else us-east-1).
	Region string
	// Account is the account of the S3 and KMS outputs whose account
	// neither their content, nor a directory named by an account ID, nor
	// a single IAM dump tells.
	Account string
}

// Report says what an import read and what it could not map.
type Report struct {
	// Read lists each file with what it was read as.
	Read []string
	// Warnings are what could not be mapped, or was mapped by a reading
	// that grants less: each names the file and what to do.
	Warnings []string
}

func (r *Report) read(f *file, as string) { r.Read = append(r.Read, f.path+": "+as) }

func (r *Report) warn(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// importer builds the world.
type importer struct {
	opts     Options
	report   *Report
	accounts map[string]*world.AccountModel
	order    []string
	// awsManaged are the AWS managed policies of the dumps, by ARN.
	awsManaged map[string]world.ManagedPolicyModel
	// gaadAccounts are the accounts of the IAM dumps, in order.
	gaadAccounts []string
	org          *orgState
	// regions are the bucket locations seen.
	regions map[string]bool
}

// Import reads the AWS CLI outputs in paths (files, or directories read
// recursively) and returns the world they describe and the report of the
// import. An output it does not recognise is an error, as is one whose
// account it cannot tell.
func Import(paths []string, opts Options) (*world.Model, *Report, error) {
	files, err := readFiles(paths)
	if err != nil {
		return nil, nil, err
	}
	im := &importer{opts: opts, report: &Report{}, accounts: map[string]*world.AccountModel{},
		awsManaged: map[string]world.ManagedPolicyModel{}, regions: map[string]bool{}}
	// IAM first: its ARNs name the accounts the other outputs belong to;
	// then the organization, KMS (buckets name keys), the buckets and
	// their regions, and what the buckets hold.
	for _, phase := range []func(*file) (bool, error){im.iamFile, im.orgFile, im.kmsKeysFile, im.kmsPolicyFile, im.s3BucketsFile, im.s3File} {
		for _, f := range files {
			if f.done {
				continue
			}
			ok, err := phase(f)
			if err != nil {
				return nil, nil, err
			}
			f.done = ok
		}
	}
	for _, f := range files {
		switch {
		case f.done:
		case f.has("Policy") && f.command == "":
			return nil, nil, fmt.Errorf("%s: a bucket policy or a key policy? Name the file BUCKET.get-bucket-policy.json or KEYID.get-key-policy.json (docs/import.md)", f.path)
		default:
			return nil, nil, fmt.Errorf("%s: not an output lockstep reads (fields %s); docs/import.md lists the commands whose JSON it reads", f.path, strings.Join(fieldNames(f), ", "))
		}
	}
	m, err := im.model()
	if err != nil {
		return nil, nil, err
	}
	return m, im.report, nil
}

func fieldNames(f *file) []string {
	var out []string
	for k := range f.top {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// account returns the account model of id, created on first use.
func (im *importer) account(id string) *world.AccountModel {
	a := im.accounts[id]
	if a == nil {
		a = &world.AccountModel{ID: id}
		im.accounts[id] = a
		im.order = append(im.order, id)
	}
	return a
}

// accountOf tells the account of an output that names none inside: the
// directory named by an account ID that holds it, the one account of the
// IAM dumps, or Options.Account.
func (im *importer) accountOf(f *file) (string, error) {
	switch {
	case f.account != "":
		return f.account, nil
	case len(im.gaadAccounts) == 1:
		return im.gaadAccounts[0], nil
	case im.opts.Account != "":
		return im.opts.Account, nil
	}
	return "", fmt.Errorf("%s: which account is it of? Put it in a directory named by the account ID, give --account, or import the account's get-account-authorization-details with it", f.path)
}

// model assembles the world model.
func (im *importer) model() (*world.Model, error) {
	m := &world.Model{Region: im.opts.Region}
	if m.Region == "" {
		m.Region = "us-east-1"
		if len(im.regions) == 1 {
			for r := range im.regions {
				m.Region = r
			}
		}
	}
	var arns []string
	for arn := range im.awsManaged {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	for _, arn := range arns {
		m.AWSManagedPolicies = append(m.AWSManagedPolicies, im.awsManaged[arn])
	}
	for _, id := range im.order {
		m.Accounts = append(m.Accounts, *im.accounts[id])
	}
	if len(m.Accounts) == 0 {
		return nil, fmt.Errorf("the outputs name no account: import get-account-authorization-details, or give --account")
	}
	im.resolveAttachments(m)
	if err := im.orgModel(m); err != nil {
		return nil, err
	}
	return m, nil
}

package acctsnapshot

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// s3 dumps list-buckets and, for each bucket, its location, policy,
// default encryption and ownership controls.
func (s *snapshot) s3() error {
	c := s3.NewFromConfig(s.cfg, func(o *s3.Options) {
		// An endpoint other than AWS's (lockstep serve) answers in
		// path style.
		o.UsePathStyle = s.cfg.BaseEndpoint != nil
	})
	list, err := c.ListBuckets(s.ctx, &s3.ListBucketsInput{})
	if err != nil {
		return fmt.Errorf("%s: %w", describe("list-buckets"), err)
	}
	type bucket struct {
		Name         string
		CreationDate any `json:",omitempty"`
	}
	out := struct {
		Buckets []bucket
		Owner   any `json:",omitempty"`
	}{Buckets: []bucket{}, Owner: list.Owner}
	for _, b := range list.Buckets {
		out.Buckets = append(out.Buckets, bucket{Name: aws.ToString(b.Name), CreationDate: b.CreationDate})
	}
	if err := s.write(s.accountFile("s3", "list-buckets.json"), out); err != nil {
		return err
	}
	for _, b := range out.Buckets {
		if err := s.bucket(c, b.Name); err != nil {
			return err
		}
	}
	fmt.Fprintf(s.opts.Log, "s3: %d buckets\n", len(out.Buckets))
	return nil
}

func (s *snapshot) bucket(c *s3.Client, name string) error {
	file := func(command string) string { return s.accountFile("s3", name+"."+command+".json") }
	in := aws.String(name)
	loc, err := c.GetBucketLocation(s.ctx, &s3.GetBucketLocationInput{Bucket: in})
	if err != nil {
		return fmt.Errorf("%s of bucket %s: %w", describe("get-bucket-location"), name, err)
	}
	var constraint any // null for us-east-1, as the AWS CLI prints it
	if loc.LocationConstraint != "" {
		constraint = string(loc.LocationConstraint)
	}
	if err := s.write(file("get-bucket-location"), map[string]any{"LocationConstraint": constraint}); err != nil {
		return err
	}
	pol, err := c.GetBucketPolicy(s.ctx, &s3.GetBucketPolicyInput{Bucket: in})
	switch {
	case err == nil:
		if err := s.write(file("get-bucket-policy"), map[string]string{"Policy": aws.ToString(pol.Policy)}); err != nil {
			return err
		}
	case !missing(err):
		return fmt.Errorf("%s of bucket %s: %w", describe("get-bucket-policy"), name, err)
	}
	enc, err := c.GetBucketEncryption(s.ctx, &s3.GetBucketEncryptionInput{Bucket: in})
	switch {
	case err == nil:
		if err := s.write(file("get-bucket-encryption"), map[string]any{"ServerSideEncryptionConfiguration": enc.ServerSideEncryptionConfiguration}); err != nil {
			return err
		}
	case !missing(err):
		return fmt.Errorf("%s of bucket %s: %w", describe("get-bucket-encryption"), name, err)
	}
	own, err := c.GetBucketOwnershipControls(s.ctx, &s3.GetBucketOwnershipControlsInput{Bucket: in})
	switch {
	case err == nil:
		if err := s.write(file("get-bucket-ownership-controls"), map[string]any{"OwnershipControls": own.OwnershipControls}); err != nil {
			return err
		}
	case !missing(err):
		return fmt.Errorf("%s of bucket %s: %w", describe("get-bucket-ownership-controls"), name, err)
	}
	ver, err := c.GetBucketVersioning(s.ctx, &s3.GetBucketVersioningInput{Bucket: in})
	if err != nil {
		return fmt.Errorf("%s of bucket %s: %w", describe("get-bucket-versioning"), name, err)
	}
	if ver.Status != "" {
		// A bucket whose versioning was never set answers no state: no
		// file, as the AWS CLI prints nothing for it.
		out := map[string]string{"Status": string(ver.Status)}
		if ver.MFADelete != "" {
			out["MFADelete"] = string(ver.MFADelete)
		}
		if err := s.write(file("get-bucket-versioning"), out); err != nil {
			return err
		}
	}
	return nil
}

// kms dumps list-aliases and, for each key of list-keys, describe-key
// and get-key-policy. list-keys itself is not written: lockstep world
// import reads the keys from describe-key.
func (s *snapshot) kms() error {
	c := kms.NewFromConfig(s.cfg)
	aliases := struct{ Aliases []kmstypes.AliasListEntry }{Aliases: []kmstypes.AliasListEntry{}}
	ap := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{Limit: s.pageSize()})
	for ap.HasMorePages() {
		page, err := ap.NextPage(s.ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", describe("list-aliases"), err)
		}
		aliases.Aliases = append(aliases.Aliases, page.Aliases...)
	}
	if err := s.write(s.accountFile("kms", "list-aliases.json"), aliases); err != nil {
		return err
	}
	var keys []string
	kp := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: s.pageSize()})
	for kp.HasMorePages() {
		page, err := kp.NextPage(s.ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", describe("list-keys"), err)
		}
		for _, k := range page.Keys {
			keys = append(keys, aws.ToString(k.KeyId))
		}
	}
	for _, id := range keys {
		d, err := c.DescribeKey(s.ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		if err != nil {
			return fmt.Errorf("%s of key %s: %w", describe("describe-key"), id, err)
		}
		if err := s.write(s.accountFile("kms", id+".describe-key.json"), map[string]any{"KeyMetadata": d.KeyMetadata}); err != nil {
			return err
		}
		if d.KeyMetadata.KeyManager == kmstypes.KeyManagerTypeAws {
			continue // an AWS managed key's policy is the world's own
		}
		p, err := c.GetKeyPolicy(s.ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default")})
		switch {
		case err == nil:
			if err := s.write(s.accountFile("kms", id+".get-key-policy.json"), map[string]string{"Policy": aws.ToString(p.Policy), "PolicyName": "default"}); err != nil {
				return err
			}
		case !missing(err):
			return fmt.Errorf("%s of key %s: %w", describe("get-key-policy"), id, err)
		}
	}
	fmt.Fprintf(s.opts.Log, "kms: %d keys, %d aliases\n", len(keys), len(aliases.Aliases))
	return nil
}

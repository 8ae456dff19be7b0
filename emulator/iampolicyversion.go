package emulator

import (
	"net/http"
	"net/url"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/world"
)

// managedPolicyVersion is the one version lockstep holds of each managed
// policy: its default version, v1 (docs/emulator.md "STS, IAM and KMS").
const managedPolicyVersionID = "v1"

// getPolicyVersion answers a version of a managed policy of the caller's
// account or an AWS managed policy of the world, checked as
// iam:GetPolicyVersion on the policy's ARN. The world holds the default
// version's document only: it is v1, and any other version does not
// exist.
func (s *Server) getPolicyVersion(w http.ResponseWriter, c *call, form url.Values) error {
	arn, version := form.Get("PolicyArn"), form.Get("VersionId")
	c.params["policyArn"], c.params["versionId"] = arn, version
	switch {
	case arn == "":
		return errValidation("policyArn", "", "Member must not be null")
	case len(arn) < 20 || len(arn) > 2048:
		return errValidation("policyArn", arn, "Member must have length between 20 and 2048")
	case version == "":
		return errValidation("versionId", "", "Member must not be null")
	}
	if err := s.authorizeAPI(c, enforce.Call{Resource: arn}); err != nil {
		return err
	}
	var doc *string
	for _, p := range s.accountDetails(c).policies {
		if p.Arn == arn {
			d := p.PolicyVersionList[0].Document
			doc = &d
		}
	}
	if doc == nil {
		for _, mp := range s.state.snapshot().AWSManagedPolicies {
			if "arn:aws:iam::aws:policy"+world.NormPath(mp.Path)+mp.Name == arn {
				d := iamEscape(docText(mp.Document))
				doc = &d
			}
		}
	}
	if doc == nil || version != managedPolicyVersionID {
		return errorf(http.StatusNotFound, "NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", arn, version)
	}
	type result struct {
		PolicyVersion policyVersionXML
	}
	return writeQueryResponse(w, c, iamNS, result{PolicyVersion: policyVersionXML{
		Document: *doc, VersionId: managedPolicyVersionID, IsDefaultVersion: true, CreateDate: iamTime(c.start),
	}})
}

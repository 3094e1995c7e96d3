# METADATA
# title: S3 bucket ACL grants public access
# description: >-
#   A bucket ACL grants access to everyone or to any AWS account: a canned ACL `public-read`,
#   `public-read-write` or `authenticated-read` (`aws_s3_bucket_acl`, the legacy `acl`
#   argument of `aws_s3_bucket`, CloudFormation `AccessControl`), or an
#   `access_control_policy` grant to the AllUsers or AuthenticatedUsers group. Write access is
#   critical. A call of terraform-aws-modules/s3-bucket/aws is judged on its `acl` and `grant`
#   arguments, from which the module writes the bucket's ACL.
# custom:
#   id: TG-IAM-017
#   severity: high
#   category: iam
#   remediation: Use the private ACL (or disable ACLs with BucketOwnerEnforced ownership) and publish content through CloudFront with origin access control.
#   controls: [AWS-FSBP-S3.2, AWS-FSBP-S3.3]
package tollgate.rules.iam.s3_public_acl

import data.tollgate.lib.s3
import data.tollgate.lib.util
import rego.v1

canned := {
	"public-read": "high",
	"public-read-write": "critical",
	"authenticated-read": "high",
	"PublicRead": "high",
	"PublicReadWrite": "critical",
	"AuthenticatedRead": "high",
}

acl_attributes := {"aws_s3_bucket_acl": "acl", "aws_s3_bucket": "acl", "AWS::S3::Bucket": "AccessControl"}

public_groups := {"http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := acl_attributes[r.type]
	some possible in util.possible_values(r, [attribute])
	acl := possible.value
	severity := canned[acl]
	finding := {
		"resource": r.address,
		"message": sprintf("The bucket ACL %s opens the bucket beyond the account: make it private.", [acl]),
		"evidence": sprintf("acl %s", [acl]),
		"path": [attribute],
		"severity": severity,
		"when": possible.condition,
	}
}

deny contains finding if {
	some r in util.resources("aws_s3_bucket_acl")
	some i, policy in r.config.access_control_policy
	some j, grant in policy.grant
	some k, grantee in grant.grantee
	grantee.uri in public_groups
	severity := grant_severity(grant.permission)
	finding := {
		"resource": r.address,
		"message": sprintf("The bucket ACL grants %s to %s: remove the grant.", [util.label(grant.permission), grantee.uri]),
		"evidence": sprintf("%s to %s", [util.label(grant.permission), grantee.uri]),
		"path": ["access_control_policy", i, "grant", j, "grantee", k, "uri"],
		"severity": severity,
	}
}

grant_severity(permission) := "critical" if permission in {"WRITE", "WRITE_ACP", "FULL_CONTROL"}

grant_severity(permission) := "high" if not permission in {"WRITE", "WRITE_ACP", "FULL_CONTROL"}

deny contains finding if {
	some call in s3.module_buckets
	acl := call.config.acl
	severity := canned[acl]
	finding := {
		"resource": call.address,
		"message": sprintf("The bucket module is called with acl = %s, which opens the bucket beyond the account: make it private or leave it out.", [acl]),
		"evidence": sprintf("acl %s", [acl]),
		"path": ["acl"],
		"severity": severity,
	}
}

deny contains finding if {
	some call in s3.module_buckets
	some i, grant in call.config.grant
	grant.uri in public_groups
	severity := grant_severity(grant.permission)
	finding := {
		"resource": call.address,
		"message": sprintf("The bucket module's grant gives %s to %s: remove the grant.", [util.label(grant.permission), grant.uri]),
		"evidence": sprintf("%s to %s", [util.label(grant.permission), grant.uri]),
		"path": ["grant", i, "uri"],
		"severity": severity,
	}
}

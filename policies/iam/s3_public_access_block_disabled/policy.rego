# METADATA
# title: S3 Block Public Access turned off
# description: >-
#   A bucket or account Block Public Access configuration leaves one of its four protections off
#   (`aws_s3_bucket_public_access_block`, `aws_s3_account_public_access_block`, CloudFormation
#   `PublicAccessBlockConfiguration`): an absent flag in a written configuration is false.
#   Buckets with no configuration at all keep the protections AWS enables on new buckets and
#   are not reported. A call of terraform-aws-modules/s3-bucket/aws writes a configuration unless
#   `attach_public_policy = false`: a flag written false is reported on its line, a flag left out
#   on the call when the release the call gets defaults it to false (before 3.9.0). In
#   CloudFormation, a flag an undecided `Fn::If` turns off in one branch, or a configuration such
#   an `Fn::If` chooses whole whose branch leaves a flag off or out, is reported for that branch's
#   deployments ("Only when ...").
# custom:
#   id: TG-IAM-016
#   severity: high
#   category: iam
#   remediation: Set block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets to true; grant access to specific principals or through CloudFront instead.
#   controls: [CIS-AWS-2.1.4, AWS-FSBP-S3.1, AWS-FSBP-S3.8]
package tollgate.rules.iam.s3_public_access_block_disabled

import data.tollgate.lib.s3
import data.tollgate.lib.util
import rego.v1

terraform_flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

cloudformation_flags := ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]

# `{resource, config, path, flags}` for every written configuration.
configurations contains c if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"}
	c := {"resource": r.address, "config": r.config, "path": [], "flags": terraform_flags}
}

deny contains finding if {
	some c in configurations
	some flag in c.flags
	path := util.disabled_path(c.config, flag)
	finding := {
		"resource": c.resource,
		"message": off_message(flag),
		"evidence": sprintf("%s not true", [flag]),
		"path": array.concat(c.path, path),
	}
}

# A CloudFormation bucket's configuration, read per deployment (`util.disabled`): a flag an
# undecided `Fn::If` turns off (`BlockPublicPolicy: !If [IsProd, true, false]`), or a whole
# configuration it chooses (`PublicAccessBlockConfiguration: !If [IsProd, {...}, {...}]`) whose
# branch leaves a flag off or out, is off in that branch's deployments.
deny contains finding if {
	some r in util.resources("AWS::S3::Bucket")
	some flag in cloudformation_flags
	some off in util.disabled(r, ["PublicAccessBlockConfiguration"], flag)
	finding := {
		"resource": r.address,
		"message": off_message(flag),
		"evidence": sprintf("%s not true", [flag]),
		"path": off.path,
		"when": off.when,
	}
}

off_message(flag) := sprintf("Block Public Access leaves %s off: turn it on so public ACLs and policies cannot expose the data.", [flag])

deny contains finding if {
	some call in s3.module_buckets
	s3.module_writes_public_access_block(call)
	some flag in terraform_flags
	util.is_false(s3.module_argument(call, flag))
	path := util.disabled_path(call.config, flag)
	finding := {
		"resource": call.address,
		"message": module_message(path, flag),
		"evidence": sprintf("%s not true", [flag]),
		"path": path,
	}
}

module_message([], flag) := sprintf("The bucket module's releases before 3.9.0, which this call gets, default %s to false, so its public access block leaves it off: pass %s = true.", [flag, flag])

module_message([flag], _) := sprintf("The bucket module is called with %s = false, so its public access block leaves it off: set it to true.", [flag])

# METADATA
# title: S3 bucket policy allows every S3 action
# description: >-
#   A bucket policy statement with `Effect: Allow` grants `*` or `s3:*` to its principals: on top
#   of reading and writing objects they may delete the bucket, replace its policy and ACLs and
#   turn off its encryption or versioning. Whether the principals are public is TG-IAM-010's
#   concern; this rule reports the breadth of the grant, whoever receives it. A policy document
#   no resource in the change uses counts as a bucket policy when it names principals and every
#   resource it names is an S3 ARN. A call of terraform-aws-modules/s3-bucket/aws that attaches its
#   `policy` (`attach_policy = true`; the module discards it otherwise) is judged as a bucket policy.
# custom:
#   id: TG-IAM-020
#   severity: high
#   category: iam
#   remediation: List the object and bucket actions the principals need (`s3:GetObject`, `s3:PutObject`, `s3:ListBucket`); keep bucket administration (policy, ACL, encryption, deletion) to the owning account's roles.
#   controls: [AWS-FSBP-S3.6]
package tollgate.rules.iam.s3_bucket_policy_all_actions

import data.tollgate.lib.governs
import data.tollgate.lib.iam
import rego.v1

bucket_policy_types := {"aws_s3_bucket_policy", "aws_s3_bucket", "AWS::S3::BucketPolicy"}

all_actions := {"*", "s3:*"}

# Who the statement grants to, as text for messages and evidence: each principal once, in the
# form evidence gives it (`iam.principal_evidence`).
grantees(statement) := concat(", ", sort({iam.principal_evidence(p) | some p in iam.evidence_principals(statement, "Principal")})) if statement.Principal

grantees(statement) := "every principal but those in NotPrincipal" if {
	not statement.Principal
	statement.NotPrincipal
}

# The statement belongs to a bucket policy: carried by a bucket or bucket policy resource, or
# in a standalone document whose resources are all S3 ARNs.
bucket_statement(st) if st.type in bucket_policy_types

bucket_statement(st) if {
	st.kind == "document"
	resources := iam.values(st.statement, "Resource")
	count(resources) > 0
	every r in resources {
		startswith(iam.canonical_arn(r.value), "arn:aws:s3:::")
	}
}

deny contains finding if {
	some st in iam.resource_statements
	bucket_statement(st)
	iam.is_allow(st.statement)
	some action in iam.values(st.statement, "Action")
	lower(action.value) in all_actions
	who := grantees(st.statement)
	finding := {
		"resource": st.address,
		"subject": governs.subject(st.address),
		"when": st.when,
		"message": sprintf("The bucket policy allows every S3 action ('%s') to %s, including deleting the bucket and replacing its policy: list the actions they need.", [action.value, who]),
		"evidence": sprintf("%s to %s", [lower(action.value), who]),
		"path": iam.path(st, action.path),
	}
}

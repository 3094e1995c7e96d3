# METADATA
# title: S3 bucket does not deny insecure transport
# description: >-
#   An S3 bucket's policy has no statement that denies requests made without TLS
#   (`Effect: Deny` with `Bool: {"aws:SecureTransport": "false"}`, or a deny on
#   `NumericLessThan: {"s3:TlsVersion": ...}`), so clients may read and write it over plain HTTP.
#   A bucket with no policy at all is reported on the bucket; a bucket policy without the deny is
#   reported on the policy. Bucket policies whose bucket cannot be identified make the rule skip
#   buckets without a visible policy.
# custom:
#   id: TG-ENC-018
#   severity: medium
#   category: encryption
#   remediation: Add a bucket policy statement denying s3:* to Principal "*" when aws:SecureTransport is false.
#   controls: [AWS-FSBP-S3.5]
package tollgate.rules.encryption.s3_secure_transport

import data.tollgate.lib.iam
import data.tollgate.lib.s3
import data.tollgate.lib.util
import rego.v1

policy_types := {"aws_s3_bucket_policy", "AWS::S3::BucketPolicy"}

# The documents of bucket policies, including the legacy inline `policy` of `aws_s3_bucket`.
bucket_policy_types := {"aws_s3_bucket_policy", "AWS::S3::BucketPolicy", "aws_s3_bucket"}

is_false_value(value) if util.is_false(value)

is_false_value(value) if {
	some v in value
	util.is_false(v)
}

denies_insecure_transport(statement) if {
	iam.is_deny(statement)
	some operator, block in statement.Condition
	lower(operator) in {"bool", "boolifexists"}
	some key, value in block
	lower(key) == "aws:securetransport"
	is_false_value(value)
}

denies_insecure_transport(statement) if {
	iam.is_deny(statement)
	some operator, block in statement.Condition
	lower(operator) == "numericlessthan"
	some key, _ in block
	lower(key) == "s3:tlsversion"
}

# `[address, path]` of every document with such a deny.
denying_documents := {[st.address, st.path] |
	some st in iam.statements
	denies_insecure_transport(st.statement)
}

deny contains finding if {
	denying := denying_documents
	some document in iam.documents
	document.type in bucket_policy_types
	not [document.address, document.path] in denying
	finding := {
		"resource": document.address,
		"message": "The bucket policy does not deny requests without TLS: add a Deny statement on aws:SecureTransport false.",
		"evidence": "no aws:SecureTransport deny",
		"path": document.path,
	}
}

has_policy(bucket) if util.referenced_by_any(bucket, policy_types)

has_policy(bucket) if not util.is_absent(bucket.config, "policy")

deny contains finding if {
	some bucket in s3.buckets
	not has_policy(bucket)
	not s3.has_unjoined(policy_type[bucket.source])
	finding := {
		"resource": bucket.address,
		"message": "The bucket has no policy denying requests without TLS: add a bucket policy with a Deny on aws:SecureTransport false.",
		"evidence": "no bucket policy",
		"path": [],
	}
}

policy_type := {"terraform": "aws_s3_bucket_policy", "cloudformation": "AWS::S3::BucketPolicy"}

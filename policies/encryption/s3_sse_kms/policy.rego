# METADATA
# title: S3 bucket not encrypted with KMS
# description: >-
#   Only active when the repository sets `s3_require_kms: true` in its policy settings. S3
#   encrypts every new object with SSE-S3 (AES256) by default since January 2023, so a bucket
#   without an encryption configuration is encrypted, not exposed: the true positive this rule
#   reports is a bucket that does not use SSE-KMS where the organisation requires key control
#   and CloudTrail-audited decryption. Reported: an `AES256` default algorithm (inline
#   `server_side_encryption_configuration`, a separate
#   `aws_s3_bucket_server_side_encryption_configuration`, or CloudFormation
#   `BucketEncryption`), and a bucket with no encryption configuration anywhere.
# custom:
#   id: TG-ENC-001
#   severity: medium
#   category: encryption
#   remediation: Configure default encryption with sse_algorithm = "aws:kms" (or "aws:kms:dsse") and a customer managed kms_master_key_id, with bucket keys enabled.
#   controls: [AWS-FSBP-S3.17]
package tollgate.rules.encryption.s3_sse_kms

import data.tollgate.lib.s3
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

separate_type := "aws_s3_bucket_server_side_encryption_configuration"

# `{resource, algorithm, path}` for every default encryption rule written.
algorithms contains a if {
	some bucket in s3.buckets
	bucket.type == "aws_s3_bucket"
	some i, configuration in bucket.config.server_side_encryption_configuration
	some j, rule in configuration.rule
	some k, by_default in rule.apply_server_side_encryption_by_default
	path := ["server_side_encryption_configuration", i, "rule", j, "apply_server_side_encryption_by_default", k, "sse_algorithm"]
	a := {"resource": bucket.address, "algorithm": by_default.sse_algorithm, "path": path}
}

algorithms contains a if {
	some r in util.resources(separate_type)
	some j, rule in r.config.rule
	some k, by_default in rule.apply_server_side_encryption_by_default
	a := {"resource": r.address, "algorithm": by_default.sse_algorithm, "path": ["rule", j, "apply_server_side_encryption_by_default", k, "sse_algorithm"]}
}

algorithms contains a if {
	some bucket in s3.buckets
	bucket.type == "AWS::S3::Bucket"
	some i, rule in bucket.config.BucketEncryption.ServerSideEncryptionConfiguration
	path := ["BucketEncryption", "ServerSideEncryptionConfiguration", i, "ServerSideEncryptionByDefault", "SSEAlgorithm"]
	a := {"resource": bucket.address, "algorithm": rule.ServerSideEncryptionByDefault.SSEAlgorithm, "path": path}
}

deny contains finding if {
	settings.s3_require_kms
	some a in algorithms
	a.algorithm == "AES256"
	finding := {
		"resource": a.resource,
		"message": "The bucket's default encryption is SSE-S3 (AES256): use SSE-KMS with a customer managed key.",
		"evidence": "sse_algorithm AES256",
		"path": a.path,
	}
}

has_configuration(bucket) if not util.is_empty(bucket.config, "server_side_encryption_configuration")

has_configuration(bucket) if not util.is_absent(bucket.config, "BucketEncryption")

has_configuration(bucket) if util.referenced_by_any(bucket, {separate_type})

deny contains finding if {
	settings.s3_require_kms
	some bucket in s3.buckets
	not has_configuration(bucket)
	not unjoined(bucket)
	finding := {
		"resource": bucket.address,
		"message": "The bucket has no default encryption configuration, so it uses SSE-S3: configure SSE-KMS with a customer managed key.",
		"evidence": "no encryption configuration",
		"path": [],
	}
}

unjoined(bucket) if {
	bucket.source == "terraform"
	s3.has_unjoined(separate_type)
}

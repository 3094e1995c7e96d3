# METADATA
# title: CloudFront distribution without access logs
# description: >-
#   An `aws_cloudfront_distribution` has no `logging_config` block, or an
#   `AWS::CloudFront::Distribution` has no `DistributionConfig.Logging`, so viewer requests are
#   not recorded; or the logging bucket is written as something other than an S3 bucket's
#   domain name (`<bucket>.s3.amazonaws.com`, `mylogs.amazonaws.com`), which names no bucket
#   and delivers nothing. Distributions that deliver standard logs v2 through
#   `aws_cloudwatch_log_delivery_source` resources referring to them are not reported; a bucket
#   that is not a literal (`!GetAtt Logs.DomainName`) is not checked.
#   With `unknown_values: advisory`, a `logging_config` that only a `dynamic` block over a
#   collection Tollgate cannot know creates is reported as cannot tell.
# custom:
#   id: TG-LOG-009
#   severity: low
#   category: logging
#   remediation: Add logging_config (Logging) with an S3 bucket, or configure standard logging v2.
#   controls: [AWS-FSBP-CloudFront.5]
package tollgate.rules.logging.cloudfront_logging

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

message := "The distribution does not log viewer requests: enable standard logging."

deny contains finding if {
	some r in util.resources("aws_cloudfront_distribution")
	util.is_empty(r.config, "logging_config")
	not util.referenced_by_any(r, {"aws_cloudwatch_log_delivery_source"})
	finding := {"resource": r.address, "message": message, "evidence": "logging_config unset", "path": []}
}

deny contains finding if {
	some r in util.resources("aws_cloudfront_distribution")
	not util.referenced_by_any(r, {"aws_cloudwatch_log_delivery_source"})
	finding := settings.cannot_tell(r.address, ["logging_config"], util.unknown_presence(r, [], "logging_config"), "The distribution's logging_config comes from a collection Tollgate cannot know, so there may be none: make sure it logs viewer requests.")
}

deny contains finding if {
	some r in util.resources("AWS::CloudFront::Distribution")
	some unset in util.missing(r, ["DistributionConfig"], "Logging")
	unreferenced := util.unreferenced_when(r, {"AWS::Logs::DeliverySource"})
	when := util.conjunction([unset.when, unreferenced])
	finding := {"resource": r.address, "message": message, "evidence": "Logging unset", "path": [], "when": when}
}

# `<bucket>.s3.amazonaws.com`, with the regional (`.s3.eu-west-1.`, `.s3-eu-west-1.`),
# dual-stack (`.s3.dualstack.eu-west-1.`) and China (`.amazonaws.com.cn`) forms.
is_bucket_domain(value) if regex.match(`^[a-z0-9][a-z0-9.-]*\.s3([.-][a-z0-9-]+)*\.amazonaws\.com(\.cn)?$`, lower(value))

# `{resource, bucket, path}` for every logging bucket written as a literal.
logging_buckets contains b if {
	some r in util.resources("aws_cloudfront_distribution")
	some i, config in util.block_list(r.config.logging_config)
	is_string(config.bucket)
	b := {"resource": r.address, "bucket": config.bucket, "path": ["logging_config", i, "bucket"]}
}

logging_buckets contains b if {
	some r in util.resources("AWS::CloudFront::Distribution")
	bucket := r.config.DistributionConfig.Logging.Bucket
	is_string(bucket)
	b := {"resource": r.address, "bucket": bucket, "path": ["DistributionConfig", "Logging", "Bucket"]}
}

deny contains finding if {
	some b in logging_buckets
	not is_bucket_domain(b.bucket)
	finding := {
		"resource": b.resource,
		"message": "The logging bucket is not an S3 bucket's domain name, so no log is delivered: write it as <bucket>.s3.amazonaws.com.",
		"evidence": sprintf("logging bucket %s", [b.bucket]),
		"path": b.path,
	}
}

# METADATA
# title: CloudFront distribution without access logs
# description: >-
#   An `aws_cloudfront_distribution` has no `logging_config` block, or an
#   `AWS::CloudFront::Distribution` has no `DistributionConfig.Logging`, so viewer requests are
#   not recorded. Distributions that deliver standard logs v2 through
#   `aws_cloudwatch_log_delivery_source` resources referring to them are not reported.
# custom:
#   id: TG-LOG-009
#   severity: low
#   category: logging
#   remediation: Add logging_config (Logging) with an S3 bucket, or configure standard logging v2.
#   controls: [AWS-FSBP-CloudFront.5]
package tollgate.rules.logging.cloudfront_logging

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
	some r in util.resources("AWS::CloudFront::Distribution")
	util.is_absent(r.config.DistributionConfig, "Logging")
	not util.referenced_by_any(r, {"AWS::Logs::DeliverySource"})
	finding := {"resource": r.address, "message": message, "evidence": "Logging unset", "path": []}
}

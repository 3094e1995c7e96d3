# METADATA
# title: S3 bucket without server access logging
# description: >-
#   An S3 bucket has no server access logging: no inline `logging` block, no
#   `aws_s3_bucket_logging` referring to it, no CloudFormation `LoggingConfiguration`. Buckets
#   that receive other buckets' access logs are not reported (logging a log bucket into itself
#   loops); since references do not say which argument named a bucket, a bucket an
#   `aws_s3_bucket_logging` refers to as its target counts as covered too. When an `aws_s3_bucket_logging` names a bucket that cannot be resolved, buckets
#   without inline logging are not reported. A call of terraform-aws-modules/s3-bucket/aws is a
#   bucket too: reported when its `logging` argument is absent or empty, unless it is a log bucket
#   (an `attach_*_log_delivery_policy` argument is true, or another call's `logging` or an
#   `aws_s3_bucket_logging` refers to it).
#   With `unknown_values: advisory`, a `logging` block that only a `dynamic` block over a
#   collection Tollgate cannot know creates is reported as cannot tell.
# custom:
#   id: TG-LOG-006
#   severity: low
#   category: logging
#   remediation: Enable server access logging to a dedicated log bucket (aws_s3_bucket_logging, or LoggingConfiguration.DestinationBucketName).
#   controls: [AWS-FSBP-S3.9]
package tollgate.rules.logging.s3_access_logging

import data.tollgate.lib.s3
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

separate_type := "aws_s3_bucket_logging"

has_logging(bucket) if not util.is_empty(bucket.config, "logging")

has_logging(bucket) if {
	not util.is_absent(bucket.config, "LoggingConfiguration")
	util.unconditional(bucket, ["LoggingConfiguration"])
}

has_logging(bucket) if count(s3.settings(bucket, separate_type)) > 0

# The bucket receives other buckets' access logs (inline `logging` or CloudFormation
# `LoggingConfiguration` referring to it, or the log-delivery ACL).
is_log_target(bucket) if {
	some other in s3.buckets
	other.address != bucket.address
	some configuration in other.config.logging
	util.refers_to(other, bucket)
	configuration.target_bucket
}

is_log_target(bucket) if {
	some other in s3.buckets
	other.address != bucket.address
	other.config.LoggingConfiguration
	util.refers_to(other, bucket)
}

is_log_target(bucket) if {
	bucket.source == "cloudformation"
	bucket.config.AccessControl == "LogDeliveryWrite"
}

deny contains finding if {
	some bucket in s3.buckets
	not has_logging(bucket)
	not is_log_target(bucket)
	not unjoined(bucket)
	some unset in missing_logging(bucket)
	finding := {
		"resource": bucket.address,
		"message": "The bucket has no server access logging: deliver its access logs to a log bucket.",
		"evidence": "no access logging",
		"path": [],
		"when": unset.when,
	}
}

# When the bucket has no logging: always, or where a CloudFormation `LoggingConfiguration`
# written under an undecided `Fn::If` is not deployed.
# A logging block only a `dynamic` block over a collection Tollgate cannot know creates may be
# missing: "cannot tell", unless a separate logging resource configures the bucket.
deny contains finding if {
	some bucket in s3.buckets
	presence := util.unknown_presence(bucket, [], "logging")
	count(s3.settings(bucket, separate_type)) == 0
	not is_log_target(bucket)
	not unjoined(bucket)
	finding := settings.cannot_tell(bucket.address, ["logging"], presence, "The bucket's logging block comes from a collection Tollgate cannot know, so there may be none: make sure it delivers access logs.")
}

missing_logging(bucket) := [{"when": ""}] if bucket.source != "cloudformation"

missing_logging(bucket) := util.missing(bucket, [], "LoggingConfiguration") if bucket.source == "cloudformation"

unjoined(bucket) if {
	bucket.source == "terraform"
	s3.has_unjoined(separate_type)
}

log_delivery_arguments := [
	"attach_access_log_delivery_policy",
	"attach_elb_log_delivery_policy",
	"attach_lb_log_delivery_policy",
	"attach_cloudtrail_log_delivery_policy",
	"attach_waf_log_delivery_policy",
]

module_receives_logs(call) if {
	some argument in log_delivery_arguments
	util.is_true(call.config[argument])
}

module_receives_logs(call) if {
	some other in s3.module_buckets
	other.address != call.address
	not util.is_empty(other.config, "logging")
	util.refers_to(other, call)
}

module_receives_logs(call) if count(s3.settings(call, separate_type)) > 0

# `[]` when `logging` is not written (the module's default `{}`), `["logging"]` when it is empty.
module_logging_missing(call) := [] if util.is_absent(call.config, "logging")

module_logging_missing(call) := ["logging"] if call.config.logging == {}

deny contains finding if {
	some call in s3.module_buckets
	path := module_logging_missing(call)
	not module_receives_logs(call)
	finding := {
		"resource": call.address,
		"message": "The bucket module is called without access logging: pass logging = { target_bucket = ..., target_prefix = ... }.",
		"evidence": "no access logging",
		"path": path,
	}
}

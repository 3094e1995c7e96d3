# METADATA
# title: S3 bucket without server access logging
# description: >-
#   An S3 bucket has no server access logging: no inline `logging` block, no
#   `aws_s3_bucket_logging` referring to it, no CloudFormation `LoggingConfiguration`. Buckets
#   that receive other buckets' access logs are not reported (logging a log bucket into itself
#   loops); since references do not say which argument named a bucket, a bucket an
#   `aws_s3_bucket_logging` refers to as its target counts as covered too. So are buckets that
#   receive logs the way AWS delivers them: a CloudFront distribution's standard logs
#   (`logging_config.bucket`, `DistributionConfig.Logging.Bucket` naming the bucket), an ACL
#   granting the CloudFront log delivery account (an `aws_s3_bucket_acl`, the bucket or a bucket
#   module call referring to `data.aws_cloudfront_log_delivery_canonical_user_id`, or granting to
#   that account's canonical id written out), or the
#   `log-delivery-write` canned ACL (`acl`, as CloudFormation's `LogDeliveryWrite`), or a bucket
#   policy (`aws_s3_bucket_policy`, the bucket's `policy`, `AWS::S3::BucketPolicy`) that lets a
#   log delivery write (`s3:PutObject` allowed to the regional ELB account or
#   `data.aws_elb_service_account`, to `logdelivery.elasticloadbalancing.amazonaws.com`, to
#   `delivery.logs.amazonaws.com`, as the module's ELB and LB flags below write it, or to
#   `logging.s3.amazonaws.com`), or a VPC flow log's S3 destination (`aws_flow_log` with
#   `log_destination_type = "s3"`, `AWS::EC2::FlowLog` with `LogDestinationType: s3`, whose
#   destination names the bucket), or a WAF web ACL's logging destination
#   (`aws_wafv2_web_acl_logging_configuration`, `AWS::WAFv2::LoggingConfiguration`, naming the
#   bucket; a name such as `aws-waf-logs-*` alone does not count). Logging a log bucket would log the deliveries into it, and its own
#   access logs need a bucket that is not logged in turn. The bucket CloudTrail delivers to is
#   not exempt (a policy for `cloudtrail.amazonaws.com`, a trail's `s3_bucket_name`): CIS asks for
#   access logging on it (Security Hub CloudTrail.7). When an `aws_s3_bucket_logging` names a
#   bucket that cannot be resolved, buckets without inline logging are not reported. A call of terraform-aws-modules/s3-bucket/aws is a
#   bucket too: reported when its `logging` argument is absent or empty, unless it is a log bucket
#   (an `attach_*_log_delivery_policy` argument is true, a WAF logging configuration refers to it, or
#   another call's `logging` or an
#   `aws_s3_bucket_logging` refers to it) or an `aws_s3_bucket_logging` whose bucket cannot be
#   resolved may log it.
#   With `unknown_values: advisory`, a `logging` block that only a `dynamic` block over a
#   collection Tollgate cannot know creates is reported as cannot tell, and so is a bucket whose
#   only logging is `aws_s3_bucket_logging` with a `count` or `for_each` Tollgate cannot know
#   that is not the bucket's own (a bucket module call too), and a module call whose `logging`
#   argument Tollgate cannot know (it may be empty). In CloudFormation a bucket
#   receives logs where another's `LoggingConfiguration.DestinationBucketName` names it (`!Ref`,
#   `!Sub`, or its `BucketName`), its `AccessControl` is `LogDeliveryWrite`, or a flow log or
#   WAF name makes it a destination: one that does so only under an undecided condition (the
#   sender's own `Condition`, an `Fn::If` around the configuration, the destination or the ACL)
#   is exempt only there, so the finding says when it applies.
# custom:
#   id: TG-LOG-006
#   severity: low
#   category: logging
#   remediation: Enable server access logging to a dedicated log bucket (aws_s3_bucket_logging, or LoggingConfiguration.DestinationBucketName).
#   controls: [AWS-FSBP-S3.9]
package tollgate.rules.logging.s3_access_logging

import data.tollgate.lib.governs
import data.tollgate.lib.iam
import data.tollgate.lib.s3
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

separate_type := "aws_s3_bucket_logging"

has_logging(bucket) if has_own_logging(bucket)

has_logging(bucket) if count(s3.settings(bucket, separate_type)) > 0

has_own_logging(bucket) if not util.is_empty(bucket.config, "logging")

has_own_logging(bucket) if {
	not util.is_absent(bucket.config, "LoggingConfiguration")
	util.unconditional(bucket, ["LoggingConfiguration"])
}

# The Terraform bucket receives other buckets' access logs (an inline `logging` referring to it).
# The buckets referring to it are looked up (`util.referring`), not scanned for each bucket.
is_log_target(bucket) if {
	bucket.source == "terraform"
	some other in util.referring(bucket)
	other.mode == "managed"
	other.type in s3.bucket_types
	other.address != bucket.address
	some configuration in util.block_list(other.config.logging)
	configuration.target_bucket
}

# The Terraform bucket receives CloudFront standard logs or S3 server access logs by the way AWS
# delivers them: a distribution's `logging_config` names it, its ACL grants the CloudFront log
# delivery account (`data.aws_cloudfront_log_delivery_canonical_user_id`, whose one use in an ACL
# is a grant), or its canned ACL is `log-delivery-write`, inline or in an `aws_s3_bucket_acl`.
is_log_target(bucket) if {
	bucket.source == "terraform"
	some distribution in util.referring(bucket)
	distribution.type == "aws_cloudfront_distribution"
	some configuration in util.block_list(distribution.config.logging_config)
	names_terraform_bucket(configuration.bucket, bucket)
}

is_log_target(bucket) if {
	bucket.source == "terraform"
	some carrier in array.concat([bucket], s3.settings(bucket, "aws_s3_bucket_acl"))
	delivery_acl(carrier)
}

# Its bucket policy lets a log delivery write: Elastic Load Balancing, as the s3-bucket module's
# `attach_elb_log_delivery_policy` and `attach_lb_log_delivery_policy` write it, the vended logs
# service or S3 server access logging.
is_log_target(bucket) if {
	bucket.source == "terraform"
	count(policy_deliveries(bucket)) > 0
}

# A VPC flow log delivers into it: `log_destination_type = "s3"` and a `log_destination` naming the
# bucket (its ARN, or the ARN written out, with or without a prefix folder).
is_log_target(bucket) if {
	bucket.source == "terraform"
	some flow_log in flow_logs_naming(bucket)
	flow_log.config.log_destination_type == "s3"
}

# A WAF web ACL logs into it: an `aws_wafv2_web_acl_logging_configuration` whose
# `log_destination_configs` names it (its ARN, or the ARN written out). The name alone
# (`aws-waf-logs-*`, which WAF requires) does not exempt a bucket: anyone may name a data bucket so.
is_log_target(bucket) if {
	bucket.source == "terraform"
	some configuration in util.referring(bucket)
	configuration.type == "aws_wafv2_web_acl_logging_configuration"
	some destination in util.elements(configuration.config.log_destination_configs)
	names_terraform_bucket(destination.value, bucket)
}

is_log_target(bucket) if {
	bucket.source == "terraform"
	is_string(bucket.config.bucket)
	some i in util.managed_positions.aws_wafv2_web_acl_logging_configuration
	some destination in util.elements(input.resources[i].config.log_destination_configs)
	some partition in ["arn:aws:s3:::", "arn:aws-cn:s3:::", "arn:aws-us-gov:s3:::"]
	destination.value == concat("", [partition, bucket.config.bucket])
}

# The flow logs whose destination names the bucket: those referring to it (`aws_s3_bucket.x.arn`),
# and those with the bucket's ARN written out, looked up by name rather than scanned per bucket.
flow_logs_naming(bucket) := array.concat(
	[flow_log |
		some flow_log in util.referring(bucket)
		flow_log.type == "aws_flow_log"
		names_terraform_bucket(flow_log.config.log_destination, bucket)
	],
	[input.resources[i] |
		is_string(bucket.config.bucket)
		some i in flow_log_positions[bucket.config.bucket]
	],
)

# `flow_log_positions[name]`: the positions of the Terraform flow logs whose destination is the
# ARN of the bucket `name` written out (`arn:aws:s3:::name` or `arn:aws:s3:::name/prefix/`).
flow_log_positions[name] contains i if {
	some i in util.managed_positions.aws_flow_log
	destination := input.resources[i].config.log_destination
	is_string(destination)
	some partition in ["arn:aws:s3:::", "arn:aws-cn:s3:::", "arn:aws-us-gov:s3:::"]
	startswith(destination, partition)
	name := split(substring(destination, count(partition), -1), "/")[0]
}

# The conditions under which each bucket policy statement naming the bucket lets a log delivery
# write into it, beyond the bucket's own (the policy's `Condition`, an `Fn::If` choosing the
# statement's keys; `[]` for every deployment): an Allow of `s3:PutObject` (or `s3:*`, `*`) to the
# regional Elastic Load Balancing account (written out, or `data.aws_elb_service_account`), to
# `logdelivery.elasticloadbalancing.amazonaws.com` (Regions opened since August 2022), to
# `delivery.logs.amazonaws.com` (vended logs: Network Load Balancers, VPC flow logs, WAF) or to
# `logging.s3.amazonaws.com` (S3 server access logs). `cloudtrail.amazonaws.com` is left out on
# purpose: CIS asks for access logging on the bucket CloudTrail delivers to (Security Hub
# CloudTrail.7), so a trail's bucket stays reported.
policy_deliveries(bucket) := [conditions |
	some st in iam.resource_statements
	st.type in {"aws_s3_bucket", "aws_s3_bucket_policy", "AWS::S3::BucketPolicy"}
	governs.subject(st.address) == bucket.address
	iam.is_allow(st.statement)
	some action in iam.values(st.statement, "Action")
	lower(action.value) in {"s3:putobject", "s3:*", "*"}
	is_object(st.statement.Principal)
	some type, written in st.statement.Principal
	some principal in util.elements(written)
	log_delivery_principal(type, principal.value)
	own := util.conditions(bucket, [])
	extra := [c |
		some c in array.concat(util.conditions(st, []), [st.when])
		c != ""
		not c in own
	]
	joined := util.conjunction(extra)
	conditions := [c | c := joined; c != ""]
]

log_delivery_principal(type, value) if {
	type == "Service"
	lower(value) in {
		"logdelivery.elasticloadbalancing.amazonaws.com",
		"delivery.logs.amazonaws.com",
		"logging.s3.amazonaws.com",
	}
}

log_delivery_principal(type, value) if {
	type == "AWS"
	some account in elb_log_accounts
	contains(iam.canonical_arn(value), account)
}

log_delivery_principal(type, value) if {
	type == "AWS"
	util.is_unknown(value)
	contains(value["$unknown"], "data.aws_elb_service_account.")
}

# The Elastic Load Balancing account of each Region opened before August 2022 that a bucket policy
# grants to (as its id or its root's ARN), per the ELB user guide.
elb_log_accounts := {
	"127311923021", "033677994240", "027434742980", "797873946194", "098369216593",
	"985666609251", "054676820928", "156460612806", "652711504416", "635631232127",
	"009996457667", "897822967062", "754344448648", "582318560864", "600734575887",
	"383597477331", "114774131450", "783225319266", "718504428378", "076674570225",
	"507241528517", "048591011584", "190560391635", "638102146993", "037604701340",
}

# `aws_s3_bucket.logs.bucket_domain_name`, `aws_s3_bucket.logs[0].bucket_regional_domain_name`,
# `aws_s3_bucket.logs.arn`, or the bucket's name with an S3 endpoint (`logs.s3.amazonaws.com`).
names_terraform_bucket(value, bucket) if {
	util.is_unknown(value)
	some separator in [".", "["]
	contains(value["$unknown"], concat("", [bucket.type, ".", bucket.name, separator]))
}

names_terraform_bucket(value, bucket) if {
	is_string(value)
	is_string(bucket.config.bucket)
	startswith(value, concat("", [bucket.config.bucket, ".s3."]))
}

# The ACL (of a bucket, an `aws_s3_bucket_acl` or a bucket module call) lets a log delivery write.
delivery_acl(carrier) if carrier.config.acl == "log-delivery-write"

delivery_acl(carrier) if {
	some reference in carrier.references
	contains(reference, "data.aws_cloudfront_log_delivery_canonical_user_id.")
}

delivery_acl(carrier) if {
	some id in grantee_ids(carrier)
	id in cloudfront_log_delivery_ids
}

# The canonical user ids of the `awslogsdelivery` account that writes CloudFront standard logs,
# as AWS documents them for a grant written by hand: in the aws partition and in China.
cloudfront_log_delivery_ids := {
	"c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0",
	"a52cb28745c0c06e84ec548334e44bfa7fc2a85c54af20cd59e4969344b7af56",
}

# The canonical ids an ACL grants to: a bucket's inline `grant` blocks, an `aws_s3_bucket_acl`'s
# `access_control_policy.grant.grantee`, a bucket module call's `grant` objects.
grantee_ids(carrier) := {grant.id |
	some grant in util.block_list(carrier.config.grant)
	is_object(grant)
} | {grantee.id |
	some policy in util.block_list(carrier.config.access_control_policy)
	some grant in util.block_list(policy.grant)
	some grantee in util.block_list(grant.grantee)
}

# The deployments in which the bucket receives no other bucket's access logs, as a finding's
# `when` ("" in all of them); undefined when it receives them in every deployment.
unreceived_when(bucket) := "" if {
	bucket.source == "terraform"
	not is_log_target(bucket)
}

unreceived_when(bucket) := util.none_hold_when(array.concat(log_deliveries(bucket), policy_deliveries(bucket))) if bucket.source == "cloudformation"

# Each way a CloudFormation bucket receives logs, as the conditions it waits for beyond the
# bucket's own: another bucket's `DestinationBucketName` naming it (under that bucket's own
# `Condition` and the `Fn::If` branches that write it), a CloudFront distribution's
# `Logging.Bucket` naming it (the same way), the log-delivery ACL, a WAF logging configuration
# naming it, or a VPC flow log whose `LogDestinationType` is `s3` and whose
# `LogDestination` names it. Ways whose conditions exclude each other are in no deployment and
# left out.
log_deliveries(bucket) := array.concat(
	[conditions |
		own := util.conditions(bucket, [])
		some distribution in util.referring(bucket)
		distribution.type == "AWS::CloudFront::Distribution"
		path := ["DistributionConfig", "Logging", "Bucket"]
		some destination in util.possible_values(distribution, path)
		names_cloudformation_value(destination.value, bucket)
		extra := [c |
			some c in array.concat(util.conditions(distribution, path), [destination.condition])
			c != ""
			not c in own
		]
		joined := util.conjunction(extra)
		conditions := [c | c := joined; c != ""]
	],
	array.concat(
		[conditions |
			own := util.conditions(bucket, [])
			some other in delivering_buckets(bucket)
			other.address != bucket.address
			path := ["LoggingConfiguration", "DestinationBucketName"]
			some destination in util.possible_values(other, path)
			names_bucket(other, destination.value, bucket)
			extra := [c |
				some c in array.concat(util.conditions(other, path), [destination.condition])
				c != ""
				not c in own
			]
			joined := util.conjunction(extra)
			conditions := [c | c := joined; c != ""]
		],
		array.concat(
			[conditions |
				some possible in util.possible_values(bucket, ["AccessControl"])
				possible.value == "LogDeliveryWrite"
				conditions := [c |
					some c in array.concat(util.conditions(bucket, ["AccessControl"]), [possible.condition])
					c != ""
					not c in util.conditions(bucket, [])
				]
			],
			array.concat(waf_deliveries(bucket), [conditions |
				own := util.conditions(bucket, [])
				some flow_log in util.referring(bucket)
				flow_log.type == "AWS::EC2::FlowLog"
				some kind in util.possible_values(flow_log, ["LogDestinationType"])
				kind.value == "s3"
				path := ["LogDestination"]
				some destination in util.possible_values(flow_log, path)
				names_cloudformation_value(destination.value, bucket)
				extra := [c |
					some c in array.concat(
						array.concat(util.conditions(flow_log, path), util.conditions(flow_log, ["LogDestinationType"])),
						[destination.condition, kind.condition],
					)
					c != ""
					not c in own
				]
				joined := util.conjunction(extra)
				conditions := [c | c := joined; c != ""]
			]),
		),
	),
)

# A WAF web ACL's `AWS::WAFv2::LoggingConfiguration` whose `LogDestinationConfigs` names the
# bucket's ARN (`!GetAtt Logs.Arn`, `!Sub arn:aws:s3:::${Logs}`), under its own conditions.
waf_deliveries(bucket) := [conditions |
	own := util.conditions(bucket, [])
	some configuration in util.referring(bucket)
	configuration.type == "AWS::WAFv2::LoggingConfiguration"
	path := ["LogDestinationConfigs"]
	some destinations in util.possible_values(configuration, path)
	some destination in util.elements(destinations.value)
	names_cloudformation_value(destination.value, bucket)
	extra := [c |
		some c in array.concat(util.conditions(configuration, path), [destinations.condition])
		c != ""
		not c in own
	]
	joined := util.conjunction(extra)
	conditions := [c | c := joined; c != ""]
]

# A distribution's log bucket, a domain name (`!GetAtt Logs.DomainName`, `!Sub ${Logs}.s3...`), or
# a flow log's destination, an ARN (`!GetAtt Logs.Arn`, `!Sub arn:aws:s3:::${Logs}/prefix/`).
names_cloudformation_value(value, bucket) if {
	util.is_unknown(value)
	bucket.address in util.cloudformation_names(value["$unknown"])
}

names_cloudformation_value(value, bucket) if {
	util.is_unknown(value)
	some prefix in ["!GetAtt ", "${"]
	contains(value["$unknown"], concat("", [prefix, bucket.address, "."]))
}

# The CloudFormation buckets that may deliver access logs to `bucket`, in input order: those
# referring to it and those with a destination written as its `BucketName`, looked up rather than
# scanned for each bucket (positions sorted: our runtime iterates a set in the order its elements
# were added).
delivering_buckets(bucket) := [input.resources[i] | some i in sort(delivering_positions(bucket))]

delivering_positions(bucket) := {i |
	some name in util.target_names(bucket)
	some i in util.referring_positions[[object.get(bucket, "root", ""), bucket.source, name]]
	input.resources[i].source == "cloudformation"
	input.resources[i].mode == "managed"
	input.resources[i].type in s3.bucket_types
} | {i |
	is_string(bucket.config.BucketName)
	some i in destination_positions[bucket.config.BucketName]
}

# `destination_positions[name]`: the positions in `input.resources` of the CloudFormation buckets
# with a log destination written as `name`.
destination_positions[destination.value] contains i if {
	some i in s3_bucket_positions
	r := input.resources[i]
	r.source == "cloudformation"
	some destination in util.possible_values(r, ["LoggingConfiguration", "DestinationBucketName"])
	is_string(destination.value)
}

s3_bucket_positions contains i if {
	some type in s3.bucket_types
	some i in util.managed_positions[type]
}

# A destination names the bucket: a reference to it (`!Ref Logs`, `!Sub ${Logs}`), or its name.
names_bucket(other, destination, bucket) if {
	util.is_unknown(destination)
	util.refers_to(other, bucket)
	bucket.address in util.cloudformation_names(destination["$unknown"])
}

names_bucket(_, destination, bucket) if {
	is_string(destination)
	destination == bucket.config.BucketName
}

deny contains finding if {
	some bucket in s3.buckets
	not has_logging(bucket)
	unreceived := unreceived_when(bucket)
	not unjoined(bucket)
	some unset in missing_logging(bucket)
	when := util.conjunction([unset.when, unreceived])
	finding := {
		"resource": bucket.address,
		"message": "The bucket has no server access logging: deliver its access logs to a log bucket.",
		"evidence": "no access logging",
		"path": [],
		"when": when,
	}
}

# When the bucket has no logging: always, or where a CloudFormation `LoggingConfiguration`
# written under an undecided `Fn::If` is not deployed.
# A logging block only a `dynamic` block over a collection Tollgate cannot know creates may be
# missing: "cannot tell", unless a separate logging resource configures the bucket.
deny contains finding if {
	some bucket in s3.buckets
	presence := util.unknown_presence(bucket, [], "logging")
	not s3.has_certain_setting(bucket, separate_type)
	not is_log_target(bucket)
	not unjoined(bucket)
	finding := settings.cannot_tell(bucket.address, ["logging"], presence, "The bucket's logging block comes from a collection Tollgate cannot know, so there may be none: make sure it delivers access logs.")
}

# The only logging the bucket has is separate resources whose `count` or `for_each` Tollgate
# cannot know (and the bucket's own is not the same): "cannot tell", one finding per expression.
deny contains finding if {
	some bucket in s3.buckets
	bucket.source == "terraform"
	not has_own_logging(bucket)
	some absence in util.absences_with(s3.settings(bucket, separate_type), bucket)
	not is_log_target(bucket)
	not unjoined(bucket)
	finding := settings.cannot_tell(bucket.address, [], absence, "The bucket's only access logging is an aws_s3_bucket_logging that may not be created, as its count or for_each cannot be known: make sure the bucket delivers access logs.")
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

# Another bucket module call with logging refers to the call: looked up among those referring to
# it, not scanned for each call.
module_receives_logs(call) if {
	some other in util.referring(call)
	other.address != call.address
	s3.is_module_bucket(other)
	not util.is_empty(other.config, "logging")
}

module_receives_logs(call) if s3.has_certain_setting(call, separate_type)

# A WAF web ACL logs into it: a logging configuration refers to the call's bucket.
module_receives_logs(call) if {
	some configuration in util.referring(call)
	configuration.type == "aws_wafv2_web_acl_logging_configuration"
}

# Its ACL lets a log delivery write: `acl = "log-delivery-write"`, or a `grant` to the CloudFront
# log delivery account.
module_receives_logs(call) if delivery_acl(call)

# `[]` when `logging` is not written (the module's default `{}`), `["logging"]` when it is empty.
module_logging_missing(call) := [] if util.is_absent(call.config, "logging")

module_logging_missing(call) := ["logging"] if call.config.logging == {}

# A separate `aws_s3_bucket_logging` that refers to the call, even one that may not be created,
# keeps the call from being reported: it may log the call's bucket or deliver logs into it. So
# does one whose bucket cannot be joined to any bucket, as for a bucket.
deny contains finding if {
	some call in s3.module_buckets
	path := module_logging_missing(call)
	not module_receives_logs(call)
	count(s3.settings(call, separate_type)) == 0
	not unjoined(call)
	finding := {
		"resource": call.address,
		"message": "The bucket module is called without access logging: pass logging = { target_bucket = ..., target_prefix = ... }.",
		"evidence": "no access logging",
		"path": path,
	}
}

# The call's only logging (or log delivery into it) is separate resources whose `count` or
# `for_each` Tollgate cannot know (and not the call's own): "cannot tell", as for a bucket.
deny contains finding if {
	some call in s3.module_buckets
	module_logging_missing(call)
	not module_receives_logs(call)
	some absence in util.absences_with(s3.settings(call, separate_type), call)
	not unjoined(call)
	finding := settings.cannot_tell(call.address, [], absence, "The bucket module's only access logging is an aws_s3_bucket_logging that may not be created, as its count or for_each cannot be known: make sure the bucket delivers access logs.")
}

# A `logging` argument Tollgate cannot know may be `{}`, with which the module writes no logging.
deny contains finding if {
	some call in s3.module_buckets
	util.is_unknown(call.config.logging)
	not module_receives_logs(call)
	finding := settings.cannot_tell(call.address, ["logging"], call.config.logging, "The bucket module's logging argument is a value Tollgate cannot know and may be empty, leaving the bucket without access logging: make sure it names a log bucket.")
}

# METADATA
# title: Load balancer without access logs
# description: >-
#   An Application or Classic Load Balancer does not deliver access logs: no `access_logs`
#   block with `enabled = true` (`aws_lb`/`aws_alb` of type application, `aws_elb`; on `aws_lb`
#   and `aws_alb` the provider defaults `enabled` to false even when a bucket is given, on
#   `aws_elb` to true), or no `access_logs.s3.enabled` attribute set to `"true"` in
#   CloudFormation `LoadBalancerAttributes` (`AWS::ElasticLoadBalancingV2::LoadBalancer`), or no
#   enabled `AccessLoggingPolicy` (`AWS::ElasticLoadBalancing::LoadBalancer`). Network and gateway
#   load balancers are not reported.
#   With `unknown_values: advisory`, `access_logs` that only a `dynamic` block over a collection
#   Tollgate cannot know creates, or whose `enabled` is unknown, are reported as cannot tell.
# custom:
#   id: TG-LOG-007
#   severity: low
#   category: logging
#   remediation: Enable access logs to an S3 bucket (access_logs { bucket = ..., enabled = true }).
#   controls: [AWS-FSBP-ELB.5]
package tollgate.rules.logging.lb_access_logs

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

message := "The load balancer does not write access logs: enable them to an S3 bucket."

# Terraform `aws_lb` defaults to an application load balancer.
is_application(r) if util.is_absent(r.config, "load_balancer_type")

is_application(r) if r.config.load_balancer_type == "application"

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type == "aws_elb"
	util.is_empty(r.config, "access_logs")
	finding := {"resource": r.address, "message": message, "evidence": "access_logs unset", "path": []}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_lb", "aws_alb"}
	is_application(r)
	util.is_empty(r.config, "access_logs")
	finding := {"resource": r.address, "message": message, "evidence": "access_logs unset", "path": []}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_lb", "aws_alb", "aws_elb"}
	some i, block in util.block_list(r.config.access_logs)
	util.is_false(block.enabled)
	finding := {"resource": r.address, "message": message, "evidence": "access_logs disabled", "path": ["access_logs", i, "enabled"]}
}

# The provider's `enabled` defaults to false on aws_lb and aws_alb even when a bucket is given (on
# aws_elb to true).
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_lb", "aws_alb"}
	is_application(r)
	some block in util.certain_blocks(r, [], "access_logs")
	util.is_absent(block.value, "enabled")
	finding := {
		"resource": r.address,
		"message": "The load balancer's access_logs block does not set enabled = true, and the provider defaults it to false: access logs are not written.",
		"evidence": "access_logs.enabled unset",
		"path": block.path,
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_lb", "aws_alb", "aws_elb"}
	logs_expected(r)
	finding := settings.cannot_tell(r.address, ["access_logs"], util.unknown_presence(r, [], "access_logs"), "The load balancer's access_logs come from a collection Tollgate cannot know, so there may be none: make sure it writes access logs.")
}

logs_expected(r) if r.type == "aws_elb"

logs_expected(r) if {
	r.type in {"aws_lb", "aws_alb"}
	is_application(r)
}

cloudformation_application(r) if util.is_absent(r.config, "Type")

cloudformation_application(r) if r.config.Type == "application"

deny contains finding if {
	some r in util.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
	cloudformation_application(r)
	not logging_attribute(r)
	finding := {"resource": r.address, "message": message, "evidence": "access_logs.s3.enabled not true", "path": []}
}

# Written in every deployment: in CloudFormation, an attribute under an `Fn::If` the template
# cannot decide enables logs only where its condition holds.
logging_attribute(r) if {
	some i, attribute in r.config.LoadBalancerAttributes
	util.unconditional(r, ["LoadBalancerAttributes", i])
	attribute.Key == "access_logs.s3.enabled"
	not util.is_false(attribute.Value)
}

deny contains finding if {
	some r in util.resources("AWS::ElasticLoadBalancing::LoadBalancer")
	util.is_absent(r.config, "AccessLoggingPolicy")
	finding := {"resource": r.address, "message": message, "evidence": "AccessLoggingPolicy unset", "path": []}
}

deny contains finding if {
	some r in util.resources("AWS::ElasticLoadBalancing::LoadBalancer")
	util.is_false(r.config.AccessLoggingPolicy.Enabled)
	finding := {"resource": r.address, "message": message, "evidence": "AccessLoggingPolicy disabled", "path": ["AccessLoggingPolicy", "Enabled"]}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_lb", "aws_alb", "aws_elb"}
	logs_expected(r)
	some i, block in util.block_list(r.config.access_logs)
	finding := settings.cannot_tell(r.address, ["access_logs", i, "enabled"], block.enabled, "The load balancer's access_logs.enabled is a value Tollgate cannot know: make sure it writes access logs.")
}

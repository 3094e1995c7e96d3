# METADATA
# title: WAF web ACL without logging
# description: >-
#   An AWS WAF web ACL (`aws_wafv2_web_acl`, `AWS::WAFv2::WebACL`) has no logging configuration:
#   no `aws_wafv2_web_acl_logging_configuration` / `AWS::WAFv2::LoggingConfiguration` in the input
#   refers to it (`resource_arn` / `ResourceArn`). WAF keeps no record of the requests it inspects
#   otherwise, so the attacks it blocks and the ones it lets through cannot be investigated (Security
#   Hub WAF.11). When a logging configuration names a web ACL that cannot be resolved (a variable, a
#   parameter, an ARN written out), the rule cannot tell which web ACL it logs and reports none.
#   A CloudFormation logging configuration with an undecided `Condition` of its own logs the web
#   ACL only when it holds. With `unknown_values: advisory`, a web ACL whose only logging
#   configurations have a `count` or `for_each` Tollgate cannot know, other than the web ACL's
#   own, is reported as cannot tell. WAF Classic web ACLs are not read.
# custom:
#   id: TG-LOG-017
#   severity: low
#   category: logging
#   remediation: Add an aws_wafv2_web_acl_logging_configuration (AWS::WAFv2::LoggingConfiguration) for the web ACL, delivering to CloudWatch Logs, S3 or Firehose.
package tollgate.rules.logging.waf_logging

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

web_acl_types := {"aws_wafv2_web_acl", "AWS::WAFv2::WebACL"}

logging_types := {"aws_wafv2_web_acl_logging_configuration", "AWS::WAFv2::LoggingConfiguration"}

# The attribute naming the web ACL a logging configuration logs, per type.
logging_target := {"aws_wafv2_web_acl_logging_configuration": "resource_arn", "AWS::WAFv2::LoggingConfiguration": "ResourceArn"}

web_acls := [r | some r in input.resources; r.mode == "managed"; r.type in web_acl_types]

logging_configurations := [r | some r in input.resources; r.mode == "managed"; r.type in logging_types]

# The sources (`terraform`, `cloudformation`) with a logging configuration whose web ACL refers to
# none of the input: it may log any web ACL of its source.
unresolved_logging_sources contains config.source if {
	some config in logging_configurations
	not util.is_absent(config.config, logging_target[config.type])
	not refers_to_some_web_acl(config)
}

refers_to_some_web_acl(config) if {
	some acl in util.referred(config)
	acl.mode == "managed"
	acl.type in web_acl_types
}

deny contains finding if {
	some acl in web_acls
	when := util.unreferenced_when(acl, logging_types)
	not acl.source in unresolved_logging_sources
	finding := {
		"resource": acl.address,
		"message": "The web ACL has no logging configuration, so the requests WAF inspects leave no record: enable logging.",
		"evidence": "no logging configuration",
		"path": [],
		"when": when,
	}
}

# A Terraform web ACL whose only logging configurations have a `count` or `for_each` Tollgate
# cannot know (and not the web ACL's own) may have none: "cannot tell", one finding per expression.
deny contains finding if {
	some acl in web_acls
	acl.source == "terraform"
	loggers := [config | some config in util.referring(acl); config.mode == "managed"; config.type in logging_types]
	some absence in util.absences_with(loggers, acl)
	not acl.source in unresolved_logging_sources
	finding := settings.cannot_tell(acl.address, [], absence, "The web ACL's only logging configuration may not be created, as its count or for_each cannot be known: make sure the web ACL is logged.")
}

# METADATA
# title: OpenSearch or Elasticsearch domain does not publish its logs
# description: >-
#   An OpenSearch or Elasticsearch domain (`aws_opensearch_domain`, `aws_elasticsearch_domain`,
#   `AWS::OpenSearchService::Domain`, `AWS::Elasticsearch::Domain`) does not publish its error
#   logs (`ES_APPLICATION_LOGS`) to CloudWatch Logs, or a domain with fine-grained access control
#   enabled does not publish its audit logs (`AUDIT_LOGS`), which record who searched, read and
#   changed what (FSBP Opensearch.4 and ES.4; Opensearch.5 and ES.5). Every log is off unless a
#   `log_publishing_options` block (`LogPublishingOptions` key) publishes it. Audit logs need
#   fine-grained access control (`advanced_security_options.enabled`,
#   `AdvancedSecurityOptions.Enabled`), so a domain without it is judged on error logs only:
#   enabling it is the first step, and its absence is not this rule's finding. Slow logs are for
#   performance and not required. Each missing log is its own finding. A Terraform block whose
#   `enabled` is left out publishes (the provider's default); a CloudFormation option publishes
#   only with `Enabled` true, as CloudFormation documents false as the default. A block whose
#   log type Tollgate cannot know may be the missing one and keeps the domain from being
#   reported. In CloudFormation, options (or their `Enabled`) written only under an undecided
#   `Fn::If` condition are reported for the deployments without them. With `unknown_values: advisory`, Terraform
#   `log_publishing_options` blocks that only a `dynamic` block over a collection Tollgate cannot
#   know creates are reported as cannot tell.
# custom:
#   id: TG-LOG-018
#   severity: low
#   category: logging
#   remediation: Publish error logs (log_type ES_APPLICATION_LOGS; LogPublishingOptions.ES_APPLICATION_LOGS in CloudFormation) to a CloudWatch log group, and audit logs (AUDIT_LOGS) on domains with fine-grained access control.
#   controls: [AWS-FSBP-Opensearch.4, AWS-FSBP-Opensearch.5, AWS-FSBP-ES.4, AWS-FSBP-ES.5]
package tollgate.rules.logging.opensearch_logging

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

terraform_types := {"aws_opensearch_domain", "aws_elasticsearch_domain"}

cloudformation_types := {"AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"}

# The logs a domain should publish; `audit` ones only where fine-grained access control is on.
logs := [
	{"type": "ES_APPLICATION_LOGS", "what": "error logs", "audit": false},
	{"type": "AUDIT_LOGS", "what": "audit logs", "audit": true},
]

finding(r, log, path, when) := {
	"resource": r.address,
	"message": sprintf("The search domain does not publish its %s (%s) to CloudWatch Logs: publish them to a log group.", [log.what, log.type]),
	"evidence": sprintf("%s not published", [log.type]),
	"path": path,
	"when": when,
}

# The log applies to the Terraform domain: error logs always, audit logs when fine-grained access
# control is enabled for certain.
terraform_applies(log, _) if not log.audit

terraform_applies(log, r) if {
	log.audit
	some block in util.block_list(r.config.advanced_security_options)
	util.is_true(block.enabled)
}

# A Terraform block that may publish the log: its type is the log's or unknown, and it is not
# turned off (`enabled` defaults to true).
may_publish(block, log) if {
	may_be_type(block.log_type, log)
	not util.is_false(object.get(block, "enabled", true))
}

may_be_type(log_type, log) if log_type == log.type

may_be_type(log_type, _) if util.is_unknown(log_type)

deny contains f if {
	some r in input.resources
	r.mode == "managed"
	r.type in terraform_types
	some log in logs
	terraform_applies(log, r)
	not util.is_unknown(r.config.log_publishing_options)
	blocks := util.block_list(object.get(r.config, "log_publishing_options", []))
	not publishing_block(blocks, log)
	f := finding(r, log, unpublished_path(blocks, log), "")
}

publishing_block(blocks, log) if {
	is_array(blocks)
	some block in blocks
	may_publish(block, log)
}

# At the block that turns the log off when there is one, else the domain.
unpublished_path(blocks, log) := ["log_publishing_options", i, "enabled"] if {
	is_array(blocks)
	some i, block in blocks
	block.log_type == log.type
	util.is_false(block.enabled)
}

unpublished_path(blocks, log) := [] if not turned_off(blocks, log)

turned_off(blocks, log) if {
	is_array(blocks)
	some block in blocks
	block.log_type == log.type
	util.is_false(block.enabled)
}

# Every block that may publish the log comes from a `dynamic` block over a collection Tollgate
# cannot know: there may be none.
deny contains f if {
	some r in input.resources
	r.mode == "managed"
	r.type in terraform_types
	some log in logs
	terraform_applies(log, r)
	presence := util.unknown_presence(r, [], "log_publishing_options")
	publishing_block(r.config.log_publishing_options, log)
	message := sprintf("The search domain's log_publishing_options come from a collection Tollgate cannot know, so there may be none: make sure the domain publishes its %s (%s).", [log.what, log.type])
	unknown := settings.cannot_tell(r.address, ["log_publishing_options"], presence, message)
	f := object.union(unknown, {"evidence": sprintf("%s (%s)", [unknown.evidence, log.type])})
}

# The deployments in which the CloudFormation domain has fine-grained access control, as
# conditions ("" in all of them) for its audit logs; "" for the logs every domain should publish.
cloudformation_applies(log, _) := "" if not log.audit

cloudformation_applies(log, r) := possible.condition if {
	log.audit
	some possible in util.possible_values(r, ["AdvancedSecurityOptions", "Enabled"])
	util.is_true(possible.value)
}

deny contains f if {
	some r in input.resources
	r.source == "cloudformation"
	r.type in cloudformation_types
	some log in logs
	applies := cloudformation_applies(log, r)
	some unset in unpublished(r, log)
	f := finding(r, log, unset.path, util.conjunction([applies, unset.when]))
}

# Where and when the CloudFormation domain leaves the log out: no `LogPublishingOptions`, no
# option for the log in them, or an option whose `Enabled` is not true: CloudFormation documents
# false as its default, so an option that leaves it out publishes nothing.
unpublished(r, log) := array.concat(
	util.missing(r, [], "LogPublishingOptions"),
	array.concat(
		[unset | is_object(r.config.LogPublishingOptions); some unset in util.missing(r, ["LogPublishingOptions"], log.type)],
		util.disabled(r, ["LogPublishingOptions", log.type], "Enabled"),
	),
)

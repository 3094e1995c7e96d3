# METADATA
# title: Amazon MQ broker does not publish its logs
# description: >-
#   An Amazon MQ broker (`aws_mq_broker`, `AWS::AmazonMQ::Broker`) does not publish its general
#   logs to CloudWatch Logs (`logs.general` / `Logs.General` not true), or an ActiveMQ broker does
#   not publish its audit logs (`logs.audit` / `Logs.Audit` not true), which record the user
#   management actions made through JMX or the ActiveMQ web console (FSBP MQ.2). Both are off
#   unless written true. RabbitMQ brokers have no audit logs and are judged on general logs only;
#   a broker whose engine Tollgate cannot know is judged on general logs only. Each missing log
#   is its own finding. In CloudFormation, logs written only under an undecided `Fn::If`
#   condition are reported for the deployments without them. With `unknown_values: advisory`, a
#   Terraform `logs` block that only a `dynamic` block over a collection Tollgate cannot know
#   creates is reported as cannot tell.
# custom:
#   id: TG-LOG-016
#   severity: low
#   category: logging
#   remediation: Set logs { general = true } (Logs.General true), and audit = true (Logs.Audit true) for ActiveMQ brokers.
#   controls: [AWS-FSBP-MQ.2]
package tollgate.rules.logging.mq_broker_logging

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# Each log a broker should publish: its Terraform and CloudFormation flags, and the engines
# that have it (upper case, as CloudFormation writes them).
logs := [
	{"terraform": "general", "cloudformation": "General", "what": "general logs", "engines": {"ACTIVEMQ", "RABBITMQ"}},
	{"terraform": "audit", "cloudformation": "Audit", "what": "audit logs", "engines": {"ACTIVEMQ"}},
]

# The log applies to the broker's engine: general logs to any, audit logs when the engine is
# known to be ActiveMQ (`when` the CloudFormation condition under which it is).
applies(log, engine) := "" if log.engines == {"ACTIVEMQ", "RABBITMQ"}

applies(log, engine) := "" if {
	is_string(engine)
	upper(engine) in log.engines
}

terraform_applies(log, r) := applies(log, r.config.engine_type)

cloudformation_applies(log, r) := "" if log.engines == {"ACTIVEMQ", "RABBITMQ"}

cloudformation_applies(log, r) := possible.condition if {
	log.engines != {"ACTIVEMQ", "RABBITMQ"}
	some possible in util.possible_values(r, ["EngineType"])
	applies(log, possible.value) == ""
}

finding(r, log, flag, path, when) := {
	"resource": r.address,
	"message": sprintf("The broker does not publish its %s to CloudWatch Logs: enable them.", [log.what]),
	"evidence": sprintf("%s not true", [flag]),
	"path": path,
	"when": when,
}

deny contains f if {
	some r in util.resources("aws_mq_broker")
	some log in logs
	terraform_applies(log, r) == ""
	util.is_empty(r.config, "logs")
	f := finding(r, log, sprintf("logs.%s", [log.terraform]), [], "")
}

deny contains f if {
	some r in util.resources("aws_mq_broker")
	some log in logs
	terraform_applies(log, r) == ""
	some i, block in util.block_list(r.config.logs)
	path := util.disabled_path(block, log.terraform)
	f := finding(r, log, sprintf("logs.%s", [log.terraform]), array.concat(["logs", i], path), "")
}

deny contains f if {
	some r in util.resources("AWS::AmazonMQ::Broker")
	some log in logs
	engine_when := cloudformation_applies(log, r)
	some unset in util.missing(r, [], "Logs")
	when := util.conjunction([engine_when, unset.when])
	f := finding(r, log, sprintf("Logs.%s", [log.cloudformation]), unset.path, when)
}

deny contains f if {
	some r in util.resources("AWS::AmazonMQ::Broker")
	some log in logs
	engine_when := cloudformation_applies(log, r)
	is_object(r.config.Logs)
	some off in util.disabled(r, ["Logs"], log.cloudformation)
	when := util.conjunction([engine_when, off.when])
	f := finding(r, log, sprintf("Logs.%s", [log.cloudformation]), off.path, when)
}

deny contains f if {
	some r in util.resources("aws_mq_broker")
	some log in logs
	terraform_applies(log, r) == ""
	message := sprintf("The broker's logs block comes from a collection Tollgate cannot know, so it may be missing: make sure the broker publishes its %s.", [log.what])
	unknown := settings.cannot_tell(r.address, ["logs"], util.unknown_presence(r, [], "logs"), message)
	f := object.union(unknown, {"evidence": sprintf("%s (%s)", [unknown.evidence, log.terraform])})
}

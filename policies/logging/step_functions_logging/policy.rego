# METADATA
# title: Step Functions state machine without execution logging
# description: >-
#   A Step Functions state machine does not log its executions to CloudWatch Logs: its logging
#   configuration is left out or its level is `OFF`, which is the default (`logging_configuration`,
#   CloudFormation `LoggingConfiguration`, AWS SAM `Logging` on `AWS::Serverless::StateMachine`).
#   Without it, failed and unexpected executions leave no record to investigate. A level that
#   comes from a value Tollgate cannot know is not reported; with `unknown_values: advisory`, a
#   `logging_configuration` that only a `dynamic` block over such a collection creates is reported
#   as cannot tell.
# custom:
#   id: TG-LOG-015
#   severity: medium
#   category: logging
#   remediation: Set the logging level to ERROR or ALL with a CloudWatch Logs log group as destination (logging_configuration / LoggingConfiguration).
#   controls: [AWS-FSBP-StepFunctions.1]
package tollgate.rules.logging.step_functions_logging

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

message := "The state machine does not log its executions (the level is OFF by default): set it to ERROR or ALL with a CloudWatch Logs destination."

deny contains finding if {
	some r in util.resources("aws_sfn_state_machine")
	util.is_empty(r.config, "logging_configuration")
	finding := {"resource": r.address, "message": message, "evidence": "logging_configuration unset", "path": []}
}

deny contains finding if {
	some r in util.resources("aws_sfn_state_machine")
	some block in util.certain_blocks(r, [], "logging_configuration")
	util.is_empty(block.value, "level")
	finding := {"resource": r.address, "message": message, "evidence": "logging level unset", "path": block.path}
}

deny contains finding if {
	some r in util.resources("aws_sfn_state_machine")
	some block in util.certain_blocks(r, [], "logging_configuration")
	upper(block.value.level) == "OFF"
	finding := {"resource": r.address, "message": message, "evidence": "logging level OFF", "path": array.concat(block.path, ["level"])}
}

deny contains finding if {
	some r in util.resources("aws_sfn_state_machine")
	finding := settings.cannot_tell(r.address, ["logging_configuration"], util.unknown_presence(r, [], "logging_configuration"), "The state machine's logging_configuration comes from a collection Tollgate cannot know, so there may be none: make sure it logs its executions.")
}

# CloudFormation's state machine and the one AWS SAM creates take the same configuration, named
# LoggingConfiguration and Logging.
cloudformation_machines contains [r, "LoggingConfiguration"] if some r in util.resources("AWS::StepFunctions::StateMachine")

cloudformation_machines contains [r, "Logging"] if some r in util.resources("AWS::Serverless::StateMachine")

deny contains finding if {
	some [r, key] in cloudformation_machines
	some unset in util.missing(r, [], key)
	finding := {"resource": r.address, "message": message, "evidence": sprintf("%s unset", [key]), "path": unset.path, "when": unset.when}
}

deny contains finding if {
	some [r, key] in cloudformation_machines
	is_object(r.config[key])
	some unset in util.missing(r, [key], "Level")
	finding := {"resource": r.address, "message": message, "evidence": "logging level unset", "path": unset.path, "when": unset.when}
}

deny contains finding if {
	some [r, key] in cloudformation_machines
	some possible in util.possible_values(r, [key, "Level"])
	is_string(possible.value)
	upper(possible.value) == "OFF"
	finding := {"resource": r.address, "message": message, "evidence": "logging level OFF", "path": [key, "Level"], "when": possible.condition}
}

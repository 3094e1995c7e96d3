# METADATA
# title: CloudTrail trail not logging
# description: >-
#   An `aws_cloudtrail` sets `enable_logging = false`, or an `AWS::CloudTrail::Trail` sets
#   `IsLogging` to false: the trail exists but records nothing.
# custom:
#   id: TG-LOG-004
#   severity: high
#   category: logging
#   remediation: Set enable_logging = true (IsLogging true).
#   controls: [CIS-AWS-3.1, AWS-FSBP-CloudTrail.1]
package tollgate.rules.logging.cloudtrail_logging_disabled

import data.tollgate.lib.util
import rego.v1

attributes := {"aws_cloudtrail": "enable_logging", "AWS::CloudTrail::Trail": "IsLogging"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some possible in util.possible_values(r, [attribute])
	util.is_false(possible.value)
	finding := {
		"resource": r.address,
		"message": "The trail is not logging: enable logging.",
		"evidence": sprintf("%s = false", [attribute]),
		"path": [attribute],
		"when": possible.condition,
	}
}

# METADATA
# title: CloudTrail log file validation disabled
# description: >-
#   An `aws_cloudtrail` / `AWS::CloudTrail::Trail` does not set `enable_log_file_validation` /
#   `EnableLogFileValidation` to true, so nobody can prove that delivered log files were not
#   modified or deleted.
# custom:
#   id: TG-LOG-002
#   severity: medium
#   category: logging
#   remediation: Set enable_log_file_validation = true (EnableLogFileValidation true).
#   controls: [CIS-AWS-3.2, AWS-FSBP-CloudTrail.4]
package tollgate.rules.logging.cloudtrail_log_validation

import data.tollgate.lib.util
import rego.v1

attributes := {"aws_cloudtrail": "enable_log_file_validation", "AWS::CloudTrail::Trail": "EnableLogFileValidation"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some off in util.disabled(r, [], attribute)
	finding := {
		"resource": r.address,
		"message": "The trail does not validate its log files: enable log file validation.",
		"evidence": sprintf("%s not true", [attribute]),
		"path": off.path,
		"when": off.when,
	}
}

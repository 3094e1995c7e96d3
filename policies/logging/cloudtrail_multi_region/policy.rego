# METADATA
# title: CloudTrail trail covers one region only
# description: >-
#   An `aws_cloudtrail` / `AWS::CloudTrail::Trail` does not set `is_multi_region_trail` /
#   `IsMultiRegionTrail` to true (the default is a single-region trail), or turns off
#   `include_global_service_events` / `IncludeGlobalServiceEvents`, so activity in other
#   regions or in global services such as IAM goes unrecorded. Organization trails are judged
#   the same way. A trail whose event selectors leave management events out
#   (`include_management_events = false`, advanced selectors on data events only) is judged on
#   these settings alone and not reported for it: a data-event trail usually runs beside a
#   management-event trail that one deployment cannot see (often the organization's), and
#   CloudTrail's event history keeps 90 days of management events whatever the trails.
# custom:
#   id: TG-LOG-001
#   severity: medium
#   category: logging
#   remediation: Set is_multi_region_trail = true and keep include_global_service_events enabled.
#   controls: [CIS-AWS-3.1, AWS-FSBP-CloudTrail.1]
package tollgate.rules.logging.cloudtrail_multi_region

import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_cloudtrail": {"multi_region": "is_multi_region_trail", "global": "include_global_service_events"},
	"AWS::CloudTrail::Trail": {"multi_region": "IsMultiRegionTrail", "global": "IncludeGlobalServiceEvents"},
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	some off in util.disabled(r, [], keys.multi_region)
	finding := {
		"resource": r.address,
		"message": "The trail records one region only: make it a multi-region trail.",
		"evidence": sprintf("%s not true", [keys.multi_region]),
		"path": off.path,
		"when": off.when,
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	some possible in util.possible_values(r, [keys.global])
	util.is_false(possible.value)
	finding := {
		"resource": r.address,
		"message": "The trail does not record global service events (IAM, STS, CloudFront): enable them.",
		"evidence": sprintf("%s = false", [keys.global]),
		"path": [keys.global],
		"when": possible.condition,
	}
}

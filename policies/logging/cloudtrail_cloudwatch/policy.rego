# METADATA
# title: CloudTrail not delivered to CloudWatch Logs
# description: >-
#   An `aws_cloudtrail` / `AWS::CloudTrail::Trail` sets no `cloud_watch_logs_group_arn` /
#   `CloudWatchLogsLogGroupArn`, so API activity cannot drive metric filters and alarms (root
#   use, policy changes, console logins without MFA) in near real time.
# custom:
#   id: TG-LOG-003
#   severity: low
#   category: logging
#   remediation: Set cloud_watch_logs_group_arn (with ":*") and cloud_watch_logs_role_arn to deliver events to a log group.
#   controls: [AWS-FSBP-CloudTrail.5]
package tollgate.rules.logging.cloudtrail_cloudwatch

import data.tollgate.lib.util
import rego.v1

attributes := {"aws_cloudtrail": "cloud_watch_logs_group_arn", "AWS::CloudTrail::Trail": "CloudWatchLogsLogGroupArn"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some unset in util.missing(r, [], attribute)
	finding := {
		"resource": r.address,
		"message": "The trail does not send events to CloudWatch Logs: set a log group so activity can be alarmed on.",
		"evidence": sprintf("%s unset", [attribute]),
		"path": unset.path,
		"when": unset.when,
	}
}

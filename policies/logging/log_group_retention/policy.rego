# METADATA
# title: CloudWatch log group kept for less than a year
# description: >-
#   An `aws_cloudwatch_log_group` / `AWS::Logs::LogGroup` sets `retention_in_days` /
#   `RetentionInDays` below the required minimum (365 days by default, configurable as
#   `log_retention_min_days`), so evidence is gone before most incidents are investigated.
#   Leaving retention unset (or 0) keeps logs forever and is not reported. A log group of the
#   `DELIVERY` class is not reported: it only passes vended logs on to S3 or Firehose, and
#   CloudWatch Logs keeps its events two days whatever retention is written. The CDK's
#   `Custom::LogRetention` (what a Lambda function's `logRetention` synthesises) sets the
#   `RetentionInDays` it is given on the log group it names, and is read like a log group; it
#   leaves the property out for never-expiring logs.
# custom:
#   id: TG-LOG-012
#   severity: low
#   category: logging
#   remediation: Set retention_in_days to at least 365 (or the period your policy requires), or archive logs elsewhere.
package tollgate.rules.logging.log_group_retention

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_cloudwatch_log_group": "retention_in_days",
	"AWS::Logs::LogGroup": "RetentionInDays",
	"Custom::LogRetention": "RetentionInDays",
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	not delivery_class(r)
	some possible in util.possible_values(r, [attribute])
	days := util.number(possible.value)
	days > 0
	days < settings.log_retention_min_days
	finding := {
		"resource": r.address,
		"message": sprintf("The log group keeps logs for %d days: keep them at least %d days.", [days, settings.log_retention_min_days]),
		"evidence": sprintf("%s = %d", [attribute, days]),
		"path": [attribute],
		"when": possible.condition,
	}
}

# A DELIVERY class log group passes vended logs on to S3 or Firehose and keeps them two days,
# whatever its retention says.
delivery_class(r) if object.get(r.config, "log_group_class", null) == "DELIVERY"

delivery_class(r) if object.get(r.config, "LogGroupClass", null) == "DELIVERY"

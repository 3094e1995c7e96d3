# METADATA
# description: >-
#   Rule options from `data.tollgate.settings`, each with its default, so a rule reads one
#   value and never cares whether the repository configured it.
package tollgate.lib.settings

import rego.v1

# S3 buckets must use SSE-KMS (not the default SSE-S3).
default s3_require_kms := false

s3_require_kms := value if {
	value := data.tollgate.settings.s3_require_kms
	is_boolean(value)
}

# DynamoDB tables must use a customer managed or AWS managed KMS key (not the AWS owned key).
default dynamodb_require_cmk := false

dynamodb_require_cmk := value if {
	value := data.tollgate.settings.dynamodb_require_cmk
	is_boolean(value)
}

# The shortest CloudWatch Logs retention accepted, in days (AWS FSBP CloudWatch.16: a year).
default log_retention_min_days := 365

log_retention_min_days := value if {
	value := data.tollgate.settings.log_retention_min_days
	is_number(value)
}

# METADATA
# description: >-
#   Rule options from `data.tollgate.settings`, each with its default, so a rule reads one
#   value and never cares whether the repository configured it.
package tollgate.lib.settings

import data.tollgate.lib.util
import rego.v1

# S3 buckets must use SSE-KMS (not the default SSE-S3).
default s3_require_kms := false

s3_require_kms := value if {
	value := data.tollgate.settings.s3_require_kms
	is_boolean(value)
}

# DynamoDB tables must use a KMS key, the AWS managed one included (not the AWS owned key).
default dynamodb_require_kms := false

dynamodb_require_kms := value if {
	value := data.tollgate.settings.dynamodb_require_kms
	is_boolean(value)
}

# DynamoDB tables (and their replicas) must use a customer managed KMS key.
default dynamodb_require_cmk := false

dynamodb_require_cmk := value if {
	value := data.tollgate.settings.dynamodb_require_cmk
	is_boolean(value)
}

# Amazon MQ brokers that can take one (ActiveMQ) must use a customer managed KMS key.
default mq_require_cmk := false

mq_require_cmk := value if {
	value := data.tollgate.settings.mq_require_cmk
	is_boolean(value)
}

# The shortest CloudWatch Logs retention accepted, in days (Security Hub CloudWatch.16 by default: a year).
default log_retention_min_days := 365

log_retention_min_days := value if {
	value := data.tollgate.settings.log_retention_min_days
	is_number(value)
}

# What a value static evaluation could not know does to a check it decides: `ignore` (never a
# finding: the rule cannot tell) or `advisory` (a "cannot tell" finding, which never blocks).
default unknown_values := "ignore"

unknown_values := value if {
	value := data.tollgate.settings.unknown_values
	value in {"ignore", "advisory"}
}

# With `unknown_values: advisory`, the finding a rule reports when `value`, written at `path` of
# `resource` (an address), is unknown and decides its check; undefined otherwise. Its `unknown`
# is the expression, which with the attribute is also its evidence (`publicly_accessible =
# var.public`), so it keeps its identity across commits. One clause per check:
#   finding := settings.cannot_tell(r.address, [attribute], r.config[attribute], "...")
cannot_tell(resource, path, value, message) := {
	"resource": resource,
	"path": path,
	"message": message,
	"evidence": unknown_evidence(path, value["$unknown"]),
	"unknown": value["$unknown"],
} if {
	unknown_values == "advisory"
	util.is_unknown(value)
}

# `cannot_tell` for each value `config` may hold at `path` of `r`: an undecided CloudFormation
# `Fn::If` between known values gives none (the rule judges each value), and a branch that is
# unknown gives its finding with the branch's condition as `when`.
cannot_tell_each(r, path, message) := {object.union(finding, {"when": possible.condition}) |
	some possible in util.possible_values(r, path)
	finding := cannot_tell(r.address, path, possible.value, message)
}

unknown_evidence(path, expression) := sprintf("%s = %s", [keys[count(keys) - 1], expression]) if {
	keys := [key | some key in path; is_string(key)]
	count(keys) > 0
}

unknown_evidence(path, expression) := expression if {
	not any_string(path)
}

any_string(path) if {
	some key in path
	is_string(key)
}

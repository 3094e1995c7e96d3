# METADATA
# title: DynamoDB table not encrypted with the KMS key required
# description: >-
#   Only active when the repository sets `dynamodb_require_kms: true` or `dynamodb_require_cmk:
#   true` in its rule settings. DynamoDB always encrypts tables at rest, by default with an AWS
#   owned key the account can neither see nor audit. Under `dynamodb_require_kms` this rule
#   reports tables that do not enable KMS encryption (`server_side_encryption { enabled = true
#   }`, CloudFormation `SSESpecification.SSEEnabled`), where CloudTrail-audited use of the key is
#   required; the AWS managed key `aws/dynamodb` is then enough. Under `dynamodb_require_cmk` it
#   also reports a table, or a replica of a global table, that leaves the key to AWS (no
#   `kms_key_arn` / `KMSMasterKeyId`, or the `alias/aws/dynamodb` alias), since only a customer
#   managed key's policy can revoke access to the data. CloudFormation's
#   `AWS::DynamoDB::GlobalTable` (what the CDK's `TableV2` writes; its replicas each name their
#   key) and SAM's `AWS::Serverless::SimpleTable` take the same `SSESpecification`, and Terraform's
#   `replica` blocks and `aws_dynamodb_table_replica` their own `kms_key_arn`.
#   With `unknown_values: advisory`, a `server_side_encryption` block that only a `dynamic`
#   block over a collection Tollgate cannot know creates is reported as cannot tell.
# custom:
#   id: TG-ENC-005
#   severity: low
#   category: encryption
#   remediation: Enable server-side encryption with KMS and, where a customer managed key is required, name it in kms_key_arn (KMSMasterKeyId; for each replica of a global table too).
package tollgate.rules.encryption.dynamodb_kms

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

message := "The table is encrypted with an AWS owned key: enable KMS encryption (the AWS managed key, or a customer managed key for full control)."

managed_message := "The table is encrypted with the AWS managed key aws/dynamodb, whose key policy the account cannot change: name a customer managed KMS key."

replica_message := "This replica is encrypted with the AWS managed key aws/dynamodb, whose key policy the account cannot change: name a customer managed KMS key in its region."

# Either setting asks for KMS encryption; `dynamodb_require_cmk` also for a customer managed key.
kms_required if settings.dynamodb_require_kms

kms_required if settings.dynamodb_require_cmk

# A key id naming the AWS managed key by its alias (`alias/aws/dynamodb`, or the alias's ARN).
aws_managed_key(key) if {
	is_string(key)
	regex.match(`(^|:)alias/aws/dynamodb$`, key)
}

# Where a Terraform object (a KMS-enabled `server_side_encryption` block, a `replica` block, an
# `aws_dynamodb_table_replica`) leaves the key to AWS, relative to it: at the object when
# `kms_key_arn` is left out, at the argument when it is empty or names `aws/dynamodb`.
terraform_managed_at(obj) := [] if {
	util.is_absent(obj, "kms_key_arn")
} else := ["kms_key_arn"] if {
	obj.kms_key_arn == ""
} else := ["kms_key_arn"] if {
	aws_managed_key(obj.kms_key_arn)
}

# A replica's evidence names its region where the configuration writes it.
replica_evidence(region) := sprintf("replica %s: no customer managed key", [region]) if {
	is_string(region)
} else := "replica: no customer managed key"

deny contains finding if {
	kms_required
	some r in util.resources("aws_dynamodb_table")
	util.is_empty(r.config, "server_side_encryption")
	finding := {"resource": r.address, "message": message, "evidence": "server_side_encryption not enabled", "path": []}
}

deny contains finding if {
	kms_required
	some r in util.resources("aws_dynamodb_table")
	some i, sse in util.block_list(r.config.server_side_encryption)
	path := util.disabled_path(sse, "enabled")
	finding := {"resource": r.address, "message": message, "evidence": "server_side_encryption not enabled", "path": array.concat(["server_side_encryption", i], path)}
}

deny contains finding if {
	kms_required
	some r in util.resources("aws_dynamodb_table")
	finding := settings.cannot_tell(r.address, ["server_side_encryption"], util.unknown_presence(r, [], "server_side_encryption"), "The table's server_side_encryption comes from a collection Tollgate cannot know, so it may be missing: make sure KMS encryption is enabled.")
}

# CloudFormation tables; an absent or false `SSEEnabled` leaves each with an AWS owned key.
cloudformation_tables := [r |
	some type in ["AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable"]
	some r in util.resources(type)
]

deny contains finding if {
	kms_required
	some r in cloudformation_tables
	some unset in util.missing(r, [], "SSESpecification")
	finding := {"resource": r.address, "message": message, "evidence": "SSEEnabled not true", "path": unset.path, "when": unset.when}
}

deny contains finding if {
	kms_required
	some r in cloudformation_tables
	is_object(r.config.SSESpecification)
	some off in util.disabled(r, ["SSESpecification"], "SSEEnabled")
	finding := {"resource": r.address, "message": message, "evidence": "SSEEnabled not true", "path": off.path, "when": off.when}
}

# Customer managed keys (`dynamodb_require_cmk`). Terraform: a table whose KMS encryption names no
# key of the account's own, and then each `replica` block that names none either.
deny contains finding if {
	settings.dynamodb_require_cmk
	some r in util.resources("aws_dynamodb_table")
	some i, sse in util.block_list(r.config.server_side_encryption)
	util.is_true(sse.enabled)
	at := terraform_managed_at(sse)
	finding := {"resource": r.address, "message": managed_message, "evidence": "no customer managed key", "path": array.concat(["server_side_encryption", i], at)}
}

deny contains finding if {
	settings.dynamodb_require_cmk
	some r in util.resources("aws_dynamodb_table")
	some sse in util.block_list(r.config.server_side_encryption)
	util.is_true(sse.enabled)
	some j, replica in util.block_list(r.config.replica)
	is_object(replica)
	not util.is_unknown(replica)
	at := terraform_managed_at(replica)
	evidence := replica_evidence(object.get(replica, "region_name", null))
	finding := {"resource": r.address, "message": replica_message, "evidence": evidence, "path": array.concat(["replica", j], at)}
}

deny contains finding if {
	settings.dynamodb_require_cmk
	some r in util.resources("aws_dynamodb_table_replica")
	at := terraform_managed_at(r.config)
	finding := {"resource": r.address, "message": replica_message, "evidence": "replica: no customer managed key", "path": at}
}

# `[{path, when}]`: where the object at `path` of a CloudFormation resource names no customer
# managed key in `KMSMasterKeyId` (left out, empty, or the `aws/dynamodb` alias), and when.
cloudformation_managed_places(r, path) := array.concat(
	[{"path": unset.path, "when": unset.when} | some unset in util.missing(r, path, "KMSMasterKeyId")],
	[{"path": key_path, "when": key.condition} |
		key_path := array.concat(path, ["KMSMasterKeyId"])
		some key in util.possible_values(r, key_path)
		aws_managed_key(key.value)
	],
)

deny contains finding if {
	settings.dynamodb_require_cmk
	some type in ["AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"]
	some r in util.resources(type)
	some enabled in util.possible_values(r, ["SSESpecification", "SSEEnabled"])
	util.is_true(enabled.value)
	some place in cloudformation_managed_places(r, ["SSESpecification"])
	when := util.conjunction([enabled.condition, place.when])
	finding := {"resource": r.address, "message": managed_message, "evidence": "no customer managed key", "path": place.path, "when": when}
}

# A global table's key is named per replica, in its `SSESpecification`.
deny contains finding if {
	settings.dynamodb_require_cmk
	some r in util.resources("AWS::DynamoDB::GlobalTable")
	some enabled in util.possible_values(r, ["SSESpecification", "SSEEnabled"])
	util.is_true(enabled.value)
	replicas := util.value_at(r, ["Replicas"])
	is_array(replicas)
	some i, replica in replicas
	some place in global_replica_places(r, i, replica)
	when := util.conjunction([enabled.condition, place.when])
	evidence := replica_evidence(object.get(replica, "Region", null))
	finding := {"resource": r.address, "message": replica_message, "evidence": evidence, "path": place.path, "when": when}
}

global_replica_places(r, i, replica) := [{"path": ["Replicas", i], "when": ""}] if {
	util.is_absent(replica, "SSESpecification")
} else := cloudformation_managed_places(r, ["Replicas", i, "SSESpecification"])

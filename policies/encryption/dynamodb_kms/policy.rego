# METADATA
# title: DynamoDB table not encrypted with a KMS key
# description: >-
#   Only active when the repository sets `dynamodb_require_cmk: true` in its policy settings.
#   DynamoDB always encrypts tables at rest, by default with an AWS owned key the account can
#   neither see nor audit; this rule reports tables that do not enable KMS encryption
#   (`server_side_encryption { enabled = true }`, CloudFormation `SSESpecification.SSEEnabled`),
#   where key control and CloudTrail-audited use of the key are required. CloudFormation's
#   `AWS::DynamoDB::GlobalTable` (what the CDK's `TableV2` writes) and SAM's
#   `AWS::Serverless::SimpleTable` take the same `SSESpecification.SSEEnabled`.
#   With `unknown_values: advisory`, a `server_side_encryption` block that only a `dynamic`
#   block over a collection Tollgate cannot know creates is reported as cannot tell.
# custom:
#   id: TG-ENC-005
#   severity: low
#   category: encryption
#   remediation: Enable server-side encryption with KMS and, for full control, a customer managed kms_key_arn (KMSMasterKeyId).
package tollgate.rules.encryption.dynamodb_kms

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

message := "The table is encrypted with an AWS owned key: enable KMS encryption (the AWS managed key, or a customer managed key for full control)."

deny contains finding if {
	settings.dynamodb_require_cmk
	some r in util.resources("aws_dynamodb_table")
	util.is_empty(r.config, "server_side_encryption")
	finding := {"resource": r.address, "message": message, "evidence": "server_side_encryption not enabled", "path": []}
}

deny contains finding if {
	settings.dynamodb_require_cmk
	some r in util.resources("aws_dynamodb_table")
	some i, sse in util.block_list(r.config.server_side_encryption)
	path := util.disabled_path(sse, "enabled")
	finding := {"resource": r.address, "message": message, "evidence": "server_side_encryption not enabled", "path": array.concat(["server_side_encryption", i], path)}
}

deny contains finding if {
	settings.dynamodb_require_cmk
	some r in util.resources("aws_dynamodb_table")
	finding := settings.cannot_tell(r.address, ["server_side_encryption"], util.unknown_presence(r, [], "server_side_encryption"), "The table's server_side_encryption comes from a collection Tollgate cannot know, so it may be missing: make sure KMS encryption is enabled.")
}

# CloudFormation tables; an absent or false `SSEEnabled` leaves each with an AWS owned key.
cloudformation_tables := [r |
	some type in ["AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable"]
	some r in util.resources(type)
]

deny contains finding if {
	settings.dynamodb_require_cmk
	some r in cloudformation_tables
	some unset in util.missing(r, [], "SSESpecification")
	finding := {"resource": r.address, "message": message, "evidence": "SSEEnabled not true", "path": unset.path, "when": unset.when}
}

deny contains finding if {
	settings.dynamodb_require_cmk
	some r in cloudformation_tables
	is_object(r.config.SSESpecification)
	some off in util.disabled(r, ["SSESpecification"], "SSEEnabled")
	finding := {"resource": r.address, "message": message, "evidence": "SSEEnabled not true", "path": off.path, "when": off.when}
}

# METADATA
# title: SQS queue encryption disabled
# description: >-
#   An SQS queue turns server-side encryption off: `sqs_managed_sse_enabled = false` /
#   `SqsManagedSseEnabled: false` without a KMS key. New queues are encrypted with SSE-SQS by
#   default, so a queue that sets neither is not reported.
# custom:
#   id: TG-ENC-007
#   severity: medium
#   category: encryption
#   remediation: Remove sqs_managed_sse_enabled = false, or set kms_master_key_id to a KMS key.
#   controls: [AWS-FSBP-SQS.1]
package tollgate.rules.encryption.sqs_unencrypted

import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_sqs_queue": {"managed": "sqs_managed_sse_enabled", "kms": "kms_master_key_id"},
	"AWS::SQS::Queue": {"managed": "SqsManagedSseEnabled", "kms": "KmsMasterKeyId"},
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	some possible in util.possible_values(r, [keys.managed])
	util.is_false(possible.value)
	some unset in util.missing(r, [], keys.kms)
	finding := {
		"resource": r.address,
		"message": "The queue disables server-side encryption: keep SSE-SQS or set a KMS key.",
		"evidence": sprintf("%s = false", [keys.managed]),
		"path": [keys.managed],
		"when": util.conjunction([possible.condition, unset.when]),
	}
}

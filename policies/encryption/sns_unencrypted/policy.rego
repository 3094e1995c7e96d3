# METADATA
# title: SNS topic not encrypted
# description: >-
#   An `aws_sns_topic` / `AWS::SNS::Topic` sets no `kms_master_key_id` / `KmsMasterKeyId`. SNS
#   has no default server-side encryption, so messages are stored unencrypted at rest.
# custom:
#   id: TG-ENC-008
#   severity: medium
#   category: encryption
#   remediation: Set kms_master_key_id (KmsMasterKeyId) to a customer managed key or to alias/aws/sns.
package tollgate.rules.encryption.sns_unencrypted

import data.tollgate.lib.util
import rego.v1

attributes := {"aws_sns_topic": "kms_master_key_id", "AWS::SNS::Topic": "KmsMasterKeyId"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some unset in util.missing(r, [], attribute)
	finding := {
		"resource": r.address,
		"message": "The SNS topic is not encrypted at rest: set a KMS key.",
		"evidence": sprintf("%s unset", [attribute]),
		"path": unset.path,
		"when": unset.when,
	}
}

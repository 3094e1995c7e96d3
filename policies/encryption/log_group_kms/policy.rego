# METADATA
# title: CloudWatch log group not encrypted with KMS
# description: >-
#   An `aws_cloudwatch_log_group` / `AWS::Logs::LogGroup` sets no `kms_key_id` / `KmsKeyId`.
#   CloudWatch Logs encrypts log data with a service key by default, so this is about key
#   control: with a customer managed key, reading sensitive logs needs kms:Decrypt too, and
#   every use is audited. Reported at low severity.
# custom:
#   id: TG-ENC-019
#   severity: low
#   category: encryption
#   remediation: Set kms_key_id (KmsKeyId) to a customer managed key whose policy allows the logs service principal.
package tollgate.rules.encryption.log_group_kms

import data.tollgate.lib.util
import rego.v1

attributes := {"aws_cloudwatch_log_group": "kms_key_id", "AWS::Logs::LogGroup": "KmsKeyId"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some unset in util.missing(r, [], attribute)
	finding := {
		"resource": r.address,
		"message": "The log group is not encrypted with a customer managed KMS key: set one.",
		"evidence": sprintf("%s unset", [attribute]),
		"path": unset.path,
		"when": unset.when,
	}
}

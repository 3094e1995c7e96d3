# METADATA
# title: CloudTrail logs not encrypted with KMS
# description: >-
#   An `aws_cloudtrail` / `AWS::CloudTrail::Trail` sets no `kms_key_id` / `KMSKeyId`, so log
#   files get only S3's default encryption and anyone who can read the bucket can read them.
# custom:
#   id: TG-ENC-012
#   severity: medium
#   category: encryption
#   remediation: Set kms_key_id (KMSKeyId) to a customer managed KMS key whose policy lets CloudTrail encrypt and your auditors decrypt.
#   controls: [CIS-AWS-3.5, AWS-FSBP-CloudTrail.2]
package tollgate.rules.encryption.cloudtrail_kms

import data.tollgate.lib.util
import rego.v1

attributes := {"aws_cloudtrail": "kms_key_id", "AWS::CloudTrail::Trail": "KMSKeyId"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some unset in util.missing(r, [], attribute)
	finding := {
		"resource": r.address,
		"message": "The trail's log files are not encrypted with a KMS key: set a customer managed key.",
		"evidence": sprintf("%s unset", [attribute]),
		"path": unset.path,
		"when": unset.when,
	}
}

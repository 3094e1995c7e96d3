# METADATA
# title: Kinesis data stream not encrypted
# description: >-
#   An `aws_kinesis_stream` does not set `encryption_type = "KMS"` (the default is `NONE`), or
#   an `AWS::Kinesis::Stream` has no `StreamEncryption`, so records are stored unencrypted.
# custom:
#   id: TG-ENC-021
#   severity: medium
#   category: encryption
#   remediation: Set encryption_type = "KMS" with kms_key_id (StreamEncryption with EncryptionType KMS).
#   controls: [AWS-FSBP-Kinesis.1]
package tollgate.rules.encryption.kinesis_unencrypted

import data.tollgate.lib.util
import rego.v1

message := "The stream's records are not encrypted at rest: enable KMS encryption."

deny contains finding if {
	some r in util.resources("aws_kinesis_stream")
	util.is_absent(r.config, "encryption_type")
	finding := {"resource": r.address, "message": message, "evidence": "encryption_type not KMS", "path": []}
}

deny contains finding if {
	some r in util.resources("aws_kinesis_stream")
	r.config.encryption_type == "NONE"
	finding := {"resource": r.address, "message": message, "evidence": "encryption_type not KMS", "path": ["encryption_type"]}
}

deny contains finding if {
	some r in util.resources("AWS::Kinesis::Stream")
	some unset in util.missing(r, [], "StreamEncryption")
	finding := {"resource": r.address, "message": message, "evidence": "StreamEncryption unset", "path": unset.path, "when": unset.when}
}

# METADATA
# title: EFS file system not encrypted
# description: >-
#   An `aws_efs_file_system` / `AWS::EFS::FileSystem` does not set `encrypted` / `Encrypted` to
#   true; both default to an unencrypted file system, and encryption cannot be turned on later.
# custom:
#   id: TG-ENC-006
#   severity: high
#   category: encryption
#   remediation: Set encrypted = true (Encrypted true), optionally with a customer managed kms_key_id; migrate data to a new encrypted file system.
#   controls: [CIS-AWS-2.4.1, AWS-FSBP-EFS.1, AWS-FSBP-EFS.8]
package tollgate.rules.encryption.efs_unencrypted

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

attributes := {"aws_efs_file_system": "encrypted", "AWS::EFS::FileSystem": "Encrypted"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some off in util.disabled(r, [], attribute)
	finding := {
		"resource": r.address,
		"message": "The EFS file system is not encrypted at rest: set encrypted to true.",
		"evidence": sprintf("%s not true", [attribute]),
		"path": off.path,
		"when": off.when,
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some finding in settings.cannot_tell_each(r, [attribute], "The EFS file system may not be encrypted at rest: set encrypted to true.")
}

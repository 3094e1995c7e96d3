# METADATA
# title: KMS key rotation disabled
# description: >-
#   A symmetric encryption KMS key (`aws_kms_key` / `AWS::KMS::Key` with the default
#   `SYMMETRIC_DEFAULT` spec and `ENCRYPT_DECRYPT` usage) does not set `enable_key_rotation` /
#   `EnableKeyRotation` to true. Asymmetric and HMAC keys, keys with imported material
#   (`aws_kms_external_key`, CloudFormation `Origin: EXTERNAL`) and keys in a CloudHSM or external
#   key store (`custom_key_store_id`, `xks_key_id`) cannot rotate automatically and are not
#   reported; nor is a multi-Region replica (`aws_kms_replica_key`), which shares its primary's
#   rotation.
# custom:
#   id: TG-ENC-013
#   severity: medium
#   category: encryption
#   remediation: Set enable_key_rotation = true (EnableKeyRotation true).
#   controls: [CIS-AWS-3.6]
package tollgate.rules.encryption.kms_rotation

import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_kms_key": {"rotation": "enable_key_rotation", "spec": "customer_master_key_spec", "usage": "key_usage"},
	"AWS::KMS::Key": {"rotation": "EnableKeyRotation", "spec": "KeySpec", "usage": "KeyUsage"},
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	object.get(r.config, keys.spec, "SYMMETRIC_DEFAULT") in {"SYMMETRIC_DEFAULT", null}
	object.get(r.config, keys.usage, "ENCRYPT_DECRYPT") in {"ENCRYPT_DECRYPT", null}
	not material_elsewhere(r)
	some off in util.disabled(r, [], keys.rotation)
	finding := {
		"resource": r.address,
		"message": "The KMS key does not rotate its key material: enable automatic rotation.",
		"evidence": sprintf("%s not true", [keys.rotation]),
		"path": off.path,
		"when": off.when,
	}
}

# Key material KMS does not generate and hold: imported (`Origin: EXTERNAL`; Terraform has
# `aws_kms_external_key` for it) or kept in a CloudHSM or external key store.
material_elsewhere(r) if {
	r.type == "aws_kms_key"
	some key in ["custom_key_store_id", "xks_key_id"]
	not util.is_absent(r.config, key)
}

material_elsewhere(r) if {
	r.type == "AWS::KMS::Key"
	r.config.Origin in {"EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"}
}

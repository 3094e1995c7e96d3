# METADATA
# title: EBS volume not encrypted
# description: >-
#   An `aws_ebs_volume` / `AWS::EC2::Volume` does not set `encrypted` / `Encrypted` to true.
#   Volumes are then unencrypted unless the account enables EBS encryption by default; when the
#   same input manages `aws_ebs_encryption_by_default` with `enabled = true`, volumes that
#   leave the setting out are not reported, but an explicit `false` still is. Volumes restored
#   from a snapshot inherit its encryption and are reported only for an explicit false; with
#   `unknown_values: advisory`, one that leaves the setting out gets a "cannot tell" finding
#   unless the snapshot is declared in the input as encrypted (a copy with encrypted = true, or
#   a snapshot of an encrypted volume).
# custom:
#   id: TG-ENC-002
#   severity: high
#   category: encryption
#   remediation: Set encrypted = true (Encrypted true), optionally with a customer managed kms_key_id, and enable EBS encryption by default in the account.
#   controls: [AWS-FSBP-EC2.3]
package tollgate.rules.encryption.ebs_volume_unencrypted

import data.tollgate.lib.ebs
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_ebs_volume": {"encrypted": "encrypted", "snapshot": "snapshot_id"},
	"AWS::EC2::Volume": {"encrypted": "Encrypted", "snapshot": "SnapshotId"},
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	some off in util.disabled(r, [], keys.encrypted)
	not inherited(r, keys, off.path)
	finding := {
		"resource": r.address,
		"message": "The EBS volume is not encrypted: set encrypted to true.",
		"evidence": sprintf("%s not true", [keys.encrypted]),
		"path": off.path,
		"when": off.when,
	}
}

# Absent encryption is decided elsewhere: by the account default or by the source snapshot.
inherited(_, _, path) if {
	path == []
	ebs.account_default_encryption
}

inherited(r, keys, path) if {
	path == []
	not util.is_absent(r.config, keys.snapshot)
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	some off in util.disabled(r, [], keys.encrypted)
	off.path == []
	snapshot := r.config[keys.snapshot]
	snapshot != null
	finding := ebs.snapshot_decides(r, [], snapshot, keys.encrypted, "The EBS volume", off.when)
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	some finding in settings.cannot_tell_each(r, [keys.encrypted], "The EBS volume may not be encrypted: set encrypted to true.")
}

# METADATA
# title: Instance block device not encrypted
# description: >-
#   An EBS block device declared on an instance, launch template, launch configuration or AMI
#   (`root_block_device`, `ebs_block_device`, `block_device_mappings[].ebs`, CloudFormation
#   `BlockDeviceMappings[].Ebs` of an `AWS::EC2::Instance` or
#   `AWS::AutoScaling::LaunchConfiguration`, `LaunchTemplateData.BlockDeviceMappings[].Ebs`) does
#   not set `encrypted` / `Encrypted` to true. Devices
#   restored from a snapshot, devices left out (the AMI decides), and, when the input enables
#   `aws_ebs_encryption_by_default`, devices that omit the setting are not reported; an
#   explicit false always is. With `unknown_values: advisory`, a device restored from a
#   snapshot that omits the setting gets a "cannot tell" finding unless the input declares that
#   snapshot encrypted. A `root_block_device` written without `encrypted` is reported although
#   its volume is made from the AMI's root snapshot: the input does not say that snapshot is
#   encrypted, and the public AMIs most instances start from are not.
# custom:
#   id: TG-ENC-003
#   severity: high
#   category: encryption
#   remediation: Set encrypted = true on each EBS block device (Ebs.Encrypted true), and enable EBS encryption by default in the account.
#   controls: [AWS-FSBP-EC2.3, AWS-FSBP-EC2.181]
package tollgate.rules.encryption.block_device_unencrypted

import data.tollgate.lib.ebs
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# `{resource, device, path, encrypted, snapshot}` for every EBS device written.
devices contains d if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_instance", "aws_launch_configuration", "aws_spot_instance_request", "aws_ami"}
	some block_type in ["root_block_device", "ebs_block_device"]
	some i, device in util.block_list(r.config[block_type])
	is_object(device)
	d := {"resource": r, "device": device, "path": [block_type, i], "encrypted": "encrypted", "snapshot": "snapshot_id"}
}

devices contains d if {
	some r in util.resources("aws_launch_template")
	some i, mapping in util.block_list(r.config.block_device_mappings)
	some j, device in util.block_list(mapping.ebs)
	is_object(device)
	d := {"resource": r, "device": device, "path": ["block_device_mappings", i, "ebs", j], "encrypted": "encrypted", "snapshot": "snapshot_id"}
}

devices contains d if {
	some type in ["AWS::EC2::Instance", "AWS::AutoScaling::LaunchConfiguration"]
	some r in util.resources(type)
	some i, mapping in r.config.BlockDeviceMappings
	device := mapping.Ebs
	is_object(device)
	d := {"resource": r, "device": device, "path": ["BlockDeviceMappings", i, "Ebs"], "encrypted": "Encrypted", "snapshot": "SnapshotId"}
}

devices contains d if {
	some r in util.resources("AWS::EC2::LaunchTemplate")
	some i, mapping in r.config.LaunchTemplateData.BlockDeviceMappings
	device := mapping.Ebs
	is_object(device)
	d := {"resource": r, "device": device, "path": ["LaunchTemplateData", "BlockDeviceMappings", i, "Ebs"], "encrypted": "Encrypted", "snapshot": "SnapshotId"}
}

deny contains finding if {
	some d in devices
	some off in util.disabled(d.resource, d.path, d.encrypted)
	off.path != d.path
	finding := {
		"resource": d.resource.address,
		"message": "The EBS block device is explicitly unencrypted: set encrypted to true.",
		"evidence": sprintf("%s.%s not true", [trim_prefix(format_path(d.path), "."), d.encrypted]),
		"path": off.path,
		"when": off.when,
	}
}

deny contains finding if {
	some d in devices
	some off in util.disabled(d.resource, d.path, d.encrypted)
	off.path == d.path
	util.is_absent(d.device, d.snapshot)
	not ebs.account_default_encryption
	finding := {
		"resource": d.resource.address,
		"message": "The EBS block device does not enable encryption: set encrypted to true.",
		"evidence": sprintf("%s.%s not true", [trim_prefix(format_path(d.path), "."), d.encrypted]),
		"path": d.path,
		"when": off.when,
	}
}

deny contains finding if {
	some d in devices
	some off in util.disabled(d.resource, d.path, d.encrypted)
	off.path == d.path
	snapshot := d.device[d.snapshot]
	snapshot != null
	finding := ebs.snapshot_decides(d.resource, d.path, snapshot, d.encrypted, "The EBS block device", off.when)
}

# `["ebs_block_device", 0]` as `ebs_block_device[0]`, for evidence.
format_path(path) := concat("", [segment(s) | some s in path])

segment(s) := sprintf(".%s", [s]) if is_string(s)

segment(s) := sprintf("[%d]", [s]) if is_number(s)

deny contains finding if {
	some d in devices
	some finding in settings.cannot_tell_each(d.resource, array.concat(d.path, [d.encrypted]), "The EBS block device may not be encrypted: set encrypted to true.")
}

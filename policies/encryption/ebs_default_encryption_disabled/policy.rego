# METADATA
# title: EBS encryption by default turned off
# description: >-
#   An `aws_ebs_encryption_by_default` sets `enabled = false`: the region's new EBS volumes and
#   snapshot copies are created unencrypted unless each one asks for encryption, and TG-ENC-002
#   and TG-ENC-003 no longer count on the account default. The resource's `enabled` defaults to
#   true, and the setting is the region's until another apply changes it, so managing it at all
#   and writing false is a choice to report. CloudFormation has no resource for the setting (it
#   is an account API, EnableEbsEncryptionByDefault). With `unknown_values: advisory`, a value
#   Tollgate cannot know is reported as cannot tell.
# custom:
#   id: TG-ENC-025
#   severity: medium
#   category: encryption
#   remediation: Set enabled = true (or remove the argument) on aws_ebs_encryption_by_default, optionally with aws_ebs_default_kms_key for a customer key.
#   controls: [CIS-AWS-2.2.1, AWS-FSBP-EC2.7]
package tollgate.rules.encryption.ebs_default_encryption_disabled

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

deny contains finding if {
	some r in util.resources("aws_ebs_encryption_by_default")
	util.is_false(r.config.enabled)
	finding := {
		"resource": r.address,
		"message": "EBS encryption by default is turned off: new volumes in this region are unencrypted unless each one asks. Set enabled = true.",
		"evidence": "enabled = false",
		"path": ["enabled"],
	}
}

deny contains finding if {
	some r in util.resources("aws_ebs_encryption_by_default")
	finding := settings.cannot_tell(r.address, ["enabled"], object.get(r.config, "enabled", true), "EBS encryption by default may be turned off: make sure enabled is true.")
}

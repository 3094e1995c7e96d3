# METADATA
# title: Weak IAM account password policy
# description: >-
#   The account password policy (`aws_iam_account_password_policy`) requires fewer than 14
#   characters or remembers fewer than 24 previous passwords (an absent or null setting means no
#   requirement; a null is reported where it is written, an absent one on the block).
# custom:
#   id: TG-IAM-015
#   severity: medium
#   category: iam
#   remediation: Set minimum_password_length to at least 14 and password_reuse_prevention to 24.
#   controls: [CIS-AWS-1.8, CIS-AWS-1.9]
package tollgate.rules.iam.password_policy_weak

import data.tollgate.lib.util
import rego.v1

requirements := [
	{"attribute": "minimum_password_length", "minimum": 14, "what": "minimum length"},
	{"attribute": "password_reuse_prevention", "minimum": 24, "what": "remembered passwords"},
]

deny contains finding if {
	some r in util.resources("aws_iam_account_password_policy")
	some req in requirements
	value := util.number(r.config[req.attribute])
	value < req.minimum
	finding := {
		"resource": r.address,
		"message": sprintf("The password policy's %s is %d: require at least %d.", [req.what, value, req.minimum]),
		"evidence": sprintf("%s = %d", [req.attribute, value]),
		"path": [req.attribute],
	}
}

deny contains finding if {
	some r in util.resources("aws_iam_account_password_policy")
	some req in requirements
	util.is_absent(r.config, req.attribute)
	finding := {
		"resource": r.address,
		"message": sprintf("The password policy sets no %s: require at least %d.", [req.what, req.minimum]),
		"evidence": sprintf("%s unset", [req.attribute]),
		"path": [req.attribute],
	}
}

# METADATA
# title: Redshift cluster encryption disabled
# description: >-
#   An `aws_redshift_cluster` / `AWS::Redshift::Cluster` sets `encrypted` / `Encrypted` to
#   false. Amazon Redshift now encrypts new provisioned clusters by default, so only an
#   explicit false is reported.
# custom:
#   id: TG-ENC-011
#   severity: high
#   category: encryption
#   remediation: Remove encrypted = false or set it to true, optionally with a customer managed kms_key_id.
#   controls: [AWS-FSBP-Redshift.10]
package tollgate.rules.encryption.redshift_unencrypted

import data.tollgate.lib.util
import rego.v1

attributes := {"aws_redshift_cluster": "encrypted", "AWS::Redshift::Cluster": "Encrypted"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some possible in util.possible_values(r, [attribute])
	util.is_false(possible.value)
	finding := {
		"resource": r.address,
		"message": "The Redshift cluster disables encryption at rest: set encrypted to true.",
		"evidence": sprintf("%s = false", [attribute]),
		"path": [attribute],
		"when": possible.condition,
	}
}

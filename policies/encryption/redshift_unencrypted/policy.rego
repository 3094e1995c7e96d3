# METADATA
# title: Redshift cluster encryption disabled
# description: >-
#   An `aws_redshift_cluster` / `AWS::Redshift::Cluster` sets `encrypted` / `Encrypted` to
#   false. Amazon Redshift encrypts new provisioned clusters by default since January 2025, and
#   AWS provider 6 defaults `encrypted` to true, so CloudFormation and provider 6 need no explicit
#   true. AWS provider 5 and older default it to false: a cluster created before 2025 stays
#   unencrypted, and one Redshift encrypted at creation shows a diff that turns encryption off
#   (hashicorp/terraform-provider-aws#42598). An `aws_redshift_cluster` that leaves `encrypted`
#   unset is reported as TG-NET-010 reports an unset `publicly_accessible`: high when every
#   version the root module may run is below 6, medium when nothing in the repository keeps it on
#   6 or later. With `unknown_values: advisory`, a value Tollgate cannot know is reported as
#   cannot tell.
# custom:
#   id: TG-ENC-011
#   severity: high
#   category: encryption
#   remediation: Set encrypted = true (or, on AWS provider 6 or later, leave it out), optionally with a customer managed kms_key_id.
#   controls: [AWS-FSBP-Redshift.10]
package tollgate.rules.encryption.redshift_unencrypted

import data.tollgate.lib.provider
import data.tollgate.lib.settings
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

# AWS provider versions below 6 default `encrypted` to false.
unset_clusters contains r if {
	some r in util.resources("aws_redshift_cluster")
	util.is_absent(r.config, "encrypted")
}

deny contains finding if {
	some r in unset_clusters
	provider.below_major(r, 6)
	finding := {
		"resource": r.address,
		"message": "The Redshift cluster leaves encrypted unset, and this configuration runs AWS provider < 6, which defaults it to false (and plans to turn off the encryption Redshift now applies): set encrypted = true, or require provider version >= 6.0.",
		"evidence": "encrypted unset, AWS provider < 6 in force",
		"path": [],
	}
}

deny contains finding if {
	some r in unset_clusters
	provider.may_be_below_major(r, 6)
	not provider.below_major(r, 6)
	finding := {
		"resource": r.address,
		"message": "The Redshift cluster leaves encrypted unset, so it depends on the provider version: AWS provider < 6 defaults it to false, and no version constraint or lock file here keeps this configuration on 6 or later. Set encrypted = true, or require provider version >= 6.0.",
		"evidence": "encrypted unset, AWS provider version not held at >= 6",
		"path": [],
		"severity": "medium",
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some finding in settings.cannot_tell_each(r, [attribute], "The Redshift cluster may be unencrypted: set encrypted to true.")
}

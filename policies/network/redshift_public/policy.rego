# METADATA
# title: Redshift cluster publicly accessible
# description: >-
#   An `aws_redshift_cluster` / `AWS::Redshift::Cluster` sets `publicly_accessible` /
#   `PubliclyAccessible` to true (critical). An `aws_redshift_cluster` that leaves
#   `publicly_accessible` unset is public too when the AWS provider in force is below 6, whose
#   default is true (v6.0.0 made it false): critical when every version the root module may run
#   is below 6 (a constraint such as `~> 5.0`, or `.terraform.lock.hcl` selecting 5.x), medium
#   when nothing in the repository keeps it on 6 or later (no constraint, or one that also allows
#   5.x, and no lock file), since a lock file outside the repository may still select 5.x. The
#   Redshift API and CloudFormation make a new cluster private when the setting is absent.
# custom:
#   id: TG-NET-010
#   severity: critical
#   category: network
#   remediation: Set publicly_accessible to false and reach the cluster from inside the VPC; with the setting left out, require AWS provider version >= 6.0.
#   controls: [AWS-FSBP-Redshift.1]
package tollgate.rules.network.redshift_public

import data.tollgate.lib.provider
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

attributes := {"aws_redshift_cluster": "publicly_accessible", "AWS::Redshift::Cluster": "PubliclyAccessible"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some possible in util.possible_values(r, [attribute])
	util.is_true(possible.value)
	finding := {
		"resource": r.address,
		"message": "The Redshift cluster is publicly accessible: set it private and connect from inside the VPC.",
		"evidence": sprintf("%s = true", [attribute]),
		"path": [attribute],
		"when": possible.condition,
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some finding in settings.cannot_tell_each(r, [attribute], "The Redshift cluster may be publicly accessible: set it private and connect from inside the VPC.")
}

# AWS provider versions below 6 default `publicly_accessible` to true.
unset_clusters contains r if {
	some r in util.resources("aws_redshift_cluster")
	util.is_absent(r.config, "publicly_accessible")
}

deny contains finding if {
	some r in unset_clusters
	provider.below_major(r, 6)
	finding := {
		"resource": r.address,
		"message": "The Redshift cluster leaves publicly_accessible unset, and this configuration runs AWS provider < 6, which defaults it to true: set publicly_accessible = false, or require provider version >= 6.0.",
		"evidence": "publicly_accessible unset, AWS provider < 6 in force",
	}
}

deny contains finding if {
	some r in unset_clusters
	provider.may_be_below_major(r, 6)
	not provider.below_major(r, 6)
	finding := {
		"resource": r.address,
		"message": "The Redshift cluster leaves publicly_accessible unset, so it depends on the provider version: AWS provider < 6 defaults it to true, and no version constraint or lock file here keeps this configuration on 6 or later. Set publicly_accessible = false, or require provider version >= 6.0.",
		"evidence": "publicly_accessible unset, AWS provider version not held at >= 6",
		"severity": "medium",
	}
}

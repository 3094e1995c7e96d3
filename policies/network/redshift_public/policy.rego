# METADATA
# title: Redshift cluster publicly accessible
# description: >-
#   An `aws_redshift_cluster` / `AWS::Redshift::Cluster` sets `publicly_accessible` /
#   `PubliclyAccessible` to true. AWS provider v5 and the Redshift API default to private, so
#   only an explicit true is reported.
# custom:
#   id: TG-NET-010
#   severity: critical
#   category: network
#   remediation: Set publicly_accessible to false and reach the cluster from inside the VPC.
#   controls: [AWS-FSBP-Redshift.1]
package tollgate.rules.network.redshift_public

import data.tollgate.lib.util
import rego.v1

attributes := {"aws_redshift_cluster": "publicly_accessible", "AWS::Redshift::Cluster": "PubliclyAccessible"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	util.is_true(r.config[attribute])
	finding := {
		"resource": r.address,
		"message": "The Redshift cluster is publicly accessible: set it private and connect from inside the VPC.",
		"evidence": sprintf("%s = true", [attribute]),
		"path": [attribute],
	}
}

# METADATA
# title: RDS database publicly accessible
# description: >-
#   An RDS DB instance (`aws_db_instance`, `aws_rds_cluster_instance`,
#   `AWS::RDS::DBInstance`) or a Multi-AZ DB cluster (`aws_rds_cluster`, `AWS::RDS::DBCluster`)
#   sets `publicly_accessible` / `PubliclyAccessible` to true: it gets a public DNS name and
#   address, and only its security group stands between the database and the internet.
#   Absent means private for instances in a VPC, so only an explicit true is reported. In
#   CloudFormation, `!If [C, true, false]` on a condition the template cannot decide is reported
#   at full severity as public when C holds: the template offers that deployment.
# custom:
#   id: TG-NET-009
#   severity: critical
#   category: network
#   remediation: Set publicly_accessible to false and reach the database from inside the VPC (application subnets, a bastion, or a VPN).
#   controls: [AWS-FSBP-RDS.2]
package tollgate.rules.network.rds_public

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_db_instance": "publicly_accessible",
	"aws_rds_cluster_instance": "publicly_accessible",
	"aws_rds_cluster": "publicly_accessible",
	"AWS::RDS::DBInstance": "PubliclyAccessible",
	"AWS::RDS::DBCluster": "PubliclyAccessible",
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some possible in util.possible_values(r, [attribute])
	util.is_true(possible.value)
	finding := {
		"resource": r.address,
		"message": "The database is publicly accessible: set it private and connect from inside the VPC.",
		"evidence": sprintf("%s = true", [attribute]),
		"path": [attribute],
		"when": possible.condition,
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some finding in settings.cannot_tell_each(r, [attribute], "The database may be publicly accessible: set it private and connect from inside the VPC.")
}

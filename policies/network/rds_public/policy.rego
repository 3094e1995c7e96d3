# METADATA
# title: RDS database publicly accessible
# description: >-
#   An RDS DB instance (`aws_db_instance`, `aws_rds_cluster_instance`,
#   `AWS::RDS::DBInstance`) or a Multi-AZ DB cluster (`aws_rds_cluster`, `AWS::RDS::DBCluster`)
#   sets `publicly_accessible` / `PubliclyAccessible` to true: it gets a public DNS name and
#   address, and only its security group stands between the database and the internet.
#   Absent means private for instances given a DB subnet group, so there only an explicit true is
#   reported. A CloudFormation `AWS::RDS::DBInstance` with neither `DBSubnetGroupName` (or with
#   the default VPC's group, `default`) nor `PubliclyAccessible` is created in the region's default
#   VPC and is public when that VPC has an internet gateway, as AWS creates every default VPC
#   (RDS CreateDBInstance, `PubliclyAccessible`): reported at high severity, since an account may
#   have removed the gateway or the default VPC. An Aurora instance (`DBClusterIdentifier`) takes
#   its cluster's subnet group and a read replica (`SourceDBInstanceIdentifier`) its source's
#   network: neither is. Terraform's `aws_db_instance` sends `publicly_accessible = false` when it
#   is not set (the provider's default), so it is private there. In
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
	r.type == "AWS::RDS::DBInstance"
	util.is_absent(r.config, "PubliclyAccessible")
	default_vpc(r.config)
	every key in ["DBClusterIdentifier", "SourceDBInstanceIdentifier"] {
		util.is_absent(r.config, key)
	}
	finding := {
		"resource": r.address,
		"severity": "high",
		"message": "The database has neither DBSubnetGroupName nor PubliclyAccessible: RDS creates it in the default VPC, public when that VPC has an internet gateway (default VPCs are created with one). Give it a DB subnet group and set PubliclyAccessible to false.",
		"evidence": "PubliclyAccessible unset in the default VPC",
	}
}

# No DB subnet group, or the default VPC's (`default`).
default_vpc(config) if util.is_absent(config, "DBSubnetGroupName")

default_vpc(config) if {
	is_string(config.DBSubnetGroupName)
	lower(config.DBSubnetGroupName) == "default"
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some finding in settings.cannot_tell_each(r, [attribute], "The database may be publicly accessible: set it private and connect from inside the VPC.")
}

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
#   is not set (the provider's default), so it is private there. A Multi-AZ DB cluster (one with
#   `DBClusterInstanceClass` / `db_cluster_instance_class`; Aurora clusters have no such setting and
#   leave it to their instances) follows the same default (RDS CreateDBCluster,
#   `PubliclyAccessible`: public without a DB subnet group when the default VPC has an internet
#   gateway, and with the `default` group) and is reported alike when it names neither a subnet
#   group of its own nor `PubliclyAccessible`. The AWS provider's `aws_rds_cluster` has no
#   `publicly_accessible` argument (hashicorp/terraform-provider-aws#39618) and sends none, so a
#   Terraform Multi-AZ cluster is reported whenever its `db_subnet_group_name` is absent or
#   `default`. (CreateDBCluster also calls a subnet group required for a Multi-AZ cluster: where
#   AWS refuses the request, the finding costs a template that would not deploy anyway.) One with a
#   subnet group of its own is not: the API documents its default both as public when the group's
#   VPC has an internet gateway and as private, and the rule cannot see the gateway. In
#   CloudFormation, `!If [C, true, false]` on a condition the template cannot decide is reported
#   at full severity as public when C holds: the template offers that deployment. A call of the
#   registry module terraform-aws-modules/rds/aws (or its `//modules/db_instance`) passes
#   `publicly_accessible` to its `aws_db_instance`, so an explicit true is reported on the call;
#   the module's default is false, and a call with `create_db_instance` (`create` in the
#   submodule) false creates no database.
# custom:
#   id: TG-NET-009
#   severity: critical
#   category: network
#   remediation: Set publicly_accessible to false and reach the database from inside the VPC (application subnets, a bastion, or a VPN).
#   controls: [CIS-AWS-2.3.3, AWS-FSBP-RDS.2]
package tollgate.rules.network.rds_public

import data.tollgate.lib.registry
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

# The module's switch that turns its database off, per submodule it is called as.
module_create_switches := {"": "create_db_instance", "modules/db_instance": "create"}

deny contains finding if {
	some r in input.resources
	registry.is_call(r, "terraform-aws-modules/rds/aws")
	create := module_create_switches[registry.submodule(r.moduleSource)]
	not util.is_false(object.get(r.config, create, true))
	some possible in util.possible_values(r, ["publicly_accessible"])
	util.is_true(possible.value)
	finding := {
		"resource": r.address,
		"message": "The database module is called with publicly_accessible = true: its database is publicly accessible; set it to false and connect from inside the VPC.",
		"evidence": "publicly_accessible = true",
		"path": ["publicly_accessible"],
		"when": possible.condition,
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type == "AWS::RDS::DBInstance"
	util.is_absent(r.config, "PubliclyAccessible")
	default_vpc_group(r.config, "DBSubnetGroupName")
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

# A Multi-AZ DB cluster without a DB subnet group of its own (or `PubliclyAccessible` in
# CloudFormation): RDS places it in the default VPC, public when the VPC has an internet gateway.
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	spec := multi_az_clusters[r.type]
	is_string(object.get(r.config, spec.instance_class, null))
	every key in spec.unset {
		util.is_absent(r.config, key)
	}
	default_vpc_group(r.config, spec.subnet_group)
	finding := {
		"resource": r.address,
		"severity": "high",
		"message": spec.message,
		"evidence": spec.evidence,
	}
}

multi_az_clusters := {
	"AWS::RDS::DBCluster": {
		"instance_class": "DBClusterInstanceClass",
		"subnet_group": "DBSubnetGroupName",
		"unset": ["PubliclyAccessible"],
		"evidence": "PubliclyAccessible unset in the default VPC",
		"message": "The Multi-AZ DB cluster names neither a DB subnet group of its own nor PubliclyAccessible: RDS creates it in the default VPC, public when that VPC has an internet gateway (default VPCs are created with one). Give it a DB subnet group and set PubliclyAccessible to false.",
	},
	"aws_rds_cluster": {
		"instance_class": "db_cluster_instance_class",
		"subnet_group": "db_subnet_group_name",
		"unset": [],
		"evidence": "db_subnet_group_name unset in the default VPC",
		"message": "The Multi-AZ DB cluster has no DB subnet group of its own and aws_rds_cluster cannot set publicly_accessible: RDS creates it in the default VPC, public when that VPC has an internet gateway (default VPCs are created with one). Give it a DB subnet group of private subnets.",
	},
}

# No DB subnet group, or the default VPC's (`default`).
default_vpc_group(config, key) if util.is_absent(config, key)

default_vpc_group(config, key) if {
	is_string(config[key])
	lower(config[key]) == "default"
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some finding in settings.cannot_tell_each(r, [attribute], "The database may be publicly accessible: set it private and connect from inside the VPC.")
}

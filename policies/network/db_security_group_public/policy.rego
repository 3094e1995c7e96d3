# METADATA
# title: Legacy DB security group open to the internet
# description: >-
#   An EC2-Classic DB security group (`aws_db_security_group` `ingress.cidr`,
#   `AWS::RDS::DBSecurityGroup` `DBSecurityGroupIngress[].CIDRIP`) allows `0.0.0.0/0` or `::/0`,
#   exposing the database port to the internet.
# custom:
#   id: TG-NET-016
#   severity: high
#   category: network
#   remediation: Move the database into a VPC and allow only the application's security group; DB security groups are retired with EC2-Classic.
package tollgate.rules.network.db_security_group_public

import data.tollgate.lib.network
import data.tollgate.lib.util
import rego.v1

message(cidr) := sprintf("The DB security group allows %s: restrict it to the application's addresses.", [cidr])

deny contains finding if {
	some r in util.resources("aws_db_security_group")
	some i, block in util.block_list(r.config.ingress)
	network.is_public_cidr(block.cidr)
	finding := {"resource": r.address, "message": message(block.cidr), "evidence": sprintf("ingress from %s", [block.cidr]), "path": ["ingress", i, "cidr"]}
}

deny contains finding if {
	some r in util.resources("AWS::RDS::DBSecurityGroup")
	some i, rule in r.config.DBSecurityGroupIngress
	network.is_public_cidr(rule.CIDRIP)
	finding := {"resource": r.address, "message": message(rule.CIDRIP), "evidence": sprintf("ingress from %s", [rule.CIDRIP]), "path": ["DBSecurityGroupIngress", i, "CIDRIP"]}
}

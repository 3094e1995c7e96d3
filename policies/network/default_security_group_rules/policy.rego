# METADATA
# title: Default security group allows traffic
# description: >-
#   A VPC's default security group gets rules: `ingress`/`egress` blocks on
#   `aws_default_security_group`, or standalone rules whose group is the VPC's default group
#   (`aws_vpc.x.default_security_group_id`, CloudFormation `!GetAtt Vpc.DefaultSecurityGroup`).
#   Anything launched without an explicit group lands in it, so it should allow nothing; the
#   standalone case is recognised from the expression that names the group, which is known
#   even though the group id is not.
# custom:
#   id: TG-NET-006
#   severity: high
#   category: network
#   remediation: Manage the default security group with no ingress and no egress rules, and give workloads their own security groups.
#   controls: [CIS-AWS-5.4, AWS-FSBP-EC2.2]
package tollgate.rules.network.default_security_group_rules

import data.tollgate.lib.util
import rego.v1

deny contains finding if {
	some r in util.resources("aws_default_security_group")
	some direction in ["ingress", "egress"]
	some i, _ in r.config[direction]
	finding := {
		"resource": r.address,
		"message": sprintf("The default security group has an %s rule: remove it so the default group allows no traffic.", [direction]),
		"evidence": sprintf("%s rule %d", [direction, i]),
		"path": [direction, i],
	}
}

# Standalone rules and the attribute naming their group.
group_attributes := {
	"aws_security_group_rule": "security_group_id",
	"aws_vpc_security_group_ingress_rule": "security_group_id",
	"aws_vpc_security_group_egress_rule": "security_group_id",
	"AWS::EC2::SecurityGroupIngress": "GroupId",
	"AWS::EC2::SecurityGroupEgress": "GroupId",
}

names_default_group(value) if {
	util.is_unknown(value)
	endswith(value["$unknown"], ".default_security_group_id")
}

names_default_group(value) if {
	util.is_unknown(value)
	endswith(value["$unknown"], ".DefaultSecurityGroup")
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := group_attributes[r.type]
	group := r.config[attribute]
	names_default_group(group)
	finding := {
		"resource": r.address,
		"message": "The rule is added to the VPC's default security group: give the workload its own security group instead.",
		"evidence": group["$unknown"],
		"path": [attribute],
	}
}

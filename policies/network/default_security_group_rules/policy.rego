# METADATA
# title: Default security group allows traffic
# description: >-
#   A VPC's default security group gets rules: `ingress`/`egress` blocks on
#   `aws_default_security_group`, or standalone rules whose group is the VPC's default group
#   (`aws_vpc.x.default_security_group_id`, CloudFormation `!GetAtt Vpc.DefaultSecurityGroup`).
#   Anything launched without an explicit group lands in it, so it should allow nothing; the
#   standalone case is recognised from the expression that names the group, which is known
#   even though the group id is not. A CloudFormation standalone rule with `GroupName: default`
#   targets the default VPC's default group by name. Rules written for a group the template
#   names `default` (`aws_security_group` `name`, `AWS::EC2::SecurityGroup` `GroupName`) are
#   reported too: the name is reserved for the VPC's default group, so the stack cannot create
#   it, and the rules are meant for the group that must allow nothing.
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

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"}
	r.config.GroupName == "default"
	finding := {
		"resource": r.address,
		"message": "The rule is added to the default VPC's default security group: give the workload its own security group instead.",
		"evidence": "GroupName default",
		"path": ["GroupName"],
	}
}

# Groups a template names `default`, with the attribute holding their inline rules per direction.
named_default_groups := {
	"aws_security_group": {"name": "name", "rules": {"ingress": "ingress", "egress": "egress"}},
	"AWS::EC2::SecurityGroup": {"name": "GroupName", "rules": {"ingress": "SecurityGroupIngress", "egress": "SecurityGroupEgress"}},
}

named_default_message := "The group is named 'default', which AWS reserves for the VPC's default group (creating it fails), and it is given rules the default group must not have: name it for its workload."

deny contains finding if {
	some group in input.resources
	group.mode == "managed"
	shape := named_default_groups[group.type]
	group.config[shape.name] == "default"
	some direction, attribute in shape.rules
	some i, rule in group.config[attribute]
	is_object(rule)
	finding := {
		"resource": group.address,
		"message": named_default_message,
		"evidence": sprintf("%s rule %d on a group named default", [direction, i]),
		"path": [attribute, i],
	}
}

deny contains finding if {
	some group in input.resources
	group.mode == "managed"
	shape := named_default_groups[group.type]
	group.config[shape.name] == "default"
	some r in input.resources
	r.mode == "managed"
	attribute := group_attributes[r.type]
	util.refers_to(r, group)
	finding := {
		"resource": r.address,
		"message": "The rule is added to a group named 'default', which AWS reserves for the VPC's default group (creating it fails): name the group for its workload.",
		"evidence": sprintf("rule on %s, named default", [group.address]),
		"path": [attribute],
	}
}

# METADATA
# title: Resource placed in the default security group
# description: >-
#   An instance, launch template or network interface is attached to a VPC's default security
#   group: `vpc_security_group_ids` / `security_groups` naming `aws_default_security_group.x.id`
#   or `aws_vpc.x.default_security_group_id` (CloudFormation `!GetAtt Vpc.DefaultSecurityGroup`
#   in `SecurityGroupIds`), or the lists of group names name `default` (`security_groups`,
#   `security_group_names`, CloudFormation `SecurityGroups`: the default VPC's default group).
#   The default group is shared by everything launched without a group and lets its members
#   talk to each other freely. Recognised from the expression that names the group, which is
#   known even though the group id is not; a Terraform resource merely called `default`
#   (`aws_security_group.default`) is an ordinary group and is not reported. A group an undecided
#   CloudFormation `Fn::If` chooses is reported on its list, for the deployments that take it.
# custom:
#   id: TG-NET-015
#   severity: medium
#   category: network
#   remediation: Create a security group for the workload with only the rules it needs and attach that instead.
package tollgate.rules.network.default_security_group_in_use

import data.tollgate.lib.util
import rego.v1

group_lists := {
	"aws_instance": ["vpc_security_group_ids", "security_groups"],
	"aws_launch_template": ["vpc_security_group_ids", "security_group_names"],
	"aws_network_interface": ["security_groups"],
	"AWS::EC2::Instance": ["SecurityGroupIds", "SecurityGroups"],
}

names_default_group(value) if {
	util.is_unknown(value)
	expression := value["$unknown"]
	some marker in ["aws_default_security_group.", ".default_security_group_id", ".DefaultSecurityGroup"]
	indexof(expression, marker) >= 0
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	some key in group_lists[r.type]
	some i, group in r.config[key]
	names_default_group(group)
	place := util.list_item_place(r, [key], i)
	finding := {
		"resource": r.address,
		"message": "The resource uses the VPC's default security group: attach a security group made for the workload.",
		"evidence": sprintf("default security group %s", [group["$unknown"]]),
		"path": place.path,
		"when": place.when,
	}
}


# The lists that take group names rather than ids: `default` there is the default VPC's group.
group_name_lists := {
	"aws_instance": "security_groups",
	"aws_launch_template": "security_group_names",
	"AWS::EC2::Instance": "SecurityGroups",
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	key := group_name_lists[r.type]
	some i, group in r.config[key]
	group == "default"
	place := util.list_item_place(r, [key], i)
	finding := {
		"resource": r.address,
		"message": "The resource uses the default VPC's default security group: attach a security group made for the workload.",
		"evidence": "security group named default",
		"path": place.path,
		"when": place.when,
	}
}

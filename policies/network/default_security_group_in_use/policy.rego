# METADATA
# title: Resource placed in the default security group
# description: >-
#   An instance, spot instance request, launch template, launch configuration or network
#   interface is attached to a VPC's default security group: its list of group ids
#   (`vpc_security_group_ids`, `security_groups`; CloudFormation `SecurityGroupIds`, a launch
#   template's `LaunchTemplateData.SecurityGroupIds`, a launch configuration's `SecurityGroups`, a
#   network interface's `GroupSet`) names `aws_default_security_group.x.id`,
#   `aws_vpc.x.default_security_group_id` or `!GetAtt Vpc.DefaultSecurityGroup`, or its list of
#   group names (`security_groups` of an instance, `security_group_names`, CloudFormation
#   `SecurityGroups` of an instance or `LaunchTemplateData.SecurityGroups`) names `default`, the
#   default VPC's default group. So do the groups of the network interfaces a launch template
#   or CloudFormation instance describes (`network_interfaces[*].security_groups`,
#   `NetworkInterfaces[*].Groups`, an instance's `NetworkInterfaces[*].GroupSet`).
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

# Where each type lists its security groups, by id or by name: a list of paths into `config`.
group_lists := {
	"aws_instance": [["vpc_security_group_ids"], ["security_groups"]],
	"aws_spot_instance_request": [["vpc_security_group_ids"], ["security_groups"]],
	"aws_launch_template": [["vpc_security_group_ids"], ["security_group_names"]],
	"aws_launch_configuration": [["security_groups"]],
	"aws_network_interface": [["security_groups"]],
	"AWS::EC2::Instance": [["SecurityGroupIds"], ["SecurityGroups"]],
	"AWS::EC2::LaunchTemplate": [["LaunchTemplateData", "SecurityGroupIds"], ["LaunchTemplateData", "SecurityGroups"]],
	"AWS::AutoScaling::LaunchConfiguration": [["SecurityGroups"]],
	"AWS::EC2::NetworkInterface": [["GroupSet"]],
}

# Network interfaces a type describes inline, each with a list of group ids of its own.
interface_group_lists := {
	"aws_launch_template": {"interfaces": ["network_interfaces"], "groups": "security_groups"},
	"AWS::EC2::LaunchTemplate": {"interfaces": ["LaunchTemplateData", "NetworkInterfaces"], "groups": "Groups"},
	"AWS::EC2::Instance": {"interfaces": ["NetworkInterfaces"], "groups": "GroupSet"},
}

group_paths(r) := array.concat(object.get(group_lists, r.type, []), [path |
	spec := interface_group_lists[r.type]
	some j, _ in util.block_list(util.value_at(r, spec.interfaces))
	path := array.concat(spec.interfaces, [j, spec.groups])
])

names_default_group(value) if {
	util.is_unknown(value)
	expression := value["$unknown"]
	some marker in ["aws_default_security_group.", ".default_security_group_id", ".DefaultSecurityGroup"]
	indexof(expression, marker) >= 0
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	some path in group_paths(r)
	groups := util.value_at(r, path)
	is_array(groups)
	some i, group in groups
	names_default_group(group)
	place := util.list_item_place(r, path, i)
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
	"aws_instance": ["security_groups"],
	"aws_spot_instance_request": ["security_groups"],
	"aws_launch_template": ["security_group_names"],
	"AWS::EC2::Instance": ["SecurityGroups"],
	"AWS::EC2::LaunchTemplate": ["LaunchTemplateData", "SecurityGroups"],
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	path := group_name_lists[r.type]
	groups := util.value_at(r, path)
	is_array(groups)
	some i, group in groups
	group == "default"
	place := util.list_item_place(r, path, i)
	finding := {
		"resource": r.address,
		"message": "The resource uses the default VPC's default security group: attach a security group made for the workload.",
		"evidence": "security group named default",
		"path": place.path,
		"when": place.when,
	}
}

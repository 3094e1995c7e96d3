# METADATA
# title: Instances get public IP addresses
# description: >-
#   EC2 instances are given public IPv4 addresses: `associate_public_ip_address = true` on
#   `aws_instance`, on a launch template's `network_interfaces` or on
#   `aws_launch_configuration`, CloudFormation `NetworkInterfaces[].AssociatePublicIpAddress`
#   on `AWS::EC2::Instance` and `AWS::EC2::LaunchTemplate` or `AssociatePublicIpAddress` on
#   `AWS::AutoScaling::LaunchConfiguration`, or a subnet that maps public
#   addresses on launch (`map_public_ip_on_launch`, `MapPublicIpOnLaunch`). The instance is
#   then reachable from the internet wherever its security group allows it.
# custom:
#   id: TG-NET-014
#   severity: medium
#   category: network
#   remediation: Launch instances in private subnets without public addresses and expose services through a load balancer, NAT or Session Manager.
#   controls: [AWS-FSBP-Autoscaling.5, AWS-FSBP-EC2.9, AWS-FSBP-EC2.15, AWS-FSBP-EC2.25]
package tollgate.rules.network.instance_public_ip

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# `{resource, value, path, what, alternatives}` for every public IP switch written (`alternatives`:
# the resource's record of values an undecided CloudFormation `Fn::If` chooses between).
switches contains s if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_instance", "aws_launch_configuration", "aws_spot_instance_request"}
	s := {"resource": r.address, "value": r.config.associate_public_ip_address, "path": ["associate_public_ip_address"], "what": "The instance", "alternatives": object.get(r, "alternatives", {})}
}

switches contains s if {
	some r in util.resources("aws_launch_template")
	some i, interface in util.block_list(r.config.network_interfaces)
	s := {"resource": r.address, "value": interface.associate_public_ip_address, "path": ["network_interfaces", i, "associate_public_ip_address"], "what": "The launch template", "alternatives": object.get(r, "alternatives", {})}
}

switches contains s if {
	some r in util.resources("aws_subnet")
	s := {"resource": r.address, "value": r.config.map_public_ip_on_launch, "path": ["map_public_ip_on_launch"], "what": "The subnet", "alternatives": object.get(r, "alternatives", {})}
}

switches contains s if {
	some r in util.resources("AWS::EC2::Instance")
	some i, interface in r.config.NetworkInterfaces
	s := {"resource": r.address, "value": interface.AssociatePublicIpAddress, "path": ["NetworkInterfaces", i, "AssociatePublicIpAddress"], "what": "The instance", "alternatives": object.get(r, "alternatives", {})}
}

switches contains s if {
	some r in util.resources("AWS::AutoScaling::LaunchConfiguration")
	s := {"resource": r.address, "value": r.config.AssociatePublicIpAddress, "path": ["AssociatePublicIpAddress"], "what": "The launch configuration", "alternatives": object.get(r, "alternatives", {})}
}

switches contains s if {
	some r in util.resources("AWS::EC2::LaunchTemplate")
	some i, interface in r.config.LaunchTemplateData.NetworkInterfaces
	s := {"resource": r.address, "value": interface.AssociatePublicIpAddress, "path": ["LaunchTemplateData", "NetworkInterfaces", i, "AssociatePublicIpAddress"], "what": "The launch template", "alternatives": object.get(r, "alternatives", {})}
}

switches contains s if {
	some r in util.resources("AWS::EC2::Subnet")
	s := {"resource": r.address, "value": r.config.MapPublicIpOnLaunch, "path": ["MapPublicIpOnLaunch"], "what": "The subnet", "alternatives": object.get(r, "alternatives", {})}
}

deny contains finding if {
	some s in switches
	some possible in possible_values(s)
	util.is_true(possible.value)
	finding := {
		"resource": s.resource,
		"message": sprintf("%s gives instances public IP addresses: use private subnets and reach them through a load balancer or Session Manager.", [s.what]),
		"evidence": sprintf("%s = true", [s.path[count(s.path) - 1]]),
		"path": s.path,
		"when": possible.condition,
	}
}

deny contains finding if {
	some s in switches
	some possible in possible_values(s)
	cannot_tell := settings.cannot_tell(s.resource, s.path, possible.value, sprintf("%s may give instances public IP addresses: use private subnets.", [s.what]))
	finding := object.union(cannot_tell, {"when": possible.condition})
}

# `[{value, condition}]`: each value an undecided `Fn::If` may give the switch, or its value.
possible_values(s) := s.alternatives[util.pointer(s.path)]

possible_values(s) := [{"value": s.value, "condition": ""}] if not s.alternatives[util.pointer(s.path)]

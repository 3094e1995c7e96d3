# METADATA
# title: Instance metadata reachable beyond the instance
# description: >-
#   An instance, launch template or launch configuration sets a metadata response hop limit above
#   1 (`metadata_options.http_put_response_hop_limit` of `aws_instance`, `aws_launch_template`,
#   `aws_launch_configuration`; `HttpPutResponseHopLimit` in the `MetadataOptions` of
#   `AWS::EC2::Instance` and `AWS::AutoScaling::LaunchConfiguration`, or of an
#   `AWS::EC2::LaunchTemplate`'s `LaunchTemplateData`), or the account's default instance metadata
#   options do (`aws_ec2_instance_metadata_defaults`, where -1 means no preference). The IMDSv2
#   session token then travels more than one network hop: containers on the instance, and hosts
#   reaching it through an instance that forwards traffic, can get the instance role's
#   credentials. A limit of 2 is what AWS documents for containers (EKS and ECS tasks on bridge
#   networking reach IMDS through one hop), so it is reported at low severity; above 2 nothing
#   needs it and it is reported at medium. A limit left out is the API's default, 1, unless the AMI
#   or the account's defaults say otherwise, and is not reported; nor is a limit where the
#   endpoint is off (`http_endpoint = "disabled"`). In CloudFormation a limit an undecided `Fn::If`
#   chooses is reported for the deployments that get it. With `unknown_values: advisory`, a limit
#   Tollgate cannot know is reported as cannot tell. A call of the registry modules
#   terraform-aws-modules/autoscaling/aws or ec2-instance/aws passes its `metadata_options` object
#   to the launch template or instance it creates: a limit above 1 written there is reported on the
#   call (not with `create` or `create_launch_template` false, nor with the endpoint disabled).
#   Calls of terraform-aws-modules/eks/aws are judged per node group (`eks_managed_node_groups`,
#   `self_managed_node_groups`): the group's `metadata_options`, else its group defaults', else
#   the module's, which in releases 18 to 20 is a limit of 2 (reported low on the group; from
#   release 21 it is 1, and before 18, which has no such groups, or with a release Tollgate cannot
#   tell, nothing is reported); likewise calls of its node group submodules. Node groups on the
#   launch template EKS makes itself (`use_custom_launch_template` or `create_launch_template`
#   false; an `aws_eks_node_group` or `AWS::EKS::Nodegroup` that names no launch template) are not
#   judged: nothing written sets their limit, which EKS makes 1 for Amazon Linux 2023 nodes (EKS
#   user guide) and made 2 for Amazon Linux 2 ones (AWS, August 2020). A launch template a node
#   group names is judged as any other.
#   Security Hub's AutoScaling.4 checked launch configurations for this until AWS retired it in
#   April 2024 (the AWS Config rules autoscaling-launch-config-hop-limit and
#   ec2-token-hop-limit-check still do), so no control is cited.
# custom:
#   id: TG-IAM-021
#   severity: low
#   category: iam
#   remediation: Set the metadata response hop limit to 1 (http_put_response_hop_limit = 1, CloudFormation HttpPutResponseHopLimit 1); keep 2 only on container hosts whose workloads need the instance role, and give them their own roles (EKS Pod Identity or IRSA, ECS task roles) instead where you can.
package tollgate.rules.iam.imds_hop_limit

import data.tollgate.lib.imds
import data.tollgate.lib.registry
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

terraform_key := "http_put_response_hop_limit"

cloudformation_key := "HttpPutResponseHopLimit"

# Terraform: each `metadata_options` block whose endpoint is on.
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in imds.terraform_types
	some block in util.blocks(r.config.metadata_options)
	not imds.is_disabled(object.get(block.value, "http_endpoint", "enabled"))
	limit := util.number(block.value[terraform_key])
	limit > 1
	finding := hop_finding(r.address, terraform_key, limit, array.concat(array.concat(["metadata_options"], block.path), [terraform_key]), "")
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in imds.terraform_types
	some block in util.blocks(r.config.metadata_options)
	not imds.is_disabled(object.get(block.value, "http_endpoint", "enabled"))
	path := array.concat(array.concat(["metadata_options"], block.path), [terraform_key])
	finding := settings.cannot_tell(r.address, path, block.value[terraform_key], unknown_message)
}

# The account's defaults apply to every instance launched without a limit of its own.
deny contains finding if {
	some r in util.resources("aws_ec2_instance_metadata_defaults")
	not imds.is_disabled(object.get(r.config, "http_endpoint", "no-preference"))
	limit := util.number(r.config[terraform_key])
	limit > 1
	finding := hop_finding(r.address, terraform_key, limit, [terraform_key], "")
}

# Registry modules whose `metadata_options` object becomes the metadata options of what they
# create (a launch template, an instance), with the switches that create it. What a call leaves
# out takes the module's defaults (a limit of 1, or none), so only a limit the call writes is
# judged.
module_switches := {
	"terraform-aws-modules/autoscaling/aws": ["create", "create_launch_template"],
	"terraform-aws-modules/ec2-instance/aws": ["create"],
}

deny contains finding if {
	some address, switches in module_switches
	some r in registry.calls(address)
	registry.submodule(r.moduleSource) == ""
	every switch in switches {
		not util.is_false(object.get(r.config, switch, true))
	}
	options := r.config.metadata_options
	is_object(options)
	not imds.is_disabled(object.get(options, "http_endpoint", "enabled"))
	limit := util.number(options[terraform_key])
	limit > 1
	finding := hop_finding(r.address, terraform_key, limit, ["metadata_options", terraform_key], "")
}

# The EKS module (terraform-aws-modules/eks/aws) makes a launch template for each entry of its
# `eks_managed_node_groups` and `self_managed_node_groups` maps. An entry's `metadata_options`
# replaces the group defaults' (`eks_managed_node_group_defaults`,
# `self_managed_node_group_defaults`), which replace the module's own: a limit of 2 from release
# 18, which brought these groups, through 20, and of 1 from 21 (its upgrade notes). Options written
# without a limit leave it to the API (1), or in 21 to the module's 1.
eks_module := "terraform-aws-modules/eks/aws"

eks_node_groups := {
	"eks_managed_node_groups": {
		"defaults": "eks_managed_node_group_defaults",
		"switches": ["create_launch_template", "use_custom_launch_template"],
	},
	"self_managed_node_groups": {
		"defaults": "self_managed_node_group_defaults",
		"switches": ["create_launch_template"],
	},
}

deny contains finding if {
	some r in registry.calls(eks_module)
	registry.submodule(r.moduleSource) == ""
	not util.is_false(object.get(r.config, "create", true))
	some groups_key, kind in eks_node_groups
	groups := r.config[groups_key]
	known_object(groups)
	defaults := object.get(r.config, kind.defaults, {})
	known_object(defaults)
	some name, group in groups
	known_object(group)
	not util.is_false(object.get(group, "create", true))
	every switch in kind.switches {
		not util.is_false(group_setting(group, defaults, switch, true))
	}
	some options in node_group_options(r, groups_key, name, group, kind.defaults, defaults)
	finding := module_hop_finding(r, options, sprintf("%s[%q]: ", [groups_key, name]))
}

# The node group submodules called on their own: their `metadata_options`, or the module's.
eks_submodule_switches := {
	"modules/eks-managed-node-group": ["create", "create_launch_template", "use_custom_launch_template"],
	"modules/self-managed-node-group": ["create", "create_launch_template"],
}

deny contains finding if {
	some r in registry.calls(eks_module)
	switches := eks_submodule_switches[registry.submodule(r.moduleSource)]
	every switch in switches {
		not util.is_false(object.get(r.config, switch, true))
	}
	some options in submodule_options(r)
	finding := module_hop_finding(r, options, "")
}

# A group's setting: its own, else the group defaults', else the module's `otherwise`.
group_setting(group, _, key, _) := group[key]

group_setting(group, defaults, key, _) := defaults[key] if not has_key(group, key)

group_setting(group, defaults, key, otherwise) := otherwise if {
	not has_key(group, key)
	not has_key(defaults, key)
}

has_key(obj, key) if {
	known_object(obj)
	some k, _ in obj
	k == key
}

# An object whose keys are known (not a value Tollgate cannot know).
known_object(value) if {
	is_object(value)
	not util.is_unknown(value)
}

# `{value, path, default}` of the metadata options a node group's launch template gets; the
# module's own carry the path of the group and `default` true.
node_group_options(_, groups_key, name, group, _, _) := [{"value": group.metadata_options, "path": [groups_key, name, "metadata_options"], "default": false}] if has_key(group, "metadata_options")

node_group_options(_, _, _, group, defaults_key, defaults) := [{"value": defaults.metadata_options, "path": [defaults_key, "metadata_options"], "default": false}] if {
	not has_key(group, "metadata_options")
	has_key(defaults, "metadata_options")
}

node_group_options(r, groups_key, name, group, _, defaults) := [{"value": eks_default_options, "path": [groups_key, name], "default": true}] if {
	not has_key(group, "metadata_options")
	not has_key(defaults, "metadata_options")
	eks_default_is_two(r)
}

submodule_options(r) := [{"value": r.config.metadata_options, "path": ["metadata_options"], "default": false}] if has_key(r.config, "metadata_options")

submodule_options(r) := [{"value": eks_default_options, "path": [], "default": true}] if {
	not has_key(r.config, "metadata_options")
	eks_default_is_two(r)
}

eks_default_options := {"http_endpoint": "enabled", terraform_key: 2}

# Releases 18 to 20 of the EKS module default the limit to 2.
eks_default_is_two(r) if {
	registry.at_least(r, "18.0.0")
	registry.older_than(r, "21.0.0")
}

module_hop_finding(r, options, group) := object.union(hop_finding(r.address, terraform_key, limit, path, ""), {
	"evidence": sprintf("%s%s = %d", [group, terraform_key, limit]),
	"message": sprintf("%s%s", [default_note(options), finding_message(limit)]),
}) if {
	known_object(options.value)
	not imds.is_disabled(object.get(options.value, "http_endpoint", "enabled"))
	limit := util.number(options.value[terraform_key])
	limit > 1
	path := option_path(options)
}

option_path(options) := options.path if options["default"]

option_path(options) := array.concat(options.path, [terraform_key]) if not options["default"]

default_note(options) := "This release of the EKS module gives its node groups a metadata response hop limit of 2 unless metadata_options says otherwise. " if options["default"]

default_note(options) := "" if not options["default"]

# CloudFormation: the limit under each condition that chooses it, where the endpoint is on.
deny contains finding if {
	some type, options in imds.cloudformation_options
	some r in util.resources(type)
	path := array.concat(options, [cloudformation_key])
	some possible in util.possible_values(r, path)
	limit := util.number(possible.value)
	limit > 1
	some enabled in imds.endpoint_enabled(r, options)
	when := util.conjunction([possible.condition, enabled])
	finding := hop_finding(r.address, cloudformation_key, limit, path, when)
}

deny contains finding if {
	some type, options in imds.cloudformation_options
	some r in util.resources(type)
	some finding in settings.cannot_tell_each(r, array.concat(options, [cloudformation_key]), unknown_message)
}

unknown_message := "The metadata response hop limit is a value Tollgate cannot know: make sure it is 1, or 2 on a container host that needs it."

finding_message(limit) := sprintf("The metadata response hop limit is %d, so the IMDSv2 token and the instance role's credentials reach %s: set it to 1.", [limit, reach(limit)])

hop_finding(address, key, limit, path, when) := {
	"resource": address,
	"message": finding_message(limit),
	"evidence": sprintf("%s = %d", [key, limit]),
	"path": path,
	"severity": severity(limit),
	"when": when,
}

reach(2) := "containers on the instance (2 is meant for container hosts whose workloads need the role)"

reach(limit) := "hosts beyond the instance" if limit > 2

severity(2) := "low"

severity(limit) := "medium" if limit > 2

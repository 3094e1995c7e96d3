# METADATA
# title: AdministratorAccess or IAMFullAccess managed policy attached
# description: >-
#   The AWS managed policy `AdministratorAccess` is attached to a role, user or group, through an
#   `aws_iam_*_policy_attachment`, `managed_policy_arns`, or CloudFormation `ManagedPolicyArns`.
#   Its holder can do anything in the account. Attached to an IAM Identity Center permission set
#   (`aws_ssoadmin_managed_policy_attachment`, `aws_ssoadmin_managed_policy_attachments_exclusive`,
#   `ManagedPolicies` of `AWS::SSO::PermissionSet`), it gives everyone assigned the set
#   administrator access in each account the set is assigned to; a permissions boundary is no
#   grant and is not reported. The ARN may be written for the partition
#   (`arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess`,
#   `!Sub arn:${AWS::Partition}:...`) or come from an `aws_iam_policy` data source that looks up
#   `AdministratorAccess` by name. An AWS SAM function or state machine names it in `Policies`, by
#   name or ARN, for the execution role SAM creates; a call of the registry module
#   terraform-aws-modules/iam/aws (`//modules/iam-role`, `iam-user`, `iam-group`,
#   `iam-role-for-service-accounts`) in its `policies` map, whose every value the module attaches
#   to what it creates; a call of that module's 5.x `//modules/iam-assumable-role` with
#   `create_role = true` and `attach_admin_policy = true` (its `admin_role_policy_arn` is
#   AdministratorAccess unless the call says otherwise) or AdministratorAccess in
#   `custom_role_policy_arns`; of its 5.x `//modules/iam-assumable-role-with-oidc` and `-with-saml`
#   with `create_role = true` in `role_policy_arns` (in both lists only the first
#   `number_of_..._policy_arns` items when the call gives that number); of its 5.x
#   `//modules/iam-group-with-policies` in `custom_group_policy_arns`, attached to the group the
#   call names whether or not it creates it; of its 5.x `//modules/iam-role-for-service-accounts-eks`
#   and `iam-eks-role` in `role_policy_arns` unless `create_role = false`, and `//modules/iam-user`
#   in `policy_arns` unless `create_user = false`; and of its 5.x
#   `//modules/iam-assumable-roles` (and `-with-saml`) with `create_admin_role = true`, whose
#   `admin_role_policy_arns` are `[AdministratorAccess]` unless the call says otherwise, or with
#   `create_poweruser_role` or `create_readonly_role` and AdministratorAccess in that role's list.
#   The AWS managed policy `IAMFullAccess` is reported wherever AdministratorAccess is: it allows
#   `iam:*` on every resource (AWS managed policy reference, version v2), so its holder can attach
#   AdministratorAccess to itself or pass any role, and is an administrator in all but name.
# custom:
#   id: TG-IAM-007
#   severity: critical
#   category: iam
#   remediation: Attach a policy with the permissions the principal needs; keep administrator access to break-glass roles managed outside application stacks.
#   controls: [CIS-AWS-1.16]
package tollgate.rules.iam.admin_policy_attached

import data.tollgate.lib.governs
import data.tollgate.lib.iam
import data.tollgate.lib.registry
import data.tollgate.lib.util
import rego.v1

# Every finding's evidence, however the policy is named (its ARN in any partition or written for
# the partition, by name in SAM, through a data source): the same attachment rewritten is the same
# finding.
admin_policy_arn(name) := concat("", ["arn:aws:iam::aws:policy/", name])

# The AWS managed policies that make their holder an administrator: AdministratorAccess (`*` on
# `*`), and IAMFullAccess (`iam:*` on `*`, a privilege escalation to any permission).
admin_policy_names := {"AdministratorAccess", "IAMFullAccess"}

# The name of the administrator policy `arn` is, written out or looked up.
admin_name(arn) := name if {
	is_string(arn)
	some name in admin_policy_names
	endswith(arn, concat("", [":iam::aws:policy/", name]))
}

# An ARN template whose literal end names the policy, whatever fills in the partition
# (`arn:${data.aws_partition.current.partition}:...`, `!Sub arn:${AWS::Partition}:...`, a `!Join`).
admin_name(arn) := name if {
	some name in admin_policy_names
	regex.match(sprintf(`:iam::aws:policy/%s["'\s\]]*$`, [name]), arn["$unknown"])
}

# The ARN of an `aws_iam_policy` data source that looks the policy up by name.
admin_name(arn) := name if {
	some [lookup, name] in admin_policy_lookups
	regex.match(sprintf(`^data\.aws_iam_policy\.%s(\[[^\]]*\])?\.arn$`, [lookup]), arn["$unknown"])
}

# `[data source name, policy name]` of those data sources, found once per evaluation rather than
# for each ARN.
admin_policy_lookups contains [lookup.name, lookup.config.name] if {
	some lookup in input.resources
	lookup.mode == "data"
	lookup.type == "aws_iam_policy"
	lookup.config.name in admin_policy_names
}

# Attachment resources and the attribute holding the one managed policy ARN each attaches. An
# IAM Identity Center permission set takes AWS managed policies by ARN too.
attachment_attributes := {
	"aws_iam_policy_attachment": "policy_arn",
	"aws_iam_role_policy_attachment": "policy_arn",
	"aws_iam_user_policy_attachment": "policy_arn",
	"aws_iam_group_policy_attachment": "policy_arn",
	"aws_ssoadmin_managed_policy_attachment": "managed_policy_arn",
}

# Attribute (Terraform) or property (CloudFormation) holding a list of managed policy ARNs.
arn_lists := {
	"aws_iam_role": "managed_policy_arns",
	"aws_iam_role_policy_attachments_exclusive": "policy_arns",
	"aws_ssoadmin_managed_policy_attachments_exclusive": "managed_policy_arns",
	"AWS::IAM::Role": "ManagedPolicyArns",
	"AWS::IAM::User": "ManagedPolicyArns",
	"AWS::IAM::Group": "ManagedPolicyArns",
	"AWS::SSO::PermissionSet": "ManagedPolicies",
}

# Identity Center provisions a permission set as a role in each account it is assigned to, for
# every user and group assigned it there.
permission_set_types := {
	"aws_ssoadmin_managed_policy_attachment",
	"aws_ssoadmin_managed_policy_attachments_exclusive",
	"AWS::SSO::PermissionSet",
}

message(type, name) := sprintf("%s is attached to the permission set: each user and group it is assigned to gets administrator access in that account; attach a policy with only the permissions they need.", [name]) if {
	type in permission_set_types
}

message(type, name) := sprintf("%s is attached: attach a policy with only the permissions this principal needs.", [name]) if {
	not type in permission_set_types
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	key := attachment_attributes[r.type]
	name := admin_name(r.config[key])
	finding := {
		"resource": r.address,
		"subject": governs.subject(r.address),
		"message": message(r.type, name),
		"evidence": admin_policy_arn(name),
		"path": [key],
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	key := arn_lists[r.type]
	some i, arn in r.config[key]
	name := admin_name(arn)
	finding := {
		"resource": r.address,
		"subject": governs.subject(r.address),
		"message": message(r.type, name),
		"evidence": admin_policy_arn(name),
		"path": [key, i],
	}
}

# SAM takes an AWS managed policy in `Policies` by its name as well as by its ARN.
deny contains finding if {
	some r in input.resources
	r.source == "cloudformation"
	r.type in iam.sam_policy_types
	some item in iam.sam_policy_items(r)
	name := sam_admin_policy(item.value)
	finding := {
		"resource": r.address,
		"message": sprintf("%s is attached: attach a policy with only the permissions this principal needs.", [name]),
		"evidence": admin_policy_arn(name),
		"path": item.path,
	}
}

sam_admin_policy(policy) := policy if policy in admin_policy_names

sam_admin_policy(policy) := admin_name(policy) if not policy in admin_policy_names

# terraform-aws-modules/iam/aws submodules that attach each value of their `policies` map
# (`{name = policy ARN}`) to the role, user or group they create, unless `create = false`.
iam_module := "terraform-aws-modules/iam/aws"

policy_map_submodules := {"modules/iam-role", "modules/iam-user", "modules/iam-group", "modules/iam-role-for-service-accounts"}

deny contains finding if {
	some call in registry.calls(iam_module)
	registry.submodule(call.moduleSource) in policy_map_submodules
	not util.is_false(object.get(call.config, "create", true))
	is_object(call.config.policies)
	some key, arn in call.config.policies
	name := admin_name(arn)
	finding := {
		"resource": call.address,
		"message": sprintf("%s is attached: attach a policy with only the permissions this principal needs.", [name]),
		"evidence": admin_policy_arn(name),
		"path": ["policies", key],
	}
}

# terraform-aws-modules/iam/aws 5.x `//modules/iam-assumable-role` creates its role only with
# `create_role = true` (false by default); it then attaches `admin_role_policy_arn`
# (AdministratorAccess unless the call gives another) when `attach_admin_policy = true`.
deny contains finding if {
	some call in registry.calls(iam_module)
	registry.submodule(call.moduleSource) == "modules/iam-assumable-role"
	util.is_true(object.get(call.config, "create_role", false))
	util.is_true(object.get(call.config, "attach_admin_policy", false))
	arn := object.get(call.config, "admin_role_policy_arn", "arn:aws:iam::aws:policy/AdministratorAccess")
	name := admin_name(arn)
	finding := {
		"resource": call.address,
		"message": sprintf("%s is attached (attach_admin_policy): attach a policy with only the permissions this role needs.", [name]),
		"evidence": admin_policy_arn(name),
		"path": ["attach_admin_policy"],
	}
}

# 5.x submodules that create their role only with `create_role = true` (false by default) and
# then attach the items of a list of policy ARNs, as many as the call's number says
# (`count = coalesce(var.<number>, length(var.<list>))`), or all of them without a number:
# `//modules/iam-assumable-role` (`custom_role_policy_arns`), `-with-oidc` and `-with-saml`
# (`role_policy_arns`).
counted_role_policy_lists := {
	"modules/iam-assumable-role": {"list": "custom_role_policy_arns", "number": "number_of_custom_role_policy_arns"},
	"modules/iam-assumable-role-with-oidc": {"list": "role_policy_arns", "number": "number_of_role_policy_arns"},
	"modules/iam-assumable-role-with-saml": {"list": "role_policy_arns", "number": "number_of_role_policy_arns"},
}

deny contains finding if {
	some call in registry.calls(iam_module)
	spec := counted_role_policy_lists[registry.submodule(call.moduleSource)]
	util.is_true(object.get(call.config, "create_role", false))
	some i, arn in counted_arns(call.config, spec.list, spec.number)
	name := admin_name(arn)
	finding := {
		"resource": call.address,
		"message": sprintf("%s is attached: attach a policy with only the permissions this role needs.", [name]),
		"evidence": admin_policy_arn(name),
		"path": [spec.list, i],
	}
}

# `{index: ARN}` of the items of list `key` a module attaches with `count = coalesce(var.<number>,
# length(var.<key>))`: all of them without a number, those below it with one; none when the number
# is unknown.
counted_arns(config, key, number) := {i: arn | some i, arn in config[key]} if {
	is_array(config[key])
	util.is_absent(config, number)
}

counted_arns(config, key, number) := {i: arn | some i, arn in config[key]; i < config[number]} if {
	is_array(config[key])
	is_number(config[number])
}

# 5.x `//modules/iam-group-with-policies` attaches each of `custom_group_policy_arns` to its group,
# or, with `create_group = false`, to the existing group `name` names: the attachments' count is
# the list's length whatever `create_group` says.
deny contains finding if {
	some call in registry.calls(iam_module)
	registry.submodule(call.moduleSource) == "modules/iam-group-with-policies"
	is_array(call.config.custom_group_policy_arns)
	some i, arn in call.config.custom_group_policy_arns
	name := admin_name(arn)
	finding := {
		"resource": call.address,
		"message": sprintf("%s is attached: attach a policy with only the permissions this group needs.", [name]),
		"evidence": admin_policy_arn(name),
		"path": ["custom_group_policy_arns", i],
	}
}

# 5.x submodules that attach each value of a collection of policy ARNs (`for_each = { for k, v in
# var.<list> : k => v if var.<create> }`) unless the call's create switch, true by default, is
# false: `//modules/iam-role-for-service-accounts-eks` and `//modules/iam-eks-role`
# (`role_policy_arns`, a map, a list in early 5.x releases) and `//modules/iam-user` (`policy_arns`,
# in late 5.x releases: a call that passes it to an earlier one does not plan).
created_policy_collections := {
	"modules/iam-role-for-service-accounts-eks": {"create": "create_role", "collection": "role_policy_arns", "holder": "role"},
	"modules/iam-eks-role": {"create": "create_role", "collection": "role_policy_arns", "holder": "role"},
	"modules/iam-user": {"create": "create_user", "collection": "policy_arns", "holder": "user"},
}

deny contains finding if {
	some call in registry.calls(iam_module)
	spec := created_policy_collections[registry.submodule(call.moduleSource)]
	not util.is_false(object.get(call.config, spec.create, true))
	policies := call.config[spec.collection]
	policy_collection(policies)
	some key, arn in policies
	name := admin_name(arn)
	finding := {
		"resource": call.address,
		"message": sprintf("%s is attached: attach a policy with only the permissions this %s needs.", [name, spec.holder]),
		"evidence": admin_policy_arn(name),
		"path": [spec.collection, key],
	}
}

policy_collection(value) if is_array(value)

policy_collection(value) if {
	is_object(value)
	not util.is_unknown(value)
}

# terraform-aws-modules/iam/aws 5.x `//modules/iam-assumable-roles` and
# `//modules/iam-assumable-roles-with-saml` create an admin, a poweruser and a readonly role, each
# only with `create_<role>_role = true` (false by default), and attach each of
# `<role>_role_policy_arns` to it. The admin role's list is `[AdministratorAccess]` unless the
# call gives one; the others' default to PowerUserAccess and ReadOnlyAccess, so only a list the
# call gives can hold AdministratorAccess.
admin_roles_submodules := {"modules/iam-assumable-roles", "modules/iam-assumable-roles-with-saml"}

assumable_roles := {"admin", "poweruser", "readonly"}

deny contains finding if {
	some call in registry.calls(iam_module)
	registry.submodule(call.moduleSource) in admin_roles_submodules
	some role in assumable_roles
	util.is_true(object.get(call.config, sprintf("create_%s_role", [role]), false))
	some [arn, path] in role_policies(call, role)
	name := admin_name(arn)
	finding := {
		"resource": call.address,
		"message": sprintf("The %s role gets %s: attach a policy with only the permissions this role needs.", [role, name]),
		"evidence": admin_policy_arn(name),
		"path": path,
	}
}

role_policies(call, "admin") := {["arn:aws:iam::aws:policy/AdministratorAccess", ["create_admin_role"]]} if {
	util.is_absent(call.config, "admin_role_policy_arns")
}

role_policies(call, role) := {[arn, [key, i]] | some i, arn in call.config[key]} if {
	key := sprintf("%s_role_policy_arns", [role])
	is_array(call.config[key])
}

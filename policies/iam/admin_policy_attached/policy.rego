# METADATA
# title: AdministratorAccess managed policy attached
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
#   terraform-aws-modules/iam/aws (`//modules/iam-role`, `iam-user`, `iam-group`) in its
#   `policies` map, whose every value the module attaches to what it creates; a call of that
#   module's 5.x `//modules/iam-assumable-role` with `create_role = true` and
#   `attach_admin_policy = true` (its `admin_role_policy_arn` is AdministratorAccess unless the call
#   says otherwise) or AdministratorAccess in `custom_role_policy_arns`; and of its 5.x
#   `//modules/iam-assumable-roles` (and `-with-saml`) with `create_admin_role = true`, whose
#   `admin_role_policy_arns` are `[AdministratorAccess]` unless the call says otherwise.
# custom:
#   id: TG-IAM-007
#   severity: critical
#   category: iam
#   remediation: Attach a policy with the permissions the principal needs; keep administrator access to break-glass roles managed outside application stacks.
#   controls: [CIS-AWS-1.16, AWS-FSBP-IAM.1]
package tollgate.rules.iam.admin_policy_attached

import data.tollgate.lib.iam
import data.tollgate.lib.registry
import data.tollgate.lib.util
import rego.v1

is_admin_arn(arn) if {
	is_string(arn)
	endswith(arn, ":iam::aws:policy/AdministratorAccess")
}

# An ARN template whose literal end names the policy, whatever fills in the partition
# (`arn:${data.aws_partition.current.partition}:...`, `!Sub arn:${AWS::Partition}:...`, a `!Join`).
is_admin_arn(arn) if regex.match(`:iam::aws:policy/AdministratorAccess["'\s\]]*$`, arn["$unknown"])

# The ARN of an `aws_iam_policy` data source that looks the policy up by name.
is_admin_arn(arn) if {
	some lookup in input.resources
	lookup.mode == "data"
	lookup.type == "aws_iam_policy"
	lookup.config.name == "AdministratorAccess"
	regex.match(sprintf(`^data\.aws_iam_policy\.%s(\[[^\]]*\])?\.arn$`, [lookup.name]), arn["$unknown"])
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

message(type) := "AdministratorAccess is attached to the permission set: each user and group it is assigned to gets administrator access in that account; attach a policy with only the permissions they need." if {
	type in permission_set_types
}

message(type) := "AdministratorAccess is attached: attach a policy with only the permissions this principal needs." if {
	not type in permission_set_types
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	key := attachment_attributes[r.type]
	is_admin_arn(r.config[key])
	finding := {
		"resource": r.address,
		"message": message(r.type),
		"evidence": util.label(r.config[key]),
		"path": [key],
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	key := arn_lists[r.type]
	some i, arn in r.config[key]
	is_admin_arn(arn)
	finding := {
		"resource": r.address,
		"message": message(r.type),
		"evidence": util.label(arn),
		"path": [key, i],
	}
}

# SAM takes an AWS managed policy in `Policies` by its name as well as by its ARN.
deny contains finding if {
	some r in input.resources
	r.source == "cloudformation"
	r.type in iam.sam_policy_types
	some item in iam.sam_policy_items(r)
	sam_admin_policy(item.value)
	finding := {
		"resource": r.address,
		"message": "AdministratorAccess is attached: attach a policy with only the permissions this principal needs.",
		"evidence": util.label(item.value),
		"path": item.path,
	}
}

sam_admin_policy(policy) if policy == "AdministratorAccess"

sam_admin_policy(policy) if is_admin_arn(policy)

# terraform-aws-modules/iam/aws submodules that attach each value of their `policies` map
# (`{name = policy ARN}`) to the role, user or group they create, unless `create = false`.
iam_module := "terraform-aws-modules/iam/aws"

policy_map_submodules := {"modules/iam-role", "modules/iam-user", "modules/iam-group"}

deny contains finding if {
	some call in registry.calls(iam_module)
	registry.submodule(call.moduleSource) in policy_map_submodules
	not util.is_false(object.get(call.config, "create", true))
	is_object(call.config.policies)
	some name, arn in call.config.policies
	is_admin_arn(arn)
	finding := {
		"resource": call.address,
		"message": "AdministratorAccess is attached: attach a policy with only the permissions this principal needs.",
		"evidence": util.label(arn),
		"path": ["policies", name],
	}
}

# terraform-aws-modules/iam/aws 5.x `//modules/iam-assumable-role` creates its role only with
# `create_role = true` (false by default); it then attaches `admin_role_policy_arn`
# (AdministratorAccess unless the call gives another) when `attach_admin_policy = true`, and each
# of `custom_role_policy_arns`.
assumable_role_calls contains call if {
	some call in registry.calls(iam_module)
	registry.submodule(call.moduleSource) == "modules/iam-assumable-role"
	util.is_true(object.get(call.config, "create_role", false))
}

deny contains finding if {
	some call in assumable_role_calls
	util.is_true(object.get(call.config, "attach_admin_policy", false))
	arn := object.get(call.config, "admin_role_policy_arn", "arn:aws:iam::aws:policy/AdministratorAccess")
	is_admin_arn(arn)
	finding := {
		"resource": call.address,
		"message": "AdministratorAccess is attached (attach_admin_policy): attach a policy with only the permissions this role needs.",
		"evidence": util.label(arn),
		"path": ["attach_admin_policy"],
	}
}

deny contains finding if {
	some call in assumable_role_calls
	is_array(call.config.custom_role_policy_arns)
	some i, arn in call.config.custom_role_policy_arns
	is_admin_arn(arn)
	finding := {
		"resource": call.address,
		"message": "AdministratorAccess is attached: attach a policy with only the permissions this role needs.",
		"evidence": util.label(arn),
		"path": ["custom_role_policy_arns", i],
	}
}

# terraform-aws-modules/iam/aws 5.x `//modules/iam-assumable-roles` and
# `//modules/iam-assumable-roles-with-saml` create an admin role only with `create_admin_role =
# true` (false by default) and attach each of `admin_role_policy_arns` to it, which is
# `[AdministratorAccess]` unless the call gives the list.
admin_roles_submodules := {"modules/iam-assumable-roles", "modules/iam-assumable-roles-with-saml"}

deny contains finding if {
	some call in registry.calls(iam_module)
	registry.submodule(call.moduleSource) in admin_roles_submodules
	util.is_true(object.get(call.config, "create_admin_role", false))
	some [arn, path] in admin_role_policies(call)
	is_admin_arn(arn)
	finding := {
		"resource": call.address,
		"message": "The admin role gets AdministratorAccess: attach a policy with only the permissions this role needs.",
		"evidence": util.label(arn),
		"path": path,
	}
}

admin_role_policies(call) := {["arn:aws:iam::aws:policy/AdministratorAccess", ["create_admin_role"]]} if {
	util.is_absent(call.config, "admin_role_policy_arns")
}

admin_role_policies(call) := {[arn, ["admin_role_policy_arns", i]] | some i, arn in call.config.admin_role_policy_arns} if {
	is_array(call.config.admin_role_policy_arns)
}

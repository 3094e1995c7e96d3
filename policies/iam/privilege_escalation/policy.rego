# METADATA
# title: Privilege escalation actions allowed on every resource
# description: >-
#   An identity policy allows, on `Resource: "*"`, an action that lets its holder gain more
#   permissions than it was given: passing any role to a service (`iam:PassRole`), rewriting or
#   attaching policies (`iam:CreatePolicyVersion`, `iam:AttachRolePolicy`, `iam:PutUserPolicy`,
#   ...), creating credentials for other users, editing trust policies, replacing or removing
#   permissions boundaries, or assuming any role.
#   Patterns such as `iam:Put*` count when they cover one of these; `iam:*` and `*` are reported
#   by TG-IAM-001 and TG-IAM-002.
# custom:
#   id: TG-IAM-006
#   severity: critical
#   category: iam
#   remediation: Scope these actions to the specific roles, users and policies the workload manages, or move them to a tightly controlled administration role.
package tollgate.rules.iam.privilege_escalation

import data.tollgate.lib.iam
import rego.v1

escalation_actions := {
	"iam:PassRole",
	"iam:CreatePolicyVersion",
	"iam:SetDefaultPolicyVersion",
	"iam:AttachUserPolicy",
	"iam:AttachGroupPolicy",
	"iam:AttachRolePolicy",
	"iam:PutUserPolicy",
	"iam:PutGroupPolicy",
	"iam:PutRolePolicy",
	"iam:CreateAccessKey",
	"iam:CreateLoginProfile",
	"iam:UpdateLoginProfile",
	"iam:UpdateAssumeRolePolicy",
	"iam:AddUserToGroup",
	"iam:CreateRole",
	"iam:PutUserPermissionsBoundary",
	"iam:PutRolePermissionsBoundary",
	"iam:DeleteUserPermissionsBoundary",
	"iam:DeleteRolePermissionsBoundary",
	"sts:AssumeRole",
}

catalog := iam.actions_by_service(escalation_actions)

deny contains finding if {
	some st in iam.identity_statements
	iam.is_allow(st.statement)
	some resource in iam.values(st.statement, "Resource")
	resource.value == "*"
	some action in iam.values(st.statement, "Action")
	not iam.is_wildcard_action(action.value)
	covered := sort(iam.matching_actions(action.value, catalog))
	count(covered) > 0
	finding := {
		"resource": st.address,
		"when": st.when,
		"message": sprintf("The policy allows '%s' (%s) on every resource, which lets its holder escalate its own privileges.", [action.value, concat(", ", covered)]),
		"evidence": sprintf("%s on *", [action.value]),
		"path": iam.path(st, action.path),
	}
}

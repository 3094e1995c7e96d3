# METADATA
# title: IAM policy grants full administrative privileges
# description: >-
#   An identity policy statement allows `Action: "*"` (or `"*:*"`, which matches every action too)
#   on `Resource: "*"`: whoever holds it can do anything in the account, including granting
#   themselves and others any permission.
#   A managed policy (`aws_iam_policy`, `AWS::IAM::ManagedPolicy`, or the one a
#   terraform-aws-modules/iam `iam-policy` call creates, named `module.<name>.arn`) whose every
#   known use is as a
#   permissions boundary (a role's or user's `permissions_boundary` or `PermissionsBoundary`, an
#   AWS SAM function's or state machine's, a terraform-aws-modules/iam role or user module's
#   boundary argument, or the `iam:PermissionsBoundary` condition of a statement that lets its
#   holder create roles; named by reference, or by the literal ARN its name gives it when nothing
#   else names it) is not judged: a boundary grants nothing, it caps
#   what identity policies grant. One also attached (an attachment, `managed_policy_arns`,
#   `ManagedPolicyArns`, its own `Roles`, `Users` or `Groups`, or an `iam:PolicyARN` condition
#   that lets a role attach it), or referred to otherwise, or by nothing in the change (it may be
#   attached elsewhere), is.
# custom:
#   id: TG-IAM-002
#   severity: critical
#   category: iam
#   remediation: Grant the specific actions and resources the workload needs; keep administrator access to a few break-glass roles managed outside this change.
#   controls: [CIS-AWS-1.16, AWS-FSBP-IAM.1]
package tollgate.rules.iam.full_admin

import data.tollgate.lib.governs
import data.tollgate.lib.iam
import data.tollgate.lib.settings
import rego.v1

deny contains finding if {
	some st in iam.identity_statements
	iam.is_allow(st.statement)
	some action in iam.values(st.statement, "Action")
	iam.matches_every_action(action.value)
	iam.any_resource(st.statement)
	finding := {
		"resource": st.address,
		"subject": governs.subject(st.address),
		"when": st.when,
		"message": "The policy allows every action on every resource (\"*\" on \"*\"), which is full administrator access.",
		"evidence": "* on *",
		"path": iam.path(st, action.path),
		"scope": iam.scope(st, "Action", [action.value]),
	}
}

# On every resource, an unknown action might be "*".
deny contains finding if {
	some st in iam.identity_statements
	iam.is_allow(st.statement)
	iam.any_resource(st.statement)
	some action in iam.unknown_values(st.statement, "Action")
	finding := object.union(settings.cannot_tell(st.address, iam.path(st, action.path), action.value, "The policy allows an action Tollgate cannot know on every resource: if it is \"*\", this is full administrator access."), {"when": st.when})
}

# Every action on an unknown resource might be every resource.
deny contains finding if {
	some st in iam.identity_statements
	iam.is_allow(st.statement)
	some action in iam.values(st.statement, "Action")
	iam.matches_every_action(action.value)
	some resource in iam.unknown_values(st.statement, "Resource")
	finding := object.union(settings.cannot_tell(st.address, iam.path(st, resource.path), resource.value, "The policy allows every action on a resource Tollgate cannot know: if it is \"*\", this is full administrator access."), {"when": st.when})
}

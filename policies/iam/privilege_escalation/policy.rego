# METADATA
# title: Privilege escalation actions allowed on every resource
# description: >-
#   An identity policy allows, on `Resource: "*"`, an action that lets its holder gain more
#   permissions than it was given: passing any role to a service (`iam:PassRole`), rewriting or
#   attaching policies (`iam:CreatePolicyVersion`, `iam:AttachRolePolicy`, `iam:PutUserPolicy`,
#   ...), creating credentials for other users, editing trust policies, replacing or removing
#   permissions boundaries, or assuming any role.
#   Patterns count when they cover one of these (IAM matches actions as case-insensitive globs):
#   `iam:Put*`, `iam:*Policy*`, and the service wildcards `iam:*` and `sts:*`, which TG-IAM-001
#   then leaves to this rule on `Resource: "*"`. `*` is reported by TG-IAM-002. A resource naming every role, user, group or policy of an
#   account (`arn:aws:iam::123456789012:role/*`) counts as every resource; a path or name prefix
#   (`role/service/*`) does not.
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
#   Its `iam:*` and `sts:*` findings in a customer managed policy fail Security Hub's IAM.21
#   (no `service:*` wildcard); no control checks the single actions it reports.
# custom:
#   id: TG-IAM-006
#   severity: critical
#   category: iam
#   remediation: Scope these actions to the specific roles, users and policies the workload manages, or move them to a tightly controlled administration role.
#   controls: [AWS-FSBP-IAM.21]
package tollgate.rules.iam.privilege_escalation

import data.tollgate.lib.governs
import data.tollgate.lib.iam
import data.tollgate.lib.util
import rego.v1

catalog := iam.actions_by_service(iam.privilege_escalation_actions)

deny contains finding if {
	some st in iam.identity_statements
	iam.is_allow(st.statement)
	some scope in escalation_scopes(st.statement)
	some action in iam.values(st.statement, "Action")
	count(iam.matching_actions(action.value, catalog)) > 0
	finding := {
		"resource": st.address,
		"subject": governs.subject(st.address),
		"when": st.when,
		"message": sprintf("The policy allows '%s'%s on %s, which lets its holder escalate its own privileges.", [action.value, iam.escalation_note(action.value), scope.text]),
		"evidence": sprintf("%s on %s", [lower(action.value), scope.resource]),
		"path": iam.path(st, action.path),
		"scope": iam.scope(st, "Action", [action.value]),
	}
}

# `[{resource, text}]`: what the statement's resources let these actions reach, as evidence (its
# partition read as `aws`: `iam.canonical_arn`) and message text. Every resource (`*`), or,
# without `*`, each resource naming every entity of a kind.
escalation_scopes(statement) := [{"resource": "*", "text": "every resource"}] if iam.any_resource(statement)

escalation_scopes(statement) := [{"resource": evidence, "text": sprintf("every IAM entity of that kind (%s)", [label])} |
	some resource in util.elements(statement.Resource)
	every_iam_entity(resource.value)
	label := util.label(resource.value)
	evidence := iam.canonical_arn(resource.value)
] if not iam.any_resource(statement)

# Every role, user, group or policy of an account (`arn:aws:iam::123456789012:role/*`,
# `arn:aws:iam::*:*`, or such an ARN built around the account) is as good as `*` for these
# actions. A path or name prefix (`role/service/*`, `role/deploy-*`) is a chosen set and is left
# out.
every_iam_entity(value) if regex.match(`^arn:[^:]+:iam::[^:]*:((role|user|group|policy)/)?\*$`, value)

every_iam_entity(value) if regex.match(`:iam::.*:((role|user|group|policy)/)?\*["'\s\]]*$`, value["$unknown"])

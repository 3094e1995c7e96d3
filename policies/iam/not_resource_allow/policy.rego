# METADATA
# title: Allow statement with NotResource
# description: >-
#   `Effect: Allow` with `NotResource` grants the actions on every resource except those listed,
#   including resources created later and in other services' namespaces.
#   An identity policy allowing every action (`*`, `*:*`) this way is reported as critical: unless
#   the exceptions cover IAM's own resources it allows every IAM action on every role, user and
#   policy, so its holder can grant itself any permission (attach AdministratorAccess to its own
#   role), which is full administrator access as TG-IAM-002 reports for `*` on `*`. It stays
#   critical while the exceptions can match no role, or no user, no group or no policy, in any
#   partition (exceptions for roles alone still let it create an administrator user); exceptions
#   that may cover each kind (`arn:aws:iam::*:*`, `arn:aws:*`, `*`, or ones Tollgate cannot know)
#   leave it at medium. So is a privilege escalation action allowed this way (`iam:PassRole`,
#   `iam:Put*`, the actions TG-IAM-006 reports critical on `*`): on every role and policy but a
#   few it lets its holder gain more permissions, as on `*`. Each is judged on the kind it acts
#   on: exceptions for every group leave `iam:PassRole` on every role, critical.
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
#   id: TG-IAM-005
#   severity: medium
#   category: iam
#   remediation: Use `Resource` with the ARNs to allow; express exceptions as a separate `Deny` statement.
package tollgate.rules.iam.not_resource_allow

import data.tollgate.lib.governs
import data.tollgate.lib.iam
import data.tollgate.lib.util
import rego.v1

deny contains finding if {
	some st in iam.statements
	not st.kind in {"trust", "boundary"}
	iam.is_allow(st.statement)
	st.statement.NotResource
	finding := object.union(
		{
			"resource": st.address,
			"subject": governs.subject(st.address),
			"when": st.when,
			"message": "The statement allows its actions on every resource except those in NotResource: list the allowed resources in Resource instead.",
			"evidence": sprintf("Allow NotResource %s", [iam.resources_evidence(st.statement, "NotResource")]),
			"path": iam.path(st, ["NotResource"]),
		},
		raised(st),
	)
}

# The severity and message of a statement that gives its holder full administrator access, or the
# means to gain it, on every resource but IAM's own exceptions; `{}` for others.
raised(st) := reasons[0] if {
	reasons := array.concat(administrator_reasons(st), escalation_reasons(st))
	count(reasons) > 0
}

raised(st) := {} if {
	count(administrator_reasons(st)) == 0
	count(escalation_reasons(st)) == 0
}

administrator_reasons(st) := [{
	"severity": "critical",
	"message": "The statement allows every action on every resource except those in NotResource, IAM's own included, which is full administrator access: list the allowed actions and resources instead.",
} |
	iam_kind_left_open(st)
	some action in iam.values(st.statement, "Action")
	iam.matches_every_action(action.value)
]

escalation_reasons(st) := [{
	"severity": "critical",
	"message": sprintf("The statement allows '%s'%s on every resource except those in NotResource, IAM's own included, which lets its holder escalate its own privileges: list the allowed resources in Resource instead.", [action.value, iam.escalation_note(action.value)]),
} |
	some action in iam.values(st.statement, "Action")
	escalates_where_open(st, action.value)
]

# `pattern` covers an escalation action whose kind of IAM resource no exception may match.
escalates_where_open(st, pattern) if {
	some a in iam.matching_actions(pattern, escalation_catalog)
	kind_left_open(st, escalation_kinds[a])
}

escalation_catalog := iam.actions_by_service(iam.privilege_escalation_actions)

escalation_kinds := {lower(a): kind | some a, kind in iam.escalation_resource_kinds}

# An identity statement whose exceptions are all known and can match no IAM role, or no user, no
# group or no policy, whichever partition the account is in: with every action on such a kind its
# holder can give itself administrator access (a user it creates and attaches
# AdministratorAccess to, when only roles are exceptions).
iam_kind_left_open(st) if {
	some kind in iam_kinds
	kind_left_open(st, kind)
}

# An identity statement whose exceptions are all known and none may match a resource of `kind`
# (`role`, `user`, `group`, `policy`) in any partition. An escalation action is judged on the kind
# it acts on: excluding every group leaves `iam:PassRole` on every role.
kind_left_open(st, kind) if {
	iam.is_identity(st)
	every e in util.elements(st.statement.NotResource) {
		is_string(e.value)
		not may_cover_kind(e.value, kind)
	}
}

may_cover_kind(pattern, kind) if {
	some sample in iam_resources[kind]
	iam.wildcard_matches(lower(pattern), sample)
}

iam_kinds := ["role", "user", "group", "policy"]

# For each kind, a resource of it in each partition.
iam_resources := {kind: [sprintf("arn:%s:iam::123456789012:%s/example", [partition, kind]) |
	some partition in ["aws", "aws-cn", "aws-us-gov"]
] |
	some kind in iam_kinds
}

# METADATA
# title: IAM policy allows every action of a service
# description: >-
#   An identity policy statement with `Effect: Allow` grants `*` or `service:*` (for example
#   `s3:*`), so its holder gets every present and future action of the service, including
#   destructive and permission-changing ones. `*` on `Resource: "*"` is reported by TG-IAM-002
#   instead, and `iam:*` or `sts:*` on `Resource: "*"` by TG-IAM-006 (privilege escalation, at
#   its critical severity). Resource policies are covered by the public-principal rules, and `*` or `s3:*` in
#   an S3 bucket policy by TG-IAM-020.
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
#   id: TG-IAM-001
#   severity: high
#   category: iam
#   remediation: Name each action the workload calls (`service:Action`) instead of `*` or `service:*`; IAM Access Analyzer can generate such a policy from the role's CloudTrail activity.
#   controls: [AWS-FSBP-IAM.21]
package tollgate.rules.iam.wildcard_action

import data.tollgate.lib.governs
import data.tollgate.lib.iam
import data.tollgate.lib.settings
import rego.v1

deny contains finding if {
	some st in iam.identity_statements
	iam.is_allow(st.statement)
	some action in iam.values(st.statement, "Action")
	iam.is_wildcard_action(action.value)
	not full_admin(st.statement, action.value)
	not iam.escalates_on_every_resource(st.statement, action.value)
	finding := {
		"resource": st.address,
		"subject": governs.subject(st.address),
		"when": st.when,
		"message": sprintf("The policy allows '%s': grant the specific actions the workload needs.", [action.value]),
		"evidence": lower(action.value),
		"path": iam.path(st, action.path),
		"scope": iam.scope(st, "Action", [action.value]),
	}
}

full_admin(statement, action) if {
	iam.matches_every_action(action)
	iam.any_resource(statement)
}

# An unknown action might be a wildcard; with every resource, TG-IAM-002 reports it instead.
deny contains finding if {
	some st in iam.identity_statements
	iam.is_allow(st.statement)
	not iam.any_resource(st.statement)
	some action in iam.unknown_values(st.statement, "Action")
	finding := object.union(settings.cannot_tell(st.address, iam.path(st, action.path), action.value, "The policy allows an action Tollgate cannot know, which may be a wildcard: grant the specific actions the workload needs."), {"when": st.when})
}

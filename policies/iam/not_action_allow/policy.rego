# METADATA
# title: Allow statement with NotAction
# description: >-
#   `Effect: Allow` with `NotAction` grants every action except those listed, including every
#   action AWS adds later. It is almost always broader than intended.
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
#   Security Hub's IAM.21 fails a customer managed policy that allows `NotAction: "service:*"`
#   (every action of every other service); this rule reports an allow statement with any
#   `NotAction`, in identity and resource policies alike.
# custom:
#   id: TG-IAM-004
#   severity: high
#   category: iam
#   remediation: Use `Action` with the actions to allow; express exceptions as a separate `Deny` statement.
#   controls: [AWS-FSBP-IAM.21]
package tollgate.rules.iam.not_action_allow

import data.tollgate.lib.governs
import data.tollgate.lib.iam
import data.tollgate.lib.util
import rego.v1

deny contains finding if {
	some st in iam.statements
	not st.kind in {"trust", "boundary"}
	iam.is_allow(st.statement)
	st.statement.NotAction
	finding := {
		"resource": st.address,
		"subject": governs.subject(st.address),
		"when": st.when,
		"message": "The statement allows every action except those in NotAction: list the allowed actions in Action instead.",
		"evidence": sprintf("Allow NotAction %s", [iam.actions_evidence(st.statement, "NotAction")]),
		"path": iam.path(st, ["NotAction"]),
		"scope": not_action_scope(st),
	}
}

# The scope of an identity statement whose `NotAction` is all known text; null otherwise.
not_action_scope(st) := iam.scope(st, "NotAction", [a.value | some a in util.elements(st.statement.NotAction)]) if {
	known_not_action(st)
}

not_action_scope(st) := null if not known_not_action(st)

known_not_action(st) if {
	st.kind == "identity"
	count(util.elements(st.statement.NotAction)) > 0
	every a in util.elements(st.statement.NotAction) {
		is_string(a.value)
	}
}

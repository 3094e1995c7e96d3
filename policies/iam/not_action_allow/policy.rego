# METADATA
# title: Allow statement with NotAction
# description: >-
#   `Effect: Allow` with `NotAction` grants every action except those listed, including every
#   action AWS adds later. It is almost always broader than intended.
# custom:
#   id: TG-IAM-004
#   severity: high
#   category: iam
#   remediation: Use `Action` with the actions to allow; express exceptions as a separate `Deny` statement.
package tollgate.rules.iam.not_action_allow

import data.tollgate.lib.iam
import rego.v1

deny contains finding if {
	some st in iam.statements
	st.kind != "trust"
	iam.is_allow(st.statement)
	st.statement.NotAction
	finding := {
		"resource": st.address,
		"when": st.when,
		"message": "The statement allows every action except those in NotAction: list the allowed actions in Action instead.",
		"evidence": sprintf("Allow NotAction %s", [concat(",", sort([a.value | some a in iam.values(st.statement, "NotAction")]))]),
		"path": iam.path(st, ["NotAction"]),
	}
}

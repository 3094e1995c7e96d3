# METADATA
# title: Allow statement with NotResource
# description: >-
#   `Effect: Allow` with `NotResource` grants the actions on every resource except those listed,
#   including resources created later and in other services' namespaces.
# custom:
#   id: TG-IAM-005
#   severity: medium
#   category: iam
#   remediation: Use `Resource` with the ARNs to allow; express exceptions as a separate `Deny` statement.
package tollgate.rules.iam.not_resource_allow

import data.tollgate.lib.iam
import rego.v1

deny contains finding if {
	some st in iam.statements
	st.kind != "trust"
	iam.is_allow(st.statement)
	st.statement.NotResource
	finding := {
		"resource": st.address,
		"when": st.when,
		"message": "The statement allows its actions on every resource except those in NotResource: list the allowed resources in Resource instead.",
		"evidence": sprintf("Allow NotResource %s", [concat(",", sort([r.value | some r in iam.values(st.statement, "NotResource")]))]),
		"path": iam.path(st, ["NotResource"]),
	}
}

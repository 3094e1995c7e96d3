# METADATA
# title: CI OIDC trust policy without a subject condition
# description: >-
#   A role trusts a CI provider's OIDC identity provider (GitHub Actions, GitLab, Terraform Cloud)
#   for `sts:AssumeRoleWithWebIdentity` without a condition on the token's `sub` claim. Every
#   repository or workspace on that provider, anyone's, can then assume the role; an `aud`
#   condition alone does not prevent it.
# custom:
#   id: TG-IAM-009
#   severity: critical
#   category: iam
#   remediation: Add a StringEquals or StringLike condition on `<provider>:sub` naming your repositories, branches or environments (for example `repo:my-org/my-repo:ref:refs/heads/main`).
package tollgate.rules.iam.oidc_trust_without_subject

import data.tollgate.lib.iam
import rego.v1

ci_providers := {"token.actions.githubusercontent.com", "gitlab.com", "app.terraform.io"}

# The provider host a federated principal ARN names (`...:oidc-provider/<host>`).
provider_host(arn) := host if {
	some host in ci_providers
	endswith(arn, concat("", ["oidc-provider/", host]))
}

# A subject condition in every deployment of the statement (in CloudFormation, one written under
# an `Fn::If` the template cannot decide leaves the other deployments open).
has_subject_condition(st, host) if {
	some operator, block in st.statement.Condition
	some key, _ in block
	lower(key) == concat("", [host, ":sub"])
	count(iam.conditions(st, ["Condition", operator, key])) == count(iam.conditions(st, []))
}

deny contains finding if {
	some st in iam.trust_statements
	iam.is_allow(st.statement)
	some action in iam.values(st.statement, "Action")
	lower(action.value) == "sts:assumerolewithwebidentity"
	some principal in iam.principals(st.statement, "Principal")
	principal.type == "Federated"
	host := provider_host(principal.value)
	not has_subject_condition(st, host)
	finding := {
		"resource": st.address,
		"when": st.when,
		"message": sprintf("The role trusts %s tokens without a condition on %s:sub, so any repository on the provider can assume it.", [host, host]),
		"evidence": sprintf("%s without sub", [host]),
		"path": iam.path(st, principal.path),
	}
}

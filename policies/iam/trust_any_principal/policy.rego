# METADATA
# title: Role trust policy lets any AWS principal assume the role
# description: >-
#   A role's trust policy allows `sts:AssumeRole*` to `Principal: "*"`, `{"AWS": "*"}` or every
#   account's root without a condition that narrows it to an account, organization or external
#   id (`aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `sts:ExternalId`,
#   `aws:SourceArn`, ...): anyone with an AWS account can take the role's permissions. A negated
#   operator (`StringNotEquals`), an `...IfExists` one, a `ForAllValues:` set or a `*` value
#   narrows nothing, nor does a wildcard pattern that anyone's accounts or values match
#   (`arn:aws:iam::*:role/reader`, `o-*`, an external id `*-vendor`).
#   A trust narrowed only by `aws:SourceIp` is reported at medium severity: the addresses are
#   limited, but a principal of any account calling from them (a shared NAT, a CI provider's
#   range) may assume the role.
#   A condition whose operator or key Tollgate cannot know (a `dynamic "condition"` over values
#   a variable gives) may narrow the trust: with `unknown_values: advisory` it is reported as
#   cannot tell, never as open.
#   So is a narrowing condition that only a `dynamic` block over a collection Tollgate cannot
#   know writes: it may be missing.
# custom:
#   id: TG-IAM-008
#   severity: critical
#   category: iam
#   remediation: Name the trusted accounts, roles or services in Principal, or add a condition on aws:PrincipalOrgID, aws:PrincipalAccount or sts:ExternalId.
package tollgate.rules.iam.trust_any_principal

import data.tollgate.lib.iam
import data.tollgate.lib.settings
import rego.v1

deny contains finding if {
	some st in iam.trust_statements
	iam.is_allow(st.statement)
	some principal in iam.principals(st.statement, "Principal")
	iam.is_public(principal)
	not iam.has_unconditional_restricting_condition(st)
	not iam.undecided_condition(st.statement)
	not iam.maybe_restricting_condition(st)
	finding := {
		"resource": st.address,
		"when": st.when,
		"message": sprintf("The trust policy lets any AWS principal (%s) assume the role: name the trusted principals or add an account or organization condition.", [principal.value]),
		"evidence": sprintf("Principal %s", [iam.principal_evidence(principal)]),
		"path": iam.path(st, principal.path),
	}
}

# Narrowed only by source addresses: any account's principal calling from them may assume it.
deny contains finding if {
	some st in iam.trust_statements
	iam.is_allow(st.statement)
	some principal in iam.principals(st.statement, "Principal")
	iam.is_public(principal)
	iam.narrowed_only_by_source_ip(st.statement)
	finding := {
		"resource": st.address,
		"when": st.when,
		"message": sprintf("The trust policy lets a principal of any AWS account (%s) assume the role from the addresses in aws:SourceIp: name the trusted principals or add an account or organization condition.", [principal.value]),
		"evidence": sprintf("Principal %s from aws:SourceIp", [iam.principal_evidence(principal)]),
		"path": iam.path(st, principal.path),
		"severity": "medium",
	}
}

deny contains finding if {
	some st in iam.trust_statements
	iam.is_allow(st.statement)
	some principal in iam.unknown_principals(st.statement, "Principal")
	not iam.has_restricting_condition(st.statement)
	finding := object.union(settings.cannot_tell(st.address, iam.path(st, principal.path), principal.value, "The trust policy names a principal Tollgate cannot know and no account or organization condition: if it is \"*\", any AWS principal can assume the role."), {"when": st.when})
}

# A condition whose operator or key Tollgate cannot know may narrow who assumes the role.
deny contains finding if {
	some st in iam.trust_statements
	iam.is_allow(st.statement)
	some principal in iam.principals(st.statement, "Principal")
	iam.is_public(principal)
	not iam.has_unconditional_restricting_condition(st)
	finding := object.union(settings.cannot_tell(st.address, iam.path(st, ["Condition"]), iam.undecided_condition(st.statement), sprintf("The trust policy lets any AWS principal (%s) assume the role unless a condition Tollgate cannot know narrows it: make sure it names an account or organization.", [principal.value])), {"when": st.when})
}

# A narrowing condition that only a `dynamic` block over a collection Tollgate cannot know writes
# may be missing.
deny contains finding if {
	some st in iam.trust_statements
	iam.is_allow(st.statement)
	some principal in iam.principals(st.statement, "Principal")
	iam.is_public(principal)
	not iam.undecided_condition(st.statement)
	expression := iam.maybe_restricting_condition(st)
	finding := object.union(settings.cannot_tell(st.address, iam.path(st, ["Condition"]), {"$unknown": expression}, sprintf("The trust policy lets any AWS principal (%s) assume the role unless its narrowing condition, which a collection Tollgate cannot know repeats, is there: make sure it always is.", [principal.value])), {"when": st.when})
}

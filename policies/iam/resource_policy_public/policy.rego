# METADATA
# title: Resource policy grants access to everyone
# description: >-
#   A resource policy (S3 bucket or access point, SQS queue, SNS topic, KMS key, Secrets Manager
#   secret, ECR repository, OpenSearch domain, Glacier vault, EFS file system) allows actions to `Principal: "*"` or `{"AWS": "*"}`, or
#   allows with `NotPrincipal`, without a condition that narrows the caller to an account,
#   organization, VPC endpoint or source resource. Anyone, authenticated or not, can then
#   perform those actions. An EFS file system policy's `Bool` `elasticfilesystem:AccessedViaMountTarget`
#   true narrows too: only clients reaching the file system's mount targets, in its VPC, are
#   admitted (the policy EFS applies when none is written). A statement narrowed only by `aws:SourceIp` is reported at medium
#   severity: the addresses are limited but the callers stay anonymous. A negated operator
#   (`StringNotEquals`, `NotIpAddress`), an `...IfExists` one or a `*` value narrows nothing, nor
#   does a wildcard pattern that resources anyone may own match (`o-*`, `vpce-*`, `*9012`,
#   `arn:aws:s3:::*`, `arn:aws:iam::*:role/reader`: lib/iam.rego, `unrestricted_value`).
#   A call of terraform-aws-modules/s3-bucket/aws is judged on the `policy` it attaches
#   (`attach_policy = true`; the module discards it otherwise).
#   An S3 bucket or access point policy whose grant Block Public Access contains (lib/s3: the
#   bucket's, the account's, the bucket module's or the access point's own block with
#   `block_public_policy` or `restrict_public_buckets` true) is reported at low severity, saying
#   so: S3 refuses a public policy under BlockPublicPolicy and RestrictPublicBuckets keeps a public
#   one to the owner account and AWS services, but turning the block off later would expose the
#   grant, so it is never dropped. Its evidence says it is contained, so a change that removes the
#   block brings the grant back as a new finding at full severity (its scope says so too, and the
#   diff does not list the contained one as fixed). An access point's own block is
#   on unless it writes a configuration: one that only a `dynamic` block over a collection Tollgate
#   cannot know creates exposes its grants only when that collection is not empty, which the
#   finding says. With `unknown_values: advisory`, a grant contained only by Terraform public
#   access blocks whose `count` or `for_each` Tollgate cannot know (other than the policy's own)
#   is also reported as cannot tell, on the policy, at the severity of its most exposing grant.
#   A policy set by an `aws_s3control_access_point_policy` is not joined to its
#   access point and keeps its severity.
#   In CloudFormation, a containing flag of the bucket's (or access point's) Block Public Access
#   that an `Fn::If` the template cannot decide turns on contains the grant in those deployments
#   only: it is reported at low severity there and at full severity in the others, each saying
#   when. A public statement written under an `Fn::If` the template cannot decide
#   is reported at full severity (its message says when it applies); a narrowing condition
#   written under one narrows only the deployments where it holds, so the statement is reported.
#   A condition whose operator or key Tollgate cannot know (a `dynamic "condition"` over values
#   a variable gives) may narrow the grant: with `unknown_values: advisory` it is reported as
#   cannot tell, never as public.
#   So is a narrowing condition that only a `dynamic` block over a collection Tollgate cannot
#   know writes: it may be missing.
# custom:
#   id: TG-IAM-010
#   severity: critical
#   category: iam
#   remediation: Name the accounts, roles or services that need access in Principal, or add a condition such as aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn.
#   controls: [AWS-FSBP-S3.2, AWS-FSBP-S3.3, AWS-FSBP-SQS.3, AWS-FSBP-SNS.4, AWS-FSBP-KMS.5]
package tollgate.rules.iam.resource_policy_public

import data.tollgate.lib.governs
import data.tollgate.lib.iam
import data.tollgate.lib.s3
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# The granted actions as text: the Action list, or what NotAction leaves.
actions(statement) := concat(",", listed) if {
	listed := sort([a.value | some a in iam.values(statement, "Action")])
	count(listed) > 0
}

actions(statement) := sprintf("every action but %s", [concat(",", excluded)]) if {
	count(iam.values(statement, "Action")) == 0
	excluded := sort([a.value | some a in iam.values(statement, "NotAction")])
	count(excluded) > 0
}

actions(statement) := "unreadable actions" if {
	count(iam.values(statement, "Action")) == 0
	count(iam.values(statement, "NotAction")) == 0
}

# The granted actions as evidence: as `actions`, each action lower case and once
# (`iam.actions_evidence`).
actions_evidence(statement) := iam.actions_evidence(statement, "Action") if count(iam.values(statement, "Action")) > 0

actions_evidence(statement) := sprintf("every action but %s", [iam.actions_evidence(statement, "NotAction")]) if {
	count(iam.values(statement, "Action")) == 0
	count(iam.values(statement, "NotAction")) > 0
}

actions_evidence(statement) := "unreadable actions" if {
	count(iam.values(statement, "Action")) == 0
	count(iam.values(statement, "NotAction")) == 0
}

# The public grants: `{address, when, message, evidence, path, severity}`.
grants contains grant if {
	some st in iam.resource_statements
	iam.is_allow(st.statement)
	some principal in iam.principals(st.statement, "Principal")
	iam.is_public(principal)
	not iam.has_restricting_condition(st.statement)
	not iam.undecided_condition(st.statement)
	grant := {
		"address": st.address,
		"when": st.when,
		"message": sprintf("The resource policy allows %s to everyone (Principal %s)", [actions(st.statement), principal.value]),
		"remedy": "name the principals that need access or add an account, organization or network condition.",
		"evidence": sprintf("Principal %s: %s", [iam.principal_evidence(principal), actions_evidence(st.statement)]),
		"path": iam.path(st, principal.path),
		"scope": public_scope(st, principal),
		"severity": "critical",
	}
}

grants contains grant if {
	some st in iam.resource_statements
	iam.is_allow(st.statement)
	some principal in iam.principals(st.statement, "Principal")
	iam.is_public(principal)
	iam.has_restricting_condition(st.statement)
	not iam.has_unconditional_restricting_condition(st)
	not iam.maybe_restricting_condition(st)
	grant := {
		"address": st.address,
		"when": st.when,
		"message": sprintf("The resource policy allows %s to everyone (Principal %s) in deployments without its narrowing condition, which is written only for %s", [actions(st.statement), principal.value, iam.restricting_condition_when(st)]),
		"remedy": "narrow the callers in every deployment.",
		"evidence": sprintf("Principal %s: %s", [iam.principal_evidence(principal), actions_evidence(st.statement)]),
		"path": iam.path(st, principal.path),
		"scope": public_scope(st, principal),
		"severity": "critical",
	}
}

grants contains grant if {
	some st in iam.resource_statements
	iam.is_allow(st.statement)
	some principal in iam.principals(st.statement, "Principal")
	iam.is_public(principal)
	iam.narrowed_only_by_source_ip(st.statement)
	grant := {
		"address": st.address,
		"when": st.when,
		"message": sprintf("The resource policy allows %s to anonymous callers from the addresses in aws:SourceIp (Principal %s)", [actions(st.statement), principal.value]),
		"remedy": "name the principals that need access, or narrow to an account, organization or VPC endpoint.",
		"evidence": sprintf("Principal %s from aws:SourceIp: %s", [iam.principal_evidence(principal), actions_evidence(st.statement)]),
		"path": iam.path(st, principal.path),
		"scope": public_scope(st, principal),
		"severity": "medium",
	}
}

grants contains grant if {
	some st in iam.resource_statements
	iam.is_allow(st.statement)
	st.statement.NotPrincipal
	not iam.has_restricting_condition(st.statement)
	not iam.undecided_condition(st.statement)
	grant := {
		"address": st.address,
		"when": st.when,
		"message": sprintf("The resource policy allows %s to every principal except those in NotPrincipal", [actions(st.statement)]),
		"remedy": "name the principals that need access instead.",
		"evidence": sprintf("NotPrincipal: %s", [actions_evidence(st.statement)]),
		"path": iam.path(st, ["NotPrincipal"]),
		"scope": null,
		"severity": "critical",
	}
}

deny contains finding if {
	contained := s3.public_access_containment
	some grant in grants
	not contained[grant.address]
	when := uncontained_when(grant)
	finding := {
		"resource": grant.address,
		"subject": governs.subject(grant.address),
		"message": sprintf("%s: %s", [grant.message, grant.remedy]),
		"evidence": grant.evidence,
		"path": grant.path,
		"severity": grant.severity,
		"when": when,
		"scope": grant.scope,
	}
}

# The deployments in which nothing contains the grant: all of them, or, for a CloudFormation
# policy that Block Public Access contains in some (`s3.cloudformation_partial_containment`), the
# others. Undefined when there are none.
uncontained_when(grant) := exposed_when(grant) if {
	not s3.cloudformation_partial_containment[grant.address]
}

uncontained_when(grant) := util.conjunction([exposed_when(grant), partial.exposed]) if {
	partial := s3.cloudformation_partial_containment[grant.address]
}

# A CloudFormation grant that Block Public Access contains in some deployments only: at low severity
# in those, as one contained in all of them is.
deny contains finding if {
	some grant in grants
	partial := s3.cloudformation_partial_containment[grant.address]
	some conditions in partial.contained
	when := util.conjunction(array.concat([grant.when], conditions))
	finding := contained_finding(grant, partial.container, when)
}

# An access point whose Block Public Access only a configuration over a collection Tollgate cannot
# know turns off exposes the grant only when the collection is not empty.
exposed_when(grant) := util.conjunction([grant.when, sprintf("%s is not empty", [expression])]) if {
	expression := s3.access_point_exposed_unless_empty[grant.address]
}

exposed_when(grant) := grant.when if not s3.access_point_exposed_unless_empty[grant.address]

deny contains finding if {
	contained := s3.public_access_containment
	some grant in grants
	container := contained[grant.address]
	finding := contained_finding(grant, container, grant.when)
}

contained_finding(grant, container, when) := {
	"resource": grant.address,
	"subject": governs.subject(grant.address),
	"message": sprintf("%s; Block Public Access contains it for now (%s), but turning that off would expose it: %s", [grant.message, container, grant.remedy]),
	"evidence": sprintf("%s (contained by Block Public Access)", [grant.evidence]),
	"path": grant.path,
	"severity": "low",
	"when": when,
	"scope": contained_scope(grant.scope),
}

# What a public grant exposes, for the diff (src/diff/coverage.ts): the statement's `iam.scope`
# with its principal and `contained: false`; null (evidence matching only) when its actions are not
# all known text or a CloudFormation condition decides them or its principal, as for `iam.scope`.
# A grant to every principal but those in NotPrincipal has none: what it excludes is not compared.
public_scope(st, principal) := object.union(scope, {
	"kind": "resource-policy",
	"principal": iam.principal_evidence(principal),
	"contained": false,
}) if {
	key := action_key(st.statement)
	elements := util.elements(st.statement[key])
	count(elements) > 0
	every e in elements {
		is_string(e.value)
	}
	every decided in [key, "Principal"] {
		not iam.decided_within(st, decided)
	}
	scope := iam.scope(st, key, [e.value | some e in elements])
	scope != null
} else := null

action_key(statement) := "Action" if count(util.elements(object.get(statement, "Action", []))) > 0

action_key(statement) := "NotAction" if count(util.elements(object.get(statement, "Action", []))) == 0

# A grant Block Public Access contains covers only contained ones in the diff: removing the block
# exposes it anew.
contained_scope(scope) := object.union(scope, {"contained": true}) if scope != null

contained_scope(scope) := null if scope == null

# A public grant that only public access blocks with a `count` or `for_each` Tollgate cannot know
# (not the policy's own) contain may be exposed: "cannot tell", on the policy, once per expression,
# at the severity of the policy's most exposing grant (medium when each is narrowed to addresses).
deny contains finding if {
	uncertain := s3.public_access_uncertain
	some address, unknowns in uncertain
	severities := grant_severities[address]
	some unknown in unknowns
	cannot_tell := settings.cannot_tell(address, [], unknown, "The policy's public grant is contained only by Block Public Access that may not be created, as its count or for_each cannot be known: make sure the block always exists, or narrow the grant.")
	finding := object.union(cannot_tell, {"severity": highest_severity(severities)})
}

# `grant_severities[address]`: the severities of the public grants of `address`, looked up for each
# uncertain address rather than scanning every grant.
grant_severities[grant.address] contains grant.severity if some grant in grants

highest_severity(severities) := "critical" if "critical" in severities

highest_severity(severities) := "medium" if not "critical" in severities

# A principal Tollgate cannot know decides whether a grant without a narrowing condition is public.
deny contains finding if {
	some st in iam.resource_statements
	iam.is_allow(st.statement)
	some principal in iam.unknown_principals(st.statement, "Principal")
	not iam.has_unconditional_restricting_condition(st)
	finding := object.union(settings.cannot_tell(st.address, iam.path(st, principal.path), principal.value, sprintf("The resource policy allows %s to a principal Tollgate cannot know, with no account, organization or network condition: if it is \"*\", anyone can.", [actions(st.statement)])), {"when": st.when})
}

# A condition whose operator or key Tollgate cannot know may narrow a grant to everyone.
deny contains finding if {
	some st in iam.resource_statements
	iam.is_allow(st.statement)
	public_principal(st.statement)
	not iam.has_restricting_condition(st.statement)
	finding := object.union(settings.cannot_tell(st.address, iam.path(st, ["Condition"]), iam.undecided_condition(st.statement), sprintf("The resource policy allows %s to everyone unless a condition Tollgate cannot know narrows it: make sure it names an account, organization or network.", [actions(st.statement)])), {"when": st.when})
}

public_principal(statement) if {
	some principal in iam.principals(statement, "Principal")
	iam.is_public(principal)
}

public_principal(statement) if statement.NotPrincipal

# A narrowing condition that only a `dynamic` block over a collection Tollgate cannot know writes
# may be missing.
deny contains finding if {
	some st in iam.resource_statements
	iam.is_allow(st.statement)
	public_principal(st.statement)
	expression := iam.maybe_restricting_condition(st)
	finding := object.union(settings.cannot_tell(st.address, iam.path(st, ["Condition"]), {"$unknown": expression}, sprintf("The resource policy allows %s to everyone unless its narrowing condition, which a collection Tollgate cannot know repeats, is there: make sure it always is.", [actions(st.statement)])), {"when": st.when})
}

# METADATA
# title: S3 bucket ACL grants public access
# description: >-
#   A bucket ACL grants access to everyone or to any AWS account: a canned ACL `public-read`,
#   `public-read-write` or `authenticated-read` (`aws_s3_bucket_acl`, the legacy `acl`
#   argument of `aws_s3_bucket`, CloudFormation `AccessControl`), or an
#   `access_control_policy` grant to the AllUsers or AuthenticatedUsers group. Write access is
#   critical. A call of terraform-aws-modules/s3-bucket/aws is judged on its `acl` and `grant`
#   arguments, from which the module writes the bucket's ACL.
#   An ACL whose grant Block Public Access contains (lib/s3 `acl_containment`: the bucket's, the
#   account's or the bucket module's block, or CloudFormation `PublicAccessBlockConfiguration`,
#   with `ignore_public_acls` or `block_public_acls` true) is reported at low severity, saying so,
#   as TG-IAM-010 reports a contained policy: S3 ignores every public ACL under IgnorePublicAcls and
#   refuses to set one under BlockPublicAcls, but turning the block off later would expose the
#   grant. Its evidence says it is contained, so a change that removes the block brings the grant
#   back as a new finding at full severity (its scope says so too, and the diff does not list the
#   contained one as fixed). With `unknown_values: advisory`, a grant contained only
#   by Terraform public access blocks whose `count` or `for_each` Tollgate cannot know (other than
#   the ACL's own) is also reported as cannot tell, at the severity of its most exposing grant.
# custom:
#   id: TG-IAM-017
#   severity: high
#   category: iam
#   remediation: Use the private ACL (or disable ACLs with BucketOwnerEnforced ownership) and publish content through CloudFront with origin access control.
#   controls: [AWS-FSBP-S3.2, AWS-FSBP-S3.3]
package tollgate.rules.iam.s3_public_acl

import data.tollgate.lib.governs
import data.tollgate.lib.s3
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

canned := {
	"public-read": "high",
	"public-read-write": "critical",
	"authenticated-read": "high",
	"PublicRead": "high",
	"PublicReadWrite": "critical",
	"AuthenticatedRead": "high",
}

acl_attributes := {"aws_s3_bucket_acl": "acl", "aws_s3_bucket": "acl", "AWS::S3::Bucket": "AccessControl"}

public_groups := {"http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}

# The public grants of bucket ACLs: `{resource, when, message, remedy, evidence, path, severity}`.
exposures contains exposure if {
	some r in input.resources
	r.mode == "managed"
	attribute := acl_attributes[r.type]
	some possible in util.possible_values(r, [attribute])
	acl := possible.value
	severity := canned[acl]
	exposure := {
		"resource": r.address,
		"message": sprintf("The bucket ACL %s opens the bucket beyond the account", [acl]),
		"remedy": "make it private.",
		"evidence": sprintf("acl %s", [acl]),
		"path": [attribute],
		"severity": severity,
		"when": possible.condition,
		"scope": canned_scope(acl),
	}
}

exposures contains exposure if {
	some r in util.resources("aws_s3_bucket_acl")
	some i, policy in util.block_list(r.config.access_control_policy)
	some j, grant in util.block_list(policy.grant)
	some k, grantee in util.block_list(grant.grantee)
	grantee.uri in public_groups
	severity := grant_severity(grant.permission)
	exposure := {
		"resource": r.address,
		"message": sprintf("The bucket ACL grants %s to %s", [util.label(grant.permission), grantee.uri]),
		"remedy": "remove the grant.",
		"evidence": sprintf("%s to %s", [util.label(grant.permission), grantee.uri]),
		"path": ["access_control_policy", i, "grant", j, "grantee", k, "uri"],
		"severity": severity,
		"when": "",
		"scope": grant_scope(grantee.uri, grant.permission),
	}
}

# What a public grant exposes, for the diff (src/diff/coverage.ts): the group it grants to and the
# permissions it grants, `contained: false` (`contained_scope` for a contained one).
canned_scope(acl) := object.union(canned_grants[acl], {"kind": "acl", "contained": false})

canned_grants := {
	"public-read": {"grantee": "AllUsers", "permissions": ["READ"]},
	"public-read-write": {"grantee": "AllUsers", "permissions": ["READ", "WRITE"]},
	"authenticated-read": {"grantee": "AuthenticatedUsers", "permissions": ["READ"]},
	"PublicRead": {"grantee": "AllUsers", "permissions": ["READ"]},
	"PublicReadWrite": {"grantee": "AllUsers", "permissions": ["READ", "WRITE"]},
	"AuthenticatedRead": {"grantee": "AuthenticatedUsers", "permissions": ["READ"]},
}

# A permission Tollgate cannot read has no scope: the finding matches by its evidence only.
grant_scope(uri, permission) := {
	"kind": "acl",
	"grantee": group_names[uri],
	"permissions": permission_grants[permission],
	"contained": false,
} if {
	is_string(permission)
	permission_grants[permission]
} else := null

group_names := {
	"http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}

permission_grants := {
	"READ": ["READ"],
	"WRITE": ["WRITE"],
	"READ_ACP": ["READ_ACP"],
	"WRITE_ACP": ["WRITE_ACP"],
	"FULL_CONTROL": ["READ", "WRITE", "READ_ACP", "WRITE_ACP"],
}

# Block Public Access that contains a grant covers only contained ones in the diff: removing it
# exposes the grant anew.
contained_scope(scope) := object.union(scope, {"contained": true}) if scope != null

contained_scope(scope) := null if scope == null

grant_severity(permission) := "critical" if permission in {"WRITE", "WRITE_ACP", "FULL_CONTROL"}

grant_severity(permission) := "high" if not permission in {"WRITE", "WRITE_ACP", "FULL_CONTROL"}

exposures contains exposure if {
	some call in s3.module_buckets
	acl := call.config.acl
	severity := canned[acl]
	exposure := {
		"resource": call.address,
		"message": sprintf("The bucket module is called with acl = %s, which opens the bucket beyond the account", [acl]),
		"remedy": "make it private or leave it out.",
		"evidence": sprintf("acl %s", [acl]),
		"path": ["acl"],
		"severity": severity,
		"when": "",
		"scope": canned_scope(acl),
	}
}

exposures contains exposure if {
	some call in s3.module_buckets
	some i, grant in call.config.grant
	grant.uri in public_groups
	severity := grant_severity(grant.permission)
	exposure := {
		"resource": call.address,
		"message": sprintf("The bucket module's grant gives %s to %s", [util.label(grant.permission), grant.uri]),
		"remedy": "remove the grant.",
		"evidence": sprintf("%s to %s", [util.label(grant.permission), grant.uri]),
		"path": ["grant", i, "uri"],
		"severity": severity,
		"when": "",
		"scope": grant_scope(grant.uri, grant.permission),
	}
}

deny contains finding if {
	contained := s3.acl_containment
	some exposure in exposures
	not contained[exposure.resource]
	when := uncontained_when(exposure)
	finding := {
		"resource": exposure.resource,
		"subject": governs.subject(exposure.resource),
		"message": sprintf("%s: %s", [exposure.message, exposure.remedy]),
		"evidence": exposure.evidence,
		"path": exposure.path,
		"severity": exposure.severity,
		"when": when,
		"scope": exposure.scope,
	}
}

# The deployments in which nothing contains the grant: all of them, or, for a CloudFormation
# bucket whose Block Public Access contains it in some (`s3.cloudformation_partial_acl_containment`),
# the others. Undefined when there are none.
uncontained_when(exposure) := exposure.when if {
	not s3.cloudformation_partial_acl_containment[exposure.resource]
}

uncontained_when(exposure) := util.conjunction([exposure.when, partial.exposed]) if {
	partial := s3.cloudformation_partial_acl_containment[exposure.resource]
}

deny contains finding if {
	contained := s3.acl_containment
	some exposure in exposures
	container := contained[exposure.resource]
	finding := contained_finding(exposure, container, exposure.when)
}

# A CloudFormation grant that Block Public Access contains in some deployments only: at low severity
# in those, as one contained in all of them is.
deny contains finding if {
	some exposure in exposures
	partial := s3.cloudformation_partial_acl_containment[exposure.resource]
	some conditions in partial.contained
	when := util.conjunction(array.concat([exposure.when], conditions))
	finding := contained_finding(exposure, partial.container, when)
}

contained_finding(exposure, container, when) := {
	"resource": exposure.resource,
	"subject": governs.subject(exposure.resource),
	"message": sprintf("%s; Block Public Access contains it for now (%s), but turning that off would expose it: %s", [exposure.message, container, exposure.remedy]),
	"evidence": sprintf("%s (contained by Block Public Access)", [exposure.evidence]),
	"path": exposure.path,
	"severity": "low",
	"when": when,
	"scope": contained_scope(exposure.scope),
}

# A public grant that only public access blocks with a `count` or `for_each` Tollgate cannot know
# (not the ACL's own) contain may be exposed: "cannot tell", once per expression, at the severity
# of the address's most exposing grant.
deny contains finding if {
	uncertain := s3.acl_uncertain
	some address, unknowns in uncertain
	severities := exposure_severities[address]
	some unknown in unknowns
	cannot_tell := settings.cannot_tell(address, [], unknown, "The bucket ACL's public grant is contained only by Block Public Access that may not be created, as its count or for_each cannot be known: make sure the block always exists, or make the ACL private.")
	finding := object.union(cannot_tell, {"severity": highest_severity(severities)})
}

# `exposure_severities[address]`: the severities of the public grants of `address` (a bucket
# without an ACL of its own is contained too, and has none).
exposure_severities[exposure.resource] contains exposure.severity if some exposure in exposures

highest_severity(severities) := "critical" if "critical" in severities

highest_severity(severities) := "high" if not "critical" in severities

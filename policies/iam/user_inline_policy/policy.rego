# METADATA
# title: Inline policy on an IAM user
# description: >-
#   Permissions are written directly on an IAM user (`aws_iam_user_policy`, CloudFormation
#   `AWS::IAM::User` `Policies`, an `AWS::IAM::UserPolicy`, or an `AWS::IAM::Policy` naming
#   `Users`). Permissions given to users one by one drift apart and outlive the people; grant them
#   through groups or roles. An `AWS::IAM::UserPolicy` is reported about its user, with the
#   evidence the same policy in the user's `Policies` has, so moving it out of the user changes
#   nothing.
# custom:
#   id: TG-IAM-013
#   severity: medium
#   category: iam
#   remediation: Put the policy on a group the user belongs to, or on a role the user assumes.
#   controls: [CIS-AWS-1.15, AWS-FSBP-IAM.2]
package tollgate.rules.iam.user_inline_policy

import data.tollgate.lib.governs
import data.tollgate.lib.util
import rego.v1

deny contains finding if {
	some r in util.resources("aws_iam_user_policy")
	finding := {
		"resource": r.address,
		"message": "The policy is written inline on an IAM user: grant it through a group or a role.",
		"evidence": "inline user policy",
		"path": ["user"],
	}
}

deny contains finding if {
	some r in util.resources("AWS::IAM::User")
	some i, policy in r.config.Policies
	finding := {
		"resource": r.address,
		"message": "The user carries an inline policy: grant it through a group or a role.",
		"evidence": sprintf("inline policy %s", [util.label(object.get(policy, "PolicyName", i))]),
		"path": ["Policies", i],
	}
}

deny contains finding if {
	some r in util.resources("AWS::IAM::UserPolicy")
	finding := {
		"resource": r.address,
		"message": "The policy is written inline on an IAM user: grant it through a group or a role.",
		"evidence": sprintf("inline policy %s", [util.label(object.get(r.config, "PolicyName", ""))]),
		"path": ["UserName"],
		"subject": governs.subject(r.address),
	}
}

deny contains finding if {
	some r in util.resources("AWS::IAM::Policy")
	some i, user in r.config.Users
	finding := {
		"resource": r.address,
		"message": "The policy is attached to an IAM user: attach it to a group or a role.",
		"evidence": sprintf("user %s", [util.label(user)]),
		"path": ["Users", i],
	}
}

# METADATA
# title: Managed policy attached to an IAM user
# description: >-
#   A managed policy is attached directly to an IAM user (`aws_iam_user_policy_attachment`,
#   `aws_iam_policy_attachment` with `users`, CloudFormation `ManagedPolicyArns` on
#   `AWS::IAM::User` or `Users` on `AWS::IAM::ManagedPolicy`). Grant permissions through groups
#   or roles so they are reviewed and revoked in one place.
# custom:
#   id: TG-IAM-014
#   severity: medium
#   category: iam
#   remediation: Attach the policy to a group the user belongs to, or to a role the user assumes.
#   controls: [CIS-AWS-1.15, AWS-FSBP-IAM.2]
package tollgate.rules.iam.user_policy_attachment

import data.tollgate.lib.iam
import data.tollgate.lib.util
import rego.v1

message := "A managed policy is attached directly to an IAM user: attach it to a group or a role."

deny contains finding if {
	some r in util.resources("aws_iam_user_policy_attachment")
	finding := {"resource": r.address, "message": message, "evidence": "user attachment", "path": ["user"]}
}

# Terraform `users` and CloudFormation `Users` / `ManagedPolicyArns`, element by element.
user_lists := {
	"aws_iam_policy_attachment": "users",
	"AWS::IAM::ManagedPolicy": "Users",
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	key := user_lists[r.type]
	some i, user in r.config[key]
	finding := {"resource": r.address, "message": message, "evidence": sprintf("user %s", [util.label(user)]), "path": [key, i]}
}

deny contains finding if {
	some r in util.resources("AWS::IAM::User")
	some i, arn in r.config.ManagedPolicyArns
	finding := {"resource": r.address, "message": message, "evidence": iam.canonical_arn(arn), "path": ["ManagedPolicyArns", i]}
}

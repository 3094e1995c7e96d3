# METADATA
# title: Sensitive actions allowed on every resource
# description: >-
#   An identity policy allows actions that read secrets and data, destroy resources or disable
#   audit trails (`secretsmanager:GetSecretValue`, `kms:Decrypt`, `kms:ReEncryptFrom`,
#   `s3:DeleteBucket`, `cloudtrail:StopLogging`, ...) on `Resource: "*"`, so one leaked
#   credential reaches every such resource in the account. An ARN pattern naming every resource
#   of the action's type counts too: a resource part of wildcards alone or after the type
#   (`arn:aws:s3:::*/*`, `arn:aws:dynamodb:*:*:table/*`, `arn:aws:kms:*:*:*`), with region and
#   account `*` or the deployment's own (`${AWS::Region}`, `${AWS::AccountId}`), as AWS SAM's
#   `S3CrudPolicy` with `BucketName: "*"` writes; a bucket or a name prefix (`arn:aws:s3:::my-bucket/*`,
#   `arn:aws:s3:::*-logs/*`), a literal account or region, or another type's resources
#   (`s3:DeleteBucket` on `arn:aws:s3:::*/*`, objects only) do not. Patterns such as
#   `s3:Delete*` count when they cover one of these actions; service wildcards are reported by
#   TG-IAM-001 and privilege escalation actions by TG-IAM-006. A statement whose condition, in every deployment, limits it to resources
#   carrying a tag (`aws:ResourceTag/<key>`, `ec2:ResourceTag/<key>`, `s3:ExistingObjectTag/<key>`
#   under `StringEquals`, `StringLike`, `StringEqualsIgnoreCase`, or `Null` false) is not reported:
#   IAM grants nothing on a resource without the tag, since such an operator fails where the
#   request has no value for its key, so the statement does not reach every resource (the
#   attribute-based access control AWS documents). `...IfExists`, `ForAllValues:` and negated
#   operators hold without the tag and limit nothing.
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
#   Its `kms:Decrypt` and `kms:ReEncryptFrom` findings (re-encrypting from a key decrypts under
#   it) fail Security Hub's KMS.1 (customer managed policies) and KMS.2 (inline policies).
# custom:
#   id: TG-IAM-003
#   severity: high
#   category: iam
#   remediation: Scope the statement's `Resource` to the ARNs the workload uses.
#   controls: [AWS-FSBP-KMS.1, AWS-FSBP-KMS.2]
package tollgate.rules.iam.sensitive_actions_any_resource

import data.tollgate.lib.governs
import data.tollgate.lib.iam
import data.tollgate.lib.util
import rego.v1

sensitive_actions := {
	"s3:GetObject",
	"s3:PutObject",
	"s3:DeleteObject",
	"s3:DeleteBucket",
	"s3:PutBucketPolicy",
	"s3:DeleteBucketPolicy",
	"s3:PutBucketAcl",
	"s3:PutObjectAcl",
	"s3:PutBucketPublicAccessBlock",
	"kms:Decrypt",
	"kms:ReEncryptFrom",
	"kms:ScheduleKeyDeletion",
	"kms:DisableKey",
	"kms:PutKeyPolicy",
	"kms:CreateGrant",
	"secretsmanager:GetSecretValue",
	"secretsmanager:DeleteSecret",
	"ssm:GetParameter",
	"ssm:GetParameters",
	"ssm:GetParametersByPath",
	"ssm:SendCommand",
	"dynamodb:DeleteTable",
	"dynamodb:Scan",
	"rds:DeleteDBInstance",
	"rds:DeleteDBCluster",
	"ec2:TerminateInstances",
	"ec2:DeleteSnapshot",
	"ec2:ModifySnapshotAttribute",
	"ec2:AuthorizeSecurityGroupIngress",
	"lambda:UpdateFunctionCode",
	"logs:DeleteLogGroup",
	"cloudtrail:StopLogging",
	"cloudtrail:DeleteTrail",
	"cloudtrail:UpdateTrail",
	"config:StopConfigurationRecorder",
	"config:DeleteConfigurationRecorder",
	"guardduty:DeleteDetector",
	"ec2:DeleteFlowLogs",
	"organizations:LeaveOrganization",
}

catalog := iam.actions_by_service(sensitive_actions)

# The resource types (as their ARNs name them) each action acts on. Without an entry, an action
# (`ssm:SendCommand`, whose instances are EC2's; `config:StopConfigurationRecorder`) reaches every
# resource only through `*`.
action_resource_types := {
	"s3:GetObject": {"object"},
	"s3:PutObject": {"object"},
	"s3:DeleteObject": {"object"},
	"s3:PutObjectAcl": {"object"},
	"s3:DeleteBucket": {"bucket"},
	"s3:PutBucketPolicy": {"bucket"},
	"s3:DeleteBucketPolicy": {"bucket"},
	"s3:PutBucketAcl": {"bucket"},
	"s3:PutBucketPublicAccessBlock": {"bucket"},
	"kms:Decrypt": {"key"},
	"kms:ReEncryptFrom": {"key"},
	"kms:ScheduleKeyDeletion": {"key"},
	"kms:DisableKey": {"key"},
	"kms:PutKeyPolicy": {"key"},
	"kms:CreateGrant": {"key"},
	"secretsmanager:GetSecretValue": {"secret"},
	"secretsmanager:DeleteSecret": {"secret"},
	"ssm:GetParameter": {"parameter"},
	"ssm:GetParameters": {"parameter"},
	"ssm:GetParametersByPath": {"parameter"},
	"dynamodb:DeleteTable": {"table"},
	"dynamodb:Scan": {"table"},
	"rds:DeleteDBInstance": {"db"},
	"rds:DeleteDBCluster": {"cluster"},
	"ec2:TerminateInstances": {"instance"},
	"ec2:DeleteSnapshot": {"snapshot"},
	"ec2:ModifySnapshotAttribute": {"snapshot"},
	"ec2:AuthorizeSecurityGroupIngress": {"security-group"},
	"lambda:UpdateFunctionCode": {"function"},
	"logs:DeleteLogGroup": {"log-group"},
	"cloudtrail:StopLogging": {"trail"},
	"cloudtrail:DeleteTrail": {"trail"},
	"cloudtrail:UpdateTrail": {"trail"},
	"guardduty:DeleteDetector": {"detector"},
	"ec2:DeleteFlowLogs": {"vpc-flow-log"},
}

resource_types := {lower(action): types | some action, types in action_resource_types}

deny contains finding if {
	some st in iam.identity_statements
	iam.is_allow(st.statement)
	not limited_to_tagged_resources(st)
	some action in iam.values(st.statement, "Action")
	not iam.is_wildcard_action(action.value)
	some reach in reaches(st.statement, action.value)
	finding := {
		"resource": st.address,
		"subject": governs.subject(st.address),
		"when": st.when,
		"message": sprintf("The policy allows '%s' (%s) on %s: scope Resource to the ARNs the workload uses.", [action.value, concat(", ", reach.covered), reach.text]),
		"evidence": sprintf("%s on %s", [lower(action.value), reach.resources]),
		"path": iam.path(st, action.path),
		"scope": iam.scope(st, "Action", [action.value]),
	}
}

# `[{covered, resources, text}]`: the actions of the catalog `pattern` covers that the statement
# allows on every resource they act on, the resources that reach them as evidence, and as message
# text. `*` reaches them all; without it, ARN patterns naming every resource of a type
# (`iam.every_resource_arn`) reach the actions on that type (`arn:aws:s3:::*/*` reaches
# `s3:GetObject`, not `s3:DeleteBucket`).
reaches(statement, pattern) := [{"covered": covered, "resources": "*", "text": "every resource"}] if {
	iam.any_resource(statement)
	covered := sort(iam.matching_actions(pattern, catalog))
	count(covered) > 0
}

reaches(statement, pattern) := [{"covered": covered, "resources": concat(",", arns), "text": text} |
	covered := sort([a | some a in iam.matching_actions(pattern, catalog); count(reaching(statement, a)) > 0])
	count(covered) > 0
	arns := sort({iam.canonical_arn(e.value) | some a in covered; some e in reaching(statement, a)})
	text := sprintf("every resource of its kind (%s)", [concat(", ", arns)])
] if not iam.any_resource(statement)

reaching(statement, action) := iam.every_resource_arns(statement, split(action, ":")[0], object.get(resource_types, action, set()))

# Operators under which a condition on a tag of the resource holds only when the resource has the
# tag with a matching value.
tag_operators := {"stringequals", "stringequalsignorecase", "stringlike"}

# A key naming a tag of the resource the request acts on: global or service-specific.
resource_tag_key(key) if regex.match(`^([a-z0-9-]+:resourcetag|s3:existingobjecttag)/.+`, lower(key))

tag_condition(operator, _) if trim_prefix(lower(operator), "foranyvalue:") in tag_operators

tag_condition(operator, value) if {
	lower(operator) == "null"
	every e in util.elements(value) {
		lower(format_value(e.value)) == "false"
	}
}

format_value(value) := value if is_string(value)

format_value(value) := "false" if value == false

# The statement holds only on resources carrying a tag, in every deployment of it: the condition
# is not under an undecided CloudFormation Fn::If nor from a dynamic block that may write none.
limited_to_tagged_resources(st) if {
	some operator, block in st.statement.Condition
	some key, value in block
	resource_tag_key(key)
	tag_condition(operator, value)
	count(util.conditions_below(object.get(st, "conditional", {}), array.concat(st.path, st.statement_path), ["Condition", operator, key])) == 0
	not iam.repetition_within(st, ["Condition", operator, key])
}
